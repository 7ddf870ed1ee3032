"""Inbox decisions in `policytrack sync` (issue 24): accept, reject, snooze, merge and their undo travel,
each bound to the analyst who decided; candidates, feeds and their settings stay in each database (every
analyst reads the dataset themselves, and a candidate's uuid is the same wherever its file is read). A
decision about a candidate this database has not read yet is kept, and applies when a read brings it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policytrack.records.candidate import SYNCED_DECISION
from policytrack.store import Store
from policytrack.sync.record import Incoming, Received, Record, RecordKind, Sender, shared


def _check(record: Record) -> None:
    return None  # the declaration's rules here; the fields together in sync/validate.py (check_decision)


def _outgoing(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    """The sender's own decisions (a teammate's, held here, are theirs to send)."""
    return [
        (shared("decision", SYNCED_DECISION, dict(r)), None) for r in store.own_decision_rows(sender.analyst)
    ]


def _apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    from policytrack.domain.triage import settle

    known = store.known_decisions([item.record["uuid"] for item in records])
    new = [item.record for item in records if item.record["uuid"] not in known]
    for rec in new:
        store.insert_decision({k: v for k, v in rec.items() if k != "kind"})
    settle(store, list(dict.fromkeys(rec["candidate"] for rec in new)))


DECISIONS = RecordKind("decision", SYNCED_DECISION, _check, _outgoing, _apply)
