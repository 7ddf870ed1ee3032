"""Rendering a progress report: a rich table for the terminal (and html/svg), or markdown for briefs.

rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from policytrack.core.dates import shown_day
from policytrack.core.i18n import N_, _, ngettext
from policytrack.domain.reports import Report, ReportRow
from policytrack.domain.status import Timeline, TimelinePoint
from policytrack.domain.targets import Target
from policytrack.records.models import Entry, StatusLevel, plural
from policytrack.records.report import ANALYST_ROW
from policytrack.render.entries import REF_WIDTH, fit, headers, left_out_note, source_text
from policytrack.render.signposts import signposts_count
from policytrack.render.text import clipped, fitted, literal, longest_word, visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

    from policytrack.domain.periods import Cell, PeriodReport

BAR_WIDTH = 10
_TRACK_STYLE = {"met": "green", "on track": "green", "off track": "yellow", "overdue": "red"}
# A row's track (domain.reports.ReportRow.track) as people read it.
_TRACK_WORDS = {
    "met": N_("met"),
    "on track": N_("on track"),
    "off track": N_("off track"),
    "overdue": N_("overdue"),
    "no target": N_("no target"),
}


def progress_bar(percent: int, width: int = BAR_WIDTH, *, ascii_only: bool = False) -> str:
    """A bar of `width` cells, filled to `percent` (--plain: `#` on `-`, pure ASCII)."""
    filled = int(percent * width / 100 + 0.5)  # half up: round() would show 50% of 5 cells as 2
    full, empty = ("#", "-") if ascii_only else ("█", "░")
    return full * filled + empty * (width - filled)


def _track(track: str) -> str:
    return _(_TRACK_WORDS[track]) if track in _TRACK_WORDS else track


def _signed(value: float) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"+{text}" if value > 0 else text


def _window(report: Report) -> str:
    if report.since is None:  # read right on an empty database too
        return _("everything up to {until}").format(until=shown_day(report.until))
    return _("{since} to {until}").format(since=shown_day(report.since), until=shown_day(report.until))


def _target_text(row: ReportRow) -> str:
    if row.target is None or row.target.level is None:
        return "-"
    return _("{level} by {due}").format(level=row.target.level.name, due=row.target.due.shown_by)


def corroboration_text(row: ReportRow) -> str:
    """What a row's evidence rests on, in a sentence: its independent originating sources by type, their
    origins, the share of entries from official sources, and a single-source warning."""
    c = row.corroboration
    if not c.entries:
        return _("No evidence in the window.")
    if not c.sources:
        return _("{entries}, none with a source: nothing corroborates them.").format(
            entries=plural(c.entries, "entry", "entries")
        )
    parts = [f"{kind} {n}" for kind, n in c.types.items()]
    if c.free_text:
        parts.append(_("free text {n}").format(n=c.free_text))
    text = ngettext(
        "{n} independent originating source ({parts})",
        "{n} independent originating sources ({parts})",
        c.sources,
    ).format(n=c.sources, parts=", ".join(parts))
    if c.origins:
        origins = ", ".join(f"{origin} {n}" for origin, n in c.origins.items())
        text += _("; origins: {origins}").format(origins=origins)
    if c.official_share is not None:
        text += _("; {share} of entries rest on official sources").format(share=f"{c.official_share:.0%}")
    if len(c.media_origins) == 1 and c.types.get("media", 0) > 1:
        origin = c.media_origins[0] or _("unknown")
        text += _("; all its media are from one origin ({origin})").format(origin=origin)
    if c.single_source:
        text += _(". SINGLE SOURCE: nothing independent corroborates it")
    return text + "."


def header_lines(report: Report) -> list[str]:
    """The framework's title, its source, and one sentence of what the report holds: its date and window
    in the reader's language (core.dates.shown_day), its parts joined as the language joins them."""
    fw = report.framework
    t = report.totals
    parts = [
        _(
            "As of {as_of}; evidence window {window}; {entries} ({advancing} advancing, {hindering} "
            "hindering, {context} context); momentum {momentum}, weighted {weighted}"
        ).format(
            as_of=shown_day(report.as_of),
            window=_window(report),
            entries=plural(t["entries"], "entry", "entries"),
            advancing=t["advancing"],
            hindering=t["hindering"],
            context=t["context"],
            momentum=_signed(t["momentum"]),
            weighted=_signed(t["weighted_momentum"]),
        )
    ]
    if report.signposts:
        parts.append(signposts_count(report.signposts))
    if report.reviewed_only:
        parts.append(_("reviewed entries only"))
    if report.waiting:
        parts.append(_waiting(report.waiting))
    # French writes a space before the semicolon: the catalogue says how two parts of a sentence join
    sentence = functools.reduce(
        lambda before, after: _("{before}; {after}").format(before=before, after=after), parts
    )
    return [fw.title, _("Source: {citation}").format(citation=fw.source.citation()), sentence]


