"""`policytrack source ...`: the registry of sources (reliability belongs to the source).

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import confirm
from policytrack.cli.common import complete_source, console, opened_store, print_table
from policytrack.cli.options import JsonAlias, OutputOpt, chosen_format, format_option
from policytrack.core.i18n import N_, N_format, _, ngettext, number
from policytrack.records.source import SOURCE_TYPES
from policytrack.render.formats import ONE, RECORDS, VIEW

source_app = typer.Typer(
    help=N_("The source registry: who reports, how reliable, how independent."), no_args_is_help=True
)

KeyArg = Annotated[
    str, typer.Argument(help=N_("The source's key, such as reuters."), autocompletion=complete_source)
]
NameOpt = Annotated[str | None, typer.Option("--name", help=N_("Its name, such as 'Reuters'."))]
UrlOpt = Annotated[
    str | None, typer.Option("--url", help=N_("Its web address; entries citing URLs on its host link to it."))
]
TypeOpt = Annotated[
    str | None,
    typer.Option(
        "--type", help=N_format(N_("What kind of body it is: {types}."), types=", ".join(SOURCE_TYPES))
    ),
]
OriginOpt = Annotated[str | None, typer.Option("--origin", help=N_("Where it is based, such as a country."))]
ReliabilityOpt = Annotated[
    str | None, typer.Option("--reliability", help=N_("Admiralty reliability A-F ('' clears it on edit)."))
]
NoteOpt = Annotated[str | None, typer.Option("--note", help=N_("A note about the source."))]
LanguageOpt = Annotated[
    str | None,
    typer.Option("--language", help=N_("The language it publishes in, a BCP 47 tag such as fr or en-GB.")),
]


@source_app.command(
    "add",
    epilog=N_(
        "Example: policytrack source add example-ministry --name 'Example Ministry' --type official "
        "--origin Exampleland --reliability B --url https://ministry.example.org"
    ),
    help=N_("Register a source under a short key; `log --source KEY` then cites it."),
)
def add_cmd(
    ctx: typer.Context,
    key: KeyArg,
    name: NameOpt = None,
    url: UrlOpt = None,
    type_: TypeOpt = None,
    origin: OriginOpt = None,
    reliability: ReliabilityOpt = None,
    note: NoteOpt = None,
    language: LanguageOpt = None,
) -> None:
    from policytrack.domain.source_fields import SourceFields
    from policytrack.domain.sources import add_source

    fields = SourceFields(name, url, type_, origin, reliability, note, language)
    with opened_store(ctx) as store:
        source = add_source(store, key, fields)
    confirm(
        ctx, _("Registered source {key}").format(key=source.key), _("source {key}").format(key=source.key)
    )


@source_app.command(
    "edit",
    epilog=N_("Example: policytrack source edit reuters --reliability A"),
    help=N_("Change a registered source's fields."),
)
def edit_cmd(
    ctx: typer.Context,
    key: KeyArg,
    name: NameOpt = None,
    url: UrlOpt = None,
    type_: TypeOpt = None,
    origin: OriginOpt = None,
    reliability: ReliabilityOpt = None,
    note: NoteOpt = None,
    language: LanguageOpt = None,
) -> None:
    from policytrack.domain.source_fields import SourceFields
    from policytrack.domain.sources import edit_source

    fields = SourceFields(name, url, type_, origin, reliability, note, language)
    with opened_store(ctx) as store:
        source = edit_source(store, key, fields)
    confirm(
        ctx,
        _("Updated source {key}").format(key=source.key),
        _("the edit of source {key}").format(key=source.key),
    )


@source_app.command(
    "merge",
    epilog=N_("Example: policytrack source merge reuters-com reuters"),
    help=N_(
        "One source known under two keys: OLD's entries cite INTO (each as a new "
        "revision), OLD's key leads\n"
        "to INTO from now on, and OLD's record is kept."
    ),
)
def merge_cmd(
    ctx: typer.Context,
    old: KeyArg,
    into: Annotated[str, typer.Argument(help=N_("The key to keep."), autocompletion=complete_source)],
) -> None:
    from policytrack.domain.sources import merge_sources

    with opened_store(ctx) as store:
        gone, kept, moved = merge_sources(store, old, into)
    confirm(
        ctx,
        ngettext(
            "Merged source {old} into {kept} ({count} entry now cites {kept})",
            "Merged source {old} into {kept} ({count} entries now cite {kept})",
            moved,
        ).format(old=gone.key, kept=kept.key, count=number(moved)),
        _("the merge"),
    )


@source_app.command(
    "list",
    epilog=N_("Example: policytrack source list --json"),
    help=N_(
        "Registered sources with their use and grade pattern (the share of grades on the "
        "A1/B2/C3\n"
        "diagonal, per source and per analyst: a high share suggests reliability and "
        "credibility were not\n"
        "judged apart)."
    ),
)
def list_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, format_option(VIEW, ONE)] = "table",
    as_json: JsonAlias = False,
) -> None:
    from policytrack.domain.source_listing import source_listing
    from policytrack.render.formats import to_json

    fmt = chosen_format(fmt, VIEW, ONE, as_json=as_json)
    with opened_store(ctx) as store:
        listing = source_listing(store)
    if fmt == "json":
        data = {
            "sources": [
                {**s.as_dict(), "entries": p.entries, "graded": p.graded, "diagonal_share": p.share}
                for s, p in listing.sources
            ],
            "analysts": [
                {"analyst": p.who, "graded": p.graded, "diagonal_share": p.share} for p in listing.analysts
            ],
        }
        typer.echo(to_json(data))
        return
    from policytrack.render.sources import source_list_renderables

    if not listing.sources:
        typer.echo(_("No sources registered: `policytrack source add KEY --name NAME`."), err=True)
    out = console(ctx)
    for table in source_list_renderables(listing):
        print_table(out, table, first=(_("Origin"), _("Type"), _("On A1/B2/C3")))


@source_app.command(
    "show",
    epilog=N_("Example: policytrack source show reuters"),
    help=N_("One source: its fields, and the current entries citing it (as originator or outlet)."),
)
def show_cmd(
    ctx: typer.Context,
    key: KeyArg,
    fmt: Annotated[str, format_option(VIEW, ONE)] = "table",
    as_json: JsonAlias = False,
) -> None:
    from policytrack.domain.sources import find_source
    from policytrack.render.formats import to_json

    fmt = chosen_format(fmt, VIEW, ONE, as_json=as_json)
    with opened_store(ctx) as store:
        source = find_source(store, key)
        citing, params = store.citing(source.id)
        if fmt == "json":
            entries = list(store.query_entries(citing, params))
            typer.echo(to_json({**source.as_dict(), "entries": [e.as_dict() for e in entries]}))
            return
        from policytrack.cli.common import stdout_is_terminal
        from policytrack.render.sources import source_detail

        out = console(ctx)
        total, limit = None, None
        if stdout_is_terminal():  # the newest page, and the count read from the source's indexes
            total = store.count_listed(citing, params)
            limit = max(10, out.height - 16)
        entries = list(store.query_entries(citing, params, limit))
    out.print(source_detail(source, entries, out.width, total))


@source_app.command(
    "suggest",
    epilog=N_("Example: policytrack source suggest"),
    help=N_(
        "Free-text sources cited more than once, most cited first: worth registering\n"
        "(`policytrack source add`)."
    ),
)
def suggest_cmd(ctx: typer.Context) -> None:
    from policytrack.domain.source_listing import suggestions
    from policytrack.render.text import visible

    with opened_store(ctx) as store:
        found = suggestions(store)
    if not found:
        typer.echo(_("No free-text source is cited more than once."), err=True)
        return
    for text, count in found:
        typer.echo(f"{count}\t{visible(text)}")


MAX_SOURCES_FILE = 64 << 20  # characters: a registry of sources is far smaller


@source_app.command(
    "export",
    epilog=N_("Example: policytrack source export -o sources.csv"),
    help=N_(
        "Write the registry (merged sources too, naming the one each was merged into), "
        "for `source import`\n"
        "in another database before its entries are imported."
    ),
)
def export_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, format_option(RECORDS, default="csv")] = "csv",
    output: OutputOpt = None,
) -> None:
    from policytrack.cli.common import write_formatted
    from policytrack.exchange.sources import source_records
    from policytrack.records.source import EXPORTED_SOURCE

    fmt = chosen_format(fmt, RECORDS, default="csv")
    with opened_store(ctx) as store:
        records = source_records(store)
        write_formatted(ctx, fmt, EXPORTED_SOURCE, records, sheet="sources", output=output)


@source_app.command(
    "import",
    epilog=N_("Example: policytrack source import sources.csv"),
    help=N_(
        "Merge another database's registry by uuid: new sources are added, known ones "
        "take the file's\n"
        "fields, a source registered here apart under the same key is kept as it is; all "
        "or nothing."
    ),
)
def import_cmd(
    ctx: typer.Context,
    path: Annotated[
        str, typer.Argument(help=N_("A file `source export` wrote (CSV, JSON or JSON lines); '-': stdin."))
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Check and count, write nothing."))] = False,
) -> None:
    from policytrack.cli.common import read_text_arg
    from policytrack.core.errors import InputError
    from policytrack.exchange.sources import import_sources, parse_source_file

    if path == "-":
        text, name = read_text_arg("-"), _("standard input")

    else:
        try:
            with open(path, encoding="utf-8-sig") as f:
                text, name = f.read(MAX_SOURCES_FILE + 1), path
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                _("cannot read {path}: {error}; give a file `source export` wrote").format(
                    path=path, error=exc
                )
            ) from None
        if len(text) > MAX_SOURCES_FILE:
            raise InputError(
                _("{path} is over {count} characters: not a registry `source export` wrote").format(
                    path=path, count=number(MAX_SOURCES_FILE)
                )
            )
    records = parse_source_file(text, name)
    with opened_store(ctx) as store:
        result = import_sources(store, records, dry_run=dry_run)
    if dry_run:
        typer.echo(result.summary() + _(" (dry run: nothing written)"))
    else:
        confirm(ctx, result.summary(), _("the import of sources"))
