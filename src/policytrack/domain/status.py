"""Where each indicator stands: its status at a date (latest assessment, else the baseline), its evidence,
and one indicator's timeline.

The rule for "status at a date", stated once: the status an indicator had at date D is the assessment (an
entry with a status) whose observed date (its first day) is the latest on or before D, ties broken by the
one order (records.entry.ORDER: observed date, time recorded in UTC, analyst, uuid; never a local
id); with none, the indicator's baseline. `status_at` reads it with one seek (the report, the brief,
timeline's start); `statuses_at` applies it in one pass over an ordered history (periods, forecasts);
`latest` picks by the same order from any rows that carry its columns (the per-analyst view)."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain
from typing import Any, TypeVar

from policytrack.core.dates import PartialDate, window_end
from policytrack.records.entry import ORDER as ENTRY_ORDER
from policytrack.records.models import Entry, Framework, Indicator, StatusLevel, resolve_indicator
from policytrack.store import Store

T = TypeVar("T")
R = TypeVar("R", bound=Mapping[str, Any])


def order_key(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A row's place in the one order (ENTRY_ORDER), from its columns of that name."""
    return tuple(str(row[name]) for name in ENTRY_ORDER)


def latest(rows: Iterable[R]) -> R | None:
    """The last of these rows in the one order (None: no row)."""
    return max(rows, key=order_key, default=None)


@dataclass(frozen=True)
class IndicatorState:
    """An indicator's status at a date, with how much evidence it has and the latest."""

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
    """The status at a date (the module's rule), with the stored date of the assessment that set it (None:
    the baseline): one seek in the index that holds the one order."""
    assert ind.id is not None
    row = store.latest_assessment(ind.id, cutoff)
    if row is None:
        return baseline(fw, ind), None
    return fw.level(row["status"]), PartialDate.from_stored(row["date"])


def statuses_at(
    fw: Framework, ind: Indicator, assessments: Sequence[tuple[str, str]], cutoffs: Iterable[str]
) -> list[StatusLevel]:
    """The status at each of `cutoffs` (ascending ISO dates) by the module's rule, in one pass over an
    indicator's assessments given as (date_start, status) in the one order (Store.assessments)."""
    current, i, out = baseline(fw, ind), 0, []
    for cutoff in cutoffs:
        while i < len(assessments) and assessments[i][0] <= cutoff:
            current = fw.level(assessments[i][1])
            i += 1
        out.append(current)
    return out


@dataclass(frozen=True)
class TimelinePoint:
    """One entry of a timeline, with the momentum so far and the status it changes."""

    entry: Entry
    cumulative: int  # momentum from the start of the window up to and including this entry
    status_change: str | None  # "old -> new" when this entry's assessment changes the status


@dataclass(frozen=True)
class Timeline:
    """An indicator's entries in a window in the one order, with its status line and trend."""

    indicator: Indicator
    start_status: StatusLevel  # the status just before the window
    points: tuple[TimelinePoint, ...]  # all of them, or the newest `keep` that timeline() was asked for
    total: int  # how many entries the window holds
    changes: int  # how many of them change the status
    momentum: tuple[int, ...]  # the cumulative momentum after each entry, sampled to TREND_POINTS at most
    last_id: int = 0  # the highest entry id among them (how wide a table's id column must be)


TREND_POINTS = 40


def timeline(
    store: Store,
    fw: Framework,
    key: str,
    since: date | None = None,
    until: date | None = None,
    *,
    keep: int | None = None,
) -> Timeline:
    """One indicator's current evidence in date order, with cumulative momentum and status changes; with
    `keep`, only the newest `keep` points are held (the counts and the trend cover them all), so memory
    stays flat whatever the window holds."""
    if keep is not None:
        return _timeline_page(store, fw, key, since, until, keep)
    indicator, status, every = timeline_points(store, fw, key, since, until)
    steps = ((p.entry, p.cumulative, p.status_change) for p in every)
    kept: deque[tuple[Any, int, str | None]] = deque()
    cumulative = array("q")
    changes = last_id = 0
    for step in steps:
        kept.append(step)
        last_id = max(last_id, step[0].id)
        cumulative.append(step[1])
        changes += step[2] is not None
    points = [TimelinePoint(entry, total, change) for entry, total, change in kept]
    return Timeline(indicator, status, tuple(points), len(cumulative), changes, _trend(cumulative), last_id)


