"""ARCHITECTURE.md's recipes "A command" and "A new record kind", followed to the letter: a newcomer who
does what they say (and nothing else) gets a command that runs alone, is listed in --help and is fuzzed,
and a record kind whose every output follows its declaration. The recipes "A field on a record" and "An
output format" are followed in tests/test_records.py and tests/test_formats.py."""

from __future__ import annotations

import csv
import io
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer

from policytrack import cli as cli_package
from policytrack.cli.app import app, new_app
from policytrack.records.field import Field, Kind
from policytrack.records.kinds import KINDS
from policytrack.render.formats import write_records

# -- "A command" -------------------------------------------------------------------------------------

MODULE = "recipedemo"
NAME = "recipe-demo"
HELP = "Say how many indicators the framework has"


@pytest.fixture
def new_command(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What the recipe asks: a function in a cli/ module (its docstring the help, an epilog example), and
    its name, module, --help panel and help line in cli/__init__.py:COMMANDS. The module is made in memory
    here, as the file a newcomer would add."""
    module = types.ModuleType(f"policytrack.cli.{MODULE}")

    def define() -> None:
        @app.command(NAME, epilog="Example: policytrack recipe-demo --times 2")
        def demo_cmd(
            times: Annotated[int, typer.Option("--times", help="How many times to say it.")] = 1,
        ) -> None:
            """Say how many indicators the framework has (a recipe's example)."""
            for _ in range(times):
                typer.echo("5 indicators")

        module.demo_cmd = demo_cmd  # type: ignore[attr-defined]

    # the module registers its command when it is imported, as every cli/ module does
    monkeypatch.setitem(sys.modules, module.__name__, module)
    define()
    monkeypatch.setitem(cli_package.COMMANDS, NAME, (MODULE, None, "setup", HELP))
    yield
    app.registered_commands[:] = [c for c in app.registered_commands if c.name != NAME]


def test_a_new_command_runs_alone_is_listed_and_is_fuzzed(new_command: None, capsys: Any) -> None:
    from typer.testing import CliRunner

    from test_cli_meta import all_commands

    runner = CliRunner()
    alone = cli_package.app_for([NAME, "--times", "2"])
    assert [c.name for c in alone.registered_commands] == [NAME]
    result = runner.invoke(alone, [NAME, "--times", "2"])
    assert result.exit_code == 0 and result.stdout == "5 indicators\n5 indicators\n"
    full_app = cli_package.full_app()
    # a fresh application object with every command (the tests' conftest builds each object's click
    # command once per session, before this command existed)
    full = new_app()
    full.registered_callback = full_app.registered_callback
    full.registered_commands = list(full_app.registered_commands)
    full.registered_groups = list(full_app.registered_groups)
    listed = runner.invoke(full, ["--help"], env={"COLUMNS": "200"})
    assert NAME in listed.stdout and HELP in listed.stdout
    own_help = runner.invoke(full, [NAME, "--help"])
    assert "Example: policytrack recipe-demo" in own_help.stdout
    # the hostile-input test walks the click tree: the new command is in it without being named anywhere
    assert (NAME,) in all_commands()


# -- "A new record kind" -----------------------------------------------------------------------------

DEMO = Kind(
    "demo note",
    "A note an analyst keeps beside an indicator (a recipe's example).",
    (
        Field("key", "key", "The note's key."),
        Field("text", "text", "What the note says, as typed.", free_text=True),
        Field("weight", "integer", "How much it counts, from 0 to 3.", minimum=0, maximum=3),
    ),
)


@pytest.fixture
def new_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(KINDS, DEMO.name, DEMO)


def test_a_new_record_kind_is_one_declaration_every_output_follows(new_kind: None, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from policytrack.render.xlsx import Sheet, write_workbook

    records = [{"key": "n1", "text": '=HYPERLINK("http://example.org")', "weight": 2}]
    # CSV: the declared columns in order, the free text neutralised (the formula rule by field kind)
    out = io.StringIO()
    write_records("csv", out, DEMO, records)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["key", "text", "weight"]
    assert rows[1] == ["n1", '\'=HYPERLINK("http://example.org")', "2"]
    # xlsx: the columns sheet says what each column means, from the declaration
    path = tmp_path / "demo.xlsx"
    with path.open("wb") as handle:
        write_workbook(handle, [Sheet("notes", DEMO, records)])
    book = load_workbook(path)
    described = {(r[1], r[3]) for r in book["columns"].iter_rows(min_row=2, values_only=True) if r[1]}
    assert {(f.name, f.description) for f in DEMO} <= described
    assert book["notes"]["B2"].value == records[0]["text"]  # a cell is text, never a formula
    # a data package's Table Schema: every field typed and described, with its rule
    schema = DEMO.table_schema()
    assert [f["description"] for f in schema["fields"]] == [f.description for f in DEMO]
    assert schema["fields"][2]["constraints"] == {"required": True, "minimum": 0, "maximum": 3}
    # the registry knows it, so the checks of every kind (descriptions, registration) cover it
    assert KINDS["demo note"] is DEMO
