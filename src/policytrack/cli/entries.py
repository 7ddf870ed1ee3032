"""Evidence commands: log, list, show, edit, delete, restore, history.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policytrack.cli.app import app, confirm, fail
from policytrack.cli.common import (
    complete_actor,
    complete_indicator,
    complete_signal,
    complete_source,
    complete_status,
    complete_tag,
    console,
    entry_id_arg,
    opened_store,
    paged_console,
    pager_command,
    read_date,
    read_text_arg,
    stdout_is_terminal,
    text_output,
    write_formatted,
)
from policytrack.cli.options import (
    DATE_HELP,
    EFFECT_HELP,
    GRADE_HELP,
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
    OutputOpt,
    SignalsOpt,
    SinceOpt,
    StatusesOpt,
    TagsOpt,
    UntilOpt,
    check_output,
    chosen_format,
    entry_filter,
    format_option,
)
from policytrack.core.errors import InputError
from policytrack.core.i18n import N_, N_join, _
from policytrack.render.takes import NESTED, ONE, RECORDS, VIEW

if TYPE_CHECKING:
    from collections.abc import Iterator

    from policytrack.records.models import Entry, EntryFilter, Framework
    from policytrack.store import Store


# The summary's language and its translation (issue 23), on log and edit.
LanguageOpt = Annotated[
    str | None,
    typer.Option(
        "--language",
        help=N_("The summary's language, a BCP 47 tag such as fr (default: config language, else und)."),
    ),
]
TranslationOpt = Annotated[
    str | None, typer.Option("--translation", help=N_("The summary translated, kept beside the original."))
]
TranslationLanguageOpt = Annotated[
    str | None,
    typer.Option(
        "--translation-language", help=N_("The language of --translation, a BCP 47 tag such as en.")
    ),
]


@app.command(
    "log",
    epilog=N_(
        "Example: policytrack log regional 'Mali, Burkina Faso and Niger sign the AES treaty "
        "in Niamey' --date 2024-07-06 --effect 1 --grade A1 --source 'AES treaty, Niamey, "
        "6 Jul 2024'"
    ),
    help=N_(
        "Record a dated, sourced piece of evidence against an indicator, or against "
        "several as one event\n"
        "(`diversify,civilian-led`, `FRAMEWORK:KEY` for another framework's). Prints the "
        "ids and date. With no\n"
        "summary, $VISUAL or $EDITOR opens a form holding the options given."
    ),
)
def log_cmd(
    ctx: typer.Context,
    indicator: IndicatorArg,
    summary: Annotated[
        str | None,
        typer.Argument(
            help=N_("What happened, in a sentence; '-' reads it from stdin; left out, $EDITOR opens a form.")
        ),
    ] = None,
    date: Annotated[str, typer.Option("--date", "-d", help=DATE_HELP)] = "today",
    source: Annotated[
        str,
        typer.Option(
            "--source",
            "-s",
            help=N_("A registered source's key, or the URL or citation of the evidence."),
            autocompletion=complete_source,
        ),
    ] = "",
    effect: Annotated[
        list[str] | None,
        typer.Option(
            "--effect", "-e", help=N_join(EFFECT_HELP, N_("With several indicators, KEY=VALUE sets one."))
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help=STATUS_HELP, autocompletion=complete_status)
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", "-g", help=GRADE_HELP)] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help=N_("A tag; repeatable."), autocompletion=complete_tag),
    ] = None,
    actor: Annotated[
        list[str] | None,
        typer.Option(
            "--actor", "-a", help=N_("An actor involved; repeatable."), autocompletion=complete_actor
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", "-n", help=N_("A longer note."))] = "",
    analyst: Annotated[
        str | None,
        typer.Option("--analyst", help=N_("Who logs it. Default: $POLICYTRACK_ANALYST, else login.")),
    ] = None,
    dayfirst: DayFirst = False,
    monthfirst: MonthFirst = False,
    framework: FrameworkOpt = None,
    via: Annotated[
        str | None,
        typer.Option(
            help=N_("The registered outlet it came through, when not the originator."),
            autocompletion=complete_source,
        ),
    ] = None,
    credibility: Annotated[
        str | None,
        typer.Option(help=N_("Credibility 1-6; the registered --source's reliability makes the grade.")),
    ] = None,
    allow_duplicate: Annotated[
        bool, typer.Option("--allow-duplicate", help=N_("Log it even if an entry records the same."))
    ] = False,
    signal: SignalsOpt = None,
    language: LanguageOpt = None,
    translation: TranslationOpt = None,
    translation_language: TranslationLanguageOpt = None,
    checked: Annotated[
        bool, typer.Option("--checked", help=N_("A person checked the translation against the original."))
    ] = False,
) -> None:
    from policytrack.domain.entries import EventPart, event_effects, event_signals, linked, log_event
    from policytrack.domain.workspace import get_framework
    from policytrack.records.models import EntryInput

    named = [part.strip() for part in indicator.split(",")]
    if len(named) > 1 and not all(named):
        raise InputError(
            _("empty indicator in {value!r}: separate keys with one comma, as in diversify,regional").format(
                value=indicator
            )
        )
    for item in effect or []:
        if not item.rpartition("=")[2].strip().lstrip("+-").isdigit():
            raise fail(
                _(
                    "invalid value for --effect {value!r}: give an integer from -2 to +2, or KEY=VALUE for "
                    "one indicator of several"
                ).format(value=item),
                2,
            )
    effects = event_effects(effect or [], named)
    signals = event_signals(signal or [], named)
    if summary is None:
        if len(named) > 1:
            raise InputError(
                _("the $EDITOR form logs against one indicator: give the summary to log an event")
            )
        _log_in_editor(
            ctx, named[0], date, source, effects[named[0]], status, grade, tag, actor, note, analyst
        )
        return
    data = EntryInput(
        indicator=indicator,
        summary=read_text_arg(summary),
        date=read_date(date, "date", dayfirst=dayfirst, monthfirst=monthfirst),
        source=source,
        status=status,
        grade=grade,
        tags=tag or [],
        actors=actor or [],
        note=note,
        analyst=analyst or "",
        signals=signal or [],
        language=language,
        summary_translation=translation or "",
        summary_translation_language=translation_language or "",
        summary_translation_checked=checked,
    )
    with opened_store(ctx) as store:
        parts = []
        for name in named:
            fw_name, colon, key = name.rpartition(":") if ":" in name else (framework, "", name)
            fw = get_framework(store, fw_name if colon else framework)
            parts.append(EventPart(fw, key, effects[name], signals[name]))
        data = linked(store, data, via, credibility)
        logged = log_event(store, parts, data, allow_duplicate=allow_duplicate)
    if len(logged) == 1:
        entry = logged[0]
        _logged(ctx, entry)
    else:
        ids = ", ".join(f"{e.id} ({e.indicator})" for e in logged)
        confirm(
            ctx,
            _("Logged one event as entries {ids}, dated {date}").format(ids=ids, date=logged[0].date.shown),
            _("entries {ids}").format(ids=ids),
        )


def _logged(ctx: typer.Context, entry: Entry) -> None:
    confirm(
        ctx,
        _("Logged entry {id} for {indicator}, dated {date}").format(
            id=entry.id, indicator=entry.indicator, date=entry.date.shown
        ),
        _("entry {id}").format(id=entry.id),
    )


def _form_values(entry: Entry) -> dict[str, str]:
    from policytrack.records.columns import LIST_SEPARATOR
    from policytrack.render.entries import effect_text

    return {
        "summary": entry.summary,
        "date": str(entry.date),
        "effect": effect_text(entry.effect),
        "grade": entry.grade or "",
        "status": entry.status or "",
        "source": entry.source,
        "source_key": entry.source_key or "",
        "via": entry.via or "",
        "tags": LIST_SEPARATOR.join(entry.tags),
        "actors": LIST_SEPARATOR.join(entry.actors),
        **_language_form_values(
            entry.language,
            entry.summary_translation,
            entry.summary_translation_language,
            entry.summary_translation_checked,
        ),
        "note": entry.note,
    }


def _language_form_values(
    language: str | None, translation: str, translation_language: str, checked: bool
) -> dict[str, str]:
    """An entry's language and translated summary as the form shows them (records.entry.LANGUAGE_FIELDS)."""
    from policytrack.records.entry import LANGUAGE_FIELDS

    shown = (language or "", translation, translation_language, _CHECKED_WORDS[checked])
    return dict(zip(LANGUAGE_FIELDS.names(), shown, strict=True))


