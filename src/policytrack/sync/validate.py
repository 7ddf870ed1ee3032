"""A teammate's line checked as `log` (or `target`) would check what it says: each kind's one validator in
domain/ (entries.validated_values, targets.target_values, triage.check_decision; sources and forecasts
call theirs as they are read and applied), run against this database's frameworks once the frameworks
that arrived with it are in.

A line about an indicator the current framework no longer holds is left to the merge (an entry written
before a framework update stays what it was); a value the validator refuses is a LineProblem.

A review (or a return) carried over from an earlier revision names someone other than the line's author:
it is bound to them by that earlier revision, which must be stored here or arrive in the same batch
(`carried`); a line that claims one nobody made is refused as forged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.records.columns import SYNCED_REVISION
from policytrack.records.field import Field
from policytrack.records.models import EntryInput, Framework
from policytrack.store import Store
from policytrack.sync.record import Incoming, LineProblem, Record, carried_over, made_by

if TYPE_CHECKING:
    from policytrack.exchange.rowcheck import RowChecker

Frameworks = dict[str, Framework | None]


@dataclass
class _Batch:
    """What validating one batch reads once: its frameworks by name (None: not here), and for entries
    import's row checker (its fast path: a line in the stored form checked with lookups)."""

    store: Store
    frameworks: Frameworks = field(default_factory=dict)
    checker: RowChecker | None = None


def _framework(batch: _Batch, name: str) -> Framework | None:
    if name not in batch.frameworks:
        batch.frameworks[name] = batch.store.framework(name)
    return batch.frameworks[name]


def _current(fw: Framework | None, indicator: str) -> bool:
    return fw is not None and any(ind.key == indicator for ind in fw.indicators)


def _entry(batch: _Batch, rec: Record) -> None:
    from policytrack.domain.entries import validated_values

    fw = _framework(batch, rec["framework"])
    if fw is None or not _current(fw, rec["indicator"]):
        return
    # the registered source and outlet by key: the same key twice is what `log --via` refuses
    keys = {key: number for number, key in enumerate((rec["source_key"], rec["via_key"])) if key}
    links = {
        "source_id": keys.get(rec["source_key"]) if rec["source_key"] else None,
        "via_id": keys.get(rec["via_key"]) if rec["via_key"] else None,
        "event": rec["event"],
    }
    if batch.checker is not None and batch.checker.fast(fw, rec, links) is not None:
        return  # import's fast path gives values only where log's rules do (tests/test_rowcheck.py)
    data = EntryInput(
        indicator=rec["indicator"],
        summary=rec["summary"],
        date=PartialDate.from_stored(rec["date"]),
        source=rec["source"],
        effect=rec["effect"],
        status=rec["status"],
        grade=rec["grade"],
        tags=rec["tags"],
        actors=rec["actors"],
        note=rec["note"],
        analyst=rec["analyst"],
        **links,
        signals=rec["signals"],
        language=rec["language"],
        summary_translation=rec["summary_translation"],
        summary_translation_language=rec["summary_translation_language"],
        summary_translation_checked=rec["summary_translation_checked"],
    )
    validated_values(fw, data)


def _target(batch: _Batch, rec: Record) -> None:
    from policytrack.domain.targets import target_values

    fw = _framework(batch, rec["framework"])
    if fw is None or not _current(fw, rec["indicator"]) or not rec["level"]:
        return  # an empty level withdraws the target: nothing to check against the scale
    target_values(
        fw,
        rec["indicator"],
        rec["level"],
        PartialDate.from_stored(rec["due"]),
        date.fromisoformat(rec["start"]),
        rec["note"],
        rec["set_by"],
    )


def _decision(batch: _Batch, rec: Record) -> None:
    from policytrack.domain.triage import check_decision

    check_decision(rec)


VALIDATORS: dict[str, Callable[[_Batch, Record], None]] = {
    "entry": _entry,
    "target": _target,
    "decision": _decision,
}


