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

from policytrack.core.dates import PartialDate
from policytrack.core.i18n import _, language
from policytrack.domain.brief import Brief
from policytrack.domain.forecasts import Scores
from policytrack.domain.reports import ReportRow
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
LEFT_IN = 1.5  # inches left of the axes, for the scale's labels and the axis label
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


_TAG = re.compile(r"<[^>]+>")  # a tag: text is escaped (`&lt;`), so only markup matches
_ID = re.compile(r'\sid="([^"]*)"')
_REF = re.compile(r'(href="#|url\(#)([^")]*)')


def _scoped(svg: str, prefix: str) -> str:
    """The chart's ids unique in a page of charts: matplotlib's fixed salt gives every chart the same
    ones. An id nothing refers to is dropped (matplotlib names every group); the others get `prefix`."""
    used = {m.group(2) for m in _REF.finditer(svg)}

    def tag(m: re.Match[str]) -> str:
        text = _ID.sub(lambda i: f' id="{prefix}{i.group(1)}"' if i.group(1) in used else "", m.group(0))
        return _REF.sub(lambda r: f"{r.group(1)}{prefix}{r.group(2)}", text)

    return _TAG.sub(tag, svg)


def _svg(fig: Figure, title: str, prefix: str) -> str:
    """The figure as an SVG element with its <title>, without the XML prologue and RDF metadata (it is
    embedded), its ids starting with `prefix`."""
    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        metadata={"Title": visible(title), "Date": None, "Creator": None, "Format": None, "Type": None},
    )
    return _scoped(_METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue()), count=1), prefix)


def effect_names(kind: str) -> dict[int, str]:
    """What each effect means, in the indicator kind's words: a risk materialises or recedes."""
    if kind == "risk":
        return {
            -2: _("strongly recedes"),
            -1: _("recedes"),
            0: _("context"),
            1: _("materialises"),
            2: _("strongly materialises"),
        }
    return {
        -2: _("strongly hinders"),
        -1: _("hinders"),
        0: _("context"),
        1: _("advances"),
        2: _("strongly advances"),
    }


# Where a drawn indicator chart's ids take their prefix: scoped once as drawn (a regular expression over
# every tag), placed by a plain replace at each use. Never in a chart: its text shows control characters.
_PLACE = "\x00"
# Each indicator chart drawn, by everything it is drawn from (its ids scoped to _PLACE): `publish --site`
# shows the bundle's brief charts again on its pages, and drawing is most of the time of either.
_DRAWN: dict[str, str] = {}
DRAWN_KEPT = 64  # charts kept; the oldest goes first


def indicator_chart(brief: Brief, row: ReportRow, prefix: str) -> str:
    """Status over time as a step line on the framework's scale, the target as a dashed line from its
    start to its due date, and below, each piece of evidence at its effect, coloured by it: a dot on its
    day, a bar across its month, quarter or year. Every chart of a brief spans the same dates. A chart
    drawn before from the same things (in this process) is not drawn again: only its ids are scoped."""
    key = _chart_key(brief, row)
    svg = _DRAWN.get(key)
    if svg is None:
        svg = _indicator_svg(brief, row)
        if len(_DRAWN) >= DRAWN_KEPT:
            del _DRAWN[next(iter(_DRAWN))]
        _DRAWN[key] = svg
    return svg.replace(_PLACE, prefix)


