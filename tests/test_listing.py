"""`list` and `timeline` for people and for programs: on a terminal the newest page with a count (or all of
them through $PAGER), tables that keep ids and dates whole at every width and name what they leave out;
piped and in every --json/--csv form, all rows, streamed, built by SQLite as Python would write them."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import sys
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke, Log
from policytrack.domain.entries import list_entries
from policytrack.domain.status import timeline
from policytrack.domain.workspace import get_framework, open_store
from policytrack.exchange.export import list_texts, timeline_texts
from policytrack.records.columns import EXPORT_FIELDS
from policytrack.records.models import EntryFilter
from policytrack.render.formats import cells, json_line, write_csv

WORDS = [
    "Example",
    "Ministry",
    "announces",
    "a",
    "review",
    "of",
    "assistance",
    "with",
    "partners",
    "and",
    "oversight",
    "by",
    "parliament",
]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard output is a terminal of 30 lines (the page is then 22 entries, the timeline's 20)."""
    import policytrack.cli.common as common
    import policytrack.cli.entries as entries

    for module in (common, entries):
        monkeypatch.setattr(module, "stdout_is_terminal", lambda: True)
    monkeypatch.setenv("LINES", "30")
    monkeypatch.delenv("PAGER", raising=False)


def listed_ids(table: str) -> list[int]:
    """The ids of a `list` table's rows, in order (each row starts with its id, reference and date)."""
    return [int(m.group(1)) for m in re.finditer(r"^ *(\d+) +@[0-9a-f]{8} +20\d\d-", table, re.M)]


def fill(db: Path, n: int) -> None:
    """n fictional entries on `regional`, dated a day apart from 2020-01-01, written directly (fast)."""
    from policytrack.core.dates import PartialDate

    with open_store(db) as store:
        get_framework(store)  # seeds the framework
    conn = sqlite3.connect(db)
    ind = conn.execute("SELECT id FROM indicators WHERE key = 'regional'").fetchone()[0]
    rows = []
    for i in range(n):
        day = PartialDate.from_stored((date(2020, 1, 1) + timedelta(days=i)).isoformat())
        summary = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(4 + i % 9)) + f" number {i + 1}"
        rows.append(
            (
                f"00000000-0000-4000-8000-{i:012d}",
                ind,
                str(day),
                day.start.isoformat(),
                day.precision,
                summary,
                (i % 5) - 2,
                "B2",
                f"https://example.org/evidence/{i + 1}",
                '["review"]' if i % 3 == 0 else "[]",
            )
        )
    conn.executemany(
        "INSERT INTO entries (uuid, indicator_id, date, date_start, date_precision, summary, effect, grade, "
        "source, tags, actors, note, analyst, revision, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '', 'tester', 1, '2026-01-01T00:00:00Z')",
        rows,
    )
    conn.commit()
    conn.close()


def test_a_terminal_shows_the_newest_page_and_says_how_to_see_more(
    cli: Invoke, db_path: Path, terminal: None
) -> None:
    fill(db_path, 60)
    out = cli("list").stdout
    assert "60 entries" in out
    assert "Showing the newest 22 of 60 entries: --limit N shows the newest N, --all shows every one" in out
    assert listed_ids(out) == list(range(39, 61))  # the newest 22, oldest first
    everything = cli("list", "--all").stdout
    assert listed_ids(everything) == list(range(1, 61)) and "Showing" not in everything
    some = cli("list", "--limit", "5").stdout
    assert "Showing the newest 5 of 60" in some
    timeline_out = cli("timeline", "regional").stdout
    assert "60 entries; status at the start" in timeline_out
    assert "Showing the newest 20 of 60 entries" in timeline_out
    assert cli("list", "--all", "--limit", "3").exit_code == 2
    assert cli("timeline", "regional", "--all", "--limit", "3").exit_code == 2


