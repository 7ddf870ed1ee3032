"""The source registry in `policytrack sync`: each registration, edit and merge of a source is a version of
its key; every database holds every version and shows the same winner.

A version says how many versions of its key its database had seen (`seen`). The winner of a key is the
version that saw the most, then the latest, then by who and its own text: one rule, the same everywhere.
Versions of one key that saw as many, from different registrations (uuids) with different values, were
made apart: a conflict (`policytrack conflicts`), settled by any version made after seeing them.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Sequence
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.records.source import SOURCE_SET, SOURCE_VERSION
from policytrack.store import Store
from policytrack.store.syncshared import SOURCE_STATE
from policytrack.sync.record import (
    Incoming,
    Received,
    Record,
    RecordKind,
    Sender,
    event_id,
    line_text,
    shared,
)

# What two registrations of one key must agree on not to be a conflict (not when or by whom): its key and
# what an analyst sets.
_VALUES = (SOURCE_VERSION["key"].name, *SOURCE_SET.names())
# What a version says of the source (not who made it, or what they had seen): the registry's columns, and
# the key it was merged into.
_STATE = tuple(n for n in SOURCE_VERSION.names() if n in SOURCE_STATE or n == "merged_into")


def _check(record: Record) -> None:
    """Beyond the declaration: the key and the key merged into are source keys, and the values are what
    `policytrack source add` would store (the one set of rules)."""
    from policytrack.domain.sources import SourceFields, check_key, source_values
    from policytrack.exchange.rowcheck import normal_uuid

    if normal_uuid(record["uuid"]) != record["uuid"]:
        raise InputError(_("uuid must be a lower-case UUID"))
    if check_key(record["key"]) != record["key"]:
        raise InputError(_("key {key!r} is not a source key").format(key=record["key"]))
    if record["merged_into"] is not None:
        check_key(record["merged_into"])
    names = SOURCE_SET.names()
    values = source_values(SourceFields(*(record[k] or "" for k in names)))
    if any((values[k] or "") != (record[k] or "") for k in names) or values["host"] != record["host"]:
        raise InputError(
            _("source {key!r} has a value `policytrack source add` would refuse").format(key=record["key"])
        )


def _state(row: Any) -> Record:
    return {c: row[c] for c in _STATE}


def _version(line: str) -> Record:
    """A stored version, a field it was sent without at its default."""
    record: Record = {**SOURCE_VERSION.defaults(), **json.loads(line)}
    return record


def _outgoing(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    """Each source whose state is no version yet (a registration, edit or merge made here), and the
    versions made here that lost to a teammate's before they were sent."""
    versions: dict[str, list[Record]] = {}
    out: list[tuple[Record, Any]] = []
    for v in store.source_versions():
        record = _version(v["line"])
        versions.setdefault(v["key"], []).append(record)
        if not v["sent"]:
            out.append((record, None))
    for row in store.source_states():
        if row["stub"] and row["changed_at"] == row["created_at"]:
            continue  # a teammate's citation waiting for its registration: not ours to send
        known = versions.get(row["key"], [])
        state = _state(row)
        if any({k: v[k] for k in state} == state for v in known):
            continue
        record = shared("source", SOURCE_VERSION, {**state, "changed_by": sender.analyst, "seen": len(known)})
        out.append((record, row["id"] if row["stub"] else None))
    return out


def _sent(store: Store, items: list[tuple[Any, str, Record]]) -> None:
    store.add_source_versions([(event, rec["key"], rec["seen"], line_text(rec)) for _, event, rec in items])
    store.drop_stub_marks([ref for ref, _, _ in items if ref is not None])


def winner(versions: Sequence[Record], events: Sequence[str]) -> Record:
    """The version of a key every database shows."""
    ranked = sorted(
        zip(versions, events, strict=True),
        key=lambda p: (p[0]["seen"], p[0]["changed_at"], p[0]["changed_by"], p[1]),
    )
    return ranked[-1][0]


def _apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    keys = sorted({item.record["key"] for item in records})
    # a version made here and not sent yet stays a version (sent next), whoever wins
    for record, _line in _outgoing(store, sender):
        if record["key"] in keys:
            text = line_text(record)
            store.add_source_versions([(event_id(text), record["key"], record["seen"], text)])
    store.add_source_versions(
        [(item.event, item.record["key"], item.record["seen"], line_text(item.record)) for item in records]
    )
    found: dict[str, tuple[list[Record], list[str]]] = {}
    for v in store.source_versions(keys):
        pair = found.setdefault(v["key"], ([], []))
        pair[0].append(_version(v["line"]))
        pair[1].append(v["event_id"])
    winners = {key: winner(*found[key]) for key in keys}
    for key in keys:
        store.put_source_state(winners[key])
    for key in keys:
        store.set_source_merge(key, winners[key]["merged_into"])


def conflicts(store: Store) -> list[dict[str, Any]]:
    """Per key, the versions made apart (as many seen, different registrations and values) that no
    later version settled; each with its values, and the winner."""
    found: dict[str, list[tuple[Record, str]]] = {}
    for v in store.source_versions():
        found.setdefault(v["key"], []).append((_version(v["line"]), v["event_id"]))
    out = []
    for key, pairs in sorted(found.items()):
        top = max(r["seen"] for r, _ in pairs)
        apart = [(r, e) for r, e in pairs if r["seen"] == top]
        if (
            len({r["uuid"] for r, _ in apart}) < 2
            or len({tuple(r[k] for k in _VALUES) for r, _ in apart}) < 2
        ):
            continue
        best = winner([r for r, _ in pairs], [e for _, e in pairs])
        out.append(
            {
                "key": key,
                "versions": [r for r, _ in sorted(apart, key=lambda p: (p[0]["changed_at"], p[1]))],
                "current": best["uuid"],
            }
        )
    return out


def stub_source(store: Store, key: str, at: str) -> int:
    """A source a teammate's entry cites before its registration arrived: registered under its key with
    the key as its name, filled in when the registration comes."""
    return store.insert_stub_source(str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"policytrack:{key}")), key, at)


SOURCES = RecordKind("source", SOURCE_VERSION, _check, _outgoing, _apply, _sent)
