"""Decisions on candidates: accept (an ordinary entry that cites the candidate), reject, snooze, merge (the
candidate corroborates an entry), and `undo` of the latest of them. Each is a row with who and when; the
decisions taken together by one command share a batch, which `undo` takes back together. Nothing prints.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError
from policytrack.core.i18n import _, ngettext
from policytrack.domain.context import utc_now
from policytrack.records.models import Entry, EntryInput, Framework
from policytrack.store import Store

STATE_OF = {"accept": "accepted", "reject": "rejected", "snooze": "snoozed", "merge": "merged"}


@dataclass(frozen=True)
class AcceptInput:
    """What a person gives when accepting (anything not given comes from the rules' suggestions)."""

    indicator: str | None = None
    effect: int | None = None
    grade: str | None = None
    credibility: str | None = None
    summary: str | None = None
    source: str | None = None
    status: str | None = None
    note: str | None = None
    signals: tuple[str, ...] = ()


def _first(suggestions: list[dict[str, Any]], key: str) -> Any:
    return next((s[key] for s in suggestions if key in s), None)


# What each action must give beyond who and when (the declaration's rules cover the rest).
_NEEDS = {"accept": "entry", "merge": "entry", "snooze": "until", "reject": "reason", "undo": "undoes"}


def check_decision(values: dict[str, Any]) -> None:
    """The one check of a decision's fields together, for one taken here and one a teammate's sync
    brings: each action gives what it needs, and only an undo names a decision it takes back."""
    action = values["action"]
    needed = _NEEDS[action]
    if not str(values.get(needed) or "").strip():
        raise InputError(
            _("a decision to {action} must give its {field}; the line is not one policytrack wrote").format(
                action=action, field=needed
            )
        )
    if action != "undo" and values.get("undoes"):
        raise InputError(
            _("only an undo names a decision it takes back; the line is not one policytrack wrote")
        )


# The actions whose decision cites its candidate's dataset (what `publish` cites, store/inbox.py).
CITING = ("accept", "merge")


def cited(row: Any) -> dict[str, Any]:
    """What a decision to accept or merge the candidate `row` carries of it: its dataset and licence, so
    every database that holds the decision cites the dataset (the candidate stays where it was read)."""
    return {"dataset": row["dataset"], "licence": row["licence"]}


def _decide(store: Store, row: Any, action: str, batch: str, by: str, at: str, **values: Any) -> None:
    decision = {
        "uuid": str(uuidlib.uuid4()),
        "candidate": row["uuid"],
        "action": action,
        "batch": batch,
        "decided_by": by,
        "decided_at": at,
        **(cited(row) if action in CITING else {}),
        **values,
    }
    check_decision(decision)
    store.insert_decision(decision)
    store.set_candidate_state(int(row["id"]), STATE_OF[action], values.get("until"), values.get("entry"))


def _open(row: Any) -> None:
    if row["state"] in ("accepted", "merged"):
        raise InputError(
            _("candidate {id} is already {state}; `policytrack undo` takes the decision back").format(
                id=row["id"], state=row["state"]
            )
        )


def entry_input(row: Any, given: AcceptInput) -> tuple[EntryInput, str | None]:
    """The entry a candidate becomes: what is given, else what the rules suggest, else the candidate's."""
    suggestions = json.loads(row["suggestions"] or "[]")
    indicator = given.indicator or _first(suggestions, "indicator")
    if not indicator:
        raise InputError(
            _("candidate {id}: no --indicator given and no rule suggests one; give --indicator KEY").format(
                id=row["id"]
            )
        )
    if not row["date"]:
        raise InputError(_("candidate {id} has no date; it cannot be evidence").format(id=row["id"]))
    effect = given.effect if given.effect is not None else int(_first(suggestions, "effect") or 0)
    summary = given.summary or row["summary"] or row["title"]
    source = given.source or _first(suggestions, "source") or row["url"] or row["source"]
    signal = _first(suggestions, "signal")
    signals = list(given.signals) or ([str(signal)] if signal else [])
    cite = f"candidate {row['uuid']} ({row['dataset']} {row['external_id']})"
    note = f"{given.note}\n{cite}" if given.note else cite
    data = EntryInput(
        indicator=str(indicator),
        summary=summary,
        date=PartialDate.from_stored(row["date"]),
        source=str(source),
        effect=effect,
        status=given.status,
        grade=given.grade,
        note=note,
        signals=signals,
    )
    credibility = given.credibility or _first(suggestions, "credibility")
    return data, (str(credibility) if credibility is not None and not given.grade else None)


def accept(store: Store, fw: Framework, rows: Sequence[Any], given: AcceptInput, by: str) -> list[Entry]:
    """Make an entry of each candidate (all of them, or none on any problem) and record the decisions."""
    from policytrack.domain.entries import linked, log_entry

    batch, made = str(uuidlib.uuid4()), []
    with store.transaction():
        for row in rows:
            _open(row)
            data, credibility = entry_input(row, given)
            entry = log_entry(store, fw, linked(store, data, None, credibility))
            _decide(store, row, "accept", batch, by, utc_now(), entry=entry.uuid)
            made.append(entry)
    return made


def reject(store: Store, rows: Sequence[Any], reason: str, by: str) -> None:
    from policytrack.core.storable import clean_text

    text = clean_text(reason, "--reason").strip()
    if not text:
        raise InputError(_("--reason is empty; say why the candidate is rejected"))
    _each(store, rows, "reject", by, reason=text)


def snooze(store: Store, rows: Sequence[Any], until: PartialDate, by: str) -> None:
    _each(store, rows, "snooze", by, until=until.end.isoformat())


def merge(store: Store, row: Any, entry_id: int, by: str) -> Entry:
    entry = store.get_entry(entry_id)
    if entry.deleted:
        raise InputError(_("entry {id} is deleted; `policytrack restore {id}` first").format(id=entry_id))
    _each(store, [row], "merge", by, entry=entry.uuid)
    return entry


def _each(store: Store, rows: Sequence[Any], action: str, by: str, **values: Any) -> None:
    batch, at = str(uuidlib.uuid4()), utc_now()
    with store.transaction():
        for row in rows:
            _open(row)
            _decide(store, row, action, batch, by, at, **values)


# ------------------------------------------------------------------ undo


def _state_without(store: Store, candidate: str, undone: set[str]) -> tuple[str, str | None, str | None]:
    """A candidate's state from its decisions, leaving out those undone (and `undone`)."""
    decisions = store.decisions_of(candidate)
    taken_back = {d["undoes"] for d in decisions if d["action"] == "undo"} | undone
    for d in reversed(decisions):
        if d["action"] != "undo" and d["uuid"] not in taken_back:
            return STATE_OF[d["action"]], d["until"], d["entry"]
    return "waiting", None, None


def standing_apart(store: Store, candidate: str) -> list[Any]:
    """Each analyst's latest decision on a candidate that no undo took back, oldest first, where two or
    more analysts' leave it in different states (two accepts make two entries): decisions taken apart that
    disagree. The latest stands; an empty list when they agree or one analyst alone decided."""
    decisions = store.decisions_of(candidate)
    taken_back = {d["undoes"] for d in decisions if d["action"] == "undo"}
    latest: dict[str, Any] = {}
    for d in decisions:  # in decided_at order: each analyst's last one stays
        if d["action"] != "undo" and d["uuid"] not in taken_back:
            latest[d["decided_by"]] = d
    sides = sorted(latest.values(), key=lambda d: (d["decided_at"], d["id"]))
    outcomes = {(STATE_OF[d["action"]], d["until"], d["entry"]) for d in sides}
    return sides if len(outcomes) > 1 else []


def settle(store: Store, candidates: Sequence[str]) -> int:
    """Bring each of these candidates (uuids) this database holds to the state its decisions leave (those
    a teammate's sync brought among them); how many changed. A candidate not here yet is settled when a
    read brings it."""
    changed = 0
    for candidate in candidates:
        row = store.candidate_by_uuid(candidate)
        if row is None:
            continue
        state, until, entry = _state_without(store, candidate, set())
        if (state, until, entry) != (row["state"], row["snoozed_until"], row["entry_uuid"]):
            store.set_candidate_state(int(row["id"]), state, until, entry)
            changed += 1
    return changed


def _record_undo(store: Store, decision: Any, batch: str, by: str, at: str) -> None:
    """Record, checked, an undo of `decision` by `by` at `at`; the undos written together share a batch
    id derived from `batch`."""
    undo = {
        "uuid": str(uuidlib.uuid4()),
        "candidate": decision["candidate"],
        "action": "undo",
        "batch": str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, batch)),
        "undoes": decision["uuid"],
        "decided_by": by,
        "decided_at": at,
    }
    check_decision(undo)
    store.insert_decision(undo)


