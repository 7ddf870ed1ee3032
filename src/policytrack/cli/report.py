"""`policytrack report`, `target` and `targets`: progress against the framework and its targets."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from policytrack.cli.app import app, fail
from policytrack.cli.common import atomic_write, complete_indicator, console, opened_store, read_date
from policytrack.cli.entries import FrameworkOpt
from policytrack.reports import WEIGHTS_HELP

if TYPE_CHECKING:
    from policytrack.models import Entry


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    html = "html"
    svg = "svg"


@app.command(
    "report",
    epilog="Example: policytrack report --as-of 2024-12-31 --since 2024-01-01 --format markdown -o brief.md",
    help=(
        "Where each recommendation stands: status and progress, target and track, evidence in the "
        "window (advancing/hindering/context), momentum (sum of effects), grade-weighted momentum, "
        "distinct sources, last evidence and a stale flag. " + WEIGHTS_HELP
    ),
)
def report_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report as of this date (default today).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Evidence window start, inclusive.")] = None,
    until: Annotated[
        str | None, typer.Option(help="Evidence window end, inclusive (default: --as-of).")
    ] = None,
    indicator: Annotated[
        list[str] | None,
        typer.Option(
            "--indicator", "-i", help="Only this indicator; repeatable.", autocompletion=complete_indicator
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (atomically).")
    ] = None,
    stale_days: Annotated[
        int, typer.Option(help="Flag indicators with no evidence for more than N days.")
    ] = 180,
    plain: Annotated[bool, typer.Option("--plain", help="ASCII table, no colour.")] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="After the table, the entries behind each row.")
    ] = False,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.evidence import EntryFilter, get_framework, list_entries
    from policytrack.render import csv_lines, entries_table, to_json
    from policytrack.render_report import export_recorded, report_markdown, report_renderable
    from policytrack.reports import REPORT_FIELDS, build_report, report_dicts

    if explain and fmt in (Format.json, Format.csv, Format.markdown):
        raise fail("--explain lists entries beside the table: use it with --format table, html or svg", 2)
    as_of_date = read_date(as_of, "--as-of").end if as_of else date.today()
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        report = build_report(
            store,
            fw,
            as_of=as_of_date,
            since=read_date(since, "--since").start if since else None,
            until=read_date(until, "--until", allow_future=True).end if until else None,
            indicators=indicator,
            stale_days=stale_days,
        )
        behind: dict[str, list[Entry]] = {}
        if explain:
            for row in report.rows:
                flt = EntryFilter(indicators=[row.indicator.key], since=report.since, until=report.until)
                behind[row.indicator.key] = list(list_entries(store, fw, flt))
    if fmt is Format.json:
        text = to_json(report_dicts(report)) + "\n"
    elif fmt is Format.csv:
        rows = ([_csv(d[f]) for f in REPORT_FIELDS] for d in report_dicts(report))
        text = "".join(csv_lines(REPORT_FIELDS, rows))
    elif fmt is Format.markdown:
        text = report_markdown(report)
    else:
        renderables = [report_renderable(report, plain=plain)]
        for key, entries in behind.items():
            title = f"Evidence behind {key} ({len(entries)} entries in the window)"
            renderables.append(entries_table(entries, title=title))
        if fmt is not Format.table:
            text = export_recorded(renderables, fmt.value, fw.title)
        elif output is None:
            out = console(ctx, no_color=plain)
            for renderable in renderables:
                out.print(renderable)
            return
        else:
            text = export_recorded(renderables, "text", fw.title)
    if output is None:
        typer.echo(text, nl=False)
    else:
        atomic_write(output, text.encode("utf-8"))
        typer.echo(f"Wrote {output}", err=True)


def _csv(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@app.command("target", epilog="Example: policytrack target regional in-progress --by 2027-12")
def target_cmd(
    ctx: typer.Context,
    indicator: Annotated[
        str, typer.Argument(help="Indicator key, number or prefix.", autocompletion=complete_indicator)
    ],
    level: Annotated[str, typer.Argument(help="The status level to reach.")],
    by: Annotated[str, typer.Option("--by", help="Due date (day, month or year; may be in the future).")],
    start: Annotated[
        str | None, typer.Option("--from", help="When the target starts to count (default today).")
    ] = None,
    note: Annotated[str, typer.Option("--note", "-n", help="Why this target.")] = "",
    framework: FrameworkOpt = None,
) -> None:
    """Set or change an indicator's target; earlier targets are kept (`policytrack targets --history`)."""
    from policytrack.evidence import default_analyst, get_framework, utc_now
    from policytrack.reports import set_target

    due = read_date(by, "--by", allow_future=True)
    begin = read_date(start, "--from", allow_future=True).start if start else date.today()
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        t = set_target(store, fw, indicator, level, due, begin, note, default_analyst(), utc_now())
    typer.echo(f"Target for {t.indicator_key}: {t.level.name} by {t.due}")


@app.command("targets", epilog="Example: policytrack targets --history")
def targets_cmd(
    ctx: typer.Context,
    history: Annotated[bool, typer.Option("--history", help="Every target ever set.")] = False,
    framework: FrameworkOpt = None,
) -> None:
    """The current target of each indicator."""
    from rich.table import Table

    from policytrack.evidence import get_framework
    from policytrack.reports import targets

    with opened_store(ctx) as store:
        found = targets(store, get_framework(store, framework), history=history)
    if not found:
        typer.echo("No targets set; `policytrack target KEY LEVEL --by DATE` sets one.", err=True)
        return
    table = Table()
    for name in ("Indicator", "Level", "From", "Due", "Set by", "Set at (UTC)", "Note"):
        table.add_column(name)
    for t in found:
        table.add_row(
            t.indicator_key, t.level.name, t.start.isoformat(), str(t.due), t.set_by, t.set_at[:19], t.note
        )
    console(ctx).print(table)
