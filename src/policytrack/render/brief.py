"""The brief: a self-contained HTML5 page (header, table with a legend, a chart per indicator, periods and
evidence when asked) and a standalone SVG of the same charts.

Both come from Jinja2 templates shipped in render/templates with automatic escaping on: stored text goes
through the display boundary (text.visible) and is escaped by the template engine, never by hand. Jinja2
and matplotlib are imported only when a brief is drawn.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policytrack import __version__
from policytrack.core.dates import shown_day
from policytrack.core.grades import describe_grade
from policytrack.core.i18n import _, language, ngettext
from policytrack.domain.brief import Brief
from policytrack.domain.forecasts import NO, OPEN, YES, Forecast, outcome_label
from policytrack.domain.likelihood import band_label
from policytrack.records.field import UNDETERMINED
from policytrack.records.models import Entry, Framework, SourceRecord, marked_language, plural
from policytrack.render.charts import (
    PALETTES,
    TARGET_COLOUR,
    calibration_chart,
    effect_names,
    indicator_chart,
    momentum_chart,
    unit_name,
)
from policytrack.render.text import redacted_shown, source_link, visible

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

    from policytrack.domain.reports import Report, ReportRow
    from policytrack.domain.site import EntryLine


def columns(words: Words) -> list[tuple[str, str]]:
    """The table's columns and what each one means: the legend under the table says it in these words."""
    return [
        ("#", _("The indicator's number in the framework.")),
        (words.first_column, _("The indicator and its key, the name the command line uses.")),
        (
            _("Status"),
            _(
                "The latest assessment on or before the as-of date, and its date ('baseline' when none); "
                "where analysts differ, their consensus (the median level) and a contested flag."
            ),
        ),
        (_("Progress"), words.progress),
        (_("Target"), words.target),
        (
            _("Track"),
            _(
                "met; on track or off track against a straight line from the target's start to its due date; "
                "overdue; or no target."
            ),
        ),
        (words.advancing, _("Entries in the evidence window with a positive effect.")),
        (words.hindering, _("Entries in the window with a negative effect.")),
        (_("Context"), _("Entries in the window with effect 0.")),
        (_("Momentum"), _("The sum of the effects (-2 to +2) in the window.")),
        (
            _("Weighted"),
            _("Momentum with each effect weighted by its grade (reliability times credibility)."),
        ),
        (_("Sources"), _("Distinct independent sources in the window.")),
        (
            _("Last evidence"),
            _("The date of the latest entry on or before the as-of date; stale when too old."),
        ),
    ]


@dataclass(frozen=True)
class Words:
    """The brief's words for its kind of indicators: a risk materialises or recedes, a recommendation
    advances or is hindered."""

    first_column: str
    advancing: str
    hindering: str
    progress: str
    target: str

    @staticmethod
    def of(report: Report) -> Words:
        kinds = {r.indicator.kind == "risk" for r in report.rows}
        if kinds == {True}:
            return Words(
                _("Risk"),
                _("Materialising"),
                _("Receding"),
                _("How far the risk has materialised, as a share of the framework's scale."),
                _("The current target: a ceiling to get under by a due date."),
            )
        return Words(
            _("Recommendation") if kinds != {True, False} else _("Indicator"),
            _("Advancing"),
            _("Hindering"),
            _("The status as a share of the framework's scale (for a risk: how far it has materialised)."),
            _("The current target: a level to reach (a ceiling, for a risk) by a due date."),
        )


def _signed(value: float) -> str:
    text = f"{value:g}"
    return f"+{text}" if value > 0 else text


@dataclass(frozen=True)
class SourcePart:
    """One part of an entry's source: a registered source (by its name) or the free text, linked when
    it is an http(s) URL."""

    text: str
    link: str | None
    role: str = ""  # "", or the words before it ("via")


