"""The Store: one SQLite file, migrated on open, holding frameworks, indicators and evidence with history.

Plain sqlite3 serves the everyday commands; sqlite-utils (slow to import) is loaded only to apply
migrations or when `Store.db` is asked for.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policytrack.dates import PartialDate
from policytrack.errors import DatabaseError, NotFoundError
from policytrack.models import Entry, Framework, Indicator, Revision, Source, StatusLevel

if TYPE_CHECKING:
    from sqlite_utils import Database

# Keep in step with policytrack.migrations (tests/test_store.py checks it).
MIGRATION_SET = "policytrack"
MIGRATION_NAMES = (
    "m001_initial",
    "m002_targets_and_report_index",
    "m003_assessments_index",
    "m004_framework_versions",
    "m005_search_and_view",
)

BUSY_TIMEOUT_SECONDS = 30.0

ENTRY_COLUMNS = (
    "indicator_id",
    "date",
    "date_start",
    "date_precision",
    "summary",
    "note",
    "source",
    "effect",
    "status",
    "grade",
    "tags",
    "actors",
    "analyst",
)

_ENTRY_SELECT = """
SELECT e.id, e.uuid, f.name AS framework, i.key AS indicator, i.title AS indicator_title,
       e.date, e.date_start, e.summary, e.note, e.source, e.effect, e.status, e.grade, e.tags, e.actors,
       e.analyst, e.revision, e.recorded_at, e.deleted_at
