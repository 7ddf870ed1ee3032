"""The declarations in records/ are the one place field names are written: no hand list elsewhere, the
store's tables hold what they declare, every CSV writer applies the formula rule to the free text of the
kind it writes, and the recipe for a new field (a declaration) reaches the derived outputs."""

from __future__ import annotations

import ast
import csv
import io
import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from conftest import Invoke, parsed
from policytrack.exchange.publish import datapackage
from policytrack.records.analyst import ANALYST
from policytrack.records.columns import restore_neutralised
from policytrack.records.field import Field, Kind
from policytrack.records.forecast import FORECAST
from policytrack.records.framework import FRAMEWORK_VERSION
from policytrack.records.kinds import KINDS, field_names
from policytrack.records.models import Framework, Source
from policytrack.records.signing import HELD_FILE, PINNED_SIGNERS
from policytrack.records.source import SOURCE
from policytrack.records.target import TARGET
from policytrack.render.formats import write_records

SRC = Path(__file__).resolve().parents[1] / "src" / "policytrack"
# Where a list of field names may stay, and why.
EXEMPT = {
    "cli/__init__.py": "COMMANDS is keyed by command names (target, forecasts, source...), not fields",
    "store/migrations.py": "a shipped migration never changes: it must not follow today's declaration",
    "domain/frameworks/": "the keys of a framework file (its own format), not fields of a stored record",
    "core/config.py": "the settings file's keys (analyst, display_name...), not fields of a stored record",
}


def _literal(node: ast.expr | None) -> bool:
    try:
        ast.literal_eval(node)  # type: ignore[arg-type]
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return False
    return True


def hand_lists(tree: ast.AST, names: frozenset[str]) -> list[tuple[int, list[str]]]:
    """Each list, tuple or set of three or more field-name strings, and each dict of constants keyed by
    three or more field names (descriptions, types: a restated declaration). A dict that builds a record,
    its fields from expressions, is not a list of names."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            elts: list[ast.expr | None] = list(node.elts)
        elif isinstance(node, ast.Dict):
            if not all(_literal(v) for v in node.values):
                continue
            elts = list(node.keys)
        else:
            continue
        hits = [e.value for e in elts if isinstance(e, ast.Constant) and e.value in names]
        if len(hits) >= 3:
            found.append((node.lineno, hits))
    return found


def test_no_hand_written_list_of_field_names_outside_records() -> None:
    names = field_names()
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("records/") or any(rel.startswith(e) for e in EXEMPT):
            continue
        for line, hits in hand_lists(parsed(path.read_text(encoding="utf-8")), names):
            offenders.append(f"{rel}:{line}: {hits}")
    assert offenders == [], "derive these from records/:\n" + "\n".join(offenders)


def test_the_check_has_teeth() -> None:
    tree = ast.parse('A = ("summary", "note", "source")\nB = {"summary": "x", "note": "y", "tags": "z"}')
    assert [line for line, _ in hand_lists(tree, field_names())] == [1, 2]
    builder = ast.parse('r = {"summary": e.summary, "note": e.note, "source": e.source}')
    assert hand_lists(builder, field_names()) == []


def test_every_field_is_described_and_every_kind_registered() -> None:
    for kind in KINDS.values():
        assert kind.description.endswith(".")
        for f in kind:
            assert f.description.endswith((".", ")")), (kind.name, f.name)
            assert f.since.startswith("m0"), (kind.name, f.name)


@pytest.mark.parametrize(
    ("kind", "table"),
    [
        (SOURCE, "sources"),
        (FORECAST, "forecasts"),
        (TARGET, "targets"),
        (FRAMEWORK_VERSION, "framework_versions"),
        (ANALYST, "analysts"),
        (PINNED_SIGNERS, "sync_signers"),
        (HELD_FILE, "sync_held"),
    ],
)
def test_stored_fields_are_the_tables_columns(cli: Invoke, db_path: Path, kind: Kind, table: str) -> None:
    assert cli("indicators").exit_code == 0  # creates the database
    conn = sqlite3.connect(db_path)
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    conn.close()
    assert set(kind.stored()) <= columns
    # every column but the row id and the links named otherwise is declared
    assert columns - {f.name for f in kind} <= {"framework_id"}


HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "\tlead", "-2+3")


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _assert_neutralised(cell: str, original: str) -> None:
    assert cell == "'" + original and restore_neutralised(cell) == original


@pytest.mark.parametrize("text", [t for t in HOSTILE if not t[0].isspace()])  # source add trims spaces
def test_source_export_neutralises_free_text_and_import_restores_it(
    cli: Invoke, tmp_path: Path, text: str
) -> None:
    assert cli("source", "add", "hostile", "--name", text, "--origin", text).exit_code == 0
    out = tmp_path / "sources.csv"
    assert cli("source", "export", "-o", str(out)).exit_code == 0
    (row,) = _csv_rows(out.read_text(encoding="utf-8"))
    _assert_neutralised(row["name"], text)
    _assert_neutralised(row["origin"], text)
    assert row["key"] == "hostile"
    # the exact text comes back through `source import` into another database
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "source", "import", str(out)).exit_code == 0
    listed = json.loads(cli("--db", str(other), "source", "list", "--json").stdout)["sources"]
    assert [(s["name"], s["origin"]) for s in listed] == [(text, text)]


def test_record_commands_neutralise_the_free_text_of_their_kind(
    cli: Invoke, log: Callable[..., int], tmp_path: Path
) -> None:
    text = HOSTILE[0]
    for text in HOSTILE:
        assert cli("target", "regional", "substantial", "--by", "2030", "--note", text).exit_code == 0
        targets = _csv_rows(cli("targets", "--csv").stdout)
        _assert_neutralised(next(r for r in targets if r["indicator"] == "regional")["note"], text)
    assert (
        cli(
            "forecast", "regional", "substantial", "--by", "2030", "--likelihood", "60", "--note", text
        ).exit_code
        == 0
    )
    forecasts = _csv_rows(cli("forecasts", "--csv").stdout)
    _assert_neutralised(forecasts[0]["note"], text)


HOSTILE_TITLE = '=HYPERLINK("http://x","click")'
FRAMEWORK = f"""
[framework]
name = "formulae"
title = "Formulae"
default_status = "none"

