"""Progress reports: where each indicator stands against its target, and the evidence in a window.

Everything is computed as of a given date, so the same data and `--as-of` always give the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from policytrack.core.dates import PartialDate, window_end
from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.domain.disagreement import Disagreement, disagreements
from policytrack.domain.signposts import SignpostState, signposts
from policytrack.domain.status import IndicatorState, indicator_states
from policytrack.domain.targets import Target, targets
from policytrack.domain.targets import track as track_of
from policytrack.records.models import Framework, Indicator, StatusLevel, resolve_indicator
from policytrack.store import Store


@dataclass(frozen=True)
class Corroboration:
    """What an indicator's evidence in the window rests on: its independent originating sources by type
    and origin, and how much of it comes from official ones."""

    types: dict[str, int] = field(default_factory=dict)  # registered originators per type
    free_text: int = 0  # distinct free-text sources (not registered)
    origins: dict[str, int] = field(default_factory=dict)  # registered originators per origin
    media_origins: tuple[str, ...] = ()  # the origins of its registered media
    official_entries: int = 0  # entries whose originator is an official source
    entries: int = 0

    @property
    def sources(self) -> int:
        return sum(self.types.values()) + self.free_text

    @property
    def single_source(self) -> bool:
        return self.sources == 1

    @property
    def official_share(self) -> float | None:
        return round(self.official_entries / self.entries, 3) if self.entries else None


@dataclass(frozen=True)
class ReportRow:
    """One indicator's line of the report: status, target and track, the evidence counted."""

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
    sources: int  # independent originators: registered sources (not outlets) and distinct free text
    last_evidence: PartialDate | None
    days_since_evidence: int | None
    stale: bool
    corroboration: Corroboration = field(default_factory=lambda: Corroboration())


@dataclass(frozen=True)
class Report:
    """Where each indicator of a framework stands at a date, with its signposts and disagreements."""

    framework: Framework
    as_of: date
    since: date | None
    until: date
    stale_days: int
    rows: tuple[ReportRow, ...]
    signposts: tuple[SignpostState, ...] = ()  # the rows' signals, observed in the window or awaited
    disagreements: tuple[Disagreement, ...] = ()  # each row's analysts' latest assessments in the window
    reviewed_only: bool = False  # only reviewed entries and assessments count
    waiting: int = 0  # candidates waiting in the inbox (they count in nothing until accepted)

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
    targets_known: bool = False,
    inbox: bool = True,
) -> Report:
    """The report as of a date; with `targets_known`, only the targets set by then (what a brief dated
    then could have known); without `inbox`, no count of the candidates waiting here (a published report:
    the inbox is this database's, and its count depends on today)."""
    if stale_days < 1:
        raise InputError(_("--stale-days must be at least 1, not {stale_days}").format(stale_days=stale_days))
    end = window_end(since, until, as_of)
    assert end is not None
    chosen = {resolve_indicator(fw, k).key for k in indicators or []}
    states = [
        s
        for s in indicator_states(store, fw, as_of, counted=False)
        if not chosen or s.indicator.key in chosen
    ]
    ids = [s.indicator.id for s in states if s.indicator.id is not None]
    window = _window(store, ids, (since or date.min).isoformat(), end.isoformat())
    known_by = as_of if targets_known else None
    current_targets = {t.indicator_key: t for t in targets(store, fw, known_by=known_by)}
    # Each target's line starts from the status on its start date: one query per distinct date.
    at_start: dict[date, dict[str, IndicatorState]] = {}
    for t in current_targets.values():
        if t.start <= as_of and t.start not in at_start:
            at_start[t.start] = {
                s.indicator.key: s for s in indicator_states(store, fw, t.start, counted=False)
            }
    rows = []
    for state in states:
        key = state.indicator.key
        target = current_targets.get(key)
        start_state = at_start[target.start][key] if target and target.start in at_start else None
        track, expected = track_of(target, state, start_state, as_of)
        w = window.get(state.indicator.id or 0, _EMPTY)
        days = (as_of - state.last_evidence.start).days if state.last_evidence else None
        rows.append(
            ReportRow(
                indicator=state.indicator,
                status=state.status,
                status_date=state.status_date,
                target=target,
                track=track,
                expected_percent=expected,
                entries=w.n,
                advancing=w.adv,
                hindering=w.hind,
                context=w.ctx,
                momentum=w.momentum,
                weighted_momentum=round(w.weighted, 2),
                sources=w.corroboration.sources,
                last_evidence=state.last_evidence,
                days_since_evidence=days,
                stale=days is None or days > stale_days,
                corroboration=w.corroboration,
            )
        )
    observed = signposts(store, fw, [s.indicator.key for s in states], since, end)
    differ = disagreements(store, fw, [s.indicator for s in states], since, end)
    return Report(
        fw,
        as_of,
        since,
        end,
        stale_days,
        tuple(rows),
        tuple(observed),
        tuple(differ),
        store.reviewed_only,
        # what `inbox` lists with no filter (domain.inbox.count_waiting), without loading the inbox's module
        store.count_waiting((), {"today": date.today().isoformat()}) if inbox else 0,
    )


