"""Reports on a hand-built dataset; every expected figure below was worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from conftest import Invoke, slow_but

AS_OF = "2024-12-31"
SNAPSHOT = Path(__file__).parent / "snapshots" / "report.md"


def report_json(cli: Invoke, *args: str) -> dict[str, dict[str, object]]:
    result = cli("report", "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {row["key"]: row for row in json.loads(result.stdout)}


def test_hand_computed_figures(cli: Invoke, dataset: None) -> None:
    rows = report_json(cli)
    d, r = rows["diversify"], rows["regional"]
    assert (d["entries"], d["advancing"], d["hindering"], d["context"]) == (3, 0, 2, 1)
    assert (d["momentum"], d["weighted_momentum"], d["sources"]) == (-2, -2.0, 2)
    assert (d["last_evidence"], d["days_since_evidence"], d["stale"]) == ("2023-06-30", 550, True)
    assert (d["status"], d["status_date"]) == ("no-action", None)
    assert (d["target"], d["track"]) == ("commitment", "overdue")

    # regional: -2*1.0 (A1) + 1*0.8*0.8 (B2) + 2*0.2*0.2 (E5); the deleted and later entries are out
    assert (r["entries"], r["advancing"], r["hindering"], r["context"]) == (3, 2, 1, 0)
    assert (r["momentum"], r["weighted_momentum"], r["sources"]) == (1, -1.28, 3)
    assert (r["status"], r["status_percent"], r["status_date"]) == ("in-progress", 50, "2024-09")
    assert (r["last_evidence"], r["days_since_evidence"], r["stale"]) == ("2024-09", 121, False)
    # straight line from 0% on 2024-01-01 to 75% on 2025-12-31: 365 of 730 days -> 37.5%; 50% >= 37.5%
    assert (r["target"], r["target_due"], r["expected_percent"], r["track"]) == (
        "substantial",
        "2025-12",
        37.5,
        "on track",
    )

    assert rows["guidelines"]["track"] == "met"
    assert rows["civil-society"]["track"] == "no target"
    assert rows["civil-society"]["stale"] is True and rows["civil-society"]["last_evidence"] is None


def test_window_and_later_as_of(cli: Invoke, dataset: None) -> None:
    rows = report_json(cli, "--since", "2024-07-01")
    assert (rows["regional"]["entries"], rows["regional"]["momentum"]) == (2, 3)
    assert rows["regional"]["weighted_momentum"] == 0.72
    assert rows["diversify"]["entries"] == 0
    assert rows["regional"]["since"] == "2024-07-01" and rows["regional"]["until"] == AS_OF
    later = cli("report", "--as-of", "2025-06-30", "--format", "json")
    regional = next(r for r in json.loads(later.stdout) if r["key"] == "regional")
    assert (regional["status"], regional["track"]) == ("implemented", "met")


def test_indicator_filter_and_csv(cli: Invoke, dataset: None) -> None:
    result = cli("report", "--as-of", AS_OF, "--format", "csv", "-i", "regional")
    assert result.exit_code == 0
    raw = result.stdout_bytes.decode()
    assert raw.endswith("\r\n")
    (row,) = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert row["key"] == "regional" and row["weighted_momentum"] == "-1.28"
    assert row["stale"] == "false" and row["as_of"] == AS_OF


def test_fresh_database_shows_the_baseline(cli: Invoke) -> None:
    result = cli("report")
    assert result.exit_code == 0, result.stderr
    for title in ("Align China's", "Diversify security", "Transparent", "Involve civil", "Regional"):
        assert title in result.stdout
    assert result.stdout.count("baseline") == 5
    assert "The Conversation" in result.stdout


def test_table_rendering(cli: Invoke, dataset: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # the wide layout fits whole
    out = cli("report", "--as-of", AS_OF).stdout
    assert "as of 2024-12-31".lower() in out.lower()
    assert "█████░░░░░  50%" in out
    assert "Overdue targets: diversify" in out
    assert "Stale (no evidence for over 180 days): civilian-led, diversify" in out
    explained = cli("report", "--as-of", AS_OF, "--explain", "-i", "regional").stdout
    assert "Evidence behind regional (3 entries in the window)" in explained
    assert "deleted later" not in explained and "after the as-of" not in explained


def test_markdown_snapshot(cli: Invoke, dataset: None) -> None:
    result = cli("report", "--as-of", AS_OF, "--format", "markdown")
    assert result.exit_code == 0
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":  # regenerate, then review the diff by eye
        SNAPSHOT.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == SNAPSHOT.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", slow_but(["table", "markdown", "csv", "json", "html", "svg"]))
def test_reproducible_to_the_byte(cli: Invoke, dataset: None, tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    for path in (first, second):
        result = cli("report", "--as-of", AS_OF, "--format", fmt, "-o", str(path))
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size > 500
    assert not list(tmp_path.glob(".*.tmp"))


def test_bad_report_input(cli: Invoke, dataset: None, tmp_path: Path) -> None:
    for args, message in [
        (["-i", "nope"], "unknown indicator"),
        (["--since", "2024-06-01", "--until", "2024-01-01"], "is after"),
        (["--stale-days", "0"], "--stale-days"),
        (["-o", str(tmp_path / "missing" / "r.md")], "cannot write -o"),
    ]:
        result = cli("report", "--as-of", AS_OF, *args)
        assert result.exit_code == 1, args
        assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert cli("report", "--format", "pdf").exit_code == 2
    assert not (tmp_path / "missing").exists()


def test_target_history_is_kept(cli: Invoke, dataset: None) -> None:
    assert cli("target", "regional", "implemented", "--by", "2026", "--from", "2024-01-01").exit_code == 0
    assert report_json(cli)["regional"]["target"] == "implemented"
    history = cli("targets", "--history").stdout
    assert "substantial" in history and "implemented" in history
    bad = cli("target", "regional", "finished", "--by", "2026")
    assert bad.exit_code == 1 and "unknown status level" in bad.stderr


def test_narrow_terminal_gets_the_compact_layout(
    cli: Invoke, dataset: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("report", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    words = [" ".join(line.split()) for line in lines]  # each line, its cells one space apart
    assert "# Key Status Progress Target +/-/0 Mom. Last ev." in words  # no title, weighted or sources
    # every indicator's first line: number, key, status, 5-cell bar, target, +/-/0, momentum, last evidence
    for row in (
        "1 civilian-led no-action ░░░░░ 0% no target 0/0/0 0 never",
        "2 diversify no-action ░░░░░ 0% commitment 0/2/1 -2 2023-06-30",
        "3 guidelines no-action ░░░░░ 0% no-action 0/0/0 0 never",
        "4 civil-society no-action ░░░░░ 0% no target 0/0/0 0 never",
        "5 regional in-progress ███░░ 50% substantial 2/1/0 +1 2024-09",
    ):
        assert row in words, row
    # their second and third lines: the status date or baseline, the due date, the track
    assert "2024-09 by 2025-12" in words and "on track" in words and "overdue" in words
    assert "baseline by 2024-06 stale" in words and "met" in words
    assert "███░░  50%" in out and "░░░░░░░░░░" not in out  # 5-cell bars
    text = " ".join(out.split())
    assert "Overdue targets: diversify" in text
    assert "Stale (no evidence for over 180 days): civilian-led, diversify, guidelines, civil-society" in text
    assert text.endswith(
        "Narrow terminal: titles, weighted momentum and sources are left out; a wider terminal, "
        "--format markdown or csv shows them."
    )
    assert "Regional economic" not in out
    monkeypatch.setenv("COLUMNS", "140")
    wide = cli("report", "--as-of", AS_OF).stdout
    assert "Narrow terminal" not in wide and "Regional economic" in wide
