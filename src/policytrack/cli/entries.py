"""Evidence commands: log, list, show, edit, delete, restore, history.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from policytrack.cli.app import app, confirm, fail
from policytrack.cli.common import (
    complete_indicator,
    complete_status,
    console,
    opened_store,
    read_date,
    read_text_arg,
    text_output,
)
from policytrack.cli.options import (
    DATE_HELP,
    EFFECT_HELP,
    GRADE_HELP,
    RECORD_FORMATS,
    STATUS_HELP,
    ActorsOpt,
    AdvancingOpt,
    AnalystsOpt,
    CsvAlias,
    DayFirst,
    EffectOpt,
    FrameworkOpt,
    GradesOpt,
    GrepOpt,
    HinderingOpt,
    IndicatorArg,
    IndicatorsOpt,
    JsonAlias,
    MinGradeOpt,
    MonthFirst,
    SignalsOpt,
    SinceOpt,
    StatusesOpt,
    TagsOpt,
    UntilOpt,
    chosen_format,
    entry_filter,
    format_option,
)
from policytrack.errors import InputError


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
    status: Annotated[
        str | None, typer.Option("--status", help=STATUS_HELP, autocompletion=complete_status)
    ] = None,
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
    signal: SignalsOpt = None,
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
        signals=signal or [],
    )
    with opened_store(ctx) as store:
        entry = log_entry(store, get_framework(store, framework), data)
    confirm(ctx, f"Logged entry {entry.id} for {entry.indicator}, dated {entry.date}", f"entry {entry.id}")


LIST_FORMATS = RECORD_FORMATS
SHOW_FORMATS = ("table", "json")  # one record: a panel, or one JSON object
HISTORY_FORMATS = ("table", "json", "jsonl")  # nested records (each revision holds its entry)


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
    actor: ActorsOpt = None,
    analyst: AnalystsOpt = None,
    status: StatusesOpt = None,
    grade: GradesOpt = None,
    min_grade: MinGradeOpt = None,
    effect: EffectOpt = None,
    advancing: AdvancingOpt = False,
    hindering: HinderingOpt = False,
    limit: Annotated[int | None, typer.Option(help="Only the newest N entries.")] = None,
    deleted: Annotated[bool, typer.Option("--deleted", help="Include deleted entries (marked).")] = False,
    unreviewed: Annotated[
        bool, typer.Option("--unreviewed", help="Only entries not yet reviewed (`policytrack review`).")
    ] = False,
    fmt: Annotated[str, format_option(*LIST_FORMATS)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    all_frameworks: Annotated[
        bool, typer.Option("--all-frameworks", help="Entries of every framework.")
    ] = False,
    framework: FrameworkOpt = None,
) -> None:
    """List evidence, oldest first. Every format but the table streams, whatever the number of entries."""
    from policytrack.columns import EXPORT_FIELDS
    from policytrack.entries import list_all_entries, list_entries
    from policytrack.models import plural
    from policytrack.render.entries import entries_table
    from policytrack.render.formats import write_records
    from policytrack.workspace import get_framework

    fmt = chosen_format(fmt, LIST_FORMATS, as_json=as_json, as_csv=as_csv)
    if deleted and fmt == "csv":
        raise fail(
            "--deleted cannot be marked in CSV, whose columns are the export's: use --format json or jsonl "
            "(each entry says whether it is deleted), or `export entries --all-revisions`",
            2,
        )
    flt = entry_filter(ctx)
    if all_frameworks and framework:
        raise fail("--all-frameworks and --framework cannot be used together", 2)
    with opened_store(ctx) as store:
        if all_frameworks:
            title = "All frameworks"
            entries = list_all_entries(store, flt, limit)
        else:
            fw = get_framework(store, framework)
            title = fw.title
            entries = list_entries(store, fw, flt, limit)
        if fmt != "table":
            with text_output(ctx, None) as out:
                write_records(fmt, out, EXPORT_FIELDS, (e.as_dict() for e in entries))
        else:
            rows = list(entries)
            if not rows:
                typer.echo("No entries match.", err=True)
                return
            count = plural(len(rows), "entry", "entries")
            table = entries_table(rows, title=f"{title}: {count}", frameworks=all_frameworks)
            console(ctx).print(table)


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
    fmt: Annotated[str, format_option(*SHOW_FORMATS)] = "table",
    as_json: JsonAlias = False,
) -> None:
    """Show every field of one entry (`--format json`: one JSON object)."""
    from policytrack.render.entries import entry_detail
    from policytrack.render.formats import to_json

    fmt = chosen_format(fmt, SHOW_FORMATS, as_json=as_json)
    with opened_store(ctx) as store:
        entry = store.get_entry(_entry_id(entry_id))
    if fmt == "json":
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
    status: Annotated[
        str | None, typer.Option(help=STATUS_HELP + " '' clears it.", autocompletion=complete_status)
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", "-g", help=GRADE_HELP + " '' clears it.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Replace the tags; repeatable.")
    ] = None,
    actor: Annotated[
        list[str] | None, typer.Option("--actor", "-a", help="Replace the actors; repeatable.")
    ] = None,
    add_tag: Annotated[list[str] | None, typer.Option("--add-tag", help="Add a tag; repeatable.")] = None,
    remove_tag: Annotated[
        list[str] | None, typer.Option("--remove-tag", help="Remove a tag; repeatable.")
    ] = None,
    add_actor: Annotated[
        list[str] | None, typer.Option("--add-actor", help="Add an actor; repeatable.")
    ] = None,
    remove_actor: Annotated[
        list[str] | None, typer.Option("--remove-actor", help="Remove an actor; repeatable.")
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
        date=read_date(date, "--date", dayfirst=dayfirst, monthfirst=monthfirst)
        if date is not None
        else None,
        source=source,
        effect=effect,
        status=status,
        grade=grade,
        tags=tag,
        actors=actor,
        note=note,
        analyst=analyst,
        add_tags=add_tag or [],
        remove_tags=remove_tag or [],
        add_actors=add_actor or [],
        remove_actors=remove_actor or [],
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
                typer.echo(f"Kept entry {entry.id}: nothing was deleted.", err=True)
                return
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
    fmt: Annotated[str, format_option(*HISTORY_FORMATS)] = "table",
    as_json: JsonAlias = False,
) -> None:
    """Every revision of an entry: who changed what, and when. (`export entries --all-revisions` gives
    every revision as CSV.)"""
    from policytrack.entries import history
    from policytrack.render.entries import history_table
    from policytrack.render.formats import write_records

    fmt = chosen_format(fmt, HISTORY_FORMATS, as_json=as_json)
    with opened_store(ctx) as store:
        revisions = history(store, _entry_id(entry_id))
    if fmt != "table":
        records = (
            {
                "revision": r.revision,
                "action": r.action,
                "changed_by": r.changed_by,
                "changed_at": r.changed_at,
                "entry": r.entry.as_dict(),
            }
            for r in revisions
        )
        with text_output(ctx, None) as out:
            write_records(fmt, out, (), records)
    else:
        console(ctx).print(history_table(revisions))