def _waiting(count: int) -> str:
    return ngettext(
        "{n} candidate waits in the inbox",
        "{n} candidates wait in the inbox",
        count,
    ).format(n=count)


def footer_lines(report: Report) -> list[str]:
    lines = []
    if _has_risks(report):
        lines.append(
            _(
                "Risk indicators are watch items: a higher level and positive effects are bad news, "
                "and a target is a ceiling to get under."
            )
        )
    if report.stale:
        lines.append(
            _("Stale (no evidence for over {days} days): {keys}").format(
                days=report.stale_days, keys=", ".join(report.stale)
            )
        )
    if report.overdue:
        lines.append(_("Overdue targets: {keys}").format(keys=", ".join(report.overdue)))
    single = [r.indicator.key for r in report.rows if r.corroboration.single_source]
    if single:
        lines.append(_("Single source (one independent originator): {keys}").format(keys=", ".join(single)))
    if report.contested:
        lines.append(
            _("Contested (the analysts' latest assessments in the window differ): {which}").format(
                which="; ".join(d.describe() for d in report.contested)
            )
        )
    return lines


def _contested(report: Report, row: ReportRow) -> bool:
    found = report.disagreement(row.indicator.key)
    return found is not None and found.contested


def _has_risks(report: Report) -> bool:
    return any(r.indicator.kind == "risk" for r in report.rows)


def _title(row: ReportRow, key: str) -> str:
    risk = " " + _("(risk)") if row.indicator.kind == "risk" else ""
    return f"{row.indicator.title}{risk} {key}"


def _good_bad_style(row: ReportRow, value: float) -> str:
    """Green for good news, red for bad: a positive effect is good for a recommendation, bad for a risk."""
    good = value > 0 if row.indicator.kind != "risk" else value < 0
    return "" if value == 0 else ("green" if good else "red")


NARROW_BELOW = 80  # terminal columns under which the compact layout also leaves out bars and counts


def _headed(head: list[str], table: RenderableType) -> list[RenderableType]:
    """Title (bold), citation (dim) and the summary line above a table."""

    return [literal(head[0], style="bold"), literal(head[1], style="dim"), literal(head[2]), table]


def report_renderable(report: Report, *, plain: bool = False, width: int | None = None) -> RenderableType:
    """The report table at `width` (None: the wide layout). Where the wide layout does not fit whole,
    the compact one shows keys instead of titles, stacks target and track, and leaves out weighted
    momentum and sources; under NARROW_BELOW columns also the progress bar and the +/-/0 counts. A footer
    names what is left out and what shows it; nothing is ever cut."""
    from rich.console import Group
    from rich.text import Text

    table = _report_table(report, plain=plain, compact=False, narrow=False)
    # the wide layout only where it shows every column whole (rich would drop or cut one silently);
    # fitted leaves the table as it was when it fits, and the compact layout replaces it when not
    compact = width is not None and bool(fitted(table, width))
    narrow = width is not None and width < NARROW_BELOW
    dropped: list[str] = []
    if compact:
        table = _report_table(report, plain=plain, compact=True, narrow=narrow)
        # Longer words (a language's headers and statuses) may still not fit: the tables' one rule leaves
        # out whole columns, the least telling first, rather than let rich cut them.
        dropped = fitted(table, width or 0, first=["+/-/0", _("Progress"), _("Mom."), _("Target")])
    parts = _headed(header_lines(report), table)
    parts += [literal(line, style="yellow") for line in footer_lines(report)]
    if dropped:
        parts.append(left_out_note(dropped, _("a wider terminal, --format markdown or csv shows them")))
    if compact:
        left_out = (
            _("titles, weighted momentum, sources, progress bars and the advancing/hindering/context counts")
            if narrow
            else _("titles, weighted momentum and sources")
        )
        shown = _(
            "Narrow terminal: {left_out} are left out; a wider terminal, --format markdown or csv shows them."
        )
        parts.append(Text(shown.format(left_out=left_out), style="dim"))
    return Group(*parts)