# The form's summary_translation_checked: how it is shown, and what is read (the CSV and JSON words too).
_CHECKED_WORDS = {True: "true", False: "false"}
_CHECKED_READ = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}


def _form_checked(text: str) -> bool:
    try:
        return _CHECKED_READ[text.strip().lower()]
    except KeyError:
        raise InputError(
            _("{field}: {value!r} is not true or false; write true or false").format(
                field="summary_translation_checked", value=text
            )
        ) from None


def _form_languages(fields: dict[str, str]) -> dict[str, Any]:
    """The form's language fields as a new entry takes them (an empty language: the default, as with no
    --language); checked by the domain as the options are (domain.entries.language_values)."""
    return {
        "language": fields.get("language") or None,
        "summary_translation": fields.get("summary_translation", ""),
        "summary_translation_language": fields.get("summary_translation_language", ""),
        "summary_translation_checked": _form_checked(fields.get("summary_translation_checked", "")),
    }


def _form_effect(text: str) -> int:
    try:
        return int(text.strip() or "0")
    except ValueError:
        raise InputError(
            _("effect: {value!r} is not a number; give -2, -1, 0, +1 or +2").format(value=text)
        ) from None


def _one_line_fields(values: dict[str, str]) -> None:
    """The form holds every field but the note on one line: refuse text that runs over several."""
    from policytrack.cli.editor import FIELDS
    from policytrack.records.entry import FORM_OPTIONS

    for name in FIELDS[:-1]:
        if len(values.get(name, "").splitlines()) > 1:
            option = FORM_OPTIONS.get(name, name.replace("_", "-"))
            raise InputError(
                _(
                    "the {field} runs over several lines, which the form cannot hold; change it with "
                    "--{option} instead of the editor"
                ).format(field=name, option=option)
            )


