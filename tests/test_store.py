"""The Store: migrations, read-only and damaged databases, transactions, and the report queries' indexes."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from policytrack.core.dates import parse_date
from policytrack.core.errors import DatabaseError
from policytrack.domain.entries import log_entry
from policytrack.domain.periods import build_period_report
from policytrack.domain.reports import build_report
from policytrack.domain.status import indicator_states
from policytrack.domain.workspace import get_framework, open_store
from policytrack.records.models import EntryInput
from policytrack.store import MIGRATION_NAMES, Store
from policytrack.store import migrations as migrations_module


def test_migration_names_match_the_migrations() -> None:
    registered = [m.name for m in migrations_module.migrations._migrations]
    assert registered == list(MIGRATION_NAMES)


def test_new_database_is_migrated_wal_and_has_default_framework(db_path: Path) -> None:
    with open_store(db_path) as store:
        assert store.applied_migrations() == list(MIGRATION_NAMES)
        assert store.framework_names() == ["mali-china-security"]
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # opening again applies nothing and keeps the one framework
    with open_store(db_path) as store:
        assert store.framework_names() == ["mali-china-security"]


def test_not_sqlite_file_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.write_text("these are my notes, not a database\n")
    before = db_path.read_bytes()
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        open_store(db_path)
    assert db_path.read_bytes() == before
    assert not Path(str(db_path) + "-wal").exists()


def test_foreign_sqlite_database_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not a policytrack one"):
        open_store(db_path)
    conn = sqlite3.connect(db_path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["mine"]
    conn.close()


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        Store(tmp_path / "nowhere" / "x.db")


def test_read_only_database_reads_but_refuses_writes(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(db_path) as store:
        fw = get_framework(store)
        log_entry(store, fw, EntryInput("regional", "one", parse_date("2024", date.today())))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Root ignores file modes, so simulate the permission check that decides read-only mode.
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    with open_store(db_path) as store:
        assert store.read_only
        fw = get_framework(store)
        assert [e.summary for e in store.query_entries([], [])] == ["one"]
        with pytest.raises(DatabaseError, match="read-only"):
            log_entry(store, fw, EntryInput("regional", "two", parse_date("2024", date.today())))


def _plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]


def test_report_queries_use_their_indexes(db_path: Path, dataset: None) -> None:
    """The 1M-entry report targets rest on these plans (benchmarks/run.py measures them): every query the
    reports really run against entries seeks an index, assessments in entries_assessments, the window by
    originator in entries_sources, the rest in entries_report, and none reads the whole table."""
    executed: list[str] = []
    with open_store(db_path) as store:
        fw = get_framework(store)
        store.conn.set_trace_callback(executed.append)  # the SQL as run, parameters filled in
        try:
            build_report(store, fw, as_of=date(2024, 12, 31), since=date(2024, 1, 1))
            build_report(store, fw, as_of=date(2024, 12, 31), indicators=["regional"])
            for unit in ("month", "quarter", "year"):
                build_period_report(store, fw, unit, as_of=date(2024, 12, 31))
            indicator_states(store, fw)
        finally:
            store.conn.set_trace_callback(None)
        on_entries = [sql for sql in dict.fromkeys(executed) if re.search(r"\bFROM entries\b", sql)]
        aggregates = [sql for sql in on_entries if "GROUP BY" in sql or "min(date_start)" in sql]
        # the window totals (report), counts per indicator (status), monthly sums and first date (periods)
        assert len(aggregates) >= 4, on_entries
        assert any("count(DISTINCT" in sql for sql in aggregates)
        assert any("GROUP BY indicator_id, source_id" in sql for sql in aggregates)
        assert any("GROUP BY indicator_id, month" in sql for sql in aggregates)
        for sql in on_entries:
            plan = _plan(store.conn, sql)
            if "status IS NOT NULL" in sql:
                index = "entries_assessments"
            elif "source_id" in sql:  # per registered originator, and the free-text ones alone
                index = "entries_sources"
            else:
                index = "entries_report"
            index = "entries_signals" if "signals <> '[]'" in sql else index  # entries observing a signal
            reads = [step for step in plan if re.search(r"\b(SEARCH|SCAN) entries\b", step)]
            assert reads and all(step.startswith("SEARCH") for step in reads), (sql, plan)
            assert all(f"INDEX {index} " in step for step in reads), (sql, plan)
