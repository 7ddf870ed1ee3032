"""Where each indicator stands: its status at a date (latest assessment, else the baseline), its evidence,
and one indicator's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from policytrack.dates import PartialDate, window_end
from policytrack.entries import list_entries
from policytrack.models import Entry, EntryFilter, Framework, Indicator, StatusLevel, resolve_indicator
from policytrack.store import Store


@dataclass(frozen=True)
class IndicatorState:
    indicator: Indicator
    status: StatusLevel
    status_date: PartialDate | None  # None: the status is the framework's baseline
    evidence: int
    last_evidence: PartialDate | None


def indicator_states(
    store: Store, fw: Framework, as_of: date | None = None, *, counted: bool = True
) -> list[IndicatorState]:
    """One state per indicator, counting only current (not deleted) entries dated on or before as_of
    (not counted, `evidence` is 0: the report counts its window itself)."""
    cutoff = (as_of or date.max).isoformat()
    ids = [ind.id for ind in fw.indicators if ind.id is not None]
    counts = store.evidence_counts_until(ids, cutoff) if counted else {}
    states = []
    for ind in fw.indicators:
        assert ind.id is not None
        status, status_date = status_at(store, fw, ind, cutoff)
        last = store.last_evidence(ind.id, cutoff)
        states.append(
            IndicatorState(
                indicator=ind,
                status=status,
                status_date=status_date,
                evidence=counts.get(ind.id, 0),
                last_evidence=PartialDate.from_stored(last) if last else None,
            )
        )
    return states


def baseline(fw: Framework, ind: Indicator) -> StatusLevel:
    """Where an indicator stands before any assessment: its baseline, else the framework's default."""
    return fw.level(ind.baseline_status or fw.default_status)


def status_at(
    store: Store, fw: Framework, ind: Indicator, cutoff: str
) -> tuple[StatusLevel, PartialDate | None]:
    """The rule for "status at a date", stated once: the latest assessment (an entry with a status) on or
    before the date, else the baseline (with no date). periods.py applies the same rule in one pass."""
    assert ind.id is not None
    row = store.latest_assessment(ind.id, cutoff)
    if row is None:
        return baseline(fw, ind), None
    return fw.level(row["status"]), PartialDate.from_stored(row["date"])


@dataclass(frozen=True)
class TimelinePoint:
    entry: Entry
    cumulative: int  # momentum from the start of the window up to and including this entry
    status_change: str | None  # "old -> new" when this entry's assessment changes the status


@dataclass(frozen=True)
class Timeline:
    indicator: Indicator
    start_status: StatusLevel  # the status just before the window
    points: tuple[TimelinePoint, ...]


def timeline(
    store: Store, fw: Framework, key: str, since: date | None = None, until: date | None = None
) -> Timeline:
    """One indicator's current evidence in date order, with cumulative momentum and status changes."""
    window_end(since, until)
    indicator = resolve_indicator(fw, key)
    if since:
        status = status_at(store, fw, indicator, (since - timedelta(days=1)).isoformat())[0]
    else:
        status = baseline(fw, indicator)
    first_status, total, points = status, 0, []
    for entry in list_entries(store, fw, EntryFilter(indicators=[indicator.key], since=since, until=until)):
        total += entry.effect
        change = None
        if entry.status and entry.status != status.name:
            change = f"{status.name} -> {entry.status}"
            status = fw.level(entry.status)
        points.append(TimelinePoint(entry, total, change))
    return Timeline(indicator, first_status, tuple(points))
