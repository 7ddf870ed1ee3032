"""Bulk loading, inside an import's transaction: the full-text index and the secondary indexes built once
per batch or once at the end instead of row by row. A rollback restores both with everything else."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from policytrack.core.errors import DatabaseError
from policytrack.core.i18n import _
from policytrack.records.columns import ENTRY_COLUMNS
from policytrack.store.entries import StoreBase, marks


@contextmanager
def bulk_search_index(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside the import's transaction, swap the per-row insert trigger of the full-text index for one
    insert per batch (measured: 0.4 s instead of 5 s per 100,000 rows). The trigger is put back before
    the commit; a rollback (error, dry run, crash) restores it with everything else."""
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'entries' ORDER BY rowid"
    ).fetchall()
    names = [name for name, _sql in triggers]
    if "entries_ai" not in names:
        raise DatabaseError(
            _("the full-text index's trigger entries_ai is missing; run `policytrack db check`")
        )
    # entries_ai and every trigger made after it are made again in their order: with a trigger on entries
    # made before entries_ai (the kept counts' after an import had moved it last), another process's
    # `log` that waited for this import's lock failed with "no such table: entries" (SQLite 3.40)
    later = triggers[names.index("entries_ai") :]
    for name, _sql in later:
        conn.execute(f"DROP TRIGGER {name}")
    for _name, sql in later[1:]:
        conn.execute(sql)
    yield
    if conn.in_transaction:  # a dry run has rolled back already, and the rollback restored the triggers
        for name, _sql in later[1:]:
            conn.execute(f"DROP TRIGGER {name}")
        for _name, sql in later:
            conn.execute(sql)


DEFERRABLE_INDEXES = (
    "entries_order",
    "entries_report",
    "entries_assessments",
    "entries_sources",
    "entries_event",
    "entries_timeline",
    "entries_source",
    "entries_via",
)


@contextmanager
def deferred_indexes(conn: sqlite3.Connection) -> Iterator[None]:
    """Loading into a database with no entries (a restore, a first load): drop the secondary indexes and
    build each once at the end, sorted, instead of updating them row by row (about 20% faster at 300,000
    rows). Inside the import's transaction, so a rollback restores them."""
    if conn.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None:
        yield
        return
    marks = ", ".join("?" for _ in DEFERRABLE_INDEXES)
    rows = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})", DEFERRABLE_INDEXES
    ).fetchall()
    for name, _sql in rows:
        conn.execute(f"DROP INDEX {name}")
    yield
    if conn.in_transaction:  # a dry run has rolled back already, and the rollback restored them
        for _, sql in rows:
            conn.execute(sql)


def _chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_COLUMNS = ", ".join(ENTRY_COLUMNS)


class BulkRows(StoreBase):
    """What an import needs, a batch at a time, inside its own transaction."""

    def last_entry_id(self) -> int:
        (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()
        return int(last)

    def entries_by_uuid(self, uuids: Sequence[str]) -> dict[str, sqlite3.Row]:
        found: dict[str, sqlite3.Row] = {}
        for chunk in _chunks(uuids):
            for row in self.conn.execute(f"SELECT * FROM entries WHERE uuid IN ({marks(chunk)})", chunk):
                found[row["uuid"]] = row
        return found

    def repeated_uuids(self, uuids: Sequence[str]) -> set[str]:
        """The uuids an import has read before (in earlier batches), remembering these: a temporary table
        on disk, so that the memory of a million-row import stays flat."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_seen (uuid TEXT PRIMARY KEY) WITHOUT ROWID")
        repeated: set[str] = set()
        for chunk in _chunks(uuids):
            repeated.update(
                row[0]
                for row in self.conn.execute(
                    f"SELECT uuid FROM temp.import_seen WHERE uuid IN ({marks(chunk)})", chunk
                )
            )
        self.conn.executemany("INSERT OR IGNORE INTO temp.import_seen VALUES (?)", ((u,) for u in uuids))
        return repeated

    def forget_seen_uuids(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS temp.import_seen")

    def ids_in_use(self, ids: Sequence[int]) -> set[int]:
        taken: set[int] = set()
        for chunk in _chunks(ids):
            taken.update(
                row[0]
                for row in self.conn.execute(f"SELECT id FROM entries WHERE id IN ({marks(chunk)})", chunk)
            )
        return taken

    def insert_imported(self, rows: Sequence[tuple[Any, ...]], by: str, at: str) -> None:
        """New entries (id, uuid, ENTRY_COLUMNS..., revision, recorded_at, deleted_at) in one executemany;
        each one's first revision and full-text row copied in SQL from the rows just written (binding the
        same values again from Python cost more; see bulk_search_index)."""
        self.conn.executemany(
            f"INSERT INTO entries (id, uuid, {_COLUMNS}, revision, recorded_at, deleted_at) "
            f"VALUES (?, ?, {marks(ENTRY_COLUMNS)}, ?, ?, ?)",
            rows,
        )
        for chunk in _chunks([row[0] for row in rows]):
            ids = marks(chunk)
            self.conn.execute(
                "INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, "
                f"{_COLUMNS}) SELECT id, revision, 'import', ?, ?, {_COLUMNS} "
                f"FROM entries WHERE id IN ({ids})",
                (by, at, *chunk),
            )
            self.conn.execute(
                "INSERT INTO entries_fts (rowid, summary, note, source) SELECT id, summary, note, source "
                f"FROM entries WHERE id IN ({ids})",
                chunk,
            )

    def update_imported(self, entry_id: int, changes: dict[str, Any], by: str, at: str) -> None:
        """An entry this database has, changed by an import (its revision given), with its new revision."""
        assignments = ", ".join(f"{k} = ?" for k in changes)
        self.conn.execute(f"UPDATE entries SET {assignments} WHERE id = ?", (*changes.values(), entry_id))
        self.write_revision(self.conn, entry_id, "import", by, at)

    def large_cache(self) -> None:
        """Index pages (uuids arrive in random order) need more cache than SQLite's default 2 MB, but a
        fixed amount: the cache (and the sorter that rebuilds the indexes, sized by it) is what an import's
        memory grows by. 32 MB imports 100,000 entries as fast as 256 MB did, in 84 MB instead of 149 MB
        (benchmarks/RESULTS.md); the operating system's file cache holds the rest."""
        self.conn.execute("PRAGMA cache_size = -32768")
