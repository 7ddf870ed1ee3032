"""Import: records (from exchange.readers) validated like `log` and merged by uuid into the database.

Every row is validated with the same rules as `log`. All of it runs in one transaction that is rolled back
if any row is bad (or on a dry run, a crash or Ctrl-C), so an import writes everything or nothing, while
memory stays flat however large the file.
"""

from __future__ import annotations

import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from policytrack.core.errors import DatabaseError, InputError, PolicytrackError
from policytrack.core.i18n import _
from policytrack.domain.entries import duplicate_of, folded
from policytrack.domain.redaction import refuse_redacted_text
from policytrack.exchange.readers import Record
from policytrack.exchange.rowcheck import RowChecker
from policytrack.records.columns import (
    ENTRY_COLUMNS,
)
from policytrack.records.models import MAX_ID
from policytrack.store import Store
from policytrack.store.bulk import bulk_search_index, deferred_indexes

MAX_SHOWN_ERRORS = 20
BATCH = 2000


class ImportRowsError(PolicytrackError):
    """Rows of an import file are invalid; nothing was written."""

    def __init__(self, source: str, errors: list[str], total: int) -> None:
        self.errors, self.total = errors, total
        super().__init__(f"{source}: {total} invalid row(s); nothing was imported")


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rows: int = 0
    dry_run: bool = False
    duplicates: int = 0  # rows without a uuid that repeat a current entry (or an earlier row): skipped

    def summary(self) -> str:
        text = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        if self.conflicts:
            text += f", {self.conflicts} kept local (the database's revision is newer)"
        if self.duplicates:
            text += f", {self.duplicates} duplicates skipped (--allow-duplicates adds them)"
        return text + (" (dry run: nothing written)" if self.dry_run else "")


# -- validating and applying -------------------------------------------------------------------


class _Importer:
    def __init__(
        self, store: Store, default_framework: str | None, today: date, allow_duplicates: bool = False
    ) -> None:
        self.store = store
        self.allow_duplicates = allow_duplicates
        # (indicator id, date, folded summary) of the rows without uuid added by this import
        self.added_keys: set[tuple[int, str, str]] = set()
        self.rows = RowChecker(store, default_framework, today)
        # Read under the import's write lock (the caller's BEGIN IMMEDIATE): read before it, a `log` in
        # another process could take the same id first.
        self.next_id = store.last_entry_id() + 1
        # Into a database with no entries (tombstones are entries too), no uuid of the file can be known
        # (the file's are checked to be distinct) and no id taken but this import's own (used_ids).
        self.was_empty = self.next_id == 1

    def flush(self, batch: list[tuple[dict[str, Any], dict[str, Any]]], result: ImportResult) -> None:
        """Merge a batch of checked rows: one lookup for known uuids and one for taken ids (none is needed
        into a database that had no entries), then the new entries in one executemany, and their first
        revisions and search rows copied in SQL (the per-row cost was the bottleneck)."""
        known: dict[str, sqlite3.Row] = {}
        if not self.was_empty:
            known = self.store.entries_by_uuid([ident["uuid"] for _, ident in batch if ident["uuid"]])
        # the ids taken: by the database, or by an earlier batch of this import (written already)
        taken = self.store.ids_in_use(
            [ident["id"] for _, ident in batch if ident["id"] is not None and ident["uuid"] not in known]
        )
        # no row puts text back into a field redacted of its entry (held here, or received for it)
        refuse_redacted_text(
            self.store,
            {ident["uuid"]: values for values, ident in batch if ident["uuid"]},
            _("leave {field} empty, or as this database holds it, in the file's row for that entry"),
        )
        used: set[int] = set()  # by this batch
        entries = []
        for values, ident in batch:
            local = known.get(ident["uuid"])
            if local is not None:
                self._merge(local, values, ident, result)
                continue
            if not ident["uuid"] and not self.allow_duplicates and self._duplicate(values):
                result.duplicates += 1
                continue
            entry_id = ident["id"]
            if entry_id is None or entry_id < 1 or entry_id in taken or entry_id in used:
                # the short id is taken here: the entry gets a new one, its uuid stays
                entry_id = self.next_id
            if entry_id > MAX_ID:
                raise DatabaseError(
                    _("this database's ids have reached {max}; import into a new database instead").format(
                        max=f"{MAX_ID:,}"
                    )
                )
            used.add(entry_id)
            self.next_id = max(self.next_id, entry_id + 1)
            entries.append(
                (
                    entry_id,
                    ident["uuid"] or str(uuidlib.uuid4()),
                    *_stored(values),
                    ident["revision"] or 1,
                    ident["recorded_at"],
                    ident["deleted_at"],
                )
            )
            result.added += 1
        self.store.insert_imported(entries, self.rows.analyst, self.rows.now)

    def _duplicate(self, values: dict[str, Any]) -> bool:
        """A row without uuid that repeats a current entry (or a row this import added): a hand-made file
        imported twice adds nothing the second time."""
        key = (values["indicator_id"], values["date"], folded(values["summary"]))
        if key in self.added_keys or (not self.was_empty and duplicate_of(self.store, values) is not None):
            return True
        self.added_keys.add(key)
        return False

    def _merge(
        self, local: sqlite3.Row, values: dict[str, Any], ident: dict[str, Any], result: ImportResult
    ) -> None:
        """An entry this database already has: unchanged, a newer revision of it, or a conflict."""
        same = all(local[k] == values[k] for k in values) and local["deleted_at"] == ident["deleted_at"]
        if same:
            result.unchanged += 1
            return
        revision = ident["revision"]
        if revision is not None and revision <= local["revision"]:
            result.conflicts += 1
            return
        if revision is None and local["deleted_at"] is not None:
            # a deleted entry comes back only from a row that says it is live at a newer revision, not
            # from a stale copy without one (an old export, a hand-made file)
            result.conflicts += 1
            return
        changes = {**values, "deleted_at": ident["deleted_at"], "revision": revision or local["revision"] + 1}
        self.store.update_imported(local["id"], changes, self.rows.analyst, self.rows.now)
        result.updated += 1


