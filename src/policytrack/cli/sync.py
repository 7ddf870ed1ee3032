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
    help="Send this database's changes to a shared git repository and receive the team's "
    "(`policytrack sync`); `sync init REMOTE` first.",
    invoke_without_command=True,
)


@sync_app.callback(
    invoke_without_command=True,
    epilog="Example: policytrack sync init git@example.org:desk/evidence.git && policytrack sync",
)
def sync_cmd(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be sent and received; change nothing.")
    ] = False,
) -> None:
    """Send what the shared repository lacks, receive what teammates sent, push (retrying on a race).

    Prints "sent N, received M (K new, J updated), C conflicts". Every revision is kept: edits made apart
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
                typer.echo(
                    f"policytrack: warning: {st.unreachable}; received counts are as last fetched", err=True
                )
            typer.echo(f"would send {st.to_send}, would receive {st.to_receive} (dry run: nothing written)")
            for line in st.set_aside:
                typer.echo(f"policytrack: error: {line}", err=True)
            if st.set_aside:
                raise typer.Exit(1)
            return
        email = setting("email")
        result = sync(store, sender, str(email).strip() if email else None)
    for line in result.unbound:
        typer.echo(f"policytrack: warning: {line}", err=True)
    for line in result.set_aside:
        typer.echo(f"policytrack: error: {line}", err=True)
    confirm(ctx, result.summary(), "the sync")
    if result.set_aside:
        raise typer.Exit(1)


@sync_app.command("init", epilog="Example: policytrack sync init ~/shared/evidence.git")
def init_cmd(
    ctx: typer.Context,
    remote: Annotated[str, typer.Argument(help="A git URL or a local path (an empty one is initialised).")],
    signed: Annotated[
        bool,
        typer.Option(
            "--signed",
            help="A signed team: every commit is signed with your SSH key, and a teammate's is imported only "
            "when signed by their key in the team's allowed_signers (git 2.34 or later).",
        ),
    ] = False,
    signing_key: Annotated[
        str | None,
        typer.Option(
            "--signing-key",
            help="With --signed: your SSH key file (its .pub beside it); else git's user.signingkey.",
        ),
    ] = None,
) -> None:
    """Connect this database to a shared git repository (any host; your own git credentials).

    With --signed, a new repository lists your key in its allowed_signers; joining a signed team needs
    your key listed there by a teammate first."""
    from policytrack.domain.context import default_analyst
    from policytrack.sync.engine import init

    with opened_store(ctx) as store:
        done = init(store, remote, default_analyst(), signed=signed, signing_key=signing_key)
    confirm(ctx, done, "the sync setup")


@sync_app.command("status", epilog="Example: policytrack sync status")
def status_cmd(ctx: typer.Context) -> None:
    """What `policytrack sync` would send and receive, and the conflicts so far; changes nothing."""
    from policytrack.sync.engine import status

    with opened_store(ctx) as store:
        st = status(store, _sender())
    typer.echo(f"remote: {st.remote}")
    if st.unreachable:
        typer.echo(f"remote not reachable ({st.unreachable}): what it holds is as last fetched")
    typer.echo(f"to send: {st.to_send}")
    typer.echo(f"to receive: {st.to_receive}")
    typer.echo(f"conflicts: {st.conflicts}")
    for line in st.set_aside:
        typer.echo(f"policytrack: error: {line}", err=True)
    if st.set_aside:
        raise typer.Exit(1)


conflicts_app = typer.Typer(
    help="What teammates changed apart (entries, targets, sources): each side, field by field; "
    "`conflicts resolve REF --keep ...` settles one.",
    invoke_without_command=True,
)


@conflicts_app.callback(invoke_without_command=True, epilog="Example: policytrack conflicts --json")
def conflicts_cmd(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON array of the open conflicts, every side whole.")
    ] = False,
) -> None:
    """Open conflicts: entries edited apart by two databases (both revisions are in its history; the later
    by the sync rule is current), two targets set apart for one indicator, one source key registered
    apart. Each lists what every side changed, field by field, uncut. A later edit, a restore after a
    delete, or `conflicts resolve` settles one, in every database once synced."""
    if ctx.invoked_subcommand is not None:
        return
    from policytrack.records.source import SOURCE_SET
    from policytrack.render.text import visible
    from policytrack.sync.engine import conflicts

    with opened_store(ctx) as store:
        found = conflicts(store)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no conflicts")
        return
    for item in found:
        if item["kind"] == "entry":
            typer.echo(
                f"entry {item['id']} @{item['ref']} ({item['uuid']}), edits made apart from revision "
                f"{item['from_revision']}; current: revision {item['current']}"
            )
            for r in item["revisions"]:
                typer.echo(
                    f"  revision {r['revision']} by {visible(r['changed_by'])} at {r['changed_at']} "
                    f"({r['action']})"
                )
                for name, (before, after) in r["changes"].items():
                    typer.echo(
                        f"    {name}: {visible(json.dumps(before, ensure_ascii=False))} -> "
                        f"{visible(json.dumps(after, ensure_ascii=False))}"
                    )
            typer.echo(f"  settle: policytrack conflicts resolve {item['id']} --keep REVISION|mine|theirs")
        elif item["kind"] == "target":
            typer.echo(f"targets of {visible(item['framework'])}/{visible(item['indicator'])} set apart")
            for t in item["targets"]:
                note = visible(json.dumps(t["note"], ensure_ascii=False))
                typer.echo(
                    f"  by {visible(t['set_by'])} at {t['set_at']}: level {visible(t['level'] or '(none)')}, "
                    f"start {t['start']}, due {t['due']}, note {note}"
                )
            typer.echo(f"  settle: policytrack conflicts resolve {visible(item['ref'])} --keep mine|theirs")
        elif item["kind"] == "decision":
            typer.echo(_decision_conflict(item, visible))
        else:
            typer.echo(f"source {visible(item['key'])} registered apart (current: {item['current']})")
            for v in item["versions"]:
                fields = ", ".join(
                    f"{k} {visible(json.dumps(v[k], ensure_ascii=False))}" for k in SOURCE_SET.names()
                )
                typer.echo(f"  by {visible(v['changed_by'])} at {v['changed_at']} ({v['uuid']}): {fields}")
            typer.echo(f"  settle: policytrack conflicts resolve {visible(item['ref'])} --keep mine|theirs")


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
            _("  {action} by {analyst} at {at}{current}").format(
                action=what, analyst=visible(d["decided_by"]), at=d["decided_at"], current=current
            )
        )
    lines.append(
        _("  settle: the analyst whose decision should not stand takes it back with `policytrack undo`")
    )
    return "\n".join(lines)


@conflicts_app.command("resolve", epilog="Example: policytrack conflicts resolve 7 --keep theirs")
def resolve_cmd(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            help="The entry id or reference (@3f9a1c), or target:FRAMEWORK:INDICATOR, or source:KEY, "
            "as `conflicts` shows."
        ),
    ],
    keep: Annotated[
        str,
        typer.Option("--keep", help="The side to keep: a revision number (entries), mine or theirs."),
    ],
) -> None:
    """Settle a conflict by keeping one side: a new revision (or target, or source version) that copies it,
    sent by the next `policytrack sync`, settles it in every database."""
    from policytrack.cli.common import entry_id_arg, reference
    from policytrack.sync.conflicts import resolve

    entry = not ref.startswith(("target:", "source:"))
    if entry:
        reference(ref, "entry")  # a bad reference is refused before the database opens
    with opened_store(ctx) as store:
        done = resolve(store, str(entry_id_arg(ref, store)) if entry else ref, keep.strip(), _sender())
    confirm(ctx, done, "the resolution")
