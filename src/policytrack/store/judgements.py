"""The Store's queries for judgements: which entries observe which signals, and each analyst's latest
assessment of each indicator."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from policytrack.records.entry import ORDER as ENTRY_ORDER
from policytrack.store.entries import StoreBase, marks, order_by

# An entry's signals as a JSON array even if another tool wrote something else into the column.
_SIGNALS = "json_each(CASE WHEN json_valid(e.signals) THEN e.signals ELSE '[]' END)"


class JudgementRows(StoreBase):
    def signal_observations(self, indicator_ids: Sequence[int], since: str, until: str) -> list[sqlite3.Row]:
        """(indicator_id, signal, id, date, source) of every current entry dated in the window that
        observes a signal, oldest first."""
        return self.conn.execute(
            f"""SELECT entries.indicator_id, j.value AS signal, entries.id, entries.date, entries.source
                FROM entries, {_SIGNALS.replace("e.", "entries.")} j
                WHERE entries.{self.current} AND entries.signals <> '[]'
                AND entries.indicator_id IN ({marks(indicator_ids)})
                AND entries.date_start >= ? AND entries.date_start <= ?
                ORDER BY {order_by("entries")}""",
            (*indicator_ids, since, until),
        ).fetchall()

    def signals_in_use(self, framework_id: int) -> set[tuple[str, str]]:
        """(indicator key, signal key) of every signal an entry of the framework observes, or observed in
        an earlier revision (deleted entries included)."""
        return {
            (r[0], r[1])
            for r in self.conn.execute(
                f"""SELECT i.key, j.value FROM entries e JOIN indicators i ON i.id = e.indicator_id,
                    {_SIGNALS} j WHERE i.framework_id = ?
                    UNION SELECT i.key, j.value FROM entry_revisions e
                    JOIN indicators i ON i.id = e.indicator_id, {_SIGNALS} j WHERE i.framework_id = ?""",
                (framework_id, framework_id),
            )
        }

    def latest_by_analyst(self, indicator_ids: Sequence[int], since: str, until: str) -> list[sqlite3.Row]:
        """(indicator_id, status, date and ENTRY_ORDER's columns, the analyst among them): each analyst's
        last current assessment of each indicator dated in the window, in the one order, by indicator and
        analyst."""
        columns = f"indicator_id, status, date, {', '.join(ENTRY_ORDER)}"
        return self.conn.execute(
            f"""SELECT {columns} FROM (
                    SELECT {columns}, row_number() OVER (
                        PARTITION BY indicator_id, analyst ORDER BY {order_by("", descending=True)}) AS n
                    FROM entries INDEXED BY entries_assessments WHERE {self.current} AND status IS NOT NULL
                    AND indicator_id IN ({marks(indicator_ids)}) AND date_start >= ? AND date_start <= ?)
                WHERE n = 1 ORDER BY indicator_id, analyst""",
            (*indicator_ids, since, until),
        ).fetchall()
