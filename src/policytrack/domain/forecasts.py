"""Forecasts: an analyst's stated likelihood that an indicator will be at a level or beyond by a date,
resolved from the status history once the date has passed, and scored (Brier) per analyst and band.

A forecast is never edited; it can be withdrawn, and stays in the table (and its exports) as withdrawn.
Its outcome is not stored: it follows from the assessments, so a late or corrected assessment counts.
Nothing here prints.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError, NotFoundError
from policytrack.core.i18n import _
from policytrack.domain.context import default_analyst, utc_now
from policytrack.domain.likelihood import BANDS, Band, band_of, brier, labelled, parse_likelihood
from policytrack.domain.status import statuses_at
from policytrack.records import check
from policytrack.records.forecast import FORECAST
from policytrack.records.models import Framework, Indicator, resolve_indicator, short_ref
from policytrack.store import Store

OPEN, YES, NO, WITHDRAWN = "open", "yes", "no", "withdrawn"


def outcome_label(outcome: str) -> str:
    """A forecast's outcome (the key data keeps) as people read it, with the key beside it."""
    words = {OPEN: _("open"), YES: _("yes"), NO: _("no"), WITHDRAWN: _("withdrawn")}
    return labelled(outcome, words.get(outcome, outcome))


@dataclass
class ForecastInput:
    indicator: str
    level: str
    due: PartialDate
    likelihood: str
    confidence: str | None = None
    note: str = ""
    analyst: str = ""


@dataclass(frozen=True)
class Forecast:
    id: int
    uuid: str
    framework: str
    indicator: str
    level: str
    due: PartialDate
    likelihood: int
    confidence: str | None
    note: str
    analyst: str
    made_on: date
    recorded_at: str
    withdrawn_at: str | None
    withdrawn_by: str | None
    outcome: str  # open, yes, no or withdrawn

    @property
    def band(self) -> Band:
        return band_of(self.likelihood)

    @property
    def ref(self) -> str:
        """The team-wide short reference (records.models.short_ref)."""
        return short_ref(self.uuid)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "uuid": self.uuid,
            "framework": self.framework,
            "indicator": self.indicator,
            "level": self.level,
            "due": str(self.due),
            "likelihood": self.likelihood,
            "confidence": self.confidence,
            "note": self.note,
            "analyst": self.analyst,
            "made_on": self.made_on.isoformat(),
            "recorded_at": self.recorded_at,
            "withdrawn_at": self.withdrawn_at,
            "withdrawn_by": self.withdrawn_by,
            "band": self.band.name,
            "outcome": self.outcome,
        }


def checked_values(fw: Framework, data: ForecastInput) -> dict[str, object]:
    """The one validator of a forecast's fields (`forecast`, `import --forecasts` and sync): each checked
    against its declaration (records/forecast.py) and the framework (indicator, level)."""
    ind = resolve_indicator(fw, data.indicator)
    return {
        "indicator_id": ind.id,
        "level": fw.level(data.level.strip()).name,
        "due": str(data.due),
        "due_end": data.due.end.isoformat(),
        "likelihood": parse_likelihood(data.likelihood),
        "confidence": check.choice(FORECAST["confidence"], data.confidence) if data.confidence else None,
        "note": check.text(FORECAST["note"], data.note).strip(),
        "analyst": check.text(FORECAST["analyst"], data.analyst).strip() or default_analyst(),
    }


def make_forecast(store: Store, fw: Framework, data: ForecastInput, today: date | None = None) -> Forecast:
    """Record a forecast made today; its due date may be today or later, not earlier."""
    today = today or date.today()
    values = checked_values(fw, data)
    if data.due.end < today:
        raise InputError(
            _(
                "--by {due} has passed: a new forecast is about what has not happened yet; give a date "
                "from today ({isoformat}) on"
            ).format(due=data.due, isoformat=today.isoformat())
        )
    values |= {"uuid": str(uuidlib.uuid4()), "made_on": today.isoformat(), "recorded_at": utc_now()}
    forecast_id = store.insert_forecast(values)
    return get_forecast(store, fw, forecast_id, today)


def withdraw_forecast(
    store: Store, fw: Framework, forecast_id: int, today: date | None = None, by: str | None = None
) -> Forecast:
    """Mark a forecast withdrawn: it stays in the table and the exports, and is no longer scored. Only
    its forecaster withdraws it, and only while it is open (`may_withdraw`)."""
    today = today or date.today()
    current = get_forecast(store, fw, forecast_id, today)
    if current.withdrawn_at:
        raise InputError(
            _("forecast {forecast_id} is already withdrawn (on {withdrawn_at})").format(
                forecast_id=forecast_id, withdrawn_at=current.withdrawn_at[:10]
            )
        )
    who = by if by is not None else default_analyst()
    if not may_withdraw(current.analyst, who, today, current.due):
        if who != current.analyst:
            raise InputError(
                _(
                    "forecast {forecast_id} is {analyst}'s: only the forecaster withdraws a forecast, not "
                    "{who}; ask {analyst} to withdraw it"
                ).format(forecast_id=forecast_id, analyst=current.analyst, who=who)
            )
        raise InputError(
            _(
                "forecast {forecast_id} resolved {outcome!r} after {isoformat}: a resolved forecast is "
                "scored and its score stands; it cannot be withdrawn"
            ).format(forecast_id=forecast_id, outcome=current.outcome, isoformat=current.due.end.isoformat())
        )
    store.withdraw_forecast(forecast_id, who, utc_now())
    return get_forecast(store, fw, forecast_id, today)


