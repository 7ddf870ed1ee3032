"""Rendering forecasts and their scores: rich tables for the terminal, and the score as records.

rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from policytrack.core.dates import shown_day
from policytrack.core.i18n import _
from policytrack.domain.forecasts import Forecast, Scores, outcome_label
from policytrack.domain.likelihood import band_label, confidence_label, likelihood_label
from policytrack.records.models import short_ref
from policytrack.render.text import literal

if TYPE_CHECKING:
    from rich.console import RenderableType

_OUTCOME_STYLE = {"yes": "green", "no": "red", "open": "", "withdrawn": "dim"}


def forecasts_table(forecasts: Sequence[Forecast], title: str) -> RenderableType:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=literal(title, style="table.title"), box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify, wrap in (
        (_("ID"), "right", False),
        (_("Ref"), "left", False),
        (_("Made"), "left", False),
        (_("Indicator"), "left", False),
        (_("Level or beyond"), "left", False),
        (_("By"), "left", False),
        (_("Likelihood"), "right", False),
        (_("Confidence"), "left", False),
        (_("Analyst"), "left", True),
        (_("Outcome"), "left", False),
        (_("Note"), "left", True),
    ):
        table.add_column(name, justify=justify, no_wrap=not wrap)  # type: ignore[arg-type]
    for f in forecasts:
        table.add_row(
            str(f.id),
            short_ref(f.uuid),  # the same in every teammate's database (`withdraw @ref`)
            shown_day(f.made_on),
            f.indicator,
            f.level,
            f.due.shown,
            likelihood_label(f.likelihood),
            confidence_label(f.confidence) if f.confidence else "-",
            literal(f.analyst),
            Text(outcome_label(f.outcome), style=_OUTCOME_STYLE[f.outcome]),
            literal(f.note),
        )
    return table


def _num(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def score_tables(scores: Scores) -> list[RenderableType]:
    from rich import box
    from rich.table import Table

    people = Table(
        title=_("Brier score by analyst"),
        caption=_("0 is perfect; always saying 50% scores 0.25"),
        box=box.SIMPLE_HEAD,
    )
    people.add_column(_("Analyst"))
    people.add_column(_("Resolved"), justify="right")
    people.add_column(_("Brier"), justify="right")
    for a in (*scores.analysts, *([scores.overall] if scores.overall else [])):
        people.add_row(
            literal(a.analyst) if a is not scores.overall else _("all analysts"),
            str(a.forecasts),
            f"{a.brier:.3f}",
        )
    bands = Table(title=_("Calibration by ICD 203 band"), box=box.SIMPLE_HEAD)
    bands.add_column(_("Band"), justify="left")
    for name in (_("Resolved"), _("Mean likelihood"), _("Happened"), _("Brier")):
        bands.add_column(name, justify="right")
    for row in scores.bands:
        bands.add_row(
            f"{band_label(row.band)} ({row.band.low}-{row.band.high}%)",
            str(row.forecasts),
            _num(row.mean_likelihood, 1) + ("%" if row.mean_likelihood is not None else ""),
            _num(row.happened, 1) + ("%" if row.happened is not None else ""),
            _num(row.brier, 3),
        )
    from rich.text import Text

    footer = Text(
        _("Not scored: {open} open, {withdrawn} withdrawn.").format(
            open=scores.open, withdrawn=scores.withdrawn
        ),
        style="dim",
    )

    return [people, bands, footer]


def score_records(scores: Scores) -> list[dict[str, Any]]:
    """The score as records: one per analyst (and `all`), then one per band."""
    records: list[dict[str, Any]] = [
        {
            "table": "analyst" if a is not scores.overall else "overall",
            "name": a.analyst if a is not scores.overall else "all analysts",
            "forecasts": a.forecasts,
            "brier": round(a.brier, 6),
            "mean_likelihood": None,
            "happened": None,
        }
        for a in (*scores.analysts, *([scores.overall] if scores.overall else []))
    ]
    records += [
        {
            "table": "band",
            "name": row.band.name,
            "forecasts": row.forecasts,
            "brier": None if row.brier is None else round(row.brier, 6),
            "mean_likelihood": None if row.mean_likelihood is None else round(row.mean_likelihood, 3),
            "happened": None if row.happened is None else round(row.happened, 3),
        }
        for row in scores.bands
    ]
    return records
