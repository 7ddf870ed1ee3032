"""Rendering forecasts and their scores: rich tables for the terminal, and the score as records.

rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from policytrack.domain.forecasts import Forecast, Scores
from policytrack.render.text import literal

if TYPE_CHECKING:
    from rich.console import RenderableType

_OUTCOME_STYLE = {"yes": "green", "no": "red", "open": "", "withdrawn": "dim"}


def forecasts_table(forecasts: Sequence[Forecast], title: str) -> RenderableType:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=literal(title, style="table.title"), box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (
        ("ID", "right"),
        ("Made", "left"),
        ("Indicator", "left"),
        ("Level or beyond", "left"),
        ("By", "left"),
        ("Likelihood", "right"),
        ("Confidence", "left"),
        ("Analyst", "left"),
        ("Outcome", "left"),
        ("Note", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=name not in ("Note", "Analyst"))  # type: ignore[arg-type]
    for f in forecasts:
        table.add_row(
            str(f.id),
            f.made_on.isoformat(),
            f.indicator,
            f.level,
            str(f.due),
            f"{f.likelihood}% ({f.band.name})",
            f.confidence or "-",
            literal(f.analyst),
            Text(f.outcome, style=_OUTCOME_STYLE[f.outcome]),
            literal(f.note),
        )
    return table


def _num(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def score_tables(scores: Scores) -> list[RenderableType]:
    from rich import box
    from rich.table import Table

    people = Table(
        title="Brier score by analyst",
        caption="0 is perfect; always saying 50% scores 0.25",
        box=box.SIMPLE_HEAD,
    )
    people.add_column("Analyst")
    people.add_column("Resolved", justify="right")
    people.add_column("Brier", justify="right")
    for a in (*scores.analysts, *([scores.overall] if scores.overall else [])):
        people.add_row(
            literal(a.analyst) if a is not scores.overall else "all analysts",
            str(a.forecasts),
            f"{a.brier:.3f}",
        )
    bands = Table(title="Calibration by ICD 203 band", box=box.SIMPLE_HEAD)
    for name in ("Band", "Resolved", "Mean likelihood", "Happened", "Brier"):
        bands.add_column(name, justify="left" if name == "Band" else "right")
    for row in scores.bands:
        bands.add_row(
            f"{row.band.name} ({row.band.low}-{row.band.high}%)",
            str(row.forecasts),
            _num(row.mean_likelihood, 1) + ("%" if row.mean_likelihood is not None else ""),
            _num(row.happened, 1) + ("%" if row.happened is not None else ""),
            _num(row.brier, 3),
        )
    from rich.text import Text

    footer = Text(f"Not scored: {scores.open} open, {scores.withdrawn} withdrawn.", style="dim")
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
