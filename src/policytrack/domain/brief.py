"""What a brief (the HTML and SVG report) shows beyond the report table: each indicator's timeline in the
evidence window, the status each target starts from, the registered sources its evidence cites, the
forecasts known on its as-of date, who its analysts are by name, the analyst's own words (title, author,
organisation, marking, key judgements), and a content hash of the entries it used.

Everything comes from the report (reports.py), the timeline's rule (status.py), the targets (targets.py)
and the forecasts (forecasts.py): a brief shows the same statuses and tracks as the terminal report, drawn.
It reads what it draws: each chart's marks as counts per day and effect and the content hash from the
digest kept per entry (store.digests), one key range per indicator (read_window), its status line from
the assessments alone; an object per entry only for --explain, whose table shows every entry (read as the page
is written, streamed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from policytrack.core.dates import PartialDate
from policytrack.domain.entries import list_entries, listing
from policytrack.domain.forecasts import Forecast, Scores, list_forecasts, score
from policytrack.domain.periods import PeriodReport
from policytrack.domain.reports import Report
from policytrack.domain.status import status_at, status_changes
from policytrack.records.models import (
    Entry,
    EntryFilter,
    Framework,
    SourceRecord,
    StatusLevel,
    resolve_indicator,
)
from policytrack.store import Store


@dataclass(frozen=True)
class Track:
    """What an indicator's chart draws of its evidence in the report's window, read as counts: whatever
    the number of entries, its size is bounded by the days and effects in the window."""

    start_status: StatusLevel  # the status just before the window
    changes: tuple[tuple[date, StatusLevel], ...]  # each assessment that changes the status: day, level
    marks: tuple[tuple[PartialDate, int, int], ...]  # (an entry's date, its effect, how many such entries)
    entries: int  # in the window

    @cached_property
    def first(self) -> date | None:
        """The first day of its earliest entry in the window (each chart asks: worked out once)."""
        return min((d.start for d, _, _ in self.marks), default=None)


@dataclass(frozen=True)
class _Listed:
    """The entries of a window, read from the store in the one order at each pass over them."""

    store: Store
    fw: Framework
    window: EntryFilter

    def __iter__(self) -> Iterator[Entry]:
        return list_entries(self.store, self.fw, self.window)


Marks = dict[str, tuple[tuple[PartialDate, int, int], ...]]  # by indicator key: (date, effect, entries)


def read_window(
    store: Store, fw: Framework, keys: Iterable[str], since: date | None, until: date
) -> tuple[str, Marks]:
    """What a brief reads of its entries (_read): their content hash and each indicator's marks, the
    entries counted per stored date and effect (a chart's size bounded by the days in its window, whatever
    the number of entries)."""
    keys = list(dict.fromkeys(keys))
    digest, counts = _read(store, fw, keys, since, until)
    marks: dict[str, list[tuple[PartialDate, int, int]]] = {key: [] for key in keys}
    dates: dict[str, PartialDate] = {}  # a stored date recurs across effects and indicators: read once
    for key, found in zip(keys, counts, strict=True):
        for stored, effect, n in sorted(found):
            if (day := dates.get(stored)) is None:
                day = dates[stored] = PartialDate.from_stored(stored)
            marks[key].append((day, effect, n))
    return digest, {key: tuple(found) for key, found in marks.items()}


def entries_hash(store: Store, fw: Framework, keys: Iterable[str], since: date | None, until: date) -> str:
    """sha256 of the entries a brief uses: each indicator's window in turn (`keys` in the report's order,
    each once), each entry's digest (sha256 of the line of its shared fields, store.export.SHARED_LINE_SQL:
    synced and public, never a local id) in the order of first day, stored date, effect and digest, so two
    databases holding the same entries give one hash."""
    return _read(store, fw, list(dict.fromkeys(keys)), since, until)[0]


def _read(
    store: Store, fw: Framework, keys: list[str], since: date | None, until: date
) -> tuple[str, list[list[tuple[str, int, int]]]]:
    """entries_hash's digest, and each indicator's (stored date, effect, entries) in `keys`' order, from
    the digests kept per entry (store.digests): the missing ones stored first where the database can be
    written, each window then read from one key range, a row per day and effect; a window where some are
    still missing (a read-only database, a change since) is read with those computed on the way, which
    gives the same."""
    digest = hashlib.sha256()
    marks = []
    if keys:
        store.fill_digests()
    start, end = (None if since is None else since.isoformat()), until.isoformat()
    kept = not store.newer_schema  # a newer version's digests may hash a line this one does not make
    for key in keys:
        ident = resolve_indicator(fw, key).id or 0
        before = digest.copy()  # where a window turns out incomplete, it is hashed again from here
        found = []
        for stored, effect, n, digests in store.window_groups(ident, start, end) if kept else ():
            found.append((stored, effect, n))
            digest.update(digests)
        if not kept or sum(n for _, _, n in found) != store.window_count(ident, start, end):
            digest, found = before, store.window_marks(ident, start, end)
            for batch in store.window_digests(ident, start, end, kept=kept):
                digest.update(b"".join(batch))
        marks.append(found)
    return digest.hexdigest(), marks


def track(store: Store, fw: Framework, key: str, since: date | None, until: date, marks: Marks) -> Track:
    """One indicator's Track over a window: the status line by the timeline's rule (status.py), its marks
    as read_window counted them."""
    start, changes = status_changes(store, fw, key, since, until)
    drawn = marks[key]
    return Track(start, tuple(changes), drawn, sum(n for _, _, n in drawn))


def _window(key: str, since: date | None, until: date) -> EntryFilter:
    return EntryFilter(indicators=[key], since=since, until=until)


@dataclass(frozen=True)
class Byline:
    """The analyst's own words on the brief: all optional, all shown literally (the summary as safe
    markdown)."""

    title: str = ""
    author: str = ""
    organisation: str = ""
    marking: str = ""
    summary: str = ""  # markdown: the key judgements


@dataclass(frozen=True)
class Brief:
    report: Report
    tracks: dict[str, Track]  # by indicator key: what its chart draws of its evidence in the window
    target_starts: dict[str, StatusLevel]  # by indicator key: the status on its target's start date
    periods: PeriodReport | None  # with --by
    explain: bool  # list the evidence behind each row
    entries_hash: str  # sha256 of the entries used, each the line of its shared fields (entries_hash)
    byline: Byline = field(default_factory=Byline)
    names: dict[str, str] = field(default_factory=dict)  # analyst -> display name, where one is set
    sources: dict[str, SourceRecord] = field(default_factory=dict)  # cited by the evidence shown, by key
    forecasts: tuple[Forecast, ...] = ()  # made and recorded by the as-of date, on the report's rows
    scores: Scores | None = None  # of those forecasts
    by_analyst: bool = False  # each analyst's latest assessments as a section
    # by key, with explain: every entry (held, or read again at each pass: build_brief's `streamed`)
    evidence: dict[str, Iterable[Entry]] = field(default_factory=dict)

    @property
    def first_day(self) -> date:
        """Where the charts start: the window's start, else its first entry, else the as-of date."""
        if self.report.since is not None:
            return self.report.since
        starts = [first for t in self.tracks.values() if (first := t.first) is not None]
        return min(starts, default=self.report.until)

    @property
    def last_day(self) -> date:
        """Where every chart ends: the window's end or the latest target's due date, at least a month after
        the first day, so a date sits at one place down the page."""
        dues = [r.target.due.end for r in self.report.rows if r.target is not None]
        return max(self.report.until, *dues, self.first_day + timedelta(days=30))

    def name(self, analyst: str) -> str:
        """An analyst as readers should see them: their display name, else their login."""
        return self.names.get(analyst) or analyst