def _report_table(report: Report, *, plain: bool, compact: bool, narrow: bool) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.ASCII2 if plain else box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=compact,
        show_edge=not compact,
    )
    table.add_column("#", justify="right", no_wrap=True)
    if compact:
        table.add_column(_("Key"), no_wrap=True)
    else:
        table.add_column(_("Indicator") if _has_risks(report) else _("Recommendation"), min_width=16, ratio=2)
    table.add_column(_("Status"), no_wrap=True)
    if not narrow:
        table.add_column(_("Progress"), no_wrap=True)
    if compact:
        table.add_column(_("Target"), no_wrap=not narrow, overflow="fold")
    else:
        table.add_column(_("Target"), min_width=8)
        table.add_column(_("Track"))
    if not narrow:
        table.add_column("+/-/0", justify="right", no_wrap=True)
    table.add_column(_("Mom."), justify="right", no_wrap=True)
    if not compact:
        table.add_column(_("Wtd"), justify="right")
        table.add_column(_("Src"), justify="right")
    table.add_column(_("Last ev."), no_wrap=True)
    bar_width = 5 if compact else BAR_WIDTH
    for r in report.rows:
        since = r.status_date.shown if r.status_date else _("baseline")
        last = r.last_evidence.shown if r.last_evidence else _("never")
        track = Text(_track(r.track), style=_TRACK_STYLE.get(r.track, ""))
        cells: list[RenderableType] = [str(r.indicator.number)]
        risk = "\n" + _("(risk)") if r.indicator.kind == "risk" else ""
        cells.append(literal(r.indicator.key + risk if compact else _title(r, f"[{r.indicator.key}]")))
        contested = Text(" " + _("contested") if _contested(report, r) else "", style="bold magenta")
        if narrow:
            cells.append(literal(f"{r.status.name}\n{r.status.percent}%\n{since}") + contested)
        else:
            cells.append(literal(f"{r.status.name}\n{since}") + contested)
            bar = progress_bar(r.status.percent, bar_width, ascii_only=plain)
            cells.append(
                Text(f"{bar} {r.status.percent:>3}%", style="red" if r.indicator.kind == "risk" else "")
            )
        if compact:
            target = (
                _("{level}\nby {due}\n").format(level=r.target.level.name, due=r.target.due.shown_by)
                if r.target and r.target.level
                else ""
            )
            cells.append(literal(target) + track)
        else:
            cells += [literal(_target_text(r)), track]
        if not narrow:
            cells.append(f"{r.advancing}/{r.hindering}/{r.context}")
        cells.append(Text(_signed(r.momentum), style=_good_bad_style(r, r.momentum)))
        if not compact:
            cells += [
                Text(_signed(r.weighted_momentum), style=_good_bad_style(r, r.weighted_momentum)),
                str(r.sources),
            ]
        shown = f"{last}\n{_('stale')}" if r.stale else last
        cells.append(Text(shown, style="yellow" if r.stale else ""))
        table.add_row(*cells)
    return table


# What CommonMark would read as structure inside a line: escapes, code, emphasis, strikethrough, entities
# (`&#x202E;` would become a real bidi override), HTML and autolinks, links and images.
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_~&<>[]!"})