def _log_in_editor(
    ctx: typer.Context,
    indicator: str,
    date: str,
    source: str,
    effect: int,
    status: str | None,
    grade: str | None,
    tag: list[str] | None,
    actor: list[str] | None,
    note: str,
    analyst: str | None,
) -> None:
    """`log INDICATOR` with no summary: the options given fill the form; the rest is typed in the editor."""
    from policytrack.cli.editor import fill_in, labels
    from policytrack.domain.entries import EventPart, linked, log_event, validated_values
    from policytrack.domain.workspace import get_framework
    from policytrack.records.columns import LIST_SEPARATOR
    from policytrack.records.models import EntryInput, resolve_indicator
    from policytrack.render.entries import effect_text
    from policytrack.render.text import visible

    dayfirst, monthfirst = ctx.params.get("dayfirst", False), ctx.params.get("monthfirst", False)
    start = read_date(date, "date", dayfirst=dayfirst, monthfirst=monthfirst)
    values = {
        "date": str(start),
        "effect": effect_text(effect),
        "grade": grade or "",
        "status": status or "",
        "source": source,
        "source_key": "",
        "via": ctx.params.get("via") or "",
        "tags": LIST_SEPARATOR.join(tag or []),
        "actors": LIST_SEPARATOR.join(actor or []),
        **_language_form_values(
            ctx.params.get("language"),
            ctx.params.get("translation") or "",
            ctx.params.get("translation_language") or "",
            bool(ctx.params.get("checked")),
        ),
        "note": note,
    }
    with opened_store(ctx) as store:
        fw = get_framework(store, ctx.params.get("framework"))
        ind = resolve_indicator(fw, indicator)
        # the options are checked as `log` with a summary checks them, before the editor opens
        options = EntryInput(
            ind.key,
            "-",
            start,
            source,
            effect,
            status,
            grade,
            tag or [],
            actor or [],
            note,
            **_form_languages(values),
        )
        via, credibility = ctx.params.get("via"), ctx.params.get("credibility")
        validated_values(fw, linked(store, options, via, credibility))
        _one_line_fields(values)

        def save(fields: dict[str, str]) -> Entry:
            data = EntryInput(
                indicator=ind.key,
                summary=fields.get("summary", ""),
                date=read_date(
                    fields.get("date") or "today", "date", dayfirst=dayfirst, monthfirst=monthfirst
                ),
                source=fields.get("source", ""),
                effect=_form_effect(fields.get("effect", "")),
                status=fields.get("status") or None,
                grade=fields.get("grade") or None,
                tags=labels(fields.get("tags", "")),
                actors=labels(fields.get("actors", "")),
                note=fields.get("note", ""),
                analyst=analyst or "",
                **_form_languages(fields),
            )
            part = EventPart(fw, ind.key, data.effect)
            allow = bool(ctx.params.get("allow_duplicate"))
            links = linked(store, data, fields.get("via") or None, credibility, fields.get("source_key"))
            return log_event(store, [part], links, allow_duplicate=allow)[0]

        title = " ".join(ind.title.split())
        heading = visible(
            _("New entry for {number}. {title} [{key}] ({framework})").format(
                number=ind.number, title=title, key=ind.key, framework=fw.name
            )
        )
        entry = fill_in(values, heading, save)
    _logged(ctx, entry)