@dataclass(frozen=True)
class EvidenceRow:
    date: str
    precision: str
    ref: str  # the team-wide reference (records.models.short_ref): the brief is the same in every database
    summary: str
    grade: str
    effect: str
    effect_name: str
    assessment: str
    analyst: str
    source: list[SourcePart]
    signals: list[str]
    lang: str = ""  # the summary's `lang` where it is not the page's (and said: not und)
    original: str = ""  # when the summary shown is its translation: the original, a click away
    original_lang: str = ""
    unchecked: bool = False  # the translation shown was not checked by a person


@dataclass(frozen=True)
class ShownSummary:
    """An entry's summary as a page in the reader's language shows it: its translation into that language
    when it has one (the original kept beside it), else the original; each with the `lang` attribute it
    needs on that page ("" where it is the page's language or not said)."""

    text: str
    lang: str = ""
    original: str = ""
    original_lang: str = ""
    unchecked: bool = False


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def lang_attribute(tag: str | None) -> str:
    """The `lang` a text in language `tag` needs on a page in this command's language: none where it is the
    page's language, or not said (und, empty)."""
    if not tag or tag == UNDETERMINED or _primary(tag) == language():
        return ""
    return tag


def shown_summary(entry: Entry | EntryLine) -> ShownSummary:
    """What a page shows of an entry's summary (stored text through the display boundary, a redacted one
    as the marker in the reader's language)."""
    translation = entry.summary_translation
    page = language()
    if (
        translation
        and _primary(entry.summary_translation_language) == page
        and _primary(entry.language) != page
    ):
        return ShownSummary(
            visible(redacted_shown(translation)),
            lang_attribute(entry.summary_translation_language),
            visible(redacted_shown(entry.summary)),
            lang_attribute(entry.language),
            not entry.summary_translation_checked,
        )
    return ShownSummary(visible(redacted_shown(entry.summary)), lang_attribute(entry.language))


def _registered(
    key: str | None, name: str | None, sources: dict[str, SourceRecord], role: str = ""
) -> list[SourcePart]:
    if not key:
        return []
    found = sources.get(key)
    name = found.name if found is not None and found.name else name
    text = f"{key} ({name})" if name else key  # as every table shows it (render.entries.source_text)
    return [SourcePart(visible(text), source_link(found.url) if found is not None else None, role)]


def source_parts(entry: Entry, sources: dict[str, SourceRecord]) -> list[SourcePart]:
    """The registered source (its name, linked to its URL), the outlet it came via, then the free text."""
    parts = _registered(entry.source_key, entry.source_name, sources)
    parts += _registered(entry.via, entry.via_name, sources, _("via"))
    if entry.source.strip() and (not parts or entry.source.strip() not in {p.link for p in parts}):
        parts.append(SourcePart(visible(entry.source), source_link(entry.source)))
    return parts


def _evidence(brief: Brief, row: ReportRow) -> Iterable[EvidenceRow]:
    """A row's evidence table, built an entry at a time as the page is written (nothing when it has none:
    the first entry is read to know)."""
    entries = iter(brief.evidence[row.indicator.key])
    first = next(entries, None)
    return [] if first is None else _evidence_rows(brief, row, itertools.chain([first], entries))


def _evidence_rows(brief: Brief, row: ReportRow, entries: Iterable[Entry]) -> Iterator[EvidenceRow]:
    fw = brief.report.framework
    names = effect_names(row.indicator.kind)
    signals = {s.key: s for s in row.indicator.signals}
    for e in entries:
        assessment = visible(fw.level(e.status).label) if e.status and _known(fw, e.status) else ""
        shown = shown_summary(e)
        yield (
            EvidenceRow(
                str(e.date),
                e.date.precision,
                e.ref,
                shown.text,
                describe_grade(e.grade) if e.grade else _("ungraded"),
                _signed(e.effect),
                names[e.effect],
                assessment or (visible(e.status) if e.status else ""),
                visible(brief.name(e.analyst)),
                source_parts(e, brief.sources),
                [visible(f"{k}: {signals[k].text}" if k in signals else k) for k in e.signals],
                shown.lang,
                shown.original,
                shown.original_lang,
                shown.unchecked,
            )
        )


