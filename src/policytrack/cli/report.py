"""`policytrack report`, `target` and `targets`: progress against the framework and its targets.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policytrack.cli.app import app, confirm, fail, note
from policytrack.cli.common import (
    complete_indicator,
    complete_status,
    console,
    for_people,
    opened_store,
    print_table,
    read_date,
    text_output,
    write_formatted,
    write_output,
)
from policytrack.cli.options import (
    CsvAlias,
    FrameworkOpt,
    IndicatorsOpt,
    JsonAlias,
    OutputOpt,
    SinceOpt,
    UntilOpt,
    check_output,
    chosen_format,
    format_option,
    read_window,
)
from policytrack.core.config import setting
from policytrack.core.grades import WEIGHTS_HELP
from policytrack.core.i18n import N_, N_join, _, language, ngettext, number
from policytrack.render.formats import DRAWING, RECORDS, REPORT, TABLE, VIEW, formats_taking, output_format

if TYPE_CHECKING:
    from rich.console import RenderableType

    from policytrack.domain.brief import Byline
    from policytrack.domain.signposts import SignpostState
    from policytrack.records.field import Kind
    from policytrack.records.models import EntryFilter, Framework
    from policytrack.store import Store


class Unit(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


# What each command's output is, for its --format choices (render.formats): a report is records, a text
# document (markdown) or a drawing (the brief) besides the table; targets and timeline are records.
REPORT_OUTPUT = (VIEW, RECORDS, REPORT, DRAWING)
RECORD_OUTPUT = (VIEW, RECORDS)
ReportFormatOpt = Annotated[str, format_option(*REPORT_OUTPUT)]
STALE_DAYS = 180
REPORT_EPILOG = N_(
    "Example: policytrack report --as-of 2024-12-31 --since 2024-01-01 --format markdown -o brief.md"
)
REPORT_HELP = N_join(
    N_(
        "Where each recommendation stands: status and progress, target and track, evidence in the "
        "window (advancing/hindering/context), momentum (sum of effects), grade-weighted momentum, "
        "distinct sources, last evidence and a stale flag."
    ),
    WEIGHTS_HELP,
)


def report_command(default_format: str) -> Callable[..., None]:
    """The report command; `export report` is the same command with csv as its default format."""

    def report_cmd(
        ctx: typer.Context,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help=N_("Report as of this date (default today)."))
        ] = None,
        since: SinceOpt = None,
        until: UntilOpt = None,
        indicator: IndicatorsOpt = None,
        fmt: ReportFormatOpt = default_format,
        as_json: JsonAlias = False,
        as_csv: CsvAlias = False,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help=N_("Write to this file (atomically)."))
        ] = None,
        stale_days: Annotated[
            int | None,
            typer.Option(
                help=N_("Flag indicators with no evidence for more than N days (default: config, else 180).")
            ),
        ] = None,
        by: Annotated[
            Unit | None,
            typer.Option(
                "--by",
                help=N_(
                    "Indicators x periods: entries and net effect per period, status at each period's end, "
                    "and a sparkline of momentum."
                ),
            ),
        ] = None,
        plain: Annotated[bool, typer.Option("--plain", help=N_("ASCII table, no colour."))] = False,
        reviewed_only: Annotated[
            bool,
            typer.Option(
                "--reviewed-only", help=N_("Only reviewed entries and assessments (`policytrack review`).")
            ),
        ] = False,
        by_analyst: Annotated[
            bool,
            typer.Option(
                "--by-analyst",
                help=N_(
                    "Each analyst's latest assessment per indicator in the window, their consensus (the "
                    "median level) and spread, and which indicators are contested."
                ),
            ),
        ] = False,
        explain: Annotated[
            bool,
            typer.Option(
                "--explain",
                help=N_("After the table, the entries behind each row (table, markdown and html)."),
            ),
        ] = False,
        framework: FrameworkOpt = None,
        title: Annotated[
            str | None,
            typer.Option("--title", help=N_("The brief's title (html, svg; default the framework's).")),
        ] = None,
        author: Annotated[
            str | None, typer.Option("--author", help=N_("Who wrote the brief (html, svg)."))
        ] = None,
        organisation: Annotated[
            str | None, typer.Option("--organisation", help=N_("The author's organisation (html, svg)."))
        ] = None,
        marking: Annotated[
            str | None,
            typer.Option("--marking", help=N_("A handling marking shown at the top and foot (html, svg).")),
        ] = None,
        summary: Annotated[
            Path | None,
            typer.Option(
                "--summary",
                help=N_(
                    "A markdown file of key judgements, shown first (html; - reads stdin). Raw HTML and "
                    "images are shown as text; only http(s) links are links."
                ),
            ),
        ] = None,
    ) -> None:
        from policytrack.domain.workspace import get_framework

        chosen = chosen_format(fmt, *REPORT_OUTPUT, default=default_format, as_json=as_json, as_csv=as_csv)
        spec = output_format(chosen)
        if by_analyst and by is not None:
            raise fail(_("--by-analyst and --by cannot be used together: choose one"), 2)
        if by_analyst and chosen == "svg":
            tables = ", ".join([*formats_taking(VIEW, REPORT, RECORDS), "html"])
            raise fail(_("--by-analyst is a table: use it with --format {formats}").format(formats=tables), 2)
        words = {"--title": title, "--author": author, "--organisation": organisation, "--marking": marking}
        given = [name for name, value in [*words.items(), ("--summary", summary)] if value is not None]
        if given and DRAWING not in spec.takes:
            message = _("{option} is for the drawn brief: use it with --format html or svg")
            raise fail(message.format(option=given[0]), 2)
        title, author, organisation, marking = (_one_line(n, v or "") for n, v in words.items())
        byline = None
        if DRAWING in spec.takes:  # the brief's module (forecasts, scores) loads only for the brief
            from policytrack.domain.brief import Byline

            byline = Byline(
                title, author, organisation, marking, _summary_text(summary) if summary is not None else ""
            )
        if explain and chosen not in (TABLE, "markdown", "html"):
            raise fail(
                "--explain lists entries beside the table: use it with --format table, markdown or html", 2
            )
        as_of_date = read_date(as_of, "--as-of").end if as_of is not None else date.today()
        since_date, until_date = read_window(since, until)
        to_terminal = output is None or str(output) == "-"
        with opened_store(ctx) as store:
            fw = get_framework(store, framework)
            if not spec.data:  # for people: the framework's texts in their language
                fw = for_people(store, fw)
            store.reviewed_only = reviewed_only
            stale = stale_days if stale_days is not None else setting("stale_days") or STALE_DAYS
            if DRAWING in spec.takes:  # written as it is drawn, the store open: --explain reads as it writes
                window = _Window(as_of_date, since_date, until_date, indicator, stale)
                parts = _brief_parts(
                    store, fw, window, by, chosen, explain=explain, byline=byline, by_analyst=by_analyst
                )
                with text_output(ctx, output) as page:
                    page.writelines(parts)
                return
            if by_analyst:
                view = _analyst_view(store, fw, as_of_date, since_date, until_date, indicator, stale, plain)
            else:
                view = _view(store, fw, by, as_of_date, since_date, until_date, indicator, stale, plain)
            if explain:  # table or markdown: the entries are read as they are written
                _write_explained(ctx, store, fw, view, chosen, output, plain=plain)
                return
        if spec.binary:
            sheet = "report by analyst" if by_analyst else "report" if by is None else f"report by {by.value}"
            write_formatted(
                ctx, chosen, view.fields, view.records, sheet=sheet, output=output, as_of=as_of_date
            )
            return
        if chosen == TABLE and to_terminal:
            out = console(ctx, no_color=plain)
            out.print(view.table(out.width))  # the terminal's width decides the layout
            return
        text = _text(view, chosen, plain=plain)
        if to_terminal:
            typer.echo(text, nl=False)
        else:
            assert output is not None
            write_output(ctx, output, text.encode("utf-8"))
            note(f"Wrote {output}")

    return report_cmd


app.command("report", help=REPORT_HELP, epilog=REPORT_EPILOG)(report_command(TABLE))


@dataclass
class _View:
    """A report (or a report by period) ready for every format: its records, its table at a width, its
    markdown, and the window and indicators that --explain lists the entries of."""

    fields: Kind
    records: list[dict[str, Any]]
    table: Callable[[int | None], RenderableType]
    markdown: Callable[[], str]
    keys: list[str]
    since: date | None
    until: date
    corroboration: dict[str, str] = field(default_factory=dict)  # per key, for --explain


def _view(
    store: Store,
    fw: Framework,
    by: Unit | None,
    as_of: date,
    since: date | None,
    until: date | None,
    indicators: list[str] | None,
    stale_days: int,
    plain: bool,
    *,
    inbox: bool = True,
) -> _View:
    if by is None:
        from policytrack.domain.reports import build_report, report_dicts
        from policytrack.records.report import REPORT_ROW
        from policytrack.render.report import corroboration_text, report_markdown, report_renderable

        report = build_report(
            store,
            fw,
            as_of=as_of,
            since=since,
            until=until,
            indicators=indicators,
            stale_days=stale_days,
            inbox=inbox,
        )
        return _View(
            REPORT_ROW,
            report_dicts(report),
            lambda width: report_renderable(report, plain=plain, width=width),
            lambda: report_markdown(report),
            [r.indicator.key for r in report.rows],
            report.since,
            report.until,
            {r.indicator.key: corroboration_text(r) for r in report.rows},
        )
    from policytrack.domain.periods import build_period_report, period_dicts
    from policytrack.records.report import PERIOD_ROW
    from policytrack.render.report import period_markdown, period_renderable

    periods = build_period_report(
        store, fw, by.value, as_of=as_of, since=since, until=until, indicators=indicators
    )
    return _View(
        PERIOD_ROW,
        period_dicts(periods),
        lambda width: period_renderable(periods, plain=plain, width=width),
        lambda: period_markdown(periods),
        [r.indicator.key for r in periods.rows],
        periods.periods[0].start,
        min(periods.periods[-1].end, as_of),
    )


def _analyst_view(
    store: Store,
    fw: Framework,
    as_of: date,
    since: date | None,
    until: date | None,
    indicators: list[str] | None,
    stale_days: int,
    plain: bool,
) -> _View:
    from policytrack.domain.reports import build_report
    from policytrack.records.report import ANALYST_ROW
    from policytrack.render.report import (
        analyst_dicts,
        analyst_markdown,
        analyst_renderable,
    )

    report = build_report(
        store, fw, as_of=as_of, since=since, until=until, indicators=indicators, stale_days=stale_days
    )
    return _View(
        ANALYST_ROW,
        analyst_dicts(report),
        lambda width: analyst_renderable(report, plain=plain),
        lambda: analyst_markdown(report),
        [r.indicator.key for r in report.rows],
        report.since,
        report.until,
    )


def _evidence_filter(store: Store, view: _View, key: str) -> EntryFilter:
    """--explain: the entries behind one row, in the report's window (reviewed ones only with
    --reviewed-only)."""
    from policytrack.records.models import EntryFilter

    return EntryFilter(indicators=[key], since=view.since, until=view.until, reviewed=store.reviewed_only)


def _signposts(store: Store, fw: Framework, key: str, view: _View) -> tuple[str, list[SignpostState]] | None:
    """--explain: a row's signals observed in the window or still awaited, under their table's title (drawn
    at the width of where they are shown); None when it has none."""
    from policytrack.domain.signposts import signposts
    from policytrack.render.signposts import signposts_observed

    states = signposts(store, fw, [key], view.since, view.until)
    if not states:
        return None
    title = _("Signposts of {key}: {observed}").format(key=key, observed=signposts_observed(states))
    return title, states


def _evidence_title(key: str, count: int) -> str:
    return ngettext(
        "Evidence behind {key} ({count} entry in the window)",
        "Evidence behind {key} ({count} entries in the window)",
        count,
    ).format(key=key, count=count)


def _signpost_parts(
    signs: tuple[str, list[SignpostState]] | None, width: int | None, *, plain: bool
) -> list[RenderableType]:
    """A row's signposts table (and the note of any column left out), or nothing."""
    from policytrack.render.entries import left_out_note
    from policytrack.render.signposts import LEFT_OUT_HINT, signposts_table

    if signs is None:
        return []
    title, states = signs
    table, dropped = signposts_table(states, title, indicator_column=False, width=width, plain=plain)
    return [table, left_out_note(dropped, _(LEFT_OUT_HINT))] if dropped else [table]