def _made(f: Field, record: Record, revision: dict[str, Any]) -> bool:
    """Whether `revision` is where the value of `f` that `record` carries over was made: a revision by
    that person at that time, or an import that stated it (a review made outside the team's history,
    bound to whoever imported it)."""
    when, at = f.actor  # type: ignore[misc]
    if revision[made_by(SYNCED_REVISION).name] == record[f.name] and revision[at] == record[when]:
        return True
    stated = revision[f.name] == record[f.name] and revision[when] == record[when]
    return bool(revision["action"] == "import" and stated)


def carried(store: Store, items: list[Incoming]) -> None:
    """Raise LineProblem for the first entry line that carries over a review or a return (by
    `Field.actor`) that no revision of the same entry, stored here or among `items`, made."""
    claims = [(item, f) for item in items for f in carried_over(SYNCED_REVISION, item.record)]
    if not claims:
        return
    uuids = sorted({item.record["uuid"] for item, _f in claims})
    ids = store.entry_ids_by_uuid(uuids)
    stored = store.revisions_of(list(ids.values()))
    revisions: dict[str, list[dict[str, Any]]] = {uuid: stored.get(ids.get(uuid, -1), []) for uuid in uuids}
    for item in items:
        if item.record["uuid"] in revisions:
            revisions[item.record["uuid"]].append(item.record)
    for item, f in claims:
        rec, when = item.record, f.actor[0]  # type: ignore[index]
        if not any(_made(f, rec, revision) for revision in revisions[rec["uuid"]]):
            raise LineProblem(
                item.where,
                _(
                    "{field} names {named!r} at {when}, carried over from an earlier revision, but no "
                    "revision of this entry by {named} at that time was received (a forged line)"
                ).format(field=f.name, named=rec[f.name], when=rec[when]),
            )


def reversed_revisions(store: Store, items: list[Incoming]) -> None:
    """Raise LineProblem for the first entry line made by an undo or a revert (records.entry.REVERSAL)
    whose reversed revision, named by its authored number and time, no revision of the same entry stored
    here or among `items` is. An undo may name another analyst's revision: `conflicts resolve` of an
    inbox candidate decided apart takes back the other side's accept, deleting its entry by an undo
    (domain.triage.keep_side), which then stands for that revision in its author's `undo` too."""
    claims = [item for item in items if item.record["reversal"] is not None]
    if not claims:
        return
    uuids = sorted({item.record["uuid"] for item in claims})
    ids = store.entry_ids_by_uuid(uuids)
    stored = store.revisions_of(list(ids.values()))
    named = {
        uuid: {(r["authored"], r["changed_at"]) for r in stored.get(ids.get(uuid, -1), [])} for uuid in uuids
    }
    for item in items:
        if item.record["uuid"] in named:
            named[item.record["uuid"]].add((item.record["revision"], item.record["changed_at"]))
    for item in claims:
        rec = item.record
        if (rec["reversal_revision"], rec["reversal_changed_at"]) not in named[rec["uuid"]]:
            raise LineProblem(
                item.where,
                _(
                    "its {command} names revision {revision} made at {when}, which this entry has neither "
                    "here nor among the lines received (a forged line)"
                ).format(
                    command=rec["reversal"],
                    revision=rec["reversal_revision"],
                    when=rec["reversal_changed_at"],
                ),
            )


def validate(store: Store, kind: str, items: list[Incoming]) -> None:
    """Raise LineProblem for the first line of `items` that its kind's validator refuses."""
    if kind == "entry":
        carried(store, items)
        reversed_revisions(store, items)
    check = VALIDATORS.get(kind)
    if check is None:
        return
    batch = _Batch(store)
    if kind == "entry":
        from policytrack.exchange.rowcheck import RowChecker

        batch.checker = RowChecker(store, None, date.today())
    for item in items:
        try:
            check(batch, item.record)
        except (InputError, ValueError) as exc:
            raise LineProblem(item.where, str(exc)) from None
