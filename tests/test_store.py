from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from policytrack.dates import parse_date
from policytrack.entries import get_framework, log_entry, open_store
from policytrack.errors import DatabaseError
from policytrack.models import EntryInput
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


def test_report_queries_use_their_indexes(db_path: Path) -> None:
    """The 1M-entry report targets rest on these plans (benchmarks/run.py measures them)."""
    from policytrack.reports import WEIGHT_SQL

    with open_store(db_path) as store:
        plan = " ".join(
            row[3]
            for row in store.conn.execute(
                """EXPLAIN QUERY PLAN SELECT status, date FROM entries WHERE indicator_id = ?
                   AND deleted_at IS NULL AND status IS NOT NULL AND date_start <= ?
                   ORDER BY date_start DESC, id DESC LIMIT 1""",
                (1, "2024-01-01"),
            )
        )
        assert "INDEX entries_assessments" in plan  # a seek; LIMIT 1 then reads one row
        plan = " ".join(
            row[3]
            for row in store.conn.execute(
                f"""EXPLAIN QUERY PLAN SELECT indicator_id, count(*), sum(effect * {WEIGHT_SQL}),
                    count(DISTINCT source) FROM entries WHERE deleted_at IS NULL
                    AND indicator_id IN (1, 2) AND date_start >= ? AND date_start <= ?
                    GROUP BY indicator_id""",
                ("2020-01-01", "2024-01-01"),
            )
        )
        assert "INDEX entries_report" in plan
