"""The Store's inbox rows: candidates (written in bulk, revised, withdrawn), their earlier versions, the
decisions taken on them, and the feeds. The columns come from records/candidate.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, NamedTuple

from policytrack.store.entries import StoreBase, marks


class _Declared(NamedTuple):
    candidate: tuple[str, ...]
    decision: tuple[str, ...]
    feed: tuple[str, ...]
    pull: tuple[str, ...]
    decision_defaults: dict[str, Any]
    synced_decision: str
    insert: str


@cache
def _declared() -> _Declared:
    """The inbox's columns, from records/candidate.py, read on first use: `log` never loads it."""
    from policytrack.records.candidate import CANDIDATE, DATASET_PULL, DECISION, FEED, SYNCED_DECISION

    candidate = CANDIDATE.stored()
    return _Declared(
        candidate=candidate,
        decision=DECISION.stored(),
        feed=FEED.stored(),
        pull=DATASET_PULL.stored(),
        decision_defaults=DECISION.defaults(),
        synced_decision=", ".join(SYNCED_DECISION.names()),
        insert=f"INSERT INTO candidates ({', '.join(candidate)}) VALUES ({marks(candidate)})",
    )


_CHUNK = 500
# What a pull compares a record it reads with.
_KNOWN = "id, uuid, external_id, version, state, entry_uuid, revision, deleted_at"
_WAITING = "state = 'waiting'"
_ENTRY_TEXTS = "SELECT 'entry:' || uuid, summary FROM entries WHERE date_start = ? AND deleted_at IS NULL"
_CANDIDATE_TEXTS = """SELECT uuid, summary FROM candidates
    WHERE date_start = ? AND location = ? AND summary != '' ORDER BY id"""