def _md_text(text: str) -> str:
    """Stored text for markdown: control characters visible, and every character markdown would read as
    structure backslash-escaped, so the text renders literally and adds none."""
    return visible(text).translate(_MD_SPECIAL)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_markdown(report: Report) -> str:
    head = [_md_text(line) for line in header_lines(report)]
    lines = [f"## {_md_cell(head[0])}", "", f"_{_md_cell(head[1])}_", "", _md_cell(head[2]), ""]
    first = _("Indicator") if _has_risks(report) else _("Recommendation")
    columns = (
        _("Status"),
        _("Progress"),
        _("Target"),
        _("Track"),
        _("Advancing"),
        _("Hindering"),
        _("Context"),
        _("Momentum"),
        _("Weighted"),
        _("Sources"),
        _("Last evidence"),
    )
    lines.append(f"| # | {first} | " + " | ".join(columns) + " |")
    lines.append("|---:|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in report.rows:
        status = f"{r.status.name} ({r.status_date.shown if r.status_date else _('baseline')})"
        status += ", " + _("contested") if _contested(report, r) else ""
        last = r.last_evidence.shown if r.last_evidence else _("never")
        cells = [
            str(r.indicator.number),
            _md_text(_title(r, "")) + f"(`{_md_text(r.indicator.key)}`)",
            _md_text(status),
            f"{progress_bar(r.status.percent)} {r.status.percent}%",
            _md_text(_target_text(r)),
            _track(r.track),
            str(r.advancing),
            str(r.hindering),
            str(r.context),
            _signed(r.momentum),
            _signed(r.weighted_momentum),
            str(r.sources),
            _("{date} (stale)").format(date=last) if r.stale else last,
        ]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    footer = footer_lines(report)
    if footer:
        lines.append("")
        lines += [f"- {_md_cell(_md_text(line))}" for line in footer]
    return "\n".join(lines) + "\n"


def _recording_console(width: int = 120) -> Console:
    from rich.console import Console

    return Console(record=True, width=width, file=io.StringIO(), color_system="truecolor")


def export_recorded(renderables: list[RenderableType], width: int = 120) -> str:
    """What the terminal would show, as plain text (a report table written with -o)."""
    console = _recording_console(width)
    for renderable in renderables:
        console.print(renderable)
    return console.export_text()


def evidence_markdown(title: str, entries: Iterable[Entry], corroboration: str = "") -> Iterator[str]:
    """--explain in markdown: the entries behind one row, each summary whole on its line (never cut), after
    what the row's evidence rests on; yielded a line at a time as the entries are read (flat memory)."""
    yield f"### {_md_cell(_md_text(title))}\n\n"
    rows = iter(entries)
    first = next(rows, None)
    if first is None:
        yield _("No entries in the window.") + "\n"
        return
    if corroboration:
        yield f"{_md_cell(_md_text(corroboration))}\n\n"
    names = (_("Date"), _("Ref"), _("Summary"), _("Grade"), _("Effect"), _("Source"))
    yield "| " + " | ".join(names) + " |\n|---|---|---|---|---:|---|\n"
    for e in itertools.chain([first], rows):
        cells = [
            str(e.date),
            e.ref,
            _md_text(e.summary),
            e.grade or "",
            f"{e.effect:+d}" if e.effect else "0",
            _md_text(source_text(e)),
        ]
        yield "| " + " | ".join(_md_cell(c) for c in cells) + " |\n"


MAX_TABLE_PERIODS = 8


def _period_cell(cell: Cell, status: StatusLevel) -> str:
    activity = f"{cell.entries} {_signed(cell.momentum)}" if cell.entries else "-"
    return f"{activity}\n{status.percent}%"


def period_header(report: PeriodReport, *, plain: bool = False) -> list[str]:
    from policytrack.domain.periods import (  # only a report by period loads it
        ASCII_LEGEND,
        SPARK_LEGEND,
        UNIT_WORDS,
    )

    fw = report.framework
    first, last = report.periods[0], report.periods[-1]
    return [
        fw.title,
        f"Source: {fw.source.citation()}",
        _(
            "As of {date}, by {unit}, {first} to {last}. Each cell: entries and net effect, then the status "
            "at the period's end; trend: momentum per period, {legend} (scaled per row)."
        ).format(
            date=shown_day(report.as_of),
            unit=_(UNIT_WORDS[report.unit]),
            first=first.shown,
            last=last.shown,
            legend=_(ASCII_LEGEND if plain else SPARK_LEGEND),
        ),
    ]


def period_renderable(
    report: PeriodReport, *, plain: bool = False, width: int | None = None
) -> RenderableType:
    """Indicators x periods; as many of the latest periods as fit the width (at most MAX_TABLE_PERIODS)."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from policytrack.domain.periods import sparkline

    # about 16 columns for the number and key, 9 per period, and a trend of one cell per period
    fits = MAX_TABLE_PERIODS if width is None else max(1, (width - 16) // 10)
    shown = report.periods[-min(MAX_TABLE_PERIODS, fits) :]
    skip = len(report.periods) - len(shown)
    table = Table(box=box.ASCII2 if plain else box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("#", justify="right")
    table.add_column(_("Key"), no_wrap=True)
    for period in shown:
        table.add_column(period.shown, justify="right", no_wrap=True)
    table.add_column(_("Trend"), no_wrap=True)
    for row in report.rows:
        cells = [_period_cell(c, s) for c, s in zip(row.cells[skip:], row.statuses[skip:], strict=True)]
        trend = sparkline([float(c.momentum) for c in row.cells[skip:]], ascii_only=plain)
        table.add_row(str(row.indicator.number), literal(row.indicator.key), *cells, trend)
    parts = _headed(period_header(report, plain=plain), table)
    if skip:
        parts.append(
            Text(
                ngettext(
                    "Showing the last {shown} of {total} period; --since narrows the window, --format csv "
                    "gives them all.",
                    "Showing the last {shown} of {total} periods; --since narrows the window, --format csv "
                    "gives them all.",
                    len(report.periods),
                ).format(shown=len(shown), total=len(report.periods)),
                style="yellow",
            )
        )
    return Group(*parts)


def period_markdown(report: PeriodReport) -> str:
    head = [_md_text(line) for line in period_header(report)]
    lines = [f"## {_md_cell(head[0])}", "", f"_{_md_cell(head[1])}_", "", _md_cell(head[2]), ""]
    labels = [p.shown for p in report.periods]
    lines.append(f"| # | {_('Recommendation')} | " + " | ".join(labels) + f" | {_('Trend')} |")
    lines.append("|---:|---|" + "---:|" * len(labels) + "---|")
    for row in report.rows:
        cells = [
            _period_cell(c, s).replace("\n", " · ") for c, s in zip(row.cells, row.statuses, strict=True)
        ]
        title = f"{_md_text(row.indicator.title)} (`{_md_text(row.indicator.key)}`)"
        lines.append(
            f"| {row.indicator.number} | {_md_cell(title)} | " + " | ".join(cells) + f" | {row.spark} |"
        )
    return "\n".join(lines) + "\n"


def timeline_header_lines(tl: Timeline) -> tuple[str, str]:
    """The indicator, and what its window holds: entries, the status at the start, status changes, and
    the cumulative momentum as a sparkline from zero and its last value (stored text made visible)."""
    from policytrack.domain.periods import SPARK_LEGEND, sparkline

    ind = tl.indicator
    spark = sparkline([float(v) for v in tl.momentum])
    summary = _(
        "{entries}; status at the start: {status}; {changes}; cumulative momentum {spark} {last} "
        "(trend {legend})"
    ).format(
        entries=plural(tl.total, "entry", "entries"),
        status=tl.start_status.name,
        changes=ngettext("{count} status change", "{count} status changes", tl.changes).format(
            count=tl.changes
        ),
        spark=spark,
        last=_signed(tl.momentum[-1]) if tl.momentum else "0",
        legend=_(SPARK_LEGEND),
    )
    return visible(clipped(f"{ind.number}. {ind.title} [{ind.key}]")), visible(clipped(summary))


def timeline_header(tl: Timeline) -> RenderableType:
    """timeline_header_lines for a terminal: the first in bold."""
    from rich.console import Group
    from rich.text import Text

    title, summary = timeline_header_lines(tl)
    return Group(Text(title, style="bold"), Text(summary))


def timeline_plain(
    points: Iterable[tuple[tuple[Any, ...], int, str | None]],
    *,
    id_width: int,
    change_width: int,
    summary_width: int,
) -> Iterator[str]:
    """Timeline points for a pipe or a file: a plain-text table (render.plain), a line per point, streamed,
    with the columns of `timeline_table` and none left out. Each point is (the entry's
    records.entry.PLAIN_TIMELINE as a tuple, the cumulative momentum, the status change), as
    domain.status.timeline_point_tuples gives it: no Entry is built per row."""
    from policytrack.core.dates import PartialDate
    from policytrack.records.models import short_ref
    from policytrack.render.entries import source_words
    from policytrack.render.plain import PlainColumn, cell, plain_lines

    h = _timeline_headers()
    columns = [
        PlainColumn(h["Date"], 10),
        PlainColumn(h["ID"], id_width, right=True),
        PlainColumn(h["Ref"], REF_WIDTH),
        PlainColumn(h["Eff"], 3, right=True),
        PlainColumn(h["Cum."], 4, right=True),
        PlainColumn(h["Grd"], 3),
        PlainColumn(h["Status change"], change_width),
        PlainColumn(h["Summary"], summary_width),
        PlainColumn(h["Source"]),
    ]

    dates: dict[str, str] = {}

    def cells(point: tuple[tuple[Any, ...], int, str | None]) -> list[str]:
        row, cumulative, change = point
        stored, entry_id, uuid, effect, grade, _status, summary = row[:7]
        if (day := dates.get(stored)) is None:
            day = dates[stored] = str(PartialDate.from_stored(stored))
        return [
            day,
            str(entry_id),
            short_ref(uuid),
            _signed(effect),
            _signed(cumulative),
            cell(grade or ""),
            cell(change or ""),
            cell(summary),
            cell(source_words(*row[7:12])),
        ]

    return plain_lines(columns, map(cells, points))


TIMELINE_HINT = N_("a wider terminal, `policytrack show ID` or --format csv shows them")


def _timeline_headers() -> dict[str, str]:
    """The timeline's column headers in the chosen language, by their English name (the name the layout
    code uses): the entries table's, and the timeline's own."""
    return {**headers(), "Cum.": _("Cum."), "Status change": _("Status change")}


def timeline_table(
    points: Iterable[TimelinePoint], *, id_width: int = 2, width: int | None = None, header: bool = True
) -> tuple[RenderableType, list[str]]:
    """Timeline points for people, and the columns left out to fit `width` (None: none are): dates, ids
    and numbers whole, summaries and sources wrapped, never cut."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    points = list(points)
    h = _timeline_headers()

    def least(name: str, cells: int) -> int:  # a column is as wide as its header in the language, at least
        return max(cells, cell_len(h[name]))

    source_least = max(12, longest_word(source_text(p.entry) for p in points))  # its words whole
    optional = [("Source", source_least), ("Grd", least("Grd", 3)), ("Ref", least("Ref", REF_WIDTH))]
    fixed = [10, least("ID", id_width), least("Eff", 4), least("Cum.", 4), 13]
    dropped, widths = fit(fixed, optional, width)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_header=header)
    table.add_column(h["Date"], no_wrap=True, min_width=10)
    table.add_column(h["ID"], justify="right", no_wrap=True, min_width=id_width)
    if "Ref" not in dropped:
        table.add_column(h["Ref"], no_wrap=True, min_width=REF_WIDTH)
    for name in ("Eff", "Cum."):
        table.add_column(h[name], justify="right", no_wrap=True)
    if "Grd" not in dropped:
        table.add_column(h["Grd"], no_wrap=True, min_width=3)
    table.add_column(h["Status change"], min_width=13)
    table.add_column(h["Summary"], ratio=3, min_width=24, overflow="fold", width=widths.get("Summary"))
    if "Source" not in dropped:
        table.add_column(h["Source"], ratio=1, min_width=10, overflow="fold", width=widths.get("Source"))
    for p in points:
        e = p.entry
        cells: list[RenderableType] = [
            str(e.date),
            str(e.id),
            *([e.ref] if "Ref" not in dropped else []),
            _signed(e.effect),
            _signed(p.cumulative),
        ]
        if "Grd" not in dropped:
            cells.append(literal(e.grade or ""))
        cells += [literal(p.status_change or "", style="bold"), literal(e.summary)]
        if "Source" not in dropped:
            cells.append(literal(source_text(e)))
        table.add_row(*cells)
    return table, [h[name] for name in dropped]  # named in the language, as the footer shows them