_stored = itemgetter(*ENTRY_COLUMNS)


def _decoded(records: Iterator[Record], source: str) -> Iterator[Record]:
    """Turn a decoding failure in the middle of a file into one clear error."""
    number = 0
    try:
        for number, rec in records:
            yield number, rec
    except OSError as exc:
        raise InputError(
            _("cannot read {source}: {why}").format(source=source, why=exc.strerror or exc)
        ) from None
    except UnicodeDecodeError as exc:
        where = _("after line {n}").format(n=number) if number else _("near the start")
        raise InputError(
            _(
                "{source} is not UTF-8 (byte 0x{byte} {where}; it may be Latin-1 or Windows-1252): save it "
                "as UTF-8"
            ).format(source=source, byte=f"{exc.object[exc.start]:02x}", where=where)
        ) from None


def import_records(
    store: Store,
    records: Iterator[Record],
    *,
    source: str,
    framework: str | None = None,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    writing: Callable[[], None] | None = None,
    allow_duplicates: bool = False,
) -> ImportResult:
    """Validate and merge every record; raise ImportRowsError (nothing written) if any is invalid.
    `progress(rows)` is called for each row read, `writing()` once all are read and checked, before the
    indexes are finished and the transaction committed (seconds, for a large file)."""
    result = ImportResult(dry_run=dry_run)
    errors: list[str] = []
    total_errors = 0
    # the uuids read since the last check, with their lines: checked against the earlier ones in batches
    pending: dict[str, int] = {}
    batch: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def repeated() -> int:
        """Record an error for each pending uuid the file held before; how many there were."""
        found = store.repeated_uuids(list(pending))
        for uuid in sorted(found, key=pending.__getitem__):
            if len(errors) < MAX_SHOWN_ERRORS:
                errors.append(f"line {pending[uuid]}: uuid {uuid} appears twice in the file")
        pending.clear()
        return len(found)

    store.large_cache()
    with store.transaction(), bulk_search_index(store.conn), deferred_indexes(store.conn):
        importer = _Importer(store, framework, today or date.today(), allow_duplicates)
        for number, rec in _decoded(records, source):
            result.rows += 1
            if progress is not None:
                progress(result.rows)
            try:
                values, ident = importer.rows.values(rec)
                if ident["uuid"]:
                    if ident["uuid"] in pending:
                        raise InputError(
                            _("uuid {uuid} appears twice in the file").format(uuid=ident["uuid"])
                        )
                    pending[ident["uuid"]] = number
            except PolicytrackError as exc:
                total_errors += 1
                if len(errors) < MAX_SHOWN_ERRORS:
                    errors.append(f"line {number}: {exc}")
                continue
            if not total_errors:  # after the first bad row, only validate
                batch.append((values, ident))
            if len(pending) >= BATCH or len(batch) >= BATCH:
                total_errors += repeated()
                if batch and not total_errors:
                    importer.flush(batch, result)
                batch.clear()
        total_errors += repeated()
        store.forget_seen_uuids()
        if batch and not total_errors:
            importer.flush(batch, result)
        if writing is not None and not total_errors and not dry_run:
            writing()
        if total_errors:
            store.rollback()
            raise ImportRowsError(source, errors, total_errors)
        if dry_run:
            store.rollback()
    return result
