"""Several frameworks in one database: add, update without losing evidence, risks, the template."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Invoke
from policytrack.domain.frameworks.install import TEMPLATE
from policytrack.domain.frameworks.parse import PLACEHOLDERS, load_framework_file


def versions(db_path: Path, name: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return int(
            conn.execute(
                "SELECT count(*) FROM framework_versions v JOIN frameworks f ON f.id = v.framework_id"
                " WHERE f.name = ?",
                (name,),
            ).fetchone()[0]
        )
    finally:
        conn.close()


def filled_in(text: str) -> str:
    """A template with every placeholder replaced, as its user would."""
    for placeholder in PLACEHOLDERS:
        text = text.replace(f'"{placeholder}"', f'"{placeholder} (filled in)"')
    return text


@pytest.fixture
def demo(cli: Invoke, tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    result = cli("framework", "new", "demo", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    path.write_text(filled_in(path.read_text()))
    return path


def test_template_refuses_to_load_until_filled_in(cli: Invoke, tmp_path: Path) -> None:
    for placeholder in PLACEHOLDERS:  # the rule and the template agree
        assert f'"{placeholder}"' in TEMPLATE, placeholder
    path = tmp_path / "new.toml"
    assert cli("framework", "new", "new", "-o", str(path)).exit_code == 0
    result = cli("framework", "add", str(path))
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if '"Title of the paper' in text)
    assert result.stderr.startswith(
        f"policytrack: error: {path}:{line}: 'title' in [framework.source] is still"
    )
    assert result.stderr.strip().endswith("replace it with your own text")
    # each placeholder on its own is enough to refuse the file, lists included
    for placeholder in PLACEHOLDERS:
        text = filled_in(path.read_text()).replace(f'"{placeholder} (filled in)"', f'"{placeholder}"')
        path.write_text(text)
        refused = cli("framework", "add", str(path))
        assert refused.exit_code == 1 and placeholder in refused.stderr, placeholder
    assert "new" not in cli("framework", "list").stdout.split()


def test_template_round_trip(cli: Invoke, demo: Path) -> None:
    fw = load_framework_file(demo)
    assert fw.name == "demo" and [i.key for i in fw.indicators] == ["first"]
    result = cli("framework", "add", str(demo))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Added framework demo (version 1, 1 indicator)")
    stdout_template = cli("framework", "new", "other").stdout
    assert 'name = "other"' in stdout_template
    assert cli("framework", "new", "demo").exit_code == 1  # already in the database
    assert cli("framework", "new", "x", "-o", str(demo)).exit_code == 1  # file exists
    assert cli("framework", "new", "Bad Name").exit_code == 1


def test_builtin_risks_framework(cli: Invoke, cli_json: Callable[..., object]) -> None:
    listing = cli("framework", "list").stdout
    assert "mali-china-security (default)" in listing and "Also built in: mali-china-risks" in listing
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    shown = cli("framework", "show", "mali-china-risks").stdout
    assert "risk (a higher level is worse news)" in shown and "US$13 billion" in shown
    rows = cli_json("indicators", "--framework", "mali-china-risks", "--json")
    assert isinstance(rows, list)
    assert [r["key"] for r in rows] == [
        "unconditional",
        "supplier-influence",
        "militarised-response",
        "supply-dependence",
        "debt",
    ]
    assert {r["kind"] for r in rows} == {"risk"} and {r["status"] for r in rows} == {"latent"}


def test_adding_twice_needs_update(cli: Invoke, demo: Path, db_path: Path) -> None:
    assert cli("framework", "add", str(demo)).exit_code == 0
    result = cli("framework", "add", str(demo))
    assert result.exit_code == 1
    assert "already in this database; add --update" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    same = cli("framework", "add", str(demo), "--update")
    assert same.exit_code == 0 and "unchanged (version 1)" in same.stdout
    assert versions(db_path, "demo") == 1


def test_update_keeps_evidence(cli: Invoke, demo: Path, db_path: Path, log: Callable[..., int]) -> None:
    assert cli("framework", "add", str(demo)).exit_code == 0
    entry = log(
        "first", "synthetic test entry", "--framework", "demo", "--date", "2024", "--status", "in-progress"
    )
    text = demo.read_text()
    changed = text.replace(
        'title = "The first recommendation (filled in)"', 'title = "The first one, renamed"'
    )
    changed += '\n[[indicators]]\nkey = "second"\nnumber = 2\ntitle = "Second"\ndescription = "Another."\n'
    demo.write_text(changed)
    result = cli("framework", "add", str(demo), "--update")
    assert result.exit_code == 0, result.stderr
    assert "Updated framework demo (version 2, 2 indicators); added: second; changed: first" in result.stdout
    shown = json.loads(cli("show", str(entry), "--json").stdout)
    assert shown["indicator_title"] == "The first one, renamed" and shown["status"] == "in-progress"

    # removing an indicator that has evidence, or a level it uses, is refused and changes nothing
    demo.write_text(changed.replace('key = "first"', 'key = "renamed"'))
    refused = cli("framework", "add", str(demo), "--update")
    assert refused.exit_code == 1
    assert "cannot remove indicator first (1 entry)" in refused.stderr
    demo.write_text(
        changed.replace('name = "in-progress"', 'name = "halfway"').replace(
            'level = "in-progress"', 'level = "halfway"'
        )
    )
    refused = cli("framework", "add", str(demo), "--update")
    assert refused.exit_code == 1 and "cannot drop status level in-progress" in refused.stderr
    assert versions(db_path, "demo") == 2
    assert json.loads(cli("show", str(entry), "--json").stdout)["indicator"] == "first"

    # an indicator without evidence may go
    demo.write_text(text)
    result = cli("framework", "add", str(demo), "--update")
    assert result.exit_code == 0 and "removed: second" in result.stdout
    assert versions(db_path, "demo") == 3


def test_broken_file_is_refused_with_file_and_line(cli: Invoke, demo: Path, db_path: Path) -> None:
    demo.write_text(demo.read_text().replace('title = "The first recommendation (filled in)"', 'titel = "x"'))
    result = cli("framework", "add", str(demo))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"policytrack: error: {demo}:")
    assert "unknown key 'titel'" in result.stderr
    assert "demo" not in cli("framework", "list").stdout
    assert cli("framework", "add", str(demo.parent / "absent.toml")).exit_code == 1


def test_two_frameworks_in_one_database(
    cli: Invoke, demo: Path, log: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("framework", "add", str(demo)).exit_code == 0
    log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--effect", "1")
    log("first", "synthetic test entry", "--framework", "demo", "--date", "2024", "--effect", "-1")
    assert cli("log", "first", "x").exit_code == 1  # not a key of the default framework
    default = json.loads(cli("list", "--json").stdout)
    assert [r["summary"] for r in default] == ["AES treaty signed in Niamey"]
    monkeypatch.setenv("POLICYTRACK_FRAMEWORK", "demo")
    other = json.loads(cli("list", "--json").stdout)
    assert [(r["framework"], r["indicator"]) for r in other] == [("demo", "first")]
    report = json.loads(cli("report", "--as-of", "2024-12-31", "-f", "json").stdout)
    assert [(r["framework"], r["key"], r["momentum"]) for r in report] == [("demo", "first", -1)]
    assert "(default)" in cli("framework", "list").stdout.split("demo")[1][:20]


def test_risk_targets_are_ceilings(cli: Invoke, log: Callable[..., int]) -> None:
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    target = ("target", "debt", "emerging", "--by", "2030", "--from", "2024-01-01", "-F", "mali-china-risks")
    assert cli(*target).exit_code == 0

    def debt_row() -> dict[str, object]:
        out = cli("report", "-F", "mali-china-risks", "--as-of", "2025-01-01", "-f", "json", "-i", "debt")
        (row,) = json.loads(out.stdout)
        assert isinstance(row, dict)
        return row

    row = debt_row()
    assert (row["kind"], row["status"], row["track"]) == ("risk", "latent", "met")  # 0% is under 25%
    log(
        "debt",
        "synthetic test entry: new loan",
        "-F",
        "mali-china-risks",
        "--date",
        "2024-06",
        "--effect",
        "1",
        "--status",
        "evident",
    )
    row = debt_row()
    assert (row["status"], row["track"]) == ("evident", "off track")  # 50% is above the line
    table = cli("report", "-F", "mali-china-risks", "--as-of", "2025-01-01").stdout
    assert "(risk)" in table and "a target is a ceiling" in table
