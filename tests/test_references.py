"""Team-wide references: every command that takes an entry or forecast id also takes a uuid prefix (`@3f9a1c`,
or without `@` when it holds a letter); digits alone stay the local number; a prefix that names several is
refused with them listed. Tables, `show` and the brief show the reference."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Invoke, SeededDb
from policytrack.cli.common import reference
from policytrack.core.errors import InputError

A = "3f9a1c2d-0000-4000-8000-000000000001"
B = "3f9a1cff-0000-4000-8000-000000000002"
C = "12345678-0000-4000-8000-000000000003"


@pytest.fixture
def three(cli: Invoke, log: Callable[..., int], db_path: Path, seeded_db: SeededDb) -> None:
    def build() -> None:
        for n in range(3):
            log("regional", f"Observation {n}", "--date", "2024-07-0" + str(n + 1))
        conn = sqlite3.connect(db_path)
        for entry_id, uuid in ((1, A), (2, B), (3, C)):
            conn.execute("UPDATE entries SET uuid = ? WHERE id = ?", (uuid, entry_id))
        conn.commit()
        conn.close()
        assert cli("edit", "1", "--grade", "B2").exit_code == 0  # a revision to revert to

    seeded_db("test_references.three", build)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("7", 7), ("#7", 7), ("@3f9a1c", "3f9a1c"), ("3F9A1C2D0", "3f9a1c2d-0"), ("@123456", "123456")],
)
def test_what_a_reference_is(typed: str, expected: int | str) -> None:
    assert reference(typed, "entry") == expected


@given(st.text(max_size=12))
def test_a_bad_reference_is_one_clear_error(raw: str) -> None:
    try:
        found = reference(raw, "entry")
    except InputError as exc:
        assert "\n" not in str(exc) and ("@3f9a1c" in str(exc) or "2^53" in str(exc))
    else:
        assert isinstance(found, int) or (len(found.replace("-", "")) >= 6)


@pytest.mark.parametrize(
    "args",
    [
        ("show", "{ref}"),
        ("edit", "{ref}", "--effect", "1"),
        ("history", "{ref}"),
        ("review", "{ref}", "--self"),
        ("revert", "{ref}", "--to", "1", "--yes"),
        ("delete", "{ref}", "--force"),
    ],
)
@pytest.mark.parametrize("ref", ["@3f9a1c2d", "3f9a1c2d", "@3F9A1C2D-0"])
def test_every_entry_command_takes_a_reference(
    cli: Invoke, three: None, args: tuple[str, ...], ref: str
) -> None:
    result = cli(*(a.format(ref=ref) for a in args))
    assert result.exit_code == 0, result.stderr
    listed = json.loads(cli("list", "--json", "--deleted").stdout) if args[0] == "delete" else None
    if listed is not None:
        assert [e["uuid"] for e in listed if e["deleted"]] == [A]
        assert cli("restore", ref).exit_code == 0


def test_digits_alone_are_the_local_number_and_ambiguity_lists_the_candidates(
    cli: Invoke, three: None
) -> None:
    assert "Observation 2" in cli("show", "3").stdout  # 3 is the local number, not a prefix
    assert "Observation 2" in cli("show", "@123456").stdout  # with @, digits are a prefix
    both = cli("show", "@3f9a1c")
    assert both.exit_code == 1 and both.stderr.count("\n") == 1
    assert A in both.stderr and B in both.stderr and "more digits" in both.stderr
    missing = cli("edit", "@abcdef", "--effect", "1")
    assert missing.exit_code == 1 and missing.stderr.count("\n") == 1 and "abcdef" in missing.stderr


def test_show_tables_and_the_brief_show_the_reference(cli: Invoke, three: None) -> None:
    shown = cli("show", "1").stdout
    assert "@3f9a1c2d" in shown and A in shown
    assert "@3f9a1cff" in cli("list").stdout
    assert "@12345678" in cli("timeline", "regional").stdout
    brief = cli("report", "--format", "html", "--explain").stdout
    assert "@3f9a1c2d" in brief
    csv_out = cli("list", "--format", "csv").stdout
    assert "@3f9a1c" not in csv_out and A in csv_out  # CSV carries the uuid, as before


def test_withdraw_takes_a_forecast_reference(cli: Invoke) -> None:
    made = cli("forecast", "regional", "commitment", "--by", "2027", "--likelihood", "60")
    assert made.exit_code == 0, made.stderr
    (forecast,) = json.loads(cli("forecasts", "--format", "json").stdout)
    result = cli("withdraw", "@" + forecast["uuid"][:8])
    assert result.exit_code == 0, result.stderr
    assert "@" + forecast["uuid"][:8] in result.stdout
    again = cli("withdraw", "@" + forecast["uuid"][:8])
    assert again.exit_code == 1 and "already withdrawn" in again.stderr