def target_records(found: Iterable[Target]) -> Iterator[dict[str, str]]:
    """Targets as records of records.target.TARGET_ROW, for every format."""
    for t in found:
        yield {
            "indicator": t.indicator_key,
            "level": t.level.name if t.level else "",  # empty: the target was withdrawn
            "from": t.start.isoformat(),
            "due": str(t.due),
            "set_by": t.set_by,
            "set_at": t.set_at,
            "note": t.note,
        }


def targets_table(records: Iterable[Mapping[str, str]], labels: Mapping[str, str] | None = None) -> Table:
    """`targets` for people: each level by its name, with its label from `labels` beside it where given
    (the framework's label in a language other than its own)."""
    from rich.table import Table

    table = Table()
    for name, whole in (
        (_("Indicator"), True),
        (_("Level"), False),
        (_("From"), True),
        (_("Due"), True),
        (_("Set by"), False),
        (_("Set at (UTC)"), True),
        (_("Note"), False),
    ):
        table.add_column(name, no_wrap=whole)
    for r in records:
        table.add_row(
            literal(r["indicator"]),
            _level_cell(r["level"], labels or {}),
            r["from"],
            r["due"],
            literal(r["set_by"]),
            literal(r["set_at"][:19]),
            literal(r["note"]),
        )
    return table