def _write_explained(
    ctx: typer.Context,
    store: Store,
    fw: Framework,
    view: _View,
    fmt: str,
    output: Path | None,
    *,
    plain: bool,
) -> None:
    """The report and, per row, the entries behind it. On a terminal (as `list` decides), each row's
    newest page and how many there are; piped or with -o, every entry, streamed as plain text or markdown
    as it is read (flat memory at any size)."""
    from policytrack.cli.common import stdout_is_terminal
    from policytrack.domain.entries import count_listed, list_entries, list_entry_tuples, list_stats
    from policytrack.records.entry import PLAIN_LISTED
    from policytrack.render.entries import entries_plain
    from policytrack.render.plain import cell
    from policytrack.render.report import evidence_markdown, export_recorded

    to_stdout = output is None or str(output) == "-"
    if fmt == TABLE and to_stdout and stdout_is_terminal():
        _explained_pages(ctx, store, fw, view, plain=plain)
        return
    width = 120  # what a file is given: tables have room
    head = ""
    if fmt != TABLE:
        head = view.markdown()
    elif to_stdout:  # piped: the report table as it was always drawn there, then the entries as plain text
        out = console(ctx, no_color=plain)
        out.print(view.table(out.width))
        out.file.flush()
        width = out.width
    else:
        head = export_recorded([view.table(None)])
    with text_output(ctx, output) as stream:
        stream.write(head)
        for key in view.keys:
            flt = _evidence_filter(store, view, key)
            corroboration = view.corroboration.get(key, "")
            if fmt != TABLE:
                title = _evidence_title(key, count_listed(store, fw, flt))
                stream.write("\n")
                stream.writelines(evidence_markdown(title, list_entries(store, fw, flt), corroboration))
                continue
            if key in view.corroboration:
                stream.write(f"{cell(f'{key}: {corroboration}')}\n")
            stats = list_stats(store, fw, flt)
            stream.write(f"{cell(_evidence_title(key, stats['count']))}\n\n")
            if stats["count"]:
                stream.writelines(entries_plain(list_entry_tuples(store, fw, flt, PLAIN_LISTED), stats))
            else:
                stream.write(_("No entries in the window.") + "\n")
            stream.write("\n")
            parts = _signpost_parts(_signposts(store, fw, key, view), width, plain=plain)
            if parts:
                stream.write(export_recorded(parts, width))


