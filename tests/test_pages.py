"""Tables for people draw only what is seen: a terminal page is read and laid out from the page's rows
(the count from an index), `source show` pages too, and a piped table is plain text, a line per entry,
streamed; the queries behind a page read the indexes made for them (the plans are asserted, never a time)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import Invoke, Log
from test_listing import fill, listed_ids, terminal  # noqa: F401  (terminal is a fixture)


def test_a_piped_list_is_a_plain_table_a_line_per_entry(cli: Invoke, log: Log) -> None:
    log("regional", "Two lines\nin one summary, and a\ttab", "--date", "2024-07-06", "-t", "treaty")
    log("diversify", "Example Agency reports", "--date", "2023", "-s", "https://example.org/report")
    result = cli("list")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    title, blank, header, rule, *rows = lines
    assert title.endswith(": 2 entries") and blank == ""
    assert header.split() == ["ID", "Ref", "Date", "Indicator", "Eff", "Grd", "Tags", "Summary", "Source"]
    assert set(rule) == {"-", " "}
    assert len(rows) == 2  # each entry on one line: the newline and tab are written as escapes
    assert "Two lines\\nin one summary, and a\\ttab" in rows[1]
    # every column starts where its header does: the fixed columns are padded alike on every line
    start = header.index("Indicator")
    assert rows[0][start:].startswith("diversify") and rows[1][start:].startswith("regional")
    assert rows[0].rstrip().endswith("https://example.org/report")
    assert not any(line != line.rstrip() for line in lines)
    assert "\x1b" not in result.stdout and "─" not in result.stdout  # no rich, no colour


def test_a_piped_timeline_is_a_plain_table_after_its_header(cli: Invoke, log: Log) -> None:
    log("regional", "Commitment made", "--date", "2024-07", "--status", "commitment", "-e", "1")
    log("regional", "Followed up", "--date", "2024-08-02", "-e", "2")
    lines = cli("timeline", "regional").stdout.splitlines()
    assert lines[0].endswith("[regional]") and lines[1].startswith("2 entries; status at the start")
    header = lines[3]
    assert header.split()[:5] == ["Date", "ID", "Ref", "Eff", "Cum."]
    first, second = lines[5:]
    assert "no-action -> commitment" in first and first.startswith("2024-07 ")
    change, summary = header.index("Status change"), header.index("Summary")
    assert first[summary:].startswith("Commitment made") and second[summary:].startswith("Followed up")
    assert second[change:summary].strip() == ""
    assert "+3" in second.split()


@pytest.mark.usefixtures("terminal")
def test_a_terminal_page_is_as_wide_as_its_own_rows(cli: Invoke, log: Log) -> None:
    # an old entry with a long indicator key and a status, beyond the page: the page makes no room for it
    log("diversify", "Example Agency reports", "--date", "2015", "--status", "commitment")
    for n in range(25):
        log("regional", f"Example Ministry announces review {n}", "--date", f"2024-07-{n + 1:02d}")
    out = cli("list").stdout
    assert "26 entries" in out and "Showing the newest 22 of 26 entries" in out
    header = next(line for line in out.splitlines() if "Summary" in line)
    assert "Status" not in header  # no entry of the page has a status
    assert "diversify" not in out
    assert "Status" in next(line for line in cli("list", "--all").stdout.splitlines() if "Summary" in line)


@pytest.mark.usefixtures("terminal")
def test_source_show_on_a_terminal_shows_the_newest_page_and_the_count(cli: Invoke, log: Log) -> None:
    assert cli("source", "add", "wire", "--name", "Example Wire", "--type", "media").exit_code == 0
    for n in range(30):
        log("regional", f"Example Wire reports {n}", "--date", f"2024-06-{n + 1:02d}", "-s", "wire")
    out = cli("source", "show", "wire").stdout
    assert "30 entries" in out
    assert "Showing the newest 14 of 30 entries: `policytrack list --all-frameworks --source wire`" in out
    assert "reports 29" in out and "reports 0 " not in out
    assert len(cli("source", "show", "wire", "--json").stdout) > 0


def _plan(store: object, run: object) -> list[str]:
    """The plan of every query over entries that `run` sends, top level only."""
    seen: list[str] = []
    conn = store.conn  # type: ignore[attr-defined]
    conn.set_trace_callback(seen.append)
    run()  # type: ignore[operator]
    conn.set_trace_callback(None)
    return [
        " | ".join(r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN {q}"))
        for q in seen
        if "FROM entries" in q and q.lstrip().upper().startswith("SELECT")
    ]


def test_page_queries_read_their_indexes_and_the_report_keeps_its_own(tmp_path: Path) -> None:
    from policytrack.domain.reports import build_report
    from policytrack.domain.status import timeline
    from policytrack.domain.workspace import get_framework, open_store

    store = open_store(tmp_path / "t.db")
    fw = get_framework(store, None)
    # the timeline's pass reads one indicator's rows through entries_timeline, in order, unsorted
    (first, *_) = _plan(store, lambda: timeline(store, fw, "regional", keep=20))
    assert "entries_timeline" in first and "TEMP B-TREE" not in first, first
    # source show: the entries citing one source, through its two indexes, not a scan of every entry
    citing = ["(e.source_id = ? OR e.via_id = ?)", "e.deleted_at IS NULL"]
    plans = _plan(store, lambda: list(store.query_entries(citing, [1, 1], 20)))
    assert any("entries_source" in p and "entries_via" in p for p in plans), plans
    # a page of the whole framework: entries_order, newest first, no sort of every row
    (page,) = _plan(store, lambda: list(store.query_entries(["f.name = ?"], [fw.name], 20)))
    assert "entries_order" in page, page
    # the report never takes the timeline's index in place of its covering ones
    for plan in _plan(store, lambda: build_report(store, fw, as_of=date(2026, 11, 1))):
        assert "entries_timeline" not in plan, plan


@pytest.mark.parametrize("args", [["list"], ["timeline", "regional"]])
def test_an_empty_pipe_says_so_or_shows_the_header(cli: Invoke, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 0
    if args == ["list"]:
        assert result.stdout == "" and "No entries match." in result.stderr
    else:
        assert "0 entries" in result.stdout and "Summary" not in result.stdout


def test_piped_list_of_many_keeps_every_row_in_order(cli: Invoke, db_path: Path) -> None:
    fill(db_path, 120)
    assert listed_ids(cli("list").stdout) == list(range(1, 121))


def test_a_piped_list_speaks_the_chosen_language(cli: Invoke, log: Log) -> None:
    log("regional", "Example Ministry announces a review", "--date", "2024-07-06")
    lines = cli("--lang", "fr", "list").stdout.splitlines()
    assert "entrée" in lines[0] and "Résumé" in lines[2].split() and "6 juillet 2024" in lines[4]
