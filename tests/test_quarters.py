"""Dates known to a quarter (`T3 2024`, `Q3 2024`, `2024-Q3`): kept as quarters through log, list, export,
import, reports, targets, and the migration that lets the schema hold them."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Invoke, InvokeJson
from policytrack.records.columns import COLUMNS
from policytrack.store import MIGRATION_NAMES
from test_migrations import _old_database


def test_a_quarter_is_logged_listed_and_exported_as_a_quarter(cli: Invoke, cli_json: InvokeJson) -> None:
    logged = cli("log", "regional", "synthetic test entry: a quarter", "--date", "T3 2024", "--effect", "1")
    assert logged.exit_code == 0, logged.stderr
    assert "dated 2024-Q3" in logged.stdout
    (row,) = cli_json("list", "--json")
    assert (row["date"], row["date_precision"]) == ("2024-Q3", "quarter")
    exported = cli("export", "entries", "--format", "csv")
    assert exported.exit_code == 0 and '"2024-Q3","quarter"' in exported.stdout


def test_a_quarter_counts_from_its_first_day(cli: Invoke, log: Callable[..., int]) -> None:
    log("regional", "synthetic test entry: third quarter", "--date", "3e trimestre 2024", "--effect", "2")
    rows = json.loads(cli("report", "--as-of", "2025-01-01", "--by", "month", "--json").stdout)
    by = {(r["key"], r["period"]): r["entries"] for r in rows}
    assert (by[("regional", "2024-07")], by[("regional", "2024-08")]) == (1, 0)
    # --until inside the quarter: the entry's position is its first day, 1 July
    inside = cli("list", "--json", "--since", "2024-07-01", "--until", "2024-07-01")
    assert [e["date"] for e in json.loads(inside.stdout)] == ["2024-Q3"]
    before = cli("list", "--json", "--until", "2024-06-30")
    assert json.loads(before.stdout) == []


def test_a_target_due_in_a_quarter_ends_on_its_last_day(cli: Invoke, cli_json: InvokeJson) -> None:
    result = cli("target", "regional", "in-progress", "--by", "Q4 2030", "--from", "2024-01-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("by 2030-Q4")
    (target,) = [t for t in cli_json("targets", "--json") if t["indicator"] == "regional"]
    assert target["due"] == "2030-Q4"


def test_import_takes_the_quarter_stored_form(cli: Invoke, cli_json: InvokeJson, tmp_path: Path) -> None:
    source = tmp_path / "q.csv"
    source.write_text("indicator,date,summary,effect\nregional,2024-Q2,synthetic test entry: imported,1\n")
    result = cli("import", str(source))
    assert result.exit_code == 0, result.stderr
    (row,) = cli_json("list", "--json")
    assert (row["date"], row["date_precision"]) == ("2024-Q2", "quarter")


def _schema(conn: sqlite3.Connection) -> dict[str, str]:
    return {f"{t} {n}": s for t, n, s in conn.execute("SELECT type, name, sql FROM sqlite_master") if s}


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    # sync_revisions is its primary key since m026 (no rowid); its rows are in that order either way
    order = "entry_id, revision" if table == "sync_revisions" else "rowid"
    return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


@pytest.mark.no_db
def test_the_quarter_migration_keeps_every_row_index_trigger_and_the_search_index(
    cli: Invoke, db_path: Path, tmp_path: Path
) -> None:
    """A database made before m010 (by the shipped migrations before it), with an edited entry, a deleted
    one, their revisions and a synced revision, upgrades with everything else exactly as it was."""
    step = MIGRATION_NAMES.index("m012_quarter_precision")
    fresh = tmp_path / "fresh.db"
    assert cli("--db", str(fresh), "indicators").exit_code == 0
    _old_database(db_path, step, fresh)  # rows written by the shipped schema, none through today's code
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO sync_revisions (entry_id, revision, authored) VALUES (1, 1, 1)")
    conn.commit()
    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")][
        -1
    ] == MIGRATION_NAMES[step - 1]
    before = _schema(conn)
    rows = {t: _rows(conn, t) for t in ("entries", "entry_revisions", "sync_revisions", "entries_fts")}
    conn.close()

    logged = cli("log", "regional", "synthetic test entry: a quarter", "--date", "Q2 2024")
    assert logged.exit_code == 0, logged.stderr
    assert f"before-{MIGRATION_NAMES[step]}" in logged.stderr

    conn = sqlite3.connect(db_path)
    after = _schema(conn)
    # of what both hold, only the two tables changed (later migrations add and drop their own objects)
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    # (m022 adds the language of sources to theirs; m026 makes sync_revisions its primary key)
    assert changed == {"table entries", "table entry_revisions", "table sources", "table sync_revisions"}
    # and the text columns later migrations add at the end (m013's return of an entry for changes)
    later = [c.name for c in COLUMNS if c.stored and MIGRATION_NAMES.index(c.since) > step]
    for table in ("entries", "entry_revisions"):
        widened = before[f"table {table}"].replace(
            "IN ('day', 'month', 'year')", "IN ('day', 'month', 'quarter', 'year')"
        )
        text = after[f"table {table}"]
        for name in later:
            added = re.compile(rf", {name} (TEXT|INTEGER)[^,)]*")
            assert len(added.findall(text)) == 1, (table, name)
            text = added.sub("", text)
        assert text == widened
    for table, kept in rows.items():
        width = len(kept[0]) if kept else 0  # the columns later migrations add come after these
        assert [row[:width] for row in _rows(conn, table)[: len(kept)]] == kept
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('integrity-check')")
    conn.close()
    # the search index still finds the old rows and takes the new one (its triggers are back)
    assert [e["id"] for e in json.loads(cli("list", "--json", "--grep", "niamey").stdout)] == [1]
    assert [e["id"] for e in json.loads(cli("list", "--json", "--grep", "quarter").stdout)] == [3]
    history = json.loads(cli("history", "1", "--json").stdout)
    assert [r["action"] for r in history] == ["create", "edit"]
