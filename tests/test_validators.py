"""One validator per kind of record: a value one path refuses, every path refuses, with the same message
naming the field and the fix, exit 1, and nothing written (issue 20, "Bad input").

Each bad value goes through every way in of its kind: `log`, `edit` and `import` (CSV and JSON lines) for
an entry; `source add`, `source edit` and `source import` for a source; `forecast` and `import --forecasts`
for a forecast; `target` and the validator sync calls for a target.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from conftest import Invoke, SeededDb
from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError
from policytrack.core.storable import MAX_CELL_TEXT

TOO_LONG = "\N{GRINNING FACE}" * ((MAX_CELL_TEXT + 1) // 2)  # 32,768 UTF-16 units: one over a cell
LONG_MESSAGE = "is 32,768 characters long as a spreadsheet counts them (UTF-16 units), over the 32,767"


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def message(result: Result) -> str:
    """The one message of a refusal: exit 1, one line (import: one line per bad record, then a total)."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    if lines[0].startswith("  line "):  # import: "  line N: MESSAGE", then the count
        assert len(lines) == 2, lines
        return lines[0].split(": ", 1)[1]
    assert len(lines) == 1, lines
    text = lines[0].removeprefix("policytrack: error: ")
    return (
        text.split(" of the file: ", 1)[1].removesuffix("; nothing was imported")
        if "the file:" in text
        else text
    )


@pytest.fixture
def seeded(cli: Invoke, log: Callable[..., int], db_path: Path, seeded_db: SeededDb) -> Path:
    def build() -> None:
        log("regional", "A seed entry", "--date", "2024-07-06")
        assert cli("source", "add", "wire", "--name", "Wire").exit_code == 0

    seeded_db("test_validators.seeded", build)
    return db_path


