"""The command line: a thin layer over the domain modules, composed from one module per group."""

from __future__ import annotations

import errno
import io
import os
import signal
import sys
from typing import Any

import typer

from policytrack.cli import (  # noqa: F401  (registers commands)
    changes,
    entries,
    exchange,
    forecasts,
    indicators,
    publish,
    report,
    review,
    sync,
)
from policytrack.cli.app import app, new_app
from policytrack.cli.config import config_app
from policytrack.cli.db import db_app
from policytrack.cli.exchange import export_app
from policytrack.cli.frameworks import framework_app
from policytrack.cli.sources import source_app
from policytrack.cli.sync import sync_app
from policytrack.core.errors import PolicytrackError, StreamClosedError

app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(framework_app, name="framework")
app.add_typer(export_app, name="export")
app.add_typer(source_app, name="source")
app.add_typer(sync_app, name="sync")


# Global options that take a value, so main() can find the command name after them.
_VALUE_OPTIONS = {"--db", "--lang"}


def command_name(args: list[str]) -> str | None:
    """The command named on the command line, after any global options (None if there is none)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def app_for(args: list[str]) -> typer.Typer:
    """An application holding only the command being run, when there is one.

    typer builds every command's click parameters from its signature at each start (about 30 ms for all
    of them here); building just one keeps `log` as quick as it can be. Anything else (no command, an
    unknown one, shell completion) gets the full application, with its listing and suggestions."""
    name = command_name(args)
    if name is None or any(key.startswith("_POLICYTRACK_COMPLETE") for key in os.environ):
        return app
    one = new_app()
    one.registered_callback = app.registered_callback
    one.registered_commands = [c for c in app.registered_commands if c.name == name]
    one.registered_groups = [g for g in app.registered_groups if g.name == name]
    if not one.registered_commands and not one.registered_groups:
        return app
    return one


class ClosedStream(io.TextIOBase):
    """Stands in for a standard stream the shell closed (`>&-`, `<&-`): any use of it is one clear error
    (Python would otherwise give None, and click would silently print nothing)."""

    def __init__(self, name: str, fix: str) -> None:
        self.what, self.fix = name, fix

    def _closed(self) -> StreamClosedError:
        return StreamClosedError(f"standard {self.what} is closed; {self.fix}")

    def write(self, text: str) -> int:
        raise self._closed()

    def read(self, size: int | None = -1) -> str:
        raise self._closed()

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise self._closed()

    @property
    def buffer(self) -> Any:
        raise self._closed()

    def isatty(self) -> bool:
        return False


def _stopped(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP end the command as Ctrl-C does: every open transaction is rolled back and every
    temporary file removed on the way out (the default action would leave them)."""
    raise SystemExit(128 + signum)


def main() -> None:
    if sys.stdout is None:
        sys.stdout = ClosedStream("output", "run the command with its output going somewhere")
    if sys.stdin is None:
        sys.stdin = ClosedStream("input", "give the text as an argument, or pipe it in")
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stopped)
    try:
        app_for(sys.argv[1:])(prog_name="policytrack")
    except SystemExit as exc:
        code = exc.code
    except (PolicytrackError, OSError) as exc:  # from --version or --help, before any command runs
        code = _flushed(1)
        detail = exc if isinstance(exc, PolicytrackError) else f"cannot write its output ({exc.strerror})"
        sys.stderr.write(f"policytrack: error: {detail}; check where the output goes\n")
    else:
        code = 0
    sys.exit(_flushed(code))


def _flushed(code: int | str | None) -> int | str | None:
    """Flush stdout before exit, so that a full disk or a closed stdout is one line and exit 1 here, not
    an 'Exception ignored' from the interpreter after the exit code is decided."""
    if isinstance(sys.stdout, ClosedStream):
        return code
    try:
        sys.stdout.flush()
    except OSError as exc:
        # nothing more may be written to the broken stdout, not even at the interpreter's exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        if exc.errno == errno.EPIPE:
            return code or 1
        sys.stderr.write(
            f"policytrack: error: cannot write to standard output ({exc.strerror}); free some space or "
            "send the output elsewhere\n"
        )
        return 1
    return code


__all__ = ["app", "app_for", "main"]
