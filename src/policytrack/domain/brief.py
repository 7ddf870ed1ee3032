"""What a brief (the HTML and SVG report) shows beyond the report table: each indicator's timeline in the
evidence window, the status each target starts from, the registered sources its evidence cites, the
forecasts known on its as-of date, who its analysts are by name, the analyst's own words (title, author,
organisation, marking, key judgements), and a content hash of the entries it used.

Everything comes from the report (reports.py), the timeline (status.py), the targets (targets.py) and
the forecasts (forecasts.py): a brief shows the same statuses and tracks as the terminal report, drawn.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from policytrack.domain.forecasts import Forecast, Scores, list_forecasts, score
from policytrack.domain.periods import PeriodReport
from policytrack.domain.reports import Report
from policytrack.domain.status import Timeline, status_at, timeline
from policytrack.records.models import Framework, SourceRecord, StatusLevel
from policytrack.store import Store


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
    timelines: dict[str, Timeline]  # by indicator key: its evidence in the report's window
    target_starts: dict[str, StatusLevel]  # by indicator key: the status on its target's start date
    periods: PeriodReport | None  # with --by
    explain: bool  # list the evidence behind each row
    entries_hash: str  # sha256 of the entries shown, in their JSON form without the local id
    byline: Byline = field(default_factory=Byline)
    names: dict[str, str] = field(default_factory=dict)  # analyst -> display name, where one is set
    sources: dict[str, SourceRecord] = field(default_factory=dict)  # registered sources cited, by key
    forecasts: tuple[Forecast, ...] = ()  # made and recorded by the as-of date, on the report's rows
    scores: Scores | None = None  # of those forecasts
    by_analyst: bool = False  # each analyst's latest assessments as a section

    @property
    def first_day(self) -> date:
        """Where the charts start: the window's start, else its first entry, else the as-of date."""
        if self.report.since is not None:
            return self.report.since
        starts = [tl.points[0].entry.date.start for tl in self.timelines.values() if tl.points]
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
) -> Brief:
    timelines = {
        row.indicator.key: timeline(store, fw, row.indicator.key, report.since, report.until)
        for row in report.rows
    }
    starts = {
        row.indicator.key: status_at(store, fw, row.indicator, row.target.start.isoformat())[0]
        for row in report.rows
        if row.target is not None
    }
    # in the one order, and without the local id: two databases holding the same entries give one hash
    digest = hashlib.sha256()
    cited: set[str] = set()
    for tl in timelines.values():
        for point in tl.points:
            shared = {k: v for k, v in point.entry.as_dict().items() if k != "id"}
            digest.update(json.dumps(shared, sort_keys=True).encode("utf-8") + b"\n")
            cited.update(k for k in (point.entry.source_key, point.entry.via) if k)
    sources = {key: found for key in sorted(cited) if (found := store.source_by_key(key)) is not None}
    keys = {row.indicator.key for row in report.rows}
    known = [f for f in list_forecasts(store, fw, known_by=report.as_of) if f.indicator in keys]
    return Brief(
        report,
        timelines,
        starts,
        periods,
        explain,
        digest.hexdigest(),
        byline or Byline(),
        dict(names or {}),
        sources,
        tuple(known),
        score(known) if known else None,
        by_analyst,
    )
