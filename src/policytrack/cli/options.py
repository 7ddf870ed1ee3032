"""The options several commands share (framework, indicator, window, tags, words, dates, grades), and the
one way to choose an output: `--format`, with `--json` and `--csv` as its aliases."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policytrack.cli.app import fail
from policytrack.cli.common import (
    complete_actor,
    complete_framework,
    complete_indicator,
    complete_signal,
    complete_status,
    complete_tag,
    read_date,
)
from policytrack.core.i18n import N_, N_format, _
from policytrack.render.takes import TABLE

if TYPE_CHECKING:
    from policytrack.records.listed import EntryFilter

IndicatorArg = Annotated[
    str,
    typer.Argument(
        help=N_("Indicator key, number or unambiguous prefix (`policytrack indicators` lists them)."),
        autocompletion=complete_indicator,
        show_default=False,
    ),
]
FrameworkOpt = Annotated[
    str | None,
    typer.Option(
        "--framework",
        "-F",
        help=N_("Framework name. Default: $POLICYTRACK_FRAMEWORK, else the embedded Mali framework."),
        autocompletion=complete_framework,
        show_default=False,
    ),
]
IndicatorsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--indicator", "-i", help=N_("Only this indicator; repeatable."), autocompletion=complete_indicator
    ),
]
SinceOpt = Annotated[
    str | None, typer.Option(help=N_("From this date, inclusive (a month counts from its 1st)."))
]
UntilOpt = Annotated[
    str | None, typer.Option(help=N_("Up to this date, inclusive (--until 2024 includes all of 2024)."))
]
TagsOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help=N_("Has this tag; repeatable."), autocompletion=complete_tag),
]
GrepOpt = Annotated[
    str | None,
    typer.Option(help=N_("Words in the summary, note or source (any case; 'minus' finds 'MINUSMA').")),
]


ActorsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--actor",
        "-a",
        help=N_("Involves this actor; repeatable (all of them)."),
        autocompletion=complete_actor,
    ),
]
AnalystsOpt = Annotated[
    list[str] | None, typer.Option("--analyst", help=N_("Logged by this analyst; repeatable (any of them)."))
]
StatusesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help=N_("Assesses this status level; repeatable (any of them)."),
        autocompletion=complete_status,
    ),
]
GradesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--grade",
        "-g",
        help=N_("Graded so: a code (B2), a reliability (B) or a credibility (2); repeatable (any of them)."),
    ),
]
MinGradeOpt = Annotated[
    str | None,
    typer.Option(
        "--min-grade", help=N_("Graded at least this well: B3 means reliability A-B and credibility 1-3.")
    ),
]
EffectOpt = Annotated[
    str | None, typer.Option("--effect", "-e", help=N_("This effect (-1, +2) or a range of them (-2..-1)."))
]
SignalsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--signal",
        help=N_(
            "The key of a signal of the indicator this entry observes (KEY=SIGNAL: of one indicator of "
            "several); repeatable (`policytrack signposts KEY` lists them)."
        ),
        autocompletion=complete_signal,
    ),
]
AdvancingOpt = Annotated[
    bool, typer.Option("--advancing", help=N_("Advancing evidence only (effect +1, +2)."))
]
HinderingOpt = Annotated[
    bool, typer.Option("--hindering", help=N_("Hindering evidence only (effect -1, -2)."))
]


def read_window(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """--since and --until as the first day of the one's period and the last day of the other's (--until
    2024 means to 31 December 2024), each optional; dates.window_end checks their order."""
    start = read_date(since, "--since").start if since is not None else None
    end = read_date(until, "--until", allow_future=True).end if until is not None else None
    return start, end


def entry_filter(ctx: typer.Context) -> EntryFilter:
    """The filter that `list` and `export entries` build from the options they share, read from the
    command's parsed parameters (both name them alike; `export entries` has no --deleted)."""
    from policytrack.core.grades import grade_selector, parse_grade
    from policytrack.domain.entries import effect_range
    from policytrack.records.listed import EntryFilter  # here: log never builds one (start-up)

    p = ctx.params
    start, end = read_window(p["since"], p["until"])
    min_grade = p["min_grade"]
    return EntryFilter(
        indicators=p["indicator"] or [],
        since=start,
        until=end,
        tags=p["tag"] or [],
        grep=p["grep"],
        include_deleted=p.get("deleted", False),
        actors=p["actor"] or [],
        analysts=p["analyst"] or [],
        statuses=p["status"] or [],
        grades=[grade_selector(g) for g in p["grade"] or []],
        min_grade=parse_grade(min_grade, "--min-grade") if min_grade else None,
        effects=effect_range(p["effect"], advancing=p["advancing"], hindering=p["hindering"]),
        unreviewed=p.get("unreviewed", False),
        returned=p.get("returned", False),
    )


