"""The Store: one SQLite file, migrated on open, holding frameworks, indicators and evidence with history.

Plain sqlite3 serves the everyday commands; sqlite-utils (slow to import) is loaded only to apply
migrations or when `Store.db` is asked for.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from policytrack.core.errors import DatabaseError
from policytrack.core.i18n import _
from policytrack.store.bulk import BulkRows
from policytrack.store.changes import ChangeRows
from policytrack.store.digests import DigestRows
from policytrack.store.entries import EntryRows
from policytrack.store.forecasts import ForecastRows
from policytrack.store.frameworks import FrameworkRows
from policytrack.store.inbox import InboxRows
from policytrack.store.judgements import JudgementRows
from policytrack.store.redactions import RedactionRows
from policytrack.store.reports import ReportRows
from policytrack.store.signing import SigningRows
from policytrack.store.sources import SourceRows
from policytrack.store.sync import SyncRows
from policytrack.store.syncshared import SharedRows

if TYPE_CHECKING:
    from sqlite_utils import Database

# Keep in step with policytrack.store.migrations (tests/test_store.py checks it).
MIGRATION_SET = "policytrack"
MIGRATION_NAMES = (
    "m001_initial",
    "m002_targets_and_report_index",
    "m003_assessments_index",
    "m004_framework_versions",
    "m005_search_and_view",
    "m006_undo",
    "m007_sources_events",
    "m008_sync",
    "m009_forecasts",
    "m009_signals",
    "m009_reviews",
    "m010_shared_record",
    "m011_one_order_and_sources_view",
    "m012_quarter_precision",
    "m013_returned_entries",
    "m014_order_index",
    "m015_inbox",
    "m016_unbound_lines",
    "m017_page_indexes",
    "m018_signed_teams",
    "m019_redactions",
    "m020_candidates_by_dataset",
    "m021_dataset_pulls",
    "m022_languages",
    "m023_inbox_counts",
    "m024_entry_counts",
    "m025_sync_conflict_index",
    "m026_sync_revisions_without_rowid",
    "m026_entry_digests",
    "m027_decision_datasets",
)

BUSY_TIMEOUT_SECONDS = 30.0

__all__ = ["MIGRATION_NAMES", "Store", "connect_read_only"]


def connect_read_only(path: Path, *, timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
    """The one read-only open of a database file (this one, one to check, or one to import from). Where
    SQLite cannot make the -shm file a WAL database needs (a read-only folder), the file is opened as
    immutable: nobody can be writing it there. A lock is waited for up to `timeout` seconds (shell
    completion waits for none). Raises sqlite3.Error when it is not usable."""
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            raise
    except sqlite3.OperationalError:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            # immutable reads the main file alone: the changes still in the -wal would silently vanish
            raise sqlite3.OperationalError(
                _(
                    "{path} has changes in {wal} that SQLite cannot read in a read-only folder; copy "
                    "{name} and {wal} together to a writable folder and open the copy"
                ).format(path=path, wal=wal.name, name=path.name)
            ) from None
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    return conn


def integrity_problems(path: Path) -> list[str]:
    """What SQLite's integrity and foreign-key checks find wrong in a database file, what its migrations
    made that is missing from it (store/schema.py), and the counts kept by triggers that differ from their
    rows (store/counts.py) and the stored entry digests that differ from a recomputation (store/digests.py),
    read-only (an empty list: none). Raises sqlite3.Error when it cannot be read
    at all."""
    from policytrack.store import counts, digests, schema

    conn = connect_read_only(path)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [
            _("foreign key: {table} row {row} points to a missing {parent}").format(
                table=table, row=rowid, parent=parent
            )
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
        ]
        kept = {table.table for table in counts.missing_tables(conn)}  # named by counts, with its fix
        problems += [schema.message(gone) for gone in schema.missing(conn) if gone.name not in kept]
        if schema.lost_tables(conn) - kept:  # what the counts and digests are recomputed from may be gone
            problems += [counts.missing_message(table) for table in counts.missing_tables(conn)]
        else:
            problems += counts.problems(conn)
            if not schema.newer(conn):  # a newer version's digests may hash a line this one does not make
                problems += digests.problems(conn)
    finally:
        conn.close()
    return problems


class Store(
    FrameworkRows,
    EntryRows,
    ReportRows,
    BulkRows,
    ChangeRows,
    SourceRows,
    ForecastRows,
    JudgementRows,
    SyncRows,
    SharedRows,
    SigningRows,
    InboxRows,
    RedactionRows,
    DigestRows,
):
    """A policytrack database. Opening it applies pending migrations; it never prints."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: Database | None = None
        # Why this database may be read but not changed (None: it may be changed); transaction() says it.
        self.read_only_reason: str | None = None
        # Where the database was copied before this open upgraded its schema (None: no upgrade).
        self.upgrade_backup: Path | None = None
        # A newer policytrack made a step of its schema: what it keeps (the entries' digests) may follow
        # rules this version does not know, so it is read around, never trusted (store.digests).
        self.newer_schema = False
        self.conn = self._connect()
        try:
            self._check_is_sqlite()
            self._migrate()
        except BaseException:
            self.conn.close()
            raise

    # -- opening -----------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if path.exists() and path.is_dir():
            raise DatabaseError(_("database path {path} is a directory, not a file").format(path=path))
        if path.exists() and not path.is_file():  # a device or FIFO: SQLite would write files beside it
            raise DatabaseError(
                _("database path {path} is not a regular file; point --db at a database file").format(
                    path=path
                )
            )
        if not path.parent.exists():
            raise DatabaseError(
                _("cannot create database {path}: directory {parent} does not exist").format(
                    path=path, parent=path.parent
                )
            )
        if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR):
            self.read_only_reason = _(
                "database {path} is read-only; commands that change it cannot run"
            ).format(path=path)
        elif path.exists() and not os.access(path.parent, os.W_OK):
            # SQLite writes its -wal and -shm files beside the database
            self.read_only_reason = _(
                "database {path} is in a read-only folder ({folder}), where SQLite cannot keep its "
                "journal; commands that change it cannot run: copy it to a writable folder"
            ).format(path=path, folder=path.parent)
        try:
            if self.read_only:
                conn = connect_read_only(path)
            else:
                conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseError(
                _(
                    "cannot open database {path}: {exc}; point --db at a policytrack database, or check "
                    "it with `policytrack db check`"
                ).format(path=path, exc=exc)
            ) from None
        conn.row_factory = sqlite3.Row
        return conn

    def _check_is_sqlite(self) -> None:
        try:
            tables = {
                row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        except sqlite3.DatabaseError:
            raise DatabaseError(
                _(
                    "{path} is not an SQLite database (or is damaged); it was left untouched. Point --db "
                    "or POLICYTRACK_DB at a policytrack database, or check it with `policytrack db check`"
                ).format(path=self.path)
            ) from None
        if tables and "_sqlite_migrations" not in tables:
            raise DatabaseError(
                _("{path} is an SQLite database but not a policytrack one; it was left untouched").format(
                    path=self.path
                )
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
        applied = self.applied_migrations()
        unknown = [name for name in applied if name not in MIGRATION_NAMES]
        if unknown:
            from policytrack import __version__  # only to name it in this message

            self.newer_schema = True

            self.read_only_reason = _(
                "database {path} was upgraded by a newer policytrack (schema step {step}, unknown to "
                "policytrack {version}); it can be read but not changed: upgrade policytrack"
            ).format(path=self.path, step=unknown[0], version=__version__)
            return
        pending = [name for name in MIGRATION_NAMES if name not in applied]
        if not pending:
            return
        if self.read_only_reason and not applied:
            raise DatabaseError(
                _(
                    "{read_only_reason}; it is empty, so there is nothing to read: point --db at a "
                    "database that holds entries"
                ).format(read_only_reason=self.read_only_reason)
            )
        if self.read_only_reason:
            raise DatabaseError(
                _(
                    "{read_only_reason}; it also needs upgrading to this version of policytrack: make it "
                    "writable once, or copy it to a writable folder"
                ).format(read_only_reason=self.read_only_reason)
            )
        from policytrack.store.migrations import migrations  # sqlite-utils: ~100 ms, only to migrate

        if applied:  # an existing database: keep a copy as it was (not inside the write lock, where
            # SQLite's backup would wait for it forever)
            self.upgrade_backup = self._backup_before(pending[0])
        # One immediate transaction around the check and the upgrade, so two processes opening a new
        # database at once cannot both create the schema; sqlite-utils nests its own as savepoints.
        with self.transaction():
            migrations.apply(self.db)

    def _backup_before(self, step: str) -> Path:
        """Copy the database, as it is before an upgrade, beside it (SQLite's online backup)."""
        target = self.path.with_name(f"{self.path.name}.before-{step}")
        number = 1
        while target.exists():
            number += 1
            target = self.path.with_name(f"{self.path.name}.before-{step}.{number}")
        try:
            dest = sqlite3.connect(target)
            try:
                self.conn.backup(dest)
            finally:
                dest.close()
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise DatabaseError(
                _(
                    "cannot copy {path} to {target} before upgrading it ({exc}); nothing was changed: "
                    "free some space and run the command again"
                ).format(path=self.path, target=target, exc=exc)
            ) from None
        return target

    @property
    def db(self) -> Database:
        """The same connection wrapped by sqlite-utils, for the migrations (sqlite-utils loads only then)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def backup(self, target: Path) -> int:
        """Copy the database with SQLite's online backup API into `target` (a new or empty file: callers
        give a temporary one and rename it: cli.output.atomic_path); return the pages copied."""
        try:
            dest = sqlite3.connect(target)
            try:
                self.conn.backup(dest)
                (pages,) = dest.execute("PRAGMA page_count").fetchone()
            finally:
                dest.close()
        except sqlite3.Error as exc:
            raise DatabaseError(
                _("cannot write backup {target}: {exc}").format(target=target, exc=exc)
            ) from None
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
            return DatabaseError(
                _("database {path} is read-only; commands that change it cannot run").format(path=self.path)
            )
        if "database or disk is full" in text:
            return DatabaseError(
                _(
                    "the disk holding {path} is full; nothing was written. Free some space and run the "
                    "command again"
                ).format(path=self.path)
            )
        if "locked" in text or "busy" in text:
            return DatabaseError(
                _(
                    "database {path} stayed locked by another process for {seconds} s; nothing was "
                    "written. Run the command again"
                ).format(path=self.path, seconds=f"{BUSY_TIMEOUT_SECONDS:.0f}")
            )
        return DatabaseError(
            _(
                "database {path} could not be written ({reason}); nothing was written. Check it with "
                "`policytrack db check`"
            ).format(path=self.path, reason=text)
        )

    def rollback(self) -> None:
        """Undo the open transaction (a dry run, or rows found bad): nothing of it is written."""
        self.conn.rollback()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction: every query inside sees the database as it was at one moment."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")  # it only read

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An immediate (write-locking) transaction: all of it is written, or none of it."""
        if self.conn.in_transaction:
            yield self.conn
            return
        if self.read_only_reason:
            raise DatabaseError(self.read_only_reason)
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