[framework.source]
title = "A paper"

[[scale]]
name = "none"
label = "None"
percent = 0

[[scale]]
name = "done"
label = "Done"
percent = 100

[[indicators]]
key = "first"
number = 1
title = '{HOSTILE_TITLE}'
description = "@SUM(A1)"
"""


def test_indicators_and_publish_neutralise_indicator_text(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    assert cli("framework", "add", str(path)).exit_code == 0
    (row,) = _csv_rows(cli("indicators", "--framework", "formulae", "--csv").stdout)
    _assert_neutralised(row["title"], HOSTILE_TITLE)
    bundle = tmp_path / "bundle"
    result = cli("publish", str(bundle), "--framework", "formulae", "--as-of", "2024-12-31")
    assert result.exit_code == 0, result.stderr
    (published,) = _csv_rows((bundle / "indicators.csv").read_text(encoding="utf-8"))
    _assert_neutralised(published["title"], HOSTILE_TITLE)
    _assert_neutralised(published["description"], "@SUM(A1)")
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(bundle / "report-formulae.xlsx")
    titles = [r[3] for r in book["report"].iter_rows(min_row=2, values_only=True)]
    assert titles == [HOSTILE_TITLE]  # a workbook holds text as text: exactly what was written


def test_a_new_field_is_one_declaration_that_every_output_follows() -> None:
    """The recipe 'A field on a record' (ARCHITECTURE.md): declare the field; the CSV header, the formula
    rule, the xlsx columns sheet and the data package's Table Schema follow."""
    base = KINDS["listed indicator"]
    extra = Field("verdict", "text", "What a reviewer made of it.", free_text=True, since="m009_reviews")
    kind = Kind("test indicator", base.description, (*base.fields, extra))
    record = dict.fromkeys(base.names(), 1) | {"verdict": "=1+1"}
    out = io.StringIO()
    write_records("csv", out, kind, [record])
    (row,) = _csv_rows(out.getvalue())
    assert list(row) == [*base.names(), "verdict"] and row["verdict"] == "'=1+1"
    schema = {f["name"]: f for f in kind.table_schema()["fields"]}
    assert schema["verdict"]["description"] == "What a reviewer made of it."
    package = datapackage([_framework()], date(2024, 12, 31), {"x.csv": kind})
    described = package["resources"][-1]["schema"]["fields"]
    assert described[-1] == {
        "name": "verdict",
        "type": "string",
        "description": "What a reviewer made of it.",
    }
    pytest.importorskip("xlsxwriter")
    from policytrack.render.xlsx import Sheet, write_workbook

    openpyxl = pytest.importorskip("openpyxl")
    data = io.BytesIO()
    write_workbook(data, [Sheet("t", kind, [record])])
    book = openpyxl.load_workbook(io.BytesIO(data.getvalue()))
    meanings = {r[1]: r[3] for r in book["columns"].iter_rows(min_row=2, values_only=True) if r[0] == "t"}
    assert meanings["verdict"] == "What a reviewer made of it."
    assert book["t"]["J2"].value == "=1+1"  # text in a workbook, never a formula


def _framework() -> Framework:
    return Framework("t", "T", "", Source("A paper"), (), (), "none")


def test_history_and_undo_show_a_change_of_registered_source(cli: Invoke, log: Callable[..., int]) -> None:
    for key in ("rfi", "reuters"):
        assert cli("source", "add", key, "--name", key.upper(), "--type", "media").exit_code == 0
    entry = log("regional", "Announced", "--date", "2024-07-06", "--source", "rfi")
    assert cli("edit", str(entry), "--source", "reuters").exit_code == 0
    history = cli("history", str(entry)).stdout
    assert "source_key: rfi -> reuters" in history
    plan = cli("undo", "--dry-run").stdout
    assert "source_key" in plan and "reuters" in plan and "rfi" in plan
