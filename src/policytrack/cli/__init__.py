"""The command line: a thin layer over the domain modules, composed from one module per group."""

from __future__ import annotations

import errno
import io
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

from policytrack.core.errors import PolicytrackError, StreamClosedError
from policytrack.core.i18n import N_

if TYPE_CHECKING:
    import typer

# typer, click and the root app (`from policytrack.cli.app import app`) load on first use, inside the
# functions below, so that `--version` prints without them.

# Every command the top level knows, by name: the module of policytrack.cli that defines it (and, for a
# group, the name of its typer app there), the panel of `policytrack --help` it is listed in (PANELS) and
# its help line (the start of its own help), the one line `--help` lists it with. Only the module of the
# command being run is imported (`log` imports entries.py, not undo, export, report or the source
# registry); `--help` and no command are printed from this table alone (`top_level`), an unknown command
# and shell completion get the full application. The order is the order of `policytrack --help` (typer
# lists the commands before the groups, and the panels in the order their first command comes).
# tests/test_cli_meta.py holds this table to the commands themselves, and `top_level` to the full app.
COMMANDS: dict[str, tuple[str, str | None, str, str]] = {
    "log": (
        "entries",
        None,
        "evidence",
        N_("Record a dated, sourced piece of evidence against an indicator"),
    ),
    "list": ("entries", None, "evidence", N_("List evidence, oldest first")),
    "show": ("entries", None, "evidence", N_("Show every field of one entry")),
    "edit": ("entries", None, "evidence", N_("Change an entry")),
    "delete": ("entries", None, "evidence", N_("Delete an entry, leaving a tombstone")),
    "restore": ("entries", None, "evidence", N_("Bring back a deleted entry")),
    "history": ("entries", None, "evidence", N_("Every revision of an entry: who changed what, and when")),
    "undo": ("changes", None, "evidence", N_("Take back your latest change")),
    "revert": ("changes", None, "evidence", N_("Make an earlier revision of an entry current again")),
    "import": ("exchange", None, "evidence", N_("Import entries, validating every row first")),
    "redact": (
        "redaction",
        None,
        "evidence",
        N_("Take the text of one field of an entry out of every revision"),
    ),
    "report": ("report", None, "reports", N_("Where each recommendation stands")),
    "timeline": ("report", None, "reports", N_("One indicator's evidence in date order")),
    "indicators": ("indicators", None, "reports", N_("The indicators")),
    "publish": ("publish", None, "reports", N_("Write a citable bundle")),
    "target": ("report", None, "judgements", N_("Set or change an indicator's target")),
    "targets": ("report", None, "judgements", N_("The current target of each indicator")),
    "forecast": ("forecasts", None, "judgements", N_("Record a forecast")),
    "forecasts": ("forecasts", None, "judgements", N_("List forecasts with their outcome")),
    "withdraw": ("forecasts", None, "judgements", N_("Withdraw a forecast")),
    "signposts": ("indicators", None, "judgements", N_("Each signal of progress or regression")),
    "review": ("review", None, "judgements", N_("Mark entries reviewed")),
    "agenda": ("inbox", None, "team", N_("What waits on the team, oldest first")),
    "source": ("sources", "source_app", "evidence", N_("The source registry")),
    "inbox": ("inbox", "inbox_app", "evidence", N_("Candidate evidence from datasets, feeds and sheets")),
    "feed": ("inbox", "feed_app", "evidence", N_("Datasets and feeds kept in step with the inbox")),
    "export": ("exchange", "export_app", "reports", N_("Export entries or the report")),
    "sync": ("sync", "sync_app", "team", N_("Send this database's changes to a shared git repository")),
    "conflicts": ("sync", "conflicts_app", "team", N_("What teammates changed apart")),
    "config": ("config", "config_app", "setup", N_("Settings")),
    "db": ("db", "db_app", "setup", N_("The database file: its path and its health")),
    "framework": ("frameworks", "framework_app", "setup", N_("Frameworks")),
}


def panels() -> dict[str, str]:
    """The title of each panel of `policytrack --help`, by the name COMMANDS gives it, in the language of
    the command (so read once the language is chosen)."""
    from policytrack.core.i18n import _

    return {
        "evidence": _("Evidence"),
        "reports": _("Reports"),
        "judgements": _("Judgements"),
        "team": _("Team"),
        "setup": _("Setup"),
    }


