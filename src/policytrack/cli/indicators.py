"""`policytrack indicators`: the framework's indicators and where each stands."""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import app
from policytrack.cli.common import console, opened_store
from policytrack.cli.entries import FrameworkOpt


@app.command("indicators", epilog="Example: policytrack indicators --json")
def indicators_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of objects.")] = False,
    framework: FrameworkOpt = None,
) -> None:
    """The indicators: number, key, title, current status, evidence count, last evidence date."""
    from policytrack.render.entries import indicator_dicts, indicators_table, to_json
    from policytrack.status import indicator_states
    from policytrack.workspace import get_framework

    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        states = indicator_states(store, fw)
    if as_json:
        typer.echo(to_json(indicator_dicts(states)))
    else:
        console(ctx).print(indicators_table(fw, states))
