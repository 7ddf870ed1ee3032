"""`policytrack redact`: take a free-text field of an entry out of every revision of it, for good.

The command imports the domain module it needs inside its body: start-up stays fast, since typer builds
only the command being run (cli.app_for).
"""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import app, confirm
from policytrack.core.i18n import N_, _


def _complete_field(incomplete: str) -> list[str]:
    from policytrack.records.redaction import REDACTABLE

    return [name for name in REDACTABLE if name.startswith(incomplete)]


@app.command(
    "redact",
    epilog=N_('Example: policytrack redact 3 --field note --reason "names an informant"'),
    help=N_(
        "Take the text of one field of an entry out of every revision of it and out of search, "
        "for good,\n"
        "in this database and, through sync, in every teammate's. History shows who redacted "
        "it, when and why;\n"
        "undo cannot bring it back. The team's git history still holds it (README: Redaction)."
    ),
)
def redact_cmd(
    ctx: typer.Context,
    entry_ref: Annotated[
        str,
        typer.Argument(
            help=N_(
                "Entry id as `policytrack list` shows it, or its team-wide reference "
                "(@ and a uuid prefix: @3f9a1c)."
            )
        ),
    ],
    field: Annotated[
        str,
        typer.Option(
            "--field",
            help=N_("The free-text field to take out, such as note (a wrong name lists them)."),
            autocompletion=_complete_field,
        ),
    ],
    reason: Annotated[
        str, typer.Option("--reason", help=N_("Why it is taken out (history shows it; it travels in sync)."))
    ],
) -> None:
    from policytrack.cli.common import entry_id_arg, opened_store, reference
    from policytrack.domain.context import default_analyst, utc_now
    from policytrack.domain.redaction import check_field, redact

    reference(entry_ref, "entry")  # a bad reference is refused before the database opens
    check_field(field)
    who = default_analyst()
    with opened_store(ctx) as store:
        done = redact(store, entry_id_arg(entry_ref, store), field, reason, who, utc_now())
    if done.already:
        confirm(
            ctx,
            _("{field} of entry {id} is already redacted; nothing new was stored").format(
                field=done.field, id=done.entry_id
            ),
            _("the redaction"),
        )
        return
    message = _("Redacted {field} of entry {id} in every revision of it; the next sync sends the redaction")
    if done.also:
        message = _(
            "Redacted {field} of entry {id}, and {also} which restates it, in every revision of it; the next "
            "sync sends the redactions"
        )
    confirm(
        ctx,
        message.format(field=done.field, id=done.entry_id, also=", ".join(done.also)),
        _("the redaction"),
    )