_WOKEN = "state = 'snoozed' AND snoozed_until < :today"


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class InboxRows(StoreBase):
    def known_candidates(self, dataset: str, external_ids: Sequence[str]) -> dict[str, sqlite3.Row]:
        found: dict[str, sqlite3.Row] = {}
        for part in _chunks(external_ids):
            for row in self.conn.execute(
                f"SELECT {_KNOWN} FROM candidates WHERE dataset = ? AND external_id IN ({marks(part)})",
                (dataset, *part),
            ):
                found[row["external_id"]] = row
        return found

    def candidate_versions(self, dataset: str, external_ids: Sequence[str]) -> dict[str, tuple[str, bool]]:
        """Each of these records' stored version and whether it is withdrawn, by external id: what a pull
        compares a record with first (one seek each in the table's (dataset, external_id) key)."""
        found: dict[str, tuple[str, bool]] = {}
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: a hundred thousand of them per pull
        for part in _chunks(external_ids):
            cursor.execute(
                f"""SELECT external_id, version, deleted_at IS NOT NULL FROM candidates
                    WHERE dataset = ? AND external_id IN ({marks(part)})""",
                (dataset, *part),
            )
            found.update((ext, (version, bool(gone))) for ext, version, gone in cursor)
        return found

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for part in _chunks(urls):
            found.update(
                r[0]
                for r in self.conn.execute(f"SELECT url FROM candidates WHERE url IN ({marks(part)})", part)
            )
        return found

    def days_with_entries(self, days: Sequence[str]) -> set[str]:
        """Those of these days on which a current entry is dated."""
        found: set[str] = set()
        for part in _chunks(days):
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"""SELECT DISTINCT date_start FROM entries
                        WHERE date_start IN ({marks(part)}) AND deleted_at IS NULL""",
                    part,
                )
            )
        return found

    def texts_at(self, day: str, place: str, *, entries: bool = True) -> Iterator[tuple[str, str]]:
        """The current entries dated on this day (unless `entries` is false: none are), then the
        candidates of this day and place in the order they were read (each as its ref and summary): what a
        new candidate is compared with for a possible duplicate, streamed (the caller stops at the first
        that is nearly the same) by the indexes entries_date and candidates_place."""
        queries = [(_ENTRY_TEXTS, (day,))] if entries else []
        for sql, params in (*queries, (_CANDIDATE_TEXTS, (day, place))):
            cursor = self.conn.cursor()
            cursor.row_factory = None
            try:
                yield from cursor.execute(sql, params)
            finally:
                cursor.close()

    def insert_candidates(self, rows: Sequence[dict[str, Any]], at: str) -> None:
        """New candidates and their first version, in the caller's transaction."""
        declared = _declared()
        self.conn.executemany(declared.insert, [tuple(r[c] for c in declared.candidate) for r in rows])

    def revise_candidate(self, candidate_id: int, values: dict[str, Any], action: str, flag: bool) -> None:
        """A new version of a candidate (a changed record, or its withdrawal): the version it replaces is
        kept in candidate_revisions, with what replaced it (`action`: change or delete)."""
        self.conn.execute(
            """INSERT INTO candidate_revisions (candidate_id, revision, action, version, raw, pulled_at)
               SELECT id, revision, ?, version, raw, pulled_at FROM candidates WHERE id = ?""",
            (action, candidate_id),
        )
        assignments = ", ".join(f"{c} = ?" for c in values)
        flagged = ", changed_since = ?" if flag else ""
        self.conn.execute(
            f"UPDATE candidates SET {assignments}, revision = revision + 1{flagged} WHERE id = ?",
            (*values.values(), *((values["pulled_at"],) if flag else ()), candidate_id),
        )

    def candidate_revisions(self, candidate_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM candidate_revisions WHERE candidate_id = ? ORDER BY revision", (candidate_id,)
        ).fetchall()

    def candidate(self, candidate_id: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM candidates WHERE id = ?", (candidate_id,)
        ).fetchone()
        return row

    def candidate_by_uuid(self, uuid: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM candidates WHERE uuid = ?", (uuid,)
        ).fetchone()
        return row

    def candidate_ids_where(self, where: Sequence[str], params: dict[str, Any]) -> list[int]:
        clause = " AND ".join(where) or "1"
        return [
            int(r[0])
            for r in self.conn.execute(
                f"""SELECT id FROM candidates WHERE ({_WAITING} OR {_WOKEN}) AND {clause}
                    ORDER BY date_start, id""",
                params,
            )
        ]

    def waiting(
        self, where: Sequence[str], params: dict[str, Any], *, limit: int | None, newest: bool = False
    ) -> list[sqlite3.Row]:
        """Candidates that wait (snoozes past their date among them), oldest first; `newest`: the last
        `limit` of that order."""
        clause = "".join(f" AND {w}" for w in where)
        order = "date_start DESC, id DESC" if newest else "date_start, id"
        rows = self.conn.execute(
            f"""SELECT * FROM (SELECT * FROM candidates WHERE {_WAITING}{clause}
                               UNION ALL SELECT * FROM candidates WHERE {_WOKEN}{clause})
                ORDER BY {order} LIMIT :limit""",
            {**params, "limit": -1 if limit is None else limit},
        ).fetchall()
        return rows[::-1] if newest else rows

    def each_waiting(self, where: Sequence[str], params: dict[str, Any]) -> Iterator[sqlite3.Row]:
        """Every candidate that waits, oldest first, as it is read (flat memory: what a pipe or a file
        takes)."""
        clause = "".join(f" AND {w}" for w in where)
        yield from self.conn.execute(
            f"""SELECT * FROM (SELECT * FROM candidates WHERE {_WAITING}{clause}
                               UNION ALL SELECT * FROM candidates WHERE {_WOKEN}{clause})
                ORDER BY date_start, id""",
            params,
        )

    def max_candidate_id(self) -> int:
        (found,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM candidates").fetchone()
        return int(found)

    def count_waiting(self, where: Sequence[str] = (), params: dict[str, Any] | None = None) -> int:
        """How many candidates wait (snoozes past their date among them): with no filter, from
        candidate_counts (kept by triggers) and the snoozed ones; with one, counted from the rows."""
        clause = "".join(f" AND {w}" for w in where)
        found = 0
        for cond in (_WAITING, _WOKEN):
            sql = f"SELECT count(*) FROM candidates WHERE {cond}{clause}"
            if cond == _WAITING and not where:
                sql = f"SELECT coalesce(sum(n), 0) FROM candidate_counts WHERE {_WAITING}"
            (n,) = self.conn.execute(sql, params or {"today": ""}).fetchone()
            found += int(n)
        return found

    def waiting_by_dataset(self, today: str) -> list[sqlite3.Row]:
        """How many candidates wait per dataset and feed, and the oldest date (snoozes past their date
        counted with them): the counts kept in candidate_counts, each oldest date one seek in
        candidates_by_dataset, the snoozed ones counted from that index."""
        return self.conn.execute(
            f"""SELECT dataset, feed, sum(n) AS n, min(oldest) AS oldest FROM (
                  SELECT k.dataset, k.feed, k.n,
                         (SELECT min(c.date_start) FROM candidates c INDEXED BY candidates_by_dataset
                          WHERE c.state = 'waiting' AND c.dataset = k.dataset AND c.feed = k.feed) AS oldest
                  FROM candidate_counts k WHERE k.{_WAITING} AND k.n > 0
                  UNION ALL
                  SELECT dataset, feed, count(*), min(date_start) FROM candidates WHERE {_WOKEN}
                  GROUP BY dataset, feed)
                GROUP BY dataset, feed ORDER BY oldest""",
            {"today": today},
        ).fetchall()

    def changed_after_decision(self) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM candidates WHERE changed_since IS NOT NULL ORDER BY changed_since"
        ).fetchall()

    def insert_decision(self, values: dict[str, Any]) -> None:
        columns, defaults = _declared().decision, _declared().decision_defaults
        self.conn.execute(
            f"""INSERT INTO candidate_decisions ({", ".join(columns)})
                VALUES ({marks(columns)})""",
            tuple(values.get(c, defaults.get(c)) for c in columns),
        )

    def own_decision_rows(self, analyst: str) -> list[sqlite3.Row]:
        """The decisions `analyst` took here or sent from another database of theirs (what sync sends)."""
        fields = _declared().synced_decision
        return self.conn.execute(
            f"""SELECT {fields} FROM candidate_decisions INDEXED BY candidate_decisions_by
                WHERE decided_by = ? ORDER BY decided_at, id""",
            (analyst,),
        ).fetchall()

    def known_decisions(self, uuids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for part in _chunks(uuids):
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT uuid FROM candidate_decisions WHERE uuid IN ({marks(part)})", part
                )
            )
        return found

    def decided_candidates(self, uuids: Sequence[str]) -> set[str]:
        """Those of these candidates (uuids) that a decision names (one received before the candidate)."""
        found: set[str] = set()
        for part in _chunks(uuids):
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT DISTINCT candidate FROM candidate_decisions WHERE candidate IN ({marks(part)})",
                    part,
                )
            )
        return found

    def set_candidate_state(
        self, candidate_id: int, state: str, until: str | None, entry_uuid: str | None
    ) -> None:
        self.conn.execute(
            """UPDATE candidates SET state = ?, snoozed_until = ?, entry_uuid = ?, changed_since = NULL
               WHERE id = ?""",
            (state, until, entry_uuid, candidate_id),
        )

    def decisions_of(self, candidate_uuid: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM candidate_decisions WHERE candidate = ? ORDER BY decided_at, id", (candidate_uuid,)
        ).fetchall()

    def decided_apart(self) -> list[str]:
        """The candidates (uuids) that decisions by two or more analysts name: where decisions taken apart
        may disagree (sync/conflicts.py reads their decisions)."""
        return [
            str(r[0])
            for r in self.conn.execute(
                """SELECT candidate FROM candidate_decisions INDEXED BY candidate_decisions_of
                   WHERE action != 'undo' GROUP BY candidate HAVING count(DISTINCT decided_by) > 1
                   ORDER BY candidate"""
            )
        ]

    def decision(self, decision_id: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM candidate_decisions WHERE id = ?", (decision_id,)
        ).fetchone()
        return row

    def batch_decisions(self, batch: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT d.* FROM candidate_decisions d WHERE d.batch = ? AND d.action != 'undo'
               AND NOT EXISTS (SELECT 1 FROM candidate_decisions u WHERE u.undoes = d.uuid) ORDER BY d.id""",
            (batch,),
        ).fetchall()

    def latest_decision_by(self, analyst: str) -> sqlite3.Row | None:
        """The analyst's latest decision that no undo took back (what `undo` offers)."""
        row: sqlite3.Row | None = self.conn.execute(
            """SELECT 'decision' AS kind, d.id AS ref, 0 AS revision, d.action AS action,
                      d.decided_at AS changed_at
               FROM candidate_decisions d INDEXED BY candidate_decisions_by
               WHERE d.decided_by = ? AND d.action != 'undo'
                 AND NOT EXISTS (SELECT 1 FROM candidate_decisions u WHERE u.undoes = d.uuid)
               ORDER BY d.decided_at DESC, d.id DESC LIMIT 1""",
            (analyst,),
        ).fetchone()
        return row

    def entry_id_of(self, uuid: str) -> int | None:
        row = self.conn.execute("SELECT id FROM entries WHERE uuid = ?", (uuid,)).fetchone()
        return int(row[0]) if row else None

    def add_feed(self, values: dict[str, Any]) -> None:
        with self.transaction() as conn:
            columns = _declared().feed
            conn.execute(
                f"INSERT INTO feeds ({', '.join(columns)}) VALUES ({marks(columns)})",
                tuple(values.get(c) for c in columns),
            )

    def feeds(self, name: str | None = None) -> list[sqlite3.Row]:
        if name is None:
            return self.conn.execute("SELECT * FROM feeds ORDER BY name").fetchall()
        return self.conn.execute("SELECT * FROM feeds WHERE name = ?", (name,)).fetchall()

    def last_pull(self, dataset: str) -> tuple[str, int] | None:
        """The digest of what the dataset's last pull read, and how many records it held."""
        row = self.conn.execute(
            "SELECT digest, records FROM dataset_pulls WHERE dataset = ?", (dataset,)
        ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    def record_pull(self, values: dict[str, Any]) -> None:
        columns = _declared().pull
        self.conn.execute(
            f"INSERT OR REPLACE INTO dataset_pulls ({', '.join(columns)}) VALUES ({marks(columns)})",
            tuple(values[c] for c in columns),
        )

    def feed_pulled(self, name: str, at: str) -> None:
        self.conn.execute("UPDATE feeds SET pulled_at = ? WHERE name = ?", (at, name))

    def publish_datasets(self, frameworks: Sequence[str], cutoff: str) -> list[tuple[str, str]]:
        """The datasets (name, attribution) of the candidates accepted as, or merged into, the current
        entries of these frameworks dated on or before `cutoff`: what `publish` cites (never their rows).
        Read from the accepts and merges that stand (no undo took them back), each with the dataset it
        carries, so every database holding the same decisions cites the same; a decision from before
        decisions carried it (dataset NULL) cites the candidate read here, if it is."""
        return [
            (str(r[0]), str(r[1]))
            for r in self.conn.execute(
                f"""SELECT DISTINCT ds, terms FROM (
                      SELECT CASE WHEN d.dataset IS NULL THEN c.dataset ELSE d.dataset END AS ds,
                             CASE WHEN d.dataset IS NULL THEN c.licence ELSE coalesce(d.licence, '') END
                               AS terms
                      FROM candidate_decisions d
                      JOIN entries e ON e.uuid = d.entry JOIN indicators i ON i.id = e.indicator_id
                      JOIN frameworks f ON f.id = i.framework_id
                      LEFT JOIN candidates c ON d.dataset IS NULL AND c.uuid = d.candidate
                      WHERE d.action IN ('accept', 'merge') AND e.deleted_at IS NULL AND e.date_start <= ?
                        AND f.name IN ({marks(frameworks)})
                        AND NOT EXISTS (SELECT 1 FROM candidate_decisions u WHERE u.undoes = d.uuid))
                    WHERE ds IS NOT NULL ORDER BY ds, terms""",
                (cutoff, *frameworks),
            )
        ]

    # ---------------------------------------------------------------- the agenda

    def unreviewed_entries(self, framework_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT e.id, e.date_start, e.summary FROM entries e JOIN indicators i ON i.id = e.indicator_id
               WHERE i.framework_id = ? AND e.deleted_at IS NULL AND e.reviewed_at IS NULL
               ORDER BY e.date_start, e.id""",
            (framework_id,),
        ).fetchall()

    def latest_evidence_dates(self, framework_id: int) -> list[sqlite3.Row]:
        """Each indicator's key and the date of its latest current entry (NULL: none)."""
        return self.conn.execute(
            """SELECT i.key, i.title, (SELECT max(e.date_start) FROM entries e
                                       WHERE e.indicator_id = i.id AND e.deleted_at IS NULL) AS latest
               FROM indicators i WHERE i.framework_id = ? ORDER BY i.number""",
            (framework_id,),
        ).fetchall()

    def targets_due(self, framework_id: int, start: str, end: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT i.key, t.level, t.due, t.due_end FROM targets t
               JOIN indicators i ON i.id = t.indicator_id
               WHERE i.framework_id = ?
                 AND t.id = (SELECT max(x.id) FROM targets x WHERE x.indicator_id = t.indicator_id)
                 AND t.level != '' AND t.due_end BETWEEN ? AND ? ORDER BY t.due_end""",
            (framework_id, start, end),
        ).fetchall()

    def forecasts_due(self, framework_id: int, start: str, end: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT f.id, i.key, f.level, f.due, f.due_end FROM forecasts f
               JOIN indicators i ON i.id = f.indicator_id
               WHERE i.framework_id = ? AND f.withdrawn_at IS NULL AND f.due_end BETWEEN ? AND ?
               ORDER BY f.due_end""",
            (framework_id, start, end),
        ).fetchall()
