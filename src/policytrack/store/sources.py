"""The Store's source registry: registered sources, their links from entries, and what the registry
lists (use counts, grades, the free-text sources worth registering)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from policytrack.records.source import SOURCE
from policytrack.store.entries import StoreBase, marks

if TYPE_CHECKING:
    from policytrack.records.listed import SourceRecord

_FIELDS = SOURCE.stored()


def _record(row: sqlite3.Row) -> SourceRecord:
    from policytrack.records.listed import SourceRecord  # here: log links no source unless asked (start-up)

    return SourceRecord(**{k: row[k] for k in row.keys()})  # noqa: SIM118 (sqlite3.Row has no iteration)


class SourceRows(StoreBase):
    """Sources and the entries that cite them."""

    def source_rows(self, *, merged: bool = False) -> list[SourceRecord]:
        where = "" if merged else "WHERE merged_into IS NULL"
        return [_record(r) for r in self.conn.execute(f"SELECT * FROM sources {where} ORDER BY key")]

    def source_by_key(self, key: str) -> SourceRecord | None:
        row = self.conn.execute("SELECT * FROM sources WHERE key = ?", (key,)).fetchone()
        return None if row is None else _record(row)

    def cited_sources(self, where: Sequence[str], params: Sequence[Any]) -> list[SourceRecord]:
        """The registered sources the entries matching all `where` clauses (over aliases e, i, f) cite, as
        their originator or the outlet they came via, by key."""
        cited = (
            "SELECT {column} FROM entries e JOIN indicators i ON i.id = e.indicator_id "
            "JOIN frameworks f ON f.id = i.framework_id" + (" WHERE " + " AND ".join(where) if where else "")
        )
        sql = (
            f"SELECT * FROM sources WHERE id IN ({cited.format(column='e.source_id')}) "
            f"OR id IN ({cited.format(column='e.via_id')}) ORDER BY key"
        )
        return [_record(row) for row in self.conn.execute(sql, [*params, *params])]

    def source_by_id(self, source_id: int) -> SourceRecord:
        return _record(self.conn.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone())

    def sources_by_host(self, host: str) -> list[SourceRecord]:
        return [
            _record(r)
            for r in self.conn.execute(
                "SELECT * FROM sources WHERE host <> '' AND merged_into IS NULL AND host = ?", (host,)
            )
        ]

    def insert_source(self, values: dict[str, Any], at: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                f"INSERT INTO sources ({', '.join(_FIELDS)}, created_at, changed_at) "
                f"VALUES ({marks(_FIELDS)}, ?, ?)",
                (*(values[k] for k in _FIELDS), at, at),
            )

    def update_source(self, source_id: int, values: dict[str, Any], at: str) -> None:
        with self.transaction() as conn:
            sets = ", ".join(f"{k} = ?" for k in values)
            conn.execute(
                f"UPDATE sources SET {sets}, changed_at = ? WHERE id = ?", (*values.values(), at, source_id)
            )

    def merge_source(self, old: int, new: int, by: str, at: str) -> int:
        """Every entry citing `old` (as originator or outlet) cites `new`, each as a new revision; `old`
        stays, marked as merged into `new`. Returns the entries changed."""
        with self.transaction() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM entries WHERE source_id = ? OR via_id = ? ORDER BY id", (old, old)
                )
            ]
            for entry_id in ids:
                conn.execute(
                    """UPDATE entries SET
                         source_id = CASE WHEN source_id = ?1 THEN ?2 ELSE source_id END,
                         via_id = CASE WHEN via_id = ?1 THEN (CASE WHEN source_id IN (?1, ?2) THEN NULL
                                  ELSE ?2 END) ELSE via_id END,
                         revision = revision + 1
                       WHERE id = ?3""",
                    (old, new, entry_id),
                )
                self.write_revision(conn, entry_id, "edit", by, at)
            conn.execute("UPDATE sources SET merged_into = ?, changed_at = ? WHERE id = ?", (new, at, old))
            conn.execute("UPDATE sources SET merged_into = ? WHERE merged_into = ?", (new, old))
        return len(ids)

    def leading_to(self, ids: Sequence[int]) -> list[int]:
        """These sources and every source merged into one of them: the keys an entry may cite them by (an
        entry logged apart keeps a key merged since; the registry holds no chains, a merged source names
        the one it leads to)."""
        if not ids:
            return []
        found = self.conn.execute(
            f"SELECT id FROM sources WHERE merged_into IN ({marks(ids)}) ORDER BY id", list(ids)
        )
        return list(dict.fromkeys([*ids, *(int(r[0]) for r in found)]))

    def citing(self, source_id: int) -> tuple[list[str], list[int]]:
        """The conditions (and their parameters) of `query_entries` for the current entries citing a
        source as originator or outlet, by its key or by a key merged into it."""
        keys = self.leading_to([source_id])
        where = f"(e.source_id IN ({marks(keys)}) OR e.via_id IN ({marks(keys)}))"
        return [where, "e.deleted_at IS NULL"], [*keys, *keys]

    def source_use(self) -> list[sqlite3.Row]:
        """Per registered originator (an entry citing a merged key counted under the source it leads to)
        and analyst: current entries, graded ones, and those on the A1/B2/C3 diagonal."""
        return self.conn.execute(
            """SELECT coalesce(s.merged_into, e.source_id) AS source_id, e.analyst, count(*) AS n,
                      count(e.grade) AS graded, sum(e.grade IN ('A1', 'B2', 'C3')) AS diagonal
               FROM entries e JOIN sources s ON s.id = e.source_id
               WHERE e.deleted_at IS NULL
               GROUP BY coalesce(s.merged_into, e.source_id), e.analyst"""
        ).fetchall()

    def analyst_grades(self) -> list[sqlite3.Row]:
        """Per analyst, over every current graded entry: graded ones and those on the diagonal."""
        return self.conn.execute(
            """SELECT analyst, count(*) AS graded, sum(grade IN ('A1', 'B2', 'C3')) AS diagonal
               FROM entries WHERE deleted_at IS NULL AND grade IS NOT NULL
               GROUP BY analyst ORDER BY analyst"""
        ).fetchall()

    def free_text_sources(self, at_least: int) -> list[sqlite3.Row]:
        """Free-text sources of current entries cited at least `at_least` times, the most cited first."""
        return self.conn.execute(
            """SELECT source, count(*) AS n FROM entries
               WHERE deleted_at IS NULL AND source_id IS NULL AND source <> ''
               GROUP BY source HAVING count(*) >= ? ORDER BY n DESC, source""",
            (at_least,),
        ).fetchall()

    def sources_of(self, ids: Sequence[int]) -> dict[int, SourceRecord]:
        if not ids:
            return {}
        return {
            r["id"]: _record(r)
            for r in self.conn.execute(f"SELECT * FROM sources WHERE id IN ({marks(ids)})", list(ids))
        }

    def event_entry_ids(self, event: str) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM entries WHERE event = ? AND deleted_at IS NULL ORDER BY id", (event,)
            )
        ]

    def same_entries(self, indicator_id: int, date_start: str, date: str) -> list[sqlite3.Row]:
        """Current entries of an indicator with this stored date (a duplicate's candidates): one seek."""
        return self.conn.execute(
            "SELECT id, summary FROM entries WHERE indicator_id = ? AND date_start = ? AND date = ? "
            "AND deleted_at IS NULL ORDER BY id",
            (indicator_id, date_start, date),
        ).fetchall()
