"""`policytrack indicators`: the framework's indicators and where each stands.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import app
from policytrack.cli.common import (
    complete_indicator,
    console,
    for_people,
    opened_store,
    print_table,
    write_formatted,
)
from policytrack.cli.options import (
    CsvAlias,
    FrameworkOpt,
    JsonAlias,
    OutputOpt,
    SinceOpt,
    UntilOpt,
    check_output,
    chosen_format,
    format_option,
    read_window,
)
from policytrack.core.i18n import _
from policytrack.render.formats import RECORDS, VIEW

OUTPUT = (VIEW, RECORDS)  # both commands print records (render.formats)


@app.command(
    "indicators",
    epilog=_("Example: policytrack indicators --json"),
    help=_("The indicators: number, key, title, current status, evidence count, last evidence date."),
)
def indicators_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, format_option(*OUTPUT)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.status import indicator_states
    from policytrack.domain.workspace import get_framework
    from policytrack.records.indicator import INDICATOR_ROW
    from policytrack.render.entries import indicator_dicts, indicators_table

    fmt = chosen_format(fmt, *OUTPUT, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, *OUTPUT)
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        if fmt == "table":  # for people: the framework's texts in their language; data keeps its own
            fw = for_people(store, fw)
        states = indicator_states(store, fw)
    if fmt != "table":
        records = indicator_dicts(states)
        write_formatted(ctx, fmt, INDICATOR_ROW, records, sheet="indicators", output=output)
    else:
        print_table(console(ctx), indicators_table(fw, states), first=(_("As of"),))


@app.command(
    "signposts",
    epilog=_("Example: policytrack signposts regional --since 2024"),
    help=_(
        "Each signal of progress or regression: observed (first and last date, entries, "
        "sources) or awaited.\n"
        "`policytrack log KEY ... --signal SIGNAL` records an observation."
    ),
)
def signposts_cmd(
    ctx: typer.Context,
    indicator: Annotated[
        str | None,
        typer.Argument(
            help=_("Only this indicator (key, number or prefix)."), autocompletion=complete_indicator
        ),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fmt: Annotated[str, format_option(*OUTPUT)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.signposts import signpost_dicts, signposts
    from policytrack.domain.workspace import get_framework
    from policytrack.render.signposts import signposts_count, signposts_table

    fmt = chosen_format(fmt, *OUTPUT, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, *OUTPUT)
    since_date, until_date = read_window(since, until)
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        if fmt == "table":  # for people: the framework's texts in their language; data keeps its own
            fw = for_people(store, fw)
        states = signposts(store, fw, [indicator] if indicator else [], since_date, until_date)
    if fmt != "table":
        from policytrack.records.signal import SIGNPOST_ROW

        records = signpost_dicts(states)
        write_formatted(ctx, fmt, SIGNPOST_ROW, records, sheet="signposts", output=output)
        return
    if not states:
        typer.echo(
            f"No signals: the framework gives {'this indicator' if indicator else 'none'} any.", err=True
        )
        return
    from policytrack.render.entries import left_out_note
    from policytrack.render.signposts import LEFT_OUT_HINT

    title = f"{fw.name}: {signposts_count(states)}"
    out = console(ctx)
    table, dropped = signposts_table(states, title, indicator_column=indicator is None, width=out.width)
    out.print(table)
    if dropped:
        out.print(left_out_note(dropped, LEFT_OUT_HINT))
