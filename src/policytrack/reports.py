"""Progress reports: where each indicator stands against its target, and the evidence in a window.

Everything is computed as of a given date, so the same data and `--as-of` always give the same report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from policytrack.dates import PartialDate, window_end
from policytrack.disagreement import Disagreement, disagreements
from policytrack.errors import InputError
from policytrack.models import Framework, Indicator, StatusLevel, resolve_indicator
from policytrack.signposts import SignpostState, signposts
from policytrack.status import IndicatorState, indicator_states
from policytrack.store import Store
from policytrack.targets import Target, targets
from policytrack.targets import track as track_of


@dataclass(frozen=True)
class ReportRow:
    indicator: Indicator
    status: StatusLevel
    status_date: PartialDate | None
    target: Target | None
    track: str  # met | on track | off track | overdue | no target
    expected_percent: float | None
    entries: int
    advancing: int
    hindering: int
    context: int
    momentum: int
    weighted_momentum: float
    sources: int
    last_evidence: PartialDate | None
    days_since_evidence: int | None
    stale: bool


@dataclass(frozen=True)
class Report:
    framework: Framework
    as_of: date
    since: date | None
    until: date
    stale_days: int
    rows: tuple[ReportRow, ...]
    signposts: tuple[SignpostState, ...] = ()  # the rows' signals, observed in the window or awaited
    disagreements: tuple[Disagreement, ...] = ()  # each row's analysts' latest assessments in the window
    reviewed_only: bool = False  # only reviewed entries and assessments count

    def disagreement(self, key: str) -> Disagreement | None:
        return next((d for d in self.disagreements if d.indicator.key == key), None)

    @property
    def contested(self) -> list[Disagreement]:
        return [d for d in self.disagreements if d.contested]

    @property
    def totals(self) -> dict[str, Any]:
        return {
            "entries": sum(r.entries for r in self.rows),
            "advancing": sum(r.advancing for r in self.rows),
            "hindering": sum(r.hindering for r in self.rows),
            "context": sum(r.context for r in self.rows),
            "momentum": sum(r.momentum for r in self.rows),
            "weighted_momentum": round(sum(r.weighted_momentum for r in self.rows), 2),
        }

    @property
    def stale(self) -> list[str]:
        return [r.indicator.key for r in self.rows if r.stale]

    @property
    def overdue(self) -> list[str]:
        return [r.indicator.key for r in self.rows if r.track == "overdue"]


def build_report(
    store: Store,
    fw: Framework,
    *,
    as_of: date,
    since: date | None = None,
    until: date | None = None,
    indicators: list[str] | None = None,
    stale_days: int = 180,
) -> Report:
    if stale_days < 1:
        raise InputError(f"--stale-days must be at least 1, not {stale_days}")
    end = window_end(since, until, as_of)
    assert end is not None
    chosen = {resolve_indicator(fw, k).key for k in indicators or []}
    states = [s for s in indicator_states(store, fw, as_of) if not chosen or s.indicator.key in chosen]
    ids = [s.indicator.id for s in states if s.indicator.id is not None]
    window = {
        row["indicator_id"]: row
        for row in store.window_totals(ids, (since or date.min).isoformat(), end.isoformat())
    }
    current_targets = {t.indicator_key: t for t in targets(store, fw)}
    # Each target's line starts from the status on its start date: one query per distinct date.
    at_start: dict[date, dict[str, IndicatorState]] = {}
    for t in current_targets.values():
        if t.start <= as_of and t.start not in at_start:
            at_start[t.start] = {s.indicator.key: s for s in indicator_states(store, fw, t.start)}
    rows = []
    for state in states:
        key = state.indicator.key
        target = current_targets.get(key)
        start_state = at_start[target.start][key] if target and target.start in at_start else None
        track, expected = track_of(target, state, start_state, as_of)
        w = window.get(state.indicator.id)
        days = (as_of - state.last_evidence.start).days if state.last_evidence else None
        rows.append(
            ReportRow(
                indicator=state.indicator,
                status=state.status,
                status_date=state.status_date,
                target=target,
                track=track,
                expected_percent=expected,
                entries=w["n"] if w else 0,
                advancing=w["adv"] if w else 0,
                hindering=w["hind"] if w else 0,
                context=w["ctx"] if w else 0,
                momentum=w["momentum"] if w else 0,
                weighted_momentum=round(w["weighted"], 2) if w else 0.0,
                sources=w["sources"] if w else 0,
                last_evidence=state.last_evidence,
                days_since_evidence=days,
                stale=days is None or days > stale_days,
            )
        )
    observed = signposts(store, fw, [s.indicator.key for s in states], since, end)
    differ = disagreements(store, fw, [s.indicator for s in states], since, end)
    return Report(
        fw, as_of, since, end, stale_days, tuple(rows), tuple(observed), tuple(differ), store.reviewed_only
    )


REPORT_FIELDS = (
    "framework",
    "number",
    "key",
    "title",
    "kind",
    "status",
    "status_percent",
    "status_date",
    "target",
    "target_percent",
    "target_due",
    "track",
    "expected_percent",
    "entries",
    "advancing",
    "hindering",
    "context",
    "momentum",
    "weighted_momentum",
    "sources",
    "last_evidence",
    "days_since_evidence",
    "stale",
    "as_of",
    "since",
    "until",
    "analysts",
    "consensus",
    "spread",
    "contested",
)


def report_dicts(report: Report) -> list[dict[str, Any]]:
    """One flat record per indicator: plain numbers and ISO dates, the columns of REPORT_FIELDS."""
    out = []
    for r in report.rows:
        d = report.disagreement(r.indicator.key)
        out.append(
            {
                "framework": report.framework.name,
                "number": r.indicator.number,
                "key": r.indicator.key,
                "title": r.indicator.title,
                "kind": r.indicator.kind,
                "status": r.status.name,
                "status_percent": r.status.percent,
                "status_date": str(r.status_date) if r.status_date else None,
                "target": r.target.level.name if r.target else None,
                "target_percent": r.target.level.percent if r.target else None,
                "target_due": str(r.target.due) if r.target else None,
                "track": r.track,
                "expected_percent": r.expected_percent,
                "entries": r.entries,
                "advancing": r.advancing,
                "hindering": r.hindering,
                "context": r.context,
                "momentum": r.momentum,
                "weighted_momentum": r.weighted_momentum,
                "sources": r.sources,
                "last_evidence": str(r.last_evidence) if r.last_evidence else None,
                "days_since_evidence": r.days_since_evidence,
                "stale": r.stale,
                "as_of": report.as_of.isoformat(),
                "since": report.since.isoformat() if report.since else None,
                "until": report.until.isoformat(),
                # the analysts' latest assessments in the window: how many, their median and spread
                "analysts": len(d.assessments) if d else 0,
                "consensus": d.consensus.name if d and d.consensus else None,
                "spread": d.spread if d and d.assessments else None,
                "contested": bool(d and d.contested),
            }
        )
    return out
