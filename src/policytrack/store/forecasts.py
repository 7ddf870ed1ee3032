"""The Store's forecast rows: written once, withdrawn (never deleted), merged by uuid on import."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import cache
from typing import Any

from policytrack.store.entries import StoreBase, marks


@cache
def forecast_columns() -> tuple[str, ...]:
    """The columns a forecast stores, in the order import and insert write them (the declaration is read
    on first use: `log` never loads it)."""
    from policytrack.records.forecast import FORECAST

    return FORECAST.stored()


class ForecastRows(StoreBase):
    def insert_forecast(self, values: dict[str, Any]) -> int:
        with self.transaction() as conn:
            return self._insert_forecast(conn, values)

    def _insert_forecast(self, conn: sqlite3.Connection, values: dict[str, Any]) -> int:
        columns = forecast_columns()
        cur = conn.execute(
            f"INSERT INTO forecasts ({', '.join(columns)}) VALUES ({marks(columns)})",
            tuple(values.get(c) for c in columns),
        )
        return int(cur.lastrowid or 0)

    def withdraw_forecast(self, forecast_id: int, by: str, at: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                """UPDATE forecasts SET withdrawn_at = ?, withdrawn_by = ?
                   WHERE id = ? AND withdrawn_at IS NULL""",
                (at, by, forecast_id),
            )

    def forecast_rows(
        self, indicator_ids: Sequence[int], analysts: Sequence[str] = (), ids: Sequence[int] = ()
    ) -> list[sqlite3.Row]:
        """Forecasts on these indicators, oldest first (by the date made, then when recorded and uuid: the
        same order in every database)."""
        where = [f"indicator_id IN ({marks(indicator_ids)})"]
        params: list[Any] = list(indicator_ids)
        if analysts:
            where.append(f"analyst IN ({marks(analysts)})")
            params.extend(analysts)
        if ids:
            where.append(f"id IN ({marks(ids)})")
            params.extend(ids)
        return self.conn.execute(
            f"SELECT * FROM forecasts WHERE {' AND '.join(where)} ORDER BY made_on, recorded_at, uuid", params
        ).fetchall()

    def forecast_by_uuid(self, uuid: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM forecasts WHERE uuid = ?", (uuid,)
        ).fetchone()
        return row

    def merge_forecast(self, values: dict[str, Any]) -> str:
        """One imported forecast, inside the caller's transaction: 'added', 'updated' (a withdrawal this
        database did not have) or 'unchanged'."""
        local = self.forecast_by_uuid(values["uuid"])
        if local is None:
            self._insert_forecast(self.conn, values)
            return "added"
        if local["withdrawn_at"] is None and values.get("withdrawn_at"):
            self.conn.execute(
                "UPDATE forecasts SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ?",
                (values["withdrawn_at"], values.get("withdrawn_by") or "", local["id"]),
            )
            return "updated"
        return "unchanged"
