"""Hostile and careless import input: every refusal is one clear error and leaves the database as it was."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import Invoke
from policytrack.core.storable import MAX_CELL_TEXT
from policytrack.exchange.readers import MAX_RECORD

LOGGER = """
import sys
from policytrack.cli import full_app
app = full_app()
from typer.testing import CliRunner
runner, worker, count = CliRunner(), sys.argv[1], int(sys.argv[2])
for i in range(count):
    result = runner.invoke(app, ["log", "regional", f"logger {worker} entry {i}", "--date", "2024"])
    if result.exit_code != 0:
        print(result.output, file=sys.stderr)
        sys.exit(1)
"""


def full_export(cli: Invoke) -> bytes:
    """Everything the database holds that an analyst can see: every revision, tombstones included."""
    result = cli("export", "entries", "--all-revisions", "-f", "jsonl", "--all-frameworks")
    assert result.exit_code == 0, result.stderr
    return bytes(result.stdout_bytes)


@pytest.mark.slow
def test_import_beside_two_loggers_loses_nothing(cli: Invoke, db_path: Path, tmp_path: Path) -> None:
    """The import reads the next free id under its write lock: an id read before it could be taken by a
    `log` that commits while the import waits for the lock ("UNIQUE constraint failed: entries.id")."""
    assert cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06").exit_code == 0
    env = {**os.environ, "POLICYTRACK_DB": str(db_path)}
    imports, rows, logs = 8, 300, 60
    files = []
    for n in range(imports):
        path = tmp_path / f"in{n}.csv"
        path.write_text(
            "indicator,date,summary\n" + "".join(f"diversify,2023,import {n} row {i}\n" for i in range(rows))
        )
        files.append(path)
    loggers = [
        subprocess.Popen(
            [sys.executable, "-c", LOGGER, str(w), str(logs)], env=env, stderr=subprocess.PIPE, text=True
        )
        for w in range(2)
    ]
    results = [
        subprocess.run(
            [sys.executable, "-m", "policytrack", "import", str(path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for path in files
    ]
    errors = [p.communicate(timeout=300)[1] for p in loggers]
    assert [p.returncode for p in loggers] == [0, 0], errors
    assert [r.returncode for r in results] == [0] * imports, [r.stderr for r in results]
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 1 + 2 * logs + imports * rows
        assert (
            conn.execute("SELECT count(DISTINCT summary) FROM entries").fetchone()[0]
            == 1 + 2 * logs + imports * rows
        )
        assert (
            conn.execute("SELECT count(*) FROM entry_revisions").fetchone()[0]
            == 1 + 2 * logs + imports * rows
        )
    finally:
        conn.close()


def seeded(cli: Invoke) -> str:
    """A database with one live and one deleted entry; returns the live entry's uuid."""
    assert cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06").exit_code == 0
    assert cli("log", "diversify", "Withdrawal announced", "--date", "2022-02-17").exit_code == 0
    assert cli("delete", "2", "--force").exit_code == 0
    return str(json.loads(cli("show", "1", "--json").stdout)["uuid"])


def refused(cli: Invoke, *args: str, input: str | None = None, says: str = "") -> str:
    """Run an import that must be refused: exit 1, no traceback, one error line (after the documented
    indented list of bad rows), and the database exactly as it was. Returns stderr."""
    before = full_export(cli)
    result = cli("import", *args, input=input)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    *rows, last = result.stderr.splitlines()
    assert last.startswith("policytrack: error: "), result.stderr
    assert all(line.startswith("  ") for line in rows), result.stderr
    assert says in result.stderr, result.stderr
    assert full_export(cli) == before
    return str(result.stderr)


def jsonl(*objects: dict[str, Any]) -> str:
    return "".join(json.dumps(o) + "\n" for o in objects)


ROW: dict[str, Any] = {"indicator": "regional", "date": "2024", "summary": "AES treaty"}