def _known(fw: Framework, status: str) -> bool:
    """Whether the framework still has this level (an older one is shown by its name)."""
    return any(level.name == status for level in fw.scale)


def _forecast(brief: Brief, f: Forecast) -> dict[str, Any]:
    fw = brief.report.framework
    outcome = outcome_label(f.outcome)
    resolved = f.outcome in (YES, NO)
    return {
        "ref": f.ref,
        "indicator": visible(f.indicator),
        "level": visible(fw.level(f.level).label) if _known(fw, f.level) else visible(f.level),
        "due": f.due.shown,
        "likelihood": f.likelihood,
        "band": _(f.band.name),  # a reader's page: the band's name alone (the templates put it in brackets)
        "analyst": visible(brief.name(f.analyst)),
        "made_on": shown_day(f.made_on),
        "note": visible(f.note),
        "outcome": outcome,
        "brier": f"{((f.likelihood / 100) - (f.outcome == YES)) ** 2:.3f}" if resolved else "",
    }


def _forecasts(brief: Brief) -> dict[str, Any] | None:
    if not brief.forecasts:
        return None
    scores = brief.scores
    assert scores is not None
    shown = [_forecast(brief, f) for f in brief.forecasts]
    resolved = [f for f, raw in zip(shown, brief.forecasts, strict=True) if raw.outcome in (YES, NO)]
    return {
        "open": [f for f, raw in zip(shown, brief.forecasts, strict=True) if raw.outcome == OPEN],
        "resolved": resolved,
        "withdrawn": scores.withdrawn,
        "analysts": [
            (visible(brief.name(a.analyst)), a.forecasts, f"{a.brier:.3f}") for a in scores.analysts
        ],
        "overall": f"{scores.overall.brier:.3f}" if scores.overall else None,
        "bands": [
            (
                band_label(b.band),
                f"{b.band.low}-{b.band.high}%",
                b.forecasts,
                f"{b.mean_likelihood:.0f}%" if b.mean_likelihood is not None else "",
                f"{b.happened:.0f}%" if b.happened is not None else "",
            )
            for b in scores.bands
            if b.forecasts
        ],
        "chart": _markup(calibration_chart(scores, "k-")) if resolved else None,
    }


def _signposts(brief: Brief) -> list[dict[str, Any]]:
    out = []
    for s in brief.report.signposts:
        out.append(
            {
                "indicator": visible(s.indicator.key),
                "key": visible(s.signal.key),
                "text": visible(s.signal.text),
                "direction": _("progress") if s.signal.direction == "progress" else _("regression"),
                "kind": {"leading": _("leading"), "confirming": _("confirming")}.get(s.signal.kind, ""),
                "observed": s.observed,
                "state": _("observed") if s.observed else _("awaited"),
                "first": str(s.first) if s.first else "",
                "last": str(s.last) if s.last else "",
                "entries": len(s.entries),
                "sources": [visible(x) for x in s.sources],
            }
        )
    return out


def _analysts(brief: Brief) -> list[dict[str, Any]]:
    out = []
    for d in brief.report.disagreements:
        out.append(
            {
                "key": visible(d.indicator.key),
                "title": visible(d.indicator.title),
                "assessments": [
                    (visible(brief.name(a.analyst)), visible(a.level.label), str(a.date))
                    for a in d.assessments
                ],
                "consensus": visible(d.consensus.label) if d.consensus else "",
                "spread": d.spread,
                "contested": d.contested,
            }
        )
    return out


