"""The Store's sync rows: which records the shared repository holds (sync_events), the cross-database
order of each entry's revisions (sync_revisions), how far each repository file was read (sync_files), and
the rows sync reads and writes (revisions, targets, framework versions) by natural key."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from policytrack.records.columns import ENTRY_COLUMNS, SYNCED_COLUMNS
from policytrack.store.bulk import bulk_search_index
from policytrack.store.entries import StoreBase, marks, order_by

_COLS = ", ".join(ENTRY_COLUMNS)
_ENTRY_COLS = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS)
_CHUNK = 500

# Every revision of the page's entries (seq from :first to :last of temp.sync_outgoing), with its fields
# named as a sync line's (records.columns.SYNCED_REVISION): the line and its binding are SQL over these
# names. Its tombstone follows its history by sync.kinds._deleted_after's rule: the last revision up to it
# that sets one (`setter`) says it: a delete its time, a create or a restore none, and an import, only as
# the entry's last revision, the entry row's (history stores the action, not the tombstone). The window
# runs over each revision's key alone (`w`), the wide row read once after it: the window over `r.*` made
# SQLite copy every revision whole into the window's table (a fifth of the page's CPU at 100k). A revision
# an undo or a revert made names the revision it reversed as every database does (its authored number and
# time; records.entry.REVERSAL), from its row of `reversals`.
_REVISION_FIELDS = f"""
SELECT w.seq, r.entry_id, r.revision AS stored_revision, s.event_id AS sent_event,
       e.uuid, rf.name AS framework, ri.key AS indicator, {", ".join(f"r.{c}" for c in SYNCED_COLUMNS)},
       (SELECT key FROM sources WHERE id = r.source_id) AS source_key,
       (SELECT key FROM sources WHERE id = r.via_id) AS via_key,
       coalesce(s.authored, r.revision) AS revision, e.recorded_at, r.action, r.changed_by, r.changed_at,
       CASE d.action WHEN 'delete' THEN d.changed_at WHEN 'import' THEN nullif(e.deleted_at, '') END
           AS deleted_at,
       CASE WHEN xr.changed_at IS NOT NULL THEN x.command END AS reversal,
       CASE WHEN xr.changed_at IS NOT NULL THEN coalesce(xs.authored, xr.revision) END AS reversal_revision,
       xr.changed_at AS reversal_changed_at
FROM (SELECT r.entry_id, r.revision, o.seq, max(CASE WHEN r.action IN ('delete', 'create', 'restore')
                                   OR (r.action = 'import' AND r.revision = e.revision) THEN r.revision END)
                         OVER (PARTITION BY r.entry_id ORDER BY r.revision) AS setter
      FROM temp.sync_outgoing o JOIN entry_revisions r ON r.entry_id = o.entry_id
      JOIN entries e ON e.id = r.entry_id WHERE o.seq BETWEEN :first AND :last) w