@pytest.mark.parametrize("key", ["efect", "grde", "staus", "Summary", "action"])
def test_import_refuses_unknown_jsonl_keys(cli: Invoke, key: str) -> None:
    seeded(cli)
    says = "every revision" if key == "action" else f"unknown key {key!r} (known: id, uuid"
    refused(cli, "-", "-f", "jsonl", input=jsonl({**ROW, key: "x"}), says=says)
    refused(cli, "-", "-f", "json", input=json.dumps([{**ROW, key: "x"}]), says=says)


def test_import_refuses_repeated_csv_columns_and_json_keys(cli: Invoke) -> None:
    seeded(cli)
    csv_text = "indicator,date,summary,grade,grade\nregional,2024,x,A1,B2\n"
    refused(cli, "-", "-f", "csv", input=csv_text, says="column grade appears twice")
    text = '{"indicator": "regional", "date": "2024", "summary": "a", "summary": "b"}\n'
    refused(cli, "-", "-f", "jsonl", input=text, says="key 'summary' appears twice")


def test_unclosed_csv_quote_names_the_line_it_opened(cli: Invoke) -> None:
    seeded(cli)
    text = 'indicator,date,summary\nregional,2024,fine\nregional,2024,"never closed\nregional,2024,b\n'
    refused(cli, "-", "-f", "csv", input=text, says="line 3: a quoted cell starting on this line is never")


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("summary", [None], "summary must be text, not a JSON list"),
        ("note", True, "note must be text, not true or false"),
        ("source", 5, "source must be text, not a number"),
        ("tags", [["a"]], "tags must be a list of text, but it holds a JSON list"),
        ("tags", [1], "tags must be a list of text, but it holds a number"),
        ("actors", {"a": 1}, "actors must be a list of text or"),
        ("effect", True, "effect must be a whole number"),
        ("effect", 1.0, "effect must be a whole number"),
        ("framework", 3, "framework must be text"),
        ("uuid", 7, "uuid must be text"),
        ("recorded_at", 1720000000, "is not an ISO 8601 timestamp"),
    ],
)
def test_json_values_are_type_checked_never_stringified(
    cli: Invoke, field: str, value: Any, says: str
) -> None:
    seeded(cli)
    stderr = refused(cli, "-", "-f", "jsonl", input=jsonl({**ROW, field: value}), says=says)
    assert "line 1:" in stderr


@pytest.mark.parametrize(
    "field", ["uuid", "recorded_at", "deleted_at", "summary", "note", "source", "analyst"]
)
def test_nul_is_refused_in_every_field(cli: Invoke, field: str) -> None:
    uuid = seeded(cli)
    good = {"uuid": uuid, "recorded_at": "2024-07-06T09:30:00Z", "deleted_at": "2024-07-07T09:30:00Z"}
    value = good.get(field, "text") + "\x00"
    refused(cli, "-", "-f", "jsonl", input=jsonl({**ROW, "revision": 9, field: value}), says="line 1:")
    csv_text = f"indicator,date,summary,{field}\nregional,2024,x,{value}\n".replace(
        "summary,summary", "summary"
    )
    refused(cli, "-", "-f", "csv", input=csv_text, says="line 2:")


@pytest.mark.parametrize("spelling", [str.upper, lambda u: f"  {u} ", lambda u: f"\t{u.upper()}\n"])
def test_uuids_are_normalised_not_a_second_entry(cli: Invoke, spelling: Any) -> None:
    uuid = seeded(cli)
    row = json.loads(cli("export", "entries", "-f", "jsonl").stdout)
    result = cli("import", "-", "-f", "jsonl", input=jsonl({**row, "uuid": spelling(uuid)}))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "0 added, 0 updated, 1 unchanged"


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(uuid=st.text(max_size=40).filter(lambda s: s.strip()) | st.uuids().map(lambda u: u.hex))
def test_malformed_uuids_are_row_errors(cli: Invoke, uuid: str) -> None:
    assume(not re.fullmatch(r"\s*[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\s*", uuid))
    refused(cli, "-", "-f", "jsonl", input=jsonl({**ROW, "uuid": uuid}), says="line 1: uuid")


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(["id", "revision"]),
    number=st.integers(min_value=2**53 + 1, max_value=2**80) | st.integers(max_value=0),
    as_text=st.booleans(),
)
def test_huge_ids_are_refused_not_stored(cli: Invoke, field: str, number: int, as_text: bool) -> None:
    value: Any = str(number) if as_text else number
    refused(cli, "-", "-f", "jsonl", input=jsonl({**ROW, field: value}), says=f"line 1: {field}")


