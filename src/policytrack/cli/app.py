"""The typer application, its global options, and the one place errors become exit codes."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from policytrack import __version__
from policytrack.core.errors import PolicytrackError, StreamClosedError
from policytrack.core.i18n import _
from policytrack.core.storable import storable
from policytrack.render.text import visible

MAX_MESSAGE = 1000


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise; messages may quote stored or imported text,
    so its control characters are shown visibly (render.text.visible)."""
    line = " ".join(visible(message).split())  # visible first: split() would fold \x1c-\x1f, \x85 to spaces
    if len(line) > MAX_MESSAGE:  # a message quoting a huge input keeps its start and its fix (the end)
        line = f"{line[: MAX_MESSAGE - 300]} ... {line[-250:]}"
    try:
        template = _("policytrack: error: {message}")
    except PolicytrackError:  # the config's language was the first thing asked for: now it is settled
        template = _("policytrack: error: {message}")
    typer.echo(template.format(message=line), err=True)
    return typer.Exit(code)


def check_args(args: Sequence[str]) -> None:
    """Arguments that are not valid UTF-8 (bytes the terminal could not decode) are a usage error."""
    for number, arg in enumerate(args, start=1):
        if not storable(arg):
            raise fail(
                _("argument {number} is not valid UTF-8; check the terminal's encoding (locale)").format(
                    number=number
                ),
                2,
            )
    # Text that starts with '-' (a summary such as "-2 soldiers killed") would be read as an unknown option:
    # say where it goes instead. Only text with a space is surely not an option, and only before `--`.
    for arg in args[: args.index("--")] if "--" in args else args:
        if arg.startswith("-") and any(c.isspace() for c in arg):
            shown = arg if len(arg) <= 40 else arg[:37] + "..."
            raise fail(
                _(
                    "{text!r} starts with '-', so it is read as an option; put text like it last, after `--` "
                    "(options first): `policytrack log KEY --date D -- {text!r}`"
                ).format(text=shown),
                2,
            )


class PolicytrackGroup(TyperGroup):
    """Converts domain errors into one line on stderr and exit code 1, once, for every command."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        check_args(args)
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PolicytrackError as exc:
            raise fail(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            state = ctx.find_object(State)
            if state and state.db_path:
                message = _(
                    "database {path} could not be used ({error}); check it with `policytrack db check`"
                )
            else:
                message = _("database could not be used ({error}); check it with `policytrack db check`")
            raise fail(message.format(path=state.db_path if state else None, error=exc)) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # the reader went away (`| head`): click exits quietly
            if exc.filename:
                message = _(
                    "input/output error ({file}): {error}; check the disk and where the output goes, then "
                    "run the command again"
                )
            else:
                message = _(
                    "input/output error: {error}; check the disk and where the output goes, then run the "
                    "command again"
                )
            raise fail(message.format(file=exc.filename, error=exc.strerror or exc)) from None
        except Exception as exc:  # the last line of defence: one line, never a traceback
            # typer's and click's own exceptions (exit, abort, usage) are theirs to handle
            if type(exc).__module__.startswith(("typer.", "click.")) or os.environ.get("POLICYTRACK_DEBUG"):
                raise
            raise fail(
                _(
                    "internal error ({kind}: {error}); this is a bug in policytrack: please report it with "
                    "the command you ran (POLICYTRACK_DEBUG=1 shows the traceback)"
                ).format(kind=type(exc).__name__, error=exc)
            ) from None


def note(message: str) -> None:
    """An informational line on stderr (`Wrote FILE`): it may quote a path or stored text, so its control
    characters are shown visibly, as in errors."""
    typer.echo(visible(message), err=True)


def confirm(ctx: typer.Context, message: str, saved: str) -> None:
    """Print a command's confirmation after its change was committed: if stdout cannot take it, say that
    the change was saved all the same, so that nobody runs the command twice."""
    try:
        typer.echo(visible(message))
    except (OSError, StreamClosedError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
            return
        why = exc.strerror if isinstance(exc, OSError) else str(exc).split(";")[0]
        raise fail(
            _(
                "{saved} was saved, but its confirmation could not be written ({why}); do not run the "
                "command again"
            ).format(saved=saved, why=why)
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


def new_app(translated: bool = False) -> typer.Typer:
    """The root application's settings (also used for the one-command app that `main` runs, once the
    language is chosen: `translated`)."""
    return typer.Typer(
        cls=PolicytrackGroup,
        help=_(HELP) if translated else HELP,
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
            help=_(
                "Database file. Default: $POLICYTRACK_DB, else the user data directory "
                "(`policytrack db path` prints it)."
            ),
            metavar="PATH",
        ),
    ] = None,
    no_color: Annotated[
        bool, typer.Option("--no-color", help=_("No colour in output (NO_COLOR works too)."))
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=_(
                "Language of messages and dates (en, fr, bm...). Default: config `language`, else "
                "LC_ALL, LC_MESSAGES, LANG, else English. Data (CSV, JSON) is the same in every language."
            ),
            metavar="CODE",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Print the version.")),
    ] = False,
) -> None:
    """Track whether published policy recommendations are carried out."""
    ctx.obj = State(db_option=db, no_color=no_color)
    from policytrack.core import i18n
    from policytrack.core.config import setting

    try:
        code = i18n.check_language(lang) if lang is not None else None
    except PolicytrackError as exc:
        raise fail(str(exc), 2) from None
    i18n.choose(code, configured=lambda: setting("language"))
