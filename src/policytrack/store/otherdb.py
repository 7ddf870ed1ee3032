"""Another policytrack database as an import source: opened read-only, its schema checked (tables, not
views, with the expected columns), every query bounded in steps, and its entries read as records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.records.columns import COLUMNS, IMPORT_FIELDS
from policytrack.records.models import NotJSON
from policytrack.store import MIGRATION_NAMES, connect_read_only
from policytrack.store.entries import LINK_JOINS

Record = tuple[int, dict[str, Any]]  # (row number, fields)
# The entry columns read from another database: identity, place, date, text and history (not the
# indicator's title or the date's precision, which import derives again).
_READ = frozenset(
    c.name
    for c in COLUMNS
    if c.exported and c.since == MIGRATION_NAMES[0] and c.name not in ("indicator_title", "date_precision")
)


# What another database must hold, as tables (a view could be recursive and run forever).
_SOURCE_COLUMNS = {
    "entries": {c.sql[2:] for c in COLUMNS if c.name in _READ and c.sql.startswith("e.")}
    | {"indicator_id", "deleted_at"},
    "indicators": {"id", "key", "framework_id"},
    "frameworks": {"id", "name"},
}
# What import reads of each entry: the columns it knows (columns.IMPORT_FIELDS) that a database holds.
_SOURCE_SELECT = f"""
SELECT {", ".join(f"{c.sql} AS {c.name}" for c in COLUMNS if c.name in IMPORT_FIELDS and c.name in _READ)},
       e.deleted_at
FROM entries e JOIN indicators i ON i.id = e.indicator_id
JOIN frameworks f ON f.id = i.framework_id ORDER BY e.id"""
# Entry columns newer than the first schema: read when the other database has them (it may be older);
# the lists among them are decoded as the list columns are.
_OPTIONAL = tuple(
    c.name for c in COLUMNS if c.exported and c.since != MIGRATION_NAMES[0] and c.sql.startswith("e.")
)
_OPTIONAL_LISTS = tuple(c.name for c in COLUMNS if c.name in _OPTIONAL and c.type == "list")
# A registered originator's and outlet's key, read through store.entries.LINK_JOINS (aliases s and v) where
# the other database keeps a registry: import checks them against this one's, as it does a file's.
_LINKED = tuple(c for c in COLUMNS if c.exported and c.name in IMPORT_FIELDS and c.sql[:2] in ("s.", "v."))
_LINK_COLUMNS = {"entries": {"source_id", "via_id"}, "sources": {"id", "key"}}
# SQLite calls the progress handler every _STEPS virtual-machine instructions; a query that runs
# _STEPS * _MAX_CALLS instructions (about a second) without giving a row is stopped.
_STEPS, _MAX_CALLS = 10_000, 10_000


def _source_db(path: Path) -> tuple[sqlite3.Connection, list[int]]:
    """Another policytrack database, opened read-only and checked, and the count of progress calls since
    its last row (the reader sets it back to 0 for each row)."""
    try:
        conn = connect_read_only(path)
    except sqlite3.Error:
        raise InputError(_("cannot open {path} as an SQLite database").format(path=path)) from None
    calls = [0]

    def progress() -> int:
        calls[0] += 1
        return int(calls[0] > _MAX_CALLS)

    conn.set_progress_handler(progress, _STEPS)
    try:
        for table, wanted in _SOURCE_COLUMNS.items():
            row = conn.execute("SELECT type, sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            if row is None or row[0] != "table" or str(row[1]).upper().startswith("CREATE VIRTUAL"):
                raise InputError(
                    _("{path} is an SQLite file but not a policytrack database ({table} is no table)").format(
                        path=path, table=table
                    )
                )
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if not wanted <= columns:
                missing = ", ".join(sorted(wanted - columns))
                raise InputError(
                    _(
                        "{path} is an SQLite file but not a policytrack database ({table} lacks {missing})"
                    ).format(path=path, table=table, missing=missing)
                )
    except sqlite3.DatabaseError:
        conn.close()
        raise InputError(
            _("{path} is an SQLite file but not a policytrack database").format(path=path)
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn, calls


def _stopped(path: Path) -> InputError:
    return InputError(
        _("{path}: reading it took too long (is it a policytrack database?); nothing was imported").format(
            path=path
        )
    )


def database_size(path: Path) -> int | None:
    """How many entries another policytrack database holds (for a progress bar); None if it cannot say."""
    try:
        conn, _ = _source_db(path)
    except InputError:
        return None  # database_records says what is wrong
    try:
        (count,) = conn.execute("SELECT count(*) FROM entries").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return int(count)


def _json_list(text: Any) -> Any:
    """A list column of another database as its JSON value, or NotJSON for the row check to refuse."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return NotJSON(text)
    return value if type(value) is list else NotJSON(text)


def _keeps_registry(conn: sqlite3.Connection) -> bool:
    """Whether the other database links entries to a source registry (a table, never a view, with the
    columns the link joins read): older ones and hand-made ones may not."""
    for table, wanted in _LINK_COLUMNS.items():
        row = conn.execute("SELECT type, sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        if row is None or row[0] != "table" or str(row[1]).upper().startswith("CREATE VIRTUAL"):
            return False
        if not wanted <= {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
            return False
    return True


def database_records(path: Path) -> Iterator[Record]:
    """Another analyst's policytrack database, read-only: every entry, deleted ones included."""
    conn, calls = _source_db(path)
    conn.row_factory = sqlite3.Row
    try:
        try:
            have = {r[1] for r in conn.execute("PRAGMA table_info(entries)")}
            optional = [name for name in _OPTIONAL if name in have]
            extra = "".join(f", e.{name} AS {name}" for name in optional)
            select = _SOURCE_SELECT
            if _keeps_registry(conn):
                extra += "".join(f", {c.sql} AS {c.name}" for c in _LINKED)
                select = select.replace(" ORDER BY e.id", f"\n{LINK_JOINS} ORDER BY e.id", 1)
            rows = conn.execute(select.replace("\nFROM entries e", f"{extra}\nFROM entries e", 1))
            for number, row in enumerate(rows, start=1):
                calls[0] = 0
                record = dict(row)
                record["tags"], record["actors"] = _json_list(row["tags"]), _json_list(row["actors"])
                for name in optional:
                    if name in _OPTIONAL_LISTS:
                        record[name] = _json_list(row[name])
                yield number, record
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise _stopped(path) from None
            raise InputError(
                _("{path} could not be read ({exc}); is it a policytrack database?").format(
                    path=path, exc=exc
                )
            ) from None
        except sqlite3.DatabaseError as exc:
            raise InputError(
                _("{path} could not be read ({exc}); is it a policytrack database?").format(
                    path=path, exc=exc
                )
            ) from None
    finally:
        conn.close()
