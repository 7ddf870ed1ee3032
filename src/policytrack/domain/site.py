"""What the published website shows (`publish DIR --site`): for each framework its brief as of the as-of
date, every target set by then, and, for each month in which an entry is dated, the tracker as it stood at
that month's end. What grows with the entries is streamed from the store when a page is written, never
held: each indicator's evidence (with the status change each entry makes), each month's entries, the
feed's items (each status change, each piece of evidence) and the search index's lines.

Everything comes from the brief (brief.py), the reports (reports.py) and the targets (targets.py): the site
shows the same statuses as the terminal report. Nothing here reads the clock: every date is the data's or
the as-of date.
"""

from __future__ import annotations

import calendar
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import date
from itertools import groupby
from typing import Any

from policytrack.core.dates import PartialDate
from policytrack.domain.brief import Brief, build_brief
from policytrack.domain.entries import listing
from policytrack.domain.reports import build_report
from policytrack.domain.status import TimelinePoint, _steps, status_at  # _steps: the timeline's one rule
from policytrack.domain.targets import Target, targets
from policytrack.records.columns import COLUMNS
from policytrack.records.entry import ORDER as ENTRY_ORDER
from policytrack.records.models import (
    EntryFilter,
    Framework,
    Indicator,
    SourceRecord,
    StatusLevel,
)
from policytrack.store import Store


@dataclass(frozen=True)
class FrameworkSite:
    brief: Brief  # as of the site's date, with the sources its evidence cites (no entry held)
    targets: dict[str, tuple[Target, ...]]  # by indicator key: every target set by the as-of date, in order

    @property
    def keys(self) -> list[str]:
        return [r.indicator.key for r in self.brief.report.rows]


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


@dataclass(frozen=True)
class EntryLine:
    """An entry as a list of them shows it (the feed, a month, the search index): its summary and what
    shows it in the reader's language, read without the rest (each field an entry column of that name)."""

    uuid: str
    date: PartialDate
    recorded_at: str
    analyst: str
    framework: str
    indicator: str
    summary: str
    effect: int
    language: str
    summary_translation: str
    summary_translation_language: str
    summary_translation_checked: bool


_LINE_FIELDS = tuple(f.name for f in fields(EntryLine))  # once: dataclasses.fields() per row is slow
# What an EntryLine reads beyond the one order's columns (which every entry query adds), from each entry
# column's declaration (records.columns).
_LINE_SELECT = ", ".join(
    f"{c.sql} AS {c.name}" for c in COLUMNS if c.name in _LINE_FIELDS and c.name not in ENTRY_ORDER
)


@dataclass(frozen=True)
class FeedItem:
    """One entry of the Atom feed: an entry that changed a status, or a piece of evidence."""

    entry: EntryLine
    change: str | None  # "old -> new" for a status change, None for the evidence itself


