"""`policytrack sync [init|status]` and `policytrack conflicts`: a team's databases kept in step through
a shared git repository (policytrack.sync.engine).

Each command imports the domain modules it needs inside its body: start-up stays fast, since typer builds
only the command being run (cli.app_for).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from policytrack.cli.app import app, confirm
from policytrack.cli.common import opened_store

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
    from policytrack.domain.context import default_analyst, utc_now
    from policytrack.sync.engine import status, sync

    with opened_store(ctx) as store:
        if dry_run:
            st = status(store)
            if st.unreachable:
                typer.echo(
                    f"policytrack: warning: {st.unreachable}; received counts are as last fetched", err=True
                )
            typer.echo(f"would send {st.to_send}, would receive {st.to_receive} (dry run: nothing written)")
            return
        result = sync(store, default_analyst(), utc_now())
    confirm(ctx, result.summary(), "the sync")


@sync_app.command("init", epilog="Example: policytrack sync init ~/shared/evidence.git")
def init_cmd(
    ctx: typer.Context,
    remote: Annotated[str, typer.Argument(help="A git URL or a local path (an empty one is initialised).")],
) -> None:
    """Connect this database to a shared git repository (any host; your own git credentials)."""
    from policytrack.domain.context import default_analyst
    from policytrack.sync.engine import init

    with opened_store(ctx) as store:
        done = init(store, remote, default_analyst())
    confirm(ctx, done, "the sync setup")


@sync_app.command("status", epilog="Example: policytrack sync status")
def status_cmd(ctx: typer.Context) -> None:
    """What `policytrack sync` would send and receive, and the conflicts so far; changes nothing."""
    from policytrack.sync.engine import status

    with opened_store(ctx) as store:
        st = status(store)
    typer.echo(f"remote: {st.remote}")
    if st.unreachable:
        typer.echo(f"remote not reachable ({st.unreachable}): what it holds is as last fetched")
    typer.echo(f"to send: {st.to_send}")
    typer.echo(f"to receive: {st.to_receive}")
    typer.echo(f"conflicts: {st.conflicts}")


@app.command("conflicts", epilog="Example: policytrack conflicts --json")
def conflicts_cmd(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON array of the revisions in conflict.")
    ] = False,
) -> None:
    """Entries edited apart by two databases: both revisions are in the entry's history (`policytrack
    history ID`); the later by the sync rule is the current one."""
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
        sides = "; ".join(
            f"revision {r['revision']} by {visible(r['changed_by'])} at {r['changed_at']} "
            f"({r['action']}: {visible(r['summary'][:60])})"
            for r in item["revisions"]
        )
        typer.echo(
            f"entry {item['id']} ({item['uuid']}), edits made apart from revision {item['from_revision']}: "
            f"{sides}; current: revision {item['current']}"
        )
