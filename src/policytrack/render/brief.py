"""The brief: a self-contained HTML5 page (header, table with a legend, a chart per indicator, periods and
evidence when asked) and a standalone SVG of the same charts.

Both come from Jinja2 templates shipped in render/templates with automatic escaping on: stored text goes
through the display boundary (text.visible) and is escaped by the template engine, never by hand. Jinja2
and matplotlib are imported only when a brief is drawn.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policytrack import __version__
from policytrack.core.grades import describe_grade
from policytrack.domain.brief import Brief
from policytrack.records.models import Entry, plural
from policytrack.render.charts import PALETTES, TARGET_COLOUR, indicator_chart, momentum_chart
from policytrack.render.entries import source_text
from policytrack.render.report import footer_lines, header_lines
from policytrack.render.text import source_link, visible

if TYPE_CHECKING:
    from jinja2 import Environment

# The table's columns and what each one means: the legend under the table says it in these words.
COLUMNS = (
    ("#", "The indicator's number in the framework."),
    ("Indicator", "The recommendation (or risk) and its key, the name the command line uses."),
    ("Status", "The latest assessment on or before the as-of date, and its date; 'baseline' when none."),
    ("Progress", "The status as a share of the framework's scale (for a risk: how far it has materialised)."),
    ("Target", "The current target: a level to reach (a ceiling, for a risk) by a due date."),
    (
        "Track",
        "met; on track or off track against a straight line from the target's start to its due date; "
        "overdue; or no target.",
    ),
    ("Advancing", "Entries in the evidence window with a positive effect."),
    ("Hindering", "Entries in the window with a negative effect."),
    ("Context", "Entries in the window with effect 0."),
    ("Momentum", "The sum of the effects (-2 to +2) in the window."),
    ("Weighted", "Momentum with each effect weighted by its grade (reliability times credibility)."),
    ("Sources", "Distinct sources in the window."),
    ("Last evidence", "The date of the latest entry on or before the as-of date; stale when too old."),
)
EFFECT_NAMES = {-2: "strongly hinders", -1: "hinders", 0: "context", 1: "advances", 2: "strongly advances"}


def _signed(value: float) -> str:
    text = f"{value:g}"
    return f"+{text}" if value > 0 else text


@dataclass(frozen=True)
class EvidenceRow:
    date: str
    ref: str  # the team-wide reference (records.models.short_ref): the brief is the same in every database
    summary: str
    grade: str
    effect: str
    effect_name: str
    source: str
    link: str | None


def _evidence(entries: list[Entry]) -> list[EvidenceRow]:
    return [
        EvidenceRow(
            str(e.date),
            e.ref,
            visible(e.summary),
            describe_grade(e.grade) if e.grade else "ungraded",
            _signed(e.effect),
            EFFECT_NAMES[e.effect],
            visible(source_text(e)),
            source_link(e.source) or source_link(e.source_url or ""),
        )
        for e in entries
    ]


def _context(brief: Brief) -> dict[str, Any]:
    """Everything the templates show, as plain values: stored text through the display boundary."""
    from markupsafe import Markup

    report = brief.report
    risks = any(r.indicator.kind == "risk" for r in report.rows)
    head = [visible(line) for line in header_lines(report)]
    rows = []
    for r in report.rows:
        key = r.indicator.key
        tl = brief.timelines[key]
        rows.append(
            {
                "number": r.indicator.number,
                "key": visible(key),
                "title": visible(r.indicator.title),
                "risk": r.indicator.kind == "risk",
                "status": visible(r.status.label),
                "status_name": visible(r.status.name),
                "since": str(r.status_date) if r.status_date else "baseline",
                "percent": r.status.percent,
                "target": f"{visible(r.target.level.name)} by {r.target.due}"
                if r.target and r.target.level
                else "none",
                "track": r.track,
                "expected": r.expected_percent,
                "advancing": r.advancing,
                "hindering": r.hindering,
                "context": r.context,
                "momentum": _signed(r.momentum),
                "weighted": _signed(r.weighted_momentum),
                "sources": r.sources,
                "last": str(r.last_evidence) if r.last_evidence else "never",
                "stale": r.stale,
                "chart": Markup(indicator_chart(brief, r)),
                "evidence": _evidence([p.entry for p in tl.points]) if brief.explain else [],
                "evidence_count": plural(len(tl.points), "entry", "entries"),
            }
        )
    periods = None
    if brief.periods is not None:
        p = brief.periods
        periods = {
            "unit": p.unit,
            "keys": [visible(row.indicator.key) for row in p.rows],
            "rows": [
                {
                    "label": period.label,
                    "cells": [
                        {
                            "entries": row.cells[i].entries,
                            "momentum": _signed(row.cells[i].momentum),
                            "percent": row.statuses[i].percent,
                            "status": visible(row.statuses[i].label),
                        }
                        for row in p.rows
                    ],
                }
                for i, period in enumerate(p.periods)
            ],
            "chart": Markup(momentum_chart(brief)),
        }
    return {
        "lang": "en",
        "title": head[0],
        "citation": head[1],
        "summary": head[2],
        "as_of": report.as_of.isoformat(),
        "footer": [visible(line) for line in footer_lines(report)],
        "first_column": "Indicator" if risks else "Recommendation",
        "columns": COLUMNS,
        "rows": rows,
        "periods": periods,
        "explain": brief.explain,
        "scale": [(visible(lv.label), lv.percent, visible(lv.description)) for lv in report.framework.scale],
        "palettes": [
            (kind, p.status, [(EFFECT_NAMES[e], _signed(e), c) for e, c in sorted(p.effects.items())])
            for kind, p in PALETTES.items()
            if risks or kind == "recommendation"
        ],
        "target_colour": TARGET_COLOUR,
        "version": __version__,
        "framework": visible(report.framework.name),
        "entries_hash": brief.entries_hash,
        "entries_used": plural(sum(len(tl.points) for tl in brief.timelines.values()), "entry", "entries"),
    }


def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("policytrack.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def brief_html(brief: Brief) -> str:
    """The brief as one self-contained HTML5 page."""
    return _environment().get_template("brief.html.j2").render(_context(brief))


_SIZE = re.compile(r'\A<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')
LINE_PT = 12  # the standalone SVG's header lines, in points
WRAP = 120  # characters in a header line, at its 8-point font across the chart width


def _placed(svg: str, y: float) -> tuple[str, float]:
    """A chart's <svg> placed at y inside the standalone SVG (in its user units, points), and its height."""
    m = _SIZE.match(svg)
    assert m is not None, "matplotlib's SVG starts with its size in points"
    width, height = m.group(2), float(m.group(3))
    return f'<svg{m.group(1)} x="0" y="{y:g}" width="{width}" height="{height:g}"' + svg[m.end() :], height


