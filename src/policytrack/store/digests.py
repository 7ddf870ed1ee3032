"""Each current entry's digest (m026_entry_digests): sha256 of the line of its shared fields
(store.export.SHARED_LINE_SQL), kept beside what its chart counts (indicator, date, effect). The brief's
content hash and its charts' marks are read from them, one key range per indicator; triggers drop a
digest when anything its line shows changes, the brief fills the missing ones (`fill_digests`), and where
it cannot write (a read-only database, an open transaction) the missing ones are computed as they are read,
which gives the same hash. `db check` recomputes every stored digest (`problems`)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from functools import cache

from policytrack.core.i18n import ngettext
from policytrack.store.entries import LINK_JOINS, StoreBase

# The SQL function that hashes a line (registered on each connection that needs it).
SHA256 = "policytrack_sha256"
# Digests written per write transaction: each batch is a short write, so other writers wait little.
FILL_BATCH = 20_000
# An entry and what its line shows by key (store.entries.LINK_JOINS's aliases s and v).
_JOINED = (
    "FROM entries e JOIN indicators i ON i.id = e.indicator_id JOIN frameworks f ON f.id = i.framework_id "
    + LINK_JOINS
)
# An entry (alias e) without a stored digest: its digest is found in the short range of its indicator
# and first day (entry_digests is keyed in the window's order).
_MISSING = (
    "NOT EXISTS (SELECT 1 FROM entry_digests d WHERE d.indicator_id = e.indicator_id "
    "AND d.date_start = e.date_start AND d.entry_id = e.id)"
)
# The indicators' first days where the current entries outnumber the stored digests (both counted along
# an index in the same order): only there is an entry looked for in entry_digests.
_SHORT = """SELECT w.indicator_id, w.date_start FROM
              (SELECT indicator_id, date_start, count(*) AS n FROM entries INDEXED BY entries_report
               WHERE deleted_at IS NULL GROUP BY indicator_id, date_start) w
              LEFT JOIN (SELECT indicator_id, date_start, count(*) AS n FROM entry_digests
                         GROUP BY indicator_id, date_start) h
              ON h.indicator_id = w.indicator_id AND h.date_start = w.date_start
            WHERE h.n IS NOT w.n"""


def _sha256(line: str | None) -> bytes | None:
    return None if line is None else hashlib.sha256(line.encode("utf-8")).digest()


def hashing(conn: sqlite3.Connection) -> None:
    """Register the line's hash as an SQL function on this connection."""
    conn.create_function(SHA256, 1, _sha256, deterministic=True)


@cache
def digest_sql() -> str:
    """An entry's digest (alias e, joined as _JOINED joins it), in SQL."""
    from policytrack.store.export import SHARED_LINE_SQL  # built at import: only where digests are made

    return f"{SHA256}({SHARED_LINE_SQL})"


def _window(since: str | None) -> str:
    return "indicator_id = ? AND date_start <= ?" + (" AND date_start >= ?" if since else "")


def _params(indicator_id: int, since: str | None, until: str) -> list[object]:
    return [indicator_id, until, *([since] if since else [])]