def _explained_pages(ctx: typer.Context, store: Store, fw: Framework, view: _View, *, plain: bool) -> None:
    """--explain on a terminal: the report, then per row what its evidence rests on, the newest page of
    its entries (drawn from the page's rows alone; the count read from an index) and its signposts."""
    from rich.text import Text

    from policytrack.domain.entries import count_listed, list_entries
    from policytrack.render.entries import entries_table, left_out_note
    from policytrack.render.text import literal

    out = console(ctx, no_color=plain)
    out.print(view.table(out.width))  # the terminal's width decides the layout
    page = max(10, out.height - 8)  # about a screen, as `list` shows
    for key in view.keys:
        if key in view.corroboration:
            out.print(literal(f"{key}: {view.corroboration[key]}"))
        flt = _evidence_filter(store, view, key)
        total = count_listed(store, fw, flt)
        entries = list(list_entries(store, fw, flt, page))
        title = _evidence_title(key, total)
        table, dropped = entries_table(entries, title=title, width=out.width, plain=plain)
        out.print(table)
        if dropped:
            out.print(left_out_note(dropped))
        if len(entries) < total:
            shown = ngettext(
                "Showing the newest {shown} of {total} entry: --format markdown, or the report piped or "
                "written with -o, shows every one.",
                "Showing the newest {shown} of {total} entries: --format markdown, or the report piped or "
                "written with -o, shows every one.",
                total,
            ).format(shown=number(len(entries)), total=number(total))
            out.print(Text(shown, style="yellow"))
        for part in _signpost_parts(_signposts(store, fw, key, view), out.width, plain=plain):
            out.print(part)