def test_piped_output_is_never_paged_or_limited(cli: Invoke, db_path: Path) -> None:
    fill(db_path, 60)
    out = cli("list").stdout
    assert listed_ids(out) == list(range(1, 61)) and "Showing" not in out
    assert len(json.loads(cli("list", "--json").stdout)) == 60
    assert len(json.loads(cli("timeline", "regional", "--json").stdout)) == 60
    assert "Showing" not in cli("timeline", "regional").stdout


@pytest.mark.slow
def test_pager_gets_every_entry(
    cli: Invoke, db_path: Path, terminal: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(db_path, 600)  # two chunks
    paged = tmp_path / "paged.txt"
    monkeypatch.setenv(
        "PAGER", f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.stdin.read())\" {paged}"
    )
    result = cli("list")
    assert result.exit_code == 0, result.stderr
    text = paged.read_text(encoding="utf-8")
    assert listed_ids(text) == list(range(1, 601)) and "Showing" not in text
    assert text.count(" ID ") == 1  # one header, however many chunks
    assert cli("timeline", "regional").exit_code == 0
    assert "600 entries; status at the start" in paged.read_text(encoding="utf-8")


LONG = "Example Ministry announces a review of its assistance with partners and oversight by parliament"
COLUMNS_OF = {"list": ("Grd", "Status", "Source", "Tags", "Ref"), "timeline": ("Grd", "Source", "Ref")}