DATE_HELP = N_(
    "When it happened: 2025-01-29, '29 January 2025', 2024-09, 'Sept 2024', 2024, today, "
    "yesterday, '3 days ago', 'last week', 'last month'. Month and year dates keep their precision."
)
EFFECT_HELP = N_(
    "Effect on the indicator, -2 (strongly hinders) to +2 (strongly advances); 0 is context. "
    "For a risk indicator, +2 means the risk strongly grows."
)
STATUS_HELP = N_("Your assessment of the indicator as of this date: a level of the framework's scale.")
GRADE_HELP = N_("Admiralty code: source reliability A-F then information credibility 1-6, e.g. B2.")
DayFirst = Annotated[bool, typer.Option("--dayfirst", help=N_("Read 01/02/2024 as 1 February 2024."))]
MonthFirst = Annotated[bool, typer.Option("--monthfirst", help=N_("Read 01/02/2024 as 2 January 2024."))]


def format_option(*takes: str, default: str = TABLE) -> Any:
    """The `--format` option of a command whose output is what `takes` names (render.formats: records,
    a report, a drawing, the table view...): its choices are every format of the registry that takes one
    of them, `default` first. Use it as `Annotated[str, format_option(...)]`, and read it with
    chosen_format, which checks the choice against the registry as it is when the command runs."""
    from policytrack.render.formats import formats_taking

    choices = formats_taking(*takes, default=default)
    return typer.Option(
        "--format",
        "-f",
        # filled now, in English, and shown in the language of the command (cli.app.in_language)
        help=N_format(N_("Output format: {choices}."), choices=", ".join(choices)),
        autocompletion=lambda: list(formats_taking(*takes, default=default)),
    )


OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help=N_("File to write (atomically); '-' or none: stdout.")),
]
JsonAlias = Annotated[bool, typer.Option("--json", help=N_("Alias of --format json."))]
CsvAlias = Annotated[bool, typer.Option("--csv", help=N_("Alias of --format csv."))]


def chosen_format(
    fmt: str, *takes: str, default: str = TABLE, as_json: bool = False, as_csv: bool = False
) -> str:
    """The format a command was asked for, from --format and its aliases; a usage error if they disagree
    or name a format the command does not offer (its choices: format_option's, from the registry)."""
    from policytrack.render.formats import formats_taking

    choices = formats_taking(*takes, default=default)
    if as_json and as_csv:
        raise fail(_("--json and --csv cannot be used together"), 2)
    alias = "json" if as_json else "csv" if as_csv else None
    if alias and fmt not in (choices[0], alias):
        raise fail(
            _("--{alias} and --format {format} cannot be used together").format(alias=alias, format=fmt),
            2,
        )
    chosen = alias or fmt
    if chosen not in choices:
        raise fail(
            _("unknown --format {format!r}: use one of {choices}").format(
                format=chosen, choices=", ".join(choices)
            ),
            2,
        )
    return chosen


def check_output(fmt: str, output: str | None, *takes: str) -> None:
    """-o takes a file format: with the table (the terminal's view) it is a usage error naming the
    formats that write a file."""
    if output is not None and fmt == TABLE:
        from policytrack.render.formats import formats_taking

        files = [name for name in formats_taking(*takes) if name != TABLE]
        raise fail(_("-o writes a file: use it with --format {choices}").format(choices=", ".join(files)), 2)