JOIN entry_revisions r ON r.entry_id = w.entry_id AND r.revision = w.revision
JOIN entries e ON e.id = r.entry_id
JOIN indicators ri ON ri.id = r.indicator_id JOIN frameworks rf ON rf.id = ri.framework_id
LEFT JOIN sync_revisions s ON s.entry_id = r.entry_id AND s.revision = r.revision
LEFT JOIN entry_revisions d ON d.entry_id = r.entry_id AND d.revision = w.setter
LEFT JOIN reversals x ON x.kind = 'entry' AND x.made_ref = r.entry_id AND x.made_revision = r.revision
LEFT JOIN entry_revisions xr ON xr.entry_id = r.entry_id AND xr.revision = x.undone_revision
LEFT JOIN sync_revisions xs ON xs.entry_id = r.entry_id AND xs.revision = x.undone_revision
"""


class SyncRows(StoreBase):
    """What `sync` reads and writes, inside its own transactions."""

    # -- settings, files and events ------------------------------------------------------------

    def sync_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM sync_settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_sync_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO sync_settings VALUES (?, ?)
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value""",
                (key, value),
            )

    def sync_file_sizes(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self.conn.execute("SELECT path, size FROM sync_files")}

    def set_sync_file_sizes(self, sizes: dict[str, int]) -> None:
        self.conn.executemany(
            "INSERT INTO sync_files VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET size = excluded.size",
            sizes.items(),
        )

    # While a send writes its lines (staging), what it marks sent goes to temporary tables, which take no
    # lock on the database; commit_staged moves it in, in the transaction after the git commit.
    staging = False

    def known_events(self, event_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        tables = ("sync_events", "temp.sync_staged_events") if self.staging else ("sync_events",)
        for start in range(0, len(event_ids), _CHUNK):
            chunk = event_ids[start : start + _CHUNK]
            for table in tables:
                found.update(
                    r[0]
                    for r in self.conn.execute(
                        f"SELECT event_id FROM {table} WHERE event_id IN ({marks(chunk)})", chunk
                    )
                )
        return found

    def add_events(self, event_ids: Iterable[str]) -> None:
        table = "temp.sync_staged_events" if self.staging else "sync_events"
        self.conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?)", ((e,) for e in event_ids))

    def add_new_events(self, event_ids: Sequence[str]) -> set[str]:
        """Add the events the repository's records hold and this database did not: those it did not, the
        check and the write in one statement per chunk (receiving, inside its transaction)."""
        added: set[str] = set()
        for start in range(0, len(event_ids), _CHUNK):
            chunk = event_ids[start : start + _CHUNK]
            rows = ", ".join("(?)" for _ in chunk)
            added.update(
                r[0]
                for r in self.conn.execute(
                    f"INSERT OR IGNORE INTO sync_events VALUES {rows} RETURNING event_id", chunk
                ).fetchall()
            )
        return added

    @contextmanager
    def staged(self) -> Iterator[None]:
        """Revisions marked sent and events added while it is open are staged (see `staging`)."""
        conn = self.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS sync_staged_events (event_id TEXT PRIMARY KEY)")
        conn.execute(
            """CREATE TEMP TABLE IF NOT EXISTS sync_staged_revisions (entry_id INTEGER, revision INTEGER,
               authored INTEGER, event_id TEXT, PRIMARY KEY (entry_id, revision))"""
        )
        self.staging = True
        try:
            yield
        finally:
            self.staging = False

    def commit_staged(self) -> None:
        """What was staged, written (inside the caller's transaction), and the temporary tables emptied."""
        conn = self.conn
        conn.execute("INSERT OR REPLACE INTO sync_revisions SELECT * FROM temp.sync_staged_revisions")
        conn.execute("INSERT OR IGNORE INTO sync_events SELECT event_id FROM temp.sync_staged_events")
        self.drop_staged()

    def drop_staged(self) -> None:
        for table in ("sync_staged_revisions", "sync_staged_events"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")

    # What one sync received (sync.record.Received): each entry new or changed once, by its local id.

    def start_received(self) -> None:
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sync_received (entry_id INTEGER PRIMARY KEY, new INTEGER)"
        )
        self.conn.execute("DELETE FROM temp.sync_received")

    def note_received_new(self, first: int, last: int) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO temp.sync_received SELECT id, 1 FROM entries WHERE id BETWEEN ? AND ?",
            (first, last),
        )

    def note_received_updated(self, entry_ids: Iterable[int]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO temp.sync_received VALUES (?, 0)", ((i,) for i in entry_ids)
        )

    def received_counts(self) -> tuple[int, int]:
        new, updated = self.conn.execute(
            "SELECT count(*) FILTER (WHERE new), count(*) FILTER (WHERE NOT new) FROM temp.sync_received"
        ).fetchone()
        return int(new), int(updated)

    def add_unbound(self, rows: Iterable[tuple[str, str, str, str, str, str]]) -> None:
        """(event id, kind, field, who it names, when, folder) of lines accepted though not bound to the
        analyst whose folder held them (written by an earlier release)."""
        self.conn.executemany("INSERT OR IGNORE INTO sync_unbound VALUES (?, ?, ?, ?, ?, ?)", rows)

    # -- entries ---------------------------------------------------------------------------------

    def all_revisions_sent(self) -> bool:
        """Whether every revision has its record in the repository, by three counts (milliseconds at
        200,000 revisions, where the join of unsent_revision_pages takes a second): a sync_revisions row is
        only ever written beside its revision (write_history rewrites both), so as many revisions, rows
        and rows with an event id is every revision sent. The last two in one read of sync_revisions
        (no index holds its event ids: m026)."""
        revisions, rows, sent = self.conn.execute(
            """SELECT (SELECT count(*) FROM entry_revisions), count(*), count(event_id)
               FROM sync_revisions"""
        ).fetchone()
        return bool(revisions == rows == sent)

    def unsent_revision_count(self, bound: str, analyst: str) -> int:
        """The revisions whose record the repository lacks that satisfy `bound` (an SQL condition over
        the revision's columns, with the parameter :analyst), counted by SQLite."""
        if self.all_revisions_sent():
            return 0
        (count,) = self.conn.execute(
            f"""SELECT count(*) FROM entry_revisions r LEFT JOIN sync_revisions s
                ON s.entry_id = r.entry_id AND s.revision = r.revision
                WHERE (s.event_id IS NULL OR s.event_id NOT IN (SELECT event_id FROM sync_events))
                AND {bound}""",
            {"analyst": analyst},
        ).fetchone()
        return int(count)

    def unsent_revision_lines(
        self, line: str, bound: str, analyst: str, entries: int
    ) -> Iterator[list[tuple[str, int, int, int, int]]]:
        """The revisions whose record the repository lacks, each as (line, entry id, revision, authored
        number, bound), `line` and `bound` SQL over the line's fields (bound with the parameter :analyst):
        the entries in the one order (ENTRY_ORDER), `entries` of them a page, each entry's revisions
        oldest first. Each page is read whole before it is yielded, so the caller may write between pages
        (no statement is left open); the entries to read are listed once, in a temporary table, so a page
        costs one seek."""
        conn = self.conn
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sync_outgoing (seq INTEGER PRIMARY KEY, entry_id INTEGER)"
        )
        conn.execute("DELETE FROM temp.sync_outgoing")
        conn.execute(
            f"""INSERT INTO temp.sync_outgoing (entry_id) SELECT e.id FROM entries e WHERE e.id IN (
                    SELECT r2.entry_id FROM entry_revisions r2 LEFT JOIN sync_revisions s2
                    ON s2.entry_id = r2.entry_id AND s2.revision = r2.revision
                    WHERE s2.event_id IS NULL OR s2.event_id NOT IN (SELECT event_id FROM sync_events))
                ORDER BY {order_by()}"""
        )
        (count,) = conn.execute("SELECT count(*) FROM temp.sync_outgoing").fetchone()
        query = f"""SELECT {line}, entry_id, stored_revision, revision, {bound}
                    FROM ({_REVISION_FIELDS}) WHERE sent_event IS NULL ORDER BY seq, stored_revision"""
        for first in range(1, int(count) + 1, entries):
            page = {"first": first, "last": first + entries - 1, "analyst": analyst}
            yield conn.execute(query, page).fetchall()
        conn.execute("DELETE FROM temp.sync_outgoing")

    def entry_ids_by_uuid(self, uuids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(uuids), _CHUNK):
            chunk = uuids[start : start + _CHUNK]
            found.update(
                (r[0], int(r[1]))
                for r in self.conn.execute(
                    f"SELECT uuid, id FROM entries WHERE uuid IN ({marks(chunk)})", chunk
                )
            )
        return found

    def source_ids_by_key(self) -> dict[str, int]:
        """Every registered source's key and id. A merged key is its own source (which leads on to the
        one it was merged into): a revision cites the key its line names in every database, whether the
        merge arrived before it or after."""
        return {
            str(key): int(source_id) for key, source_id in self.conn.execute("SELECT key, id FROM sources")
        }

    def synced_revisions(self, entry_id: int) -> list[dict[str, Any]]:
        """An entry's revisions as stored, oldest first, each with its authored number and event id."""
        return [
            dict(r)
            for r in self.conn.execute(
                """SELECT r.*, coalesce(s.authored, r.revision) AS authored, s.event_id
                   FROM entry_revisions r LEFT JOIN sync_revisions s
                   ON s.entry_id = r.entry_id AND s.revision = r.revision
                   WHERE r.entry_id = ? ORDER BY r.revision""",
                (entry_id,),
            )
        ]

    def write_history(self, entry_id: int, revisions: Sequence[dict[str, Any]], keep: int) -> None:
        """Rewrite an entry's revisions after the first `keep` (which stay as they are) and record the
        authored number and event id of every revision. A revision stored here (it carries its number,
        `revision`) that moves takes the rows of `reversals` that name it along (what `history` marks and
        what `undo` offers are by local number)."""
        conn = self.conn
        moved = {
            int(r["revision"]): number
            for number, r in enumerate(revisions, start=1)
            if "revision" in r and r["revision"] != number
        }
        if moved:
            conn.executemany(
                "UPDATE reversals SET undone_revision = ?, made_revision = ? WHERE id = ?",
                [
                    (moved.get(undone, undone), moved.get(made, made), row_id)
                    for row_id, undone, made in conn.execute(
                        """SELECT id, undone_revision, made_revision FROM reversals
                           WHERE kind = 'entry' AND made_ref = ?""",
                        (entry_id,),
                    ).fetchall()
                ],
            )
        conn.execute("DELETE FROM entry_revisions WHERE entry_id = ? AND revision > ?", (entry_id, keep))
        conn.executemany(
            f"""INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {_COLS})
                VALUES (?, ?, ?, ?, ?, {marks(ENTRY_COLUMNS)})""",
            [
                (
                    entry_id,
                    number,
                    r["action"],
                    r["changed_by"],
                    r["changed_at"],
                    *(r[c] for c in ENTRY_COLUMNS),
                )
                for number, r in enumerate(revisions, start=1)
                if number > keep
            ],
        )
        conn.execute("DELETE FROM sync_revisions WHERE entry_id = ?", (entry_id,))
        conn.executemany(
            "INSERT INTO sync_revisions VALUES (?, ?, ?, ?)",
            [(entry_id, number, r["authored"], r["event_id"]) for number, r in enumerate(revisions, start=1)],
        )

    def revisions_of(self, entry_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """Per entry, its revisions as stored, each with its authored number (sync.py names a revision
        across databases from these)."""
        found: dict[int, list[dict[str, Any]]] = {}
        for start in range(0, len(entry_ids), _CHUNK):
            chunk = entry_ids[start : start + _CHUNK]
            for r in self.conn.execute(
                f"""SELECT r.*, coalesce(s.authored, r.revision) AS authored
                    FROM entry_revisions r LEFT JOIN sync_revisions s
                    ON s.entry_id = r.entry_id AND s.revision = r.revision
                    WHERE r.entry_id IN ({marks(chunk)})""",
                chunk,
            ):
                found.setdefault(r["entry_id"], []).append(dict(r))
        return found

    def mark_revisions_synced(self, rows: Sequence[tuple[int, int, int, str]]) -> None:
        """(entry_id, revision, authored, event_id) of revisions now in the repository."""
        table = "temp.sync_staged_revisions" if self.staging else "sync_revisions"
        self.conn.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)", rows)

    def set_entry_state(self, entry_id: int, state: dict[str, Any], revision: int) -> None:
        """The entry as its current revision says (the full-text index follows by trigger)."""
        assignments = ", ".join(f"{c} = ?" for c in ENTRY_COLUMNS)
        self.conn.execute(
            f"UPDATE entries SET {assignments}, revision = ?, deleted_at = ? WHERE id = ?",
            (*(state[c] for c in ENTRY_COLUMNS), revision, state["deleted_at"], entry_id),
        )

    def insert_synced_entries(self, entries: Sequence[tuple[str, str, Sequence[dict[str, Any]]]]) -> range:
        """Entries new to this database, each (uuid, recorded_at, revisions in order), as import writes
        them (store.bulk): the entries in one executemany, and from the rows just written, in SQL, their
        full-text rows and each one's last revision (its state is the entry's: only its action, author and
        time are bound, as one JSON array); an entry's earlier revisions (it arrived with its history) and
        every revision's sync row by executemany. Returns their local ids."""
        if not entries:
            return range(0)
        (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()
        first = int(last) + 1
        ids = range(first, first + len(entries))
        with bulk_search_index(self.conn):
            self._insert_entries(ids, entries)
            self.conn.execute(
                "INSERT INTO entries_fts (rowid, summary, note, source) SELECT id, summary, note, source "
                "FROM entries WHERE id BETWEEN ? AND ?",
                (ids.start, ids.stop - 1),
            )
        numbered = [
            (entry_id, number, rev)
            for entry_id, (_, _, revs) in zip(ids, entries, strict=True)
            for number, rev in enumerate(revs, start=1)
        ]
        # the earlier revisions first: an entry's revisions keep their order by rowid (undo's tie-break)
        self.conn.executemany(
            f"""INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {_COLS})
                VALUES (?, ?, ?, ?, ?, {marks(ENTRY_COLUMNS)})""",
            [
                (
                    entry_id,
                    number,
                    r["action"],
                    r["changed_by"],
                    r["changed_at"],
                    *(r[c] for c in ENTRY_COLUMNS),
                )
                for entry_id, number, r in numbered
                if number < len(entries[entry_id - first][2])
            ],
        )
        made = json.dumps(
            [[revs[-1]["action"], revs[-1]["changed_by"], revs[-1]["changed_at"]] for _, _, revs in entries]
        )
        self.conn.execute(
            f"""INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {_COLS})
                SELECT e.id, e.revision, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),
                       json_extract(j.value, '$[2]'), {_ENTRY_COLS}
                FROM json_each(?) j JOIN entries e ON e.id = ? + j.key ORDER BY e.id""",
            (made, first),
        )
        self.mark_revisions_synced([(e, n, r["authored"], r["event_id"]) for e, n, r in numbered])
        return ids

    def _insert_entries(
        self, ids: range, entries: Sequence[tuple[str, str, Sequence[dict[str, Any]]]]
    ) -> None:
        self.conn.executemany(
            f"""INSERT INTO entries (id, uuid, {_COLS}, revision, recorded_at, deleted_at)
                VALUES (?, ?, {marks(ENTRY_COLUMNS)}, ?, ?, ?)""",
            [
                (
                    entry_id,
                    uuid,
                    *(revs[-1][c] for c in ENTRY_COLUMNS),
                    len(revs),
                    recorded_at,
                    revs[-1]["deleted_at"],
                )
                for entry_id, (uuid, recorded_at, revs) in zip(ids, entries, strict=True)
            ],
        )

    def conflicted_entries(self) -> list[tuple[int, str]]:
        """(id, uuid) of the entries with revisions made apart (the same authored number), in id order."""
        return [
            (int(r[0]), str(r[1]))
            for r in self.conn.execute(
                """SELECT e.id, e.uuid FROM entries e WHERE e.id IN (
                     SELECT entry_id FROM sync_revisions GROUP BY entry_id, authored HAVING count(*) > 1)
                   ORDER BY e.id"""
            )
        ]

    # -- framework versions --------------------------------------------------------------------

    def all_framework_versions(self) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT f.name, v.loaded_at, v.sha256, v.definition FROM framework_versions v
               JOIN frameworks f ON f.id = v.framework_id ORDER BY f.id, v.version"""
        ).fetchall()

    def latest_framework_load(self, name: str) -> tuple[set[str], str | None]:
        """The sha256 of every version of a framework loaded here, and when its current one was loaded."""
        rows = self.conn.execute(
            """SELECT v.sha256, v.loaded_at FROM framework_versions v
               JOIN frameworks f ON f.id = v.framework_id WHERE f.name = ? ORDER BY v.version""",
            (name,),
        ).fetchall()
        return {r[0] for r in rows}, (rows[-1][1] if rows else None)

    def indicator_ids(self) -> dict[tuple[str, str], int]:
        return {
            (r[0], r[1]): int(r[2])
            for r in self.conn.execute(
                "SELECT f.name, i.key, i.id FROM indicators i JOIN frameworks f ON f.id = i.framework_id"
            )
        }

    def framework_levels(self) -> dict[str, set[str]]:
        levels: dict[str, set[str]] = {}
        for name, level in self.conn.execute(
            "SELECT f.name, s.name FROM status_levels s JOIN frameworks f ON f.id = s.framework_id"
        ):
            levels.setdefault(name, set()).add(level)
        return levels