def test_ids_up_to_2_53_are_kept_and_log_goes_on(cli: Invoke) -> None:
    result = cli("import", "-", "-f", "jsonl", input=jsonl({**ROW, "id": 2**53, "revision": 2**53}))
    assert result.exit_code == 0, result.stderr
    assert json.loads(cli("show", str(2**53), "--json").stdout)["revision"] == 2**53
    assert cli("log", "regional", "next one", "--date", "2024").stdout.split()[2] == str(2**53 + 1)


def test_a_deleted_entry_comes_back_only_at_a_newer_revision(cli: Invoke) -> None:
    seeded(cli)
    lines = cli("export", "entries", "--all-revisions", "-f", "jsonl").stdout.splitlines()
    (deleted,) = [r for r in map(json.loads, lines) if r["action"] == "delete"]
    stale = {k: v for k, v in deleted.items() if k not in ("action", "changed_by", "changed_at", "revision")}
    result = cli("import", "-", "-f", "jsonl", input=jsonl(stale))
    assert result.exit_code == 0, result.stderr
    assert "1 kept local" in result.stdout
    assert cli("show", "2").exit_code == 0 and "Withdrawal" not in cli("list").stdout
    newer = {**stale, "revision": deleted["revision"] + 1}
    assert cli("import", "-", "-f", "jsonl", input=jsonl(newer)).stdout.startswith("0 added, 1 updated")
    assert "Withdrawal" in cli("list").stdout


