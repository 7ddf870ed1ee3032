"""The schema a fresh database gets, exactly, and the upgrade from every schema a release has shipped.

Never edit a shipped migration (src/policytrack/store/migrations.py): add one, then update EXPECTED_SCHEMA
below by hand, reading the diff.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from conftest import Invoke, slow_but
from policytrack.store import MIGRATION_NAMES
from policytrack.store.migrations import migrations

Column = tuple[str, str, int, str | None, int]  # name, type, notnull, default, pk (PRAGMA table_info)

# every test here builds an older database in the test's place: none starts from the one a first command makes
pytestmark = pytest.mark.no_db


def _sql(text: str) -> str:
    return " ".join(text.split())


def _checks(sql: str) -> list[str]:
    """Every CHECK (...) in a CREATE TABLE, whitespace collapsed (PRAGMA table_info does not show them)."""
    out = []
    for match in re.finditer(r"\bCHECK\s*\(", sql):
        depth, i = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        out.append(_sql(sql[match.start() : i]))
    return out


def schema_of(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every table, view, index and trigger of a database, in plain Python values."""
    schema: dict[str, Any] = {}
    objects = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()
    for kind, name, table, sql in objects:
        if kind in ("table", "view"):
            columns: list[Column] = [
                (r[1], r[2], r[3], r[4], r[5]) for r in conn.execute(f'PRAGMA table_info("{name}")')
            ]
            described: dict[str, Any] = {"columns": columns}
            if kind == "view" or sql.startswith("CREATE VIRTUAL"):
                described["sql"] = _sql(sql)
            else:
                described["checks"] = _checks(sql)
                described["foreign_keys"] = [
                    (r[3], f"{r[2]}({r[4]})") for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')
                ]
                described["without_rowid"] = sql.rstrip().upper().endswith("WITHOUT ROWID")
            schema[f"{kind} {name}"] = described
        elif kind == "index":
            (unique, origin, partial) = next(
                (r[2], r[3], r[4]) for r in conn.execute(f'PRAGMA index_list("{table}")') if r[1] == name
            )
            keys = [r[2] for r in conn.execute(f'PRAGMA index_xinfo("{name}")') if r[5]]
            where = _sql(re.split(r"\bWHERE\b", sql, maxsplit=1)[1]) if partial else None
            schema[f"index {name}"] = {
                "table": table,
                "columns": keys,
                "unique": bool(unique),
                "origin": origin,
                "where": where,
            }
        else:
            assert kind == "trigger", kind
            schema[f"trigger {name}"] = {"table": table, "sql": _sql(sql)}
    return schema