def _trend(cumulative: Sequence[int]) -> tuple[int, ...]:
    """The momentum at the end of each of TREND_POINTS equal stretches of the entries."""
    return tuple(cumulative[rank - 1] for rank in _trend_ranks(len(cumulative)))


def _trend_ranks(n: int) -> range | list[int]:
    """How many of n entries each point of the trend has summed (every entry, up to TREND_POINTS)."""
    if n <= TREND_POINTS:
        return range(1, n + 1)
    return [(i + 1) * n // TREND_POINTS for i in range(TREND_POINTS)]


def _sums_after(digits: bytes, ranks: Iterable[int]) -> list[int]:
    """The cumulative momentum after each of `ranks` (ascending) entries, from their effects as digits
    (Store.effects_in_order): each stretch between two ranks counted digit by digit, in C."""
    sums, total, start = [], 0, 0
    for rank in ranks:
        stretch = digits[start:rank]
        total += sum(d * stretch.count(48 + d) for d in range(1, 5)) - 2 * len(stretch)
        sums.append(total)
        start = rank
    return sums


def _timeline_page(
    store: Store, fw: Framework, key: str, since: date | None, until: date | None, keep: int
) -> Timeline:
    """timeline() with only the newest `keep` entries built (a terminal's page): the counts and the trend
    are summed from every entry's effect, read as one digit each in one string (no object per entry); the
    status changes come from the assessments alone, in the one order, then the page."""
    from policytrack.domain.entries import listing  # here: `report` never lists entries (start-up)
    from policytrack.records.listed import EntryFilter

    indicator, status = _timeline_start(store, fw, key, since, until)
    where, params, _ = listing(fw, EntryFilter(indicators=[indicator.key], since=since, until=until))
    digits, last_id = store.effects_in_order(where, params)
    count = len(digits)
    page = [(r[0], r[2]) for r in store.entry_values("e.id, e.effect, e.status", where, params, keep)]
    on_page = {item for item, _ in page}
    # every entry off the page comes before it: its assessments, then the page, give each change
    assessed = store.entry_values("e.id, e.effect, e.status", [*where, "e.status IS NOT NULL"], params)
    earlier = ((r[0], r[2]) for r in assessed if r[0] not in on_page)
    changes, change_of = 0, {}
    for item, _, change in _steps(fw, status, ((item, 0, st) for item, st in chain(earlier, page))):
        changes += change is not None
        if item in on_page:
            change_of[item] = change
    found = store.entries_with_ids([item for item, _ in page]) if page else {}
    start = count - len(page)
    sums = _sums_after(digits, range(start, count + 1))  # the momentum before the page, then at each row
    points = tuple(
        TimelinePoint(found[item], sums[1 + i], change_of[item]) for i, (item, _) in enumerate(page)
    )
    trend = tuple(_sums_after(digits, _trend_ranks(count)))
    return Timeline(indicator, status, points, count, changes, trend, last_id)


def timeline_points(
    store: Store, fw: Framework, key: str, since: date | None = None, until: date | None = None
) -> tuple[Indicator, StatusLevel, Iterator[TimelinePoint]]:
    """The indicator, its status just before the window, and its points in date order, streamed."""
    from policytrack.domain.entries import list_entries  # here: `report` never lists entries (start-up)
    from policytrack.records.listed import EntryFilter

    indicator, status = _timeline_start(store, fw, key, since, until)
    flt = EntryFilter(indicators=[indicator.key], since=since, until=until)
    rows = ((entry, entry.effect, entry.status) for entry in list_entries(store, fw, flt))
    return indicator, status, (TimelinePoint(*step) for step in _steps(fw, status, rows))


def timeline_point_tuples(
    store: Store,
    fw: Framework,
    key: str,
    names: Sequence[str],
    since: date | None = None,
    until: date | None = None,
) -> Iterator[tuple[tuple[Any, ...], int, str | None]]:
    """timeline_points' points, streamed, each as (the entry's columns `names` as a tuple, the cumulative
    momentum, the status change): for a plain-text table of every point, with no Entry built per row.
    `names` (of store.entries.ENTRY_SELECTABLE) must hold "effect" and "status"."""
    from policytrack.domain.entries import list_entry_tuples  # here: `report` never lists entries
    from policytrack.records.listed import EntryFilter

    indicator, status = _timeline_start(store, fw, key, since, until)
    flt = EntryFilter(indicators=[indicator.key], since=since, until=until)
    effect, assessed = names.index("effect"), names.index("status")
    rows = ((row, row[effect], row[assessed]) for row in list_entry_tuples(store, fw, flt, names))
    return _steps(fw, status, rows)


def timeline_values(
    store: Store, fw: Framework, key: str, select: str, since: date | None = None, until: date | None = None
) -> Iterator[tuple[Any, int, str | None]]:
    """timeline() streamed for output that SQLite builds: per entry, the value of the SQL expression
    `select` (over aliases e, i, f), the cumulative momentum and the status change. Memory stays flat. The
    indicator and window are checked at the call, so a bad one fails before anything is written."""
    from policytrack.domain.entries import listing  # here: `report` never lists entries (start-up)
    from policytrack.records.listed import EntryFilter

    indicator, status = _timeline_start(store, fw, key, since, until)
    where, params, _ = listing(fw, EntryFilter(indicators=[indicator.key], since=since, until=until))
    rows = store.entry_values(f"{select}, e.effect, e.status", where, params)
    return _steps(fw, status, ((row[0], row[1], row[2]) for row in rows))


def status_changes(
    store: Store, fw: Framework, key: str, since: date | None = None, until: date | None = None
) -> tuple[StatusLevel, list[tuple[date, StatusLevel]]]:
    """timeline()'s status line alone: the status just before the window, and the first day of each
    assessment in the window that changes it with the level it changes to. Only assessments are read: the
    other entries never change a status."""
    from policytrack.domain.entries import listing  # here: `report` never lists entries (start-up)
    from policytrack.records.listed import EntryFilter

    indicator, status = _timeline_start(store, fw, key, since, until)
    where, params, _ = listing(fw, EntryFilter(indicators=[indicator.key], since=since, until=until))
    rows = store.entry_values("e.date_start, e.status", [*where, "e.status IS NOT NULL"], params)
    steps = _steps(fw, status, ((row, 0, row[1]) for row in rows))
    changes = [(date.fromisoformat(row[0]), fw.level(row[1])) for row, _, change in steps if change]
    return status, changes


def _timeline_start(
    store: Store, fw: Framework, key: str, since: date | None, until: date | None
) -> tuple[Indicator, StatusLevel]:
    """The indicator and its status just before the window."""
    window_end(since, until)
    indicator = resolve_indicator(fw, key)
    if since:
        return indicator, status_at(store, fw, indicator, (since - timedelta(days=1)).isoformat())[0]
    return indicator, baseline(fw, indicator)


def _steps(
    fw: Framework, status: StatusLevel, rows: Iterable[tuple[T, int, str | None]]
) -> Iterator[tuple[T, int, str | None]]:
    """The rule for a timeline, once: (item, cumulative momentum, "old -> new" when the item's assessment
    changes the status) for each (item, effect, assessed status) in date order."""
    total = 0
    for item, effect, assessed in rows:
        total += effect
        change = None
        if assessed and assessed != status.name:
            change = f"{status.name} -> {assessed}"
            status = fw.level(assessed)
        yield item, total, change