def build_brief(
    store: Store,
    fw: Framework,
    report: Report,
    periods: PeriodReport | None,
    *,
    explain: bool,
    byline: Byline | None = None,
    names: dict[str, str] | None = None,
    by_analyst: bool = False,
    streamed: bool = False,
) -> Brief:
    """The brief of a report. With `explain`, every entry of each row's window: held, or with `streamed`
    read from the store at each pass over it (a page written as it is read, at flat memory; the store must
    stay open until it is written)."""
    since, until = report.since, report.until
    keys = [row.indicator.key for row in report.rows]
    digest, marks = read_window(store, fw, keys, since, until)
    drawn = {key: track(store, fw, key, since, until, marks) for key in keys}
    starts = {
        row.indicator.key: status_at(store, fw, row.indicator, row.target.start.isoformat())[0]
        for row in report.rows
        if row.target is not None
    }
    evidence: dict[str, Iterable[Entry]] = {}
    sources: dict[str, SourceRecord] = {}  # what the evidence tables name and link (without --explain, none)
    if explain and keys:
        for key in keys:
            window = _window(key, since, until)
            evidence[key] = _Listed(store, fw, window) if streamed else tuple(list_entries(store, fw, window))
        where, params, _ = listing(fw, EntryFilter(indicators=keys, since=since, until=until))
        sources = {src.key: src for src in store.cited_sources(where, params)}
    known = [f for f in list_forecasts(store, fw, known_by=report.as_of) if f.indicator in set(keys)]
    return Brief(
        report,
        drawn,
        starts,
        periods,
        explain,
        digest,
        byline or Byline(),
        dict(names or {}),
        sources,
        tuple(known),
        score(known) if known else None,
        by_analyst,
        evidence,
    )
