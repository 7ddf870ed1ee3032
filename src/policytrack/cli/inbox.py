"""`policytrack inbox` (candidate evidence from datasets, feeds and sheets, and the decisions on it), `feed`
(the datasets kept in step) and `agenda` (what waits on the team).

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policytrack.cli.app import app, confirm, fail
from policytrack.cli.common import (
    console,
    entry_id_arg,
    opened_store,
    print_table,
    read_date,
    stdout_is_terminal,
    write_formatted,
)
from policytrack.cli.options import (
    CsvAlias,
    FrameworkOpt,
    JsonAlias,
    OutputOpt,
    check_output,
    chosen_format,
    format_option,
)
from policytrack.core.errors import InputError
from policytrack.core.i18n import N_, N_format, _, ngettext
from policytrack.records.candidate import KINDS_READ
from policytrack.render.formats import ONE, RECORDS, VIEW

if TYPE_CHECKING:
    from policytrack.domain.inbox import Filter
    from policytrack.store import Store

inbox_app = typer.Typer(
    help=N_("Candidate evidence from datasets, feeds and sheets: nothing counts until a person accepts it."),
    invoke_without_command=True,
)
feed_app = typer.Typer(help=N_("Datasets and feeds kept in step with the inbox."), no_args_is_help=True)

# The kinds read as they come (records.candidate); csv needs a column map, which the help says apart.
KINDS_HELP = ", ".join(kind for kind in KINDS_READ if kind != "csv")
KindOpt = Annotated[
    str,
    typer.Option(
        "--kind", "-k", help=N_format(N_("How to read it: {kinds} or csv (with --map)."), kinds=KINDS_HELP)
    ),
]
RulesOpt = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help=N_("A rules file (TOML) whose suggestions candidates carry. Default: the framework's."),
    ),
]
MapOpt = Annotated[
    Path | None,
    typer.Option("--map", help=N_("For --kind csv: a TOML table from candidate field to column name.")),
]
PrivateOpt = Annotated[
    bool,
    typer.Option(
        "--allow-private", help=N_("Allow an address on a loopback or private network (your own server).")
    ),
]
FeedFilter = Annotated[str | None, typer.Option("--feed", help=N_("Only from this feed or dataset."))]
RuleFilter = Annotated[str | None, typer.Option("--rule", help=N_("Only those this rule matched."))]
IndicatorFilter = Annotated[
    str | None, typer.Option("--indicator", "-i", help=N_("Only those a rule suggests for this indicator."))
]
SinceFilter = Annotated[str | None, typer.Option("--since", help=N_("Only those dated from this date."))]
BeforeFilter = Annotated[str | None, typer.Option("--before", help=N_("Only those dated before this date."))]
IdsArg = Annotated[
    list[str] | None, typer.Argument(help=N_("Candidate ids (as `policytrack inbox` shows them) or uuids."))
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask before a bulk decision."))]


def _kind(raw: str) -> str:
    kind = raw.strip().lower()
    if kind not in KINDS_READ:
        raise fail(
            _("unknown --kind {kind!r}: use one of {kinds}").format(
                kind=raw[:40], kinds=", ".join(KINDS_READ)
            ),
            2,
        )
    return kind


def _rules(store: Store, path: Path | None, framework: str | None) -> list[Any]:
    from policytrack.domain.workspace import get_framework
    from policytrack.exchange.rules import RULES_DIR, read_rules

    if path is not None:
        return read_rules(path)
    shipped = RULES_DIR / f"{get_framework(store, framework).name}.toml"
    return read_rules(shipped) if shipped.is_file() else []


@inbox_app.callback(epilog=N_("Example: policytrack inbox --feed acled-mali --since 2024-01"))
def inbox_cmd(
    ctx: typer.Context,
    feed: FeedFilter = None,
    rule: RuleFilter = None,
    indicator: IndicatorFilter = None,
    since: SinceFilter = None,
    show_all: Annotated[
        bool, typer.Option("--all", help=N_("On a terminal, every candidate, not the newest page."))
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help=N_("Only the newest N."))] = None,
    fmt: Annotated[str, format_option(VIEW, RECORDS)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
) -> None:
    """Candidate evidence that waits for a decision, oldest first (on a terminal, the newest page). Nothing
    in the inbox counts in any figure until it is accepted."""
    if ctx.invoked_subcommand is not None:
        return
    from policytrack.domain.inbox import Filter, count_waiting, each_waiting, waiting
    from policytrack.records.candidate import CANDIDATE_LISTED

    fmt = chosen_format(fmt, VIEW, RECORDS, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, VIEW, RECORDS)
    flt = Filter(
        feed=feed, rule=rule, indicator=indicator, since=read_date(since, "--since").start if since else None
    )
    with opened_store(ctx) as store, store.snapshot():
        if fmt != "table":  # every record format streams: flat memory whatever the count
            rows = waiting(store, flt, limit=limit, newest=True) if limit else each_waiting(store, flt)
            write_formatted(
                ctx, fmt, CANDIDATE_LISTED, (_listed(r) for r in rows), sheet="inbox", output=output
            )
            return
        if limit is None and not stdout_is_terminal():  # a pipe or a file: every one, as plain text
            _plain(ctx, store, flt)
            return
        page = limit or (None if show_all else 50)
        rows = waiting(store, flt, limit=page, newest=page is not None)
        total = count_waiting(store, flt) if page is not None else len(rows)
    if not rows:
        typer.echo(
            _("Nothing waits in the inbox; `policytrack inbox add FILE --kind acled` reads a dataset."),
            err=True,
        )
        return
    from policytrack.render.inbox import candidates_table

    title = ngettext("{n} candidate waits", "{n} candidates wait", total).format(n=total)
    print_table(console(ctx), candidates_table(rows, title), first=(_("Note"), _("Dataset")))
    if len(rows) < total:
        typer.echo(
            _("Showing the newest {shown} of {total}: --all shows every one.").format(
                shown=len(rows), total=total
            ),
            err=True,
        )


def _plain(ctx: typer.Context, store: Store, flt: Filter) -> None:
    """Every waiting candidate as a plain-text table, streamed (render.inbox.candidates_plain)."""
    from policytrack.cli.common import text_output
    from policytrack.domain.inbox import count_waiting, each_waiting, plain_widths
    from policytrack.render.inbox import candidates_plain

    total = count_waiting(store, flt)
    if not total:
        typer.echo(
            _("Nothing waits in the inbox; `policytrack inbox add FILE --kind acled` reads a dataset."),
            err=True,
        )
        return
    id_width, dataset_width = plain_widths(store)
    title = ngettext("{n} candidate waits", "{n} candidates wait", total).format(n=total)
    with text_output(ctx, None) as stream:
        stream.writelines(candidates_plain(each_waiting(store, flt), title, id_width, dataset_width))


def _listed(row: Any) -> dict[str, Any]:
    import json

    from policytrack.records.candidate import CANDIDATE_LISTED

    out = {name: row[name] for name in CANDIDATE_LISTED.names()}
    out["actors"] = json.loads(row["actors"] or "[]")
    return out


@inbox_app.command(
    "add",
    epilog=N_("Example: policytrack inbox add 2024-mali.csv --kind acled --feed acled-mali"),
    help=N_(
        "Read a dataset export, a saved API response, a feed or a sheet into candidates "
        "(a record read again\n"
        "becomes a new version of its candidate; nothing is queued twice)."
    ),
)
def add_cmd(
    ctx: typer.Context,
    location: Annotated[str, typer.Argument(help=N_("A file you downloaded, or an http(s) address."))],
    kind: KindOpt,
    feed: Annotated[
        str, typer.Option("--feed", help=N_("Name the candidates' feed (as `feed add` does)."))
    ] = "",
    rules: RulesOpt = None,
    map_file: MapOpt = None,
    allow_private: PrivateOpt = False,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.inbox import add_batch
    from policytrack.exchange.inbox import read_batch
    from policytrack.render.inbox import add_summary

    chosen = _kind(kind)
    with opened_store(ctx) as store:
        found = _rules(store, rules, framework)
        batch = read_batch(location, chosen, map_path=map_file, allow_private=allow_private)
        result = add_batch(store, batch, chosen, feed=feed.strip(), rules=found)
    confirm(ctx, add_summary(result), _("the candidates"))


@inbox_app.command(
    "list",
    epilog=N_("Example: policytrack inbox list --rule regional-integration --json"),
    help=N_("The same as `policytrack inbox`: what waits, oldest first."),
)
def list_cmd(
    ctx: typer.Context,
    feed: FeedFilter = None,
    rule: RuleFilter = None,
    indicator: IndicatorFilter = None,
    since: SinceFilter = None,
    show_all: Annotated[
        bool, typer.Option("--all", help=N_("On a terminal, every candidate, not the newest page."))
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help=N_("Only the newest N."))] = None,
    fmt: Annotated[str, format_option(VIEW, RECORDS)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
) -> None:
    ctx.invoked_subcommand = None
    inbox_cmd(ctx, feed, rule, indicator, since, show_all, limit, fmt, as_json, as_csv, output)


@inbox_app.command(
    "show",
    epilog=N_("Example: policytrack inbox show 3"),
    help=N_(
        "One candidate: every field, the raw record, the rules' suggestions, its versions and decisions."
    ),
)
def show_cmd(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help=N_("Candidate id or uuid."))],
    fmt: Annotated[str, format_option(VIEW, ONE)] = "table",
) -> None:
    import json

    from policytrack.domain.inbox import find
    from policytrack.render.inbox import candidate_detail

    fmt = chosen_format(fmt, VIEW, ONE)
    with opened_store(ctx) as store, store.snapshot():
        row = find(store, ref)
        decisions = store.decisions_of(row["uuid"])
        revisions = store.candidate_revisions(int(row["id"]))
    if fmt != "table":
        record = {k: row[k] for k in row.keys()}  # noqa: SIM118 (sqlite3.Row)
        record["raw"] = json.loads(record["raw"])
        record["suggestions"] = json.loads(record["suggestions"])
        record["decisions"] = [dict(d) for d in decisions]
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    console(ctx).print(candidate_detail(row, decisions, revisions))


def _chosen(store: Store, ids: list[str] | None, flt: Filter, yes: bool, verb: str) -> list[Any]:
    from policytrack.domain.inbox import bulk_ids, find

    if ids and not flt.empty:
        raise fail(_("give candidate ids or --rule/--feed/--before, not both"), 2)
    if ids:
        return [find(store, ref) for ref in ids]
    if flt.empty:
        raise fail(_("name the candidates: their ids, or --rule, --feed or --before"), 2)
    rows = [store.candidate(i) for i in bulk_ids(store, flt)]
    if not rows:
        raise InputError(_("no waiting candidate matches; `policytrack inbox` lists them"))
    if not yes:
        if not sys.stdin.isatty():
            raise InputError(_("a bulk decision asks first: run it from a terminal, or add --yes"))
        question = ngettext("{verb} {n} candidate?", "{verb} {n} candidates?", len(rows)).format(
            verb=verb, n=len(rows)
        )
        if not typer.confirm(question, err=True):
            raise typer.Exit(0)
    return rows


def _filter(feed: str | None, rule: str | None, before: str | None) -> Filter:
    from policytrack.domain.inbox import Filter

    return Filter(
        feed=feed,
        rule=rule,
        before=read_date(before, "--before", allow_future=True).start if before else None,
    )


def _analyst() -> str:
    from policytrack.domain.context import default_analyst

    return default_analyst()


@inbox_app.command(
    "accept",
    epilog=N_("Example: policytrack inbox accept 3 --indicator regional --effect -2 --grade B2"),
    help=N_(
        "Make an entry of each candidate, citing it (what you do not give comes from the "
        "rules' suggestions;\n"
        "with no indicator given or suggested, it is refused)."
    ),
)
def accept_cmd(
    ctx: typer.Context,
    ids: IdsArg = None,
    indicator: Annotated[
        str | None,
        typer.Option("--indicator", "-i", help=N_("Indicator key (default: the rules' suggestion).")),
    ] = None,
    effect: Annotated[
        int | None, typer.Option("--effect", "-e", help=N_("Effect, -2 to +2 (default: suggested, else 0)."))
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", "-g", help=N_("Admiralty grade, e.g. B2."))] = None,
    credibility: Annotated[
        str | None, typer.Option("--credibility", help=N_("Credibility 1-6 with a registered source."))
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", help=N_("The entry's summary (default: the candidate's)."))
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            help=N_("Source text or registered key (default: suggested, else the record's)."),
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help=N_("Your assessment of the indicator's status."))
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", help=N_("A note (the candidate is cited after it)."))
    ] = None,
    rule: RuleFilter = None,
    feed: FeedFilter = None,
    before: BeforeFilter = None,
    yes: YesOpt = False,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.triage import AcceptInput, accept
    from policytrack.domain.workspace import get_framework

    given = AcceptInput(
        indicator=indicator,
        effect=effect,
        grade=grade,
        credibility=credibility,
        summary=summary,
        source=source,
        status=status,
        note=note,
    )
    with opened_store(ctx) as store:
        rows = _chosen(store, ids, _filter(feed, rule, before), yes, _("Accept"))
        made = accept(store, get_framework(store, framework), rows, given, _analyst())
    listed = ", ".join(str(e.id) for e in made)
    confirm(
        ctx,
        ngettext(
            "Accepted {n} candidate: entry {ids}", "Accepted {n} candidates: entries {ids}", len(made)
        ).format(n=len(made), ids=listed),
        _("the decision"),
    )


@inbox_app.command(
    "reject",
    epilog=N_("Example: policytrack inbox reject 4 --reason 'not about Mali'"),
    help=N_("Reject candidates, saying why (`undo` takes it back)."),
)
def reject_cmd(
    ctx: typer.Context,
    ids: IdsArg = None,
    reason: Annotated[str, typer.Option("--reason", help=N_("Why (kept with the decision)."))] = "",
    rule: RuleFilter = None,
    feed: FeedFilter = None,
    before: BeforeFilter = None,
    yes: YesOpt = False,
) -> None:
    from policytrack.domain.triage import reject

    if not reason.strip():
        raise fail(_("--reason is required: say why the candidates are rejected"), 2)
    with opened_store(ctx) as store:
        rows = _chosen(store, ids, _filter(feed, rule, before), yes, _("Reject"))
        reject(store, rows, reason, _analyst())
    confirm(
        ctx,
        ngettext("Rejected {n} candidate", "Rejected {n} candidates", len(rows)).format(n=len(rows)),
        _("the decision"),
    )


@inbox_app.command(
    "snooze",
    epilog=N_("Example: policytrack inbox snooze 5 --until 2025-03"),
    help=N_("Put candidates aside until a date."),
)
def snooze_cmd(
    ctx: typer.Context,
    ids: IdsArg = None,
    until: Annotated[
        str, typer.Option("--until", help=N_("Until when (it waits again the day after)."))
    ] = "",
    rule: RuleFilter = None,
    feed: FeedFilter = None,
    before: BeforeFilter = None,
    yes: YesOpt = False,
) -> None:
    from policytrack.domain.triage import snooze

    if not until.strip():
        raise fail(_("--until is required: the date until which they are snoozed"), 2)
    when = read_date(until, "--until", allow_future=True)
    with opened_store(ctx) as store:
        rows = _chosen(store, ids, _filter(feed, rule, before), yes, _("Snooze"))
        snooze(store, rows, when, _analyst())
    confirm(
        ctx,
        ngettext(
            "Snoozed {n} candidate until {date}", "Snoozed {n} candidates until {date}", len(rows)
        ).format(n=len(rows), date=when.end.isoformat()),
        _("the decision"),
    )


@inbox_app.command(
    "merge",
    epilog=N_("Example: policytrack inbox merge 6 --into 12"),
    help=N_("Record that a candidate corroborates an existing entry (no new entry is made)."),
)
def merge_cmd(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help=N_("Candidate id or uuid."))],
    into: Annotated[
        str, typer.Option("--into", help=N_("The entry it corroborates (its id or a uuid prefix)."))
    ],
) -> None:
    from policytrack.domain.inbox import find
    from policytrack.domain.triage import merge

    with opened_store(ctx) as store:
        entry_id = entry_id_arg(into, store)
        row = find(store, ref)
        entry = merge(store, row, entry_id, _analyst())
    confirm(
        ctx,
        _("Candidate {id} corroborates entry {entry}").format(id=row["id"], entry=entry.id),
        _("the decision"),
    )


@feed_app.command(
    "add",
    epilog=N_("Example: policytrack feed add acled-mali --kind acled --file ~/acled/mali.csv"),
    help=N_(
        "Keep a living dataset in step: `feed pull` reads it again (its settings stay in this database)."
    ),
)
def feed_add_cmd(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help=N_("The feed's name (lower-case letters, digits, '-' and '_')."))
    ],
    kind: KindOpt,
    file: Annotated[Path | None, typer.Option("--file", help=N_("A file that you download again."))] = None,
    url: Annotated[str | None, typer.Option("--url", help=N_("An http(s) address."))] = None,
    rules: RulesOpt = None,
    map_file: MapOpt = None,
    allow_private: PrivateOpt = False,
) -> None:
    from policytrack.domain.context import utc_now
    from policytrack.domain.sources import check_key

    chosen = _kind(kind)
    if (file is None) == (url is None):
        raise fail(_("give --file PATH or --url URL (one of them)"), 2)
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise fail(_("--url takes an http(s) address"), 2)
    if chosen == "csv" and map_file is None:
        raise fail(_("--kind csv needs --map FILE: which column gives which field"), 2)
    key = check_key(name)
    location = url if url is not None else str(Path(str(file)).expanduser().resolve())
    with opened_store(ctx) as store:
        if store.feeds(key):
            raise InputError(
                _("there is already a feed {name!r}; `policytrack feed list` shows it").format(name=key)
            )
        store.add_feed(
            {
                "name": key,
                "kind": chosen,
                "location": location,
                "rules": str(rules.resolve()) if rules else "",
                "map": str(map_file.resolve()) if map_file else "",
                "allow_private": int(allow_private),
                "added_at": utc_now(),
            }
        )
    confirm(
        ctx, _("Added feed {name}: `policytrack feed pull {name}` reads it").format(name=key), _("the feed")
    )


@feed_app.command(
    "list", epilog=N_("Example: policytrack feed list"), help=N_("The feeds this database keeps in step.")
)
def feed_list_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, format_option(VIEW, RECORDS)] = "table",
    output: OutputOpt = None,
) -> None:
    from policytrack.records.candidate import FEED

    fmt = chosen_format(fmt, VIEW, RECORDS)
    check_output(fmt, output, VIEW, RECORDS)
    with opened_store(ctx) as store:
        rows = store.feeds()
    if fmt != "table":
        write_formatted(
            ctx, fmt, FEED, ({k: r[k] for k in FEED.names()} for r in rows), sheet="feeds", output=output
        )
        return
    if not rows:
        typer.echo(_("No feeds; `policytrack feed add NAME --kind acled --file PATH` adds one."), err=True)
        return
    from policytrack.render.inbox import feeds_table

    print_table(console(ctx), feeds_table(rows))


@feed_app.command(
    "pull",
    epilog=N_("Example: policytrack feed pull acled-mali"),
    help=N_(
        "Read feeds again: new records queued, changed ones revised, withdrawn ones "
        "tombstoned (each feed all\n"
        "or nothing)."
    ),
)
def feed_pull_cmd(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help=N_("The feed to pull (default: every one)."))] = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.inbox import add_batch
    from policytrack.exchange.inbox import read_batch
    from policytrack.exchange.rules import read_rules
    from policytrack.render.inbox import add_summary

    lines = []
    with opened_store(ctx) as store:
        feeds = store.feeds(name)
        if not feeds:
            raise InputError(
                _("no feed {name!r}; `policytrack feed list` shows them").format(name=name)
                if name
                else _("no feeds; `policytrack feed add NAME --kind acled --file PATH` adds one")
            )
        for feed in feeds:
            rules = read_rules(Path(feed["rules"])) if feed["rules"] else _rules(store, None, framework)
            batch = read_batch(
                feed["location"],
                feed["kind"],
                map_path=Path(feed["map"]) if feed["map"] else None,
                allow_private=bool(feed["allow_private"]),
            )
            lines.append(add_summary(add_batch(store, batch, feed["kind"], feed=feed["name"], rules=rules)))
    confirm(ctx, "\n".join(lines), _("the pull"))


@app.command(
    "agenda",
    epilog=N_("Example: policytrack agenda --days 14"),
    help=N_(
        "What waits on the team, oldest first: candidates, entries to review, indicators with no recent\n"
        "evidence, targets and forecasts falling due, conflicts."
    ),
)
def agenda_cmd(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", min=0, max=3650, help=N_("Targets and forecasts due within N days."))
    ] = 30,
    fmt: Annotated[str, format_option(VIEW, RECORDS)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.agenda import agenda
    from policytrack.domain.workspace import get_framework
    from policytrack.records.candidate import AGENDA_ROW

    fmt = chosen_format(fmt, VIEW, RECORDS, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, VIEW, RECORDS)
    from policytrack.sync.conflicts import all_conflicts

    with opened_store(ctx) as store, store.snapshot():
        # the open conflicts of every kind, as `conflicts` lists them (an entry's by its id here)
        open_now = [str(c["id"]) if c["kind"] == "entry" else c["ref"] for c in all_conflicts(store)]
        items = agenda(store, get_framework(store, framework), days, conflicts=open_now)
    if fmt != "table":
        fields = AGENDA_ROW.names()  # not `shown`: the detail for people, in the command's language
        records = ({name: item[name] for name in fields} for item in items)
        write_formatted(ctx, fmt, AGENDA_ROW, records, sheet="agenda", output=output)
        return
    if not items:
        typer.echo(_("Nothing waits on the team."), err=True)
        return
    from policytrack.render.inbox import agenda_table

    title = ngettext("{n} item waits", "{n} items wait", len(items)).format(n=len(items))
    print_table(console(ctx), agenda_table(items, title))
