"""Reports over time: indicators x periods (month, quarter or year), and sparklines of momentum.

An entry falls in the period that holds its date's first day (so `2024` counts in 2024-Q1 or 2024-01).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from policytrack.core.dates import PartialDate, window_end
from policytrack.core.errors import InputError
from policytrack.core.i18n import N_, _
from policytrack.domain.status import statuses_at
from policytrack.records.models import Framework, Indicator, StatusLevel, resolve_indicator
from policytrack.store import Store

Unit = Literal["month", "quarter", "year"]
UNITS: tuple[Unit, ...] = ("month", "quarter", "year")
# Each unit as people read it ("by quarter"), translated where shown (`_(UNIT_WORDS[unit])`).
UNIT_WORDS: dict[Unit, str] = {"month": N_("month"), "quarter": N_("quarter"), "year": N_("year")}


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    label: str  # the stored form data keeps (2024-07, 2024-Q3, 2024)

    @property
    def shown(self) -> str:
        """The period as people of the chosen language read it (juillet 2024, T3 2024): PartialDate.shown."""
        return PartialDate.from_stored(self.label).shown


def period_of(d: date, unit: Unit) -> Period:
    if unit == "year":
        return Period(date(d.year, 1, 1), date(d.year, 12, 31), f"{d.year:04d}")
    if unit == "quarter":
        q = (d.month - 1) // 3 + 1
        first = date(d.year, 3 * q - 2, 1)
        return Period(first, _month_end(d.year, 3 * q), f"{d.year:04d}-Q{q}")
    return Period(date(d.year, d.month, 1), _month_end(d.year, d.month), f"{d.year:04d}-{d.month:02d}")


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def periods_between(first: date, last: date, unit: Unit) -> list[Period]:
    out = [period_of(first, unit)]
    while out[-1].end < last:
        out.append(period_of(out[-1].end + timedelta(days=1), unit))
    return out


# Sparkline glyphs, from zero: the baseline (no momentum, no evidence), then rising levels for positive
# values, and glyphs hanging from the top for negative ones (a half and a full drop), so a negative value
# never reads as a small positive one. --plain draws the same in ASCII.
SPARK_ZERO, SPARK_UP, SPARK_DOWN = "▁", "▂▃▄▅▆▇█", "▔▀"
ASCII_ZERO, ASCII_UP, ASCII_DOWN = "_", ".-=#", "vV"
# The legends are translated where shown (`_(SPARK_LEGEND)`): this module is imported before the language
# of the command is known.
SPARK_LEGEND = N_("from zero: ▁ none, ▂ to █ positive, ▔ ▀ negative")
ASCII_LEGEND = N_("from zero: _ none, . - = # positive, v V negative")


def sparkline(values: list[float], *, ascii_only: bool = False) -> str:
    """One character per value, measured from zero against the row's largest absolute value: zero always
    draws as the baseline, a positive value as a level above it, a negative one as a drop below it."""
    zero, up, down = (ASCII_ZERO, ASCII_UP, ASCII_DOWN) if ascii_only else (SPARK_ZERO, SPARK_UP, SPARK_DOWN)
    top = max((abs(v) for v in values), default=0)
    out = []
    for v in values:
        if v == 0 or top == 0:
            out.append(zero)
        elif v > 0:
            out.append(up[max(0, round(v / top * len(up)) - 1)])
        else:
            out.append(down[max(0, round(-v / top * len(down)) - 1)])
    return "".join(out)


@dataclass(frozen=True)
class Cell:
    entries: int = 0
    advancing: int = 0
    hindering: int = 0
    context: int = 0
    momentum: int = 0
    weighted_momentum: float = 0.0


@dataclass(frozen=True)
class PeriodRow:
    indicator: Indicator
    cells: tuple[Cell, ...]
    statuses: tuple[StatusLevel, ...]  # at each period's end (or the end of the window, if sooner)

    @property
    def spark(self) -> str:
        return sparkline([float(c.momentum) for c in self.cells])


@dataclass(frozen=True)
class PeriodReport:
    framework: Framework
    unit: Unit
    as_of: date
    periods: tuple[Period, ...]
    rows: tuple[PeriodRow, ...]


def build_period_report(
    store: Store,
    fw: Framework,
    unit: str,
    *,
    as_of: date,
    since: date | None = None,
    until: date | None = None,
    indicators: list[str] | None = None,
) -> PeriodReport:
    if unit not in UNITS:
        raise InputError(_("unknown period {unit!r}: use month, quarter or year").format(unit=unit))
    u: Unit = unit
    end = window_end(since, until, as_of)
    assert end is not None
    chosen = [resolve_indicator(fw, k) for k in indicators or []] or list(fw.indicators)
    ids = [ind.id for ind in chosen if ind.id is not None]
    if since is None:
        first = store.first_evidence(ids, end.isoformat())
        since = date.fromisoformat(first) if first else end
    periods = periods_between(since, end, u)
    index = {p.label: i for i, p in enumerate(periods)}
    # SQL groups by month (a plain prefix of the date, the cheapest key); months roll up here.
    sums: dict[tuple[int, int], list[float]] = {}
    for r in store.window_totals(ids, since.isoformat(), end.isoformat(), by_month=True):
        slot = (r["indicator_id"], index[period_of(date.fromisoformat(r["month"] + "-01"), u).label])
        acc = sums.setdefault(slot, [0, 0, 0, 0, 0, 0.0])
        for k, name in enumerate(("n", "adv", "hind", "ctx", "momentum", "weighted")):
            acc[k] += r[name]

    def cell(ind_id: int | None, i: int) -> Cell:
        acc = sums.get((ind_id or 0, i))
        if acc is None:
            return Cell()
        n, adv, hind, ctx, momentum = (int(v) for v in acc[:5])
        return Cell(n, adv, hind, ctx, momentum, round(acc[5], 2))

    rows = [
        PeriodRow(
            ind,
            tuple(cell(ind.id, i) for i in range(len(periods))),
            _statuses(store, fw, ind, periods, end),
        )
        for ind in chosen
    ]
    return PeriodReport(fw, u, as_of, tuple(periods), tuple(rows))


def _statuses(
    store: Store, fw: Framework, ind: Indicator, periods: list[Period], end: date
) -> tuple[StatusLevel, ...]:
    """The status at each period's end (or the window's, if sooner), by status.statuses_at."""
    assert ind.id is not None
    history = [(r["date_start"], r["status"]) for r in store.assessments(ind.id, end.isoformat())]
    return tuple(statuses_at(fw, ind, history, (min(p.end, end).isoformat() for p in periods)))


def period_dicts(report: PeriodReport) -> list[dict[str, Any]]:
    """One flat record per indicator and period (long format, as R and pandas prefer)."""
    out = []
    for row in report.rows:
        for period, cell, status in zip(report.periods, row.cells, row.statuses, strict=True):
            out.append(
                {
                    "framework": report.framework.name,
                    "number": row.indicator.number,
                    "key": row.indicator.key,
                    "title": row.indicator.title,
                    "period": period.label,
                    "period_start": period.start.isoformat(),
                    "period_end": period.end.isoformat(),
                    "entries": cell.entries,
                    "advancing": cell.advancing,
                    "hindering": cell.hindering,
                    "context": cell.context,
                    "momentum": cell.momentum,
                    "weighted_momentum": cell.weighted_momentum,
                    "status": status.name,
                    "status_percent": status.percent,
                }
            )
    return out
