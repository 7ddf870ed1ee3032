"""The Store's report queries: status inputs (assessments, evidence dates), the one window aggregate, and
targets. Each is an index seek or a covering-index range (entries_report, entries_sources,
entries_assessments); the brief's content hash and charts' marks are store.digests'."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from policytrack.records.entry import ORDER as ENTRY_ORDER
from policytrack.store.entries import StoreBase, marks, order_by

# What the status rule (domain.status) reads of an assessment: its level, stored date and its place in
# the one order.
_ASSESSMENT = f"status, date, {', '.join(ENTRY_ORDER)}"


def latest_target_sql(alias: str, *, set_before: bool = False) -> str:
    """The id of the current target of the indicator of the targets row `alias`: the latest set (with
    `set_before`, the latest set before the time its `?` parameter gives)."""
    # by when each was set, not the order rows arrived: a target synced from a teammate (sync.py) may
    # arrive after a later one set here, and every database must agree on the current one
    before = "AND x.set_at < ?" if set_before else ""
    return f"""(SELECT x.id FROM targets x WHERE x.indicator_id = {alias}.indicator_id {before}
                ORDER BY x.set_at DESC, x.id DESC LIMIT 1)"""


class ReportRows(StoreBase):
    """Aggregates over current (not deleted) entries, by indicator id and a date window."""

    def evidence_counts_until(self, indicator_ids: Sequence[int], cutoff: str) -> dict[int, int]:
        """Current entries per indicator dated (their first day) on or before `cutoff`."""
        return {
            row[0]: row[1]
            for row in self.conn.execute(
                f"""SELECT indicator_id, count(*) FROM entries
                    WHERE {self.current} AND date_start <= ? AND indicator_id IN ({marks(indicator_ids)})
                    GROUP BY indicator_id""",
                (cutoff, *indicator_ids),
            )
        }

    def latest_assessment(self, indicator_id: int, cutoff: str) -> sqlite3.Row | None:
        """The last entry with a status on or before `cutoff` in the one order (its `status`, `date` and
        ENTRY_ORDER's columns): one seek in entries_assessments, which holds that order."""
        row: sqlite3.Row | None = self.conn.execute(
            f"""SELECT {_ASSESSMENT} FROM entries WHERE indicator_id = ? AND {self.current}
               AND status IS NOT NULL AND date_start <= ? ORDER BY {order_by("", descending=True)} LIMIT 1""",
            (indicator_id, cutoff),
        ).fetchone()
        return row

    def assessments(self, indicator_id: int, cutoff: str) -> list[sqlite3.Row]:
        """Every assessment (as latest_assessment gives it) on or before `cutoff`, in the one order."""
        return self.conn.execute(
            f"""SELECT {_ASSESSMENT} FROM entries WHERE {self.current} AND status IS NOT NULL
               AND indicator_id = ? AND date_start <= ? ORDER BY {order_by("")}""",
            (indicator_id, cutoff),
        ).fetchall()

    def last_evidence(self, indicator_id: int, cutoff: str) -> str | None:
        """The stored date of the last current entry on or before `cutoff` in the one order: a seek, then
        the entries of that one day."""
        row = self.conn.execute(
            f"""SELECT date FROM entries WHERE indicator_id = ? AND {self.current} AND date_start <= ?
               ORDER BY {order_by("", descending=True)} LIMIT 1""",
            (indicator_id, cutoff),
        ).fetchone()
        return None if row is None else str(row[0])

    def first_evidence(self, indicator_ids: Sequence[int], cutoff: str) -> str | None:
        """The first day of the earliest current entry on or before `cutoff`."""
        row = self.conn.execute(
            f"SELECT min(date_start) FROM entries WHERE {self.current} "
            f"AND indicator_id IN ({marks(indicator_ids)}) AND date_start <= ?",
            (*indicator_ids, cutoff),
        ).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def window_totals(
        self, indicator_ids: Sequence[int], since: str, until: str, *, by_month: bool = False
    ) -> Iterator[sqlite3.Row]:
        """The one window aggregate: per indicator, and per registered originator `source_id` (NULL for
        entries without one) or per month with by_month: the entries `n`, advancing `adv`, hindering
        `hind`, context `ctx`, `momentum` (sum of effects) and `weighted` momentum (the stored grade
        weight), and per originator the distinct non-empty free-text `texts` of entries with none. Per
        originator it reads entries_sources in index order (a range of dates in each group, no sort);
        months are a prefix of the date, the cheapest key: callers roll them up into quarters and years."""
        key = "substr(date_start, 1, 7) AS month" if by_month else "source_id"
        texts = (
            ""
            if by_month
            else ", count(DISTINCT CASE WHEN source_id IS NULL AND source <> '' THEN source END) AS texts"
        )
        return self.conn.execute(
            f"""SELECT indicator_id, {key}, count(*) AS n, sum(effect > 0) AS adv,
                  sum(effect < 0) AS hind, sum(effect = 0) AS ctx, sum(effect) AS momentum,
                  sum(effect * weight) AS weighted{texts}
                FROM entries
                WHERE {self.current} AND indicator_id IN ({marks(indicator_ids)})
                  AND date_start >= ? AND date_start <= ?
                GROUP BY indicator_id, {"month" if by_month else "source_id"}""",
            (*indicator_ids, since, until),
        )

    # -- targets ---------------------------------------------------------------------------------

    def insert_target(
        self, indicator_id: int, level: str, start: str, due: str, due_end: str, note: str, by: str, at: str
    ) -> None:
        """A new target row; earlier ones stay as its history."""
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO targets (indicator_id, level, start, due, due_end, note, set_by, set_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (indicator_id, level, start, due, due_end, note, by, at),
            )

    def target_rows(
        self, indicator_ids: Sequence[int], *, history: bool = False, set_before: str = "\uffff"
    ) -> list[sqlite3.Row]:
        """The latest target of each indicator, or every target ever set, in the order they were set; only
        those set before `set_before` (an ISO time: what was known then)."""
        latest = f"AND t.id = {latest_target_sql('t', set_before=True)}"
        return self.conn.execute(
            f"""SELECT * FROM targets t WHERE t.indicator_id IN ({marks(indicator_ids)}) AND t.set_at < ?
                {"" if history else latest} ORDER BY t.set_at, t.id""",
            [*indicator_ids, set_before, *([] if history else [set_before])],
        ).fetchall()

    def publish_analysts(self, frameworks: Sequence[str], cutoff: str) -> list[str]:
        """Who recorded the current entries of these frameworks dated on or before `cutoff`, by name."""
        return [
            r[0]
            for r in self.conn.execute(
                f"""SELECT DISTINCT e.analyst FROM entries e JOIN indicators i ON i.id = e.indicator_id
                    JOIN frameworks f ON f.id = i.framework_id WHERE e.deleted_at IS NULL
                    AND e.analyst != '' AND e.date_start <= ? AND f.name IN ({marks(frameworks)})
                    ORDER BY e.analyst""",
                (cutoff, *frameworks),
            )
        ]
