"""Each current entry's digest (m026_entry_digests): sha256 of the line of its shared fields
(store.export.SHARED_LINE_SQL), kept beside what its chart counts (indicator, date, effect). The brief's
content hash and its charts' marks are read from them, one index range per indicator; triggers drop a
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
_MISSING = "NOT EXISTS (SELECT 1 FROM entry_digests d WHERE d.entry_id = e.id)"


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
        temporary table (flat memory), from the current entries' smallest index."""
        if self.read_only_reason is not None or self.conn.in_transaction:
            return 0
        current = self.conn.execute("SELECT count(*) FROM entries WHERE deleted_at IS NULL").fetchone()[0]
        if current == self.conn.execute("SELECT count(*) FROM entry_digests").fetchone()[0]:
            return 0  # every digest is a current entry's (the triggers drop the others): none missing
        hashing(self.conn)
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS undigested (id INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM temp.undigested")
        self.conn.execute(
            f"INSERT INTO temp.undigested SELECT e.id FROM entries e INDEXED BY entries_report "
            f"WHERE e.deleted_at IS NULL AND {_MISSING}"
        )
        written, last = 0, -1
        while True:
            bound = self.conn.execute(
                "SELECT max(id) FROM (SELECT id FROM temp.undigested WHERE id > ? ORDER BY id LIMIT ?)",
                (last, FILL_BATCH),
            ).fetchone()[0]
            if bound is None:
                break
            with self.transaction() as conn:
                written += conn.execute(
                    f"""INSERT INTO entry_digests (entry_id, indicator_id, date_start, date, effect, digest)
                        SELECT e.id, e.indicator_id, e.date_start, e.date, e.effect, {digest_sql()} {_JOINED}
                        WHERE e.id IN (SELECT id FROM temp.undigested WHERE id > ? AND id <= ?)
                          AND e.deleted_at IS NULL AND {_MISSING}""",
                    (last, bound),
                ).rowcount
            last = bound
        self.conn.execute("DELETE FROM temp.undigested")
        return written

    def window_marks(
        self, indicator_id: int, since: str | None, until: str, *, stored: bool
    ) -> list[tuple[str, int, int]]:
        """(stored date, effect, entries) of an indicator's current entries in a window, in date order: from
        the digests (`stored`: an index range, complete only when every entry there has one), else from
        the entries."""
        table = "entry_digests" if stored else "entries"
        current = "" if stored else " AND deleted_at IS NULL"
        return [
            (row[0], row[1], row[2])  # as stored: what another tool wrote there is drawn as before
            for row in self.conn.execute(
                f"SELECT date, effect, count(*) FROM {table} WHERE {_window(since)}{current} "
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
        self, indicator_id: int, since: str | None, until: str, *, complete: bool, kept: bool = True
    ) -> Iterator[list[bytes]]:
        """The digests of an indicator's current entries in a window, a batch at a time, in the hash's
        order (first day, stored date, effect, digest: never a local id). `complete`: every one is stored,
        read from entry_digests_window in its order; else the missing ones are computed here and sorted in
        with the stored ones by SQLite's sorter (flat memory). Not `kept` (a newer version's, which may hash
        another line): every one is computed here, none read."""
        order = "ORDER BY date_start, date, effect, digest"
        sql = f"SELECT digest FROM entry_digests WHERE {_window(since)} {order}"
        params = _params(indicator_id, since, until)
        if not complete or not kept:
            hashing(self.conn)
            window = (
                _window(since).replace("indicator_id", "e.indicator_id").replace("date_start", "e.date_start")
            )
            computed = f"""SELECT e.date_start, e.date, e.effect, {digest_sql()} AS digest {_JOINED}
                           WHERE {window} AND e.deleted_at IS NULL"""
            if kept:
                stored = f"SELECT date_start, date, effect, digest FROM entry_digests WHERE {_window(since)}"
                computed = f"{stored} UNION ALL {computed} AND {_MISSING}"
                params = params * 2
            sql = f"SELECT digest FROM ({computed}) {order}"
        cursor = self.conn.cursor()
        cursor.row_factory = None
        cursor.execute(sql, params)
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
