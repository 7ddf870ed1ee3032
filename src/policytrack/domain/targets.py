"""Targets: a level to reach (a ceiling, for a risk) by a due date, and whether an indicator is on track.

Every target set is kept; the latest one for an indicator is its current target. A row with an empty
level (written by `undo` of an indicator's first target) withdraws it: the indicator has no target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.domain.status import IndicatorState
from policytrack.records import check
from policytrack.records.models import Framework, StatusLevel, resolve_indicator
from policytrack.records.target import TARGET
from policytrack.store import Store


@dataclass(frozen=True)
class Target:
    """An indicator's target: the level to reach by a date, who set it and when."""

    indicator_key: str
    level: StatusLevel | None  # None: the target was withdrawn (only in the history)
    start: date
    due: PartialDate
    note: str
    set_by: str
    set_at: str


def target_values(
    fw: Framework,
    indicator: str,
    level: str,
    due: PartialDate,
    start: date,
    note: str,
    set_by: str,
) -> dict[str, object]:
    """The one validator of a target (`target` and sync): each field checked against its declaration
    (records/target.py) and the framework, and its cross-field rule (the due date is not before the start)."""
    ind = resolve_indicator(fw, indicator)
    lv = fw.level(level)
    if due.end < start:
        raise InputError(
            _(
                "due {due} is before the target's start {isoformat}; give a later --by, or an earlier "
                "--from (the start defaults to today)"
            ).format(due=due, isoformat=start.isoformat())
        )
    return {
        "indicator_id": ind.id,
        "level": lv.name,
        "start": start.isoformat(),
        "due": str(due),
        "due_end": due.end.isoformat(),
        "note": check.text(TARGET["note"], note),
        "set_by": check.text(TARGET["set_by"], set_by),
    }


def set_target(
    store: Store,
    fw: Framework,
    indicator: str,
    level: str,
    due: PartialDate,
    start: date,
    note: str,
    set_by: str,
    set_at: str,
) -> Target:
    """Record a target; an earlier one for the indicator stays in the table as history."""
    values = target_values(fw, indicator, level, due, start, note, set_by)
    indicator_id = values["indicator_id"]
    assert isinstance(indicator_id, int)
    store.insert_target(
        indicator_id,
        fw.level(level).name,
        start.isoformat(),
        str(due),
        due.end.isoformat(),
        str(values["note"]),
        str(values["set_by"]),
        set_at,
    )
    ind = resolve_indicator(fw, indicator)
    return Target(ind.key, fw.level(level), start, due, str(values["note"]), str(values["set_by"]), set_at)


def targets(
    store: Store, fw: Framework, *, history: bool = False, known_by: date | None = None
) -> list[Target]:
    """The current target of each indicator (the latest set), or every target ever set; with `known_by`,
    as they stood at the end of that day (a target set later is not known yet)."""
    keys = {ind.id: ind.key for ind in fw.indicators if ind.id is not None}
    cutoff = (known_by + timedelta(days=1)).isoformat() if known_by is not None else "\uffff"
    return [
        Target(
            keys[r["indicator_id"]],
            fw.level(r["level"]) if r["level"] else None,
            date.fromisoformat(r["start"]),
            PartialDate.from_stored(r["due"]),
            r["note"],
            r["set_by"],
            r["set_at"],
        )
        for r in store.target_rows(list(keys), history=history, set_before=cutoff)
        if history or r["level"]
    ]


def track(
    target: Target | None, state: IndicatorState, start_state: IndicatorState | None, as_of: date
) -> tuple[str, float | None]:
    """met / overdue / on track / off track against a straight line from the start to the due date.

    For a recommendation the target is a level to reach; for a risk it is a ceiling to get under."""
    if target is None or target.level is None:
        return "no target", None
    # A risk is scored on the mirrored scale, so "higher is better" holds for both kinds below.
    sign = -1 if state.indicator.kind == "risk" else 1
    goal = target.level.percent
    if sign * state.status.percent >= sign * goal:
        return "met", float(goal)
    if as_of > target.due.end:
        return "overdue", float(goal)
    begin = start_state.status.percent if start_state else state.status.percent
    span = (target.due.end - target.start).days
    elapsed = min(max((as_of - target.start).days, 0), span) if span > 0 else span
    expected = begin + (goal - begin) * (elapsed / span) if span > 0 else float(goal)
    expected = round(expected, 1)
    return ("on track" if sign * state.status.percent >= sign * expected else "off track"), expected