def load(name: str) -> None:
    """Import the module that defines the command `name` (its commands register themselves on the root
    app) and add it, when it is a group, to the root app."""
    import importlib

    from policytrack.cli.app import app

    module, group, _panel, _help = COMMANDS[name]
    loaded = importlib.import_module(f"policytrack.cli.{module}")
    if group is not None and all(g.name != name for g in app.registered_groups):
        app.add_typer(getattr(loaded, group), name=name)


def full_app() -> typer.Typer:
    """The root application with every command: each module imported, in the order of COMMANDS."""
    from policytrack.cli.app import HELP, app
    from policytrack.core.i18n import _

    for name in COMMANDS:
        load(name)
    app.info.help = _(HELP)  # the root app was made at import, before main() chose the language
    # each module registers its commands in its own order; --help lists them in COMMANDS' order, by panel
    order = {name: n for n, name in enumerate(COMMANDS)}
    app.registered_commands.sort(key=lambda c: order[str(c.name)])
    app.registered_groups.sort(key=lambda g: order[str(g.name)])
    titles = panels()
    infos: list[Any] = [*app.registered_commands, *app.registered_groups]
    for info in infos:  # listed with the help line of COMMANDS, as top_level lists them
        _module, _group, panel, line = COMMANDS[str(info.name)]
        info.rich_help_panel, info.short_help = titles[panel], _(line)
    return app


def top_level() -> Any:
    """The root command as `policytrack --help` and no command show it, from COMMANDS alone: the root
    callback's options (typer builds them, with its completion options) and, for each command, a click
    command that holds only its name, its help line and its panel, which typer lays out as it does the
    full application's. No command module is imported and no command's parameters are built; a command
    named on the command line never gets here (main)."""
    import click
    import typer

    from policytrack.cli.app import app, new_app
    from policytrack.core.i18n import _

    markdown_on_demand()
    root = new_app(translated=True)
    root.registered_callback = app.registered_callback
    group: Any = typer.main.get_command(root)
    titles = panels()
    for name, (_module, _group, panel, line) in COMMANDS.items():
        listed = click.Command(name, short_help=_(line))
        listed.rich_help_panel = titles[panel]  # type: ignore[attr-defined]
        group.add_command(listed)
    return group


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


def lang_option(args: list[str]) -> str | None:
    """The value of the global `--lang` (`--lang fr` or `--lang=fr`) before the command name, if any."""
    for n, arg in enumerate(args):
        if arg == "--lang":
            return args[n + 1] if n + 1 < len(args) else None
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--" or (not arg.startswith("-") and (n == 0 or args[n - 1] not in _VALUE_OPTIONS)):
            return None
    return None


def choose_language(args: list[str]) -> None:
    """Choose the language before the command's module is imported: typer reads its help texts (`_()`)
    then. `--lang`, then the config's `language`, then the locale; a bad `--lang` or config value is left
    for the root callback to report, as a usage error or with the config file's line."""
    from policytrack.core import i18n

    value = lang_option(args)
    try:
        code = i18n.check_language(value) if value is not None else None
    except PolicytrackError:
        code = None

    def configured() -> Any:
        from policytrack.core.config import setting

        try:
            return i18n.check_language(setting("language"), "language") if setting("language") else None
        except PolicytrackError:
            return None

    i18n.choose(code, configured=configured)


def app_for(args: list[str]) -> typer.Typer:
    """An application holding only the command being run, when there is one.

    Only the module that defines the command is imported (COMMANDS), and typer builds only its click
    parameters (about 30 ms for all of them here): `log` starts as quickly as it can. Anything else (no
    command, an unknown one, shell completion) gets the full application, with its listing and
    suggestions."""
    from policytrack.cli.app import app, new_app

    name = command_name(args)
    if name not in COMMANDS or completing():
        markdown_on_demand()
        return full_app()
    load(name)
    one = new_app(translated=True)
    one.registered_callback = app.registered_callback
    one.registered_commands = [c for c in app.registered_commands if c.name == name]
    one.registered_groups = [g for g in app.registered_groups if g.name == name]
    infos: list[Any] = [one.registered_callback, *one.registered_commands]
    for group in one.registered_groups:
        if group.typer_instance is not None:
            sub = group.typer_instance
            infos += [group, sub.registered_callback, *sub.registered_commands]
    for info in infos:
        evaluated(getattr(info, "callback", None))
    return one


def evaluated(function: Any) -> None:
    """Give `function` its annotations evaluated, once. Our modules postpone annotations (strings), and
    typer reads a command's signature twice as it builds it, each time evaluating every string twice
    (inspect.signature, then get_type_hints): about 4 ms of `log`'s start-up, more for `report`. Evaluated
    here as inspect.signature would, typer reads the same signature without compiling anything."""
    import inspect

    if not inspect.isfunction(function):  # none, or typer's placeholder for a group's default
        return
    if any(isinstance(value, str) for value in function.__annotations__.values()):
        function.__annotations__ = inspect.get_annotations(function, eval_str=True)