class DigestRows(StoreBase):
    """The kept digests of current entries, filled and read."""

    read_only_reason: str | None

    def fill_digests(self) -> int:
        """Store the digest of every current entry that has none, FILL_BATCH at a time, each batch in its
        own write transaction (computed inside it, so no change slips between the line and its digest).
        Returns how many were written; none where this store cannot write now (read-only, or inside a
        transaction), where the brief computes them as it reads. Which are missing is read first into a
        temporary table (flat memory), in the window's order from the current entries' smallest index, and
        each batch is written in entry_digests' key order: a first fill appends to its one b-tree."""
        if self.read_only_reason is not None or self.conn.in_transaction:
            return 0
        current = self.conn.execute("SELECT count(*) FROM entries WHERE deleted_at IS NULL").fetchone()[0]
        if current == self.conn.execute("SELECT count(*) FROM entry_digests").fetchone()[0]:
            return 0  # every digest is a current entry's (the triggers drop the others): none missing
        hashing(self.conn)
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS undigested (n INTEGER PRIMARY KEY, id INTEGER NOT NULL)"
        )
        self.conn.execute("DELETE FROM temp.undigested")
        self.conn.execute(
            # CROSS JOIN: the short first days first, then their entries (the planner, left to itself,
            # scanned every entry: 2.7 s at a million with one missing, now 0.25 s)
            f"""INSERT INTO temp.undigested (id) SELECT e.id FROM ({_SHORT}) g
                CROSS JOIN entries e INDEXED BY entries_report
                  ON e.indicator_id = g.indicator_id AND e.date_start = g.date_start AND e.deleted_at IS NULL
                WHERE {_MISSING} ORDER BY e.indicator_id, e.date_start"""
        )
        written, last = 0, 0
        while True:
            bound = self.conn.execute(
                "SELECT max(n) FROM (SELECT n FROM temp.undigested WHERE n > ? ORDER BY n LIMIT ?)",
                (last, FILL_BATCH),
            ).fetchone()[0]
            if bound is None:
                break
            with self.transaction() as conn:
                written += conn.execute(
                    f"""INSERT INTO entry_digests (indicator_id, date_start, date, effect, digest, entry_id)
                        SELECT e.indicator_id, e.date_start, e.date, e.effect, {digest_sql()}, e.id {_JOINED}
                        WHERE e.id IN (SELECT id FROM temp.undigested WHERE n > ? AND n <= ?)
                          AND e.deleted_at IS NULL AND {_MISSING}
                        ORDER BY 1, 2, 3, 4, 5, 6""",
                    (last, bound),
                ).rowcount
            last = bound
        self.conn.execute("DELETE FROM temp.undigested")
        return written

    def window_groups(
        self, indicator_id: int, since: str | None, until: str
    ) -> Iterator[tuple[str, int, int, bytes]]:
        """The stored digests of an indicator's window as one range of entry_digests' key, a group per
        first day, stored date and effect: (stored date, effect, entries, their digests concatenated in
        digest order). A row per group, not per entry: SQLite concatenates a group's digests in the order
        it reads them, the key's (group_concat of a GROUP BY the key's leading columns answers, with
        no sorter, `test_the_window_is_read_from_the_digests_index`). Complete only when every entry of the
        window has its digest stored: the caller compares the count (window_count)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        yield from cursor.execute(
            # as stored: what another tool wrote there is drawn as before
            f"""SELECT date, effect, count(*), CAST(group_concat(digest, '') AS BLOB)
                FROM entry_digests WHERE {_window(since)}
                GROUP BY date_start, date, effect""",
            _params(indicator_id, since, until),
        )

    def window_marks(self, indicator_id: int, since: str | None, until: str) -> list[tuple[str, int, int]]:
        """(stored date, effect, entries) of an indicator's current entries in a window, in date order,
        from the entries (a window whose digests are not all stored)."""
        return [
            (row[0], row[1], row[2])  # as stored: what another tool wrote there is drawn as before
            for row in self.conn.execute(
                f"SELECT date, effect, count(*) FROM entries WHERE {_window(since)} AND deleted_at IS NULL "
                "GROUP BY date_start, date, effect ORDER BY date_start, date, effect",
                _params(indicator_id, since, until),
            )
        ]

    def window_count(self, indicator_id: int, since: str | None, until: str) -> int:
        """How many current entries an indicator has in a window (a covering index range)."""
        row = self.conn.execute(
            f"SELECT count(*) FROM entries WHERE deleted_at IS NULL AND {_window(since)}",
            _params(indicator_id, since, until),
        ).fetchone()
        return int(row[0])

    def window_digests(
        self, indicator_id: int, since: str | None, until: str, *, kept: bool = True
    ) -> Iterator[list[bytes]]:
        """The digests of an indicator's current entries in a window where some are not stored (a
        read-only database, a change since), a batch at a time, in the hash's order (first day, stored
        date, effect, digest: never a local id, the order of window_groups): the missing ones computed
        here and sorted in with the stored ones by SQLite's sorter (flat memory). Not `kept` (a newer
        version's, which may hash another line): every one is computed here, none read."""
        hashing(self.conn)
        window = (
            _window(since).replace("indicator_id", "e.indicator_id").replace("date_start", "e.date_start")
        )
        params = _params(indicator_id, since, until)
        computed = f"""SELECT e.date_start, e.date, e.effect, {digest_sql()} AS digest {_JOINED}
                       WHERE {window} AND e.deleted_at IS NULL"""
        if kept:
            stored = f"SELECT date_start, date, effect, digest FROM entry_digests WHERE {_window(since)}"
            computed = f"{stored} UNION ALL {computed} AND {_MISSING}"
            params = params * 2
        cursor = self.conn.cursor()
        cursor.row_factory = None
        cursor.execute(f"SELECT digest FROM ({computed}) ORDER BY date_start, date, effect, digest", params)
        while rows := cursor.fetchmany(4096):
            yield [row[0] for row in rows]


def _wrong() -> str:
    """The stored digests that disagree with their entry as it is now: gone or no longer current, another
    indicator, date or effect, or another line (recomputed)."""
    return f"""SELECT k.entry_id FROM entry_digests k LEFT JOIN entries e ON e.id = k.entry_id
               LEFT JOIN indicators i ON i.id = e.indicator_id LEFT JOIN frameworks f ON f.id = i.framework_id
               {LINK_JOINS}
               WHERE e.id IS NULL OR e.deleted_at IS NOT NULL OR k.indicator_id IS NOT e.indicator_id
                 OR k.date_start IS NOT e.date_start OR k.date IS NOT e.date OR k.effect IS NOT e.effect
                 OR k.digest IS NOT {digest_sql()}"""


def _kept(conn: sqlite3.Connection) -> bool:
    """Whether this database keeps digests (m026 ran)."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entry_digests'")
    return found.fetchone() is not None


def problems(conn: sqlite3.Connection) -> list[str]:
    """The stored digests that disagree with a recomputation (every one), as one line ending with its fix
    (empty: none, or no digests kept)."""
    if not _kept(conn):
        return []
    hashing(conn)
    (wrong,) = conn.execute(f"SELECT count(*) FROM ({_wrong()})").fetchone()
    if not wrong:
        return []
    return [
        ngettext(
            "{n} stored entry digest differs from its entry: run `policytrack db check --repair`",
            "{n} stored entry digests differ from their entries: run `policytrack db check --repair`",
            wrong,
        ).format(n=wrong)
    ]


def repair(conn: sqlite3.Connection) -> int:
    """Drop every stored digest that disagrees with its entry (the next brief computes it again); call
    inside the store's write transaction. Returns how many were dropped."""
    if not _kept(conn):
        return 0
    hashing(conn)
    return int(conn.execute(f"DELETE FROM entry_digests WHERE entry_id IN ({_wrong()})").rowcount)
