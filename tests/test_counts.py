"""`db check` holds the counts kept by triggers (entry_counts, candidate_counts; store/counts.py) to the rows
they count, names each difference with its fix, and `db check --repair` recounts them in one transaction,
never on a read-only database."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from conftest import Invoke, write_db
from policytrack.store import counts
from test_inbox import ACLED_COLUMNS, acled_row, write_csv

FIX = "run `policytrack db check --repair`"


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# Counted by hand here, apart from the declaration under test (store/counts.py).
KEPT_ENTRIES = "SELECT indicator_id, n FROM entry_counts WHERE n != 0 ORDER BY 1"
COUNTED_ENTRIES = "SELECT indicator_id, count(*) FROM entries WHERE deleted_at IS NULL GROUP BY 1 ORDER BY 1"
KEPT_CANDIDATES = "SELECT state, dataset, feed, n FROM candidate_counts WHERE n != 0 ORDER BY 1, 2, 3"
COUNTED_CANDIDATES = "SELECT state, dataset, feed, count(*) FROM candidates GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"


@pytest.fixture
def filled(cli: Invoke, dataset: None, db_path: Path, tmp_path: Path) -> Path:
    """Entries on several indicators, one of them deleted, and candidates in two states."""
    rows = [acled_row(f"EXA{i}", f"2024-0{i}-01", f"Example event {i}") for i in range(1, 4)]
    source = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, rows)
    for args in (
        ("inbox", "add", str(source), "--kind", "acled"),
        ("inbox", "reject", "1", "--reason", "not evidence"),
        ("delete", "1", "--force"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    assert len(_rows(db_path, KEPT_ENTRIES)) >= 2 and len(_rows(db_path, KEPT_CANDIDATES)) == 2
    return db_path


def _agree(db: Path) -> None:
    assert _rows(db, KEPT_ENTRIES) == _rows(db, COUNTED_ENTRIES)
    assert _rows(db, KEPT_CANDIDATES) == _rows(db, COUNTED_CANDIDATES)


def _problems(result: Result) -> list[str]:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    *lines, last = result.stderr.splitlines()
    assert last.startswith("policytrack: error: ") and last.endswith(
        f": {len(lines)} problem{'s' if len(lines) > 1 else ''} found"
    )
    return lines


def test_a_clean_database_reports_nothing_and_repair_changes_nothing(cli: Invoke, filled: Path) -> None:
    _agree(filled)
    checked = cli("db", "check")
    assert checked.exit_code == 0 and checked.stderr == "" and checked.stdout.endswith(": ok\n")
    before = _rows(filled, "SELECT * FROM entry_counts") + _rows(filled, "SELECT * FROM candidate_counts")
    repaired = cli("db", "check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert repaired.stderr == "the kept counts agree with their rows: nothing to recount\n"
    after = _rows(filled, "SELECT * FROM entry_counts") + _rows(filled, "SELECT * FROM candidate_counts")
    assert after == before


def test_planted_drift_is_named_and_repair_recounts_it(cli: Invoke, filled: Path) -> None:
    (indicator, n), *_ = _rows(filled, KEPT_ENTRIES)
    write_db(
        filled,
        f"UPDATE entry_counts SET n = n + 3 WHERE indicator_id = {indicator}",
        "DELETE FROM candidate_counts WHERE state = 'rejected'",
        "INSERT INTO candidate_counts VALUES ('waiting', 'x\x1b[31m', '', 2)",  # hostile key: shown literally
    )
    lines = _problems(cli("db", "check"))
    assert lines == [
        f"entry_counts keeps {n + 3} for indicator_id={indicator} but the rows count {n}: {FIX}",
        f"candidate_counts keeps 0 for state=rejected, dataset=acled, feed= but the rows count 1: {FIX}",
        f"candidate_counts keeps 2 for state=waiting, dataset=x\\x1b[31m, feed= but the rows count 0: {FIX}",
    ]
    repaired = cli("db", "check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert repaired.stderr.splitlines() == [
        f"recounted entry_counts for indicator_id={indicator}: {n + 3} -> {n}",
        "recounted candidate_counts for state=rejected, dataset=acled, feed=: 0 -> 1",
        "recounted candidate_counts for state=waiting, dataset=x\\x1b[31m, feed=: 2 -> 0",
    ]
    _agree(filled)
    assert cli("db", "check").exit_code == 0
    listed = cli("inbox", "--limit", "5")  # what the inbox reads from candidate_counts is right again
    assert listed.exit_code == 0 and "2 candidates wait" in listed.stdout


def test_the_problems_are_in_french(cli: Invoke, filled: Path) -> None:
    write_db(filled, "UPDATE entry_counts SET n = n + 1")
    result = cli("--lang", "fr", "db", "check")
    assert result.exit_code == 1
    *lines, last = result.stderr.splitlines()
    assert last.startswith("policytrack : erreur : ") and last.endswith(f"{len(lines)} problèmes trouvés")
    assert len(lines) >= 2 and all(
        " mais les lignes en comptent " in line and line.endswith("lancez `policytrack db check --repair`")
        for line in lines
    )


@pytest.fixture
def memory_copy(filled: Path) -> Iterator[sqlite3.Connection]:
    source = sqlite3.connect(filled)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    source.backup(conn)
    source.close()
    yield conn
    conn.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_drifts_are_exactly_what_was_planted(memory_copy: sqlite3.Connection, data: st.DataObject) -> None:
    conn = memory_copy
    conn.execute("SAVEPOINT planted")  # rolled back at the end: each example starts from the same rows
    try:
        kept = conn.execute("SELECT indicator_id, n FROM entry_counts ORDER BY 1").fetchall()
        planted = {}
        for indicator, n in kept:
            delta = data.draw(st.integers(-3, 3), label=f"indicator {indicator}")
            if delta:
                conn.execute("UPDATE entry_counts SET n = n + ? WHERE indicator_id = ?", (delta, indicator))
                planted[f"indicator_id={indicator}"] = (n + delta, n)
        found = counts.drifts(conn)
        assert {d.key: (d.kept, d.counted) for d in found} == planted
        assert {d.table for d in found} <= {"entry_counts"}
        assert counts.recount(conn) == found
        assert counts.drifts(conn) == []
        assert conn.execute(
            "SELECT indicator_id, n FROM entry_counts WHERE n != 0 ORDER BY 1"
        ).fetchall() == [row for row in kept if row[1]]
    finally:
        conn.execute("ROLLBACK TO planted")
        conn.execute("RELEASE planted")


def test_repair_is_refused_on_a_read_only_database(
    cli: Invoke, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_db(filled, "UPDATE entry_counts SET n = n + 1")
    before = _rows(filled, "SELECT * FROM entry_counts")
    real_access = os.access  # as root every folder is writable: the store is told the folder is not
    monkeypatch.setattr(
        "policytrack.store.os.access",
        lambda p, mode: False if Path(p) == filled.parent and mode == os.W_OK else real_access(p, mode),
    )
    result = cli("db", "check", "--repair")
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("policytrack: error: ") and "read-only" in line
    assert _rows(filled, "SELECT * FROM entry_counts") == before


def test_a_missing_counts_table_is_one_clear_line(cli: Invoke, filled: Path) -> None:
    write_db(filled, "DROP TABLE entry_counts")
    missing = (
        "the table entry_counts, which keeps counts since m024_entry_counts, is missing: restore the "
        "database from a backup"
    )
    checked = cli("db", "check")
    assert checked.exit_code == 1 and checked.stderr.splitlines() == [
        missing,
        f"policytrack: error: {filled}: 1 problem found",
    ]
    repaired = cli("db", "check", "--repair")
    assert repaired.exit_code == 1 and repaired.stderr == f"policytrack: error: {missing}\n"


def test_an_older_database_has_nothing_kept_to_check(cli: Invoke, filled: Path) -> None:
    """Before m024 there is no entry_counts: its migration fills it, nothing is missing."""
    write_db(
        filled,
        "DROP TABLE entry_counts",
        "DELETE FROM _sqlite_migrations WHERE name = 'm024_entry_counts'",
        "UPDATE candidate_counts SET n = n + 1",
    )
    lines = _problems(cli("db", "check"))
    assert lines and all(line.startswith("candidate_counts keeps ") for line in lines)