# -- report --by-analyst: each analyst's latest assessment per indicator --------------------------------


def _analysts(report: Report) -> list[str]:
    return sorted({a.analyst for d in report.disagreements for a in d.assessments})


def analyst_dicts(report: Report) -> list[dict[str, object]]:
    """One record per indicator and analyst who assessed it in the window (one with no analyst for an
    indicator nobody did), with the indicator's consensus, spread and whether it is contested."""
    out: list[dict[str, object]] = []
    for d in report.disagreements:
        common = {
            "consensus": d.consensus.name if d.consensus else None,
            "spread": d.spread if d.assessments else None,
            "contested": d.contested,
        }
        head = {"number": d.indicator.number, "key": d.indicator.key}
        if not d.assessments:
            empty = dict.fromkeys(n for n in ANALYST_ROW.names() if n not in head and n not in common)
            out.append({**head, **empty, **common})
        for a in d.assessments:
            out.append({**head, "analyst": a.analyst, "status": a.level.name, "date": str(a.date), **common})
    return out


def _analyst_cells(report: Report) -> Iterator[tuple[str, str, list[str], str, str, bool]]:
    names = _analysts(report)
    for d in report.disagreements:
        by = {a.analyst: f"{a.level.name} ({a.date})" for a in d.assessments}
        consensus = d.consensus.name if d.consensus else "-"
        spread = str(d.spread) if d.assessments else "-"
        yield (
            str(d.indicator.number),
            d.indicator.key,
            [by.get(n, "-") for n in names],
            consensus,
            spread,
            d.contested,
        )


