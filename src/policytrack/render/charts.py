"""The brief's charts, drawn by matplotlib's SVG backend: each indicator's status over time against its
target with its evidence, and momentum per period.

matplotlib is imported inside `_figure`, only when a chart is drawn: `log` and the terminal report never
load it. Text stays text (svg.fonttype none) in a generic font family, so a chart makes no request and
its words can be searched and read aloud; ids come from a fixed salt, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from policytrack.domain.brief import Brief
from policytrack.domain.reports import ReportRow
from policytrack.domain.status import TimelinePoint
from policytrack.records.models import StatusLevel
from policytrack.render.text import visible

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# Colours by indicator kind. A recommendation's good news is blue and its bad news orange; a risk has its
# own palette, purple for a risk rising and green for one receding, so neither reads "latent" as alarm.
@dataclass(frozen=True)
class Palette:
    status: str
    effects: dict[int, str]  # effect -2..+2 -> colour


PALETTES = {
    "recommendation": Palette(
        "#1f4e8c", {-2: "#b35806", -1: "#f1a340", 0: "#8c8c8c", 1: "#67a9cf", 2: "#2166ac"}
    ),
    "risk": Palette("#5e3c99", {-2: "#1b7837", -1: "#7fbf7b", 0: "#8c8c8c", 1: "#af8dc3", 2: "#762a83"}),
}
TARGET_COLOUR = "#4d4d4d"
WIDTH_IN = 7.5  # inches: an A4 page's text width
LEFT_IN = 1.3  # inches left of the axes, for the scale's labels
LONG_LABEL = 16  # characters: a longer scale label is named in the brief's legend, its percent here
_RC: dict[Any, Any] = {  # matplotlib types its keys as literals
    "svg.fonttype": "none",  # text as <text>, not paths: no font is embedded or fetched
    "svg.hashsalt": "policytrack",  # stable element ids: the same report gives the same bytes
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_PROLOGUE = re.compile(r"\A<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*", re.DOTALL)
# matplotlib repeats the title in an RDF block; HTML validators know <title>, not rdf:RDF (its text is
# escaped, so it cannot hold the closing tag).
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def chart_text(text: str) -> str:
    """Stored text for a chart: control characters visible, and `$` escaped so matplotlib never reads it
    as mathematics (it would draw or refuse it, not show it)."""
    return visible(text).replace("$", r"\$")


def palette(kind: str) -> Palette:
    return PALETTES["risk" if kind == "risk" else "recommendation"]


@contextmanager
def _figure(height: float, top_in: float, hspace: float) -> Iterator[Figure]:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        # A character the measuring font lacks is still written as text; the browser's fonts draw it.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        # Fixed margins, not a layout engine: constrained layout measures every label and took a third of
        # the time of a chart. The left margin holds the scale's labels (a long one shows its percent only).
        fig = Figure(figsize=(WIDTH_IN, height))
        fig.subplots_adjust(
            left=LEFT_IN / WIDTH_IN, right=0.98, bottom=0.35 / height, top=1 - top_in / height, hspace=hspace
        )
        yield fig


def _svg(fig: Figure, title: str) -> str:
    """The figure as an SVG element with its <title>, without the XML prologue and RDF metadata (it is
    embedded)."""
    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        metadata={"Title": visible(title), "Date": None, "Creator": None, "Format": None, "Type": None},
    )
    return _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue()), count=1)


def indicator_chart(brief: Brief, row: ReportRow) -> str:
    """Status over time as a step line on the framework's scale, the target as a dashed line from its
    start to its due date, and below, each piece of evidence as a mark at its effect, coloured by it."""
    fw, report = brief.report.framework, brief.report
    tl = brief.timelines[row.indicator.key]
    colours = palette(row.indicator.kind)
    first, last = brief.first_day, report.until
    xs, ys = [first], [tl.start_status.percent]
    for point in tl.points:
        if point.status_change and point.entry.status:
            xs.append(max(point.entry.date.start, first))
            ys.append(fw.level(point.entry.status).percent)
    xs.append(last)
    ys.append(ys[-1])
    right = max(last, row.target.due.end) if row.target else last
    right = max(right, first + timedelta(days=30))
    pad = timedelta(days=max((right - first).days // 50, 1))  # marks on the first or last day stay whole
    with _figure(2.8, top_in=0.3, hspace=0.3) as fig:
        status_ax, marks_ax = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.2))
        status_ax.step(xs, ys, where="post", color=colours.status, linewidth=2, label="status")
        if row.target is not None and row.target.level is not None:
            start = brief.target_starts[row.indicator.key]
            status_ax.plot(
                [row.target.start, row.target.due.end],
                [start.percent, row.target.level.percent],
                linestyle="--",
                color=TARGET_COLOUR,
                linewidth=1.2,
                label=f"target: {chart_text(row.target.level.name)} by {row.target.due}",
            )
        status_ax.axvline(last, color="#bbbbbb", linewidth=0.8)
        status_ax.set_yticks([lv.percent for lv in fw.scale], [_level_label(lv) for lv in fw.scale])
        status_ax.set_ylim(-6, 106)
        status_ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
        status_ax.legend(
            loc="lower left", bbox_to_anchor=(0, 1), ncols=2, frameon=False, fontsize=7, borderaxespad=0.2
        )
        _marks(marks_ax, tl.points, colours, first, (right - first).days)
        marks_ax.set_xlim(cast(Any, first - pad), cast(Any, right + pad))
        return _svg(fig, f"{row.indicator.number}. {row.indicator.title} [{row.indicator.key}]")


def _level_label(level: StatusLevel) -> str:
    if len(level.label) > LONG_LABEL:
        return f"{level.percent}%"
    return f"{chart_text(level.label)} {level.percent}%"


MARK_BINS = 700  # at most this many mark positions across a chart, whatever the number of entries
MARK_SIZES = ((1, 4.0), (2, 5.5), (5, 7.5))  # (entries from, marker diameter in points)


def _marks(ax: Axes, points: tuple[TimelinePoint, ...], colours: Palette, first: date, days: int) -> None:
    """Evidence marks at their effect: one per effect and stretch of time (a day, or a few where the
    window is long), larger where several entries fall in it. Drawn as one marker line per effect and
    size (matplotlib writes each as one shape reused), not as a scatter of shapes one by one: that took
    most of a brief's time at 10,000 entries."""
    step = max(1, days // MARK_BINS)
    counts = Counter(((p.entry.date.start - first).days // step, p.entry.effect) for p in points)
    groups: dict[tuple[int, float], list[tuple[date, int]]] = {}
    for (slot, effect), n in sorted(counts.items()):
        size = next(diameter for least, diameter in reversed(MARK_SIZES) if n >= least)
        groups.setdefault((effect, size), []).append((first + timedelta(days=slot * step), effect))
    for (effect, size), marks in groups.items():
        ax.plot(
            cast(Any, [d for d, _ in marks]),  # dates: matplotlib's unit converter takes them, its stubs not
            [e for _, e in marks],
            linestyle="none",
            marker="o",
            markersize=size,
            markeredgewidth=0,
            color=colours.effects[effect],
            alpha=0.85,
        )
    ax.axhline(0, color="#cccccc", linewidth=0.6)
    ax.set_ylim(-2.7, 2.7)
    ax.set_yticks([-2, 0, 2], ["-2", "0", "+2"])
    ax.set_ylabel("effect", fontsize=7)


def momentum_chart(brief: Brief) -> str:
    """--by: each indicator's momentum (sum of effects) per period, as bars above and below zero."""
    assert brief.periods is not None
    periods = brief.periods
    rows = periods.rows
    with _figure(0.6 + 1.1 * len(rows), top_in=0.25, hspace=0.6) as fig:
        from matplotlib.ticker import MaxNLocator

        axes = fig.subplots(len(rows), 1, sharex=True, squeeze=False)[:, 0]
        starts = [p.start for p in periods.periods]
        widths = [max((p.end - p.start).days * 0.8, 1) for p in periods.periods]
        for ax, row in zip(axes, rows, strict=True):
            effects = palette(row.indicator.kind).effects
            values = [c.momentum for c in row.cells]
            colours = [effects[1 if v > 0 else -1 if v < 0 else 0] for v in values]
            ax.bar(starts, values, width=widths, align="edge", color=colours)
            ax.axhline(0, color="#999999", linewidth=0.6)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            if not any(values):
                ax.set_ylim(-1, 1)
            ax.set_title(chart_text(row.indicator.key), loc="left", fontsize=7)
        axes[-1].set_xlim(periods.periods[0].start, periods.periods[-1].end)
        return _svg(fig, f"Momentum per {periods.unit}")