# What each command's output is, for its --format choices (render.formats): `list` prints records, `show`
# one record (a panel, or one JSON object), `history` nested records (each revision holds its entry).
LIST_OUTPUT = (VIEW, RECORDS)
SHOW_OUTPUT = (VIEW, ONE)
HISTORY_OUTPUT = (VIEW, NESTED)


@app.command(
    "list",
    epilog=N_("Example: policytrack list --indicator diversify --since 2022 --until 2023-12-31"),
    help=N_(
        "List evidence, oldest first. On a terminal, the newest page and how many there "
        "are (--limit N,\n"
        "--all; $PAGER pages through them all); piped, and in every other format, all of "
        "them, streamed."
    ),
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
    limit: Annotated[int | None, typer.Option(help=N_("Only the newest N entries."))] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help=N_("On a terminal, every entry, not just the newest page."))
    ] = False,
    deleted: Annotated[bool, typer.Option("--deleted", help=N_("Include deleted entries (marked)."))] = False,
    unreviewed: Annotated[
        bool, typer.Option("--unreviewed", help=N_("Only entries not yet reviewed (`policytrack review`)."))
    ] = False,
    returned: Annotated[
        bool,
        typer.Option(
            "--returned",
            help=N_(
                "Only entries returned to their author for changes (`review --request-changes`); with "
                "--analyst NAME, those NAME has to change. `show ID` shows the comment."
            ),
        ),
    ] = False,
    fmt: Annotated[str, format_option(*LIST_OUTPUT)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
    all_frameworks: Annotated[
        bool, typer.Option("--all-frameworks", help=N_("Entries of every framework."))
    ] = False,
    framework: FrameworkOpt = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="KEY",
            help=N_(
                "Only entries from this registered source or through it as their outlet (repeatable; a "
                "merged key means the source it was merged into)."
            ),
        ),
    ] = None,
) -> None:
    from policytrack.domain.workspace import get_framework
    from policytrack.records.columns import EXPORT_FIELDS
    from policytrack.render.formats import output_format

    fmt = chosen_format(fmt, *LIST_OUTPUT, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, *LIST_OUTPUT)
    if show_all and limit is not None:
        raise fail(_("--all and --limit cannot be used together"), 2)
    flt = entry_filter(ctx)
    if all_frameworks and framework:
        raise fail(_("--all-frameworks and --framework cannot be used together"), 2)
    with opened_store(ctx) as store:
        from policytrack.domain.entries import with_sources

        fw = None if all_frameworks else get_framework(store, framework)
        flt = with_sources(store, flt, source or [])
        # with deleted entries, a last column says when each was deleted (empty: it is current); import
        # reads it back as the tombstone
        fields = (*EXPORT_FIELDS, "deleted_at") if deleted else EXPORT_FIELDS
        built = output_format(fmt).write_built
        if built is not None:  # SQLite writes each entry in this format: the fast path
            from policytrack.exchange.export import list_texts  # (not for a table: start-up)

            texts = list_texts(store, fw, flt, fmt, limit, deleted_at=deleted)
            with text_output(ctx, output) as out:
                built(out, fields, texts)
            return
        if fmt != "table":
            from policytrack.domain.entries import list_all_entries, list_entries
            from policytrack.records.columns import LISTED, LISTED_DELETED

            entries = (
                list_all_entries(store, flt, limit) if fw is None else list_entries(store, fw, flt, limit)
            )
            sheet = "all frameworks" if fw is None else fw.name
            if deleted:
                records = ({**e.as_dict(), "deleted_at": e.deleted_at} for e in entries)
                write_formatted(ctx, fmt, LISTED_DELETED, records, sheet=sheet, output=output)
            else:
                records = (e.as_dict() for e in entries)
                write_formatted(ctx, fmt, LISTED, records, sheet=sheet, output=output)
            return
        _list_table(ctx, store, fw, flt, limit, show_all=show_all)


