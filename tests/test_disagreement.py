"""Disagreement: analysts' latest assessments in the window, their consensus (median level) and spread,
"contested" in every report format, `report --by-analyst`, and the import summary after a merge."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import Invoke, InvokeJson, Log, slow_but

AS_OF = "2024-12-31"


def assess(cli: Invoke, db: Path, key: str, status: str, when: str, analyst: str) -> int:
    result = cli(
        "--db",
        str(db),
        "log",
        key,
        f"{analyst} assesses {key}",
        "--date",
        when,
        "--status",
        status,
        "--analyst",
        analyst,
    )
    assert result.exit_code == 0, result.stderr
    return int(result.stdout.split()[2])


@pytest.fixture
def merged(cli: Invoke, tmp_path: Path) -> Path:
    """Two databases: ana's and cy's (a.db) and ben's (b.db) assess `regional` differently and agree on
    `diversify`; b.db, where nothing was contested, imports a.db."""
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assess(cli, a, "regional", "commitment", "2024-01-15", "ana")
    assess(cli, a, "regional", "in-progress", "2024-03-01", "ana")  # ana's latest: in-progress (rank 2)
    assess(cli, a, "diversify", "commitment", "2024-02-01", "ana")
    assess(cli, b, "regional", "no-action", "2024-04-01", "ben")  # rank 0
    assess(cli, a, "regional", "substantial", "2024-05", "cy")  # rank 3
    assess(cli, b, "diversify", "commitment", "2024-06-01", "ben")
    result = cli("--db", str(b), "import", str(a))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("4 added, 0 updated, 0 unchanged; now contested")
    assert "differ): regional (`policytrack report --by-analyst` shows them)" in result.stdout
    return b


def test_merge_shows_contested_with_median_and_spread(cli: Invoke, merged: Path) -> None:
    rows = {
        r["key"]: r for r in json.loads(cli("--db", str(merged), "report", "--json", "--as-of", AS_OF).stdout)
    }
    # ranks 2 (ana), 0 (ben), 3 (cy): median rank 2 = in-progress; spread 3 - 0 = 3 levels
    assert (rows["regional"]["analysts"], rows["regional"]["consensus"], rows["regional"]["spread"]) == (
        3,
        "in-progress",
        3,
    )
    assert rows["regional"]["contested"] is True
    assert (rows["diversify"]["consensus"], rows["diversify"]["spread"], rows["diversify"]["contested"]) == (
        "commitment",
        0,
        False,
    )
    assert (
        rows["guidelines"]["analysts"],
        rows["guidelines"]["consensus"],
        rows["guidelines"]["contested"],
    ) == (0, None, False)
    # the status itself is still the latest assessment (cy's, May 2024)
    assert rows["regional"]["status"] == "substantial"


@pytest.mark.parametrize("fmt", slow_but(["table", "markdown", "csv", "jsonl", "html", "svg"]))
def test_contested_in_every_format(cli: Invoke, merged: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"r.{fmt}"
    result = cli("--db", str(merged), "report", "--format", fmt, "--as-of", AS_OF, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    if fmt == "csv":
        rows = {r["key"]: r for r in csv.DictReader(io.StringIO(text))}
        assert (rows["regional"]["contested"], rows["regional"]["consensus"], rows["regional"]["spread"]) == (
            "true",
            "in-progress",
            "3",
        )
    elif fmt == "jsonl":
        rows = {r["key"]: r for r in map(json.loads, text.splitlines())}
        assert rows["regional"]["contested"] is True
    else:
        assert "contested" in text.lower()
        if fmt in ("table", "markdown"):
            flat = " ".join(text.split())  # the table wraps long lines
            said = "regional (consensus in-progress, spread 3 levels: ana in-progress, ben no-action, cy "
            assert said + "substantial)" in flat


def test_by_analyst(cli: Invoke, merged: Path) -> None:
    rows = json.loads(cli("--db", str(merged), "report", "--by-analyst", "--json", "--as-of", AS_OF).stdout)
    regional = [(r["analyst"], r["status"], r["date"]) for r in rows if r["key"] == "regional"]
    assert regional == [
        ("ana", "in-progress", "2024-03-01"),
        ("ben", "no-action", "2024-04-01"),
        ("cy", "substantial", "2024-05"),
    ]
    assert {r["contested"] for r in rows if r["key"] == "regional"} == {True}
    assert [r["analyst"] for r in rows if r["key"] == "guidelines"] == [None]
    table = cli("--db", str(merged), "report", "--by-analyst", "--as-of", AS_OF)
    assert table.exit_code == 0
    assert "(2024-03-01)" in table.stdout and "contested" in table.stdout
    md = cli("--db", str(merged), "report", "--by-analyst", "--format", "markdown", "--as-of", AS_OF).stdout
    row = "| 5 | regional | in-progress (2024-03-01) | no-action (2024-04-01) | substantial (2024-05) |"
    assert row + " in-progress | 3 | contested |" in md
    # a window that starts after ana's and ben's assessments leaves cy alone: not contested
    later = json.loads(
        cli(
            "--db", str(merged), "report", "--by-analyst", "--since", "2024-05-01", "--json", "--as-of", AS_OF
        ).stdout
    )
    assert [(r["analyst"], r["contested"]) for r in later if r["key"] == "regional"] == [("cy", False)]
    both = cli("--db", str(merged), "report", "--by-analyst", "--by", "month")
    assert both.exit_code == 2 and "cannot be used together" in both.stderr


def test_even_count_takes_the_lower_middle_and_deletions_count_out(
    cli: Invoke, cli_json: InvokeJson, log: Log
) -> None:
    log("regional", "x", "--date", "2024-01-01", "--status", "no-action", "--analyst", "ana")
    ben = log("regional", "y", "--date", "2024-02-01", "--status", "substantial", "--analyst", "ben")
    (row,) = [r for r in cli_json("report", "--json", "--as-of", AS_OF) if r["key"] == "regional"]
    assert (row["consensus"], row["spread"], row["contested"]) == ("no-action", 3, True)
    assert cli("delete", str(ben), "--force").exit_code == 0
    (row,) = [r for r in cli_json("report", "--json", "--as-of", AS_OF) if r["key"] == "regional"]
    assert (row["analysts"], row["consensus"], row["spread"], row["contested"]) == (1, "no-action", 0, False)


def test_dry_run_and_agreeing_imports_say_nothing_of_contest(cli: Invoke, tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assess(cli, a, "regional", "commitment", "2024-01-15", "ana")
    assess(cli, b, "regional", "commitment", "2024-02-15", "ben")
    agreed = cli("--db", str(b), "import", str(a))
    assert agreed.exit_code == 0 and "contested" not in agreed.stdout
    assess(cli, a, "diversify", "commitment", "2024-01-15", "ana")
    assess(cli, b, "diversify", "no-action", "2024-02-15", "ben")
    dry = cli("--db", str(b), "import", str(a), "--dry-run")
    assert dry.exit_code == 0 and "contested" not in dry.stdout
