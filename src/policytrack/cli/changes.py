"""`policytrack undo` and `revert`: take a change back as a new revision, after showing what will change."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from policytrack.cli.app import app, confirm
from policytrack.cli.common import console, entry_id_arg, opened_store, reference
from policytrack.core.errors import InputError
from policytrack.core.i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Callable

    from policytrack.domain.undo import Reversal
    from policytrack.store import Store

YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help=N_("Show what would change; change nothing."))]


def _run(ctx: typer.Context, plan_with: Callable[[Store], Reversal], *, yes: bool, dry_run: bool) -> None:
    """Plan, show the diff, ask (unless --yes), then plan again under the write lock and write."""
    from policytrack.domain.context import default_analyst, utc_now
    from policytrack.domain.undo import apply
    from policytrack.render.entries import reversal_table

    with opened_store(ctx) as store:
        with store.snapshot():
            plan = plan_with(store)
        console(ctx).print(reversal_table(plan))
        undo = plan.command == "undo"
        if dry_run:
            typer.echo(
                _("Dry run: nothing was changed; run it without --dry-run to undo.")
                if undo
                else _("Dry run: nothing was changed; run it without --dry-run to revert."),
                err=True,
            )
            return
        if not yes:
            if not sys.stdin.isatty():
                raise InputError(
                    _("not running undo without --yes when not run from a terminal")
                    if undo
                    else _("not running revert without --yes when not run from a terminal")
                )
            if not typer.confirm(_("Undo this?") if undo else _("Revert this?"), err=True):
                typer.echo(
                    _("Nothing was changed (undo declined).")
                    if undo
                    else _("Nothing was changed (revert declined)."),
                    err=True,
                )
                return
        with store.transaction():
            done = apply(store, plan, plan_with(store), default_analyst(), utc_now())
    if undo:
        confirm(ctx, _("Undid {change}: {done}").format(change=plan.title, done=done), _("the undo"))
    else:
        confirm(ctx, _("Reverted {change}: {done}").format(change=plan.title, done=done), _("the revert"))


@app.command(
    "undo",
    epilog=N_("Example: policytrack undo --dry-run"),
    help=N_(
        "Take back your latest change (a log, edit, delete, restore, target or framework "
        "update) as a new\n"
        "revision: it shows the change before and after, and asks. Run it again to step "
        "further back."
    ),
)
def undo_cmd(ctx: typer.Context, yes: YesOpt = False, dry_run: DryRunOpt = False) -> None:
    from policytrack.domain.context import default_analyst
    from policytrack.domain.undo import plan_undo

    analyst = default_analyst()
    _run(ctx, lambda store: plan_undo(store, analyst), yes=yes, dry_run=dry_run)


@app.command(
    "revert",
    epilog=N_("Example: policytrack revert 3 --to 1"),
    help=N_(
        "Make an earlier revision of an entry current again, as a new revision (history keeps them all)."
    ),
)
def revert_cmd(
    ctx: typer.Context,
    entry_id: Annotated[
        str,
        typer.Argument(
            help=N_(
                "Entry id as `policytrack list` shows it, or its team-wide reference "
                "(@ and a uuid prefix: @3f9a1c)."
            )
        ),
    ],
    to: Annotated[
        str, typer.Option("--to", help=N_("The revision to make current (`policytrack history ID`)."))
    ],
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    from policytrack.domain.undo import plan_revert

    reference(entry_id, "entry")  # a bad reference is refused before the database opens
    revision = _revision(to)
    _run(
        ctx,
        lambda store: plan_revert(store, entry_id_arg(entry_id, store), revision),
        yes=yes,
        dry_run=dry_run,
    )


def _revision(raw: str) -> int:
    digits = raw.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 16 or int(digits) < 1:
        raise InputError(
            _("invalid --to {value!r}: give a revision number that `policytrack history ID` shows").format(
                value=raw
            )
        )

    return int(digits)
