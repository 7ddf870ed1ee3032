"""`report --explain`: on a terminal, each row's newest page of entries and how many there are (as `list`
decides a terminal); piped or with -o, every entry, streamed as plain text or markdown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke, Log

AS_OF = "2026-11-01"
PAGE = 22  # LINES=30 less 8: about a screen, as `list` shows


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import policytrack.cli.common as common

    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    monkeypatch.setenv("LINES", "30")
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.delenv("PAGER", raising=False)


@pytest.fixture
def many(log: Log) -> list[str]:
    """30 entries of regional (the first oldest), one of diversify; their summaries, oldest first."""
    summaries = [f"Regional step number {i:02d}" for i in range(30)]
    for day, summary in enumerate(summaries, start=1):
        log("regional", summary, "--date", f"2024-01-{day:02d}", "--effect", "1")
    log("diversify", "A diversify step", "--date", "2024-02-01")
    return summaries


def shown(out: str) -> list[str]:
    return re.findall(r"Regional step number \d\d", out)


def test_terminal_shows_each_rows_newest_page_and_its_count(
    cli: Invoke, many: list[str], terminal: None
) -> None:
    result = cli("report", "--as-of", AS_OF, "--explain")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Evidence behind regional (30 entries in the window)" in out
    assert shown(out) == many[-PAGE:]  # the newest page, oldest first
    assert f"Showing the newest {PAGE} of 30 entries" in " ".join(out.split())
    assert "Evidence behind diversify (1 entry in the window)" in out and "A diversify step" in out
    assert out.count("Showing the newest") == 1  # diversify's one entry is shown whole, with no footer


def test_piped_and_written_stream_every_entry_as_plain_text(
    cli: Invoke, many: list[str], tmp_path: Path
) -> None:
    result = cli("report", "--as-of", AS_OF, "--explain")
    assert result.exit_code == 0, result.stderr
    assert shown(result.stdout) == many  # every one, in the one order
    assert "Showing the newest" not in result.stdout
    # a line per entry, with its date, indicator and effect: no table drawn around it
    lines = [line for line in result.stdout.splitlines() if "Regional step number" in line]
    assert all(re.search(r"2024-01-\d\d +regional +\+1 ", line) for line in lines), lines[:2]
    path = tmp_path / "report.txt"
    written = cli("report", "--as-of", AS_OF, "--explain", "-o", str(path))
    assert written.exit_code == 0, written.stderr
    text = path.read_text(encoding="utf-8")
    assert shown(text) == many
    assert text.split("Evidence behind", 1)[1] == result.stdout.split("Evidence behind", 1)[1]


def test_markdown_streams_every_entry_to_stdout_and_a_file(
    cli: Invoke, many: list[str], tmp_path: Path
) -> None:
    result = cli("report", "--as-of", AS_OF, "--explain", "-f", "markdown")
    assert result.exit_code == 0, result.stderr
    assert shown(result.stdout) == many
    assert "### Evidence behind regional (30 entries in the window)" in result.stdout
    assert "### Evidence behind civilian-led (0 entries in the window)\n\nNo entries in the window.\n" in (
        result.stdout
    )
    path = tmp_path / "report.md"
    assert cli("report", "--as-of", AS_OF, "--explain", "-f", "markdown", "-o", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8") == result.stdout


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(since=st.integers(min_value=1, max_value=31))
def test_the_count_and_the_rows_agree_with_list_in_any_window(
    cli: Invoke, many: list[str], terminal: None, since: int
) -> None:
    window = ["--as-of", AS_OF, "--since", f"2024-01-{min(since, 30):02d}" if since <= 30 else "2024-02-01"]
    expected = many[since - 1 :]
    piped = cli("report", *window, "--explain", "-i", "regional", "-f", "markdown")
    assert piped.exit_code == 0, piped.stderr
    assert shown(piped.stdout) == expected
    paged = cli("report", *window, "--explain", "-i", "regional")
    assert paged.exit_code == 0, paged.stderr
    entries = "entry" if len(expected) == 1 else "entries"
    assert f"Evidence behind regional ({len(expected)} {entries} in the window)" in paged.stdout
    assert shown(paged.stdout) == expected[-PAGE:]