def may_withdraw(analyst: str, by: str, on: date, due: PartialDate) -> bool:
    """The rule of withdrawing, stated once (`withdraw`, and the records of a forecasts file or a
    teammate's sync): only the forecaster withdraws a forecast, and only until its due date has passed
    (after that it resolves, `resolve`, and its score stands)."""
    return by == analyst and on <= due.end


def made_in_time(made_on: date, due: PartialDate) -> bool:
    """Whether a forecast was made before its outcome: on or before the last day of its due date (after
    it, `resolve` already knows the answer)."""
    return made_on <= due.end


def get_forecast(store: Store, fw: Framework, forecast_id: int, today: date | None = None) -> Forecast:
    found = list_forecasts(store, fw, ids=[forecast_id], today=today)
    if not found:
        raise NotFoundError(
            _(
                "no forecast with id {forecast_id} in framework {name!r}; `policytrack forecasts` shows them"
            ).format(forecast_id=forecast_id, name=fw.name)
        )
    return found[0]


def list_forecasts(
    store: Store,
    fw: Framework,
    *,
    analysts: Sequence[str] = (),
    outcomes: Sequence[str] = (),
    ids: Sequence[int] = (),
    today: date | None = None,
    known_by: date | None = None,
) -> list[Forecast]:
    """The framework's forecasts, oldest first, each with its outcome as of `today`; with `known_by`, only
    those made and recorded by the end of that day, withdrawn only if withdrawn by then, and resolved
    as of then."""
    today = known_by or today or date.today()
    cutoff = (known_by + timedelta(days=1)).isoformat() if known_by is not None else "\uffff"
    by_id = {ind.id: ind for ind in fw.indicators if ind.id is not None}
    history: dict[int, list[tuple[str, str]]] = {}
    out = []
    for row in store.forecast_rows(list(by_id), analysts, ids):
        key = int(row["indicator_id"])
        ind = by_id[key]
        if key not in history:
            history[key] = [(r["date_start"], r["status"]) for r in store.assessments(key, "9999-12-31")]
        due = PartialDate.from_stored(row["due"])
        made_on = date.fromisoformat(row["made_on"])
        if row["made_on"] >= cutoff or row["recorded_at"] >= cutoff:
            continue
        withdrawn = row["withdrawn_at"] is not None and row["withdrawn_at"] < cutoff
        outcome = (
            WITHDRAWN if withdrawn else resolve(fw, ind, row["level"], made_on, due, history[key], today)
        )
        if outcomes and outcome not in outcomes:
            continue
        out.append(
            Forecast(
                id=row["id"],
                uuid=row["uuid"],
                framework=fw.name,
                indicator=ind.key,
                level=row["level"],
                due=due,
                likelihood=row["likelihood"],
                confidence=row["confidence"],
                note=row["note"],
                analyst=row["analyst"],
                made_on=made_on,
                recorded_at=row["recorded_at"],
                withdrawn_at=row["withdrawn_at"] if withdrawn else None,
                withdrawn_by=row["withdrawn_by"] if withdrawn else None,
                outcome=outcome,
            )
        )
    return out


def resolve(
    fw: Framework,
    ind: Indicator,
    level: str,
    made_on: date,
    due: PartialDate,
    assessments: Sequence[tuple[str, str]],
    today: date,
) -> str:
    """The rule, stated once: open until the due date (its last day, for a month or a year) has passed;
    then yes if the indicator stood at `level` or beyond at any time from the day the forecast was made
    to the due date, else no. An assessment counts from its first day (a month-precision one from the
    1st), as the status at a date does; `assessments` are (date_start, status) in the one order
    (Store.assessments), and the status on the day it was made is status.statuses_at's."""
    if today <= due.end:
        return OPEN
    goal = fw.level(level).rank
    made, end = made_on.isoformat(), due.end.isoformat()
    standing = statuses_at(fw, ind, assessments, [made])[0].rank
    reached = any(made < start <= end and fw.level(status).rank >= goal for start, status in assessments)
    return YES if reached or standing >= goal else NO


@dataclass(frozen=True)
class AnalystScore:
    analyst: str
    forecasts: int  # resolved ones, the ones scored
    brier: float


@dataclass(frozen=True)
class BandRow:
    band: Band
    forecasts: int
    mean_likelihood: float | None  # percent
    happened: float | None  # share of them resolved yes, percent
    brier: float | None


@dataclass(frozen=True)
class Scores:
    analysts: tuple[AnalystScore, ...]
    overall: AnalystScore | None
    bands: tuple[BandRow, ...]
    open: int
    withdrawn: int


def score(forecasts: Sequence[Forecast]) -> Scores:
    """Brier scores per analyst and overall, and a calibration table by ICD 203 band, over the resolved
    forecasts (open and withdrawn ones are counted, not scored)."""
    resolved = [f for f in forecasts if f.outcome in (YES, NO)]
    analysts = []
    for name in sorted({f.analyst for f in resolved}):
        mine = [(f.likelihood, f.outcome == YES) for f in resolved if f.analyst == name]
        analysts.append(AnalystScore(name, len(mine), brier(mine) or 0.0))
    pairs = [(f.likelihood, f.outcome == YES) for f in resolved]
    overall = AnalystScore("all", len(pairs), brier(pairs) or 0.0) if pairs else None
    bands = []
    for band in BANDS:
        inside = [(p, o) for p, o in pairs if band.low <= p <= band.high]
        n = len(inside)
        bands.append(
            BandRow(
                band,
                n,
                sum(p for p, _ in inside) / n if n else None,
                100 * sum(o for _, o in inside) / n if n else None,
                brier(inside),
            )
        )
    return Scores(
        tuple(analysts),
        overall,
        tuple(bands),
        sum(f.outcome == OPEN for f in forecasts),
        sum(f.outcome == WITHDRAWN for f in forecasts),
    )