@dataclass(frozen=True)
class Site:
    """The site's data; what grows with the entries is read from `store` (open while pages are written)
    by the methods below, each a stream in the one order (ENTRY_ORDER)."""

    store: Store
    as_of: date
    frameworks: tuple[FrameworkSite, ...]
    months: tuple[Month, ...]  # oldest first
    sources: tuple[SourceRecord, ...]  # the registered sources the evidence cites, by key

    def name(self, analyst: str) -> str:
        """An analyst as readers see them: their display name, else their login."""
        return self.frameworks[0].brief.name(analyst) if self.frameworks else analyst

    def _where(self, fs: FrameworkSite, keys: list[str]) -> tuple[list[str], list[Any]]:
        where, params, _ = listing(fs.brief.report.framework, EntryFilter(indicators=keys, until=self.as_of))
        return where, params

    def evidence(self, fs: FrameworkSite, key: str) -> Iterator[TimelinePoint]:
        """An indicator's entries, oldest first, with the status change each makes by the timeline's rule
        (status.py), from the status before them (the window starts at the first entry: the baseline)."""
        where, params = self._where(fs, [key])
        rows = ((e, e.effect, e.status) for e in self.store.query_entries(where, params))
        fw = fs.brief.report.framework
        for step in _steps(fw, fs.brief.tracks[key].start_status, rows):
            yield TimelinePoint(*step)

    def _lines(self, *, descending: bool = False) -> Iterator[EntryLine]:
        """Every entry the site shows as an EntryLine, in the one order (newest first when `descending`):
        a cursor per framework, merged."""
        streams = []
        for fs in self.frameworks:
            if fs.keys:
                where, params = self._where(fs, fs.keys)
                rows = self.store.entry_values(_LINE_SELECT, where, params, descending=descending)
                streams.append(_entry_line(row) for row in rows)
        return heapq.merge(*streams, key=_order, reverse=descending)

    def entries_by_month(self) -> Iterator[tuple[str, Iterator[EntryLine]]]:
        """Each month in which entries are dated (YYYY-MM of their first day, as `months`), oldest first,
        with its entries in the one order: one pass over every framework's entries, merged (the one order
        starts with the date, so a month's entries come together); take each month's whole before the
        next."""
        return groupby(self._lines(), key=lambda e: f"{e.date.start.year:04d}-{e.date.start.month:02d}")

    def search_lines(self, fs: FrameworkSite, key: str) -> Iterator[EntryLine]:
        """An indicator's entries as the search index holds them, oldest first."""
        where, params = self._where(fs, [key])
        return (_entry_line(row) for row in self.store.entry_values(_LINE_SELECT, where, params))

    def feed(self) -> Iterator[FeedItem]:
        """Every item of the feed, newest first in the one order: each piece of evidence the site shows
        and, listed before it, the status change it makes. The entries come newest first from a cursor
        per framework, merged; what is held is the status changes (by entry uuid), read first by the
        timeline's one rule (status._steps) from the assessments alone."""
        changes: dict[str, str] = {}
        for fs in self.frameworks:
            for key in fs.keys:
                changes.update(self._status_changes(fs, key))
        for entry in self._lines(descending=True):
            change = changes.get(entry.uuid)
            if change:
                yield FeedItem(entry, change)
            yield FeedItem(entry, None)

    def _status_changes(self, fs: FrameworkSite, key: str) -> Iterator[tuple[str, str]]:
        """(entry uuid, "old -> new") for each assessment of an indicator that changes its status, in
        order: only assessments change it (an effect never does), so only they are read."""
        where, params = self._where(fs, [key])
        assessed = [*where, "e.status IS NOT NULL"]
        rows = self.store.entry_values("e.uuid AS uuid, e.status AS status", assessed, params)
        fw, start = fs.brief.report.framework, fs.brief.tracks[key].start_status
        for uuid, _total, change in _steps(fw, start, ((r["uuid"], 0, r["status"]) for r in rows)):
            if change:
                yield uuid, change


def _order(e: EntryLine) -> tuple[date, str, str, str]:
    """An entry's place in the one order (store.entries.ENTRY_ORDER), to merge the frameworks' streams."""
    return (e.date.start, e.recorded_at, e.analyst, e.uuid)


def _entry_line(row: Any) -> EntryLine:
    values = {name: row[name] for name in _LINE_FIELDS}
    values["date"] = PartialDate.from_stored(values["date"])
    values["summary_translation_checked"] = bool(values["summary_translation_checked"])
    return EntryLine(**values)


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
    """The site's data as of `as_of`: only what was known then (targets, forecasts, entries dated by then).
    Entries are not read here (but counted, by the brief): the pages read them as they are written."""
    sites = []
    labels: set[str] = set()
    cited: dict[str, SourceRecord] = {}
    for fw in frameworks:
        report = build_report(store, fw, as_of=as_of, stale_days=stale_days, targets_known=True)
        brief = build_brief(store, fw, report, None, explain=False, names=names)
        history: dict[str, list[Target]] = {}
        for t in targets(store, fw, history=True, known_by=as_of):
            history.setdefault(t.indicator_key, []).append(t)
        keys = [row.indicator.key for row in report.rows]
        own: dict[str, SourceRecord] = {}
        if keys:
            where, params, _ = listing(fw, EntryFilter(indicators=keys, until=as_of))
            labels.update(store.entry_months(where, params))
            own = {src.key: src for src in store.cited_sources(where, params)}
        cited.update(own)
        brief = replace(brief, sources=own)
        sites.append(FrameworkSite(brief, {k: tuple(v) for k, v in history.items()}))
    months = []
    for label in sorted(labels):
        year, month = (int(part) for part in label.split("-"))
        end = _month_end(date(year, month, 1), as_of)
        # one seek per indicator (status_at): a month page never needs a whole report
        standings = tuple(
            (fw, tuple(Standing(ind, *status_at(store, fw, ind, end.isoformat())) for ind in fw.indicators))
            for fw in frameworks
        )
        months.append(Month(label, end, standings))
    return Site(store, as_of, tuple(sites), tuple(months), tuple(cited[k] for k in sorted(cited)))