def test_a_summary_log_accepts_survives_csv_export_and_import(cli: Invoke, tmp_path: Path) -> None:
    long = "x" * MAX_CELL_TEXT  # the most a spreadsheet cell holds, in UTF-16 units
    assert cli("log", "regional", long, "--date", "2024").exit_code == 0
    emoji = "\N{GRINNING FACE}" * (MAX_CELL_TEXT // 2)  # two units each
    assert cli("log", "regional", long[1:] + "y", "--note", emoji, "--date", "2024").exit_code == 0
    out = tmp_path / "e.csv"
    assert cli("export", "entries", "-o", str(out)).exit_code == 0
    result = cli("--db", str(tmp_path / "b.db"), "import", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "2 added, 0 updated, 0 unchanged"


def test_text_over_the_field_limit_is_refused_by_log_and_import(cli: Invoke) -> None:
    seeded(cli)
    before = full_export(cli)
    too_long = "x" * (MAX_CELL_TEXT + 1)
    result = cli("log", "regional", too_long, "--date", "2024")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert f"over the {MAX_CELL_TEXT:,} a cell holds" in result.stderr
    assert cli("edit", "1", "--note", too_long).exit_code == 1
    assert full_export(cli) == before
    refused(cli, "-", "-f", "csv", input=f"indicator,date,summary\nregional,2024,{too_long}\n", says="line 2")
    refused(
        cli,
        "-",
        "-f",
        "jsonl",
        input=jsonl({**ROW, "tags": ["t" * 20_000, "u" * 20_000]}),
        says="line 1: tags is 40,002 characters long as a spreadsheet counts them",
    )
    refused(cli, "-", "-f", "jsonl", input="{" + " " * (MAX_RECORD + 10) + "}\n", says="line 1: the record")


def test_raw_export_imported_without_raw_warns(cli: Invoke, tmp_path: Path) -> None:
    assert cli("log", "regional", "'quoted' by the minister", "--date", "2024").exit_code == 0
    assert cli("log", "regional", "=1+1 is not a formula", "--date", "2024").exit_code == 0
    raw, safe = tmp_path / "raw.csv", tmp_path / "safe.csv"
    assert cli("export", "entries", "--raw", "-o", str(raw)).exit_code == 0
    assert cli("export", "entries", "-o", str(safe)).exit_code == 0
    for path, option in ((raw, ()), (safe, ("--raw",))):
        result = cli("--db", str(tmp_path / f"{path.stem}.db"), "import", str(path), *option)
        assert result.exit_code == 0, result.stderr
        assert result.stderr.startswith("policytrack: warning: ") and len(result.stderr.splitlines()) == 1
        assert "--raw" in result.stderr
    for path, option in ((raw, ("--raw",)), (safe, ())):
        result = cli("--db", str(tmp_path / f"{path.stem}2.db"), "import", str(path), *option)
        assert result.exit_code == 0 and result.stderr == "", result.stderr


def test_import_from_closed_stdin_is_one_line(db_path: Path) -> None:
    env = {**os.environ, "POLICYTRACK_DB": str(db_path)}
    result = subprocess.run(
        [sys.executable, "-m", "policytrack", "import", "-"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(0),
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "policytrack: error: standard input is closed; give the text as an argument, or pipe it in"
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 100_000, "nested too deeply"),
        ('{"a":' * 100_000, "nested too deeply"),
        ('{"indicator": "regional", "date": "2024", "summary": "x", "effect": ' + "1" * 5001 + "}", "digits"),
        ('{"indicator": "regional", "date": "2024", "summary": "\\ud800"}', "lone surrogate"),
        ('{"indicator": "regional", "date": "2024", "summary": "x", "uuid": "\\ud800"}', "uuid"),
        ('{"indicator": "regional", "date": "2024", "summary": "x", "\\ud800": 1}', "unknown key '\\ud800'"),
    ],
)
def test_hostile_json_is_one_clear_error(cli: Invoke, text: str, says: str) -> None:
    seeded(cli)
    refused(cli, "-", "-f", "jsonl", input=text + "\n", says=says)
    if not text.startswith('{"a"'):
        refused(cli, "-", "-f", "json", input=f"[{text}]", says=says)


def test_fifos_and_devices_are_refused(cli: Invoke, tmp_path: Path) -> None:
    seeded(cli)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused(cli, str(fifo), says="not a regular file")  # would block forever if opened
    refused(cli, "/dev/zero", says="not a regular file")  # would fill memory


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[{"indicator": "regional"}', "ends after object 1 without"),
        ('[{"indicator": "regional"} {"a": 1}]', "expected ',' or ']'"),
        ('[{"indicator": "regional"}] [', "text after the JSON array"),
        ('{"indicator": "regional"}', "must hold a list of objects"),
        ("[1, 2]", "must be a JSON object"),
        ('[{"indicator": "regional", "indicator": "x"}]', "appears twice"),
        ("[{]", "not valid JSON"),
        ("   ", "must hold a list of objects"),
    ],
)
def test_a_broken_json_array_is_one_line(cli: Invoke, text: str, says: str) -> None:
    seeded(cli)
    refused(cli, "-", "-f", "json", input=text, says=says)


def test_one_json_object_over_the_record_limit_is_refused(cli: Invoke) -> None:
    seeded(cli)
    text = '[{"summary": "' + "x" * (MAX_RECORD + 10) + '"}]'
    refused(cli, "-", "-f", "json", input=text, says="longer than")


