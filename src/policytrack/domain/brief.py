"""What a brief (the HTML and SVG report) shows beyond the report table: each indicator's timeline in the
evidence window, the status each target starts from, and a content hash of the entries it used.

Everything comes from the report (reports.py), the timeline (status.py) and the targets (targets.py): a
brief shows the same statuses and tracks as the terminal report, drawn.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from policytrack.domain.periods import PeriodReport
from policytrack.domain.reports import Report
from policytrack.domain.status import Timeline, status_at, timeline
from policytrack.records.models import Framework, StatusLevel
from policytrack.store import Store


@dataclass(frozen=True)
class Brief:
    report: Report
    timelines: dict[str, Timeline]  # by indicator key: its evidence in the report's window
    target_starts: dict[str, StatusLevel]  # by indicator key: the status on its target's start date
    periods: PeriodReport | None  # with --by
    explain: bool  # list the evidence behind each row
    entries_hash: str  # sha256 of the entries shown, in their JSON form without the local id

    @property
    def first_day(self) -> date:
        """Where the charts start: the window's start, else its first entry, else the as-of date."""
        if self.report.since is not None:
            return self.report.since
        starts = [tl.points[0].entry.date.start for tl in self.timelines.values() if tl.points]
        return min(starts, default=self.report.until)


def build_brief(
    store: Store, fw: Framework, report: Report, periods: PeriodReport | None, *, explain: bool
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
    for tl in timelines.values():
        for point in tl.points:
            shared = {k: v for k, v in point.entry.as_dict().items() if k != "id"}
            digest.update(json.dumps(shared, sort_keys=True).encode("utf-8") + b"\n")
    return Brief(report, timelines, starts, periods, explain, digest.hexdigest())
