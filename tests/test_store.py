from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from policytrack import migrations as migrations_module
from policytrack.dates import parse_date
from policytrack.errors import DatabaseError
from policytrack.evidence import get_framework, log_entry, open_store
from policytrack.models import EntryInput
from policytrack.store import MIGRATION_NAMES, Store


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


def test_database_from_first_migration_upgrades_with_rows_intact(db_path: Path) -> None:
    # Build a database with only the first migration applied, as the first release would have.
    from sqlite_utils import Database

    conn = sqlite3.connect(db_path, isolation_level=None)
    db = Database(conn)
    migrations_module.migrations.apply(db, stop_before=list(MIGRATION_NAMES[1:]) or None)
    conn.close()
    with open_store(db_path) as store:
        fw = get_framework(store)
        entry = log_entry(
            store,
            fw,
            EntryInput("regional", "AES treaty signed", parse_date("2024-07-06", date.today())),
        )
    with open_store(db_path) as store:
        assert store.applied_migrations() == list(MIGRATION_NAMES)
        assert store.get_entry(entry.id).summary == "AES treaty signed"


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