FROM entries e
JOIN indicators i ON i.id = e.indicator_id
JOIN frameworks f ON f.id = i.framework_id
"""


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        id=row["id"],
        uuid=row["uuid"],
        framework=row["framework"],
        indicator=row["indicator"],
        indicator_title=row["indicator_title"],
        date=PartialDate.from_stored(row["date"]),
        summary=row["summary"],
        note=row["note"],
        source=row["source"],
        effect=row["effect"],
        status=row["status"],
        grade=row["grade"],
        tags=tuple(json.loads(row["tags"])),
        actors=tuple(json.loads(row["actors"])),
        analyst=row["analyst"],
        revision=row["revision"],
        recorded_at=row["recorded_at"],
        deleted=row["deleted_at"] is not None,
    )


def _missing(entry_id: int) -> NotFoundError:
    return NotFoundError(f"no entry with id {entry_id}; `policytrack list` shows the ids")


class Store:
    """A policytrack database. Opening it applies pending migrations; it never prints."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: Database | None = None
        self.conn = self._connect()
        try:
            self._check_is_sqlite()
            self._migrate()
        except BaseException:
            self.conn.close()
            raise

    # -- opening -----------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if path.exists() and path.is_dir():
            raise DatabaseError(f"database path {path} is a directory, not a file")
        if not path.parent.exists():
            raise DatabaseError(f"cannot create database {path}: directory {path.parent} does not exist")
        self.read_only = path.exists() and not os.access(path, os.W_OK)
        try:
            if self.read_only:
                conn = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    timeout=BUSY_TIMEOUT_SECONDS,
                    isolation_level=None,
                )
            else:
                conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open database {path}: {exc}") from None
        conn.row_factory = sqlite3.Row
        return conn

    def _check_is_sqlite(self) -> None:
        try:
            tables = {
                row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        except sqlite3.DatabaseError:
            raise DatabaseError(
                f"{self.path} is not an SQLite database (or is damaged); it was left untouched. "
                f"Point --db or POLICYTRACK_DB at a policytrack database, or check it with "
                f"`policytrack db check`"
            ) from None
        if tables and "_sqlite_migrations" not in tables:
            raise DatabaseError(
                f"{self.path} is an SQLite database but not a policytrack one; it was left untouched"
            )
        if not self.read_only:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                raise self._write_error(exc) from None
        self.conn.execute("PRAGMA foreign_keys = ON")

    def applied_migrations(self) -> list[str]:
        try:
            rows = self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
                (MIGRATION_SET,),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [row[0] for row in rows]

    def _migrate(self) -> None:
        applied = set(self.applied_migrations())
        if all(name in applied for name in MIGRATION_NAMES):
            return
        if self.read_only:
            raise DatabaseError(
                f"database {self.path} needs upgrading to this version of policytrack but is read-only"
            )
        from policytrack.migrations import migrations

        # One immediate transaction around the check and the upgrade, so two processes opening a new
        # database at once cannot both create the schema; sqlite-utils nests its own as savepoints.
        with self.transaction():
            migrations.apply(self.db)

    @property
    def db(self) -> Database:
        """The same connection wrapped by sqlite-utils, for schema work, bulk inserts and search."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def backup(self, target: Path) -> int:
        """Copy the database with SQLite's online backup API to a new file; return the pages copied.

        Written to a temporary name beside the target and renamed, so a failed backup leaves nothing."""
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            dest = sqlite3.connect(tmp)
            try:
                self.conn.backup(dest)
                (pages,) = dest.execute("PRAGMA page_count").fetchone()
            finally:
                dest.close()
            os.replace(tmp, target)
        except (OSError, sqlite3.Error) as exc:
            tmp.unlink(missing_ok=True)
            raise DatabaseError(f"cannot write backup {target}: {exc}") from None
        return int(pages)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_error(self, exc: sqlite3.Error) -> DatabaseError:
        text = str(exc)
        if "readonly" in text or "read-only" in text:
            return DatabaseError(f"database {self.path} is read-only; commands that change it cannot run")
        if "database or disk is full" in text:
            return DatabaseError(
                f"the disk holding {self.path} is full; nothing was written. Free some space and "
                "run the command again"
            )
        if "locked" in text or "busy" in text:
            return DatabaseError(
                f"database {self.path} stayed locked by another process for "
                f"{BUSY_TIMEOUT_SECONDS:.0f} s; nothing was written. Run the command again"
            )
        return DatabaseError(
            f"database {self.path} could not be written ({text}); nothing was written. "
            "Check it with `policytrack db check`"
        )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An immediate (write-locking) transaction: all of it is written, or none of it."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from None
        try:
            yield self.conn
            if self.conn.in_transaction:  # a dry run may already have rolled back
                self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self.conn.rollback()
            raise self._write_error(exc) from None
        except BaseException:
            self.conn.rollback()
            raise

    # -- frameworks ------------------------------------------------------------------------------

    def framework_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM frameworks ORDER BY id")]

    def save_framework(self, fw: Framework, definition: str, loaded_at: str) -> int:
        """Insert or update a framework and its indicators (used only by the framework loader)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM frameworks WHERE name = ?", (fw.name,)).fetchone()
            values = (
                fw.title,
                fw.description,
                fw.source.title,
                fw.source.author,
                fw.source.outlet,
                fw.source.url,
                fw.source.note,
                fw.default_status,
                definition,
                loaded_at,
            )
            if row is None:
                cur = conn.execute(
                    """INSERT INTO frameworks (title, description, source_title, source_author,
                       source_outlet, source_url, source_note, default_status, definition,
                       loaded_at, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (*values, fw.name),
                )
                framework_id = int(cur.lastrowid or 0)
            else:
                framework_id = int(row[0])
                conn.execute(
                    """UPDATE frameworks SET title = ?, description = ?, source_title = ?,
                       source_author = ?, source_outlet = ?, source_url = ?, source_note = ?,
                       default_status = ?, definition = ?, loaded_at = ? WHERE id = ?""",
                    (*values, framework_id),
                )
            conn.execute("DELETE FROM status_levels WHERE framework_id = ?", (framework_id,))
            conn.executemany(
                """INSERT INTO status_levels (framework_id, rank, name, label, percent, description)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                [(framework_id, lv.rank, lv.name, lv.label, lv.percent, lv.description) for lv in fw.scale],
            )
            for ind in fw.indicators:
                conn.execute(
                    """INSERT INTO indicators (framework_id, key, number, title, description, kind,
                       actors, progress_signals, regression_signals, baseline, baseline_source,
                       baseline_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (framework_id, key) DO UPDATE SET number = excluded.number,
                       title = excluded.title, description = excluded.description,
                       kind = excluded.kind, actors = excluded.actors,
                       progress_signals = excluded.progress_signals,
                       regression_signals = excluded.regression_signals,
                       baseline = excluded.baseline, baseline_source = excluded.baseline_source,
                       baseline_status = excluded.baseline_status""",
                    (
                        framework_id,
                        ind.key,
                        ind.number,
                        ind.title,
                        ind.description,
                        ind.kind,
                        json.dumps(list(ind.actors)),
                        json.dumps(list(ind.progress_signals)),
                        json.dumps(list(ind.regression_signals)),
                        ind.baseline,
                        ind.baseline_source,
                        ind.baseline_status,
                    ),
                )
        return framework_id

    def add_framework_version(self, framework_id: int, loaded_at: str, sha256: str, definition: str) -> int:
        with self.transaction() as conn:
            (last,) = conn.execute(
                "SELECT coalesce(max(version), 0) FROM framework_versions WHERE framework_id = ?",
                (framework_id,),
            ).fetchone()
            conn.execute(
                "INSERT INTO framework_versions VALUES (?, ?, ?, ?, ?)",
                (framework_id, last + 1, loaded_at, sha256, definition),
            )
        return int(last) + 1

    def framework_versions(self, framework_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT version, loaded_at, sha256 FROM framework_versions
               WHERE framework_id = ? ORDER BY version""",
            (framework_id,),
        ).fetchall()

    def evidence_counts(self, framework_id: int) -> dict[str, int]:
        """Entries per indicator key, deleted ones included (they can be restored)."""
        return {
            r[0]: r[1]
            for r in self.conn.execute(
                """SELECT i.key, count(e.id) FROM indicators i LEFT JOIN entries e ON e.indicator_id = i.id
                   WHERE i.framework_id = ? GROUP BY i.id""",
                (framework_id,),
            )
        }

    def levels_in_use(self, framework_id: int) -> set[str]:
        """Status levels named by any entry (deleted ones included) or target of the framework."""
        return {
            r[0]
            for r in self.conn.execute(
                """SELECT e.status FROM entries e JOIN indicators i ON i.id = e.indicator_id
                   WHERE i.framework_id = ? AND e.status IS NOT NULL
                   UNION SELECT t.level FROM targets t JOIN indicators i ON i.id = t.indicator_id
                   WHERE i.framework_id = ?""",
                (framework_id, framework_id),
            )
        }

    def remove_indicators(self, framework_id: int, keys: list[str]) -> None:
        """Remove indicators that have no entries (the caller checks), with their targets."""
        with self.transaction() as conn:
            for key in keys:
                conn.execute(
                    """DELETE FROM targets WHERE indicator_id =
                       (SELECT id FROM indicators WHERE framework_id = ? AND key = ?)""",
                    (framework_id, key),
                )
                conn.execute("DELETE FROM indicators WHERE framework_id = ? AND key = ?", (framework_id, key))

    def framework(self, name: str) -> Framework | None:
        row = self.conn.execute("SELECT * FROM frameworks WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        scale = tuple(
            StatusLevel(r["name"], r["label"], r["percent"], r["rank"], r["description"])
            for r in self.conn.execute(
                "SELECT * FROM status_levels WHERE framework_id = ? ORDER BY rank", (row["id"],)
            )
        )
        indicators = tuple(
            Indicator(
                id=r["id"],
                key=r["key"],
                number=r["number"],
                title=r["title"],
                description=r["description"],
                kind=r["kind"],
                actors=tuple(json.loads(r["actors"])),
                progress_signals=tuple(json.loads(r["progress_signals"])),
                regression_signals=tuple(json.loads(r["regression_signals"])),
                baseline=r["baseline"],
                baseline_source=r["baseline_source"],
                baseline_status=r["baseline_status"],
            )
            for r in self.conn.execute(
                "SELECT * FROM indicators WHERE framework_id = ? ORDER BY number", (row["id"],)
            )
        )
        return Framework(
            id=row["id"],
            name=row["name"],
            title=row["title"],
            description=row["description"],
            source=Source(
                title=row["source_title"],
                author=row["source_author"],
                outlet=row["source_outlet"],
                url=row["source_url"],
                note=row["source_note"],
            ),
            scale=scale,
            indicators=indicators,
            default_status=row["default_status"],
        )

    # -- entries ---------------------------------------------------------------------------------

    def insert_entry(self, uuid: str, values: dict[str, Any], recorded_at: str, changed_by: str) -> int:
        """Store a new entry and its first revision in one transaction; return its short id."""
        with self.transaction() as conn:
            cols = ", ".join(ENTRY_COLUMNS)
            marks = ", ".join("?" for _ in ENTRY_COLUMNS)
            cur = conn.execute(
                f"INSERT INTO entries (uuid, {cols}, revision, recorded_at) VALUES (?, {marks}, 1, ?)",
                (uuid, *(values[c] for c in ENTRY_COLUMNS), recorded_at),
            )
            entry_id = int(cur.lastrowid or 0)
            self.write_revision(conn, entry_id, "create", changed_by, recorded_at)
        return entry_id

    def write_revision(self, conn: sqlite3.Connection, entry_id: int, action: str, by: str, at: str) -> None:
        cols = ", ".join(ENTRY_COLUMNS)
        conn.execute(
            f"""INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {cols})
                SELECT id, revision, ?, ?, ?, {cols} FROM entries WHERE id = ?""",
            (action, by, at, entry_id),
        )

    def update_entry(
        self, entry_id: int, values: dict[str, Any], action: str, changed_by: str, at: str
    ) -> None:
        """Change an entry's fields (or its tombstone) as a new revision; history keeps the old."""
        with self.transaction() as conn:
            assignments = [f"{c} = ?" for c in values]
            conn.execute(
                f"UPDATE entries SET {', '.join(assignments)}, revision = revision + 1 WHERE id = ?",
                (*values.values(), entry_id),
            )
            self.write_revision(conn, entry_id, action, changed_by, at)

    def entry_row(self, entry_id: int) -> sqlite3.Row:
        row = self.conn.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise _missing(entry_id)
        return row  # type: ignore[no-any-return]

    def get_entry(self, entry_id: int) -> Entry:
        row = self.conn.execute(_ENTRY_SELECT + " WHERE e.id = ?", (entry_id,)).fetchone()
        if row is None:
            raise _missing(entry_id)
        return _entry(row)

    def query_entries(
        self, where: Sequence[str], params: Sequence[Any], limit: int | None = None
    ) -> Iterator[Entry]:
        """Entries matching all `where` clauses (over aliases e, i, f), oldest first."""
        sql = _ENTRY_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        args = list(params)
        if limit is None:
            sql += " ORDER BY e.date_start, e.id"
        else:
            # The newest N, still shown oldest first.
            sql = (
                f"SELECT * FROM ({sql} ORDER BY e.date_start DESC, e.id DESC LIMIT ?) ORDER BY date_start, id"
            )
            args.append(limit)
        for row in self.conn.execute(sql, args):
            yield _entry(row)

    def revisions(self, entry_id: int) -> list[Revision]:
        current = self.get_entry(entry_id)
        # Columns named as in _ENTRY_SELECT, so one function builds an Entry from either.
        rows = self.conn.execute(
            """SELECT r.entry_id AS id, ? AS uuid, f.name AS framework, i.key AS indicator,
                      i.title AS indicator_title, r.date, r.summary, r.note, r.source, r.effect,
                      r.status, r.grade, r.tags, r.actors, r.analyst, r.revision, ? AS recorded_at,
                      CASE WHEN r.action = 'delete' THEN r.changed_at END AS deleted_at,
                      r.action, r.changed_by, r.changed_at
               FROM entry_revisions r JOIN indicators i ON i.id = r.indicator_id
               JOIN frameworks f ON f.id = i.framework_id
               WHERE r.entry_id = ? ORDER BY r.revision""",
            (current.uuid, current.recorded_at, entry_id),
        ).fetchall()
        return [
            Revision(r["revision"], r["action"], r["changed_by"], r["changed_at"], _entry(r)) for r in rows
        ]
