"""One registry from format name to writer: --format on every command that prints records, --json and
--csv as its aliases, and writers that stream the same bytes a whole-list dump would."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Invoke, SeededDb
from policytrack.render.formats import (
    FORMATS,
    RECORDS,
    OutputFormat,
    field_names,
    formats_taking,
    register,
    write_records,
)
from test_cli_meta import all_commands, click_command

COMMANDS = [
    ["list"],
    ["indicators"],
    ["timeline", "regional"],
    ["targets"],
]


@pytest.fixture
def logged(cli: Invoke, seeded_db: SeededDb) -> None:
    def build() -> None:
        assert (
            cli("log", "regional", "=AES treaty signed", "--date", "2024-07-06", "--tag", "aes").exit_code
            == 0
        )
        assert (
            cli("target", "regional", "in-progress", "--by", "2027-12", "--from", "2024-01-01").exit_code == 0
        )

    seeded_db("test_formats.logged", build)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_record_format_and_its_aliases(cli: Invoke, logged: None, command: list[str]) -> None:
    as_json = cli(*command, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.stdout)
    assert records and all(isinstance(r, dict) for r in records)
    assert cli(*command, "--json").stdout == as_json.stdout
    lines = cli(*command, "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == records
    as_csv = cli(*command, "--format", "csv")
    assert as_csv.exit_code == 0 and cli(*command, "--csv").stdout == as_csv.stdout
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(records) + 1


def test_format_usage_errors(cli: Invoke, logged: None) -> None:
    for args in (["--json", "--csv"], ["--json", "-f", "csv"], ["-f", "xml"], ["-f", "markdown"]):
        result = cli("list", *args)
        assert result.exit_code == 2, args
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert cli("show", "1", "-f", "csv").exit_code == 2  # one entry is a JSON object or a panel


def test_list_csv_is_the_export(cli: Invoke, logged: None) -> None:
    """The same rules for cells: formula text neutralised, lists joined."""
    listed = cli("list", "--csv").stdout_bytes
    exported = cli("export", "entries").stdout_bytes
    assert listed.splitlines()[1:] == exported.splitlines()[1:]
    assert b'"\'=AES treaty signed"' in listed


records = st.lists(
    st.dictionaries(
        st.text(max_size=5),
        st.none() | st.booleans() | st.integers() | st.text() | st.lists(st.text(), max_size=3),
        max_size=4,
    ),
    max_size=4,
)


@given(records)
def test_streamed_json_is_one_record_a_line(data: list[dict[str, Any]]) -> None:
    """The whole list, valid JSON, each record on a line of its own as its JSONL line (as `export entries
    -f json` writes it), so a stream of records is written with the C encoder, record by record."""
    out, jsonl = io.StringIO(), io.StringIO()
    write_records("json", out, (), iter(data))
    write_records("jsonl", jsonl, (), iter(data))
    assert json.loads(out.getvalue()) == data
    lines = out.getvalue().split("\n")
    if not data:
        assert lines == ["[]", ""]
        return
    assert lines[0] == "[" and lines[-2:] == ["]", ""]
    assert [line.strip().removesuffix(",") for line in lines[1:-2]] == jsonl.getvalue().split("\n")[:-1]


def test_the_registry_gives_each_command_its_choices(cli: Invoke) -> None:
    """The choices each kind of command lists, in the registry's order (the default first)."""
    assert formats_taking(RECORDS) == ("table", "json", "jsonl", "csv", "xlsx")
    assert formats_taking(RECORDS, default="csv") == ("csv", "json", "jsonl", "xlsx")
    helped = " ".join(cli("list", "--help").stdout.split())
    assert "Output format: table, json, jsonl, csv, xlsx." in helped


# -- the recipe of ARCHITECTURE.md, "An output format": one registration in render/formats.py ---------------

