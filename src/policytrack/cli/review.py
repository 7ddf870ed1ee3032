"""`policytrack review`: mark entries reviewed before a report is published.

The command imports the domain module it needs inside its body: start-up stays fast, since typer
builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import app, confirm


@app.command("review", epilog="Example: policytrack review 3 4 7 --by editor")
def review_cmd(
    ctx: typer.Context,
    entry_ids: Annotated[
        list[str],
        typer.Argument(help="Entry ids as `policytrack list` shows them, or their references (@3f9a1c)."),
    ],
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who reviewed them. Default: $POLICYTRACK_ANALYST, else login."),
    ] = None,
) -> None:
    """Mark entries reviewed (each a new revision: who and when). Changing an entry later clears its review;
    `list --unreviewed` shows what is left, `report --reviewed-only` uses only reviewed entries."""
    from policytrack.cli.common import entry_id_arg, opened_store, reference
    from policytrack.domain.context import default_analyst
    from policytrack.domain.reviews import review_entries
    from policytrack.records.models import plural

    for raw in entry_ids:
        reference(raw, "entry")  # a bad reference is refused before the database opens
    with opened_store(ctx) as store:
        ids = [entry_id_arg(raw, store) for raw in entry_ids]
        result = review_entries(store, ids, by if by is not None else default_analyst())
    done = ", ".join(str(e.id) for e in result.reviewed)
    message = f"Reviewed {plural(len(result.reviewed), 'entry', 'entries')}" + (f" ({done})" if done else "")
    if result.already:
        message += "; already reviewed: " + ", ".join(f"{e.id} (by {e.reviewed_by})" for e in result.already)
    confirm(ctx, message, "the review")
