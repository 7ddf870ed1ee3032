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
    from policytrack.domain.source_fields import SourceFields
    from policytrack.domain.sources import check_key, source_values
    from policytrack.exchange.rowcheck import normal_uuid

    if normal_uuid(record["uuid"]) != record["uuid"]:
        raise InputError(_("uuid must be a lower-case UUID"))
    if check_key(record["key"]) != record["key"]:
        raise InputError(_("key {key!r} is not a source key").format(key=record["key"]))
    if record["merged_into"] is not None:
        check_key(record["merged_into"])
    names = SOURCE_SET.names()
    values = source_values(SourceFields(**{k: record[k] or "" for k in names}))
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
        # where a key leads is worked out from every key's versions (merges): a registry row that
        # differs from a version only there (a chain followed, a merge refused) is no change of its own
        if any(all(v[k] == state[k] for k in state if k != "merged_into") for v in known):
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
    # a version made here and not sent yet stays a version (sent next), whoever wins: every key's, since
    # where keys lead is worked out from every key's winner below
    for record, _line in _outgoing(store, sender):
        text = line_text(record)
        store.add_source_versions([(event_id(text), record["key"], record["seen"], text)])
    store.add_source_versions(
        [(item.event, item.record["key"], item.record["seen"], line_text(item.record)) for item in records]
    )
    winners = {key: best for key, (best, _event, _pairs) in _winners(store).items()}
    for key in keys:
        store.put_source_state(winners[key])
    leads, _refused = merges(winners, _winners(store))
    store.set_source_leads({key: leads.get(key) for key in winners})


def _winners(store: Store) -> dict[str, tuple[Record, str, list[tuple[Record, str]]]]:
    """Per key: its winning version, that version's event id, and every version with its event id."""
    found: dict[str, list[tuple[Record, str]]] = {}
    for v in store.source_versions():
        found.setdefault(v["key"], []).append((_version(v["line"]), v["event_id"]))
    out = {}
    for key, pairs in found.items():
        best = winner([r for r, _ in pairs], [e for _, e in pairs])
        event = next(e for r, e in pairs if r is best)
        out[key] = (best, event, pairs)
    return out


def merges(
    winners: dict[str, Record], ranked: dict[str, tuple[Record, str, list[tuple[Record, str]]]]
) -> tuple[dict[str, str], list[tuple[Record, str]]]:
    """Where each merged key leads in every database (the key at the end of its chain), and the merges
    refused: each winning version that merges its key is applied in the order (when, who, event id),
    earliest first; one that would close a cycle (b into a after a into b, made apart) is left out, a
    conflict listed with the merge it met (refused version, the key that already leads into its key)."""
    order = sorted(
        (best["changed_at"], best["changed_by"], event, key)
        for key, (best, event, _pairs) in ranked.items()
        if winners[key]["merged_into"] is not None
    )
    into: dict[str, str] = {}
    refused: list[tuple[Record, str]] = []
    for *_rank, key in order:
        target = winners[key]["merged_into"]
        chain = [target]
        while chain[-1] in into and len(chain) <= len(into):
            chain.append(into[chain[-1]])
        if key in chain:
            refused.append((winners[key], chain[-2] if len(chain) > 1 else target))
        else:
            into[key] = target
    leads = {}
    for key in into:
        end = into[key]
        for _step in range(len(into)):
            if end not in into:
                break
            end = into[end]
        leads[key] = end
    return leads, refused


def conflicts(store: Store) -> list[dict[str, Any]]:
    """Per key, the versions made apart (as many seen, different registrations and values) that no
    later version settled, each with its values, and the winner; and each merge refused because it
    would close a cycle (with the merge it met)."""
    ranked = _winners(store)
    out = []
    for key, (best, _event, pairs) in sorted(ranked.items()):
        top = max(r["seen"] for r, _ in pairs)
        apart = [(r, e) for r, e in pairs if r["seen"] == top]
        if (
            len({r["uuid"] for r, _ in apart}) < 2
            or len({tuple(r[k] for k in _VALUES) for r, _ in apart}) < 2
        ):
            continue
        out.append(
            {
                "key": key,
                "versions": [r for r, _ in sorted(apart, key=lambda p: (p[0]["changed_at"], p[1]))],
                "current": best["uuid"],
            }
        )
    _leads, refused = merges({key: best for key, (best, _e, _p) in ranked.items()}, ranked)
    for version, met in refused:
        out.append(
            {
                "key": version["key"],
                "versions": [version],
                "current": version["uuid"],
                "merge": {"into": version["merged_into"], "met": met},
            }
        )
    return sorted(out, key=lambda c: (c["key"], "merge" in c))


def stub_source(store: Store, key: str, at: str) -> int:
    """A source a teammate's entry cites before its registration arrived: registered under its key with
    the key as its name, filled in when the registration comes."""
    return store.insert_stub_source(str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"policytrack:{key}")), key, at)


SOURCES = RecordKind("source", SOURCE_VERSION, _check, _outgoing, _apply, _sent)