def _periods(brief: Brief) -> dict[str, Any] | None:
    """--by: the periods with evidence, each run of periods with none collapsed into one line that says
    so (nothing changes in them: a status changes only by an entry)."""
    if brief.periods is None:
        return None
    p = brief.periods
    lines: list[dict[str, Any]] = []
    empty: list[str] = []

    def close() -> None:
        if empty:
            lines.append({"empty": True, "first": empty[0], "last": empty[-1], "count": len(empty)})
            empty.clear()

    for i, period in enumerate(p.periods):
        if not any(row.cells[i].entries for row in p.rows):
            empty.append(period.shown)
            continue
        close()
        lines.append(
            {
                "empty": False,
                "label": period.shown,
                "cells": [
                    {
                        "entries": row.cells[i].entries,
                        "momentum": _signed(row.cells[i].momentum),
                        "percent": row.statuses[i].percent,
                    }
                    for row in p.rows
                ],
            }
        )
    close()
    return {
        "unit": unit_name(p.unit),
        "keys": [visible(row.indicator.key) for row in p.rows],
        "rows": lines,
        "total": len(p.periods),
        "chart": _markup(momentum_chart(brief, "m-")),
    }


def _markup(svg: str) -> Markup:
    from markupsafe import Markup

    return Markup(svg)


def summary_html(text: str) -> Markup:
    """The analyst's key judgements, markdown rendered safely: no raw HTML (it is shown as text), no
    images (nothing is fetched), and only http(s) links, each with rel=noopener."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline"])
    md.validateLink = lambda url: source_link(url) is not None  # type: ignore[method-assign]

    def link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "noopener noreferrer")
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return _markup(md.render(visible(text)))


def _header(brief: Brief, words: Words) -> dict[str, Any]:
    report, byline = brief.report, brief.byline
    fw = report.framework
    t = report.totals
    window = (
        _("everything up to {until}").format(until=shown_day(report.until))
        if report.since is None
        else _("{since} to {until}").format(since=shown_day(report.since), until=shown_day(report.until))
    )
    counts = _("{entries} ({advancing} {advancing_word}, {hindering} {hindering_word}, {context} context)")
    return {
        "title": visible(byline.title) if byline.title else visible(fw.title),
        "subtitle": visible(fw.title) if byline.title else "",
        "author": visible(byline.author),
        "organisation": visible(byline.organisation),
        "marking": visible(byline.marking),
        "summary_html": summary_html(byline.summary) if byline.summary.strip() else None,
        "citation": _("Source: {citation}").format(citation=visible(fw.source.citation())),
        "window": window,
        "counts": counts.format(
            entries=plural(t["entries"], "entry", "entries"),
            advancing=t["advancing"],
            advancing_word=words.advancing.lower(),
            hindering=t["hindering"],
            hindering_word=words.hindering.lower(),
            context=t["context"],
        ),
        "momentum": _signed(t["momentum"]),
        "weighted": _signed(t["weighted_momentum"]),
        "reviewed_only": report.reviewed_only,
    }


def _notes(brief: Brief) -> list[str]:
    report = brief.report
    lines = []
    if any(r.indicator.kind == "risk" for r in report.rows):
        lines.append(
            _(
                "Risk indicators are watch items: a higher level and positive effects are bad news, and a "
                "target is a ceiling to get under."
            )
        )
    if report.stale:
        lines.append(
            _("Stale (no evidence for over {days} days): {keys}").format(
                days=report.stale_days, keys=", ".join(visible(k) for k in report.stale)
            )
        )
    if report.overdue:
        lines.append(_("Overdue targets: {keys}").format(keys=", ".join(visible(k) for k in report.overdue)))
    single = [visible(r.indicator.key) for r in report.rows if r.corroboration.single_source]
    if single:
        lines.append(_("Single source (one independent originator): {keys}").format(keys=", ".join(single)))
    if report.contested:
        lines.append(
            _("Contested (the analysts' latest assessments in the window differ): {keys}").format(
                keys=", ".join(visible(d.indicator.key) for d in report.contested)
            )
        )
    return lines


def _row(brief: Brief, r: ReportRow, index: int) -> dict[str, Any]:
    key = r.indicator.key
    d = brief.report.disagreement(key)
    track = {
        "met": _("met"),
        "on track": _("on track"),
        "off track": _("off track"),
        "overdue": _("overdue"),
    }.get(r.track, _("no target"))
    return {
        "number": r.indicator.number,
        "key": visible(key),
        "title": visible(r.indicator.title),
        "risk": r.indicator.kind == "risk",
        "status": visible(r.status.label),
        "since": r.status_date.shown if r.status_date else _("baseline"),
        "percent": r.status.percent,
        "target": _("{level} by {due}").format(level=visible(r.target.level.label), due=r.target.due.shown_by)
        if r.target and r.target.level
        else _("none"),
        "track_class": r.track.replace(" ", "-"),
        "track": track,
        "expected": r.expected_percent if r.track in ("on track", "off track") else None,
        "advancing": r.advancing,
        "hindering": r.hindering,
        "context": r.context,
        "momentum": _signed(r.momentum),
        "weighted": _signed(r.weighted_momentum),
        "sources": r.sources,
        "last": str(r.last_evidence) if r.last_evidence else _("never"),
        "stale": r.stale,
        "contested": d is not None and d.contested,
        "consensus": visible(d.consensus.label) if d is not None and d.consensus and d.contested else "",
        "spread": d.spread if d is not None else 0,
        "chart": _markup(indicator_chart(brief, r, f"c{index}-")),
        "evidence": _evidence(brief, r) if brief.explain else [],
        "evidence_count": plural(brief.tracks[key].entries, "entry", "entries"),
        "corroboration": _corroboration(r),
    }


def _corroboration(row: ReportRow) -> str:
    """What a row's evidence rests on, in a sentence."""
    c = row.corroboration
    if not c.entries:
        return _("No evidence in the window.")
    if not c.sources:
        return _("No entry in the window has a source: nothing corroborates them.")
    parts = [f"{visible(kind)} {n}" for kind, n in c.types.items()]
    if c.free_text:
        parts.append(_("free text {n}").format(n=c.free_text))
    text = ngettext(
        "{n} independent originating source ({kinds})",
        "{n} independent originating sources ({kinds})",
        c.sources,
    ).format(n=c.sources, kinds=", ".join(parts))
    if c.official_share is not None:
        share = f"{round(100 * c.official_share)}%"
        text += _("; {share} of entries rest on official sources").format(share=share)
    if c.single_source:
        text += _(". Single source: nothing independent corroborates it")
    return text + "."