LIST_CHUNK = 500  # entries drawn per table: a long listing is drawn (and paged) as it is read


def _list_table(
    ctx: typer.Context,
    store: Store,
    fw: Framework | None,
    flt: EntryFilter,
    limit: int | None,
    *,
    show_all: bool,
) -> None:
    """`list` for people: on a terminal the newest page, drawn from its rows alone (their widths, and the
    count read from an index), or all of them through $PAGER; piped, all of them as a plain-text table,
    streamed; with a footer for what is not shown."""
    from contextlib import nullcontext
    from itertools import islice

    from policytrack.domain.entries import (
        count_listed,
        list_all_entries,
        list_entries,
        list_entry_tuples,
        list_stats,
    )
    from policytrack.records.entry import PLAIN_LISTED
    from policytrack.records.models import plural
    from policytrack.render.entries import (
        Shape,
        entries_plain,
        entries_table,
        left_out_note,
        newest_note,
    )
    from policytrack.render.plain import cell

    def titled(total: int) -> str:
        return _("{framework}: {count}").format(
            framework=_("All frameworks") if fw is None else fw.title,
            count=plural(total, "entry", "entries"),
        )

    def listed(limit: int | None) -> Iterator[Entry]:
        return list_all_entries(store, flt, limit) if fw is None else list_entries(store, fw, flt, limit)

    pager = None if limit is not None else pager_command()
    on_terminal = pager is not None or stdout_is_terminal()
    if not on_terminal:  # a pipe or a file: every row asked for, as plain text
        # checks the limit before anything is written
        rows = list_entry_tuples(store, fw, flt, PLAIN_LISTED, limit)
        stats = list_stats(store, fw, flt)
        if not stats["count"]:
            typer.echo(_("No entries match."), err=True)
            return
        with text_output(ctx, None) as stream:
            stream.write(f"{cell(titled(stats['count']))}\n\n")
            stream.writelines(entries_plain(rows, stats, frameworks=fw is None))
        return
    terminal = console(ctx)
    if limit is None and not show_all and pager is None:
        limit = max(10, terminal.height - 8)  # about a screen: the newest page
    if limit is not None:  # a page: its own rows decide the widths; the count comes from an index
        total = count_listed(store, fw, flt)
        page = list(listed(limit))
        shape = Shape.of(page, frameworks=fw is None)
        entries: Iterator[Entry] = iter(page)
    else:
        stats = list_stats(store, fw, flt)
        total = stats["count"]
        shape = Shape(
            id_width=stats["id_width"] + (8 if stats["deleted"] else 0),
            key_width=stats["key_width"],
            status_width=stats["status_width"],
            statuses=bool(stats["statuses"]),
            tags=bool(stats["tags"]),
            frameworks=fw is None,
            framework_width=stats["framework_width"],
        ).headed()
        entries = listed(None)
    if not total:
        typer.echo(_("No entries match."), err=True)
        return
    shown = min(total, limit) if limit is not None else total
    title = titled(total)
    with paged_console(ctx, pager) if pager else nullcontext(terminal) as out:
        dropped: list[str] = []
        chunk = list(islice(entries, LIST_CHUNK))
        first = True
        while chunk:
            table, dropped = entries_table(
                chunk, title if first else None, shape=shape, width=out.width, header=first
            )
            out.print(table)
            chunk, first = list(islice(entries, LIST_CHUNK)), False
        if dropped:
            out.print(left_out_note(dropped))
        if shown < total:
            out.print(newest_note(shown, total))


