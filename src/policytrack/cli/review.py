"""`policytrack review`: mark entries reviewed before a report is published.

The command imports the domain module it needs inside its body: start-up stays fast, since typer
builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import app, confirm
from policytrack.core.i18n import N_, _


@app.command(
    "review",
    epilog=N_(
        "Example: policytrack review 3 4 7 --by editor, or policytrack review 5 --request-changes "
        '"cite the decree itself"'
    ),
    help=N_(
        "Mark entries reviewed (each a new revision: who and when), or return them to "
        "their author with\n"
        "--request-changes. Changing an entry later clears its review; `list "
        "--unreviewed` shows what is left,\n"
        "`report --reviewed-only` uses only reviewed entries. Your own entries need "
        "--self."
    ),
)
def review_cmd(
    ctx: typer.Context,
    entry_ids: Annotated[
        list[str],
        typer.Argument(help=N_("Entry ids as `policytrack list` shows them, or their references (@3f9a1c).")),
    ],
    by: Annotated[
        str | None,
        typer.Option("--by", help=N_("Who reviews them. Default: $POLICYTRACK_ANALYST, else login.")),
    ] = None,
    own: Annotated[
        bool, typer.Option("--self", help=N_("Review entries of your own (refused without it)."))
    ] = False,
    request_changes: Annotated[
        str | None,
        typer.Option(
            "--request-changes",
            metavar="COMMENT",
            help=N_(
                "Return the entries to their author with what to change, instead of marking them "
                "reviewed (`list --returned` shows them; the author's next edit clears it)."
            ),
        ),
    ] = None,
) -> None:
    from policytrack.cli.common import entry_id_arg, opened_store, reference
    from policytrack.domain.context import default_analyst
    from policytrack.domain.reviews import return_entries, review_entries
    from policytrack.records.models import plural

    for raw in entry_ids:
        reference(raw, "entry")  # a bad reference is refused before the database opens
    reviewer = by if by is not None else default_analyst()
    if request_changes is not None:
        with opened_store(ctx) as store:
            ids = [entry_id_arg(raw, store) for raw in entry_ids]
            returned = return_entries(store, ids, reviewer, request_changes, allow_self=own)
        authors = ", ".join(sorted({e.analyst for e in returned}))
        done = ", ".join(str(e.id) for e in returned)
        counted = plural(len(returned), "entry", "entries")
        confirm(
            ctx,
            _("Returned {entries} ({ids}) to {authors} for changes").format(
                entries=counted, ids=done, authors=authors
            ),
            _("the return"),
        )
        return
    with opened_store(ctx) as store:
        ids = [entry_id_arg(raw, store) for raw in entry_ids]
        result = review_entries(store, ids, reviewer, allow_self=own)
    done = ", ".join(str(e.id) for e in result.reviewed)
    message = _("Reviewed {entries}").format(entries=plural(len(result.reviewed), "entry", "entries")) + (
        f" ({done})" if done else ""
    )
    if result.already:
        message += _("; already reviewed: {entries}").format(
            entries=", ".join(
                _("{id} (by {analyst})").format(id=e.id, analyst=e.reviewed_by) for e in result.already
            )
        )
    confirm(ctx, message, _("the review"))
