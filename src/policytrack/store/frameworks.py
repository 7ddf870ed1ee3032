"""The Store's framework rows: frameworks, their scales and indicators, and every version loaded."""

from __future__ import annotations

import json
import sqlite3

from policytrack.records.models import Framework, Indicator, Signal, Source, StatusLevel, numbered_signal
from policytrack.store.entries import StoreBase


def _signals(row: sqlite3.Row) -> tuple[Signal, ...]:
    """An indicator's signals with their keys; one stored before keys existed (its signals column still
    '[]') numbers its text lists by place, as the framework parser does."""
    # no signals column before m009_signals (a Row's `in` looks at values, hence keys())
    stored = json.loads(row["signals"]) if "signals" in row.keys() else []  # noqa: SIM118
    if stored:
        return tuple(Signal(**sig) for sig in stored)
    return tuple(
        numbered_signal(direction, place, text)
        for direction in ("progress", "regression")
        for place, text in enumerate(json.loads(row[f"{direction}_signals"]), start=1)
    )


def read_framework(conn: sqlite3.Connection, name: str) -> Framework | None:
    """The framework `name` read through any connection, a read-only one included (shell completion):
    it only reads, so it works on a database of an older schema as on the current one."""
    conn.row_factory = sqlite3.Row
    reader = FrameworkRows()
    reader.conn = conn
    return reader.framework(name)