EntryIdArg = Annotated[
    str,
    typer.Argument(
        help=N_(
            "Entry id as `policytrack list` shows it, or its team-wide reference "
            "(@ and a uuid prefix: @3f9a1c)."
        )
    ),
]


@app.command(
    "show",
    epilog=N_("Example: policytrack show 3"),
    help=N_("Show every field of one entry (`--format json`: one JSON object)."),
)
def show_cmd(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    fmt: Annotated[str, format_option(*SHOW_OUTPUT)] = "table",
    as_json: JsonAlias = False,
) -> None:
    from policytrack.render.entries import entry_detail
    from policytrack.render.formats import to_json

    fmt = chosen_format(fmt, *SHOW_OUTPUT, as_json=as_json)
    with opened_store(ctx) as store:
        entry = store.get_entry(entry_id_arg(entry_id, store))
        linked = [
            store.get_entry(i)
            for i in (store.event_entry_ids(entry.event) if entry.event else [])
            if i != entry.id
        ]
    if fmt == "json":
        typer.echo(to_json({**entry.as_dict(), "linked": [e.id for e in linked]}))
    else:
        console(ctx).print(entry_detail(entry, linked))


@app.command(
    "edit",
    epilog=N_("Example: policytrack edit 3 --grade A1 --source 'UN Security Council resolution 2690 (2023)'"),
    help=N_("Change an entry. The old version stays in its history (`policytrack history ID`)."),
)
def edit_cmd(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    indicator: Annotated[
        str | None,
        typer.Option(
            "--indicator", "-i", help=N_("Move to this indicator."), autocompletion=complete_indicator
        ),
    ] = None,
    summary: Annotated[str | None, typer.Option(help=N_("New summary; '-' reads stdin."))] = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help=DATE_HELP)] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            help=N_("New source: a registered key, a URL or a citation."),
            autocompletion=complete_source,
        ),
    ] = None,
    effect: Annotated[int | None, typer.Option("--effect", "-e", help=EFFECT_HELP)] = None,
    status: Annotated[
        str | None,
        typer.Option(help=N_join(STATUS_HELP, N_("'' clears it.")), autocompletion=complete_status),
    ] = None,
    grade: Annotated[
        str | None, typer.Option("--grade", "-g", help=N_join(GRADE_HELP, N_("'' clears it.")))
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help=N_("Replace the tags; repeatable."), autocompletion=complete_tag),
    ] = None,
    actor: Annotated[
        list[str] | None,
        typer.Option(
            "--actor", "-a", help=N_("Replace the actors; repeatable."), autocompletion=complete_actor
        ),
    ] = None,
    add_tag: Annotated[
        list[str] | None,
        typer.Option("--add-tag", help=N_("Add a tag; repeatable."), autocompletion=complete_tag),
    ] = None,
    remove_tag: Annotated[
        list[str] | None,
        typer.Option("--remove-tag", help=N_("Remove a tag; repeatable."), autocompletion=complete_tag),
    ] = None,
    add_actor: Annotated[
        list[str] | None,
        typer.Option("--add-actor", help=N_("Add an actor; repeatable."), autocompletion=complete_actor),
    ] = None,
    remove_actor: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-actor", help=N_("Remove an actor; repeatable."), autocompletion=complete_actor
        ),
    ] = None,
    add_signal: Annotated[
        list[str] | None,
        typer.Option(
            "--add-signal",
            help=N_("Add a signal of the entry's indicator that it observes; repeatable."),
            autocompletion=complete_signal,
        ),
    ] = None,
    remove_signal: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-signal", help=N_("Remove a signal; repeatable."), autocompletion=complete_signal
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help=N_("New note."))] = None,
    analyst: Annotated[str | None, typer.Option(help=N_("New analyst."))] = None,
    in_editor: Annotated[
        bool, typer.Option("--editor", help=N_("Change it in $VISUAL or $EDITOR, as a form."))
    ] = False,
    dayfirst: DayFirst = False,
    monthfirst: MonthFirst = False,
    framework: FrameworkOpt = None,
    via: Annotated[
        str | None,
        typer.Option(help=N_("New registered outlet; '' clears it."), autocompletion=complete_source),
    ] = None,
    language: LanguageOpt = None,
    translation: Annotated[
        str | None, typer.Option("--translation", help=N_("New translated summary; '' removes it."))
    ] = None,
    translation_language: TranslationLanguageOpt = None,
    checked: Annotated[
        bool | None,
        typer.Option(
            "--checked/--unchecked", help=N_("Whether a person checked the translation against the original.")
        ),
    ] = None,
) -> None:
    from policytrack.domain.edits import EntryChanges
    from policytrack.domain.entries import edit_entry
    from policytrack.domain.workspace import get_framework

    if in_editor:
        changed = [
            name
            for name, value in ctx.params.items()
            if name not in {"entry_id", "in_editor", "dayfirst", "monthfirst", "framework"}
            and value not in (None, [], ())
        ]
        if changed:
            option = "--" + changed[0].replace("_", "-")
            raise fail(
                _("--editor changes the entry in a form: give no other change ({option}) with it").format(
                    option=option
                ),
                2,
            )
        _edit_in_editor(ctx, entry_id, framework)
        return

    changes = EntryChanges(
        indicator=indicator,
        summary=read_text_arg(summary) if summary is not None else None,
        date=read_date(date, "date", dayfirst=dayfirst, monthfirst=monthfirst) if date is not None else None,
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
        add_signals=add_signal or [],
        remove_signals=remove_signal or [],
        via=via,
        language=language,
        summary_translation=translation,
        summary_translation_language=translation_language,
        summary_translation_checked=checked,
    )
    with opened_store(ctx) as store:
        entry = store.get_entry(entry_id_arg(entry_id, store))
        fw = get_framework(store, framework or entry.framework)
        entry = edit_entry(store, fw, entry.id, changes)
    _updated(ctx, entry)


