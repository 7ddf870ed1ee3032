"""The schema, as numbered migrations (sqlite-utils `Migrations`). Never edit a shipped one: add a new one.

This module imports sqlite-utils (about 100 ms), so the store loads it only when a migration is pending;
`store.MIGRATION_NAMES` lists the names below and a test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils.migrations import Migrations

migrations = Migrations("policytrack")

_ENTRY_FIELDS = """
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    date TEXT NOT NULL,
    date_start TEXT NOT NULL,
    date_precision TEXT NOT NULL CHECK (date_precision IN ('day', 'month', 'year')),
    summary TEXT NOT NULL CHECK (length(trim(summary)) > 0),
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    effect INTEGER NOT NULL DEFAULT 0 CHECK (effect BETWEEN -2 AND 2),
    status TEXT,
    grade TEXT CHECK (grade IS NULL OR grade GLOB '[A-F][1-6]'),
    tags TEXT NOT NULL DEFAULT '[]',
    actors TEXT NOT NULL DEFAULT '[]',
    analyst TEXT NOT NULL DEFAULT ''
"""


@migrations(name="m001_initial")
def m001_initial(db: Any) -> None:
    """Frameworks, their status scales and indicators; evidence entries and their full history."""
    db.execute(
        """CREATE TABLE frameworks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            source_title TEXT NOT NULL,
            source_author TEXT NOT NULL DEFAULT '',
            source_outlet TEXT NOT NULL DEFAULT '',
            source_url TEXT NOT NULL DEFAULT '',
            source_note TEXT NOT NULL DEFAULT '',
            default_status TEXT NOT NULL,
            definition TEXT NOT NULL,
            loaded_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE status_levels (
            framework_id INTEGER NOT NULL REFERENCES frameworks(id),
            rank INTEGER NOT NULL,
            name TEXT NOT NULL,
            label TEXT NOT NULL,
            percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
            description TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (framework_id, name)
        )"""
    )
    db.execute(
        """CREATE TABLE indicators (
            id INTEGER PRIMARY KEY,
            framework_id INTEGER NOT NULL REFERENCES frameworks(id),
            key TEXT NOT NULL,
            number INTEGER NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'recommendation',
            actors TEXT NOT NULL DEFAULT '[]',
            progress_signals TEXT NOT NULL DEFAULT '[]',
            regression_signals TEXT NOT NULL DEFAULT '[]',
            baseline TEXT NOT NULL DEFAULT '',
            baseline_source TEXT NOT NULL DEFAULT '',
            baseline_status TEXT NOT NULL DEFAULT '',
            UNIQUE (framework_id, key)
        )"""
    )
    db.execute(
        f"""CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            {_ENTRY_FIELDS},
            revision INTEGER NOT NULL DEFAULT 1,
            recorded_at TEXT NOT NULL,
            deleted_at TEXT
        )"""
    )
    # Append-only: every change to an entry writes the state after it here, in the same transaction.
    db.execute(
        f"""CREATE TABLE entry_revisions (
            entry_id INTEGER NOT NULL REFERENCES entries(id),
            revision INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'edit', 'delete', 'restore', 'import')),
            changed_by TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            {_ENTRY_FIELDS},
            PRIMARY KEY (entry_id, revision)
        )"""
    )
    # Covering index for per-indicator aggregates over a date window (reports).
    db.execute("CREATE INDEX entries_indicator_date ON entries (indicator_id, date_start, effect, grade)")
    db.execute("CREATE INDEX entries_date ON entries (date_start)")


@migrations(name="m002_targets_and_report_index")
def m002_targets_and_report_index(db: Any) -> None:
    """Dated targets (each change a new row, so history is kept) and a covering index for reports."""
    db.execute(
        """CREATE TABLE targets (
            id INTEGER PRIMARY KEY,
            indicator_id INTEGER NOT NULL REFERENCES indicators(id),
            level TEXT NOT NULL,
            start TEXT NOT NULL,
            due TEXT NOT NULL,
            due_end TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX targets_indicator ON targets (indicator_id, id)")
    # Reports aggregate current entries per indicator over a date window: this partial index holds every
    # column they read, so the table itself is never visited.
    db.execute("DROP INDEX entries_indicator_date")
    db.execute(
        """CREATE INDEX entries_report ON entries (indicator_id, date_start, effect, grade, source)
           WHERE deleted_at IS NULL"""
    )


@migrations(name="m003_assessments_index")
def m003_assessments_index(db: Any) -> None:
    """Assessments (entries with a status) are a few percent of entries but decide every status: index them
    alone, so finding the latest one is a seek rather than a pass over the whole table."""
    db.execute(
        """CREATE INDEX entries_assessments ON entries (indicator_id, date_start, id, status, date)
           WHERE deleted_at IS NULL AND status IS NOT NULL"""
    )


@migrations(name="m004_framework_versions")
def m004_framework_versions(db: Any) -> None:
    """Every framework file ever loaded, with its date: updates never overwrite what was there."""
    db.execute(
        """CREATE TABLE framework_versions (
            framework_id INTEGER NOT NULL REFERENCES frameworks(id),
            version INTEGER NOT NULL,
            loaded_at TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            definition TEXT NOT NULL,
            PRIMARY KEY (framework_id, version)
        )"""
    )
    import hashlib

    for framework_id, loaded_at, definition in db.execute(
        "SELECT id, loaded_at, definition FROM frameworks"
    ).fetchall():
        db.execute(
            "INSERT INTO framework_versions VALUES (?, 1, ?, ?, ?)",
            (framework_id, loaded_at, hashlib.sha256(definition.encode()).hexdigest(), definition),
        )


@migrations(name="m005_search_and_view")
def m005_search_and_view(db: Any) -> None:
    """Full-text search over summary, note and source (kept in sync by triggers), and a readable view of
    current entries for Datasette and other SQL tools."""
    db["entries"].enable_fts(["summary", "note", "source"], create_triggers=True, tokenize="unicode61")
    db.execute(
        """CREATE VIEW current_entries AS
           SELECT e.id, e.uuid, f.name AS framework, i.number AS indicator_number, i.key AS indicator,
                  i.title AS indicator_title, e.date, e.date_precision, e.summary, e.note, e.source,
                  e.effect, e.grade, e.status, e.tags, e.actors, e.analyst, e.revision, e.recorded_at
           FROM entries e
           JOIN indicators i ON i.id = e.indicator_id
           JOIN frameworks f ON f.id = i.framework_id
           WHERE e.deleted_at IS NULL"""
    )


@migrations(name="m006_undo")
def m006_undo(db: Any) -> None:
    """What `undo` and `revert` need: who loaded each framework version, a record of every change that
    undid or reverted another (so a second `undo` steps further back instead of redoing), and an index to
    find an analyst's latest change. A target row with an empty level withdraws the indicator's target."""
    db.execute("ALTER TABLE framework_versions ADD COLUMN loaded_by TEXT NOT NULL DEFAULT ''")
    db.execute(
        """CREATE TABLE reversals (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL CHECK (command IN ('undo', 'revert')),
            kind TEXT NOT NULL CHECK (kind IN ('entry', 'target', 'framework')),
            undone_ref INTEGER NOT NULL,
            undone_revision INTEGER NOT NULL,
            made_ref INTEGER NOT NULL,
            made_revision INTEGER NOT NULL,
            changed_by TEXT NOT NULL,
            changed_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX reversals_undone ON reversals (kind, undone_ref, undone_revision)")
    db.execute("CREATE INDEX reversals_made ON reversals (kind, made_ref, made_revision)")
    db.execute("CREATE INDEX entry_revisions_by ON entry_revisions (changed_by, changed_at)")


# grades.grade_weight as SQL over the grade column, as it was when m007 shipped (for existing rows).
_M007_WEIGHT = (
    "(CASE WHEN grade IS NULL THEN 0.5 ELSE "
    "(CASE substr(grade, 1, 1) WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.8 WHEN 'C' THEN 0.6 WHEN 'D' THEN 0.4 "
    "WHEN 'E' THEN 0.2 WHEN 'F' THEN 0.2 END) * "
    "(CASE substr(grade, 2, 1) WHEN '1' THEN 1.0 WHEN '2' THEN 0.8 WHEN '3' THEN 0.6 WHEN '4' THEN 0.4 "
    "WHEN '5' THEN 0.2 WHEN '6' THEN 0.2 END) END)"
)


@migrations(name="m007_sources_events")
def m007_sources_events(db: Any) -> None:
    """A registry of sources (reliability belongs to the source), each entry's registered originator and
    the outlet it came through, the event that links entries logged together, and the grade's weight
    stored, so the report's aggregates read integers and numbers from its indexes. Free-text sources stay
    as they were."""
    db.execute(
        """CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            url TEXT NOT NULL DEFAULT '',
            host TEXT NOT NULL DEFAULT '',
            type TEXT NOT NULL DEFAULT 'other' CHECK (type IN ('official', 'media', 'ngo', 'academic',
                'think-tank', 'intergovernmental', 'social', 'other')),
            origin TEXT NOT NULL DEFAULT '',
            reliability TEXT CHECK (reliability IS NULL OR reliability GLOB '[A-F]'),
            note TEXT NOT NULL DEFAULT '',
            merged_into INTEGER REFERENCES sources(id),
            created_at TEXT NOT NULL,
            changed_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX sources_host ON sources (host) WHERE host <> ''")
    for table in ("entries", "entry_revisions"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN source_id INTEGER REFERENCES sources(id)")
        db.execute(f"ALTER TABLE {table} ADD COLUMN via_id INTEGER REFERENCES sources(id)")
        db.execute(f"ALTER TABLE {table} ADD COLUMN event TEXT")
        db.execute(f"ALTER TABLE {table} ADD COLUMN weight REAL NOT NULL DEFAULT 0.5")
        db.execute(f"UPDATE {table} SET weight = {_M007_WEIGHT} WHERE grade IS NOT NULL")
    # SQLite (3.40) reads a partial index alone only when it holds the columns of its own WHERE too.
    db.execute("DROP INDEX entries_report")
    db.execute(
        """CREATE INDEX entries_report ON entries (indicator_id, date_start, effect, weight, deleted_at)
           WHERE deleted_at IS NULL"""
    )
    # The report's one window query: per indicator and registered originator, a range of dates; the
    # free text last, for the entries with no registered source (for the others it is mostly empty).
    db.execute(
        """CREATE INDEX entries_sources ON entries
           (indicator_id, source_id, date_start, effect, weight, deleted_at, source)
           WHERE deleted_at IS NULL"""
    )
    db.execute("CREATE INDEX entries_event ON entries (event) WHERE event IS NOT NULL")


@migrations(name="m008_sync")
def m008_sync(db: Any) -> None:
    """What `policytrack sync` remembers: every record seen in the shared repository (by the sha256 of its
    line), the order of history an entry's revisions have across databases, how far each repository file
    has been read, and this database's own name in the repository."""
    db.execute("CREATE TABLE sync_events (event_id TEXT PRIMARY KEY) WITHOUT ROWID")
    # `authored` is the revision number its author gave a revision; with changed_at, changed_by and the
    # event id it orders an entry's history the same way in every database (sync.py). A revision with no
    # row here has never been renumbered: its authored number is its revision; one with no event id is
    # not in the repository yet.
    db.execute(
        """CREATE TABLE sync_revisions (
            entry_id INTEGER NOT NULL REFERENCES entries(id),
            revision INTEGER NOT NULL,
            authored INTEGER NOT NULL,
            event_id TEXT,
            PRIMARY KEY (entry_id, revision)
        )"""
    )
    db.execute("CREATE INDEX sync_revisions_event ON sync_revisions (event_id)")
    db.execute("CREATE TABLE sync_files (path TEXT PRIMARY KEY, size INTEGER NOT NULL)")
    db.execute("CREATE TABLE sync_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations(name="m009_forecasts")
def m009_forecasts(db: Any) -> None:
    """Forecasts: that an indicator will be at a level or beyond by a date, with a likelihood; merged by
    uuid like entries. A forecast is never edited: it can only be withdrawn, and stays in the table."""
    db.execute(
        """CREATE TABLE forecasts (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            indicator_id INTEGER NOT NULL REFERENCES indicators(id),
            level TEXT NOT NULL,
            due TEXT NOT NULL,
            due_end TEXT NOT NULL,
            likelihood INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 99),
            confidence TEXT CHECK (confidence IS NULL OR confidence IN ('low', 'moderate', 'high')),
            note TEXT NOT NULL DEFAULT '',
            analyst TEXT NOT NULL DEFAULT '',
            made_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            withdrawn_at TEXT,
            withdrawn_by TEXT
        )"""
    )
    db.execute("CREATE INDEX forecasts_indicator ON forecasts (indicator_id, due_end)")


@migrations(name="m009_signals")
def m009_signals(db: Any) -> None:
    """Signposts: each indicator's signals with their keys (a JSON list of objects; '[]' until its
    framework is loaded again, when the keys come from the old text lists by place), and the signals an
    entry observes (a JSON list of keys, like tags), kept in every revision."""
    db.execute("ALTER TABLE indicators ADD COLUMN signals TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE entries ADD COLUMN signals TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE entry_revisions ADD COLUMN signals TEXT NOT NULL DEFAULT '[]'")
    # Few entries observe a signal: reports and `signposts` seek them here instead of reading every entry.
    db.execute(
        """CREATE INDEX entries_signals ON entries (indicator_id, date_start)
           WHERE deleted_at IS NULL AND signals <> '[]'"""
    )


@migrations(name="m009_reviews")
def m009_reviews(db: Any) -> None:
    """Review before publishing: who reviewed an entry and when (NULL: not reviewed). A review is a new
    revision of the entry, so the history keeps it; changing the entry's content clears it."""
    for table in ("entries", "entry_revisions"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN reviewed_by TEXT")
        db.execute(f"ALTER TABLE {table} ADD COLUMN reviewed_at TEXT")


@migrations(name="m010_shared_record")
def m010_shared_record(db: Any) -> None:
    """What sync needs so the whole shared record travels: every version of a registered source seen in
    the repository (a key registered apart by two analysts is a conflict that needs each side), the sources
    a teammate's entry cited before their registration arrived (a stub, filled in when it does), how many
    targets of its indicator a target's author had seen (two set apart are a conflict), and each analyst's
    display name as the latest record from that analyst says."""
    db.execute(
        """CREATE TABLE sync_sources (
            event_id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            seen INTEGER NOT NULL,
            line TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX sync_sources_key ON sync_sources (key, seen)")
    db.execute("CREATE TABLE sync_stubs (source_id INTEGER PRIMARY KEY REFERENCES sources(id))")
    db.execute(
        """CREATE TABLE sync_targets (
            target_id INTEGER PRIMARY KEY REFERENCES targets(id),
            seen INTEGER NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE analysts (
            name TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            set_at TEXT NOT NULL
        )"""
    )


@migrations(name="m011_one_order_and_sources_view")
def m011_one_order_and_sources_view(db: Any) -> None:
    """The assessments index in the one order (observed date, time recorded, analyst, uuid: never the
    local id), so the status at a date stays one seek; and the readable view with each entry's registered
    source (key and name) and the outlet it came through, which the full-text search of a published copy
    also finds (current_entries_search)."""
    db.execute("DROP INDEX entries_assessments")
    db.execute(
        """CREATE INDEX entries_assessments ON entries
           (indicator_id, date_start, recorded_at, analyst, uuid, status, date)
           WHERE deleted_at IS NULL AND status IS NOT NULL"""
    )
    db.execute("DROP VIEW current_entries")
    db.execute(
        """CREATE VIEW current_entries AS
           SELECT e.id, e.uuid, f.name AS framework, i.number AS indicator_number, i.key AS indicator,
                  i.title AS indicator_title, e.date, e.date_precision, e.summary, e.note, e.source,
                  s.key AS source_key, s.name AS source_name, v.key AS via, v.name AS via_name,
                  e.effect, e.grade, e.status, e.tags, e.actors, e.analyst, e.revision, e.recorded_at
           FROM entries e
           JOIN indicators i ON i.id = e.indicator_id
           JOIN frameworks f ON f.id = i.framework_id
           LEFT JOIN sources s ON s.id = e.source_id
           LEFT JOIN sources v ON v.id = e.via_id
           WHERE e.deleted_at IS NULL"""
    )


_PRECISION_CHECK = "CHECK (date_precision IN ('day', 'month', 'year'))"
_PRECISION_CHECK_QUARTER = "CHECK (date_precision IN ('day', 'month', 'quarter', 'year'))"


@migrations(name="m012_quarter_precision")
def m012_quarter_precision(db: Any) -> None:
    """Dates known to a quarter (`2024-Q3`): date_precision may be 'quarter' in entries and entry_revisions.

    SQLite cannot change a CHECK in place, so each table is made again from its own schema text (every
    column a later migration added kept, in its place) with the one CHECK changed, and its rows copied
    back with their ids; its indexes and triggers (the full-text index's among them) are made again after
    the copy, so the index's rows, which follow rowids, are untouched. Foreign keys stay on: the rows that
    refer to entries are checked when the transaction commits, once entries holds every row again."""
    conn = db.conn
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in ("entries", "entry_revisions"):
        (sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if _PRECISION_CHECK not in sql:
            raise RuntimeError(f"the schema of {table} has no date_precision CHECK to widen")
        dependents = [
            row[0]
            for row in conn.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
                "AND sql IS NOT NULL ORDER BY rowid",
                (table,),
            )
        ]
        (count,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        conn.execute(f"CREATE TEMP TABLE kept_{table} AS SELECT * FROM {table}")
        conn.execute(f"DROP TABLE {table}")  # its indexes and triggers with it; views stay
        conn.execute(sql.replace(_PRECISION_CHECK, _PRECISION_CHECK_QUARTER))
        conn.execute(f"INSERT INTO {table} SELECT * FROM temp.kept_{table}")
        conn.execute(f"DROP TABLE temp.kept_{table}")
        for statement in dependents:
            conn.execute(statement)
        (copied,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        if copied != count:
            raise RuntimeError(f"{table}: {copied} rows copied of {count}")
    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise RuntimeError("rows refer to entries that the rebuild lost")


@migrations(name="m013_returned_entries")
def m013_returned_entries(db: Any) -> None:
    """An entry returned to its author for changes (`review --request-changes`): who returned it, when,
    and what to change (NULL: not returned). Like a review it is a revision of the entry, so the history
    keeps it; the author's next edit clears it."""
    for table in ("entries", "entry_revisions"):
        for column in ("returned_by", "returned_at", "return_comment"):
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")


@migrations(name="m014_order_index")
def m014_order_index(db: Any) -> None:
    """An index in the one order of entries (records.entry.ORDER: observed date, time recorded, analyst,
    uuid), so that export and list stream in that order without sorting every row in a temporary b-tree;
    it starts with date_start, so it also serves every date filter entries_date served."""
    db.execute("CREATE INDEX entries_order ON entries (date_start, recorded_at, analyst, uuid)")
    db.execute("DROP INDEX entries_date")


@migrations(name="m015_inbox")
def m015_inbox(db: Any) -> None:
    """The inbox (issue 24): candidates read from datasets, feeds and sheets (one row per dataset and
    external id, its earlier versions in candidate_revisions), the decisions taken on them, and the feeds
    kept in step. `state` is what the decisions leave (kept on the row, so the inbox's first page is one
    index seek among a million candidates)."""
    db.execute(
        """CREATE TABLE candidates (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            dataset TEXT NOT NULL,
            external_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            feed TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            date TEXT NOT NULL DEFAULT '',
            date_start TEXT NOT NULL DEFAULT '',
            date_precision TEXT NOT NULL DEFAULT 'day'
                CHECK (date_precision IN ('day', 'month', 'quarter', 'year')),
            actors TEXT NOT NULL DEFAULT '[]',
            location TEXT NOT NULL DEFAULT '',
            country TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            fatalities INTEGER CHECK (fatalities IS NULL OR fatalities >= 0),
            licence TEXT NOT NULL DEFAULT '',
            raw TEXT NOT NULL DEFAULT '{}',
            version TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 1,
            pulled_at TEXT NOT NULL,
            deleted_at TEXT,
            duplicate_of TEXT,
            suggestions TEXT NOT NULL DEFAULT '[]',
            state TEXT NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'accepted', 'rejected', 'snoozed', 'merged')),
            snoozed_until TEXT,
            entry_uuid TEXT,
            changed_since TEXT,
            UNIQUE (dataset, external_id)
        )"""
    )
    db.execute("CREATE INDEX candidates_waiting ON candidates (state, date_start, id)")
    db.execute("CREATE INDEX candidates_url ON candidates (url) WHERE url != ''")
    db.execute("CREATE INDEX candidates_place ON candidates (date_start, location)")
    db.execute("CREATE INDEX candidates_feed ON candidates (feed, state)")
    db.execute(
        """CREATE TABLE candidate_revisions (
            candidate_id INTEGER NOT NULL REFERENCES candidates(id),
            revision INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('add', 'change', 'delete')),
            version TEXT NOT NULL DEFAULT '',
            raw TEXT NOT NULL,
            pulled_at TEXT NOT NULL,
            PRIMARY KEY (candidate_id, revision)
        )"""
    )
    db.execute(
        """CREATE TABLE candidate_decisions (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            candidate TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'snooze', 'merge', 'undo')),
            entry TEXT,
            reason TEXT NOT NULL DEFAULT '',
            until TEXT,
            batch TEXT NOT NULL,
            undoes TEXT,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX candidate_decisions_of ON candidate_decisions (candidate, decided_at)")
    db.execute("CREATE INDEX candidate_decisions_by ON candidate_decisions (decided_by, decided_at)")
    db.execute(
        "CREATE INDEX candidate_decisions_undoes ON candidate_decisions (undoes) WHERE undoes IS NOT NULL"
    )
    db.execute(
        """CREATE TABLE feeds (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            location TEXT NOT NULL,
            rules TEXT NOT NULL DEFAULT '',
            map TEXT NOT NULL DEFAULT '',
            allow_private INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL,
            pulled_at TEXT
        )"""
    )


@migrations(name="m016_unbound_lines")
def m016_unbound_lines(db: Any) -> None:
    """Lines of a teammate's file written by an earlier release that name another analyst than the one
    whose folder holds them (sync accepts each once and reports it): what kind, who it names and when, in
    whose folder. `undo` never offers such a change as the named analyst's own."""
    db.execute(
        """CREATE TABLE sync_unbound (
             event_id TEXT PRIMARY KEY, kind TEXT NOT NULL, field TEXT NOT NULL, named TEXT NOT NULL,
             at TEXT NOT NULL, folder TEXT NOT NULL) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX sync_unbound_by ON sync_unbound (kind, named, at)")


@migrations(name="m017_page_indexes")
def m017_page_indexes(db: Any) -> None:
    """Indexes for a page of the newest: one indicator's current entries in the one order, holding what
    the timeline's pass reads (effect, status), so `timeline` reads its indicator's rows alone, in order,
    without the table; and each entry by its registered source and by the outlet it came via, so `source
    show` reads the entries citing one source instead of every entry. The first is partial on a term that
    is always true (effect is NOT NULL) and that only a listing by indicator states
    (store.entries.BY_INDICATOR): without it SQLite took it for the report's queries too, in place of
    their covering indexes."""
    db.execute(
        """CREATE INDEX entries_timeline ON entries
           (indicator_id, date_start, recorded_at, analyst, uuid, effect, status)
           WHERE deleted_at IS NULL AND effect IS NOT NULL"""
    )
    db.execute("CREATE INDEX entries_source ON entries (source_id) WHERE source_id IS NOT NULL")
    db.execute("CREATE INDEX entries_via ON entries (via_id) WHERE via_id IS NOT NULL")


@migrations(name="m018_signed_teams")
def m018_signed_teams(db: Any) -> None:
    """A signed team (`sync init --signed`): every allowed_signers file this database pinned, in order
    (the last is the one commits are verified against), and the repository files held back because a
    commit that changed them was refused (records.signing)."""
    db.execute(
        """CREATE TABLE sync_signers (
             version INTEGER PRIMARY KEY, content TEXT NOT NULL, sha256 TEXT NOT NULL,
             commit_id TEXT NOT NULL, pinned_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE sync_held (
             file TEXT PRIMARY KEY, commit_id TEXT NOT NULL, problem TEXT NOT NULL) WITHOUT ROWID"""
    )


@migrations(name="m019_redactions")
def m019_redactions(db: Any) -> None:
    """Redactions (records/redaction.py): a free-text field of an entry taken out of every revision of
    it; each stays as a rule that also applies to revisions of the entry that arrive later by sync."""
    db.execute(
        """CREATE TABLE redactions (
             uuid TEXT PRIMARY KEY, entry TEXT NOT NULL, field TEXT NOT NULL, reason TEXT NOT NULL,
             by TEXT NOT NULL, at TEXT NOT NULL) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX redactions_entry ON redactions (entry, field)")
    db.execute("CREATE INDEX redactions_by ON redactions (by, at)")


@migrations(name="m020_candidates_by_dataset")
def m020_candidates_by_dataset(db: Any) -> None:
    """The candidates that wait, by dataset and feed, with their dates: `agenda` counts them and finds the
    oldest from this index alone (it read every row of the table: 1.8 s with a million candidates)."""
    db.execute("CREATE INDEX candidates_by_dataset ON candidates (state, dataset, feed, date_start)")


@migrations(name="m021_dataset_pulls")
def m021_dataset_pulls(db: Any) -> None:
    """What each dataset's last pull read (records/candidate.py DATASET_PULL): a second pull of the same
    bytes is skipped as a whole instead of comparing each of its records (issue 24's speed)."""
    db.execute(
        """CREATE TABLE dataset_pulls (
             dataset TEXT PRIMARY KEY, digest TEXT NOT NULL, records INTEGER NOT NULL,
             pulled_at TEXT NOT NULL) WITHOUT ROWID"""
    )


@migrations(name="m022_languages")
def m022_languages(db: Any) -> None:
    """Evidence in its own language (issue 23): the language of an entry's summary and of a source (a BCP 47
    tag), and an entry's translated summary beside the original (its language, and whether a person
    checked it). Rows written before are `und` (undetermined) in every database, never this one's setting."""
    for table in ("entries", "entry_revisions"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN language TEXT NOT NULL DEFAULT 'und'")
        db.execute(f"ALTER TABLE {table} ADD COLUMN summary_translation TEXT NOT NULL DEFAULT ''")
        db.execute(f"ALTER TABLE {table} ADD COLUMN summary_translation_language TEXT NOT NULL DEFAULT ''")
        db.execute(f"ALTER TABLE {table} ADD COLUMN summary_translation_checked INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE sources ADD COLUMN language TEXT NOT NULL DEFAULT 'und'")


@migrations(name="m023_inbox_counts")
def m023_inbox_counts(db: Any) -> None:
    """With a million candidates, `agenda` and the inbox's first page counted the waiting ones from an index
    (every entry of it read: about a second) and `agenda` read the whole table for the candidates the dataset
    changed after a decision (several seconds): the candidates of each state, dataset and feed are counted
    by triggers in candidate_counts, and the changed ones have an index of their own."""
    db.execute(
        "CREATE INDEX candidates_changed ON candidates (changed_since) WHERE changed_since IS NOT NULL"
    )
    db.execute(
        """CREATE TABLE candidate_counts (
             state TEXT NOT NULL, dataset TEXT NOT NULL, feed TEXT NOT NULL, n INTEGER NOT NULL,
             PRIMARY KEY (state, dataset, feed)) WITHOUT ROWID"""
    )
    db.execute(
        """INSERT INTO candidate_counts (state, dataset, feed, n)
           SELECT state, dataset, feed, count(*) FROM candidates GROUP BY state, dataset, feed"""
    )
    counted = """INSERT INTO candidate_counts (state, dataset, feed, n)
                 VALUES (new.state, new.dataset, new.feed, 1)
                 ON CONFLICT (state, dataset, feed) DO UPDATE SET n = n + 1;"""
    uncounted = """UPDATE candidate_counts SET n = n - 1
                   WHERE state = old.state AND dataset = old.dataset AND feed = old.feed;"""
    db.execute(f"CREATE TRIGGER candidates_count_ai AFTER INSERT ON candidates BEGIN {counted} END")
    db.execute(f"CREATE TRIGGER candidates_count_ad AFTER DELETE ON candidates BEGIN {uncounted} END")
    db.execute(
        f"""CREATE TRIGGER candidates_count_au AFTER UPDATE OF state, dataset, feed ON candidates
            WHEN old.state != new.state OR old.dataset != new.dataset OR old.feed != new.feed
            BEGIN {uncounted} {counted} END"""
    )


@migrations(name="m024_entry_counts")
def m024_entry_counts(db: Any) -> None:
    """With a million entries, a table for people counted its framework's current entries from an index
    (every entry of it read: about 50 ms of a 0.3 s page): the current entries of each indicator are
    counted by triggers in entry_counts, which `list` and `timeline` read when no other filter applies."""
    db.execute(
        """CREATE TABLE entry_counts (
             indicator_id INTEGER PRIMARY KEY REFERENCES indicators(id), n INTEGER NOT NULL)"""
    )
    db.execute(
        """INSERT INTO entry_counts (indicator_id, n)
           SELECT indicator_id, count(*) FROM entries WHERE deleted_at IS NULL GROUP BY indicator_id"""
    )
    counted = """INSERT INTO entry_counts (indicator_id, n) SELECT new.indicator_id, 1
                 WHERE new.deleted_at IS NULL
                 ON CONFLICT (indicator_id) DO UPDATE SET n = n + 1;"""
    uncounted = """UPDATE entry_counts SET n = n - 1
                   WHERE old.deleted_at IS NULL AND indicator_id = old.indicator_id;"""
    db.execute(f"CREATE TRIGGER entries_count_ai AFTER INSERT ON entries BEGIN {counted} END")
    db.execute(f"CREATE TRIGGER entries_count_ad AFTER DELETE ON entries BEGIN {uncounted} END")
    db.execute(
        f"""CREATE TRIGGER entries_count_au AFTER UPDATE OF indicator_id, deleted_at ON entries
            WHEN old.indicator_id != new.indicator_id
              OR (old.deleted_at IS NULL) != (new.deleted_at IS NULL)
            BEGIN {uncounted} {counted} END"""
    )


@migrations(name="m025_sync_conflict_index")
def m025_sync_conflict_index(db: Any) -> None:
    """Every sync's summary says how many conflicts are open, and a conflict is two revisions of an entry
    with one authored number: grouping sync_revisions by (entry_id, authored) sorted the whole table in a
    temporary b-tree (0.17 s at 200,000 revisions, most of a sync with nothing new); read from this index
    it is a scan (0.03 s)."""
    db.execute("CREATE INDEX sync_revisions_authored ON sync_revisions (entry_id, authored)")


@migrations(name="m026_sync_revisions_without_rowid")
def m026_sync_revisions_without_rowid(db: Any) -> None:
    """Receiving 100,000 new revisions wrote four b-trees per revision in sync_revisions: the table by
    rowid, its primary key, the authored index and an index on the event id, whose random keys made it the
    dearest. The table is now its primary key (WITHOUT ROWID) and the event id index is gone: the only
    query it served was a count (`all_revisions_sent`), which reads the table itself; every other reads
    a revision by (entry_id, revision) or asks sync_events for an event."""
    db.execute(
        """CREATE TABLE sync_revisions_new (
            entry_id INTEGER NOT NULL REFERENCES entries(id),
            revision INTEGER NOT NULL,
            authored INTEGER NOT NULL,
            event_id TEXT,
            PRIMARY KEY (entry_id, revision)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """INSERT INTO sync_revisions_new (entry_id, revision, authored, event_id)
           SELECT entry_id, revision, authored, event_id FROM sync_revisions ORDER BY entry_id, revision"""
    )
    db.execute("DROP TABLE sync_revisions")
    db.execute("ALTER TABLE sync_revisions_new RENAME TO sync_revisions")
    db.execute("CREATE INDEX sync_revisions_authored ON sync_revisions (entry_id, authored)")


@migrations(name="m026_entry_digests")
def m026_entry_digests(db: Any) -> None:
    """The brief's content hash from a digest kept per current entry (store.digests): sha256 of the line of
    its shared fields (store.export.SHARED_LINE_SQL, which never holds a local id), with what its chart
    counts (indicator, date, effect), so a brief reads one index range per indicator instead of building
    and sorting every entry's line. The digests live apart from `entries`: an UPDATE of an entry fires its
    full-text trigger, so filling them there would rewrite the search index of every entry. Triggers drop
    an entry's digest on ANY change of the entry (no column list: a new shared field is covered by
    construction) and on a change of what the line shows by key (a source's or outlet's key, the
    indicator's key, the framework's name); a new entry has none. The brief fills the missing ones.

    One b-tree, keyed in the order a brief reads it (WITHOUT ROWID): a table keyed by entry beside an index
    in the window's order wrote two b-trees, one of them in random order, and the first brief at a million
    entries spent 30 s of its 43 s writing them. An entry's digest is found by what the entry holds (its
    indicator, first day and entry id: a short range of the key)."""
    db.execute(
        """CREATE TABLE entry_digests (
             indicator_id INTEGER NOT NULL, date_start TEXT NOT NULL, date TEXT NOT NULL,
             effect INTEGER NOT NULL, digest BLOB NOT NULL, entry_id INTEGER NOT NULL,
             PRIMARY KEY (indicator_id, date_start, date, effect, digest, entry_id)) WITHOUT ROWID"""
    )
    # an entry's digest, by the entry's row as it was (old) or is (new): a seek, never a scan
    by_entry = (
        "DELETE FROM entry_digests WHERE indicator_id = {row}.indicator_id "
        "AND date_start = {row}.date_start AND entry_id = {row}.id;"
    )
    # what store.entries.LINK_JOINS brings in: the originator's and the outlet's key (the ranges of the
    # indicators whose entries cite the source)
    citing = (
        "SELECT {column} FROM entries WHERE source_id IN ({{ids}}) "
        "UNION ALL SELECT {column} FROM entries WHERE via_id IN ({{ids}})"
    )
    by_source = (
        f"DELETE FROM entry_digests WHERE indicator_id IN ({citing.format(column='indicator_id')}) "
        f"AND entry_id IN ({citing.format(column='id')});"
    )
    by_indicator = "DELETE FROM entry_digests WHERE indicator_id IN ({ids});"
    by_framework = by_indicator.format(ids="SELECT id FROM indicators WHERE framework_id IN ({ids})")
    for table, shown, drop in (
        ("entries", "", by_entry),
        ("sources", "key", by_source),
        ("indicators", "key, framework_id", by_indicator),
        ("frameworks", "name", by_framework),
    ):
        # an entry: any update at all; the others: a change of what the line shows of them
        columns = ("id", *shown.split(", ")) if shown else ()
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        update = (
            f"UPDATE OF {', '.join(columns)} ON {table} WHEN {changed}" if shown else f"UPDATE ON {table}"
        )
        for event, rows in (
            (update, ("old", "new")),
            (f"INSERT ON {table}", ("new",)),
            (f"DELETE ON {table}", ("old",)),
        ):
            name = f"{table}_digests_{event[0].lower()}"
            if table == "entries":
                body = " ".join(drop.format(row=row) for row in rows)
            else:
                body = drop.format(ids=", ".join(f"{row}.id" for row in rows))
            db.execute(f"CREATE TRIGGER {name} AFTER {event} BEGIN {body} END")


@migrations(name="m027_decision_datasets")
def m027_decision_datasets(db: Any) -> None:
    """An accept's or merge's decision carries its candidate's dataset and licence (records/candidate.py
    DECISION), so `publish` cites the same datasets in every database holding the same decisions. Decisions
    recorded before stay empty (NULL) and are not filled from the candidates here: a decision already sent
    would make a line of new bytes under the same uuid; publish reads the local candidate for them instead."""
    for column in ("dataset", "licence"):
        db.execute(f"ALTER TABLE candidate_decisions ADD COLUMN {column} TEXT")