@pytest.mark.parametrize("width", [60, 80, 100, 120])
def test_tables_keep_ids_and_words_whole_and_name_what_they_leave_out(
    cli: Invoke, log: Log, terminal: None, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    source = "https://example.org/a/long/path/to/the/evidence"
    first = log("regional", LONG, "--date", "2024-07-06", "-e", "1", "-s", source, "-g", "B2", "-t", "treaty")
    ids = [
        first,
        log("regional", "A short one", "--date", "2024-08", "--effect", "-2", "--status", "commitment"),
    ]
    ids += [log("diversify", f"Example Agency reports {n}", "--date", "2023") for n in range(10)]
    for args in (["list"], ["timeline", "regional"]):
        out = cli(*args).stdout
        lines = out.splitlines()
        assert all(len(line) <= width for line in lines), (args, width)
        assert "…" not in out  # nothing cut: long text wraps
        words = out.split()
        for word in LONG.split():
            assert word in words, (word, args, width)  # never cut mid-word
        for entry_id in ids if args == ["list"] else ids[:2]:
            assert str(entry_id) in words, (entry_id, args, width)
        assert "2024-07-06" in words and "2024-08" in words
        header = next(line.split() for line in lines if "Summary" in line)
        missing = [c for c in COLUMNS_OF[args[0]] if c not in header]
        note = re.search(r"Left out to fit the terminal: ([^;]+); (.+?)\.$", " ".join(words))
        if missing:
            assert note, (args, width)
            assert note.group(1).split(", ") == missing[::-1] or set(note.group(1).split(", ")) == set(
                missing
            )
            assert "--format csv shows them" in note.group(2)
        else:
            assert note is None
            assert "https://" in out
    if width >= 120:  # a wide terminal (140: beside the reference) leaves nothing out
        monkeypatch.setenv("COLUMNS", "140")
        assert "Left out" not in cli("list").stdout


def test_sql_built_list_and_timeline_are_pythons(db_path: Path, log: Log) -> None:
    """What SQLite writes for `list` and `timeline` is what json.dumps of Entry.as_dict and the CSV writer
    write, including lists another tool stored in other shapes."""
    log("regional", 'Quote " backslash \\ tab \t and é', "--date", "2024-07-06", "-t", "=x", "-a", "Example")
    log("regional", "second", "--date", "2024-08", "--status", "commitment", "--effect", "2")
    log("regional", "third", "--date", "2024", "--status", "commitment", "--effect", "-1")
    log("diversify", "other", "--date", "2023")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE entries SET tags = 'not json' WHERE id = 2")
    conn.execute("""UPDATE entries SET actors = '[1, "a"]', tags = '' WHERE id = 3""")
    conn.execute("""UPDATE entries SET deleted_at = '2026-01-01T00:00:00Z' WHERE id = 4""")
    conn.commit()
    conn.close()
    with open_store(db_path) as store:
        fw = get_framework(store)
        for flt in (EntryFilter(), EntryFilter(include_deleted=True)):
            for limit in (None, 2):
                entries = list(list_entries(store, fw, flt, limit))
                assert list(list_texts(store, fw, flt, "json", limit)) == [
                    json_line(e.as_dict()) for e in entries
                ]
                by_writer = io.StringIO()
                write_csv(by_writer, EXPORT_FIELDS, (cells(e.as_dict(), EXPORT_FIELDS) for e in entries))
                by_sql = io.StringIO()
                write_csv(by_sql, EXPORT_FIELDS, lines=list_texts(store, fw, flt, "csv", limit))
                assert by_sql.getvalue() == by_writer.getvalue()
        assert list(list_texts(store, None, EntryFilter(), "json")) == [
            json_line(e.as_dict()) for e in list_entries(store, fw, EntryFilter())
        ]
        tl = timeline(store, fw, "regional")
        expected = [
            json_line(
                {**p.entry.as_dict(), "cumulative_momentum": p.cumulative, "status_change": p.status_change}
            )
            for p in tl.points
        ]
        assert list(timeline_texts(store, fw, "regional", "json", None, None)) == expected
        fields = (*EXPORT_FIELDS, "cumulative_momentum", "status_change")
        by_writer = io.StringIO()
        write_csv(
            by_writer,
            fields,
            (
                cells(
                    {
                        **p.entry.as_dict(),
                        "cumulative_momentum": p.cumulative,
                        "status_change": p.status_change,
                    },
                    fields,
                )
                for p in tl.points
            ),
        )
        by_sql = io.StringIO()
        write_csv(by_sql, fields, lines=timeline_texts(store, fw, "regional", "csv", None, None))
        assert by_sql.getvalue() == by_writer.getvalue()
        rows = list(csv.reader(io.StringIO(by_sql.getvalue(), newline="")))
        # 2024 (its first day) comes first: its assessment changes the status, the later one repeats it
        assert [r[-1] for r in rows[1:]] == ["no-action -> commitment", "", ""]
        assert tl.total == 3 and tl.changes == 1 and tl.momentum == (-1, -1, 1)


def test_timeline_keeps_only_the_page_it_is_asked_for(db_path: Path) -> None:
    fill(db_path, 100)
    with open_store(db_path) as store:
        fw = get_framework(store)
        whole, page = timeline(store, fw, "regional"), timeline(store, fw, "regional", keep=7)
    assert page.points == whole.points[-7:] and page.total == whole.total == 100
    assert page.momentum == whole.momentum and len(whole.momentum) == 40
    assert whole.momentum[-1] == whole.points[-1].cumulative


LEVELS = ("no-action", "commitment", "in-progress", "substantial", "implemented")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.integers(0, 40),  # days after 2020-01-01 (several on a day: the one order decides)
            st.integers(-2, 2),
            st.none() | st.sampled_from(LEVELS),
        ),
        max_size=60,
    ),
    keep=st.integers(0, 70),
    since=st.none() | st.integers(0, 40),
)
def test_a_timelines_page_is_the_end_of_the_whole_timeline(
    db_path: Path, steps: list[tuple[int, int, str | None]], keep: int, since: int | None
) -> None:
    """timeline(keep=N), what a terminal draws (its counts and trend summed in SQL-read chunks, its status
    changes from the assessments alone), is the whole timeline's end: the same count, status changes,
    trend and widest id, and its last N points with their cumulative momentum and changes."""
    with open_store(db_path) as store:
        fw = get_framework(store)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("DELETE FROM entries")
        (ind,) = conn.execute("SELECT id FROM indicators WHERE key = 'regional'").fetchone()
        conn.executemany(
            "INSERT INTO entries (uuid, indicator_id, date, date_start, date_precision, summary, effect, "
            "status, analyst, recorded_at) VALUES (?, ?, ?, ?, 'day', 'synthetic', ?, ?, 'tester', ?)",
            [
                (
                    f"00000000-0000-4000-8000-{(i * 7919) % 1000:012d}",
                    ind,
                    day,
                    day,
                    effect,
                    status,
                    f"2026-01-01T00:00:{59 - i % 60:02d}Z",
                )
                for i, (offset, effect, status) in enumerate(steps)
                for day in [(date(2020, 1, 1) + timedelta(days=offset)).isoformat()]
            ],
        )
    start = None if since is None else date(2020, 1, 1) + timedelta(days=since)
    with open_store(db_path) as store:
        whole = timeline(store, fw, "regional", start)
        page = timeline(store, fw, "regional", start, keep=keep)
    assert (page.total, page.changes, page.momentum, page.last_id, page.start_status) == (
        whole.total,
        whole.changes,
        whole.momentum,
        whole.last_id,
        whole.start_status,
    )
    assert page.points == (whole.points[-keep:] if keep else ())


