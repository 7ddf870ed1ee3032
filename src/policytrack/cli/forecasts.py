"""`policytrack forecast`, `forecasts` and `withdraw`: forecasts stated in ICD 203 terms, resolved from the
status history, and scored.

Each command imports the domain and rendering modules it needs inside its body: start-up stays fast,
since typer builds only the command being run (cli.app_for).
"""

from __future__ import annotations

from typing import Annotated

import typer

from policytrack.cli.app import app, confirm, fail
from policytrack.cli.common import (
    complete_status,
    console,
    for_people,
    opened_store,
    print_table,
    read_date,
    write_formatted,
)
from policytrack.cli.options import (
    CsvAlias,
    FrameworkOpt,
    IndicatorArg,
    JsonAlias,
    OutputOpt,
    check_output,
    chosen_format,
    format_option,
)
from policytrack.core.i18n import N_, N_format, _
from policytrack.domain.likelihood import BANDS, CONFIDENCE, band_label
from policytrack.render.formats import RECORDS, VIEW


@app.command(
    "forecast",
    epilog=N_(
        "Example: policytrack forecast regional in-progress --by 2027-12 --likelihood likely "
        "--confidence moderate"
    ),
    help=N_(
        "Record a forecast: that INDICATOR will be at LEVEL or beyond by a date, and how "
        "likely that is.\n"
        "It resolves by itself from the status history once the date has passed."
    ),
)
def forecast_cmd(
    ctx: typer.Context,
    indicator: IndicatorArg,
    level: Annotated[
        str,
        typer.Argument(
            help=N_("The status level the indicator will be at or beyond (for a risk: at or worse)."),
            autocompletion=complete_status,
        ),
    ],
    by: Annotated[str, typer.Option("--by", help=N_("By this date (day, month or year; today or later)."))],
    likelihood: Annotated[
        str,
        typer.Option(
            "--likelihood",
            "-l",
            help=N_format(
                N_("A percentage from 1 to 99 (70 or 70%), or an ICD 203 phrase: {phrases}."),
                phrases=", ".join(f"{b.name} ({b.percent}%)" for b in BANDS),
            ),
        ),
    ],
    confidence: Annotated[
        str | None,
        typer.Option(
            "--confidence",
            "-c",
            help=N_format(N_("Confidence in the judgement: {levels}."), levels=", ".join(CONFIDENCE)),
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", "-n", help=N_("Why: the reasoning behind it."))] = "",
    analyst: Annotated[
        str | None,
        typer.Option("--analyst", help=N_("Who forecasts. Default: $POLICYTRACK_ANALYST, else login.")),
    ] = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.forecasts import ForecastInput, make_forecast
    from policytrack.domain.workspace import get_framework

    data = ForecastInput(
        indicator=indicator,
        level=level,
        due=read_date(by, "due", allow_future=True),
        likelihood=likelihood,
        confidence=confidence,
        note=note,
        analyst=analyst or "",
    )
    with opened_store(ctx) as store:
        f = make_forecast(store, get_framework(store, framework), data)
    confirm(
        ctx,
        _(
            "Forecast {id}: {indicator} at {level} or beyond by {due}, {likelihood}% ({band}), by {analyst}"
        ).format(
            id=f.id,
            indicator=f.indicator,
            level=f.level,
            due=f.due.shown_by,
            likelihood=f.likelihood,
            band=band_label(f.band),
            analyst=f.analyst,
        ),
        _("forecast {id}").format(id=f.id),
    )


@app.command(
    "forecasts",
    epilog=N_("Example: policytrack forecasts --resolved --score"),
    help=N_("List forecasts with their outcome (open, yes, no, withdrawn), or score the resolved ones."),
)
def forecasts_cmd(
    ctx: typer.Context,
    only_open: Annotated[
        bool, typer.Option("--open", help=N_("Only forecasts whose date has not passed."))
    ] = False,
    resolved: Annotated[
        bool, typer.Option("--resolved", help=N_("Only resolved forecasts (yes or no)."))
    ] = False,
    analyst: Annotated[
        list[str] | None,
        typer.Option("--analyst", help=N_("Made by this analyst; repeatable (any of them).")),
    ] = None,
    score: Annotated[
        bool,
        typer.Option("--score", help=N_("Brier score per analyst and a calibration table by ICD 203 band.")),
    ] = False,
    fmt: Annotated[str, format_option(VIEW, RECORDS)] = "table",
    as_json: JsonAlias = False,
    as_csv: CsvAlias = False,
    output: OutputOpt = None,
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.domain.forecasts import NO, OPEN, YES, list_forecasts
    from policytrack.domain.forecasts import score as scored
    from policytrack.domain.workspace import get_framework
    from policytrack.records.forecast import FORECAST_LISTED, SCORE

    if only_open and resolved:
        raise fail(_("--open and --resolved cannot be used together: choose one"), 2)
    fmt = chosen_format(fmt, VIEW, RECORDS, as_json=as_json, as_csv=as_csv)
    check_output(fmt, output, VIEW, RECORDS)
    outcomes = [OPEN] if only_open else [YES, NO] if resolved else []
    with opened_store(ctx) as store:
        fw = get_framework(store, framework)
        found = list_forecasts(store, fw, analysts=analyst or [], outcomes=outcomes)
        # the table's title in the reader's language (the data formats below never show it)
        shown_title = for_people(store, fw).title if fmt == "table" and not score and found else fw.title
    if score:
        from policytrack.render.forecasts import score_records, score_tables

        result = scored(found)
        if fmt != "table":
            write_formatted(ctx, fmt, SCORE, score_records(result), sheet="scores", output=output)
            return
        for item in score_tables(result):
            console(ctx).print(item)
        return
    if fmt != "table":
        records = (f.as_dict() for f in found)
        write_formatted(ctx, fmt, FORECAST_LISTED, records, sheet="forecasts", output=output)
        return
    if not found:
        typer.echo(
            _("No forecasts match; `policytrack forecast KEY LEVEL --by DATE -l P` makes one."), err=True
        )
        return
    from policytrack.records.models import plural
    from policytrack.render.forecasts import forecasts_table

    title = _("{framework}: {count}").format(
        framework=shown_title, count=plural(len(found), "forecast", "forecasts")
    )
    # the note, who made it and when go first, then the team-wide reference; the outcome stays as long as
    # it can
    first = (_("Note"), _("Made"), _("Confidence"), _("Analyst"), _("Ref"))
    print_table(console(ctx), forecasts_table(found, title), first=first)


@app.command(
    "withdraw",
    epilog=N_("Example: policytrack withdraw 2"),
    help=N_(
        "Withdraw a forecast: it stays in the list and the exports, marked withdrawn, and is not scored."
    ),
)
def withdraw_cmd(
    ctx: typer.Context,
    forecast: Annotated[
        str,
        typer.Argument(
            help=N_("Forecast id as `policytrack forecasts` shows it, or @ and a uuid prefix (@3f9a1c).")
        ),
    ],
    framework: FrameworkOpt = None,
) -> None:
    from policytrack.cli.common import reference, resolve_id
    from policytrack.domain.forecasts import withdraw_forecast
    from policytrack.domain.workspace import get_framework

    reference(forecast, "forecast")  # a bad reference is refused before the database opens
    with opened_store(ctx) as store:
        f = withdraw_forecast(store, get_framework(store, framework), resolve_id(store, forecast, "forecast"))
    confirm(
        ctx,
        _("Withdrew forecast {id} {ref} ({indicator} at {level} by {due})").format(
            id=f.id, ref=f.ref, indicator=f.indicator, level=f.level, due=f.due.shown_by
        ),
        _("the withdrawal"),
    )