def _context(brief: Brief) -> dict[str, Any]:
    """Everything the templates show, as plain values: stored text through the display boundary."""
    report = brief.report
    words = Words.of(report)
    kinds = {r.indicator.kind for r in report.rows} or {"recommendation"}
    legend_kinds = [k for k in PALETTES if k in kinds or (k == "recommendation" and "risk" not in kinds)]
    total = sum(t.entries for t in brief.tracks.values())
    return {
        "lang": language(),
        **_header(brief, words),
        "as_of": report.as_of.isoformat(),
        "notes": _notes(brief),
        "words": words,
        "columns": columns(words),
        "rows": [_row(brief, r, i) for i, r in enumerate(report.rows, 1)],
        "periods": _periods(brief),
        "explain": brief.explain,
        "scale": [(visible(lv.label), lv.percent, visible(lv.description)) for lv in report.framework.scale],
        "palettes": [
            (
                _("Risks") if kind == "risk" else _("Recommendations"),
                PALETTES[kind].status,
                [(effect_names(kind)[e], _signed(e), c) for e, c in sorted(PALETTES[kind].effects.items())],
            )
            for kind in legend_kinds
        ],
        "target_colour": TARGET_COLOUR,
        "forecasts": _forecasts(brief),
        "signposts": _signposts(brief),
        "analysts": _analysts(brief) if brief.by_analyst else None,
        "version": __version__,
        "framework": visible(report.framework.name),
        "entries_hash": brief.entries_hash,
        "entries_used": plural(total, "entry", "entries"),
    }


