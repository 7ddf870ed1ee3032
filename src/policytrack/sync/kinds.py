"""The records that travel through `policytrack sync`, one JSON object per line, and how each kind is
written from this database, checked when read, and merged into it.

RECORD_KINDS is the one list of what travels, in the order a sync applies it (a framework before the
targets and entries that name its indicators, sources before the entries that cite them). A new kind is one
RecordKind (here or in a module of its own: sync/sources.py, sync/forecasts.py, sync/analysts.py) and one
name in that tuple.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import FrameworkError, InputError
from policytrack.core.grades import grade_weight
from policytrack.core.i18n import _
from policytrack.records.columns import LIST_FIELDS, SYNCED_COLUMNS, SYNCED_REVISION
from policytrack.records.entry import REVERSAL
from policytrack.records.framework import FRAMEWORK_VERSION
from policytrack.records.redaction import REDACTABLE
from policytrack.records.target import TARGET_LINE
from policytrack.store import Store
from policytrack.store.redactions import marker_of
from policytrack.store.syncshared import synced_target_columns
from policytrack.sync.analysts import ANALYSTS
from policytrack.sync.decisions import DECISIONS
from policytrack.sync.forecasts import FORECASTS
from policytrack.sync.record import (
    Built,
    Incoming,
    LineProblem,
    NewerRecord,
    Received,
    Record,
    RecordKind,
    Sender,
    bound_sql,
    event_id,
    line_sql,
    line_text,
    shared,
    unknown,
)
from policytrack.sync.redactions import REDACTIONS, redacted_rows
from policytrack.sync.sources import SOURCES, stub_source

__all__ = ["RECORD_KINDS", "Incoming", "Received", "check_record", "event_id", "line_text"]

# -- framework versions ----------------------------------------------------------------------------

# A loaded version of a framework as sync sends it: its synced fields (not this database's number for it).
_FRAMEWORK = FRAMEWORK_VERSION.subset(
    "synced framework", FRAMEWORK_VERSION.description, FRAMEWORK_VERSION.names(synced=True)
)


def _check_framework(record: Record) -> None:
    if hashlib.sha256(record["definition"].encode()).hexdigest() != record["sha256"]:
        raise InputError(_("sha256 does not match the definition"))


def _framework_out(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    return [(shared("framework", _FRAMEWORK, dict(r)), None) for r in store.all_framework_versions()]


def _framework_apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    """A framework new here is added; a version loaded later than this database's current one becomes
    current (the latest load wins everywhere); an older one is kept as history."""
    from policytrack.domain.frameworks.install import install_definition

    for item in sorted(records, key=lambda i: (i.record["loaded_at"], i.event)):
        rec = item.record
        shas, latest = store.latest_framework_load(rec["name"])
        if rec["sha256"] in shas:
            continue
        label = Path(f"framework {rec['name']}")
        try:
            if latest is None or rec["loaded_at"] > latest:
                install_definition(
                    store, rec["definition"], label, rec["loaded_at"], update=latest is not None
                )
            else:
                framework = store.framework(rec["name"])
                assert framework is not None and framework.id is not None
                store.add_framework_version(framework.id, rec["loaded_at"], rec["sha256"], rec["definition"])
        except FrameworkError as exc:  # the file's own message, with where it came from
            raise LineProblem(item.where, str(exc)) from None


FRAMEWORKS = RecordKind("framework", _FRAMEWORK, _check_framework, _framework_out, _framework_apply)

# -- targets ---------------------------------------------------------------------------------------

# What a target row stores that travels (its indicator travels by framework and key). Two targets whose
# authors had seen as many (`seen`), with different values, were set apart: a conflict, until a target set
# after seeing both.
_TARGET_VALUES = synced_target_columns()


def _check_target(record: Record) -> None:
    return None  # every rule of a target line is its declaration's (an empty level withdraws it)


def _target_out(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    return [(shared("target", TARGET_LINE, dict(r)), None) for r in store.all_target_rows()]


def _target_apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    indicators = store.indicator_ids()
    levels = store.framework_levels()
    for item in records:
        rec = item.record
        indicator_id = indicators.get((rec["framework"], rec["indicator"]))
        if indicator_id is None:
            raise unknown(
                item.where,
                _("indicator {indicator!r} of framework {framework!r}").format(
                    indicator=rec["indicator"], framework=rec["framework"]
                ),
            )
        if rec["level"] and rec["level"] not in levels.get(rec["framework"], set()):
            raise unknown(
                item.where,
                _("status level {level!r} of framework {framework!r}").format(
                    level=rec["level"], framework=rec["framework"]
                ),
            )
        values = [rec[k] for k in _TARGET_VALUES]
        if not store.has_target(indicator_id, values):  # this database's own, sent before
            store.insert_target_row(indicator_id, values, rec["seen"])


TARGETS = RecordKind("target", TARGET_LINE, _check_target, _target_out, _target_apply)

# -- entry revisions -------------------------------------------------------------------------------

# A revision travels as records.columns.SYNCED_REVISION: what it stores (SYNCED_COLUMNS), its indicator by
# framework name and key rather than this database's id, its registered sources by key rather than id,
# without the grade's weight (derived from the grade), with the change that made it and its tombstone.
_STATE = SYNCED_COLUMNS
_LIST_COLUMNS = tuple(c for c in _STATE if c in LIST_FIELDS)
# Entries whose revisions are read at a time when sending (each page read whole, then turned into lines).
PAGE = 1000
# An empty list as stored: most lists of most entries (json.dumps per list was a third of _as_row).
_NO_ITEMS = json.dumps([])
# stored as 0 or 1, sent as false or true
_BOOLEAN_COLUMNS = tuple(c for c in _STATE if SYNCED_REVISION[c].type == "boolean")
# What a revision an undo or a revert made carries of it: the command, then the reversed revision's name.
_REVERSAL = REVERSAL.names()


def _check_entry(record: Record) -> None:
    """What the declaration does not say: the date's three forms agree, there is a summary, and a reversal's
    mark is whole and names an earlier revision."""
    if not record["summary"].strip():
        raise InputError(_("summary must not be empty"))
    forms = _date_forms(record["date"]) if type(record["date"]) is str else None
    if forms is None:
        raise InputError(_("date must be YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD"))
    if forms != (record["date"], record["date_start"], record["date_precision"]):
        raise InputError(_("date, date_start and date_precision do not agree"))
    given = [record[name] is not None for name in _REVERSAL]
    if any(given) and not all(given):
        raise InputError(
            _("{fields} must be given together (an undo's or a revert's) or not at all").format(
                fields=", ".join(_REVERSAL)
            )
        )
    # No reversal reverses itself, and an undo takes back a revision its database held before it: its own
    # analyst's earlier change, or the create of an entry an inbox accept made that `conflicts resolve`
    # takes back (domain.triage.keep_side), numbered before it (_order: the authored number first). A revert
    # may go back to a teammate's revision numbered higher: its author's database may hold revisions this
    # one set aside.
    if all(given) and (
        (record["reversal_revision"], record["reversal_changed_at"])
        == (record["revision"], record["changed_at"])
        or (record["reversal"] == "undo" and record["reversal_revision"] >= record["revision"])
    ):
        raise InputError(
            _(
                "its {command} names revision {named}, not one before its own ({revision}): an undo or a "
                "revert reverses an earlier revision (a forged line)"
            ).format(
                command=record["reversal"], named=record["reversal_revision"], revision=record["revision"]
            )
        )


@lru_cache(maxsize=1 << 16)  # lines of one period share their dates; the answer is the value's alone
def _date_forms(value: str) -> tuple[str, str, str] | None:
    """A stored date's three forms as a line carries them (date, date_start, date_precision); None when
    it is not a date."""
    try:
        day = PartialDate.from_stored(value)
    except (ValueError, TypeError, AttributeError):
        return None
    return str(day), day.start.isoformat(), day.precision


def _deleted_after(action: str, changed_at: str, previous: str | None) -> str | None:
    """The one rule of an entry's tombstone along its history, in every database (the lines sent, the
    merge, conflicts and undo follow it): a delete deletes, a create or a restore brings back, anything
    else leaves it as it was. An edit made apart from a delete leaves the entry deleted: a conflict, which
    a restore settles."""
    if action == "delete":
        return changed_at
    if action in ("create", "restore"):
        return None
    return previous


def _tombstone(revisions: Sequence[dict[str, Any]]) -> str | None:
    """An entry's tombstone after its revisions in order; an import says its own (its line's deleted_at,
    or for this database's last stored revision the entry row's)."""
    deleted: str | None = None
    for rev in revisions:
        if rev["action"] == "import" and "deleted_at" in rev:
            deleted = rev["deleted_at"]
        else:
            deleted = _deleted_after(rev["action"], rev["changed_at"], deleted)
    return deleted


# A revision's line and its binding, built by SQLite (store.SyncRows.unsent_revision_lines); the bytes are
# line_text(shared(...))'s, which tests/test_sync_lines.py holds them to.
_LINE_SQL = line_sql("entry", SYNCED_REVISION)
_BOUND_SQL = bound_sql(SYNCED_REVISION)


def _entry_out(store: Store, sender: Sender) -> Iterator[tuple[Built, Any]]:
    """The revisions the repository lacks, entry by entry in the one order (every revision of such an
    entry is read, to know its state), a page of entries at a time: memory stays flat however many."""
    if store.all_revisions_sent():  # a sync with nothing new reads no history
        return
    for page in store.unsent_revision_lines(_LINE_SQL, _BOUND_SQL, sender.analyst, PAGE):
        for text, entry_id, revision, authored, bound in page:
            yield Built(text, bool(bound)), (entry_id, revision, authored)


def _entry_sent(store: Store, items: list[tuple[Any, str, Record]]) -> None:
    store.mark_revisions_synced([(*ref, event) for ref, event, _ in items])


def _order(rev: dict[str, Any]) -> tuple[int, str, str, str]:
    """The one rule that orders an entry's history in every database: the author's revision number (an
    edit made after another was seen comes after it), then when, then who, then the record itself. The
    last is the current revision; two with the same number were made apart: a conflict."""
    return (rev["authored"], rev["changed_at"], rev["changed_by"], rev["event_id"] or "")


def _as_row(item: Incoming, indicator_id: int, sources: dict[str, int], store: Store) -> dict[str, Any]:
    """A revision as this database stores it: its indicator, and its registered sources (a key this
    database lacks, from a teammate whose policytrack sent no registry, is a stub until it arrives: the
    citation is never lost, and an edit here sends it back unchanged)."""
    rec = item.record

    def linked(key: str | None) -> int | None:
        if not key:
            return None
        if key not in sources:
            sources[key] = stub_source(store, key, rec["changed_at"])
        return sources[key]

    return {
        **{c: rec[c] for c in _STATE},
        **{c: _NO_ITEMS if rec[c] == [] else json.dumps(rec[c]) for c in _LIST_COLUMNS},
        **{c: int(rec[c]) for c in _BOOLEAN_COLUMNS},
        "source_id": linked(rec["source_key"]),
        "via_id": linked(rec["via_key"]),
        "weight": grade_weight(rec["grade"]),
        "indicator_id": indicator_id,
        "action": rec["action"],
        "changed_by": rec["changed_by"],
        "changed_at": rec["changed_at"],
        "deleted_at": rec["deleted_at"],
        "authored": rec["revision"],
        "event_id": item.event,
        **{c: rec[c] for c in _REVERSAL},
    }


def _entry_apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    indicators = store.indicator_ids()
    levels = store.framework_levels()
    sources = store.source_ids_by_key()
    by_uuid: dict[str, list[dict[str, Any]]] = {}
    recorded: dict[str, str] = {}
    for item in records:
        rec = item.record
        indicator_id = indicators.get((rec["framework"], rec["indicator"]))
        if indicator_id is None:
            raise unknown(
                item.where,
                _("indicator {indicator!r} of framework {framework!r}").format(
                    indicator=rec["indicator"], framework=rec["framework"]
                ),
            )
        if rec["status"] is not None and rec["status"] not in levels.get(rec["framework"], set()):
            raise unknown(
                item.where,
                _("status level {level!r} of framework {framework!r}").format(
                    level=rec["status"], framework=rec["framework"]
                ),
            )
        by_uuid.setdefault(rec["uuid"], []).append(_as_row(item, indicator_id, sources, store))
        recorded.setdefault(rec["uuid"], rec["recorded_at"])
    redacted_rows(store, by_uuid, _order)  # a redaction held here is a standing rule: the text never lands
    local = store.entry_ids_by_uuid(list(by_uuid))
    stored = store.revisions_of(list(local.values()))
    new_entries = []
    reversed_in: list[tuple[int, list[dict[str, Any]]]] = []  # new entries an undo or revert touched
    already: list[tuple[int, int, int, str]] = []
    updated: list[int] = []
    for uuid, incoming in by_uuid.items():
        entry_id = local.get(uuid)
        if entry_id is None:
            history = sorted(incoming, key=_order)
            history[-1] = {**history[-1], "deleted_at": _tombstone(history)}
            new_entries.append((uuid, recorded[uuid], history))
            if any(rev.get("reversal") is not None for rev in history):
                reversed_in.append((len(new_entries) - 1, history))
            continue
        mine = _by_key(stored.get(entry_id, []))
        matched = [
            (entry_id, same["revision"], r["authored"], r["event_id"])
            for r in incoming
            if (same := _same_revision(mine, r)) is not None
        ]
        if len(matched) == len(incoming):  # this database's own revisions, read back from its file
            already += matched
        elif _merge(store, entry_id, incoming):
            updated.append(entry_id)
    store.mark_revisions_synced(already)
    received.updated(updated)
    ids = store.insert_synced_entries(new_entries)
    if ids:
        received.new(ids.start, ids.stop - 1)
    store.add_entry_reversals(
        reversal for number, history in reversed_in for reversal in _reversals(ids[number], history, history)
    )


def _reversals(
    entry_id: int, history: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[tuple[int, str, int, int, str, str]]:
    """For each revision of `new` (received, in `history`, an entry's revisions in order) that an undo or
    a revert made: (the entry, the command, the local number of the revision it reversed, its own, who,
    when). The reversed revision is named by its authored number and time (sync.validate made sure it is
    there; two the same, made apart, the first)."""
    numbers: dict[tuple[int, str], int] = {}
    for number, rev in enumerate(history, start=1):
        numbers.setdefault((rev["authored"], rev["changed_at"]), number)
    made = {id(rev): number for number, rev in enumerate(history, start=1)}
    return [
        (entry_id, rev["reversal"], numbers[reversed_], made[id(rev)], rev["changed_by"], rev["changed_at"])
        for rev in new
        if rev.get("reversal") is not None
        and (reversed_ := (rev["reversal_revision"], rev["reversal_changed_at"])) in numbers
    ]


def _key(rev: dict[str, Any]) -> tuple[Any, ...]:
    """What names a revision of an entry in every database: its authored number, when, who and the
    action (a revision's line may be rewritten, its redacted text taken out: its bytes are not its name)."""
    return (rev["authored"], rev["changed_at"], rev["changed_by"], rev["action"])


def _by_key(revisions: Sequence[dict[str, Any]]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    found: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for rev in revisions:
        found.setdefault(_key(rev), []).append(rev)
    return found


def _same_revision(
    mine: dict[tuple[Any, ...], list[dict[str, Any]]], rev: dict[str, Any]
) -> dict[str, Any] | None:
    """The revision this database holds that `rev` is (read back from its own file, or a teammate's line
    rewritten when a redaction took text out of it): the same name (_key) and the same state, but where
    one of the two holds a redaction's marker in place of the other's text. None: a revision new here."""
    for held in mine.get(_key(rev), ()):
        if all(_same_value(c, held[c], rev[c]) for c in _STATE):
            return held
    return None


def _same_value(column: str, held: Any, value: Any) -> bool:
    if held == value:
        return True
    if column not in REDACTABLE:
        return False
    marker = marker_of(column)
    return (held == marker and value not in _EMPTY) or (value == marker and held not in _EMPTY)


# What a field holds when it holds no text (a redaction leaves it as it is).
_EMPTY = (None, "", "[]")


def _merge(store: Store, entry_id: int, incoming: list[dict[str, Any]]) -> bool:
    """Merge revisions into an entry this database has; True if its history changed. A record this
    database wrote itself (read back from its own file) only gets its event id recorded."""
    history = store.synced_revisions(entry_id)
    was = store.entry_row(entry_id)["deleted_at"]
    history[-1]["deleted_at"] = was  # what the stored history left (an import's own tombstone included)
    mine = _by_key(history)
    new = []
    for rev in incoming:
        same = _same_revision(mine, rev)
        if same is not None:
            same["event_id"] = rev["event_id"]
        else:
            new.append(rev)
    merged = sorted([*history, *new], key=_order)
    keep = 0
    while keep < len(history) and merged[keep] is history[keep]:
        keep += 1
    store.write_history(entry_id, merged, keep)
    if any(rev.get("reversal") is not None for rev in new):
        store.add_entry_reversals(_reversals(entry_id, merged, new))
    if not new:
        return False
    last = merged[-1]
    deleted = _tombstone(merged)
    if last is not history[-1] or deleted != was:
        store.set_entry_state(entry_id, {**last, "deleted_at": deleted}, len(merged))
    else:
        store.conn.execute("UPDATE entries SET revision = ? WHERE id = ?", (len(merged), entry_id))
    return True


ENTRIES = RecordKind(
    "entry", SYNCED_REVISION, _check_entry, _entry_out, _entry_apply, _entry_sent, own_only=True
)

# The records that travel, in the order they are applied: what others name (frameworks, sources) first.
# A redaction after the entries: the revisions that arrive with it are in when it is applied; decisions
# after the entries their accepts made.
RECORD_KINDS: tuple[RecordKind, ...] = (
    FRAMEWORKS,
    SOURCES,
    ANALYSTS,
    TARGETS,
    FORECASTS,
    ENTRIES,
    REDACTIONS,
    DECISIONS,
)
BY_KIND = {kind.name: kind for kind in RECORD_KINDS}


def check_record(record: Any, now: datetime | None = None) -> tuple[RecordKind, Record]:
    """The kind of a parsed line and the record, every field present (a missing one at its default) and
    checked (no time later than the receiver's clock, `now`, allows); InputError says what is wrong."""
    if not isinstance(record, dict):
        raise InputError(_("not a JSON object"))
    kind = BY_KIND.get(record.get("kind"))  # type: ignore[arg-type]
    if kind is None:
        raise NewerRecord(
            f"a record of a kind this policytrack does not know ({record.get('kind')!r}), written by a "
            "newer policytrack"
        )
    return kind, kind.read_line(record, now)