def _edit_in_editor(ctx: typer.Context, raw_id: str, framework: str | None) -> None:
    from policytrack.cli.editor import FormAbandoned, fill_in, labels
    from policytrack.domain.edits import EntryChanges
    from policytrack.domain.entries import edit_entry
    from policytrack.domain.workspace import get_framework
    from policytrack.records.field import UNDETERMINED
    from policytrack.render.text import visible

    dayfirst, monthfirst = ctx.params.get("dayfirst", False), ctx.params.get("monthfirst", False)
    with opened_store(ctx) as store:
        entry_id = entry_id_arg(raw_id, store)
        current = store.get_entry(entry_id)
        if current.deleted:
            raise InputError(_("entry {id} is deleted; `policytrack restore {id}` first").format(id=entry_id))
        fw = get_framework(store, framework or current.framework)
        shown = _form_values(current)
        _one_line_fields(shown)

        def save(fields: dict[str, str]) -> Entry:
            with store.transaction():  # the check and the edit under one write lock
                now = store.get_entry(entry_id)
                if now.revision != current.revision:
                    by = store.revisions(entry_id)[-1].changed_by
                    raise FormAbandoned(
                        _(
                            "entry {id} was changed by {analyst} while the form was open (now revision "
                            "{revision}): nothing was written; run `policytrack edit {id} --editor` again"
                        ).format(id=entry_id, analyst=by, revision=now.revision)
                    )
                return edit_entry(store, fw, entry_id, _form_changes(fields, shown))

        def _form_changes(fields: dict[str, str], before: dict[str, str]) -> EntryChanges:
            """Only what the form changed: a field left as shown is not written back."""
            new = {name: value for name, value in fields.items() if value != before.get(name)}
            date = new.get("date")
            return EntryChanges(
                summary=new.get("summary"),
                date=read_date(date, "date", dayfirst=dayfirst, monthfirst=monthfirst)
                if date is not None
                else None,
                source=new.get("source"),
                source_key=new.get("source_key"),
                via=new.get("via"),
                effect=_form_effect(new["effect"]) if "effect" in new else None,
                status=new.get("status"),
                grade=new.get("grade"),
                tags=labels(new["tags"]) if "tags" in new else None,
                actors=labels(new["actors"]) if "actors" in new else None,
                note=new.get("note"),
                language=(new["language"] or UNDETERMINED) if "language" in new else None,
                summary_translation=new.get("summary_translation"),
                summary_translation_language=new.get("summary_translation_language"),
                summary_translation_checked=_form_checked(new["summary_translation_checked"])
                if "summary_translation_checked" in new
                else None,
            )

        heading = visible(
            _("Entry {id} ({indicator}), revision {revision}").format(
                id=entry_id, indicator=current.indicator, revision=current.revision
            )
        )
        entry = fill_in(shown, heading, save)
    _updated(ctx, entry)


