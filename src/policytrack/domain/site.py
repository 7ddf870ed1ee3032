"""What the published website shows (`publish DIR --site`): for each framework its brief as of the as-of
date (every entry, explained), every target set by then, and, for each month in which an entry is dated,
the tracker as it stood at that month's end; the feed's items (each status change, each piece of
evidence), streamed from the store.

Everything comes from the brief (brief.py), the reports (reports.py) and the targets (targets.py): the site
shows the same statuses as the terminal report. Nothing here reads the clock: every date is the data's or
the as-of date.
"""

from __future__ import annotations

import calendar
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from policytrack.core.dates import PartialDate
from policytrack.domain.brief import Brief, build_brief
from policytrack.domain.entries import listing
from policytrack.domain.reports import build_report
from policytrack.domain.status import TimelinePoint, _steps, status_at  # _steps: the timeline's one rule
from policytrack.domain.targets import Target, targets
from policytrack.records.models import (
    Entry,
    EntryFilter,
    Framework,
    Indicator,
    SourceRecord,
    StatusLevel,
)
from policytrack.store import Store


@dataclass(frozen=True)
class FrameworkSite:
    brief: Brief  # as of the site's date, explained: its evidence holds every entry by then
    targets: dict[str, tuple[Target, ...]]  # by indicator key: every target set by the as-of date, in order
    points: dict[str, tuple[TimelinePoint, ...]]  # by indicator key: each entry and the change it makes


@dataclass(frozen=True)
class Standing:
    """An indicator at a date: its status by the one rule (status.status_at) and the date that set it."""

    indicator: Indicator
    status: StatusLevel
    since: PartialDate | None  # None: the baseline


@dataclass(frozen=True)
class Month:
    """A month in which at least one published entry is dated: the tracker at its end (or the as-of date)."""

    label: str  # YYYY-MM: the page's name
    end: date
    standings: tuple[tuple[Framework, tuple[Standing, ...]], ...]  # each framework's indicators at `end`
    entries: tuple[Entry, ...]  # the entries dated in it, in the one order


@dataclass(frozen=True)
class FeedItem:
    """One entry of the Atom feed: an entry that changed a status, or a piece of evidence."""

    entry: Entry
    change: str | None  # "old -> new" for a status change, None for the evidence itself


@dataclass(frozen=True)
class Site:
    as_of: date
    frameworks: tuple[FrameworkSite, ...]
    months: tuple[Month, ...]  # oldest first
    sources: tuple[SourceRecord, ...]  # the registered sources the evidence cites, by key

    def name(self, analyst: str) -> str:
        """An analyst as readers see them: their display name, else their login."""
        return self.frameworks[0].brief.name(analyst) if self.frameworks else analyst


def feed(store: Store, site: Site) -> Iterator[FeedItem]:
    """Every item of the feed, newest first in the one order (ENTRY_ORDER): each piece of evidence the site
    shows and, listed before it, the status change it makes. Streamed: the entries come newest first from
    a cursor per framework, merged; what is held is the status changes (by entry uuid), read first by the
    timeline's one rule (status._steps) from the assessments alone."""
    streams = []
    changes: dict[str, str] = {}
    for fs in site.frameworks:
        fw, keys = fs.brief.report.framework, [r.indicator.key for r in fs.brief.report.rows]
        if not keys:
            continue
        for key in keys:
            changes.update(_status_changes(store, fw, fs.brief.tracks[key].start_status, key, site.as_of))
        where, params, _ = listing(fw, EntryFilter(indicators=keys, until=site.as_of))
        streams.append(store.query_entries(where, params, descending=True))
    for entry in heapq.merge(*streams, key=_order, reverse=True):
        change = changes.get(entry.uuid)
        if change:
            yield FeedItem(entry, change)
        yield FeedItem(entry, None)


def _order(e: Entry) -> tuple[date, str, str, str]:
    """An entry's place in the one order (store.entries.ENTRY_ORDER), to merge the frameworks' streams."""
    return (e.date.start, e.recorded_at, e.analyst, e.uuid)


def _status_changes(
    store: Store, fw: Framework, start: StatusLevel, key: str, as_of: date
) -> Iterator[tuple[str, str]]:
    """(entry uuid, "old -> new") for each assessment of an indicator that changes its status, in order:
    only assessments change it (an effect never does), so only they are read."""
    where, params, _ = listing(fw, EntryFilter(indicators=[key], until=as_of))
    rows = store.entry_values("e.uuid AS uuid, e.status AS status", [*where, "e.status IS NOT NULL"], params)
    for uuid, _total, change in _steps(fw, start, ((r["uuid"], 0, r["status"]) for r in rows)):
        if change:
            yield uuid, change


def _points(fw: Framework, brief: Brief, key: str) -> tuple[TimelinePoint, ...]:
    """An indicator's entries with the status change each makes, by the timeline's rule (status.py), from
    the status before them (the brief's window starts at the first entry: the baseline)."""
    rows = ((e, e.effect, e.status) for e in brief.evidence[key])
    return tuple(TimelinePoint(*step) for step in _steps(fw, brief.tracks[key].start_status, rows))


def _month_end(day: date, as_of: date) -> date:
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return min(last, as_of)


def build_site(
    store: Store,
    frameworks: list[Framework],
    as_of: date,
    *,
    stale_days: int,
    names: dict[str, str] | None = None,
) -> Site:
    """The site's data as of `as_of`: only what was known then (targets, forecasts, entries dated by then)."""
    sites = []
    by_month: dict[tuple[int, int], list[Entry]] = {}
    cited: dict[str, SourceRecord] = {}
    for fw in frameworks:
        report = build_report(store, fw, as_of=as_of, stale_days=stale_days, targets_known=True)
        brief = build_brief(store, fw, report, None, explain=True, names=names)
        history: dict[str, list[Target]] = {}
        for t in targets(store, fw, history=True, known_by=as_of):
            history.setdefault(t.indicator_key, []).append(t)
        points = {key: _points(fw, brief, key) for key in brief.evidence}
        sites.append(FrameworkSite(brief, {k: tuple(v) for k, v in history.items()}, points))
        cited.update(brief.sources)
        for logged in brief.evidence.values():
            for entry in logged:
                start = entry.date.start
                by_month.setdefault((start.year, start.month), []).append(entry)
    months = []
    for (year, month), entries in sorted(by_month.items()):
        end = _month_end(date(year, month, 1), as_of)
        # one seek per indicator (status_at): a month page never needs a whole report
        standings = tuple(
            (fw, tuple(Standing(ind, *status_at(store, fw, ind, end.isoformat())) for ind in fw.indicators))
            for fw in frameworks
        )
        entries.sort(key=lambda e: (e.date.start, e.recorded_at, e.analyst, e.uuid))
        months.append(Month(f"{year:04d}-{month:02d}", end, standings, tuple(entries)))
    return Site(as_of, tuple(sites), tuple(months), tuple(cited[k] for k in sorted(cited)))