def _text(view: _View, fmt: str, *, plain: bool = False) -> str:
    """The report as the text of a file: records through the registry, its markdown, or the table as the
    terminal would show it, in plain text."""
    from policytrack.render.formats import write_records
    from policytrack.render.report import export_recorded

    spec = output_format(fmt)
    if spec.write is not None:
        buffer = io.StringIO(newline="")
        write_records(fmt, buffer, view.fields, view.records)
        return buffer.getvalue()
    if REPORT in spec.takes:
        return view.markdown()
    return export_recorded([view.table(None)])


@dataclass(frozen=True)
class _Window:
    """The dates and indicators a report command covers, as its options gave them."""

    as_of: date
    since: date | None
    until: date | None
    indicators: list[str] | None
    stale_days: int


MAX_LINE = 500  # characters of a --title, --author, --organisation or --marking
MAX_SUMMARY = 100_000  # characters of a --summary file


def _one_line(option: str, value: str) -> str:
    if len(value) > MAX_LINE or "\n" in value:
        raise fail(
            _("{option} takes one line of at most {count} characters; shorten it").format(
                option=option, count=MAX_LINE
            ),
            2,
        )
    return value.strip()


def _summary_text(path: Path) -> str:
    """The --summary file's text: UTF-8, bounded, one clear error otherwise."""
    from policytrack.cli.common import read_text_arg

    if str(path) == "-":
        return read_text_arg("-")
    try:
        with path.open("rb") as handle:
            data = handle.read(4 * MAX_SUMMARY + 1)
    except OSError as exc:
        raise fail(
            _("cannot read --summary {path}: {reason}; give a readable markdown file").format(
                path=path, reason=exc.strerror or exc
            )
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = _("--summary {path} is not UTF-8 (byte {byte}); save it as UTF-8")
        raise fail(message.format(path=path, byte=exc.start)) from None
    if len(text) > MAX_SUMMARY or len(data) > 4 * MAX_SUMMARY:
        raise fail(
            _("--summary {path} is over {count} characters; shorten it").format(
                path=path, count=number(MAX_SUMMARY)
            )
        )
    return text


def display_names(store: Store) -> dict[str, str]:
    """Each analyst's display name: as their records say (sync carries them), and this analyst's own from
    the config file, which is newer than any copy."""
    from policytrack.domain.context import default_analyst

    names = store.display_names()
    own = setting("display_name")
    if own:
        names[default_analyst()] = str(own)
    return names


def _brief(
    store: Store,
    fw: Framework,
    w: _Window,
    by: Unit | None,
    fmt: str,
    *,
    explain: bool,
    byline: Byline | None = None,
) -> str:
    """The HTML or SVG brief as one text (_brief_parts)."""
    return "".join(_brief_parts(store, fw, w, by, fmt, explain=explain, byline=byline))


def _brief_parts(
    store: Store,
    fw: Framework,
    w: _Window,
    by: Unit | None,
    fmt: str,
    *,
    explain: bool,
    byline: Byline | None = None,
    by_analyst: bool = False,
) -> Iterator[str]:
    """The HTML or SVG brief in parts: the report, with --by its periods (all of them), drawn; only
    targets and forecasts known on the as-of date. --explain's entries are read as the page is written
    (the store must stay open), at flat memory."""
    from policytrack.domain.brief import build_brief
    from policytrack.domain.periods import build_period_report
    from policytrack.domain.reports import build_report
    from policytrack.render.brief import brief_html_parts, brief_svg

    report = build_report(
        store,
        fw,
        as_of=w.as_of,
        since=w.since,
        until=w.until,
        indicators=w.indicators,
        stale_days=w.stale_days,
        targets_known=True,
    )
    periods = None
    if by is not None:
        periods = build_period_report(
            store, fw, by.value, as_of=w.as_of, since=w.since, until=w.until, indicators=w.indicators
        )
    brief = build_brief(
        store,
        fw,
        report,
        periods,
        explain=explain,
        byline=byline,
        names=display_names(store),
        by_analyst=by_analyst,
        streamed=True,
    )
    return brief_html_parts(brief) if fmt == "html" else iter([brief_svg(brief)])


@app.command(
    "target",
    epilog=N_("Example: policytrack target regional in-progress --by 2027-12"),
    help=N_(
        "Set or change an indicator's target; earlier targets are kept (`policytrack targets --history`)."
    ),
)
def target_cmd(
    ctx: typer.Context,
    indicator: Annotated[
        str, typer.Argument(help=N_("Indicator key, number or prefix."), autocompletion=complete_indicator)
    ],
    level: Annotated[
        str, typer.Argument(help=N_("The status level to reach."), autocompletion=complete_status)
    ],
    by: Annotated[str, typer.Option("--by", help=N_("Due date (day, month or year; may be in the future)."))],
    start: Annotated[
        str | None, typer.Option("--from", help=N_("When the target starts to count (default today)."))
    ] = None,
    note: Annotated[str, typer.Option("--note", "-n", help=N_("Why this target."))] = "",
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.context import default_analyst, utc_now
    from policytrack.domain.targets import set_target
    from policytrack.domain.workspace import get_framework

    due = read_date(by, "due", allow_future=True)
    begin = read_date(start, "start", allow_future=True).start if start is not None else date.today()
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        t = set_target(store, fw, indicator, level, due, begin, note, default_analyst(), utc_now())
    message = f"Target for {t.indicator_key}: {t.level.name if t.level else '-'} by {t.due}"
    confirm(ctx, message, f"the target for {t.indicator_key}")


@app.command(
    "targets",
    epilog=N_("Example: policytrack targets --history"),
    help=N_("The current target of each indicator."),
)
def targets_cmd(
    ctx: typer.Context,
    history: Annotated[bool, typer.Option("--history", help=N_("Every target ever set."))] = False,
    fmt: Annotated[str, format_option(*RECORD_OUTPUT)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.targets import targets
    from policytrack.domain.workspace import get_framework
    from policytrack.records.target import TARGET_ROW
    from policytrack.render.report import target_records, targets_table

    fmt = chosen_format(fmt, *RECORD_OUTPUT, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, *RECORD_OUTPUT)
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        found = targets(store, fw, history=history)
        shown = for_people(store, fw) if fmt == "table" else fw
    if fmt != "table":
        write_formatted(ctx, fmt, TARGET_ROW, target_records(found), sheet="targets", output=output)
        return
    if not found:
        typer.echo("No targets set; `policytrack target KEY LEVEL --by DATE` sets one.", err=True)
        return
    # a level is named by the key typed at the command line; in another language than the framework's,
    # its label in that language is shown beside it
    labels = {lv.name: lv.label for lv in shown.scale} if language() != shown.language else {}
    table = targets_table(target_records(found), labels)
    print_table(console(ctx), table, first=(_("Note"), _("Set at (UTC)")))


@app.command(
    "timeline",
    epilog=N_("Example: policytrack timeline regional --since 2024"),
    help=N_(
        "One indicator's evidence in date order: cumulative momentum, status changes, and a sparkline. On a\n"
        "terminal, the newest page (--limit N, --all; $PAGER pages through them all); "
        "piped, and in every other\n"
        "format, all of them, streamed."
    ),
)
def timeline_cmd(
    ctx: typer.Context,
    indicator: Annotated[
        str, typer.Argument(help=N_("Indicator key, number or prefix."), autocompletion=complete_indicator)
    ],
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int | None, typer.Option(help=N_("Only the newest N entries in the table."))] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help=N_("On a terminal, every entry, not just the newest page."))
    ] = False,
    fmt: Annotated[str, format_option(*RECORD_OUTPUT)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.status import timeline_points
    from policytrack.domain.workspace import get_framework
    from policytrack.exchange.export import timeline_texts
    from policytrack.records.report import TIMELINE, TIMELINE_LISTED

    since_date, until_date = read_window(since, until)
    fmt = chosen_format(fmt, *RECORD_OUTPUT, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, *RECORD_OUTPUT)
    if show_all and limit is not None:
        raise fail(_("--all and --limit cannot be used together"), 2)
    if limit is not None and limit < 1:
        raise fail(_("--limit must be at least 1, not {limit}").format(limit=limit), 2)
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        built = output_format(fmt).write_built
        if built is not None:  # SQLite writes each entry in this format: the fast path
            texts = timeline_texts(store, fw, indicator, fmt, since_date, until_date)
            with text_output(ctx, output) as out:
                built(out, TIMELINE, texts)
            return
        if fmt != "table":
            _fw, _ind, points = timeline_points(store, fw, indicator, since_date, until_date)
            records = (
                {**p.entry.as_dict(), "cumulative_momentum": p.cumulative, "status_change": p.status_change}
                for p in points
            )
            write_formatted(ctx, fmt, TIMELINE_LISTED, records, sheet=f"timeline {indicator}", output=output)
            return
        # for people: the framework's texts in their language (the data formats above keep its own)
        shown = for_people(store, fw)
        _timeline_table(ctx, store, shown, indicator, since_date, until_date, limit, show_all=show_all)


def _timeline_table(
    ctx: typer.Context,
    store: Store,
    fw: Framework,
    key: str,
    since: date | None,
    until: date | None,
    limit: int | None,
    *,
    show_all: bool,
) -> None:
    """`timeline` for people: the header, then on a terminal the newest page (only its entries are built;
    the header's counts cover them all) or all of them through $PAGER, drawn in chunks as they are read,
    with a footer for what is not shown; piped, all of them as a plain-text table, streamed."""
    from contextlib import nullcontext
    from itertools import islice

    from policytrack.cli.common import paged_console, pager_command, stdout_is_terminal, text_output
    from policytrack.domain.entries import list_stats
    from policytrack.domain.status import timeline, timeline_point_tuples, timeline_points
    from policytrack.records.entry import PLAIN_TIMELINE
    from policytrack.records.models import EntryFilter
    from policytrack.render.entries import left_out_note, newest_note
    from policytrack.render.report import (
        TIMELINE_HINT,
        timeline_header,
        timeline_header_lines,
        timeline_plain,
        timeline_table,
    )

    pager = None if limit is not None else pager_command()
    if pager is None and not stdout_is_terminal():  # a pipe or a file: plain text, every row asked for
        tl = timeline(store, fw, key, since, until, keep=limit if limit is not None else 0)
        names = PLAIN_TIMELINE
        rows = (
            (  # the page's points, already built: their columns as the stream gives them (a date stored)
                tuple(str(getattr(p.entry, n)) if n == "date" else getattr(p.entry, n) for n in names),
                p.cumulative,
                p.status_change,
            )
            for p in tl.points
        )
        plain_points = (
            rows if limit is not None else timeline_point_tuples(store, fw, key, names, since, until)
        )
        flt = EntryFilter(indicators=[tl.indicator.key], since=since, until=until)
        widths = list_stats(store, fw, flt)
        with text_output(ctx, None) as stream:
            stream.write("".join(f"{line}\n" for line in timeline_header_lines(tl)))
            if tl.total:
                stream.write("\n")
                stream.writelines(
                    timeline_plain(
                        plain_points,
                        id_width=len(str(tl.last_id)),
                        change_width=2 * max(len(level.name) for level in fw.scale) + 4,  # "a -> b"
                        summary_width=widths["summary_width"],
                    )
                )
        return
    terminal = console(ctx)
    if limit is None and not show_all and pager is None:
        limit = max(10, terminal.height - 10)  # about a screen: the newest page
    # One pass for the header (and the page, when there is one); a second streams every point.
    tl = timeline(store, fw, key, since, until, keep=limit if limit is not None else 0)
    points = iter(tl.points) if limit is not None else timeline_points(store, fw, key, since, until)[2]
    id_width = len(str(tl.last_id))
    with paged_console(ctx, pager) if pager else nullcontext(terminal) as out:
        out.print(timeline_header(tl))
        dropped: list[str] = []
        chunk, first = list(islice(points, 500)), True
        while chunk:
            table, dropped = timeline_table(chunk, id_width=id_width, width=out.width, header=first)
            out.print(table)
            chunk, first = list(islice(points, 500)), False
        if dropped:
            out.print(left_out_note(dropped, _(TIMELINE_HINT)))
        shown = min(tl.total, limit) if limit is not None else tl.total
        if shown < tl.total:
            out.print(newest_note(shown, tl.total))
