"""`db check` holds a database's schema to what this version's migrations make (store/schema.py): each
missing index, trigger, table or view is named with its fix; `db check --repair` makes the missing indexes
and triggers again, in order, and rebuilds the full-text index when one of its triggers was gone."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke, write_db
from policytrack.store import schema

REFERENCE = schema.reference()
REPAIRABLE = sorted(name for (kind, name) in REFERENCE if kind in schema.REPAIRABLE)


def _schema(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT type, name, tbl_name FROM sqlite_master "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()


def test_the_reference_holds_the_triggers_the_code_relies_on() -> None:
    """Read from the migrations, not listed by hand: the full-text triggers and the kept counts' are in it."""
    names = {name for kind, name in REFERENCE if kind == "trigger"}
    assert {"entries_ai", "entries_ad", "entries_au"} <= names
    assert any("count" in name for name in names)
    assert ("table", "entries") in REFERENCE and ("index", "entries_order") in REFERENCE


def test_a_fresh_database_has_nothing_missing(cli: Invoke, db_path: Path) -> None:
    checked = cli("db", "check")
    assert checked.exit_code == 0 and checked.stderr == ""
    assert sorted((kind, name) for kind, name, _table in _schema(db_path)) == sorted(REFERENCE)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dropped=st.lists(st.sampled_from(REPAIRABLE), min_size=1, max_size=3, unique=True))
def test_a_dropped_index_or_trigger_is_named_and_made_again(
    cli: Invoke, db_path: Path, log: Callable[..., int], dropped: list[str]
) -> None:
    if not _schema(db_path):
        log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    before = _schema(db_path)
    kinds = {name: kind for kind, name in REFERENCE}
    write_db(db_path, *(f'DROP {kinds[name].upper()} IF EXISTS "{name}"' for name in dropped))
    checked = cli("db", "check")
    assert checked.exit_code == 1 and "Traceback" not in checked.output
    *lines, last = checked.stderr.splitlines()
    assert sorted(lines) == sorted(
        f"the {kinds[name]} {name} is missing from the schema: "
        "run `policytrack db check --repair` to make it again"
        for name in dropped
    )
    assert last.endswith(f"{len(dropped)} problem{'s' if len(dropped) > 1 else ''} found")
    repaired = cli("db", "check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert {f"made the {kinds[name]} {name} again" for name in dropped} <= set(repaired.stderr.splitlines())
    assert _schema(db_path) == before
    assert cli("db", "check").exit_code == 0


def test_the_search_index_catches_up_after_its_trigger_is_made_again(
    cli: Invoke, db_path: Path, log: Callable[..., int]
) -> None:
    log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    write_db(db_path, "DROP TRIGGER entries_ai")
    log("regional", "Sahel confederation summit held", "--date", "2024-07-07")
    assert "confederation" not in cli("list", "--grep", "confederation").stdout  # the index missed it
    assert cli("db", "check", "--repair").exit_code == 0
    found = cli("list", "--grep", "confederation")
    assert found.exit_code == 0 and "Sahel confederation summit held" in found.stdout
    assert "treaty" in cli("list", "--grep", "treaty").stdout


def test_a_missing_table_needs_a_backup_and_repair_leaves_it(cli: Invoke, db_path: Path) -> None:
    assert cli("db", "check").exit_code == 0
    write_db(db_path, "DROP VIEW current_entries")
    checked = cli("db", "check")
    assert checked.exit_code == 1
    assert "the view current_entries is missing from the schema: restore the database from a backup" in (
        checked.stderr
    )
    repaired = cli("db", "check", "--repair")
    assert repaired.exit_code == 1 and "restore the database from a backup" in repaired.stderr
    assert "Traceback" not in repaired.output


def test_a_missing_table_s_indexes_are_not_offered_a_repair(cli: Invoke, db_path: Path) -> None:
    """A table that is gone takes its indexes with it: only the table is named, with a backup as its fix;
    `--repair` cannot make its indexes, so no line may say it would (each line's fix must work)."""
    with_index = sorted(
        (table, name)
        for (kind, name), (table, _sql) in REFERENCE.items()
        if kind == "index"
        and ("table", table) in REFERENCE
        and table != "entries"
        and table != "_sqlite_migrations"  # without it, a database is of no known version: not compared
    )
    assert ("sync_revisions", "sync_revisions_authored") in with_index
    for table, _index in with_index:
        keep = db_path.read_bytes()
        try:
            write_db(db_path, "PRAGMA foreign_keys = OFF", f'DROP TABLE "{table}"')
            for command in (("db", "check"), ("db", "check", "--repair")):
                checked = cli(*command)
                assert checked.exit_code == 1, (table, command, checked.output)
                lines = [line for line in checked.stderr.splitlines() if "is missing from the schema" in line]
                assert lines == [
                    f"the table {table} is missing from the schema: restore the database from a backup"
                ], (table, checked.stderr)
        finally:
            db_path.write_bytes(keep)
            for extra in ("-wal", "-shm"):
                Path(f"{db_path}{extra}").unlink(missing_ok=True)


def test_a_database_of_another_version_is_not_compared(cli: Invoke, db_path: Path) -> None:
    """An older database is upgraded by the next command that writes: what it lacks is not a problem."""
    assert cli("db", "check").exit_code == 0
    write_db(
        db_path,
        "DELETE FROM _sqlite_migrations WHERE name = (SELECT max(name) FROM _sqlite_migrations)",
        "DROP INDEX entries_order",
    )
    assert cli("db", "check").exit_code == 0
    conn = sqlite3.connect(db_path)
    try:
        assert schema.missing(conn) == []
    finally:
        conn.close()


def test_the_problems_are_in_french(cli: Invoke, db_path: Path) -> None:
    assert cli("db", "check").exit_code == 0
    write_db(db_path, "DROP INDEX entries_order")
    result = cli("--lang", "fr", "db", "check")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first == (
        "l'index entries_order manque dans le schéma : lancez `policytrack db check --repair` pour le refaire"
    )


@pytest.mark.parametrize("name", ["entries_ai", "entries_order"])
def test_repair_is_one_transaction_on_a_read_only_database(cli: Invoke, db_path: Path, name: str) -> None:
    assert cli("db", "check").exit_code == 0
    kind = "TRIGGER" if name == "entries_ai" else "INDEX"
    write_db(db_path, f"DROP {kind} {name}")
    db_path.chmod(0o444)
    try:
        refused = cli("db", "check", "--repair")
    finally:
        db_path.chmod(0o644)
    assert refused.exit_code == 1 and "read-only" in refused.stderr and "Traceback" not in refused.output
    assert name not in {n for _k, n, _t in _schema(db_path)}
