"""The counts kept by triggers (`entry_counts`, m024; `candidate_counts`, m023): what each counts, stated
once here, so that `db check` finds a count that drifted from its rows and `db check --repair` recounts it.

The shipped migrations keep their own copy of the fill (a shipped migration never changes); a database
they filled passes this check (tests/test_counts.py)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from policytrack.core.errors import DatabaseError
from policytrack.core.i18n import _


@dataclass(frozen=True)
class KeptCount:
    """A table of counts kept by triggers: its key columns are its columns other than `n`; `rows` is the
    FROM clause of the rows it counts (with their WHERE); `migration` made it and filled it."""

    table: str
    rows: str
    migration: str


KEPT_COUNTS = (
    KeptCount("entry_counts", "entries WHERE deleted_at IS NULL", "m024_entry_counts"),
    KeptCount("candidate_counts", "candidates", "m023_inbox_counts"),
)


@dataclass(frozen=True)
class Drift:
    """One key of a kept count whose number differs from the rows it counts."""

    table: str
    key: str  # `column=value, ...`, shown literally
    kept: int
    counted: int


def _keys(conn: sqlite3.Connection, kept: KeptCount) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({kept.table})") if row[1] != "n"]


def _applied(conn: sqlite3.Connection) -> set[str]:
    try:
        return {row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")}
    except sqlite3.OperationalError:  # not a policytrack database yet: nothing is kept
        return set()


def _fill(keys: list[str], kept: KeptCount) -> str:
    columns = ", ".join(keys)
    return f"SELECT {columns}, count(*) AS n FROM {kept.rows} GROUP BY {columns}"


def missing_tables(conn: sqlite3.Connection) -> list[KeptCount]:
    """The kept counts whose migration ran but whose table is gone (or has lost its key columns); none in
    a published copy, which keeps only the public tables (store.schema.published)."""
    from policytrack.store.schema import published

    if published(conn):
        return []
    applied = _applied(conn)
    return [k for k in KEPT_COUNTS if k.migration in applied and not _keys(conn, k)]


def drifts(conn: sqlite3.Connection) -> list[Drift]:
    """Every key whose kept count differs from its rows, one query per table (a kept 0 with no rows is
    not a difference: the triggers leave a row at 0). Tables not made yet (an older database) and
    missing ones (`missing_tables`) are skipped."""
    applied = _applied(conn)
    found = []
    for kept in KEPT_COUNTS:
        keys = _keys(conn, kept)
        if kept.migration not in applied or not keys:
            continue
        columns = ", ".join(keys)
        sql = f"""SELECT {columns}, sum(kept), sum(counted) FROM (
                    SELECT {columns}, n AS kept, 0 AS counted FROM {kept.table}
                    UNION ALL SELECT {columns}, 0, n FROM ({_fill(keys, kept)}))
                  GROUP BY {columns} HAVING sum(kept) != sum(counted) ORDER BY {columns}"""
        for row in conn.execute(sql):
            key = ", ".join(f"{name}={value}" for name, value in zip(keys, row, strict=False))
            found.append(Drift(kept.table, key, int(row[-2]), int(row[-1])))
    return found


def recount(conn: sqlite3.Connection) -> list[Drift]:
    """Refill every kept count from its rows; call inside the store's write transaction. Returns what
    differed before (empty: nothing changed, and nothing was written). A missing table is refused: the
    triggers that keep it are likely gone too, which a recount would not bring back."""
    missing = missing_tables(conn)
    if missing:
        raise DatabaseError(missing_message(missing[0]))
    found = drifts(conn)
    for table in dict.fromkeys(d.table for d in found):
        refill(conn, table)
    return found


def refill(conn: sqlite3.Connection, table: str) -> None:
    """One kept count (by its table) filled again from its rows, whatever it held: after a recount finds
    it wrong, or in a copy made without the triggers that keep it (a published copy)."""
    kept = next(k for k in KEPT_COUNTS if k.table == table)
    keys = _keys(conn, kept)
    conn.execute(f"DELETE FROM {kept.table}")
    conn.execute(f"INSERT INTO {kept.table} ({', '.join(keys)}, n) {_fill(keys, kept)}")


def missing_message(kept: KeptCount) -> str:
    return _(
        "the table {table}, which keeps counts since {migration}, is missing: restore the database from "
        "a backup"
    ).format(table=kept.table, migration=kept.migration)


def drift_message(drift: Drift) -> str:
    return _(
        "{table} keeps {kept} for {key} but the rows count {counted}: run `policytrack db check --repair`"
    ).format(table=drift.table, kept=drift.kept, key=drift.key, counted=drift.counted)


def problems(conn: sqlite3.Connection) -> list[str]:
    """What is wrong with the kept counts, one line each ending with its fix (empty: nothing)."""
    return [missing_message(k) for k in missing_tables(conn)] + [drift_message(d) for d in drifts(conn)]