SVG_LEGEND = (
    "Each chart: the status (solid line) on the framework's scale, the target (dashed) from its start to its "
    "due date, and below, each entry as a mark at its effect (larger where several fall close together): "
    "-2 orange to +2 blue for a recommendation; for a risk, -2 green (receding) to +2 purple (materialising)."
)


def brief_svg(brief: Brief) -> str:
    """The brief's charts as one standalone SVG: a header in text, then each chart, stacked."""
    from markupsafe import Markup

    context = _context(brief)
    lines = [context["title"], *textwrap.wrap(context["citation"], WRAP)]
    lines += textwrap.wrap(context["summary"], WRAP)
    lines += [part for line in context["footer"] for part in textwrap.wrap(line, WRAP)]
    lines += textwrap.wrap(SVG_LEGEND, WRAP)
    lines += [f"policytrack {__version__}; sha256 of the {context['entries_used']}: {brief.entries_hash}"]
    y = float(LINE_PT * (len(lines) + 1))
    titled = [
        (f"{r['number']}. {r['title']}{' (risk)' if r['risk'] else ''} [{r['key']}]", r["chart"])
        for r in context["rows"]
    ]
    if context["periods"]:
        titled.append((f"Momentum per {context['periods']['unit']}", context["periods"]["chart"]))
    charts = []
    for title, chart in titled:
        y += LINE_PT * 1.5
        placed, height = _placed(str(chart), y)
        charts.append((title, y - LINE_PT * 0.4, Markup(placed)))
        y += height
    width = re.search(r'viewBox="0 0 ([\d.]+)', str(context["rows"][0]["chart"])) if context["rows"] else None
    return (
        _environment()
        .get_template("brief.svg.j2")
        .render(
            **context,
            header=lines,
            line_pt=LINE_PT,
            charts=charts,
            width=width.group(1) if width else "540",
            height=f"{y:g}",
        )
    )
