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
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import FrameworkError, InputError
from policytrack.core.grades import grade_weight
from policytrack.records.columns import ENTRY_COLUMNS
from policytrack.store import Store
from policytrack.sync.analysts import ANALYSTS
from policytrack.sync.forecasts import FORECASTS
from policytrack.sync.record import (
    Incoming,
    Received,
    Record,
    RecordKind,
    Sender,
    check_labels,
    check_text,
    event_id,
    line_text,
    unknown,
)
from policytrack.sync.sources import SOURCES, stub_source

__all__ = ["RECORD_KINDS", "Incoming", "Received", "check_record", "event_id", "line_text"]

# -- framework versions ----------------------------------------------------------------------------

_FRAMEWORK_FIELDS = frozenset({"kind", "name", "loaded_at", "sha256", "definition"})


def _check_framework(record: Record) -> None:
    for key in ("name", "loaded_at", "sha256", "definition"):
        check_text(record, key, empty=False)
    if hashlib.sha256(record["definition"].encode()).hexdigest() != record["sha256"]:
        raise InputError("sha256 does not match the definition")


def _framework_out(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    return [
        (
            {
                "kind": "framework",
                "name": r["name"],
                "loaded_at": r["loaded_at"],
                "sha256": r["sha256"],
                "definition": r["definition"],
            },
            None,
        )
        for r in store.all_framework_versions()
    ]


def _framework_apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    """A framework new here is added; a version loaded later than this database's current one becomes
    current (the latest load wins everywhere); an older one is kept as history."""
    from policytrack.domain.frameworks.install import install_definition

    for item in sorted(records, key=lambda i: (i.record["loaded_at"], i.event)):
        rec = item.record
        shas, latest = store.latest_framework_load(rec["name"])
        if rec["sha256"] in shas:
            continue
        label = Path(f"{item.where} (framework {rec['name']})")
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
            raise InputError(str(exc)) from None


FRAMEWORKS = RecordKind("framework", _FRAMEWORK_FIELDS, _check_framework, _framework_out, _framework_apply)

# -- targets ---------------------------------------------------------------------------------------

_TARGET_VALUES = ("level", "start", "due", "due_end", "note", "set_by", "set_at")
# `seen`: how many targets of its indicator the database that set it held then. Two targets that saw as
# many, with different values, were set apart: a conflict, until a target set after seeing both.
_TARGET_FIELDS = frozenset({"kind", "framework", "indicator", "seen", *_TARGET_VALUES})


def _check_target(record: Record) -> None:
    for key in ("framework", "indicator", *_TARGET_VALUES):
        check_text(record, key, empty=key in ("note", "level"))  # an empty level withdraws the target
    seen = record["seen"]
    if seen is not None and (type(seen) is not int or seen < 0):
        raise InputError("seen must be a whole number from 0, or null")


def _target_out(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    return [
        ({"kind": "target", **{k: r[k] for k in r.keys() if k != "id"}}, None)  # noqa: SIM118
        for r in store.all_target_rows()
    ]


def _target_apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    indicators = store.indicator_ids()
    levels = store.framework_levels()
    for item in records:
        rec = {"seen": None, **item.record}
        indicator_id = indicators.get((rec["framework"], rec["indicator"]))
        if indicator_id is None:
            raise unknown(item.where, f"indicator {rec['indicator']!r} of framework {rec['framework']!r}")
        if rec["level"] and rec["level"] not in levels.get(rec["framework"], set()):
            raise unknown(item.where, f"status level {rec['level']!r} of framework {rec['framework']!r}")
        values = [rec[k] for k in _TARGET_VALUES]
        if not store.has_target(indicator_id, values):  # this database's own, sent before
            store.insert_target_row(indicator_id, values, rec["seen"])


TARGETS = RecordKind(
    "target", _TARGET_FIELDS, _check_target, _target_out, _target_apply, defaults={"seen": None}
)

# -- entry revisions -------------------------------------------------------------------------------

# What a revision stores, but its indicator by framework name and key rather than this database's id, its
# registered sources by key (`source_key`, `via_key`) rather than id, and without the grade's weight
# (derived from the grade). Columns added since the first sync files have defaults, so old lines still read.
_LOCAL = ("indicator_id", "source_id", "via_id", "weight")
_STATE = tuple(c for c in ENTRY_COLUMNS if c not in _LOCAL)
_LIST_COLUMNS = ("tags", "actors", "signals")
_DEFAULTS: dict[str, Any] = {
    "event": None,
    "signals": [],
    "reviewed_by": None,
    "reviewed_at": None,
    "source_key": None,
    "via_key": None,
}
_ENTRY_FIELDS = frozenset(
    {
        "kind",
        "uuid",
        "revision",
        "action",
        "changed_by",
        "changed_at",
        "recorded_at",
        "deleted_at",
        "framework",
        "indicator",
        "source_key",
        "via_key",
        *_STATE,
    }
)
ACTIONS = frozenset({"create", "edit", "delete", "restore", "import"})
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_GRADE = re.compile(r"^[A-F][1-6]$")


def _check_entry(record: Record) -> None:
    if not isinstance(record["uuid"], str) or not _UUID.match(record["uuid"]):
        raise InputError("uuid must be a lower-case UUID")
    revision = record["revision"]
    if type(revision) is not int or revision < 1:
        raise InputError("revision must be a whole number from 1")
    if record["action"] not in ACTIONS:
        raise InputError(f"action must be one of {', '.join(sorted(ACTIONS))}")
    for key in ("changed_by", "note", "source", "analyst"):
        check_text(record, key)
    for key in ("changed_at", "recorded_at", "framework", "indicator", "summary"):
        check_text(record, key, empty=False)
    check_text(record, "deleted_at", none=True, empty=False)
    check_text(record, "status", none=True, empty=False)
    try:
        day = PartialDate.from_stored(record["date"])
    except (ValueError, TypeError, AttributeError):
        raise InputError("date must be YYYY, YYYY-MM or YYYY-MM-DD") from None
    if str(day) != record["date"] or record["date_start"] != day.start.isoformat():
        raise InputError("date, date_start and date_precision do not agree")
    if record["date_precision"] != day.precision:
        raise InputError("date, date_start and date_precision do not agree")
    effect = record["effect"]
    if type(effect) is not int or not -2 <= effect <= 2:
        raise InputError("effect must be a whole number from -2 to 2")
    grade = record["grade"]
    if grade is not None and (not isinstance(grade, str) or not _GRADE.match(grade)):
        raise InputError("grade must be a letter A-F and a digit 1-6, or null")
    check_labels(record, "tags")
    check_labels(record, "actors")
    if "signals" in record:
        check_labels(record, "signals")
    for key in ("event", "reviewed_by", "reviewed_at", "source_key", "via_key"):
        if key in record:
            check_text(record, key, none=True, empty=False)


def _derived_deleted(row: Any, previous: str | None) -> str | None:
    """Whether a revision left its entry deleted: history stores the action, not the tombstone."""
    action = row["action"]
    if action == "delete":
        return str(row["changed_at"])
    if action in ("create", "restore"):
        return None
    if action == "import" and row["revision"] == row["last_revision"]:
        return str(row["entry_deleted_at"]) if row["entry_deleted_at"] else None  # the entry row has it
    return previous


def _entry_out(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    """The revisions the repository lacks (every revision of such an entry is read, to know its state)."""
    records: list[tuple[Record, Any]] = []
    previous: str | None = None
    entry = None
    for row in store.unsent_revision_rows():
        if row["entry_id"] != entry:
            entry, previous = row["entry_id"], None
        deleted = _derived_deleted(row, previous)
        previous = deleted
        if row["event_id"] is not None:
            continue  # in the repository already (unsent_revision_rows filters which entries, not rows)
        record = {
            "kind": "entry",
            "uuid": row["uuid"],
            "revision": row["authored"],
            "action": row["action"],
            "changed_by": row["changed_by"],
            "changed_at": row["changed_at"],
            "recorded_at": row["recorded_at"],
            "deleted_at": deleted,
            "framework": row["framework"],
            "indicator": row["indicator"],
            **{c: row[c] for c in _STATE if c not in _LIST_COLUMNS},
            **{c: json.loads(row[c]) for c in _LIST_COLUMNS},
            "source_key": row["source_key"],
            "via_key": row["via_key"],
        }
        records.append((record, (row["entry_id"], row["revision"])))
    return records


def _entry_sent(store: Store, items: list[tuple[Any, str, Record]]) -> None:
    store.mark_revisions_synced([(ref[0], ref[1], record["revision"], event) for ref, event, record in items])


def _order(rev: dict[str, Any]) -> tuple[int, str, str, str]:
    """The one rule that orders an entry's history in every database: the author's revision number (an
    edit made after another was seen comes after it), then when, then who, then the record itself. The
    last is the current revision; two with the same number were made apart: a conflict."""
    return (rev["authored"], rev["changed_at"], rev["changed_by"], rev["event_id"] or "")


def _as_row(item: Incoming, indicator_id: int, sources: dict[str, int], store: Store) -> dict[str, Any]:
    """A revision as this database stores it: its indicator, and its registered sources (a key this
    database lacks, from a teammate whose policytrack sent no registry, is a stub until it arrives: the
    citation is never lost, and an edit here sends it back unchanged)."""
    rec = {**_DEFAULTS, **item.record}

    def linked(key: str | None) -> int | None:
        if not key:
            return None
        if key not in sources:
            sources[key] = stub_source(store, key, rec["changed_at"])
        return sources[key]

    return {
        **{c: rec[c] for c in _STATE},
        **{c: json.dumps(rec[c]) for c in _LIST_COLUMNS},
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
            raise unknown(item.where, f"indicator {rec['indicator']!r} of framework {rec['framework']!r}")
        if rec["status"] is not None and rec["status"] not in levels.get(rec["framework"], set()):
            raise unknown(item.where, f"status level {rec['status']!r} of framework {rec['framework']!r}")
        by_uuid.setdefault(rec["uuid"], []).append(_as_row(item, indicator_id, sources, store))
        recorded.setdefault(rec["uuid"], rec["recorded_at"])
    local = store.entry_ids_by_uuid(list(by_uuid))
    stored = store.revisions_of(list(local.values()))
    new_entries = []
    already: list[tuple[int, int, int, str]] = []
    for uuid, incoming in by_uuid.items():
        entry_id = local.get(uuid)
        if entry_id is None:
            new_entries.append((uuid, recorded[uuid], sorted(incoming, key=_order)))
            continue
        mine = {_identity(r): r["revision"] for r in stored.get(entry_id, [])}
        matched = [
            (entry_id, mine[_identity(r)], r["authored"], r["event_id"])
            for r in incoming
            if _identity(r) in mine
        ]
        if len(matched) == len(incoming):  # this database's own revisions, read back from its file
            already += matched
        elif _merge(store, entry_id, incoming):
            received.updated.add(uuid)
    store.mark_revisions_synced(already)
    store.insert_synced_entries(new_entries)
    received.new.update(uuid for uuid, _, _ in new_entries)


def _identity(rev: dict[str, Any]) -> tuple[Any, ...]:
    """What names a revision in every database: its authored number, when, who, the action and the state
    it left (a revision read back from this database's own file is recognised by it)."""
    return (
        rev["authored"],
        rev["changed_at"],
        rev["changed_by"],
        rev["action"],
        *(rev[c] for c in _STATE),
    )


def _merge(store: Store, entry_id: int, incoming: list[dict[str, Any]]) -> bool:
    """Merge revisions into an entry this database has; True if its history changed. A record this
    database wrote itself (read back from its own file) only gets its event id recorded."""
    history = store.synced_revisions(entry_id)
    mine = {_identity(r): r for r in history}
    new = []
    for rev in incoming:
        same = mine.get(_identity(rev))
        if same is not None:
            same["event_id"] = rev["event_id"]
        else:
            new.append(rev)
    merged = sorted([*history, *new], key=_order)
    keep = 0
    while keep < len(history) and merged[keep] is history[keep]:
        keep += 1
    store.write_history(entry_id, merged, keep)
    if not new:
        return False
    last = merged[-1]
    if last is not history[-1]:
        store.set_entry_state(entry_id, last, len(merged))
    else:
        store.conn.execute("UPDATE entries SET revision = ? WHERE id = ?", (len(merged), entry_id))
    return True


ENTRIES = RecordKind(
    "entry", _ENTRY_FIELDS, _check_entry, _entry_out, _entry_apply, _entry_sent, defaults=_DEFAULTS
)

# The records that travel, in the order they are applied: what others name (frameworks, sources) first.
RECORD_KINDS: tuple[RecordKind, ...] = (FRAMEWORKS, SOURCES, ANALYSTS, TARGETS, FORECASTS, ENTRIES)
BY_KIND = {kind.name: kind for kind in RECORD_KINDS}


def check_record(record: Any) -> RecordKind:
    """The kind of a parsed line, its fields checked; InputError says what is wrong."""
    if not isinstance(record, dict):
        raise InputError("not a JSON object")
    kind = BY_KIND.get(record.get("kind"))  # type: ignore[arg-type]
    if kind is None:
        raise InputError(
            f"unknown record kind {record.get('kind')!r} (from a newer policytrack?): upgrade policytrack"
        )
    kind.check_line(record)
    return kind