def _analyst_heading(report: Report) -> str:
    return _("Each analyst's latest assessment dated in the evidence window {window}").format(
        window=_window(report)
    )


def analyst_renderable(report: Report, *, plain: bool = False) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.ASCII2 if plain else box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column(_("Key"), no_wrap=True)
    for name in _analysts(report):
        table.add_column(literal(name))
    table.add_column(_("Consensus"), no_wrap=True)
    table.add_column(_("Spread"), justify="right")
    table.add_column(_("Contested"))
    for number, key, statuses, consensus, spread, contested in _analyst_cells(report):
        table.add_row(
            number,
            literal(key),
            *(literal(s) for s in statuses),
            consensus,
            spread,
            Text(_("contested") if contested else "", style="bold magenta"),
        )
    head = header_lines(report)
    head[2] = _analyst_heading(report)
    return Group(*_headed(head, table), *(literal(line, style="yellow") for line in footer_lines(report)))


def analyst_markdown(report: Report) -> str:
    head = [_md_text(line) for line in header_lines(report)]
    names = _analysts(report)
    lines = [f"## {_md_cell(head[0])}", "", f"_{_md_cell(head[1])}_", ""]
    lines += [_analyst_heading(report), ""]
    lines.append(
        f"| # | {_('Key')} | "
        + " | ".join(_md_cell(_md_text(n)) for n in names)
        + f" | {_('Consensus')} | {_('Spread')} | {_('Contested')} |"
    )
    lines.append("|---:|---|" + "---|" * len(names) + "---|---:|---|")
    for number, key, statuses, consensus, spread, contested in _analyst_cells(report):
        cells = [number, _md_text(key), *statuses, consensus, spread, _("contested") if contested else ""]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    footer = footer_lines(report)
    if footer:
        lines.append("")
        lines += [f"- {_md_cell(_md_text(line))}" for line in footer]
    return "\n".join(lines) + "\n"


def _level_cell(name: str, labels: Mapping[str, str]) -> Text:
    if not name:
        return literal(_("(withdrawn)"), style="dim")
    if name in labels and labels[name] != name:
        return literal(_("{label} ({name})").format(label=labels[name], name=name))
    return literal(name)