def write(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


# An entry field, a bad value for `log`/`edit` options, the same in a JSON-lines record, and what the
# message must say (the field and the fix).
ENTRY_CASES = [
    ("tag", "a;b", {"tags": ["a;b"]}, "tags item 'a;b' contains ';'"),
    ("tag", "a\x07b", {"tags": ["a\x07b"]}, "holds the control character U+0007: remove it"),
    ("actor", "a\nb", {"actors": ["a\nb"]}, "actors item 'a\\nb' runs over several lines"),
    ("actor", "a\x1b[2J", {"actors": ["a\x1b[2J"]}, "holds the control character U+001B"),
    ("effect", "3", {"effect": 3}, "invalid effect 3: use a whole number from -2 to 2"),
    ("effect", "-5", {"effect": "-5"}, "invalid effect -5"),
    ("date", "2024-13-45", {"date": "2024-13-45"}, "date: invalid date '2024-13-45'"),
    ("grade", "G7", {"grade": "G7"}, "invalid grade 'G7'"),
    ("status", "done", {"status": "done"}, "unknown status level 'done'"),
    ("summary", TOO_LONG, {"summary": TOO_LONG}, "summary " + LONG_MESSAGE),
    ("note", TOO_LONG, {"note": TOO_LONG}, "note " + LONG_MESSAGE),
    ("source", TOO_LONG, {"source": TOO_LONG}, "source " + LONG_MESSAGE),
    ("via", "nowhere", {"via": "nowhere"}, "unknown via source 'nowhere'"),
]


@pytest.mark.parametrize(("option", "value", "record", "says"), ENTRY_CASES, ids=lambda v: str(v)[:20])
def test_an_entry_refused_by_one_path_is_refused_by_every_path(
    cli: Invoke, seeded: Path, tmp_path: Path, option: str, value: str, record: dict[str, Any], says: str
) -> None:
    before = dump(seeded)
    row = {"indicator": "regional", "date": "2024-07-07", "summary": "New", **record}
    options = [value, "--date", "2024-07-07"] if option == "summary" else ["New", f"--{option}", value]
    if option != "summary" and option != "date":
        options += ["--date", "2024-07-07"]
    edit = ["--summary", value] if option == "summary" else [f"--{option}", value]
    messages = {
        "log": message(cli("log", "regional", *options)),
        "edit": message(cli("edit", "1", *edit)),
        "import jsonl": message(cli("import", write(tmp_path / "r.jsonl", [row]))),
    }
    if not isinstance(next(iter(record.values())), list):  # a CSV cell is text; its ';' splits a list
        header = ",".join(row)
        cells = ",".join('"' + str(v).replace('"', '""') + '"' for v in row.values())
        (tmp_path / "r.csv").write_text(f"{header}\n{cells}\n", encoding="utf-8")
        messages["import csv"] = message(cli("import", str(tmp_path / "r.csv")))
    assert len(set(messages.values())) == 1, messages
    assert says in messages["log"], messages["log"]
    assert dump(seeded) == before


SOURCE_CASES = [
    ("key", "a b", "invalid key 'a b': use 1-40 lower-case letters"),
    ("key", "a\x07", "invalid key 'a\\x07'"),
    ("name", TOO_LONG, "name " + LONG_MESSAGE),
    ("name", " ", "empty name"),
    ("type", "blog", "invalid type 'blog': use one of official"),
    ("reliability", "G", "invalid reliability 'G': use a letter A-F"),
    ("url", "ftp://wire.example", "invalid url 'ftp://wire.example': give an http(s) address"),
    ("origin", TOO_LONG, "origin " + LONG_MESSAGE),
    ("note", TOO_LONG, "note " + LONG_MESSAGE),
]


@pytest.mark.parametrize(("field", "value", "says"), SOURCE_CASES, ids=lambda v: str(v)[:20])
def test_a_source_refused_by_one_path_is_refused_by_every_path(
    cli: Invoke, seeded: Path, tmp_path: Path, field: str, value: str, says: str
) -> None:
    before = dump(seeded)
    record = {"uuid": "0b7e9a4c-5d2f-4c1e-9a3b-6f8d2e1c4b5a", "key": "new", "name": "New", field: value}
    if field == "key":
        add = ["source", "add", value, "--name", "New"]
    else:
        add = ["source", "add", "new", "--name", "New", f"--{field}", value]
    messages = {
        "source add": message(cli(*add)),
        "source import": message(cli("source", "import", write(tmp_path / "s.jsonl", [record]))),
    }
    if field != "key":
        messages["source edit"] = message(cli("source", "edit", "wire", f"--{field}", value))
    assert len(set(messages.values())) == 1, messages
    assert says in messages["source add"], messages
    assert dump(seeded) == before


FORECAST_CASES = [
    ({"likelihood": "0"}, ["-l", "0"], "invalid likelihood '0': give a percentage from 1 to 99"),
    ({"likelihood": "sure"}, ["-l", "sure"], "invalid likelihood 'sure'"),
    ({"confidence": "certain"}, ["-c", "certain"], "invalid confidence 'certain': use one of low"),
    ({"due": "2099-13-45"}, ["--by", "2099-13-45"], "due: invalid date '2099-13-45'"),
    ({"level": "sideways"}, ["--level-is", "sideways"], "unknown status level 'sideways'"),
    ({"note": TOO_LONG}, ["--note", TOO_LONG], "note " + LONG_MESSAGE),
    ({"indicator": "nope"}, ["--indicator-is", "nope"], "unknown indicator 'nope'"),
]


@pytest.mark.parametrize(("record", "options", "says"), FORECAST_CASES, ids=lambda v: str(v)[:20])
def test_a_forecast_refused_by_one_path_is_refused_by_every_path(
    cli: Invoke, seeded: Path, tmp_path: Path, record: dict[str, Any], options: list[str], says: str
) -> None:
    before = dump(seeded)
    fields = {"indicator": "regional", "level": "commitment", "due": "2099", "likelihood": "60", **record}
    args = {"--indicator-is": fields["indicator"], "--level-is": fields["level"], "--by": fields["due"]}
    for flag, value in zip(options[::2], options[1::2], strict=True):
        args[flag] = value
    command = ["forecast", args.pop("--indicator-is"), args.pop("--level-is")]
    for flag, value in args.items():
        command += [flag, value]
    if "-l" not in args:
        command += ["-l", fields["likelihood"]]
    messages = {
        "forecast": message(cli(*command)),
        "import --forecasts": message(cli("import", write(tmp_path / "f.jsonl", [fields]), "--forecasts")),
    }
    assert len(set(messages.values())) == 1, messages
    assert says in messages["forecast"], messages
    assert dump(seeded) == before


def test_a_target_refused_by_target_is_refused_by_the_validator_sync_calls(cli: Invoke, seeded: Path) -> None:
    from policytrack.domain.targets import target_values
    from policytrack.domain.workspace import get_framework, open_store

    before = dump(seeded)
    said = message(cli("target", "regional", "substantial", "--by", "2099", "--note", TOO_LONG))
    assert said == "note " + LONG_MESSAGE + " a cell holds: shorten it"
    store = open_store(seeded)
    with pytest.raises(InputError) as refused:
        target_values(
            get_framework(store, None),
            "regional",
            "substantial",
            PartialDate.from_stored("2099"),
            date(2026, 1, 1),
            TOO_LONG,
            "tester",
        )
    assert str(refused.value) == said
    assert dump(seeded) == before


def test_source_merges_that_form_a_cycle_are_refused(cli: Invoke, seeded: Path, tmp_path: Path) -> None:
    before = dump(seeded)
    records = [
        {"uuid": "0b7e9a4c-5d2f-4c1e-9a3b-6f8d2e1c4b5a", "key": "a", "name": "A", "merged_into": "b"},
        {"uuid": "1b7e9a4c-5d2f-4c1e-9a3b-6f8d2e1c4b5a", "key": "b", "name": "B", "merged_into": "c"},
        {"uuid": "2b7e9a4c-5d2f-4c1e-9a3b-6f8d2e1c4b5a", "key": "c", "name": "C", "merged_into": "a"},
    ]
    result = cli("source", "import", write(tmp_path / "s.jsonl", records))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "merges form a cycle (a -> b -> c -> a)" in result.stderr
    assert result.stderr.rstrip().endswith("fix merged_into in the file; nothing was imported")
    assert dump(seeded) == before
    # nor with a merge already made here: wire was merged into `other`; the file merges other into wire
    assert cli("source", "add", "other", "--name", "Other").exit_code == 0
    assert cli("source", "merge", "wire", "other").exit_code == 0
    exported = json.loads(cli("source", "export", "--format", "json").stdout)
    for rec in exported:
        rec["merged_into"] = "wire" if rec["key"] == "other" else None
    middle = dump(seeded)
    result = cli("source", "import", write(tmp_path / "t.jsonl", exported))
    assert result.exit_code == 1 and "may not form a cycle" in result.stderr, result.stderr
    assert dump(seeded) == middle
