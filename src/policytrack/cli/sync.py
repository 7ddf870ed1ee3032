"""`policytrack sync [init|status]` and `policytrack conflicts`: a team's databases kept in step through
a shared git repository (policytrack.sync.engine).

Each command imports the domain modules it needs inside its body: start-up stays fast, since typer builds
only the command being run (cli.app_for).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policytrack.cli.app import confirm
from policytrack.cli.common import opened_store
from policytrack.core.i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Callable

    from policytrack.sync.record import Sender


def _sender() -> Sender:
    """Who syncs: the analyst, their display name from the config file, and now."""
    from policytrack.core.config import setting
    from policytrack.domain.context import default_analyst, utc_now
    from policytrack.sync.record import Sender

    name = setting("display_name")
    return Sender(default_analyst(), str(name).strip() if name else None, utc_now())


sync_app = typer.Typer(
    help=N_(
        "Send this database's changes to a shared git repository and receive the team's "
        "(`policytrack sync`); `sync init REMOTE` first."
    ),
    invoke_without_command=True,
)


@sync_app.callback(
    invoke_without_command=True,
    epilog=N_("Example: policytrack sync init git@example.org:desk/evidence.git && policytrack sync"),
)
def sync_cmd(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Say what would be sent and received; change nothing."))
    ] = False,
) -> None:
    """Send what the shared repository lacks, receive what teammates sent, push (retrying on a race).

    Prints "sent N, received M (K new, J updated), C conflicts" (the conflicts it brought; "C new
    conflicts (T open)" when more are open). Every revision is kept: edits made apart
    to one entry are both in its history, one rule picks the current one, and `policytrack conflicts`
    lists them."""
    if ctx.invoked_subcommand is not None:
        return
    from policytrack.core.config import setting
    from policytrack.sync.engine import status, sync

    sender = _sender()
    with opened_store(ctx) as store:
        if dry_run:
            st = status(store, sender)
            if st.unreachable:
                problem = _("{why}; received counts are as last fetched").format(why=st.unreachable)
                typer.echo(_("policytrack: warning: {problem}").format(problem=problem), err=True)
            typer.echo(
                _("would send {send}, would receive {receive} (dry run: nothing written)").format(
                    send=st.to_send, receive=st.to_receive
                )
            )
            for line in st.set_aside:
                typer.echo(_("policytrack: error: {message}").format(message=line), err=True)
            if st.set_aside:
                raise typer.Exit(1)
            return
        email = setting("email")
        result = sync(store, sender, str(email).strip() if email else None)
    for line in result.unbound:
        typer.echo(_("policytrack: warning: {problem}").format(problem=line), err=True)
    for line in result.set_aside:
        typer.echo(_("policytrack: error: {message}").format(message=line), err=True)
    confirm(ctx, result.summary(), _("the sync"))
    if result.set_aside:
        raise typer.Exit(1)


@sync_app.command(
    "init",
    epilog=N_("Example: policytrack sync init ~/shared/evidence.git"),
    help=N_(
        "Connect this database to a shared git repository (any host; your own git credentials).\n\n"
        "With --signed, a new repository lists your key in its allowed_signers; joining a signed team needs "
        "your key listed there by a teammate first."
    ),
)
def init_cmd(
    ctx: typer.Context,
    remote: Annotated[
        str, typer.Argument(help=N_("A git URL or a local path (an empty one is initialised)."))
    ],
    signed: Annotated[
        bool,
        typer.Option(
            "--signed",
            help=N_(
                "A signed team: every commit is signed with your SSH key, and a teammate's is imported only "
                "when signed by their key in the team's allowed_signers (git 2.34 or later)."
            ),
        ),
    ] = False,
    signing_key: Annotated[
        str | None,
        typer.Option(
            "--signing-key",
            help=N_("With --signed: your SSH key file (its .pub beside it); else git's user.signingkey."),
        ),
    ] = None,
) -> None:
    from policytrack.domain.context import default_analyst
    from policytrack.sync.engine import init

    with opened_store(ctx) as store:
        done = init(store, remote, default_analyst(), signed=signed, signing_key=signing_key)
    confirm(ctx, done, _("the sync setup"))


@sync_app.command(
    "status",
    epilog=N_("Example: policytrack sync status"),
    help=N_("What `policytrack sync` would send and receive, and the conflicts so far; changes nothing."),
)
def status_cmd(ctx: typer.Context) -> None:
    from policytrack.sync.engine import status

    with opened_store(ctx) as store:
        st = status(store, _sender())
    typer.echo(_("remote: {remote}").format(remote=st.remote))
    if st.unreachable:
        typer.echo(
            _("remote not reachable ({why}): what it holds is as last fetched").format(why=st.unreachable)
        )
    typer.echo(_("to send: {count}").format(count=st.to_send))
    typer.echo(_("to receive: {count}").format(count=st.to_receive))
    typer.echo(_("conflicts: {count}").format(count=st.conflicts))
    for line in st.set_aside:
        typer.echo(_("policytrack: error: {message}").format(message=line), err=True)
    if st.set_aside:
        raise typer.Exit(1)


conflicts_app = typer.Typer(
    help=N_(
        "What teammates changed apart (entries, targets, sources, inbox decisions): each side, field by "
        "field; `conflicts resolve REF --keep ...` settles one."
    ),
    invoke_without_command=True,
)


@conflicts_app.callback(
    invoke_without_command=True,
    epilog=N_("Example: policytrack conflicts --json"),
)
def conflicts_cmd(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help=N_("One JSON array of the open conflicts, every side whole."))
    ] = False,
) -> None:
    """Open conflicts: entries edited apart by two databases (both revisions are in its history; the later
    by the sync rule is current), two targets set apart for one indicator, one source key registered
    apart. Each lists what every side changed, field by field, uncut. A later edit, a restore after a
    delete, or `conflicts resolve` settles one, in every database once synced."""
    if ctx.invoked_subcommand is not None:
        return
    from policytrack.domain.context import default_analyst
    from policytrack.records.source import SOURCE_SET
    from policytrack.render.entries import shown_action
    from policytrack.render.text import visible
    from policytrack.sync.engine import conflicts

    with opened_store(ctx) as store:
        found = conflicts(store)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo(_("no conflicts"))
        return
    settle = _("  settle: policytrack conflicts resolve {ref} --keep mine|theirs")
    for item in found:
        if item["kind"] == "entry":
            typer.echo(
                _(
                    "entry {id} @{ref} ({uuid}), edits made apart from revision {start}; current: revision "
                    "{current}"
                ).format(
                    id=item["id"],
                    ref=item["ref"],
                    uuid=item["uuid"],
                    start=item["from_revision"],
                    current=item["current"],
                )
            )
            for r in item["revisions"]:
                typer.echo(
                    _("  revision {n} by {by} at {at} ({action})").format(
                        n=r["revision"],
                        by=visible(r["changed_by"]),
                        at=r["changed_at"],
                        action=shown_action(
                            r["action"], r["changed_by"], r["changed_at"], _after(r["changes"])
                        ),
                    )
                )
                for name, (before, after) in r["changes"].items():
                    typer.echo(
                        f"    {name}: {visible(json.dumps(before, ensure_ascii=False))} -> "
                        f"{visible(json.dumps(after, ensure_ascii=False))}"
                    )
            typer.echo(
                _("  settle: policytrack conflicts resolve {ref} --keep REVISION|mine|theirs").format(
                    ref="@" + item["ref"]  # the team-wide reference: the same in a teammate's database
                )
            )
        elif item["kind"] == "target":
            typer.echo(
                _("targets of {framework}/{indicator} set apart").format(
                    framework=visible(item["framework"]), indicator=visible(item["indicator"])
                )
            )
            for t in item["targets"]:
                note = visible(json.dumps(t["note"], ensure_ascii=False))
                typer.echo(
                    _("  by {by} at {at}: level {level}, start {start}, due {due}, note {note}").format(
                        by=visible(t["set_by"]),
                        at=t["set_at"],
                        level=visible(t["level"] or _("(none)")),
                        start=t["start"],
                        due=t["due"],
                        note=note,
                    )
                )
            typer.echo(settle.format(ref=visible(item["ref"])))
        elif item["kind"] == "decision":
            typer.echo(_decision_conflict(item, visible))
        elif "merge" in item:
            (v,) = item["versions"]
            typer.echo(
                _(
                    "source {key} merged into {into} by {who} at {at}: not applied, {met} was merged into "
                    "{key} first (a merge made apart that would close a cycle)"
                ).format(
                    key=visible(item["key"]),
                    into=visible(item["merge"]["into"]),
                    who=visible(v["changed_by"]),
                    at=v["changed_at"],
                    met=visible(item["merge"]["met"]),
                )
            )
            # the side is the merge's author's: in their own database it is "mine" (theirs names none)
            side = "mine" if v["changed_by"] == default_analyst() else "theirs"
            typer.echo(
                _("  settle: policytrack conflicts resolve {ref} --keep {side} (or edit the source)").format(
                    ref=visible(item["ref"]), side=side
                )
            )
        else:
            typer.echo(
                _("source {key} registered apart (current: {current})").format(
                    key=visible(item["key"]), current=item["current"]
                )
            )
            for v in item["versions"]:
                fields = ", ".join(
                    f"{k} {visible(json.dumps(v[k], ensure_ascii=False))}" for k in SOURCE_SET.names()
                )
                typer.echo(
                    _("  by {by} at {at} ({uuid}): {fields}").format(
                        by=visible(v["changed_by"]), at=v["changed_at"], uuid=v["uuid"], fields=fields
                    )
                )
            typer.echo(settle.format(ref=visible(item["ref"])))


def _after(changes: dict[str, Any]) -> Callable[[str], Any]:
    """A field's value after a side of an entry conflict, from what it changed (None: unchanged)."""
    return lambda name: changes[name][1] if name in changes else None


def _decision_conflict(item: dict[str, Any], visible: Callable[[str], str]) -> str:
    """A candidate decided apart: each analyst's standing decision, the current one marked."""
    from policytrack.core.i18n import _

    which = _("candidate {id}").format(id=item["id"]) if item["id"] is not None else item["uuid"]
    lines = [
        _("{candidate} ({uuid}) decided apart; the latest decision stands").format(
            candidate=which, uuid=item["uuid"]
        )
    ]
    for d in item["decisions"]:
        what = d["action"] + (f" ({visible(d['reason'])})" if d["reason"] else "")
        current = _(" (current)") if d["uuid"] == item["current"] else ""
        lines.append(
            _("  {action} by {analyst} at {at} [{decision}]{current}").format(
                action=what,
                analyst=visible(d["decided_by"]),
                at=d["decided_at"],
                decision=d["uuid"][:8],
                current=current,
            )
        )
    lines.append(
        _("  settle: policytrack conflicts resolve {ref} --keep mine|theirs|DECISION").format(ref=item["ref"])
    )
    return "\n".join(lines)


@conflicts_app.command(
    "resolve",
    epilog=N_("Example: policytrack conflicts resolve 7 --keep theirs"),
    help=N_(
        "Settle a conflict by keeping one side: a new revision (or target, or source version) that copies "
        "it, sent by the next `policytrack sync`, settles it in every database."
    ),
)
def resolve_cmd(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            help=N_(
                "The entry id or reference (@3f9a1c), or target:FRAMEWORK:INDICATOR, source:KEY or "
                "candidate:UUID, as `conflicts` shows."
            )
        ),
    ],
    keep: Annotated[
        str,
        typer.Option(
            "--keep",
            help=N_(
                "The side to keep: a revision number (entries), a decision's uuid or its first 8 characters "
                "(candidates), mine or theirs."
            ),
        ),
    ],
) -> None:
    from policytrack.cli.common import entry_id_arg, reference
    from policytrack.sync.conflicts import resolve

    entry = not ref.startswith(("target:", "source:", "candidate:"))
    if entry:
        reference(ref, "entry")  # a bad reference is refused before the database opens
    with opened_store(ctx) as store:
        done = resolve(store, str(entry_id_arg(ref, store)) if entry else ref, keep.strip(), _sender())
    confirm(ctx, done, _("the resolution"))