class FrameworkRows(StoreBase):
    """Reading and writing frameworks (written only through policytrack.domain.frameworks.install)."""

    def framework_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM frameworks ORDER BY id")]

    def save_framework(self, fw: Framework, definition: str, loaded_at: str) -> int:
        """Insert or update a framework and its indicators (used only by the framework loader)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM frameworks WHERE name = ?", (fw.name,)).fetchone()
            values = (
                fw.title,
                fw.description,
                fw.source.title,
                fw.source.author,
                fw.source.outlet,
                fw.source.url,
                fw.source.note,
                fw.default_status,
                definition,
                loaded_at,
            )
            if row is None:
                cur = conn.execute(
                    """INSERT INTO frameworks (title, description, source_title, source_author,
                       source_outlet, source_url, source_note, default_status, definition,
                       loaded_at, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (*values, fw.name),
                )
                framework_id = int(cur.lastrowid or 0)
            else:
                framework_id = int(row[0])
                conn.execute(
                    """UPDATE frameworks SET title = ?, description = ?, source_title = ?,
                       source_author = ?, source_outlet = ?, source_url = ?, source_note = ?,
                       default_status = ?, definition = ?, loaded_at = ? WHERE id = ?""",
                    (*values, framework_id),
                )
            conn.execute("DELETE FROM status_levels WHERE framework_id = ?", (framework_id,))
            conn.executemany(
                """INSERT INTO status_levels (framework_id, rank, name, label, percent, description)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                [(framework_id, lv.rank, lv.name, lv.label, lv.percent, lv.description) for lv in fw.scale],
            )
            for ind in fw.indicators:
                conn.execute(
                    """INSERT INTO indicators (framework_id, key, number, title, description, kind,
                       actors, progress_signals, regression_signals, baseline, baseline_source,
                       baseline_status, signals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (framework_id, key) DO UPDATE SET number = excluded.number,
                       title = excluded.title, description = excluded.description,
                       kind = excluded.kind, actors = excluded.actors,
                       progress_signals = excluded.progress_signals,
                       regression_signals = excluded.regression_signals,
                       baseline = excluded.baseline, baseline_source = excluded.baseline_source,
                       baseline_status = excluded.baseline_status, signals = excluded.signals""",
                    (
                        framework_id,
                        ind.key,
                        ind.number,
                        ind.title,
                        ind.description,
                        ind.kind,
                        json.dumps(list(ind.actors)),
                        json.dumps(list(ind.progress_signals)),
                        json.dumps(list(ind.regression_signals)),
                        ind.baseline,
                        ind.baseline_source,
                        ind.baseline_status,
                        json.dumps([vars(sig) for sig in ind.signals], ensure_ascii=False),
                    ),
                )
        return framework_id

    def add_framework_version(
        self, framework_id: int, loaded_at: str, sha256: str, definition: str, loaded_by: str = ""
    ) -> int:
        with self.transaction() as conn:
            (last,) = conn.execute(
                "SELECT coalesce(max(version), 0) FROM framework_versions WHERE framework_id = ?",
                (framework_id,),
            ).fetchone()
            conn.execute(
                """INSERT INTO framework_versions (framework_id, version, loaded_at, sha256, definition,
                   loaded_by) VALUES (?, ?, ?, ?, ?, ?)""",
                (framework_id, last + 1, loaded_at, sha256, definition, loaded_by),
            )
        return int(last) + 1

    def framework_definition(self, name: str) -> str:
        """The framework file's text as its current version was loaded."""
        row = self.conn.execute("SELECT definition FROM frameworks WHERE name = ?", (name,)).fetchone()
        return "" if row is None else str(row[0])

    def framework_versions(self, framework_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            """SELECT version, loaded_at, sha256 FROM framework_versions
               WHERE framework_id = ? ORDER BY version""",
            (framework_id,),
        ).fetchall()

    def evidence_counts(self, framework_id: int) -> dict[str, int]:
        """Entries per indicator key, deleted ones included (they can be restored)."""
        return {
            r[0]: r[1]
            for r in self.conn.execute(
                """SELECT i.key, count(e.id) FROM indicators i LEFT JOIN entries e ON e.indicator_id = i.id
                   WHERE i.framework_id = ? GROUP BY i.id""",
                (framework_id,),
            )
        }

    def history_counts(self, framework_id: int) -> dict[str, int]:
        """Per indicator key, the entries whose history names it (an entry moved to another indicator
        still has revisions that point here), and the targets and forecasts ever set for it: what removing it
        would lose."""
        return {
            r[0]: r[1]
            for r in self.conn.execute(
                """SELECT i.key, (SELECT count(DISTINCT r.entry_id) FROM entry_revisions r
                                  WHERE r.indicator_id = i.id)
                               + (SELECT count(*) FROM targets t WHERE t.indicator_id = i.id)
                               + (SELECT count(*) FROM forecasts fc WHERE fc.indicator_id = i.id)
                   FROM indicators i WHERE i.framework_id = ?""",
                (framework_id,),
            )
        }

    def levels_in_use(self, framework_id: int) -> set[str]:
        """Status levels named by any entry (deleted ones included), any earlier revision of one, or any
        target or forecast of the framework."""
        return {
            r[0]
            for r in self.conn.execute(
                """SELECT e.status FROM entries e JOIN indicators i ON i.id = e.indicator_id
                   WHERE i.framework_id = ? AND e.status IS NOT NULL
                   UNION SELECT r.status FROM entry_revisions r JOIN indicators i ON i.id = r.indicator_id
                   WHERE i.framework_id = ? AND r.status IS NOT NULL
                   UNION SELECT t.level FROM targets t JOIN indicators i ON i.id = t.indicator_id
                   WHERE i.framework_id = ? AND t.level != ''
                   UNION SELECT fc.level FROM forecasts fc JOIN indicators i ON i.id = fc.indicator_id
                   WHERE i.framework_id = ?""",
                (framework_id, framework_id, framework_id, framework_id),
            )
        }

    def remove_indicators(self, framework_id: int, keys: list[str]) -> None:
        """Remove indicators that have neither entries nor targets (the caller checks: both are history)."""
        with self.transaction() as conn:
            for key in keys:
                conn.execute("DELETE FROM indicators WHERE framework_id = ? AND key = ?", (framework_id, key))

    def framework(self, name: str) -> Framework | None:
        row = self.conn.execute("SELECT * FROM frameworks WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        scale = tuple(
            StatusLevel(r["name"], r["label"], r["percent"], r["rank"], r["description"])
            for r in self.conn.execute(
                "SELECT * FROM status_levels WHERE framework_id = ? ORDER BY rank", (row["id"],)
            )
        )
        indicators = tuple(
            Indicator(
                id=r["id"],
                key=r["key"],
                number=r["number"],
                title=r["title"],
                description=r["description"],
                kind=r["kind"],
                actors=tuple(json.loads(r["actors"])),
                progress_signals=tuple(json.loads(r["progress_signals"])),
                regression_signals=tuple(json.loads(r["regression_signals"])),
                baseline=r["baseline"],
                baseline_source=r["baseline_source"],
                baseline_status=r["baseline_status"],
                signals=_signals(r),
            )
            for r in self.conn.execute(
                "SELECT * FROM indicators WHERE framework_id = ? ORDER BY number", (row["id"],)
            )
        )
        return Framework(
            id=row["id"],
            name=row["name"],
            title=row["title"],
            description=row["description"],
            source=Source(
                title=row["source_title"],
                author=row["source_author"],
                outlet=row["source_outlet"],
                url=row["source_url"],
                note=row["source_note"],
            ),
            scale=scale,
            indicators=indicators,
            default_status=row["default_status"],
        )