def _updated(ctx: typer.Context, entry: Entry) -> None:
    confirm(
        ctx,
        _("Updated entry {id} (revision {revision})").format(id=entry.id, revision=entry.revision),
        _("the edit of entry {id}").format(id=entry.id),
    )


@app.command(
    "delete",
    epilog=N_("Example: policytrack delete 3 --force"),
    help=N_("Delete an entry, leaving a tombstone: `policytrack restore ID` brings it back."),
)
def delete_cmd(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    force: Annotated[bool, typer.Option("--force", "-f", help=N_("Do not ask for confirmation."))] = False,
) -> None:
    from policytrack.domain.entries import delete_entry
    from policytrack.render.text import visible

    with opened_store(ctx) as store:
        entry = store.get_entry(entry_id_arg(entry_id, store))
        if not force:
            if not sys.stdin.isatty():
                raise InputError(
                    _("not deleting entry {id} without --force when not run from a terminal").format(
                        id=entry.id
                    )
                )
            question = _("Delete entry {id} ({indicator}, {date}: {summary})?").format(
                id=entry.id, indicator=entry.indicator, date=entry.date.shown, summary=entry.summary[:60]
            )
            if not typer.confirm(visible(question), err=True):
                typer.echo(_("Kept entry {id}: nothing was deleted.").format(id=entry.id), err=True)
                return
        delete_entry(store, entry.id)
    confirm(
        ctx,
        _("Deleted entry {id}; `policytrack restore {id}` undoes it").format(id=entry.id),
        _("the deletion of entry {id}").format(id=entry.id),
    )


@app.command("restore", epilog=N_("Example: policytrack restore 3"), help=N_("Bring back a deleted entry."))
def restore_cmd(ctx: typer.Context, entry_id: EntryIdArg) -> None:
    from policytrack.domain.entries import restore_entry

    with opened_store(ctx) as store:
        entry = restore_entry(store, entry_id_arg(entry_id, store))
    confirm(
        ctx,
        _("Restored entry {id} (revision {revision})").format(id=entry.id, revision=entry.revision),
        _("the restore of entry {id}").format(id=entry.id),
    )


@app.command(
    "history",
    epilog=N_("Example: policytrack history 3"),
    help=N_(
        "Every revision of an entry: who changed what, and when. (`export entries "
        "--all-revisions` gives\n"
        "every revision as CSV.)"
    ),
)
def history_cmd(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    fmt: Annotated[str, format_option(*HISTORY_OUTPUT)] = "table",
    as_json: JsonAlias = False,
) -> None:
    from policytrack.domain.entries import history
    from policytrack.render.entries import history_table, reversal_words
    from policytrack.render.formats import write_records

    fmt = chosen_format(fmt, *HISTORY_OUTPUT, as_json=as_json)
    with opened_store(ctx) as store:
        revisions = history(store, entry_id_arg(entry_id, store))
        notes = store.entry_reversals(revisions[0].entry.id)
        redactions = [dict(r) for r in store.redaction_rows(revisions[0].entry.uuid)]
    if fmt != "table":
        records: list[dict[str, Any]] = [
            {
                "revision": r.revision,
                "action": r.action,
                "changed_by": r.changed_by,
                "changed_at": r.changed_at,
                "reverses": reversal_words(notes.get(r.revision)),
                "entry": r.entry.as_dict(),
            }
            for r in revisions
        ]
        # each redaction after the revisions: who took which field out, when and why (never the text)
        records += [
            {
                "revision": None,
                "action": "redact",
                "changed_by": r["by"],
                "changed_at": r["at"],
                "reverses": None,
                "redacted": {"field": r["field"], "reason": r["reason"]},
            }
            for r in redactions
        ]
        with text_output(ctx, None) as out:
            write_records(fmt, out, (), records)
    else:
        console(ctx).print(history_table(revisions, notes, redactions))
