"""A teammate's line checked as `log` (or `target`) would check what it says: each kind's one validator in
domain/ (entries.validated_values, targets.target_values, triage.check_decision; sources and forecasts
call theirs as they are read and applied), run against this database's frameworks once the frameworks
that arrived with it are in.

A line about an indicator the current framework no longer holds is left to the merge (an entry written
before a framework update stays what it was); a value the validator refuses is a LineProblem.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError
from policytrack.records.models import EntryInput, Framework
from policytrack.store import Store
from policytrack.sync.record import Incoming, LineProblem, Record

Frameworks = dict[str, Framework | None]


def _framework(store: Store, frameworks: Frameworks, name: str) -> Framework | None:
    if name not in frameworks:
        frameworks[name] = store.framework(name)
    return frameworks[name]


def _current(fw: Framework | None, indicator: str) -> bool:
    return fw is not None and any(ind.key == indicator for ind in fw.indicators)


def _entry(store: Store, frameworks: Frameworks, rec: Record) -> None:
    from policytrack.domain.entries import validated_values

    fw = _framework(store, frameworks, rec["framework"])
    if fw is None or not _current(fw, rec["indicator"]):
        return
    # the registered source and outlet by key: the same key twice is what `log --via` refuses
    keys = {key: number for number, key in enumerate((rec["source_key"], rec["via_key"])) if key}
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
        source_id=keys.get(rec["source_key"]) if rec["source_key"] else None,
        via_id=keys.get(rec["via_key"]) if rec["via_key"] else None,
        event=rec["event"],
        signals=rec["signals"],
    )
    validated_values(fw, data)


def _target(store: Store, frameworks: Frameworks, rec: Record) -> None:
    from policytrack.domain.targets import target_values

    fw = _framework(store, frameworks, rec["framework"])
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


def _decision(store: Store, frameworks: Frameworks, rec: Record) -> None:
    from policytrack.domain.triage import check_decision

    check_decision(rec)


VALIDATORS: dict[str, Callable[[Store, Frameworks, Record], None]] = {
    "entry": _entry,
    "target": _target,
    "decision": _decision,
}


def validate(store: Store, kind: str, items: list[Incoming]) -> None:
    """Raise LineProblem for the first line of `items` that its kind's validator refuses."""
    check = VALIDATORS.get(kind)
    if check is None:
        return
    frameworks: dict[str, Any] = {}
    for item in items:
        try:
            check(store, frameworks, item.record)
        except (InputError, ValueError) as exc:
            raise LineProblem(item.where, str(exc)) from None
