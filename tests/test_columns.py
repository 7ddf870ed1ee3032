"""The one definition of an entry's columns (policytrack.records.columns) agrees with the schema and JSON."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import Invoke
from policytrack.records.columns import COLUMNS, ENTRY_COLUMNS, EXPORT_FIELDS, INT_FIELDS, LIST_FIELDS
from policytrack.store import Store
from policytrack.store.entries import LINK_JOINS


def table_columns(db: Path, table: str) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    finally:
        conn.close()


def test_stored_columns_are_the_tables_own(cli: Invoke, db_path: Path) -> None:
    assert cli("list").exit_code == 0  # creates the database
    identity = {"id", "uuid", "revision", "recorded_at", "deleted_at"}
    assert set(ENTRY_COLUMNS) == table_columns(db_path, "entries") - identity
    history = {"entry_id", "revision", "action", "changed_by", "changed_at"}
    assert set(ENTRY_COLUMNS) == table_columns(db_path, "entry_revisions") - history


def test_every_column_expression_runs(db_path: Path) -> None:
    with Store(db_path) as store:
        sql = ", ".join(c.sql for c in COLUMNS)
        store.conn.execute(
            f"SELECT {sql} FROM entries e JOIN indicators i ON i.id = e.indicator_id "
            f"JOIN frameworks f ON f.id = i.framework_id {LINK_JOINS}"
        ).fetchall()


def test_the_json_form_has_the_exported_fields(cli: Invoke) -> None:
    assert cli("log", "regional", "AES treaty", "--tag", "aes", "--date", "2024").exit_code == 0
    (record,) = json.loads(cli("list", "--json").stdout)
    assert set(record) == set(EXPORT_FIELDS) | {"deleted"}
    assert {k for k, v in record.items() if isinstance(v, int) and not isinstance(v, bool)} == INT_FIELDS
    assert {k for k, v in record.items() if isinstance(v, list)} == LIST_FIELDS