def test_sql_built_list_has_the_evidence_and_review_fields_and_deleted_at(
    cli: Invoke, db_path: Path, log: Log
) -> None:
    """Registered sources (source_key, via), events, signals and reviews come out of SQLite as Entry.as_dict
    writes them, key for key in its order; `list --deleted` adds the tombstone's date last, in JSON as in
    CSV, as Python's writers would."""
    for key, kind in (("wire", "media"), ("outlet", "media")):
        assert cli("source", "add", key, "--name", f"Example {key}", "--type", kind).exit_code == 0
    linked = log(
        "regional", "Linked", "--date", "2024-07-06", "-s", "wire", "--via", "outlet", "--signal",
        "regional-agreements", "-t", "a", "-t", "b",
    )  # fmt: skip
    assert cli("log", "diversify,regional", "One event", "-d", "2024-05", "-s", "wire").exit_code == 0
    log("regional", "Free text source", "--date", "2024-08", "-s", "=a citation")
    assert cli("review", str(linked), "--by", "editor").exit_code == 0
    gone = log("regional", "Gone", "--date", "2024-09")
    assert cli("delete", str(gone), "--force").exit_code == 0
    with open_store(db_path) as store:
        fw = get_framework(store)
        for flt in (EntryFilter(), EntryFilter(include_deleted=True), EntryFilter(unreviewed=True)):
            entries = list(list_entries(store, fw, flt))
            by_python = [json_line(e.as_dict()) for e in entries]
            assert list(list_texts(store, fw, flt, "json")) == by_python
            assert list(list_texts(store, None, flt, "json")) == by_python
            with_deleted = [json_line({**e.as_dict(), "deleted_at": e.deleted_at}) for e in entries]
            assert list(list_texts(store, fw, flt, "json", deleted_at=True)) == with_deleted
            fields = (*EXPORT_FIELDS, "deleted_at")
            by_writer = io.StringIO()
            write_csv(
                by_writer,
                fields,
                (cells({**e.as_dict(), "deleted_at": e.deleted_at}, fields) for e in entries),
            )
            by_sql = io.StringIO()
            write_csv(by_sql, fields, lines=list_texts(store, fw, flt, "csv", deleted_at=True))
            assert by_sql.getvalue() == by_writer.getvalue()
        (record,) = [json.loads(t) for t in list_texts(store, fw, EntryFilter(), "json") if "Linked" in t]
        assert list(record) == list(store.get_entry(linked).as_dict())
    assert (record["source_key"], record["via"], record["signals"]) == (
        "wire",
        "outlet",
        ["regional-agreements"],
    )
    assert record["reviewed_by"] == "editor" and record["reviewed_at"]
    assert [e["summary"] for e in json.loads(cli("list", "--unreviewed", "--json").stdout)] == [
        "One event",
        "One event",
        "Free text source",
    ]
    events = {e["event"] for e in json.loads(cli("list", "--json").stdout) if e["summary"] == "One event"}
    assert len(events) == 1 and None not in events
    listed = cli("list", "--deleted", "--json").stdout
    assert [e["deleted_at"] is not None for e in json.loads(listed)][-1] is True
