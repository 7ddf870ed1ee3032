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
from policytrack.core.i18n import N_, _
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


def check_args(command: Any, args: Sequence[str]) -> None:
    """Arguments that are not valid UTF-8 (bytes the terminal could not decode) are a usage error; so is
    text that would be read as an option (`text_read_as_option`), with the way to give it."""
    for number, arg in enumerate(args, start=1):
        if not storable(arg):
            raise fail(
                _("argument {number} is not valid UTF-8; check the terminal's encoding (locale)").format(
                    number=number
                ),
                2,
            )
    refused = text_read_as_option(command, args)
    if refused is not None:
        text, path = refused
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise fail(
            _(
                "{text!r} starts with '-', so it is read as an option; put text like it last, after `--` "
                "(options first): `{command} ... -- {text!r}`"
            ).format(text=shown, command=" ".join(["policytrack", *path])),
            2,
        )


def text_read_as_option(command: Any, args: Sequence[str]) -> tuple[str, list[str]] | None:
    """The first argument that starts with '-' and holds a space (so it is surely text, such as a summary
    "-2 soldiers killed", not an option) where click would read it as an unknown option, and the names of
    the (sub)command it was given to; None when there is none.

    The value of an option is never refused, whatever it starts with: `--note "- see the 2014
    agreement"`, `--note="-2 reading would overstate it"`, `-n"- see"`. Which options take a value is read
    from the click command tree itself (the command and each subcommand named on the way), so every
    option of every command is covered; after `--` everything is text."""
    path: list[str] = []

    def value_options(cmd: Any) -> set[str]:
        return {
            name
            for p in cmd.params
            if p.param_type_name == "option" and not p.is_flag and not p.count
            for name in (*p.opts, *p.secondary_opts)
        }

    takes_value = value_options(command)
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            return None
        if arg.startswith("-") and len(arg) > 1:
            name, equals, _value = arg.partition("=")
            if name in takes_value:
                if not equals and rest:
                    rest.pop(0)  # its value, whatever it looks like
            elif arg.startswith("--") and equals and not any(c.isspace() for c in name):
                pass  # `--name=value`: click reads (or refuses) the option by its name
            elif not arg.startswith("--") and arg[:2] in takes_value:
                pass  # `-nVALUE`: a short option with its value attached
            elif any(c.isspace() for c in arg):
                return arg, path
        elif arg in getattr(command, "commands", {}):  # a group's subcommand
            command = command.commands[arg]
            path.append(arg)
            takes_value = value_options(command)
    return None


class PolicytrackGroup(TyperGroup):
    """Converts domain errors into one line on stderr and exit code 1, once, for every command."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        check_args(self, args)
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


def in_language(command: Any) -> None:
    """The help texts of a command (and of its subcommands) in this command's language: its help, epilog
    and help line, and each parameter's help. A text marked N_ where the command is declared (before the
    language is known: a shared option of cli/options.py) is translated here, once the root callback has
    chosen it (the command's own arguments, --help among them, are read after that); so is one translated
    at import in English. Each object keeps its texts as declared, so a command shown twice is translated
    from them again."""
    from policytrack.core.i18n import later

    for item in (command, *command.params):
        declared = item.__dict__.setdefault(
            "_declared_texts", {a: getattr(item, a, None) for a in ("help", "epilog", "short_help")}
        )
        for attribute, text in declared.items():
            if text:
                setattr(item, attribute, later(text))
    for sub in getattr(command, "commands", {}).values():
        in_language(sub)


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
    """What the root callback read (--db, --no-color) and the database path once resolved."""

    db_option: str | None = None
    no_color: bool = False
    db_path: Path | None = None


HELP = N_(
    """Track whether published policy recommendations are carried out.

Log dated, sourced, graded evidence against a framework's indicators and see where each stands.
The embedded framework is the five-point way forward of Paa Kwesi Wolseley Prah's article on
China's support for Mali's military (The Conversation).
"""
)


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
    # the invoked command's help, in that language, where it is to be shown (--help, or a group named
    # alone): any other command pays nothing for it
    shows_help = not ctx.args or any(arg in ("--help", "-h") for arg in ctx.args)
    if ctx.invoked_subcommand and shows_help:
        try:
            i18n.language()
        except PolicytrackError:
            return  # a config file that cannot be read: the command reports it (or repairs it) itself
        command = ctx.command.get_command(ctx, ctx.invoked_subcommand)  # type: ignore[attr-defined]
        if command is not None:
            in_language(command)