def keep_side(store: Store, candidate: str, kept: Any, by: str, at: str) -> None:
    """Settle a candidate decided apart by keeping one side (`kept`, one of `standing_apart`): every other
    side is taken back by an undo (an entry its accept made deleted, as `undo` does), and the kept decision
    is recorded again by `by` at `at`, so it is the latest and stands in every database once synced."""
    sides = standing_apart(store, candidate)
    batch = str(uuidlib.uuid4())
    with store.transaction():
        for d in sides:
            if d["uuid"] == kept["uuid"]:
                continue
            _record_undo(store, d, batch, by, at)
            if d["action"] == "accept" and d["entry"] and d["entry"] != kept["entry"]:
                _delete_made(store, d["entry"], by, at)
        from policytrack.records.candidate import SYNCED_DECISION

        again = {k: kept[k] for k in SYNCED_DECISION.names()}
        again |= {"uuid": str(uuidlib.uuid4()), "batch": batch, "decided_by": by, "decided_at": at}
        row = store.candidate_by_uuid(candidate)
        if again["action"] in CITING and again["dataset"] is None and row is not None:
            again |= cited(row)  # a decision from before decisions cited their dataset: the candidate's
        check_decision(again)
        store.insert_decision(again)
        if row is not None:
            store.set_candidate_state(int(row["id"]), *_state_without(store, candidate, set()))