def markdown_on_demand() -> None:
    """Let typer's help import without rich's markdown renderer and rich's tracebacks (markdown-it,
    pygments' lexers, rich.pretty: about a third of `--help`'s imports), which typer.rich_utils imports at
    its top but uses only for `rich_markup_mode="markdown"` and pretty exceptions, neither of which
    policytrack uses. Each module stands in as one whose class loads the real module when an instance is
    made, so nothing changes if one ever is."""
    for module, name in (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback")):
        if module not in sys.modules:
            sys.modules[module] = _stand_in(module, name)


# Modules typer imports at its top (`import subprocess` in typer.main and its completion) for what
# policytrack's commands never do at start-up (open a URL, ask the shell); subprocess brings selectors,
# select and fcntl with it. (typer.main's `import platform` cannot wait: uuid, which typer imports too,
# calls platform.system() at its top on Linux; `shutil` neither: typer takes get_terminal_size from it.)
DEFERRED = ("subprocess",)


def defer_imports() -> None:
    """Let `import subprocess` (each module of DEFERRED) return a stand-in that imports the real module the
    first time any of its names is read (then holds all of them), so a command that uses one gets it whole.
    The standard library's LazyLoader cannot do this on Python 3.11: importing a module already loaded
    reads its `__spec__`, which makes LazyLoader run it."""
    import types

    class Deferred(types.ModuleType):
        def __getattr__(self, attr: str) -> Any:
            import importlib

            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            self.__dict__.update(real.__dict__)
            return getattr(real, attr)

    for name in DEFERRED:
        if name not in sys.modules:
            stand_in = Deferred(name)
            stand_in.__spec__ = None  # read by every `import name`: must not load the module
            sys.modules[name] = stand_in


def _stand_in(module: str, name: str) -> Any:
    import types

    def made(cls: type, *args: Any, **kwargs: Any) -> Any:
        import importlib

        del sys.modules[module]
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    stand_in = types.ModuleType(module, f"Loads {module} when a {name} is first made.")
    setattr(stand_in, name, type(name, (), {"__new__": made}))
    return stand_in


class ClosedStream(io.TextIOBase):
    """Stands in for a standard stream the shell closed (`>&-`, `<&-`): any use of it is one clear error
    (Python would otherwise give None, and click would silently print nothing)."""

    def __init__(self, message: str) -> None:
        self.message = message  # marked with N_, said in the language of the command when used

    def _closed(self) -> StreamClosedError:
        from policytrack.core.i18n import _

        return StreamClosedError(_(self.message))

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


def completing() -> bool:
    """Whether the shell asks for completions (click's `_POLICYTRACK_COMPLETE`)."""
    return any(key.startswith("_POLICYTRACK_COMPLETE") for key in os.environ)


def main() -> None:
    if sys.stdout is None:
        sys.stdout = ClosedStream(
            N_("standard output is closed; run the command with its output going somewhere")
        )
    if sys.stdin is None:
        sys.stdin = ClosedStream(N_("standard input is closed; give the text as an argument, or pipe it in"))
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stopped)
    try:
        if sys.argv[1:] == ["--version"] and not completing():
            _print_version()  # what the root app's --version prints, without building the app
        else:
            choose_language(sys.argv[1:])
            defer_imports()
            if command_name(sys.argv[1:]) is None and not completing():
                top_level()(prog_name="policytrack")  # --help, or no command: COMMANDS is enough
            else:
                app_for(sys.argv[1:])(prog_name="policytrack")
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:
        if completing():
            # a half-set or odd completion environment (no COMP_WORDS, a COMP_CWORD that is not a number)
            # makes click raise: offer nothing, and print nothing into the shell's line
            sys.exit(1)
        if not isinstance(exc, PolicytrackError | OSError):
            raise
        # from --version or --help, before any command runs
        code = _flushed(1)
        detail = exc if isinstance(exc, PolicytrackError) else f"cannot write its output ({exc.strerror})"
        sys.stderr.write(f"policytrack: error: {detail}; check where the output goes\n")
    else:
        code = 0
    sys.exit(_flushed(code))


def _print_version() -> None:
    from policytrack import __version__

    sys.stdout.write(f"policytrack {__version__}\n")


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


__all__ = ["COMMANDS", "app_for", "full_app", "main", "top_level"]