def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("policytrack.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["spoken"] = spoken
    return env


def spoken(text: str) -> Markup:
    """A framework's text in a page's element: where it is shown in its own language for want of a
    translation (records.models.in_language's marker), it says so to readers' tools: `lang="en"`."""
    from markupsafe import Markup, escape

    code = marked_language(text)
    if code is None or code == language():
        return escape(text)
    return Markup('<span lang="{code}">{text}</span>').format(code=code, text=text)


def _spoken_code(text: str) -> str:
    """The `xml:lang` of a framework's text in the SVG where it is shown in its own language for want of a
    translation ("" where it is in the page's language)."""
    code = marked_language(text)
    return code if code is not None and code != language() else ""


def brief_html(brief: Brief) -> str:
    """The brief as one self-contained HTML5 page."""
    return "".join(brief_html_parts(brief))


def brief_html_parts(brief: Brief) -> Iterator[str]:
    """The page of brief_html in parts, as the template writes them: --explain's evidence tables are
    built an entry at a time as they are written."""
    return _environment().get_template("brief.html.j2").generate(_context(brief))


_SIZE = re.compile(r'\A<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')
LINE_PT = 12  # the standalone SVG's header lines, in points
WRAP = 120  # characters in a header line, at its 8-point font across the chart width


def _placed(svg: str, y: float) -> tuple[str, float]:
    """A chart's <svg> placed at y inside the standalone SVG (in its user units, points), and its height."""
    m = _SIZE.match(svg)
    assert m is not None, "matplotlib's SVG starts with its size in points"
    width, height = m.group(2), float(m.group(3))
    return f'<svg{m.group(1)} x="0" y="{y:g}" width="{width}" height="{height:g}"' + svg[m.end() :], height


def svg_legend() -> str:
    return _(
        "Each chart: the status (solid line) on the framework's scale, the target (dashed) from its start to "
        "its due date, the as-of date (grey line), and below, each entry at its effect: a dot on its day "
        "(larger where several fall close together), a bar across its month, quarter or year; -2 orange to "
        "+2 blue for a recommendation; for a risk, -2 green (receding) to +2 purple (materialising)."
    )


def brief_svg(brief: Brief) -> str:
    """The brief's charts as one standalone SVG: a header in text, then each chart, stacked."""
    from markupsafe import Markup

    context = _context(brief)
    byline = ", ".join(part for part in (context["author"], context["organisation"]) if part)
    lines = [context["title"], *[line for line in (context["marking"], byline) if line]]
    lines += textwrap.wrap(context["citation"], WRAP)
    summary = _("As of {as_of}; evidence window {window}; {counts}; momentum {momentum}, weighted {weighted}")
    lines += textwrap.wrap(
        summary.format(
            as_of=context["as_of"],
            window=context["window"],
            counts=context["counts"],
            momentum=context["momentum"],
            weighted=context["weighted"],
        ),
        WRAP,
    )
    lines += [part for line in context["notes"] for part in textwrap.wrap(line, WRAP)]
    lines += textwrap.wrap(svg_legend(), WRAP)
    lines += [
        _("policytrack {version}; sha256 of the {entries}: {digest}").format(
            version=__version__, entries=context["entries_used"], digest=brief.entries_hash
        )
    ]
    y = float(LINE_PT * (len(lines) + 1))
    titled = [
        (
            f"{r['number']}. {r['title']}{' ' + _('(risk)') if r['risk'] else ''} [{r['key']}]",
            r["chart"],
            _spoken_code(r["title"]),
        )
        for r in context["rows"]
    ]
    if context["periods"]:
        unit = context["periods"]["unit"]
        titled.append((_("Momentum per {unit}").format(unit=unit), context["periods"]["chart"], ""))
    charts = []
    for title, chart, code in titled:
        y += LINE_PT * 1.5
        placed, height = _placed(str(chart), y)
        charts.append((title, y - LINE_PT * 0.4, Markup(placed), code))
        y += height
    width = re.search(r'viewBox="0 0 ([\d.]+)', str(context["rows"][0]["chart"])) if context["rows"] else None
    return (
        _environment()
        .get_template("brief.svg.j2")
        .render(
            **context,
            header=lines,
            header_lang=_spoken_code(lines[0]),  # the title: a framework's, perhaps untranslated
            line_pt=LINE_PT,
            charts=charts,
            width=width.group(1) if width else "540",
            height=f"{y:g}",
        )
    )
