"""The Store's rows for the rest of the shared record sync carries besides entries: every version of a
registered source seen in the repository (sync_sources), the stubs of sources a teammate's entry cited
before their registration arrived (sync_stubs), what each target's author had seen (sync_targets), and
each analyst's display name (analysts)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import cache
from typing import Any

from policytrack.records.source import SOURCE
from policytrack.store.entries import StoreBase, marks

# The registry's columns a source version carries: its synced fields but merged_into, which the table
# holds as the id of the source it leads to and a version says as that source's key.
SOURCE_STATE = tuple(n for n in SOURCE.names(synced=True) if n != SOURCE["merged_into"].name)


# The targets' declaration (records/target.py) is read on first use: `log` never loads it.
@cache
def synced_target_columns() -> tuple[str, ...]:
    """What a target row stores that travels (not its indicator's local id)."""
    from policytrack.records.target import TARGET

    return tuple(n for n in TARGET.stored() if TARGET[n].synced)


@cache
def _targets() -> str:
    return f"""SELECT t.id, f.name AS framework, i.key AS indicator,
       {", ".join(f"t.{c}" for c in synced_target_columns())},
       coalesce(st.seen, (SELECT count(*) FROM targets x
                          WHERE x.indicator_id = t.indicator_id AND x.id < t.id)) AS seen
FROM targets t JOIN indicators i ON i.id = t.indicator_id JOIN frameworks f ON f.id = i.framework_id
LEFT JOIN sync_targets st ON st.target_id = t.id"""


class SharedRows(StoreBase):
    """What sync reads and writes of sources, targets and analysts, inside its own transactions."""

    # -- sources -------------------------------------------------------------------------------

    def source_states(self) -> list[sqlite3.Row]:
        """Every registered source with the key it was merged into, and whether it is a stub."""
        return self.conn.execute(
            f"""SELECT {", ".join(f"s.{c}" for c in SOURCE_STATE)}, m.key AS merged_into,
                       s.id, s.id IN (SELECT source_id FROM sync_stubs) AS stub
                FROM sources s LEFT JOIN sources m ON m.id = s.merged_into ORDER BY s.key"""
        ).fetchall()

    def source_versions(self, keys: Sequence[str] | None = None) -> list[sqlite3.Row]:
        """Versions of sources seen in (or sent to) the repository, each with whether it was sent."""
        where = "" if keys is None else f"WHERE key IN ({marks(keys)})"
        return self.conn.execute(
            # a lookup per version, not `IN (SELECT ...)`, which builds an index of every event first
            f"""SELECT event_id, key, seen, line,
                       EXISTS (SELECT 1 FROM sync_events e WHERE e.event_id = sync_sources.event_id) AS sent
                FROM sync_sources {where} ORDER BY key, seen, event_id""",
            list(keys or ()),
        ).fetchall()

    def add_source_versions(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """(event id, key, seen, line) of source versions."""
        self.conn.executemany("INSERT OR IGNORE INTO sync_sources VALUES (?, ?, ?, ?)", rows)

    def put_source_state(self, state: dict[str, Any]) -> int:
        """A source as a version says it (its merge aside): updated in place where the key is registered
        (a stub is one no longer), else added. Returns its id."""
        row = self.conn.execute("SELECT id FROM sources WHERE key = ?", (state["key"],)).fetchone()
        values = [state[c] for c in SOURCE_STATE]
        if row is None:
            cur = self.conn.execute(
                f"INSERT INTO sources ({', '.join(SOURCE_STATE)}) VALUES ({marks(SOURCE_STATE)})", values
            )
            return int(cur.lastrowid or 0)
        taken = self.conn.execute(
            "SELECT 1 FROM sources WHERE uuid = ? AND id <> ?", (state["uuid"], row[0])
        ).fetchone()
        columns = [c for c in SOURCE_STATE if not (c == "uuid" and taken)]
        self.conn.execute(
            f"UPDATE sources SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            (*(state[c] for c in columns), row[0]),
        )
        self.conn.execute("DELETE FROM sync_stubs WHERE source_id = ?", (row[0],))
        return int(row[0])

    def set_source_leads(self, leads: dict[str, str | None]) -> None:
        """Where each of these keys leads (the key at the end of its merges; None: to itself), and every
        source merged into one of them follows it to where it leads (a registry holds no chains)."""
        ids = {str(key): int(i) for key, i in self.conn.execute("SELECT key, id FROM sources")}
        for key, end in leads.items():
            if key in ids:
                self.conn.execute(
                    "UPDATE sources SET merged_into = ? WHERE id = ?",
                    (ids.get(end) if end else None, ids[key]),
                )
        for _step in range(len(ids)):  # a source merged here alone, into a key that now leads on
            moved = self.conn.execute(
                """UPDATE sources SET merged_into = (SELECT m.merged_into FROM sources m
                                                     WHERE m.id = sources.merged_into)
                   WHERE merged_into IN (SELECT id FROM sources WHERE merged_into IS NOT NULL)
                   AND merged_into <> id"""
            ).rowcount
            if not moved:
                break
        self.conn.execute("UPDATE sources SET merged_into = NULL WHERE merged_into = id")

    def insert_stub_source(self, uuid: str, key: str, at: str) -> int:
        cur = self.conn.execute(
            """INSERT INTO sources (uuid, key, name, created_at, changed_at) VALUES (?, ?, ?, ?, ?)""",
            (uuid, key, key, at, at),
        )
        source_id = int(cur.lastrowid or 0)
        self.conn.execute("INSERT INTO sync_stubs VALUES (?)", (source_id,))
        return source_id

    def drop_stub_marks(self, source_ids: Sequence[int]) -> None:
        self.conn.executemany("DELETE FROM sync_stubs WHERE source_id = ?", ((i,) for i in source_ids))

    # -- targets ---------------------------------------------------------------------------------

    def all_target_rows(self) -> list[sqlite3.Row]:
        """Every target, with how many of its indicator's targets its author had seen (sync.kinds)."""
        return self.conn.execute(_targets() + " ORDER BY t.id").fetchall()

    def target_rows_of(self, framework: str, indicator: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            _targets() + " WHERE f.name = ? AND i.key = ? ORDER BY seen, t.set_at, t.id",
            (framework, indicator),
        ).fetchall()

    def has_target(self, indicator_id: int, values: Sequence[str]) -> bool:
        same = " AND ".join(f"{c} = ?" for c in synced_target_columns())
        row = self.conn.execute(
            f"SELECT 1 FROM targets WHERE indicator_id = ? AND {same}", (indicator_id, *values)
        ).fetchone()
        return row is not None

    def insert_target_row(self, indicator_id: int, values: Sequence[str], seen: int | None) -> None:
        """A teammate's target; `seen` as its author's database counted (None: an older policytrack's
        line, which did not say: the targets this database holds of the indicator)."""
        cur = self.conn.execute(
            f"""INSERT INTO targets (indicator_id, {", ".join(synced_target_columns())})
                VALUES (?, {marks(synced_target_columns())})""",
            (indicator_id, *values),
        )
        if seen is not None:
            self.conn.execute("INSERT INTO sync_targets VALUES (?, ?)", (cur.lastrowid, seen))

    def target_conflict_rows(self) -> list[sqlite3.Row]:
        """Targets of one indicator that saw as many others (set apart), with no later one, oldest first."""
        from policytrack.records.target import TARGET_SET

        return self.conn.execute(
            f"""WITH t AS ({_targets()})
                SELECT t.* FROM t
                WHERE t.seen = (SELECT max(x.seen) FROM t x WHERE x.framework = t.framework
                                AND x.indicator = t.indicator)
                AND (SELECT count(DISTINCT {" || char(0) || ".join(f"x.{c}" for c in TARGET_SET.names())})
                     FROM t x WHERE x.framework = t.framework AND x.indicator = t.indicator
                     AND x.seen = t.seen) > 1
                ORDER BY t.framework, t.indicator, t.set_at, t.set_by"""
        ).fetchall()

    # -- forecasts --------------------------------------------------------------------------------

    def sync_forecast_rows(self) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT fc.*, i.key AS indicator, f.name AS framework FROM forecasts fc
               JOIN indicators i ON i.id = fc.indicator_id JOIN frameworks f ON f.id = i.framework_id
               ORDER BY fc.id"""
        ).fetchall()

    def earlier_withdrawal(self, uuid: str, at: str, by: str) -> bool:
        """A withdrawal made apart from this database's own: the earlier is kept everywhere."""
        cur = self.conn.execute(
            """UPDATE forecasts SET withdrawn_at = ?, withdrawn_by = ?
               WHERE uuid = ? AND (withdrawn_at, coalesce(withdrawn_by, '')) > (?, ?)""",
            (at, by, uuid, at, by),
        )
        return cur.rowcount > 0

    # -- analysts ---------------------------------------------------------------------------------

    def analyst_rows(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT name, display_name, set_at FROM analysts ORDER BY name").fetchall()

    def put_analyst(self, name: str, display_name: str, set_at: str) -> bool:
        """An analyst's display name, if this one is later (then name) than the one held; True if kept."""
        cur = self.conn.execute(
            """INSERT INTO analysts VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE
               SET display_name = excluded.display_name, set_at = excluded.set_at
               WHERE (excluded.set_at, excluded.display_name) > (analysts.set_at, analysts.display_name)""",
            (name, display_name, set_at),
        )
        return cur.rowcount > 0

    def display_names(self) -> dict[str, str]:
        return {str(r[0]): str(r[1]) for r in self.conn.execute("SELECT name, display_name FROM analysts")}