# A fresh database, as every migration in order makes it. Columns: (name, type, notnull, default, pk).
EXPECTED_SCHEMA: dict[str, Any] = {
    "index entries_assessments": {
        "table": "entries",
        # m010: in the one order (never the local id)
        "columns": ["indicator_id", "date_start", "recorded_at", "analyst", "uuid", "status", "date"],
        "unique": False,
        "origin": "c",
        "where": "deleted_at IS NULL AND status IS NOT NULL",
    },
    "index entries_order": {
        "table": "entries",
        # m014: the one order, which export and list stream in (it replaced entries_date, its prefix)
        "columns": ["date_start", "recorded_at", "analyst", "uuid"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index entries_timeline": {
        "table": "entries",
        # m016: one indicator's current entries in the one order, partial on a term only a listing by
        # indicator states (store.entries.BY_INDICATOR), so the report keeps its covering indexes
        "columns": ["indicator_id", "date_start", "recorded_at", "analyst", "uuid", "effect", "status"],
        "unique": False,
        "origin": "c",
        "where": "deleted_at IS NULL AND effect IS NOT NULL",
    },
    "index entries_source": {
        "table": "entries",
        # m016: source show reads the entries citing one source through these two
        "columns": ["source_id"],
        "unique": False,
        "origin": "c",
        "where": "source_id IS NOT NULL",
    },
    "index entries_via": {
        "table": "entries",
        "columns": ["via_id"],
        "unique": False,
        "origin": "c",
        "where": "via_id IS NOT NULL",
    },
    "index entries_event": {
        "table": "entries",
        "columns": ["event"],
        "unique": False,
        "origin": "c",
        "where": "event IS NOT NULL",
    },
    "index entries_report": {
        "table": "entries",
        "columns": ["indicator_id", "date_start", "effect", "weight", "deleted_at"],
        "unique": False,
        "origin": "c",
        "where": "deleted_at IS NULL",
    },
    "index entries_sources": {
        "table": "entries",
        "columns": ["indicator_id", "source_id", "date_start", "effect", "weight", "deleted_at", "source"],
        "unique": False,
        "origin": "c",
        "where": "deleted_at IS NULL",
    },
    "index idx__sqlite_migrations_migration_set_name": {
        "table": "_sqlite_migrations",
        "columns": ["migration_set", "name"],
        "unique": True,
        "origin": "c",
        "where": None,
    },
    "index sources_host": {
        "table": "sources",
        "columns": ["host"],
        "unique": False,
        "origin": "c",
        "where": "host <> ''",
    },
    "index sqlite_autoindex_entries_1": {
        "table": "entries",
        "columns": ["uuid"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "index sqlite_autoindex_entry_revisions_1": {
        "table": "entry_revisions",
        "columns": ["entry_id", "revision"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "index entry_revisions_by": {
        "columns": ["changed_by", "changed_at"],
        "origin": "c",
        "table": "entry_revisions",
        "unique": False,
        "where": None,
    },
    "index reversals_made": {
        "columns": ["kind", "made_ref", "made_revision"],
        "origin": "c",
        "table": "reversals",
        "unique": False,
        "where": None,
    },
    "index reversals_undone": {
        "columns": ["kind", "undone_ref", "undone_revision"],
        "origin": "c",
        "table": "reversals",
        "unique": False,
        "where": None,
    },
    "index sqlite_autoindex_framework_versions_1": {
        "table": "framework_versions",
        "columns": ["framework_id", "version"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "index sqlite_autoindex_frameworks_1": {
        "table": "frameworks",
        "columns": ["name"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "index sqlite_autoindex_indicators_1": {
        "table": "indicators",
        "columns": ["framework_id", "key"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "index sqlite_autoindex_sources_1": {
        "table": "sources",
        "columns": ["uuid"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "index sqlite_autoindex_sources_2": {
        "table": "sources",
        "columns": ["key"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "index sqlite_autoindex_status_levels_1": {
        "table": "status_levels",
        "columns": ["framework_id", "name"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "index targets_indicator": {
        "table": "targets",
        "columns": ["indicator_id", "id"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "table _sqlite_migrations": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("migration_set", "TEXT", 0, None, 0),
            ("name", "TEXT", 0, None, 0),
            ("applied_at", "TEXT", 0, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table entries": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("uuid", "TEXT", 1, None, 0),
            ("indicator_id", "INTEGER", 1, None, 0),
            ("date", "TEXT", 1, None, 0),
            ("date_start", "TEXT", 1, None, 0),
            ("date_precision", "TEXT", 1, None, 0),
            ("summary", "TEXT", 1, None, 0),
            ("note", "TEXT", 1, "''", 0),
            ("source", "TEXT", 1, "''", 0),
            ("effect", "INTEGER", 1, "0", 0),
            ("status", "TEXT", 0, None, 0),
            ("grade", "TEXT", 0, None, 0),
            ("tags", "TEXT", 1, "'[]'", 0),
            ("actors", "TEXT", 1, "'[]'", 0),
            ("analyst", "TEXT", 1, "''", 0),
            ("revision", "INTEGER", 1, "1", 0),
            ("recorded_at", "TEXT", 1, None, 0),
            ("deleted_at", "TEXT", 0, None, 0),
            ("source_id", "INTEGER", 0, None, 0),
            ("via_id", "INTEGER", 0, None, 0),
            ("event", "TEXT", 0, None, 0),
            ("weight", "REAL", 1, "0.5", 0),
            ("signals", "TEXT", 1, "'[]'", 0),  # m009_signals
            ("reviewed_by", "TEXT", 0, None, 0),  # m009_reviews
            ("reviewed_at", "TEXT", 0, None, 0),
            ("returned_by", "TEXT", 0, None, 0),  # m013_returned_entries
            ("returned_at", "TEXT", 0, None, 0),
            ("return_comment", "TEXT", 0, None, 0),
            ("language", "TEXT", 1, "'und'", 0),  # m022_languages
            ("summary_translation", "TEXT", 1, "''", 0),
            ("summary_translation_language", "TEXT", 1, "''", 0),
            ("summary_translation_checked", "INTEGER", 1, "0", 0),
        ],
        "checks": [
            "CHECK (date_precision IN ('day', 'month', 'quarter', 'year'))",
            "CHECK (length(trim(summary)) > 0)",
            "CHECK (effect BETWEEN -2 AND 2)",
            "CHECK (grade IS NULL OR grade GLOB '[A-F][1-6]')",
        ],
        "foreign_keys": [
            ("via_id", "sources(id)"),
            ("source_id", "sources(id)"),
            ("indicator_id", "indicators(id)"),
        ],
        "without_rowid": False,
    },
    "table entries_fts": {
        "columns": [("summary", "", 0, None, 0), ("note", "", 0, None, 0), ("source", "", 0, None, 0)],
        "sql": 'CREATE VIRTUAL TABLE "entries_fts" USING FTS5 ( "summary", "note", "source", '
        "tokenize='unicode61', content=\"entries\" )",
    },
    "table entries_fts_config": {
        "columns": [("k", "", 1, None, 1), ("v", "", 0, None, 0)],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    "table entries_fts_data": {
        "columns": [("id", "INTEGER", 0, None, 1), ("block", "BLOB", 0, None, 0)],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table entries_fts_docsize": {
        "columns": [("id", "INTEGER", 0, None, 1), ("sz", "BLOB", 0, None, 0)],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table entries_fts_idx": {
        "columns": [("segid", "", 1, None, 1), ("term", "", 1, None, 2), ("pgno", "", 0, None, 0)],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    "table entry_revisions": {
        "columns": [
            ("entry_id", "INTEGER", 1, None, 1),
            ("revision", "INTEGER", 1, None, 2),
            ("action", "TEXT", 1, None, 0),
            ("changed_by", "TEXT", 1, None, 0),
            ("changed_at", "TEXT", 1, None, 0),
            ("indicator_id", "INTEGER", 1, None, 0),
            ("date", "TEXT", 1, None, 0),
            ("date_start", "TEXT", 1, None, 0),
            ("date_precision", "TEXT", 1, None, 0),
            ("summary", "TEXT", 1, None, 0),
            ("note", "TEXT", 1, "''", 0),
            ("source", "TEXT", 1, "''", 0),
            ("effect", "INTEGER", 1, "0", 0),
            ("status", "TEXT", 0, None, 0),
            ("grade", "TEXT", 0, None, 0),
            ("tags", "TEXT", 1, "'[]'", 0),
            ("actors", "TEXT", 1, "'[]'", 0),
            ("analyst", "TEXT", 1, "''", 0),
            ("source_id", "INTEGER", 0, None, 0),
            ("via_id", "INTEGER", 0, None, 0),
            ("event", "TEXT", 0, None, 0),
            ("weight", "REAL", 1, "0.5", 0),
            ("signals", "TEXT", 1, "'[]'", 0),  # m009_signals
            ("reviewed_by", "TEXT", 0, None, 0),  # m009_reviews
            ("reviewed_at", "TEXT", 0, None, 0),
            ("returned_by", "TEXT", 0, None, 0),  # m013_returned_entries
            ("returned_at", "TEXT", 0, None, 0),
            ("return_comment", "TEXT", 0, None, 0),
            ("language", "TEXT", 1, "'und'", 0),  # m022_languages
            ("summary_translation", "TEXT", 1, "''", 0),
            ("summary_translation_language", "TEXT", 1, "''", 0),
            ("summary_translation_checked", "INTEGER", 1, "0", 0),
        ],
        "checks": [
            "CHECK (action IN ('create', 'edit', 'delete', 'restore', 'import'))",
            "CHECK (date_precision IN ('day', 'month', 'quarter', 'year'))",
            "CHECK (length(trim(summary)) > 0)",
            "CHECK (effect BETWEEN -2 AND 2)",
            "CHECK (grade IS NULL OR grade GLOB '[A-F][1-6]')",
        ],
        "foreign_keys": [
            ("via_id", "sources(id)"),
            ("source_id", "sources(id)"),
            ("indicator_id", "indicators(id)"),
            ("entry_id", "entries(id)"),
        ],
        "without_rowid": False,
    },
    "table framework_versions": {
        "columns": [
            ("framework_id", "INTEGER", 1, None, 1),
            ("version", "INTEGER", 1, None, 2),
            ("loaded_at", "TEXT", 1, None, 0),
            ("sha256", "TEXT", 1, None, 0),
            ("definition", "TEXT", 1, None, 0),
            ("loaded_by", "TEXT", 1, "''", 0),
        ],
        "checks": [],
        "foreign_keys": [("framework_id", "frameworks(id)")],
        "without_rowid": False,
    },
    "table frameworks": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("name", "TEXT", 1, None, 0),
            ("title", "TEXT", 1, None, 0),
            ("description", "TEXT", 1, "''", 0),
            ("source_title", "TEXT", 1, None, 0),
            ("source_author", "TEXT", 1, "''", 0),
            ("source_outlet", "TEXT", 1, "''", 0),
            ("source_url", "TEXT", 1, "''", 0),
            ("source_note", "TEXT", 1, "''", 0),
            ("default_status", "TEXT", 1, None, 0),
            ("definition", "TEXT", 1, None, 0),
            ("loaded_at", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table reversals": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("command", "TEXT", 1, None, 0),
            ("kind", "TEXT", 1, None, 0),
            ("undone_ref", "INTEGER", 1, None, 0),
            ("undone_revision", "INTEGER", 1, None, 0),
            ("made_ref", "INTEGER", 1, None, 0),
            ("made_revision", "INTEGER", 1, None, 0),
            ("changed_by", "TEXT", 1, None, 0),
            ("changed_at", "TEXT", 1, None, 0),
        ],
        "checks": [
            "CHECK (command IN ('undo', 'revert'))",
            "CHECK (kind IN ('entry', 'target', 'framework'))",
        ],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table indicators": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("framework_id", "INTEGER", 1, None, 0),
            ("key", "TEXT", 1, None, 0),
            ("number", "INTEGER", 1, None, 0),
            ("title", "TEXT", 1, None, 0),
            ("description", "TEXT", 1, "''", 0),
            ("kind", "TEXT", 1, "'recommendation'", 0),
            ("actors", "TEXT", 1, "'[]'", 0),
            ("progress_signals", "TEXT", 1, "'[]'", 0),
            ("regression_signals", "TEXT", 1, "'[]'", 0),
            ("baseline", "TEXT", 1, "''", 0),
            ("baseline_source", "TEXT", 1, "''", 0),
            ("baseline_status", "TEXT", 1, "''", 0),
            ("signals", "TEXT", 1, "'[]'", 0),  # m009_signals
        ],
        "checks": [],
        "foreign_keys": [("framework_id", "frameworks(id)")],
        "without_rowid": False,
    },
    "table sources": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("uuid", "TEXT", 1, None, 0),
            ("key", "TEXT", 1, None, 0),
            ("name", "TEXT", 1, None, 0),
            ("url", "TEXT", 1, "''", 0),
            ("host", "TEXT", 1, "''", 0),
            ("type", "TEXT", 1, "'other'", 0),
            ("origin", "TEXT", 1, "''", 0),
            ("reliability", "TEXT", 0, None, 0),
            ("note", "TEXT", 1, "''", 0),
            ("merged_into", "INTEGER", 0, None, 0),
            ("created_at", "TEXT", 1, None, 0),
            ("changed_at", "TEXT", 1, None, 0),
            ("language", "TEXT", 1, "'und'", 0),  # m022_languages
        ],
        "checks": [
            "CHECK (type IN ('official', 'media', 'ngo', 'academic', 'think-tank', "
            "'intergovernmental', 'social', 'other'))",
            "CHECK (reliability IS NULL OR reliability GLOB '[A-F]')",
        ],
        "foreign_keys": [("merged_into", "sources(id)")],
        "without_rowid": False,
    },
    "table status_levels": {
        "columns": [
            ("framework_id", "INTEGER", 1, None, 1),
            ("rank", "INTEGER", 1, None, 0),
            ("name", "TEXT", 1, None, 2),
            ("label", "TEXT", 1, None, 0),
            ("percent", "INTEGER", 1, None, 0),
            ("description", "TEXT", 1, "''", 0),
        ],
        "checks": ["CHECK (percent BETWEEN 0 AND 100)"],
        "foreign_keys": [("framework_id", "frameworks(id)")],
        "without_rowid": False,
    },
    "table targets": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("indicator_id", "INTEGER", 1, None, 0),
            ("level", "TEXT", 1, None, 0),
            ("start", "TEXT", 1, None, 0),
            ("due", "TEXT", 1, None, 0),
            ("due_end", "TEXT", 1, None, 0),
            ("note", "TEXT", 1, "''", 0),
            ("set_by", "TEXT", 1, None, 0),
            ("set_at", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [("indicator_id", "indicators(id)")],
        "without_rowid": False,
    },
    "trigger entries_ad": {
        "table": "entries",
        "sql": 'CREATE TRIGGER "entries_ad" AFTER DELETE ON "entries" BEGIN INSERT INTO '
        '"entries_fts" ("entries_fts", rowid, "summary", "note", "source") '
        'VALUES(\'delete\', old.rowid, old."summary", old."note", old."source"); END',
    },
    "trigger entries_ai": {
        "table": "entries",
        "sql": 'CREATE TRIGGER "entries_ai" AFTER INSERT ON "entries" BEGIN INSERT INTO '
        '"entries_fts" (rowid, "summary", "note", "source") VALUES (new.rowid, '
        'new."summary", new."note", new."source"); END',
    },
    "trigger entries_au": {
        "table": "entries",
        "sql": 'CREATE TRIGGER "entries_au" AFTER UPDATE ON "entries" BEGIN INSERT INTO '
        '"entries_fts" ("entries_fts", rowid, "summary", "note", "source") '
        'VALUES(\'delete\', old.rowid, old."summary", old."note", old."source"); '
        'INSERT INTO "entries_fts" (rowid, "summary", "note", "source") VALUES '
        '(new.rowid, new."summary", new."note", new."source"); END',
    },
    "view current_entries": {
        "columns": [
            ("id", "INTEGER", 0, None, 0),
            ("uuid", "TEXT", 0, None, 0),
            ("framework", "TEXT", 0, None, 0),
            ("indicator_number", "INTEGER", 0, None, 0),
            ("indicator", "TEXT", 0, None, 0),
            ("indicator_title", "TEXT", 0, None, 0),
            ("date", "TEXT", 0, None, 0),
            ("date_precision", "TEXT", 0, None, 0),
            ("summary", "TEXT", 0, None, 0),
            ("note", "TEXT", 0, None, 0),
            ("source", "TEXT", 0, None, 0),
            ("source_key", "TEXT", 0, None, 0),
            ("source_name", "TEXT", 0, None, 0),
            ("via", "TEXT", 0, None, 0),
            ("via_name", "TEXT", 0, None, 0),
            ("effect", "INTEGER", 0, None, 0),
            ("grade", "TEXT", 0, None, 0),
            ("status", "TEXT", 0, None, 0),
            ("tags", "TEXT", 0, None, 0),
            ("actors", "TEXT", 0, None, 0),
            ("analyst", "TEXT", 0, None, 0),
            ("revision", "INTEGER", 0, None, 0),
            ("recorded_at", "TEXT", 0, None, 0),
        ],
        # m010: with the registered source and outlet
        "sql": "CREATE VIEW current_entries AS SELECT e.id, e.uuid, f.name AS framework, "
        "i.number AS indicator_number, i.key AS indicator, i.title AS "
        "indicator_title, e.date, e.date_precision, e.summary, e.note, e.source, "
        "s.key AS source_key, s.name AS source_name, v.key AS via, v.name AS via_name, "
        "e.effect, e.grade, e.status, e.tags, e.actors, e.analyst, e.revision, "
        "e.recorded_at FROM entries e JOIN indicators i ON i.id = e.indicator_id "
        "JOIN frameworks f ON f.id = i.framework_id LEFT JOIN sources s ON s.id = e.source_id "
        "LEFT JOIN sources v ON v.id = e.via_id WHERE e.deleted_at IS NULL",
    },
    # m009_signals
    "index entries_signals": {
        "table": "entries",
        "columns": ["indicator_id", "date_start"],
        "unique": False,
        "origin": "c",
        "where": "deleted_at IS NULL AND signals <> '[]'",
    },
    # m009_forecasts
    "index forecasts_indicator": {
        "table": "forecasts",
        "columns": ["indicator_id", "due_end"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index sqlite_autoindex_forecasts_1": {
        "table": "forecasts",
        "columns": ["uuid"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "table forecasts": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("uuid", "TEXT", 1, None, 0),
            ("indicator_id", "INTEGER", 1, None, 0),
            ("level", "TEXT", 1, None, 0),
            ("due", "TEXT", 1, None, 0),
            ("due_end", "TEXT", 1, None, 0),
            ("likelihood", "INTEGER", 1, None, 0),
            ("confidence", "TEXT", 0, None, 0),
            ("note", "TEXT", 1, "''", 0),
            ("analyst", "TEXT", 1, "''", 0),
            ("made_on", "TEXT", 1, None, 0),
            ("recorded_at", "TEXT", 1, None, 0),
            ("withdrawn_at", "TEXT", 0, None, 0),
            ("withdrawn_by", "TEXT", 0, None, 0),
        ],
        "checks": [
            "CHECK (likelihood BETWEEN 1 AND 99)",
            "CHECK (confidence IS NULL OR confidence IN ('low', 'moderate', 'high'))",
        ],
        "foreign_keys": [("indicator_id", "indicators(id)")],
        "without_rowid": False,
    },
    # m008_sync
    "index sqlite_autoindex_sync_files_1": {
        "table": "sync_files",
        "columns": ["path"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "index sqlite_autoindex_sync_settings_1": {
        "table": "sync_settings",
        "columns": ["key"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "table sync_events": {
        "columns": [("event_id", "TEXT", 1, None, 1)],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    "table sync_files": {
        "columns": [("path", "TEXT", 0, None, 1), ("size", "INTEGER", 1, None, 0)],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table sync_revisions": {
        "columns": [
            ("entry_id", "INTEGER", 1, None, 1),
            ("revision", "INTEGER", 1, None, 2),
            ("authored", "INTEGER", 1, None, 0),
            ("event_id", "TEXT", 0, None, 0),
        ],
        "checks": [],
        "foreign_keys": [("entry_id", "entries(id)")],
        # m026_sync_revisions_without_rowid: the table is its primary key, no index on the event id
        "without_rowid": True,
    },
    "table sync_settings": {
        "columns": [("key", "TEXT", 0, None, 1), ("value", "TEXT", 1, None, 0)],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    # m010_shared_record
    "index sqlite_autoindex_analysts_1": {
        "table": "analysts",
        "columns": ["name"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "index sqlite_autoindex_sync_sources_1": {
        "table": "sync_sources",
        "columns": ["event_id"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "index sync_sources_key": {
        "table": "sync_sources",
        "columns": ["key", "seen"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "table analysts": {
        "columns": [
            ("name", "TEXT", 0, None, 1),
            ("display_name", "TEXT", 1, None, 0),
            ("set_at", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table sync_sources": {
        "columns": [
            ("event_id", "TEXT", 0, None, 1),
            ("key", "TEXT", 1, None, 0),
            ("seen", "INTEGER", 1, None, 0),
            ("line", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table sync_stubs": {
        "columns": [("source_id", "INTEGER", 0, None, 1)],
        "checks": [],
        "foreign_keys": [("source_id", "sources(id)")],
        "without_rowid": False,
    },
    "table sync_targets": {
        "columns": [("target_id", "INTEGER", 0, None, 1), ("seen", "INTEGER", 1, None, 0)],
        "checks": [],
        "foreign_keys": [("target_id", "targets(id)")],
        "without_rowid": False,
    },
    # m015_inbox: the inbox's candidates, their versions, decisions and feeds (issue 24)
    "index candidate_decisions_by": {
        "table": "candidate_decisions",
        "columns": ["decided_by", "decided_at"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index candidate_decisions_of": {
        "table": "candidate_decisions",
        "columns": ["candidate", "decided_at"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index candidate_decisions_undoes": {
        "table": "candidate_decisions",
        "columns": ["undoes"],
        "unique": False,
        "origin": "c",
        "where": "undoes IS NOT NULL",
    },
    "index candidates_by_dataset": {
        "table": "candidates",
        "columns": ["state", "dataset", "feed", "date_start"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index candidates_feed": {
        "table": "candidates",
        "columns": ["feed", "state"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index candidates_place": {
        "table": "candidates",
        "columns": ["date_start", "location"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index candidates_url": {
        "table": "candidates",
        "columns": ["url"],
        "unique": False,
        "origin": "c",
        "where": "url != ''",
    },
    "index candidates_waiting": {
        "table": "candidates",
        "columns": ["state", "date_start", "id"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index sqlite_autoindex_candidate_decisions_1": {
        "table": "candidate_decisions",
        "columns": ["uuid"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "index sqlite_autoindex_candidate_revisions_1": {
        "table": "candidate_revisions",
        "columns": ["candidate_id", "revision"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "index sqlite_autoindex_candidates_1": {
        "table": "candidates",
        "columns": ["uuid"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "index sqlite_autoindex_candidates_2": {
        "table": "candidates",
        "columns": ["dataset", "external_id"],
        "unique": True,
        "origin": "u",
        "where": None,
    },
    "index sqlite_autoindex_feeds_1": {
        "table": "feeds",
        "columns": ["name"],
        "unique": True,
        "origin": "pk",
        "where": None,
    },
    "table candidate_decisions": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("uuid", "TEXT", 1, None, 0),
            ("candidate", "TEXT", 1, None, 0),
            ("action", "TEXT", 1, None, 0),
            ("entry", "TEXT", 0, None, 0),
            ("reason", "TEXT", 1, "''", 0),
            ("until", "TEXT", 0, None, 0),
            ("batch", "TEXT", 1, None, 0),
            ("undoes", "TEXT", 0, None, 0),
            ("decided_by", "TEXT", 1, None, 0),
            ("decided_at", "TEXT", 1, None, 0),
            ("dataset", "TEXT", 0, None, 0),
            ("licence", "TEXT", 0, None, 0),
        ],
        "checks": ["CHECK (action IN ('accept', 'reject', 'snooze', 'merge', 'undo'))"],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table candidate_revisions": {
        "columns": [
            ("candidate_id", "INTEGER", 1, None, 1),
            ("revision", "INTEGER", 1, None, 2),
            ("action", "TEXT", 1, None, 0),
            ("version", "TEXT", 1, "''", 0),
            ("raw", "TEXT", 1, None, 0),
            ("pulled_at", "TEXT", 1, None, 0),
        ],
        "checks": ["CHECK (action IN ('add', 'change', 'delete'))"],
        "foreign_keys": [("candidate_id", "candidates(id)")],
        "without_rowid": False,
    },
    "table candidates": {
        "columns": [
            ("id", "INTEGER", 0, None, 1),
            ("uuid", "TEXT", 1, None, 0),
            ("dataset", "TEXT", 1, None, 0),
            ("external_id", "TEXT", 1, None, 0),
            ("kind", "TEXT", 1, None, 0),
            ("feed", "TEXT", 1, "''", 0),
            ("title", "TEXT", 1, "''", 0),
            ("summary", "TEXT", 1, "''", 0),
            ("date", "TEXT", 1, "''", 0),
            ("date_start", "TEXT", 1, "''", 0),
            ("date_precision", "TEXT", 1, "'day'", 0),
            ("actors", "TEXT", 1, "'[]'", 0),
            ("location", "TEXT", 1, "''", 0),
            ("country", "TEXT", 1, "''", 0),
            ("source", "TEXT", 1, "''", 0),
            ("url", "TEXT", 1, "''", 0),
            ("fatalities", "INTEGER", 0, None, 0),
            ("licence", "TEXT", 1, "''", 0),
            ("raw", "TEXT", 1, "'{}'", 0),
            ("version", "TEXT", 1, "''", 0),
            ("revision", "INTEGER", 1, "1", 0),
            ("pulled_at", "TEXT", 1, None, 0),
            ("deleted_at", "TEXT", 0, None, 0),
            ("duplicate_of", "TEXT", 0, None, 0),
            ("suggestions", "TEXT", 1, "'[]'", 0),
            ("state", "TEXT", 1, "'waiting'", 0),
            ("snoozed_until", "TEXT", 0, None, 0),
            ("entry_uuid", "TEXT", 0, None, 0),
            ("changed_since", "TEXT", 0, None, 0),
        ],
        "checks": [
            "CHECK (date_precision IN ('day', 'month', 'quarter', 'year'))",
            "CHECK (fatalities IS NULL OR fatalities >= 0)",
            "CHECK (state IN ('waiting', 'accepted', 'rejected', 'snoozed', 'merged'))",
        ],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table feeds": {
        "columns": [
            ("name", "TEXT", 0, None, 1),
            ("kind", "TEXT", 1, None, 0),
            ("location", "TEXT", 1, None, 0),
            ("rules", "TEXT", 1, "''", 0),
            ("map", "TEXT", 1, "''", 0),
            ("allow_private", "INTEGER", 1, "0", 0),
            ("added_at", "TEXT", 1, None, 0),
            ("pulled_at", "TEXT", 0, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    # m016: lines of earlier releases accepted though they named another analyst (never offered by undo)
    "table sync_unbound": {
        "columns": [
            ("event_id", "TEXT", 1, None, 1),
            ("kind", "TEXT", 1, None, 0),
            ("field", "TEXT", 1, None, 0),
            ("named", "TEXT", 1, None, 0),
            ("at", "TEXT", 1, None, 0),
            ("folder", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    "index sync_unbound_by": {
        "table": "sync_unbound",
        "columns": ["kind", "named", "at"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    # m018: a signed team's pinned allowed_signers files and the files a refused commit changed
    "table sync_signers": {
        "columns": [
            ("version", "INTEGER", 0, None, 1),
            ("content", "TEXT", 1, None, 0),
            ("sha256", "TEXT", 1, None, 0),
            ("commit_id", "TEXT", 1, None, 0),
            ("pinned_at", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": False,
    },
    "table sync_held": {
        "columns": [
            ("file", "TEXT", 1, None, 1),
            ("commit_id", "TEXT", 1, None, 0),
            ("problem", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    # m021: what each dataset's last pull read (a second pull of the same bytes is skipped whole)
    "table dataset_pulls": {
        "columns": [
            ("dataset", "TEXT", 1, None, 1),
            ("digest", "TEXT", 1, None, 0),
            ("records", "INTEGER", 1, None, 0),
            ("pulled_at", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    # m019: redactions, the rule each database applies to an entry's revisions (and later ones)
    "table redactions": {
        "columns": [
            ("uuid", "TEXT", 1, None, 1),
            ("entry", "TEXT", 1, None, 0),
            ("field", "TEXT", 1, None, 0),
            ("reason", "TEXT", 1, None, 0),
            ("by", "TEXT", 1, None, 0),
            ("at", "TEXT", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    "index redactions_entry": {
        "table": "redactions",
        "columns": ["entry", "field"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    "index redactions_by": {
        "table": "redactions",
        "columns": ["by", "at"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    # m023_inbox_counts: the candidates of each state, dataset and feed counted by triggers; the changed ones
    "index candidates_changed": {
        "table": "candidates",
        "columns": ["changed_since"],
        "unique": False,
        "origin": "c",
        "where": "changed_since IS NOT NULL",
    },
    "table candidate_counts": {
        "columns": [
            ("state", "TEXT", 1, None, 1),
            ("dataset", "TEXT", 1, None, 2),
            ("feed", "TEXT", 1, None, 3),
            ("n", "INTEGER", 1, None, 0),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    "trigger candidates_count_ad": {
        "table": "candidates",
        "sql": "CREATE TRIGGER candidates_count_ad AFTER DELETE ON candidates BEGIN UPDATE candidate_counts "
        "SET n = n - 1 WHERE state = old.state AND dataset = old.dataset AND feed = old.feed; END",
    },
    "trigger candidates_count_ai": {
        "table": "candidates",
        "sql": "CREATE TRIGGER candidates_count_ai AFTER INSERT ON candidates BEGIN INSERT INTO "
        "candidate_counts (state, dataset, feed, n) VALUES (new.state, new.dataset, new.feed, 1) ON CONFLICT "
        "(state, dataset, feed) DO UPDATE SET n = n + 1; END",
    },
    "trigger candidates_count_au": {
        "table": "candidates",
        "sql": "CREATE TRIGGER candidates_count_au AFTER UPDATE OF state, dataset, feed ON candidates WHEN "
        "old.state != new.state OR old.dataset != new.dataset OR old.feed != new.feed BEGIN UPDATE "
        "candidate_counts SET n = n - 1 WHERE state = old.state AND dataset = old.dataset AND feed = "
        "old.feed; INSERT INTO candidate_counts (state, dataset, feed, n) VALUES (new.state, new.dataset, "
        "new.feed, 1) ON CONFLICT (state, dataset, feed) DO UPDATE SET n = n + 1; END",
    },
    # m024_entry_counts: the current entries of each indicator counted by triggers
    "table entry_counts": {
        "columns": [("indicator_id", "INTEGER", 0, None, 1), ("n", "INTEGER", 1, None, 0)],
        "checks": [],
        "foreign_keys": [("indicator_id", "indicators(id)")],
        "without_rowid": False,
    },
    "trigger entries_count_ad": {
        "table": "entries",
        "sql": "CREATE TRIGGER entries_count_ad AFTER DELETE ON entries BEGIN UPDATE entry_counts "
        "SET n = n - 1 WHERE old.deleted_at IS NULL AND indicator_id = old.indicator_id; END",
    },
    "trigger entries_count_ai": {
        "table": "entries",
        "sql": "CREATE TRIGGER entries_count_ai AFTER INSERT ON entries BEGIN INSERT INTO entry_counts "
        "(indicator_id, n) SELECT new.indicator_id, 1 WHERE new.deleted_at IS NULL ON CONFLICT "
        "(indicator_id) DO UPDATE SET n = n + 1; END",
    },
    "trigger entries_count_au": {
        "table": "entries",
        "sql": "CREATE TRIGGER entries_count_au AFTER UPDATE OF indicator_id, deleted_at ON entries WHEN "
        "old.indicator_id != new.indicator_id OR (old.deleted_at IS NULL) != (new.deleted_at IS NULL) BEGIN "
        "UPDATE entry_counts SET n = n - 1 WHERE old.deleted_at IS NULL AND indicator_id = old.indicator_id; "
        "INSERT INTO entry_counts (indicator_id, n) SELECT new.indicator_id, 1 WHERE new.deleted_at IS NULL "
        "ON CONFLICT (indicator_id) DO UPDATE SET n = n + 1; END",
    },
    # m025_sync_conflict_index: the open conflicts grouped from an index, not a sort of every revision
    "index sync_revisions_authored": {
        "table": "sync_revisions",
        "columns": ["entry_id", "authored"],
        "unique": False,
        "origin": "c",
        "where": None,
    },
    # m026_entry_digests: each current entry's digest for the brief's content hash, dropped by triggers
    "table entry_digests": {
        "columns": [
            ("indicator_id", "INTEGER", 1, None, 1),
            ("date_start", "TEXT", 1, None, 2),
            ("date", "TEXT", 1, None, 3),
            ("effect", "INTEGER", 1, None, 4),
            ("digest", "BLOB", 1, None, 5),
            ("entry_id", "INTEGER", 1, None, 6),
        ],
        "checks": [],
        "foreign_keys": [],
        "without_rowid": True,
    },
    "trigger entries_digests_d": {
        "table": "entries",
        "sql": "CREATE TRIGGER entries_digests_d AFTER DELETE ON entries "
        "BEGIN DELETE FROM entry_digests WHERE indicator_id = "
        "old.indicator_id AND date_start = old.date_start AND "
        "entry_id = old.id; END",
    },
    "trigger entries_digests_i": {
        "table": "entries",
        "sql": "CREATE TRIGGER entries_digests_i AFTER INSERT ON entries "
        "BEGIN DELETE FROM entry_digests WHERE indicator_id = "
        "new.indicator_id AND date_start = new.date_start AND "
        "entry_id = new.id; END",
    },
    "trigger entries_digests_u": {
        "table": "entries",
        "sql": "CREATE TRIGGER entries_digests_u AFTER UPDATE ON entries "
        "BEGIN DELETE FROM entry_digests WHERE indicator_id = "
        "old.indicator_id AND date_start = old.date_start AND "
        "entry_id = old.id; DELETE FROM entry_digests WHERE "
        "indicator_id = new.indicator_id AND date_start = "
        "new.date_start AND entry_id = new.id; END",
    },
    "trigger frameworks_digests_d": {
        "table": "frameworks",
        "sql": "CREATE TRIGGER frameworks_digests_d AFTER DELETE ON "
        "frameworks BEGIN DELETE FROM entry_digests WHERE "
        "indicator_id IN (SELECT id FROM indicators WHERE "
        "framework_id IN (old.id)); END",
    },
    "trigger frameworks_digests_i": {
        "table": "frameworks",
        "sql": "CREATE TRIGGER frameworks_digests_i AFTER INSERT ON "
        "frameworks BEGIN DELETE FROM entry_digests WHERE "
        "indicator_id IN (SELECT id FROM indicators WHERE "
        "framework_id IN (new.id)); END",
    },
    "trigger frameworks_digests_u": {
        "table": "frameworks",
        "sql": "CREATE TRIGGER frameworks_digests_u AFTER UPDATE OF id, "
        "name ON frameworks WHEN old.id IS NOT new.id OR old.name "
        "IS NOT new.name BEGIN DELETE FROM entry_digests WHERE "
        "indicator_id IN (SELECT id FROM indicators WHERE "
        "framework_id IN (old.id, new.id)); END",
    },
    "trigger indicators_digests_d": {
        "table": "indicators",
        "sql": "CREATE TRIGGER indicators_digests_d AFTER DELETE ON "
        "indicators BEGIN DELETE FROM entry_digests WHERE "
        "indicator_id IN (old.id); END",
    },
    "trigger indicators_digests_i": {
        "table": "indicators",
        "sql": "CREATE TRIGGER indicators_digests_i AFTER INSERT ON "
        "indicators BEGIN DELETE FROM entry_digests WHERE "
        "indicator_id IN (new.id); END",
    },
    "trigger indicators_digests_u": {
        "table": "indicators",
        "sql": "CREATE TRIGGER indicators_digests_u AFTER UPDATE OF id, "
        "key, framework_id ON indicators WHEN old.id IS NOT "
        "new.id OR old.key IS NOT new.key OR old.framework_id IS "
        "NOT new.framework_id BEGIN DELETE FROM entry_digests "
        "WHERE indicator_id IN (old.id, new.id); END",
    },
    "trigger sources_digests_d": {
        "table": "sources",
        "sql": "CREATE TRIGGER sources_digests_d AFTER DELETE ON sources "
        "BEGIN DELETE FROM entry_digests WHERE indicator_id IN "
        "(SELECT indicator_id FROM entries WHERE source_id IN "
        "(old.id) UNION ALL SELECT indicator_id FROM entries WHERE "
        "via_id IN (old.id)) AND entry_id IN (SELECT id FROM entries "
        "WHERE source_id IN (old.id) UNION ALL SELECT id FROM "
        "entries WHERE via_id IN (old.id)); END",
    },
    "trigger sources_digests_i": {
        "table": "sources",
        "sql": "CREATE TRIGGER sources_digests_i AFTER INSERT ON sources "
        "BEGIN DELETE FROM entry_digests WHERE indicator_id IN "
        "(SELECT indicator_id FROM entries WHERE source_id IN "
        "(new.id) UNION ALL SELECT indicator_id FROM entries WHERE "
        "via_id IN (new.id)) AND entry_id IN (SELECT id FROM entries "
        "WHERE source_id IN (new.id) UNION ALL SELECT id FROM "
        "entries WHERE via_id IN (new.id)); END",
    },
    "trigger sources_digests_u": {
        "table": "sources",
        "sql": "CREATE TRIGGER sources_digests_u AFTER UPDATE OF id, key ON "
        "sources WHEN old.id IS NOT new.id OR old.key IS NOT new.key "
        "BEGIN DELETE FROM entry_digests WHERE indicator_id IN "
        "(SELECT indicator_id FROM entries WHERE source_id IN "
        "(old.id, new.id) UNION ALL SELECT indicator_id FROM entries "
        "WHERE via_id IN (old.id, new.id)) AND entry_id IN (SELECT "
        "id FROM entries WHERE source_id IN (old.id, new.id) UNION "
        "ALL SELECT id FROM entries WHERE via_id IN (old.id, "
        "new.id)); END",
    },
}


def test_fresh_database_has_exactly_the_expected_schema(cli: Invoke, db_path: Path) -> None:
    assert cli("list", "--json").exit_code == 0
    conn = sqlite3.connect(db_path)
    try:
        assert schema_of(conn) == EXPECTED_SCHEMA
        applied = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'policytrack' ORDER BY rowid"
        )
        assert [r[0] for r in applied] == list(MIGRATION_NAMES)
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> str:
    return ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))


def _insert(conn: sqlite3.Connection, table: str, row: dict[str, object]) -> None:
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", list(row.values()))


def _old_database(path: Path, steps: int, fresh: Path) -> None:
    """A database as a release that shipped only the first `steps` migrations left it, with real rows:
    the built-in framework (copied from a database made today), an entry logged then edited, a deleted
    entry, and a target where the schema has targets."""
    older = Migrations("policytrack")
    older._migrations = list(migrations._migrations[:steps])
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        older.apply(Database(conn))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.execute("ATTACH DATABASE ? AS fresh", (str(fresh),))
        conn.execute("BEGIN")
        for table in ("frameworks", "status_levels", "indicators", "framework_versions"):
            if table in tables:
                columns = _columns(conn, table)
                conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM fresh.{table}")
        (regional,) = conn.execute("SELECT id FROM main.indicators WHERE key = 'regional'").fetchone()
        logged: dict[str, object] = {
            "indicator_id": regional,
            "date": "2024-07-06",
            "date_start": "2024-07-06",
            "date_precision": "day",
            "summary": "AES treaty signed in Niamey",
            "note": "",
            "source": "AES treaty",
            "effect": 1,
            "status": "commitment",
            "grade": "B2",
            "tags": '["treaty"]',
            "actors": '["Mali"]',
            "analyst": "old-analyst",
        }
        edited = {**logged, "note": "ratified later"}
        stamp = {"revision": 2, "recorded_at": "2024-07-07T00:00:00Z"}
        _insert(conn, "entries", {"id": 1, "uuid": "old-1", **edited, **stamp})
        for revision, action, fields in ((1, "create", logged), (2, "edit", edited)):
            change = {"changed_by": "old-analyst", "changed_at": f"2024-07-0{5 + revision}T00:00:00Z"}
            _insert(
                conn,
                "entry_revisions",
                {"entry_id": 1, "revision": revision, "action": action, **change, **fields},
            )
        gone = {
            **logged,
            "date": "2024-09",
            "date_start": "2024-09-01",
            "date_precision": "month",
            "summary": "Withdrawn claim",
            "status": None,
        }
        deleted = {"revision": 2, "recorded_at": "2024-09-02", "deleted_at": "2024-09-03"}
        _insert(conn, "entries", {"id": 2, "uuid": "old-2", **gone, **deleted})
        for revision, action in ((1, "create"), (2, "delete")):
            change = {"changed_by": "old-analyst", "changed_at": "2024-09-03"}
            _insert(
                conn,
                "entry_revisions",
                {"entry_id": 2, "revision": revision, "action": action, **change, **gone},
            )
        if "targets" in tables:
            target = {
                "level": "substantial",
                "start": "2024-01-01",
                "due": "2025-12",
                "due_end": "2025-12-31",
            }
            _insert(
                conn, "targets", {"indicator_id": regional, **target, "set_by": "old", "set_at": "2024-01-02"}
            )
        conn.execute("COMMIT")
    finally:
        conn.close()


@pytest.mark.parametrize(
    "steps", slow_but(range(1, len(MIGRATION_NAMES) + 1)), ids=lambda n: MIGRATION_NAMES[n - 1]
)
def test_database_from_each_shipped_schema_upgrades_with_rows_intact(
    cli: Invoke, db_path: Path, tmp_path: Path, steps: int
) -> None:
    fresh = tmp_path / "fresh.db"
    assert cli("--db", str(fresh), "indicators").exit_code == 0
    _old_database(db_path, steps, fresh)

    listed = cli("list", "--json", "--deleted")
    assert listed.exit_code == 0, listed.stderr
    if steps < len(MIGRATION_NAMES):
        assert f"a copy as it was before is in {db_path}.before-{MIGRATION_NAMES[steps]}" in listed.stderr
    entries = {e["id"]: e for e in json.loads(listed.stdout)}
    assert entries.keys() == {1, 2}
    one = entries[1]
    assert (one["uuid"], one["indicator"], one["date"], one["summary"], one["note"]) == (
        "old-1",
        "regional",
        "2024-07-06",
        "AES treaty signed in Niamey",
        "ratified later",
    )
    assert (one["effect"], one["status"], one["grade"], one["tags"], one["actors"], one["revision"]) == (
        1,
        "commitment",
        "B2",
        ["treaty"],
        ["Mali"],
        2,
    )
    # m013: an entry written before returns existed is not returned
    assert (one["returned_by"], one["returned_at"], one["return_comment"]) == (None, None, None)
    # m022: an entry written before languages existed is und, with no translation, in every database
    assert (one["language"], one["summary_translation"], one["summary_translation_checked"]) == (
        "und",
        "",
        False,
    )
    assert (entries[2]["summary"], entries[2]["date"], entries[2]["deleted"]) == (
        "Withdrawn claim",
        "2024-09",
        True,
    )
    history = cli("history", "1", "--json")
    assert history.exit_code == 0, history.stderr
    revisions = json.loads(history.stdout)
    assert [(r["revision"], r["action"], r["entry"]["note"]) for r in revisions] == [
        (1, "create", ""),
        (2, "edit", "ratified later"),
    ]
    # m005's full-text index covers rows written before it existed
    assert [e["id"] for e in json.loads(cli("list", "--json", "--grep", "niamey").stdout)] == [1]
    if steps >= MIGRATION_NAMES.index("m002_targets_and_report_index") + 1:
        assert "substantial" in cli("targets").stdout

    conn = sqlite3.connect(db_path)
    try:
        assert schema_of(conn) == EXPECTED_SCHEMA
        assert conn.execute("SELECT count(*) FROM framework_versions").fetchone()[0] >= 1
    finally:
        conn.close()


def test_inbox_counts_are_filled_from_the_candidates_a_database_holds(tmp_path: Path) -> None:
    """m023_inbox_counts counts the candidates already there (the triggers count the ones after)."""
    from policytrack.store import Store

    path = tmp_path / "old.db"
    older = Migrations("policytrack")
    older._migrations = list(migrations._migrations[: MIGRATION_NAMES.index("m023_inbox_counts")])
    conn = sqlite3.connect(path, isolation_level=None)
    older.apply(Database(conn))
    for n, state in enumerate(("waiting", "waiting", "rejected")):
        row: dict[str, object] = {
            "uuid": f"u{n}",
            "dataset": "acled",
            "external_id": f"EXA{n}",
            "kind": "acled",
        }
        row |= {"state": state, "raw": "{}", "version": "1", "pulled_at": "2026-01-01T00:00:00Z"}
        _insert(conn, "candidates", row)
    conn.close()
    store = Store(path)
    try:
        counts = store.conn.execute("SELECT state, dataset, feed, n FROM candidate_counts ORDER BY state")
        assert [tuple(r) for r in counts] == [("rejected", "acled", "", 1), ("waiting", "acled", "", 2)]
        assert store.count_waiting() == 2
    finally:
        store.close()
