"""Evidence commands: log, list, show, edit, delete, restore, history."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from policytrack.cli.app import app, confirm, fail
from policytrack.cli.common import (
    complete_indicator,
    console,
    opened_store,
    read_date,
    read_text_arg,
    text_output,
)
from policytrack.errors import InputError

if TYPE_CHECKING:
    from policytrack.entries import EntryFilter

IndicatorArg = Annotated[
    str,
    typer.Argument(
        help="Indicator key, number or unambiguous prefix (`policytrack indicators` lists them).",
        autocompletion=complete_indicator,
        show_default=False,
    ),
]
FrameworkOpt = Annotated[
    str | None,
    typer.Option(
        "--framework",
        "-F",
        help="Framework name. Default: $POLICYTRACK_FRAMEWORK, else the embedded Mali framework.",
        show_default=False,
    ),
]
IndicatorsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--indicator", "-i", help="Only this indicator; repeatable.", autocompletion=complete_indicator
    ),
]
SinceOpt = Annotated[
    str | None, typer.Option(help="From this date, inclusive (a month counts from its 1st).")
]
UntilOpt = Annotated[
    str | None, typer.Option(help="Up to this date, inclusive (--until 2024 includes all of 2024).")
]
TagsOpt = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Has this tag; repeatable.")]
GrepOpt = Annotated[
    str | None,
    typer.Option(help="Words in the summary, note or source (any case; 'minus' finds 'MINUSMA')."),
]


def entry_filter(
    indicator: list[str] | None,
    since: str | None,
    until: str | None,
    tag: list[str] | None,
    grep: str | None,
    *,
    deleted: bool = False,
) -> EntryFilter:
    """The filter that `list` and `export entries` build from their shared options."""
    from policytrack.entries import EntryFilter

    return EntryFilter(
        indicators=indicator or [],
        since=read_date(since, "--since").start if since else None,
        until=read_date(until, "--until", allow_future=True).end if until else None,
        tags=tag or [],
        grep=grep,
        include_deleted=deleted,
    )


DATE_HELP = (
    "When it happened: 2025-01-29, '29 January 2025', 2024-09, 'Sept 2024', 2024, today, "
    "yesterday, '3 days ago', 'last week', 'last month'. Month and year dates keep their precision."
)
EFFECT_HELP = (
    "Effect on the indicator, -2 (strongly hinders) to +2 (strongly advances); 0 is context. "
    "For a risk indicator, +2 means the risk strongly grows."
)
STATUS_HELP = "Your assessment of the indicator as of this date: a level of the framework's scale."
GRADE_HELP = "Admiralty code: source reliability A-F then information credibility 1-6, e.g. B2."
DayFirst = Annotated[bool, typer.Option("--dayfirst", help="Read 01/02/2024 as 1 February 2024.")]
MonthFirst = Annotated[bool, typer.Option("--monthfirst", help="Read 01/02/2024 as 2 January 2024.")]


@app.command(
    "log",
    epilog="Example: policytrack log regional 'Mali, Burkina Faso and Niger sign the AES treaty "
    "in Niamey' --date 2024-07-06 --effect 1 --grade A1 --source 'AES treaty, Niamey, "
    "6 Jul 2024'",
)
def log_cmd(
    ctx: typer.Context,
    indicator: IndicatorArg,
    summary: Annotated[str, typer.Argument(help="What happened, in a sentence; '-' reads it from stdin.")],
    date: Annotated[str, typer.Option("--date", "-d", help=DATE_HELP)] = "today",
    source: Annotated[str, typer.Option("--source", "-s", help="URL or citation of the evidence.")] = "",
    effect: Annotated[int, typer.Option("--effect", "-e", help=EFFECT_HELP)] = 0,
    status: Annotated[str | None, typer.Option("--status", help=STATUS_HELP)] = None,
    grade: Annotated[str | None, typer.Option("--grade", "-g", help=GRADE_HELP)] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag; repeatable.")] = None,
    actor: Annotated[
        list[str] | None, typer.Option("--actor", "-a", help="An actor involved; repeatable.")
    ] = None,
    note: Annotated[str, typer.Option("--note", "-n", help="A longer note.")] = "",
    analyst: Annotated[
        str | None,
        typer.Option("--analyst", help="Who logs it. Default: $POLICYTRACK_ANALYST, else login."),
    ] = None,
    dayfirst: DayFirst = False,
    monthfirst: MonthFirst = False,
    framework: FrameworkOpt = None,
) -> None:
    """Record a dated, sourced piece of evidence against an indicator. Prints its id and date."""
    from policytrack.entries import log_entry
    from policytrack.models import EntryInput
    from policytrack.workspace import get_framework

    data = EntryInput(
        indicator=indicator,
        summary=read_text_arg(summary),
        date=read_date(date, "--date", dayfirst=dayfirst, monthfirst=monthfirst),
        source=source,
        effect=effect,
        status=status,
        grade=grade,
        tags=tag or [],
        actors=actor or [],
        note=note,
        analyst=analyst or "",
    )
    with opened_store(ctx) as store:
        entry = log_entry(store, get_framework(store, framework), data)
    confirm(ctx, f"Logged entry {entry.id} for {entry.indicator}, dated {entry.date}", f"entry {entry.id}")


@app.command(
    "list",
    epilog="Example: policytrack list --indicator diversify --since 2022 --until 2023-12-31",
)
def list_cmd(
    ctx: typer.Context,
    indicator: IndicatorsOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    tag: TagsOpt = None,
    grep: GrepOpt = None,
    limit: Annotated[int | None, typer.Option(help="Only the newest N entries.")] = None,
    deleted: Annotated[bool, typer.Option("--deleted", help="Include deleted entries.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of objects.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row.")] = False,
    framework: FrameworkOpt = None,
) -> None:
    """List evidence, oldest first."""
    from policytrack.columns import EXPORT_FIELDS
    from policytrack.entries import list_entries
    from policytrack.exchange.export import csv_cells
    from policytrack.render.entries import entries_table, to_json, write_csv
    from policytrack.workspace import get_framework

    if as_json and as_csv:
        raise fail("--json and --csv cannot be used together", 2)
    flt = entry_filter(indicator, since, until, tag, grep, deleted=deleted)
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        entries = list_entries(store, fw, flt, limit)
        if as_json:
            typer.echo(to_json([e.as_dict() for e in entries]))
        elif as_csv:
            with text_output(ctx, None) as out:
                write_csv(out, EXPORT_FIELDS, (csv_cells(e.as_dict(), EXPORT_FIELDS) for e in entries))
        else:
            rows = list(entries)
            if not rows:
                typer.echo("No entries match.", err=True)
                return
            console(ctx).print(entries_table(rows, title=f"{fw.title}: {len(rows)} entries"))


def _entry_id(raw: str) -> int:
    from policytrack.models import MAX_ID

    digits = raw.strip().lstrip("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_ID)):
        raise InputError(f"invalid entry id {raw!r}: use the number `policytrack list` shows")
    value = int(digits)
    if not 1 <= value <= MAX_ID:
        raise InputError(f"invalid entry id {raw!r}: ids go from 1 to 2^53; `policytrack list` shows them")
    return value


EntryIdArg = Annotated[str, typer.Argument(help="Entry id, as `policytrack list` shows it.")]


@app.command("show", epilog="Example: policytrack show 3")
def show_cmd(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    as_json: Annotated[bool, typer.Option("--json", help="As a JSON object.")] = False,
) -> None:
    """Show every field of one entry."""
    from policytrack.render.entries import entry_detail, to_json

    with opened_store(ctx) as store:
        entry = store.get_entry(_entry_id(entry_id))
    if as_json:
        typer.echo(to_json(entry.as_dict()))
    else:
        console(ctx).print(entry_detail(entry))


@app.command(
    "edit",
    epilog="Example: policytrack edit 3 --grade A1 --source 'UN Security Council resolution 2690 (2023)'",
)
def edit_cmd(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    indicator: Annotated[
        str | None,
        typer.Option("--indicator", "-i", help="Move to this indicator.", autocompletion=complete_indicator),
    ] = None,
    summary: Annotated[str | None, typer.Option(help="New summary; '-' reads stdin.")] = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help=DATE_HELP)] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="New source.")] = None,
    effect: Annotated[int | None, typer.Option("--effect", "-e", help=EFFECT_HELP)] = None,
    status: Annotated[str | None, typer.Option(help=STATUS_HELP + " '' clears it.")] = None,
    grade: Annotated[str | None, typer.Option("--grade", "-g", help=GRADE_HELP + " '' clears it.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Replace the tags; repeatable.")
    ] = None,
    actor: Annotated[
        list[str] | None, typer.Option("--actor", "-a", help="Replace the actors; repeatable.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help="New note.")] = None,
    analyst: Annotated[str | None, typer.Option(help="New analyst.")] = None,
    dayfirst: DayFirst = False,
    monthfirst: MonthFirst = False,
    framework: FrameworkOpt = None,
) -> None:
    """Change an entry. The old version stays in its history (`policytrack history ID`)."""
    from policytrack.entries import EntryChanges, edit_entry
    from policytrack.workspace import get_framework

    changes = EntryChanges(
        indicator=indicator,
        summary=read_text_arg(summary) if summary is not None else None,
        date=read_date(date, "--date", dayfirst=dayfirst, monthfirst=monthfirst) if date else None,
        source=source,
        effect=effect,
        status=status,
        grade=grade,
        tags=tag,
        actors=actor,
        note=note,
        analyst=analyst,
    )
    with opened_store(ctx) as store:
        entry = store.get_entry(_entry_id(entry_id))
        fw = get_framework(store, framework or entry.framework)
        entry = edit_entry(store, fw, entry.id, changes)
    confirm(ctx, f"Updated entry {entry.id} (revision {entry.revision})", f"the edit of entry {entry.id}")


@app.command("delete", epilog="Example: policytrack delete 3 --force")
def delete_cmd(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    force: Annotated[bool, typer.Option("--force", "-f", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an entry, leaving a tombstone: `policytrack restore ID` brings it back."""
    from policytrack.entries import delete_entry
    from policytrack.render.text import visible

    with opened_store(ctx) as store:
        entry = store.get_entry(_entry_id(entry_id))
        if not force:
            if not sys.stdin.isatty():
                raise InputError(
                    f"not deleting entry {entry.id} without --force when not run from a terminal"
                )
            if not typer.confirm(
                visible(f"Delete entry {entry.id} ({entry.indicator}, {entry.date}: {entry.summary[:60]})?"),
                err=True,
            ):
                raise fail("not deleted", 1)
        delete_entry(store, entry.id)
    confirm(
        ctx,
        f"Deleted entry {entry.id}; `policytrack restore {entry.id}` undoes it",
        f"the deletion of entry {entry.id}",
    )


@app.command("restore", epilog="Example: policytrack restore 3")
def restore_cmd(ctx: typer.Context, entry_id: EntryIdArg) -> None:
    """Bring back a deleted entry."""
    from policytrack.entries import restore_entry

    with opened_store(ctx) as store:
        entry = restore_entry(store, _entry_id(entry_id))
    confirm(ctx, f"Restored entry {entry.id} (revision {entry.revision})", f"the restore of entry {entry.id}")


@app.command("history", epilog="Example: policytrack history 3")
def history_cmd(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of revisions.")] = False,
) -> None:
    """Every revision of an entry: who changed what, and when."""
    from policytrack.entries import history
    from policytrack.render.entries import history_table, to_json

    with opened_store(ctx) as store:
        revisions = history(store, _entry_id(entry_id))
    if as_json:
        typer.echo(
            to_json(
                [
                    {
                        "revision": r.revision,
                        "action": r.action,
                        "changed_by": r.changed_by,
                        "changed_at": r.changed_at,
                        "entry": r.entry.as_dict(),
                    }
                    for r in revisions
                ]
            )
        )
    else:
        console(ctx).print(history_table(revisions))
