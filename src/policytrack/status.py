"""Where each indicator stands: its current status (latest assessment, else the baseline) and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from policytrack.dates import PartialDate
from policytrack.models import Entry, Framework, Indicator, StatusLevel, resolve_indicator
from policytrack.store import Store


@dataclass(frozen=True)
class IndicatorState:
    indicator: Indicator
    status: StatusLevel
    status_date: PartialDate | None  # None: the status is the framework's baseline
    evidence: int
    last_evidence: PartialDate | None


def indicator_states(store: Store, fw: Framework, as_of: date | None = None) -> list[IndicatorState]:
    """One state per indicator, counting only current (not deleted) entries dated on or before as_of."""
    cutoff = (as_of or date.max).isoformat()
    ids = [ind.id for ind in fw.indicators]
    marks = ", ".join("?" for _ in ids)
    counts = {
        row[0]: row[1]
        for row in store.conn.execute(
            f"""SELECT indicator_id, count(*) FROM entries
                WHERE deleted_at IS NULL AND date_start <= ? AND indicator_id IN ({marks})
                GROUP BY indicator_id""",
            (cutoff, *ids),
        )
    }
    # One index seek per indicator (entries_assessments, entries_report) rather than a window over all rows.
    latest_status, last_date = {}, {}
    for ind in fw.indicators:
        latest_status[ind.id] = store.conn.execute(
            """SELECT status, date FROM entries WHERE indicator_id = ? AND deleted_at IS NULL
               AND status IS NOT NULL AND date_start <= ? ORDER BY date_start DESC, id DESC LIMIT 1""",
            (ind.id, cutoff),
        ).fetchone()
        last_date[ind.id] = store.conn.execute(
            """SELECT date FROM entries WHERE indicator_id = ? AND deleted_at IS NULL AND date_start <= ?
               ORDER BY date_start DESC, id DESC LIMIT 1""",
            (ind.id, cutoff),
        ).fetchone()
    states = []
    for ind in fw.indicators:
        s = latest_status[ind.id]
        last = last_date[ind.id]
        if s is not None:
            status, status_date = fw.level(s["status"]), PartialDate.from_stored(s["date"])
        else:
            status, status_date = fw.level(ind.baseline_status or fw.default_status), None
        states.append(
            IndicatorState(
                indicator=ind,
                status=status,
                status_date=status_date,
                evidence=counts.get(ind.id, 0),
                last_evidence=PartialDate.from_stored(last["date"]) if last else None,
            )
        )
    return states


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
    from policytrack.entries import EntryFilter, list_entries

    indicator = resolve_indicator(fw, key)
    if since:
        before = since - timedelta(days=1)
        start = next(s for s in indicator_states(store, fw, before) if s.indicator.key == indicator.key)
        status = start.status
    else:
        status = fw.level(indicator.baseline_status or fw.default_status)
    first_status, total, points = status, 0, []
    for entry in list_entries(store, fw, EntryFilter(indicators=[indicator.key], since=since, until=until)):
        total += entry.effect
        change = None
        if entry.status and entry.status != status.name:
            change = f"{status.name} -> {entry.status}"
            status = fw.level(entry.status)
        points.append(TimelinePoint(entry, total, change))
    return Timeline(indicator, first_status, tuple(points))