# The commands whose output is records: each offers every record format of the registry. Every other command
# with a --format refuses one by name. A new command with a --format must be named here or below.
RECORD_COMMANDS = {
    "list": [],
    "timeline": ["regional"],
    "targets": [],
    "indicators": [],
    "signposts": [],
    "forecasts": [],
    "framework list": [],
    "report": [],
    "export report": [],
    "export entries": [],
    "export forecasts": [],
    "source export": [],
    "agenda": [],
    "inbox list": [],
    "feed list": [],
}
OTHER_COMMANDS = {
    "show": ["1"],
    "history": ["1"],
    "source list": [],
    "source show": ["reuters"],
    "inbox show": ["1"],
    "import": ["-"],  # its --format is the input's: the output formats are not its choices
}


def with_format(command: tuple[str, ...]) -> bool:
    return any("--format" in p.opts for p in click_command(command).params)


def test_every_command_with_a_format_is_known() -> None:
    commands = {" ".join(c) for c in all_commands() if with_format(c)}
    assert commands == set(RECORD_COMMANDS) | set(OTHER_COMMANDS)


def _tally(out: Any, fields: Any, records: Any) -> None:
    """A throw-away text format: the field count, then each record's values joined by `|`."""
    names = field_names(fields)  # a kind of record, or an entry's column names
    out.write(f"# tally of {len(names)} fields\n")
    out.writelines("|".join(str(record[name]) for name in names) + "\n" for record in records)


@pytest.fixture
def tally() -> Any:
    register(OutputFormat("tally", frozenset({RECORDS}), "tally", _tally))
    yield
    del FORMATS["tally"]


@pytest.fixture
def everything(cli: Invoke, logged: None, tmp_path: Path) -> None:
    """An entry, a target, a forecast and a registered source: something for every command to print."""
    assert cli("source", "add", "reuters", "--name", "Reuters").exit_code == 0
    # a candidate in the inbox and a feed (issue 24)
    sheet = tmp_path / "ucdp.csv"
    sheet.write_text("id,date_start,side_a,side_b,source_headline\n1,2024-07-06,A,B,Example event 1\n")
    assert cli("feed", "add", "example", "--kind", "ucdp", "--file", str(sheet)).exit_code == 0
    assert cli("feed", "pull").exit_code == 0
    result = cli("forecast", "regional", "commitment", "--by", "2099-12", "-l", "likely", "-c", "high")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", sorted(RECORD_COMMANDS))
def test_a_registered_record_format_is_offered_by_every_record_command(
    cli: Invoke, tally: None, everything: None, tmp_path: Path, name: str
) -> None:
    command = [*name.split(), *RECORD_COMMANDS[name]]
    as_json = cli(*command, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    count = len(json.loads(as_json.stdout))
    assert count >= 1, name
    result = cli(*command, "--format", "tally")
    assert result.exit_code == 0, (name, result.output)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# tally of ") and len(lines) == 1 + count, (name, lines)
    out = tmp_path / "out.tally"
    written = cli(*command, "--format", "tally", "-o", str(out))
    assert written.exit_code == 0, (name, written.output)
    assert out.read_text() == result.stdout and written.stdout == ""


@pytest.mark.parametrize("name", sorted(OTHER_COMMANDS))
def test_every_other_command_refuses_it_by_name(
    cli: Invoke, tally: None, everything: None, name: str
) -> None:
    result = cli(*name.split(), *OTHER_COMMANDS[name], "--format", "tally", input="")
    assert result.exit_code == 2, (name, result.output)
    assert "Traceback" not in result.output
    message = " ".join(result.stderr.split())
    assert "'tally'" in message and "json" in message, message  # the refused name, and the choices


def test_every_command_that_writes_xlsx_takes_an_output_file() -> None:
    for command in all_commands():
        options = {o for p in click_command(command).params for o in p.opts}
        fmt = next((p for p in click_command(command).params if "--format" in p.opts), None)
        if fmt is not None and "xlsx" in (fmt.help or ""):
            assert "-o" in options, command