@dataclass
class _Totals:
    """Running counts of one indicator's entries as the report adds them up."""

    n: int = 0
    adv: int = 0
    hind: int = 0
    ctx: int = 0
    momentum: int = 0
    weighted: float = 0.0
    corroboration: Corroboration = field(default_factory=Corroboration)


_EMPTY = _Totals()


def _window(store: Store, ids: list[int], since: str, until: str) -> dict[int, _Totals]:
    """Each indicator's totals in the window and what they rest on: one pass over the entries, grouped by
    indicator and registered originator, then the sources' types and origins from the (small) registry."""
    totals: dict[int, _Totals] = {}
    by_source: dict[int, dict[int, int]] = {}
    free: dict[int, int] = {}
    for row in store.window_totals(ids, since, until):
        t = totals.setdefault(row["indicator_id"], _Totals())
        t.n += row["n"]
        t.adv += row["adv"]
        t.hind += row["hind"]
        t.ctx += row["ctx"]
        t.momentum += row["momentum"]
        t.weighted += row["weighted"]
        if row["source_id"] is not None:
            by_source.setdefault(row["indicator_id"], {})[row["source_id"]] = row["n"]
        else:
            free[row["indicator_id"]] = row["texts"]
    registry = store.sources_of(sorted({s for found in by_source.values() for s in found}))
    for indicator_id, t in totals.items():
        cited = by_source.get(indicator_id, {})
        types: dict[str, int] = {}
        origins: dict[str, int] = {}
        media: set[str] = set()
        official = 0
        for source_id, n in cited.items():
            source = registry[source_id]
            types[source.type] = types.get(source.type, 0) + 1
            if source.origin:
                origins[source.origin] = origins.get(source.origin, 0) + 1
            if source.type == "media":
                media.add(source.origin)
            if source.type == "official":
                official += n
        t.corroboration = Corroboration(
            dict(sorted(types.items())),
            free.get(indicator_id, 0),
            dict(sorted(origins.items())),
            tuple(sorted(media)),
            official,
            t.n,
        )
    return totals


def source_types_text(c: Corroboration) -> str:
    """`official 1; media 2; free text 1`: the independent originators by type, as one cell."""
    parts = [f"{kind} {n}" for kind, n in c.types.items()]
    if c.free_text:
        parts.append(f"free text {c.free_text}")
    return "; ".join(parts)


def report_dicts(report: Report) -> list[dict[str, Any]]:
    """One flat record per indicator: plain numbers and ISO dates, the fields of records.report.REPORT_ROW."""
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
                "target": r.target.level.name if r.target and r.target.level else None,
                "target_percent": r.target.level.percent if r.target and r.target.level else None,
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
                "single_source": r.corroboration.single_source,
                "official_share": r.corroboration.official_share,
                "source_types": source_types_text(r.corroboration),
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
