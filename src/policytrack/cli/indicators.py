"""`policytrack indicators`: the framework's indicators and where each stands.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import app
from policytrack.cli.common import console, opened_store, write_formatted
from policytrack.cli.options import (
    RECORD_FORMATS,
    CsvAlias,
    FrameworkOpt,
    JsonAlias,
    chosen_format,
    format_option,
)

FORMATS = RECORD_FORMATS


@app.command("indicators", epilog="Example: policytrack indicators --json")
def indicators_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, format_option(*FORMATS)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    framework: FrameworkOpt = None,
) -> None:
    """The indicators: number, key, title, current status, evidence count, last evidence date."""
    from policytrack.render.entries import INDICATOR_FIELDS, indicator_dicts, indicators_table
    from policytrack.status import indicator_states
    from policytrack.workspace import get_framework

    fmt = chosen_format(fmt, FORMATS, as_json=as_json, as_csv=as_csv)
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        states = indicator_states(store, fw)
    if fmt != "table":
        write_formatted(ctx, fmt, INDICATOR_FIELDS, indicator_dicts(states), sheet="indicators")
    else:
        console(ctx).print(indicators_table(fw, states))