def _delete_made(store: Store, entry_uuid: str, by: str, at: str) -> None:
    """The entry an accept made, deleted (a tombstone, which `restore` brings back) when it is taken back."""
    entry_id = store.entry_id_of(entry_uuid)
    if entry_id is not None and store.entry_row(entry_id)["deleted_at"] is None:
        store.write_entry_reversal(entry_id, {"deleted_at": at}, "delete", "undo", 1, by, at)


def plan_undo(store: Store, decision_id: int, at: str) -> Any:
    """The Reversal (domain/undo.py) of the batch of decisions that `decision_id` belongs to."""
    from policytrack.domain.undo import FieldChange, Reversal

    first = store.decision(decision_id)
    assert first is not None
    decisions = store.batch_decisions(first["batch"])
    changes = []
    for d in decisions:
        row = store.candidate_by_uuid(d["candidate"])
        if row is None:
            continue
        overruled = [s["uuid"] for s in standing_apart(store, d["candidate"])[:-1]]
        if d["uuid"] in overruled:  # a side of a conflict the later decision overrules: taken back alone
            changes.append(FieldChange(_("candidate {id}").format(id=row["id"]), row["state"], row["state"]))
            continue
        latest = _state_without(store, d["candidate"], set())
        if latest[0] != STATE_OF[d["action"]] or row["state"] != latest[0]:
            raise InputError(
                _("cannot undo the decisions of {when}: candidate {id} was decided again since").format(
                    when=at[:19].replace("T", " "), id=row["id"]
                )
            )
        after = _state_without(store, d["candidate"], {d["uuid"]})[0]
        changes.append(FieldChange(_("candidate {id}").format(id=row["id"]), row["state"], after))
    title = ngettext(
        "the decision of {when} UTC ({action})", "the decisions of {when} UTC ({action})", len(changes)
    ).format(when=at[:19].replace("T", " "), action=first["action"])
    return Reversal(
        "undo", "decision", decision_id, 0, title, values={"batch": first["batch"]}, changes=tuple(changes)
    )


def apply_undo(store: Store, plan: Any, by: str, at: str) -> str:
    """Write the undo of a batch of decisions: an undo row for each, the candidate's state before it, and
    the entry an accept made deleted (a tombstone, which `restore` brings back)."""
    count = 0
    for d in store.batch_decisions(plan.values["batch"]):
        row = store.candidate_by_uuid(d["candidate"])
        _record_undo(store, d, d["batch"], by, at)
        if row is not None:
            state, until, entry = _state_without(store, d["candidate"], set())
            store.set_candidate_state(int(row["id"]), state, until, entry)
        if d["action"] == "accept" and d["entry"]:
            _delete_made(store, d["entry"], by, at)
        count += 1
    return ngettext(
        "{n} candidate is as it was before the decision",
        "{n} candidates are as they were before the decision",
        count,
    ).format(n=count)