def their_db(cli: Invoke, tmp_path: Path, *sql: str) -> Path:
    """Another analyst's database with one entry, then changed by `sql` (as a hostile tool could)."""
    theirs = tmp_path / "theirs.db"
    assert (
        cli("--db", str(theirs), "log", "regional", "AES treaty", "--date", "2024", "-t", "a").exit_code == 0
    )
    conn = sqlite3.connect(theirs)
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return theirs


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("UPDATE entries SET tags = 'null'", "line 1: tags is 'null' in the source database"),
        (f"UPDATE entries SET tags = '{'[' * 100_000}'", "line 1: tags is"),  # RecursionError
        ("UPDATE entries SET actors = 'not json'", "line 1: actors is 'not json' in the source database"),
        ("UPDATE entries SET tags = '[1]'", "line 1: tags must be a list of text"),
        ("UPDATE entries SET summary = CAST('x' AS BLOB)", "line 1: summary must be text, not binary data"),
        ("UPDATE entries SET effect = 1.5", "line 1: effect must be a whole number"),
        ("UPDATE entries SET id = 9223372036854775807", "line 1: id 9223372036854775807 is out of range"),
        ("UPDATE entries SET uuid = upper(uuid) || char(0)", "line 1: uuid"),
    ],
)
def test_bad_values_in_another_database_are_row_errors(
    cli: Invoke, tmp_path: Path, change: str, says: str
) -> None:
    seeded(cli)
    refused(cli, str(their_db(cli, tmp_path, "DROP TRIGGER IF EXISTS entries_au", change)), says=says)


def test_null_lists_in_another_database_are_row_errors(cli: Invoke, tmp_path: Path) -> None:
    seeded(cli)
    theirs = their_db(
        cli,
        tmp_path,
        "PRAGMA legacy_alter_table = ON",
        "CREATE TABLE loose AS SELECT * FROM entries",
        "DROP TABLE entries",
        "ALTER TABLE loose RENAME TO entries",
        "UPDATE entries SET tags = NULL",
    )
    refused(cli, str(theirs), says="line 1: tags is NULL in the source database, not a JSON list")


def test_a_recursive_view_is_not_read(cli: Invoke, tmp_path: Path) -> None:
    """A view named entries could recurse for ever (filling the temp disk): only tables are read."""
    seeded(cli)
    columns = "id, uuid, indicator_id, date, recorded_at, summary, note, source, effect, grade, status, tags"
    columns += ", actors, analyst, revision, deleted_at"
    theirs = their_db(
        cli,
        tmp_path,
        "ALTER TABLE entries RENAME TO old_entries",
        f"""CREATE VIEW entries ({columns}) AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
            SELECT n, NULL, 1, '2024', NULL, 'x', '', '', 0, NULL, NULL, '[]', '[]', '', 1, NULL FROM r""",
    )
    refused(cli, str(theirs), says="not a policytrack database (entries is no table)")


def test_a_query_that_runs_on_is_stopped(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policytrack.store import otherdb

    # the same handler with a shorter leash: the real one burns a second or two of CPU before it stops
    monkeypatch.setattr(otherdb, "_MAX_CALLS", 100)
    conn, _ = otherdb._source_db(their_db(cli, tmp_path))
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        conn.execute("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT max(n) FROM r")
    conn.close()


@pytest.mark.parametrize("seed", [False, True])
def test_a_uuid_twice_in_a_file_is_found_across_batches(cli: Invoke, seed: bool) -> None:
    """The uuids already read are remembered on disk, not in memory: a repeat thousands of rows later is
    still refused, with its line, into an empty database and into one with entries."""
    from policytrack.exchange.importer import BATCH

    if seed:
        seeded(cli)
    uuids = [str(uuid.UUID(int=n + 1)) for n in range(BATCH + 10)]
    uuids[BATCH + 5] = uuids[3]
    text = "".join(
        json.dumps({"uuid": u, "indicator": "regional", "date": "2024", "summary": f"row {n}"}) + "\n"
        for n, u in enumerate(uuids)
    )
    stderr = refused(cli, "-", "-f", "jsonl", input=text, says="appears twice in the file")
    assert f"line {BATCH + 6}: uuid {uuids[3]} appears twice" in stderr
