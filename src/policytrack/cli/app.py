"""The typer application, its global options, and the one place errors become exit codes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from policytrack import __version__
from policytrack.errors import PolicytrackError


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise; messages may quote stored or imported text,
    so its control characters are shown visibly (display.visible)."""
    from policytrack.display import visible

    line = visible(" ".join(message.split()))
    typer.echo(f"policytrack: error: {line}", err=True)
    return typer.Exit(code)


class PolicytrackGroup(TyperGroup):
    """Converts domain errors into one line on stderr and exit code 1, once, for every command."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PolicytrackError as exc:
            raise fail(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            state = ctx.find_object(State)
            where = f" {state.db_path}" if state and state.db_path else ""
            raise fail(
                f"database{where} could not be used ({exc}); check it with `policytrack db check`"
            ) from None


@dataclass
class State:
    db_option: str | None = None
    no_color: bool = False
    db_path: Path | None = None


HELP = """Track whether published policy recommendations are carried out.

Log dated, sourced, graded evidence against a framework's indicators and see where each stands.
The embedded framework is the five-point way forward of Paa Kwesi Wolseley Prah's article on
China's support for Mali's military (The Conversation).
"""


def new_app() -> typer.Typer:
    """The root application's settings (also used for the one-command app that `main` runs)."""
    return typer.Typer(
        cls=PolicytrackGroup,
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


app = new_app()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"policytrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database file. Default: $POLICYTRACK_DB, else the user data directory "
            "(`policytrack db path` prints it).",
            metavar="PATH",
        ),
    ] = None,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour in output (NO_COLOR works too).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Track whether published policy recommendations are carried out."""
    ctx.obj = State(db_option=db, no_color=no_color)
