"""The command line as a whole: help on every command, version, start-up, completion and packaging."""

from __future__ import annotations

import ast
import functools
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from conftest import Invoke, parsed, slow_but
from policytrack import __version__
from policytrack.cli.app import app


def all_commands() -> list[tuple[str, ...]]:
    # typer 0.28 vendors click, so groups are recognised by their `commands` mapping.
    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(group: Any, prefix: tuple[str, ...]) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, (*prefix, name))
            else:
                found.append((*prefix, name))

    walk(root, ())
    return found


@functools.cache
def root_command() -> Any:
    """The click command tree, built once (typer builds it from every signature: slow)."""
    return typer.main.get_command(app)


def click_command(command: tuple[str, ...]) -> Any:
    """The click command of `command` (its names, as all_commands gives them)."""
    cmd: Any = root_command()
    for part in command:
        cmd = cmd.commands[part]
    return cmd


def test_expected_commands_exist() -> None:
    names = {" ".join(c) for c in all_commands()}
    assert {
        "log",
        "list",
        "show",
        "edit",
        "delete",
        "restore",
        "history",
        "indicators",
        "db path",
        "db check",
    } <= names


@pytest.mark.parametrize("command", slow_but(all_commands(), keep=6), ids=" ".join)
def test_every_command_has_help_and_an_example(cli: Invoke, command: tuple[str, ...]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0
    assert "Example: policytrack" in result.stdout
    cmd: Any = typer.main.get_command(app)
    for part in command:
        cmd = cmd.commands[part]
    assert cmd.help and len(cmd.help.strip()) > 20


def test_version(cli: Invoke) -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"policytrack {__version__}"


def test_db_path_order(cli: Invoke, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("db", "path").stdout.strip() == str(db_path)
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "db", "path").stdout.strip() == str(other)
    monkeypatch.delenv("POLICYTRACK_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert cli("db", "path").stdout.strip() == str(tmp_path / "xdg/policytrack/policytrack.db")


@pytest.mark.no_db
def test_first_use_creates_database_with_default_framework(cli: Invoke, db_path: Path) -> None:
    assert not db_path.exists()
    result = cli("indicators", "--json")
    assert result.exit_code == 0
    assert db_path.exists()
    assert "civilian-led" in result.stdout


def test_db_check(cli: Invoke, db_path: Path, tmp_path: Path) -> None:
    cli("indicators")
    result = cli("db", "check")
    assert result.exit_code == 0 and result.stdout.strip().endswith(": ok")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    result = cli("--db", str(junk), "db", "check")
    assert result.exit_code == 1 and "junk.db" in result.stderr
    assert cli("--db", str(tmp_path / "absent.db"), "db", "check").exit_code == 1


def test_completion_offers_indicator_keys(cli: Invoke) -> None:
    from policytrack.cli.common import complete_indicator

    cli("indicators")
    ctx = typer.Context(typer.main.get_command(app))
    assert complete_indicator(ctx, "ci") == ["civilian-led", "civil-society"]
    assert complete_indicator(ctx, "") == [
        "civilian-led",
        "diversify",
        "guidelines",
        "civil-society",
        "regional",
    ]


@pytest.mark.parametrize("command", slow_but(all_commands(), keep=6), ids=" ".join)
def test_one_command_app_matches_the_full_app(command: tuple[str, ...]) -> None:
    """main() builds only the command being run (start-up time); it must behave exactly the same."""
    from typer.testing import CliRunner

    from policytrack.cli import app_for

    args = [*command, "--help"]
    one = app_for(["--db", "x.db", *args])
    assert one is not app  # the fast path really is taken
    runner = CliRunner()
    full, fast = runner.invoke(app, args), runner.invoke(one, args)
    assert (fast.exit_code, fast.stdout) == (full.exit_code, full.stdout)


PARAMS_BUILT = (
    "import sys, typer, policytrack.cli as cli\n"
    "if sys.argv[1] == 'strings':\n    cli.evaluated = lambda function: None\n"
    "one = cli.app_for(sys.argv[2:])\n"
    "command = typer.main.get_command(one)\n"
    "for name in sys.argv[2:]:\n"
    "    command = getattr(command, 'commands', {}).get(name, command)\n"
    "print(all(not isinstance(v, str) for v in command.callback.__wrapped__.__annotations__.values()))\n"
    "for p in command.params:\n"
    "    print(p.name, p.opts, p.secondary_opts, repr(p.default), p.type.name, p.multiple, p.required,\n"
    "          p.nargs, getattr(p, 'help', None), getattr(p, 'is_flag', None))"
)


@pytest.mark.parametrize("command", [["log", "regional", "x"], ["report"], ["source", "list"]])
def test_a_command_built_from_evaluated_annotations_is_the_same(command: list[str]) -> None:
    """The command being run (a group's too) has its annotations evaluated once, before typer reads them
    (`evaluated`): its parameters come out exactly as typer builds them from the strings."""
    built = {
        how: subprocess.run(
            [sys.executable, "-c", PARAMS_BUILT, how, *command], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        for how in ("evaluated", "strings")
    }
    assert (built["evaluated"][0], built["strings"][0]) == ("True", "False")
    assert len(built["evaluated"]) > 2 and built["evaluated"][1:] == built["strings"][1:]


def test_command_name_and_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    from policytrack.cli import app_for, command_name

    assert command_name(["--db", "log", "list"]) == "list"  # "log" is the --db value here
    assert command_name(["--no-color", "log", "x"]) == "log"
    assert command_name(["--version"]) is None
    assert app_for([]) is app and app_for(["lgo"]) is app  # listing and suggestions need everything
    monkeypatch.setenv("_POLICYTRACK_COMPLETE", "complete_bash")
    assert app_for(["log"]) is app


def test_fast_path_logs(cli_json: Any) -> None:
    from typer.testing import CliRunner

    from policytrack.cli import app_for

    result = CliRunner().invoke(app_for(["log"]), ["log", "regional", "AES treaty signed", "--date", "2024"])
    assert result.exit_code == 0, result.output
    assert cli_json("list", "--json")[0]["summary"] == "AES treaty signed"


# -- commands registered lazily by name ------------------------------------------------------------------


def test_the_command_table_is_the_command_tree() -> None:
    """Every top-level command is in cli.COMMANDS, in the order --help lists them, under the module that
    defines it, with the start of its own help."""
    from policytrack.cli import COMMANDS

    root: Any = typer.main.get_command(app)
    ctx = typer.Context(root)
    assert list(COMMANDS) == root.list_commands(ctx)
    for name, (module, group, _panel, line) in COMMANDS.items():
        command = root.get_command(ctx, name)
        assert " ".join(command.help.split()).startswith(line), name
        if group is None:
            assert command.callback.__module__ == f"policytrack.cli.{module}", name
        else:
            defined = importlib.import_module(f"policytrack.cli.{module}")
            assert typer.main.get_command(getattr(defined, group)).help == command.help, name


def imported_by(args: list[str]) -> set[str]:
    """The policytrack.cli modules a fresh interpreter imports to build the application for `args`."""
    code = (
        "import sys; from policytrack.cli import app_for; import typer; "
        f"typer.main.get_command(app_for({args!r})); "
        "print(' '.join(m for m in sys.modules if m.startswith('policytrack.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_a_command_imports_only_its_own_module() -> None:
    """`log` imports entries.py and what every command shares, not undo, export, report or the source
    registry; no command at all (--help) imports them all."""
    from policytrack.cli import COMMANDS

    shared = {
        "policytrack.cli.app",
        "policytrack.cli.common",
        "policytrack.cli.options",
        "policytrack.cli.output",
    }
    assert imported_by(["log", "regional", "x"]) == shared | {"policytrack.cli.entries"}
    every = {f"policytrack.cli.{module}" for module, _, _, _ in COMMANDS.values()}
    assert every <= imported_by(["lgo"])  # an unknown command gets the full app, for its suggestions


def test_top_level_help_imports_no_command_module() -> None:
    """`policytrack --help` is printed from COMMANDS: no command's module is imported."""
    from policytrack.cli import COMMANDS

    code = (
        "import sys, io, runpy; sys.argv = ['policytrack', '--help']; sys.stdout = io.StringIO()\n"
        "try:\n    runpy.run_module('policytrack', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in sys.modules if m.startswith('policytrack.cli.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = {f"policytrack.cli.{module}" for module, _, _, _ in COMMANDS.values()}
    assert set(done.stderr.split()) & modules == set()
    assert "policytrack.cli.app" in done.stderr.split()  # the root callback's options come from there


# What the Store's rows for other commands need (their records' declarations, the export's SQL): `log`'s
# Store holds their methods, but loads these only when one of them runs.
STORE_DEFERRED = (
    "policytrack.records.candidate",
    "policytrack.records.forecast",
    "policytrack.records.redaction",
    "policytrack.records.signing",
    "policytrack.records.target",
    "policytrack.store.export",
)
# What only other commands build (an edit's fields, a source's fields) and the registry of output formats,
# whose `--format` choices `log` does not offer: `log` never loads them.
LOG_DEFERRED = (
    "csv",
    "policytrack.domain.edits",
    "policytrack.domain.source_fields",
    "policytrack.render.formats",
)


def test_log_runs_without_the_modules_typer_imports_for_nothing() -> None:
    """`log` runs without running subprocess (typer imports it at its top), nor loading the source
    registry's listing, records/listed.py, what only other commands' store rows need (STORE_DEFERRED) or
    build, nor the registry of output formats (LOG_DEFERRED);
    subprocess is there, whole, the moment anything reads a name of it, by `import`, `from ... import` or
    its attribute."""
    from policytrack.cli import DEFERRED

    # the database made first: a new one is migrated and seeded, which is not the start-up measured
    subprocess.run([sys.executable, "-m", "policytrack", "indicators"], capture_output=True, check=True)
    code = (
        "import sys, io, runpy; sys.argv = ['policytrack', 'log', 'regional', 'x', '--date', '2024-07-06']\n"
        "sys.stdout = io.StringIO()\n"
        "try:\n    runpy.run_module('policytrack', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sys.stdout.getvalue().strip(), file=sys.stderr); sys.stdout = sys.__stdout__\n"
        f"print(*(type(sys.modules[m]).__name__ for m in {DEFERRED!r}), 'selectors' in sys.modules,\n"
        "      'policytrack.domain.source_listing' in sys.modules,\n"
        "      'policytrack.records.listed' in sys.modules)\n"
        f"print(*sorted(m for m in {STORE_DEFERRED + LOG_DEFERRED!r} if m in sys.modules))\n"
        "import typer.main\n"
        "from subprocess import PIPE\n"
        "import subprocess\n"
        "print(typer.main.subprocess.DEVNULL == subprocess.DEVNULL, PIPE == subprocess.PIPE,\n"
        "      subprocess.run([sys.executable, '-c', 'print(6 * 7)'], capture_output=True).stdout.strip(),\n"
        "      type(sys.modules['subprocess']).__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == "Logged entry 1 for regional, dated 2024-07-06\n"
    before, store, after = done.stdout.splitlines()
    assert before.split() == ["Deferred"] * len(DEFERRED) + ["False", "False", "False"]
    assert store == ""  # none of the declarations, SQL and classes only other commands need
    assert after.split() == ["True", "True", "b'42'", "module"]


def test_start_up_is_not_walked_by_the_collector_and_the_command_is() -> None:
    """No cyclic collection runs while `main` starts up (what it makes lives until the exit), and none
    walks it afterwards (frozen); the command itself runs with the collector on, so a long one frees its
    cyclic garbage."""
    subprocess.run([sys.executable, "-m", "policytrack", "indicators"], capture_output=True, check=True)
    code = (
        "import atexit, gc, io, runpy, sys\n"
        "sys.argv = ['policytrack', 'log', 'regional', 'x', '--date', '2024-07-06']\n"
        "out, sys.stdout = sys.stdout, io.StringIO()\n"
        "early = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and not gc.get_freeze_count()"
        " and early.append(info['generation']))\n"
        "atexit.register(lambda: print(len(early), gc.isenabled(), gc.get_freeze_count() > 9999, file=out))\n"
        "import policytrack.cli\n"
        "gc.collect()\n"
        "early.clear()\n"  # what `python -m` imports before main() is not main's to hold
        "runpy.run_module('policytrack', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True", "True"]


REPORT_MODULES = (
    "import sys, io, runpy; sys.argv = ['policytrack', *sys.argv[1:], 'report']; sys.stdout = io.StringIO()\n"
    "try:\n    runpy.run_module('policytrack', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    "print(sys.stdout.getvalue().splitlines()[0], file=sys.stderr)\n"
    "loaded = (m for m in sys.modules if m.split('.')[0] in ('policytrack', 'tomllib', 'rich', 'csv'))\n"
    "sys.stderr.write(' '.join(sorted(loaded)))"
)


def test_a_report_in_the_frameworks_own_language_reads_no_framework_file() -> None:
    """`report` in the built-in framework's own language (English; the file declares no other) does not
    parse the framework's stored file again, nor load the inbox's or the report by period's modules, nor
    rich's emoji codes; in French it parses it, and its title is the file's translation."""
    subprocess.run([sys.executable, "-m", "policytrack", "indicators"], capture_output=True, check=True)
    deferred = {
        "policytrack.domain.frameworks.parse",
        "tomllib",
        "policytrack.domain.inbox",
        "policytrack.domain.periods",
        "policytrack.domain.entries",  # log's and list's, with the source registry's classes
        "policytrack.records.listed",  # a listing's filter, a revision: the timeline's and history's
        "csv",  # the registry of formats loads it only to write CSV
    }
    runs = {}
    for lang in ("en", "fr"):
        done = subprocess.run(
            [sys.executable, "-c", REPORT_MODULES, "--lang", lang], capture_output=True, text=True, check=True
        )
        title, modules = done.stderr.splitlines()
        runs[lang] = (title, set(modules.split()))
    assert runs["en"][0].startswith("Mali and China") and runs["fr"][0].startswith("Le Mali et")
    assert "policytrack.domain.reports" in runs["en"][1]
    assert runs["en"][1] & deferred == set()
    assert {"policytrack.domain.frameworks.parse", "tomllib"} <= runs["fr"][1]
    # no text is an emoji code: rich's table of them (thousands of names) is never loaded
    for _title, loaded in runs.values():
        assert "rich.table" in loaded and "rich._emoji_codes" not in loaded


FULL_APP = (
    "import sys\n"
    "from policytrack.cli import choose_language, full_app, markdown_on_demand\n"
    "choose_language(sys.argv[1:]); markdown_on_demand()\n"
    "full_app()(args=sys.argv[1:], prog_name='policytrack')\n"
)


@pytest.mark.parametrize(
    "args",
    [
        [],
        pytest.param(["--help"], marks=pytest.mark.slow),  # as [] prints it
        ["--lang", "fr", "-h"],
        ["--bogus"],
        pytest.param(["--db", "x.db", "--no-color", "--help"], marks=pytest.mark.slow),
        pytest.param(["--lang", "fr"], marks=pytest.mark.slow),
        pytest.param(["--lang", "xx", "--help"], marks=pytest.mark.slow),
    ],
)
@pytest.mark.parametrize("width", ["100", pytest.param("60", marks=pytest.mark.slow)])
def test_top_level_help_is_the_full_apps(args: list[str], width: str) -> None:
    """The top-level help printed from COMMANDS alone (cli.top_level) is, byte for byte, the one the full
    application prints: the same usage, global options, commands, help lines, panels and titles, and the
    same usage errors, so the two can never drift apart."""
    env = {**os.environ, "COLUMNS": width, "NO_COLOR": "1"}
    fast = subprocess.run([sys.executable, "-m", "policytrack", *args], capture_output=True, env=env)
    full = subprocess.run([sys.executable, "-c", FULL_APP, *args], capture_output=True, env=env)
    assert (fast.returncode, fast.stdout, fast.stderr) == (full.returncode, full.stdout, full.stderr)
    assert b"Usage: policytrack" in fast.stdout + fast.stderr  # each case prints help or a usage error


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_help_groups_the_commands_in_panels(lang: str) -> None:
    """`--help` lists the commands in the panels COMMANDS gives them (evidence first, `log` its first
    command), each panel's title in the language of the command."""
    from policytrack.cli import COMMANDS, panels
    from policytrack.core import i18n

    out = subprocess.run(
        [sys.executable, "-m", "policytrack", "--lang", lang, "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1"},
    ).stdout
    i18n.choose(lang)
    try:
        titles = panels()
    finally:
        i18n.choose()
    listed: dict[str, list[str]] = {}
    panel = None
    for row in out.splitlines():
        if row.startswith("╭─ "):
            panel = row.split("─ ", 1)[1].rsplit(" ─", 1)[0].strip()
        elif panel is not None and (named := re.match(r"│ (\S+) ", row)) and named[1] in COMMANDS:
            listed.setdefault(panel, []).append(named[1])  # a command's row (a help line wraps indented)
    expected: dict[str, list[str]] = {}
    for name, (_, _, key, _) in COMMANDS.items():
        expected.setdefault(titles[key], []).append(name)
    assert listed == expected
    assert list(listed) == list(titles.values()) and listed[titles["evidence"]][0] == "log"
    if lang == "fr":
        assert titles["evidence"] != "Evidence"


def test_help_leaves_rich_markdown_and_tracebacks_unloaded_until_used() -> None:
    """`--help` prints its panels without importing markdown-it or pygments (typer.rich_utils imports
    rich.markdown and rich.traceback for modes policytrack does not use); a Markdown or a Traceback made
    afterwards is the real one."""
    code = (
        "import sys, io, runpy; sys.argv = ['policytrack', '--help']\n"
        "out = sys.stdout; sys.stdout = io.StringIO()\n"
        "try:\n    runpy.run_module('policytrack', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "help = sys.stdout.getvalue(); sys.stdout = out\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('markdown_it', 'pygments'))\n"
        "from rich.markdown import Markdown; from rich.traceback import Traceback\n"
        "made = type(Markdown('# x')).__module__\n"
        "print(len(heavy), 'Usage:' in help, made, 'markdown_it' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"},
    ).stdout.split()
    assert out == ["0", "True", "rich.markdown", "True"]


def test_help_lists_every_command_with_its_help_line() -> None:
    from policytrack.cli import COMMANDS

    out = subprocess.run(
        [sys.executable, "-m", "policytrack", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1"},
    ).stdout
    for name, (_, _, _, line) in COMMANDS.items():
        assert any(row.split()[1:2] == [name] and line in row for row in out.splitlines()), name
    typo = subprocess.run([sys.executable, "-m", "policytrack", "lgo"], capture_output=True, text=True)
    assert typo.returncode == 2 and "No such command 'lgo'" in typo.stderr


def _translated_at_import(path: Path) -> list[int]:
    """Lines of `_()`/`ngettext()` calls that run when the module is imported (outside any function body:
    module level, decorators, defaults, annotations)."""
    import ast

    tree = parsed(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(sub) for stmt in node.body for sub in ast.walk(stmt))
        elif isinstance(node, ast.Lambda):
            inside.update(id(sub) for sub in ast.walk(node.body))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("_", "ngettext")
        and id(node) not in inside
    ]


def test_command_help_is_marked_not_translated_at_import() -> None:
    """A command module may be imported while another language is chosen (tests run many commands in one
    process; `full_app` imports them all): its help is marked with N_ and translated where it is shown
    (`cli.app.in_language`), never with `_()` at import, which would freeze the first language. The root
    options of cli/app.py are the exception: main() chooses the language before importing it."""
    cli_dir = Path(__file__).resolve().parent.parent / "src" / "policytrack" / "cli"
    found = {
        path.name: lines
        for path in sorted(cli_dir.glob("*.py"))
        if path.name != "app.py" and (lines := _translated_at_import(path))
    }
    assert found == {}, f"_() at import (use N_, N_format or N_join): {found}"


HELP_KEYWORDS = ("help", "epilog", "short_help")
MARKED = ("N_", "N_format", "N_join", "_")  # `_` only where it runs after the language is chosen (above)


def _module_bindings(tree: ast.Module) -> dict[str, ast.expr]:
    """A module's top-level `NAME = value` assignments."""
    return {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _unmarked_help(path: Path) -> list[int]:
    """Lines of a `help=`, `epilog=` or `short_help=` whose text is not marked for the catalogue: a string
    literal, an f-string, or a name (this module's or imported from another policytrack module) bound to
    one of them, rather than an N_/N_format/N_join call."""
    src = Path(__file__).resolve().parent.parent / "src"
    tree = parsed(path.read_text(encoding="utf-8"))
    bindings = _module_bindings(tree)
    imported = {
        alias.asname or alias.name: node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("policytrack")
        for alias in node.names
    }

    def marked(value: ast.expr) -> bool:
        if isinstance(value, ast.Call):
            return isinstance(value.func, ast.Name) and value.func.id in MARKED
        if isinstance(value, ast.IfExp):
            return marked(value.body) and marked(value.orelse)
        if isinstance(value, ast.Name):
            if value.id in bindings:
                return marked(bindings[value.id])
            if value.id in imported:
                module = src / Path(*imported[value.id].split("."))
                file = (
                    module.with_suffix(".py")
                    if module.with_suffix(".py").is_file()
                    else module / "__init__.py"
                )
                bound = _module_bindings(parsed(file.read_text(encoding="utf-8"))).get(value.id)
                return bound is not None and marked(bound)
        return False  # a literal, an f-string, a concatenation, an attribute or a call of anything else

    return [
        node.value.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg in HELP_KEYWORDS and not marked(node.value)
    ]


def test_command_help_is_marked_for_the_catalogue() -> None:
    """Issue 23: help written as a plain string (or an f-string) is never in the catalogue, so it stays
    English under --lang fr. Every help, epilog and help line of a command module is marked."""
    cli_dir = Path(__file__).resolve().parent.parent / "src" / "policytrack" / "cli"
    found = {path.name: lines for path in sorted(cli_dir.glob("*.py")) if (lines := _unmarked_help(path))}
    assert found == {}, f"help not marked (use N_, N_format or N_join): {found}"


@pytest.mark.parametrize(
    "source",
    [
        'typer.Option("--x", help="plain")',
        'typer.Option("--x", help=f"How: {KINDS}")',
        'app.command("x", epilog="Example: policytrack x")',
        'typer.Typer(short_help="a" "b")',
        'TEXT = "plain"\ntyper.Option("--x", help=TEXT)',
        'typer.Option("--x", help=N_("a") + "b")',
    ],
)
def test_unmarked_help_is_found(tmp_path: Path, source: str) -> None:
    path = tmp_path / "module.py"
    path.write_text(source + "\n", encoding="utf-8")
    assert _unmarked_help(path) != []


def test_marked_help_passes(tmp_path: Path) -> None:
    path = tmp_path / "module.py"
    path.write_text(
        'TEXT = N_join(N_("a"), N_("b"))\n'
        'typer.Option("--x", help=N_("plain"), short_help=TEXT)\n'
        'app.command("x", epilog=N_format(N_("Example: {x}"), x="y"))\n'
        "from policytrack.cli.options import DATE_HELP\n"
        'typer.Option("--d", help=DATE_HELP)\n',
        encoding="utf-8",
    )
    assert _unmarked_help(path) == []


@pytest.mark.parametrize(
    ("command", "french"),
    [
        (("inbox", "add"), "Un fichier téléchargé, ou une adresse http(s)."),
        (("inbox", "add"), "Comment le lire : acled"),
        (("inbox", "add"), "Exemple : policytrack inbox add"),
        (("report",), "Où en est chaque recommandation"),
        (("report",), "La dynamique pondérée multiplie"),
        (("report",), "Rapport à cette date"),
        (("publish",), "Écrire un paquet citable"),
        (("publish",), "Exemple : policytrack publish"),
        (("agenda",), "Ce qui attend l'équipe"),
        (("agenda",), "Cibles et prévisions arrivant à échéance"),
        (("export", "report"), "Exemple : policytrack export report"),
    ],
)
def test_help_of_inbox_report_publish_agenda_in_french(
    cli: Invoke, command: tuple[str, ...], french: str
) -> None:
    shown = cli("--lang", "fr", *command, "--help")
    assert shown.exit_code == 0, shown.stderr
    assert french in " ".join(shown.stdout.replace("│", " ").split())
    english = cli("--lang", "en", *command, "--help")
    assert french not in " ".join(english.stdout.replace("│", " ").split())


def test_help_follows_the_language_after_another_language_imported_the_module(tmp_path: Path) -> None:
    """The flake this fixes: a command module first imported in French kept its French option help when
    the same process then showed it in English (every command module imported under French first)."""
    script = (
        "from typer.testing import CliRunner\n"
        "from policytrack.core import i18n\n"
        "i18n.choose('fr')\n"
        "from policytrack.cli import full_app\n"
        "app = full_app()\n"
        "runner = CliRunner()\n"
        "french = runner.invoke(app, ['--lang', 'fr', 'framework', 'new', '--help']).stdout\n"
        "english = runner.invoke(app, ['--lang', 'en', 'framework', 'new', '--help']).stdout\n"
        "print('FR' if 'Écrire le modèle ici' in french else 'no-fr')\n"
        "print('EN' if 'Write the template here' in english and 'Écrire' not in english else 'no-en')\n"
    )
    env = {**os.environ, "POLICYTRACK_DB": str(tmp_path / "t.db"), "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert done.stdout.split() == ["FR", "EN"], done.stderr[-2000:]