def _chart_key(brief: Brief, row: ReportRow) -> str:
    """What an indicator chart is drawn from, as a digest: the language of its words, the brief's dates,
    the indicator, the framework's scale, what it draws of its Track (the status it starts from, each
    change's day and level, the marks) and its target (each a frozen dataclass, whose repr holds every
    field)."""
    import hashlib

    key = row.indicator.key
    drawn = brief.tracks[key]
    # what the chart draws of its Track, as numbers: a dataclass's repr is a Python call per item (a
    # quarter of a second for the 150,000 marks and changes of a brief at a million entries)
    track = (
        drawn.start_status,
        [(day.toordinal(), level.percent) for day, level in drawn.changes],
        [(day.start.toordinal(), day.precision, effect, n) for day, effect, n in drawn.marks],
    )
    parts = (
        language(),
        brief.first_day,
        brief.report.until,
        brief.last_day,
        row.indicator,
        brief.report.framework.scale,
        track,
        row.target,
        brief.target_starts.get(key),
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def _indicator_svg(brief: Brief, row: ReportRow) -> str:
    fw, report = brief.report.framework, brief.report
    tl = brief.tracks[row.indicator.key]
    colours = palette(row.indicator.kind)
    first, last, right = brief.first_day, report.until, brief.last_day
    xs, ys = [first], [tl.start_status.percent]
    for day, level in tl.changes:
        xs.append(max(day, first))
        ys.append(level.percent)
    xs.append(last)
    ys.append(ys[-1])
    pad = timedelta(days=max((right - first).days // 50, 1))  # marks on the first or last day stay whole
    with _figure(3.0, top_in=0.45, hspace=0.3) as fig:
        status_ax, marks_ax = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.2))
        status_ax.step(xs, ys, where="post", color=colours.status, linewidth=2, label=_("status"))
        if row.target is not None and row.target.level is not None:
            start = brief.target_starts[row.indicator.key]
            status_ax.plot(
                [row.target.start, row.target.due.end],
                [start.percent, row.target.level.percent],
                linestyle="--",
                color=TARGET_COLOUR,
                linewidth=1.2,
                label=_("target: {level} by {due}").format(
                    level=chart_text(row.target.level.name), due=row.target.due.shown_by
                ),
            )
        status_ax.axvline(
            cast(Any, last), color=AS_OF_COLOUR, linewidth=0.8, label=_("as of {date}").format(date=last)
        )
        status_ax.set_yticks([lv.percent for lv in fw.scale], [_level_label(lv) for lv in fw.scale])
        status_ax.set_ylim(-6, 106)
        status_ax.set_ylabel(_("status"), fontsize=7)
        status_ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
        status_ax.legend(
            loc="lower left", bbox_to_anchor=(0, 1), ncols=3, frameon=False, fontsize=7, borderaxespad=0.2
        )
        _marks(marks_ax, tl.marks, colours, first, right)
        marks_ax.axvline(cast(Any, last), color=AS_OF_COLOUR, linewidth=0.8)
        marks_ax.set_xlim(cast(Any, first - pad), cast(Any, right + pad))
        marks_ax.set_xlabel(_("date"), fontsize=7)
        return _svg(fig, f"{row.indicator.number}. {row.indicator.title} [{row.indicator.key}]", _PLACE)


AS_OF_COLOUR = "#9a9a9a"


def _level_label(level: StatusLevel) -> str:
    if len(level.label) > LONG_LABEL:
        return f"{level.percent}%"
    return f"{chart_text(level.label)} {level.percent}%"


MARK_BINS = 700  # at most this many mark positions across a chart, whatever the number of entries
MARK_SIZES = ((1, 4.0), (2, 5.5), (5, 7.5))  # (entries from, marker diameter in points)
SPAN_WIDTH = 3.0  # points: the bar of an entry known by its month, quarter or year


def _marks(
    ax: Axes, evidence: tuple[tuple[PartialDate, int, int], ...], colours: Palette, first: date, right: date
) -> None:
    """Evidence at its effect. An entry known to the day is a mark: one per effect and stretch of time (a
    day, or a few where the window is long), larger where several entries fall in it, drawn as one marker
    line per effect and size (matplotlib writes each as one shape reused; a scatter of shapes one by one
    took most of a brief's time at 10,000 entries). An entry known by its month, quarter or year is a bar
    across that period (clipped to the chart), never a spike on its first day."""
    step = max(1, (right - first).days // MARK_BINS)
    counts: Counter[tuple[int, int]] = Counter()
    spans: Counter[tuple[date, date, int]] = Counter()
    for d, effect, n in evidence:  # (a date, an effect, how many entries have both)
        if d.precision == "day":
            counts[((d.start - first).days // step, effect)] += n
        else:
            spans[(max(d.start, first), min(d.end, right), effect)] += n
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
    # each effect's bars as one path broken by NaN: one SVG element, not one per bar (10,000 entries known
    # by their month wrote thousands)
    from matplotlib import dates as mdates

    date2num = cast(Any, mdates).date2num  # untyped in matplotlib's stubs
    by_effect: dict[int, tuple[list[float], list[float]]] = {}
    bars = sorted(spans)
    # every bar's ends converted in one call: one at a time cost numpy's set-up per date
    ends = iter(date2num([day for start, end, _ in bars for day in (start, end)]) if bars else ())
    for (_start, _end, effect), start_x, end_x in zip(bars, ends, ends, strict=True):
        xs, ys = by_effect.setdefault(effect, ([], []))
        xs += [float(start_x), float(end_x), float("nan")]
        ys += [effect, effect, float("nan")]
    for effect, (xs, ys) in by_effect.items():
        ax.plot(xs, ys, color=colours.effects[effect], linewidth=SPAN_WIDTH, alpha=0.6, solid_capstyle="butt")
    ax.axhline(0, color="#cccccc", linewidth=0.6)
    ax.set_ylim(-2.7, 2.7)
    ax.set_yticks([-2, 0, 2], ["-2", "0", "+2"])
    ax.set_ylabel(_("effect"), fontsize=7)


def momentum_chart(brief: Brief, prefix: str) -> str:
    """--by: each indicator's momentum (sum of effects) per period, as bars above and below zero, every
    row on one scale (a -4 bar is four times a -1 bar, whichever row it is in)."""
    assert brief.periods is not None
    periods = brief.periods
    rows = periods.rows
    values = [[c.momentum for c in row.cells] for row in rows]
    top = max((abs(v) for row in values for v in row), default=0) or 1
    with _figure(0.9 + 1.0 * len(rows), top_in=0.45, hspace=0.7) as fig:
        from matplotlib.patches import Patch
        from matplotlib.ticker import MaxNLocator

        axes = fig.subplots(len(rows), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        starts = [p.start for p in periods.periods]
        widths = [max((p.end - p.start).days * 0.8, 1) for p in periods.periods]
        for ax, row, row_values in zip(axes, rows, values, strict=True):
            effects = palette(row.indicator.kind).effects
            colours = [effects[1 if v > 0 else -1 if v < 0 else 0] for v in row_values]
            ax.bar(cast(Any, starts), row_values, width=widths, align="edge", color=colours)
            ax.axhline(0, color="#999999", linewidth=0.6)
            ax.set_title(chart_text(row.indicator.key), loc="left", fontsize=7)
        axes[0].yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        axes[0].set_ylim(-top * 1.1, top * 1.1)
        axes[-1].set_xlim(cast(Any, periods.periods[0].start), cast(Any, periods.periods[-1].end))
        axes[-1].set_xlabel(_("period ({unit})").format(unit=unit_name(periods.unit)), fontsize=7)
        fig.supylabel(_("momentum (sum of effects)"), fontsize=7, x=0.02)
        kinds = list(dict.fromkeys(row.indicator.kind for row in rows))
        handles = []
        for kind in kinds:
            names, effects = effect_names(kind), palette(kind).effects
            handles += [
                Patch(color=effects[1], label=_("net: {name}").format(name=names[1])),
                Patch(color=effects[-1], label=_("net: {name}").format(name=names[-1])),
            ]
        axes[0].legend(
            handles=handles, loc="lower right", bbox_to_anchor=(1, 1), ncols=4, frameon=False, fontsize=7
        )
        return _svg(fig, _("Momentum per {unit}").format(unit=unit_name(periods.unit)), prefix)


def unit_name(unit: str) -> str:
    """A period unit in the reader's language."""
    return {"month": _("month"), "quarter": _("quarter"), "year": _("year")}.get(unit, unit)


CALIBRATION_COLOUR = "#1f4e8c"


def calibration_chart(scores: Scores, prefix: str) -> str:
    """Calibration of the resolved forecasts: per ICD 203 band, the mean likelihood stated against the
    share that happened (a dot sized by how many), beside the diagonal a calibrated forecaster follows."""
    bands = [b for b in scores.bands if b.forecasts and b.mean_likelihood is not None]
    with _figure(3.2, top_in=0.45, hspace=0) as fig:
        ax = fig.subplots(1, 1)
        ax.plot([0, 100], [0, 100], linestyle="--", color=TARGET_COLOUR, linewidth=1, label=_("calibrated"))
        ax.scatter(
            [b.mean_likelihood or 0 for b in bands],
            [b.happened or 0 for b in bands],
            s=[20 + 12 * b.forecasts for b in bands],
            color=CALIBRATION_COLOUR,
            label=_("forecasts by band (larger: more of them)"),
        )
        ax.set_xlim(0, 100)
        ax.set_ylim(-3, 103)
        ax.set_xlabel(_("likelihood stated (mean of the band, %)"), fontsize=7)
        ax.set_ylabel(_("share that happened (%)"), fontsize=7)
        ax.grid(color="#e6e6e6", linewidth=0.6)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, frameon=False, fontsize=7)
        return _svg(fig, _("Calibration of the resolved forecasts"), prefix)
