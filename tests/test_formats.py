"""One registry from format name to writer: --format on every command that prints records, --json and
--csv as its aliases, and writers that stream the same bytes a whole-list dump would."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Invoke
from policytrack.cli.options import RECORD_FORMATS
from policytrack.render.formats import WORKBOOK_FORMATS, WRITERS, write_records

COMMANDS = [
    ["list"],
    ["indicators"],
    ["timeline", "regional"],
    ["targets"],
]


@pytest.fixture
def logged(cli: Invoke) -> None:
    assert cli("log", "regional", "=AES treaty signed", "--date", "2024-07-06", "--tag", "aes").exit_code == 0
    assert cli("target", "regional", "in-progress", "--by", "2027-12", "--from", "2024-01-01").exit_code == 0


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


def test_registry_has_the_record_formats() -> None:
    """Every record format but the table is a writer of the registry or a workbook format."""
    assert set(WRITERS) == {"csv", "json", "jsonl"}
    assert RECORD_FORMATS[0] == "table"
    assert set(RECORD_FORMATS[1:]) == set(WRITERS) | set(WORKBOOK_FORMATS)
