"""The schema a database should have, read from the migrations themselves: a new database made in memory
by the same migrations, compared by name with the one checked. `db check` names every index, trigger,
table and view missing from it (a dropped trigger stops the full-text index, a kept count or a digest
from following the rows, silently); `db check --repair` makes the missing indexes and triggers again from
the same statements, inside its one transaction (store/counts.py then recounts what the triggers keep).
A missing table or view holds or shows rows a repair cannot bring back: only a backup can.

Only a database that has run exactly this version's migrations is compared: an older one is upgraded by
the next command that writes, and a newer one is not this version's to judge."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from policytrack.core.i18n import N_, _

REPAIRABLE = ("index", "trigger")
# The published copy's search index of current_entries (exchange/publish.py): only `publish` makes it, in a
# copy that keeps only the public tables and no trigger (it never changes), so a database holding it is
# not held to the whole schema.
PUBLISHED_SEARCH_TABLE = "current_entries_fts"
# each kind of object with its article, as a person reads it ("the index entries_order")
_NAMED = {
    "index": N_("the index"),
    "trigger": N_("the trigger"),
    "table": N_("the table"),
    "view": N_("the view"),
}

# the full-text index is kept by these triggers (sqlite-utils' enable_fts, m005): made again, its rows are
# rebuilt from the entries, since every change made while one was missing is absent from it
_SEARCH_TRIGGERS = ("entries_ai", "entries_ad", "entries_au")


@dataclass(frozen=True)
class Missing:
    """One schema object (`kind`: index, trigger, table or view) the migrations make and the database
    lacks."""

    kind: str
    name: str
    table: str
    sql: str

    @property
    def repairable(self) -> bool:
        return self.kind in REPAIRABLE

    @property
    def what(self) -> str:
        return _(_NAMED[self.kind]) if self.kind in _NAMED else self.kind


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, str]]:
    """Every object of the main schema that has a statement, by (kind, name), in the order made: its
    table and statement. SQLite's own objects are left out: SQLite names them, not a migration."""
    return {
        (kind, name): (table, sql)
        for kind, name, table, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM main.sqlite_master "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    }


def published(conn: sqlite3.Connection) -> bool:
    """Whether the database is a copy `publish` made (its own search table): partial by design."""
    found = conn.execute(
        "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?", (PUBLISHED_SEARCH_TABLE,)
    )
    return found.fetchone() is not None


def reference() -> dict[tuple[str, str], tuple[str, str]]:
    """What this version's migrations make: applied to a new database in memory (sqlite-utils and the
    migrations are loaded here only)."""
    import sqlite_utils

    from policytrack.store.migrations import migrations

    db = sqlite_utils.Database(memory=True)
    try:
        migrations.apply(db)
        return _objects(db.conn)
    finally:
        db.close()


def _applied(conn: sqlite3.Connection) -> list[str] | None:
    from policytrack.store import MIGRATION_SET

    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid", (MIGRATION_SET,)
        ).fetchall()
    except sqlite3.OperationalError:
        return None
    return [row[0] for row in rows]


def newer(conn: sqlite3.Connection) -> bool:
    """Whether a newer policytrack made a step of this database's schema (one this version does not know):
    what that version keeps is not this one's to judge."""
    from policytrack.store import MIGRATION_NAMES

    return any(name not in MIGRATION_NAMES for name in _applied(conn) or ())


def missing(conn: sqlite3.Connection) -> list[Missing]:
    """Each object this version's migrations make that the database (at exactly those migrations) lacks,
    in the order the migrations made them; empty for a database at another version. A missing table's
    indexes and triggers went with it: it alone is named (a backup brings them back; a repair cannot)."""
    from policytrack.store import MIGRATION_NAMES

    applied = _applied(conn)
    if applied is None or sorted(applied) != sorted(MIGRATION_NAMES) or published(conn):
        return []
    present = _objects(conn)
    gone = [
        Missing(kind, name, table, sql)
        for (kind, name), (table, sql) in reference().items()
        if (kind, name) not in present
    ]
    lost = {m.name for m in gone if m.kind == "table"}
    return [m for m in gone if m.kind == "table" or m.table not in lost]


def lost_tables(conn: sqlite3.Connection) -> set[str]:
    """The tables this version's migrations make that the database lacks (only a backup brings their rows
    back; what recounts or recomputes from them cannot run)."""
    return {gone.name for gone in missing(conn) if gone.kind == "table"}


def message(gone: Missing) -> str:
    if gone.repairable:
        return _(
            "{what} {name} is missing from the schema: run `policytrack db check --repair` to make it again"
        ).format(what=gone.what, name=gone.name)
    return _("{what} {name} is missing from the schema: restore the database from a backup").format(
        what=gone.what, name=gone.name
    )


def repair(conn: sqlite3.Connection) -> list[Missing]:
    """Make the missing indexes and triggers again from the migrations' statements; call inside the
    store's write transaction, before the kept counts are recounted. The full-text index is rebuilt from
    the entries if one of its triggers was missing. Returns what was made (tables and views are left:
    `problems` still names them). A table that lost a trigger has all its triggers made again in the
    migrations' order, as store/bulk.py keeps them (one made last changed how a waiting writer failed)."""
    made = [gone for gone in missing(conn) if gone.repairable]  # a lost table's wait for the table
    for gone in made:
        if gone.kind == "index":
            conn.execute(gone.sql)
    tables = {gone.table for gone in made if gone.kind == "trigger"}
    if tables:
        present = _objects(conn)
        expected = reference()
        for (kind, name), (table, _sql) in present.items():
            if kind == "trigger" and table in tables and ("trigger", name) in expected:
                conn.execute(f'DROP TRIGGER "{name}"')
        for (kind, _name), (table, sql) in expected.items():
            if kind == "trigger" and table in tables:
                conn.execute(sql)
    if any(gone.kind == "trigger" and gone.name in _SEARCH_TRIGGERS for gone in made):
        conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')")
    return made
