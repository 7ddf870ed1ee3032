"""The Store's record of changes for `undo` and `revert`: finding an analyst's latest change, reading the
state before it, and writing a reversal (a new revision plus a row in `reversals`) in one transaction.

A change is one of: an entry revision (ref = entry id, revision = its number), a target set (ref = the
targets row, revision 0), or a framework version loaded by `framework update` (ref = framework id,
revision = version). A change a teammate's file named in another analyst's name (sync_unbound) is never
offered. Reversals made by `undo` are not themselves undone by the next `undo`, and the changes
they undid are not offered again: a second `undo` steps further back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from policytrack.records.columns import ENTRY_COLUMNS
from policytrack.store.entries import StoreBase

_NOT_UNDONE = """NOT EXISTS (SELECT 1 FROM reversals x WHERE x.command = 'undo' AND x.kind = '{kind}'
                   AND ((x.undone_ref = {ref} AND x.undone_revision = {rev})
                        OR (x.made_ref = {ref} AND x.made_revision = {rev})))"""


class ChangeRows(StoreBase):
    """Reading changes and writing their reversals."""

    def latest_changes(self, analyst: str) -> list[sqlite3.Row]:
        """The analyst's latest change of each kind that undo may reverse, newest first (kind, ref, revision,
        action, changed_at). Imports and first loads of a framework are not offered."""
        entry = self.conn.execute(
            f"""SELECT 'entry' AS kind, r.entry_id AS ref, r.revision AS revision, r.action AS action,
                       r.changed_at AS changed_at
                FROM entry_revisions r INDEXED BY entry_revisions_by
                WHERE r.changed_by = ? AND r.action != 'import'
                  AND NOT EXISTS (SELECT 1 FROM sync_revisions s JOIN sync_unbound u
                                  ON u.event_id = s.event_id
                                  WHERE s.entry_id = r.entry_id AND s.revision = r.revision)
                  AND {_NOT_UNDONE.format(kind="entry", ref="r.entry_id", rev="r.revision")}
                ORDER BY r.changed_at DESC, r.rowid DESC LIMIT 1""",
            (analyst,),
        ).fetchone()
        target = self.conn.execute(
            f"""SELECT 'target' AS kind, t.id AS ref, 0 AS revision,
                       CASE WHEN t.level = '' THEN 'withdraw' ELSE 'set' END AS action, t.set_at AS changed_at
                FROM targets t WHERE t.set_by = ?
                  AND NOT EXISTS (SELECT 1 FROM sync_unbound u WHERE u.kind = 'target'
                                  AND u.named = t.set_by AND u.at = t.set_at)
                  AND {_NOT_UNDONE.format(kind="target", ref="t.id", rev="0")}
                ORDER BY t.id DESC LIMIT 1""",
            (analyst,),
        ).fetchone()
        framework = self.conn.execute(
            f"""SELECT 'framework' AS kind, v.framework_id AS ref, v.version AS revision, 'update' AS action,
                       v.loaded_at AS changed_at
                FROM framework_versions v WHERE v.loaded_by = ? AND v.version > 1
                  AND {_NOT_UNDONE.format(kind="framework", ref="v.framework_id", rev="v.version")}
                ORDER BY v.loaded_at DESC, v.rowid DESC LIMIT 1""",
            (analyst,),
        ).fetchone()
        # a decision on a candidate (issue 24) first: an accept's entry is written just before its decision
        decision = self.latest_decision_by(analyst)  # type: ignore[attr-defined]
        # a redaction is offered so that undo can refuse it (undo never brings redacted text back)
        redaction = self.conn.execute(
            """SELECT 'redaction' AS kind, e.id AS ref, 0 AS revision, r.field AS action, r.at AS changed_at
               FROM redactions r INDEXED BY redactions_by JOIN entries e ON e.uuid = r.entry
               WHERE r.by = ? ORDER BY r.at DESC LIMIT 1""",
            (analyst,),
        ).fetchone()
        found = [row for row in (decision, entry, target, framework, redaction) if row is not None]
        return sorted(found, key=lambda row: str(row["changed_at"]), reverse=True)

    def revision_row(self, entry_id: int, revision: int) -> sqlite3.Row | None:
        """One stored revision of an entry (its action, who, when, and every stored column), with whether
        the entry was deleted in that state (the latest delete or restore at or before it was a delete)."""
        row: sqlite3.Row | None = self.conn.execute(
            """SELECT r.*, (SELECT x.action FROM entry_revisions x WHERE x.entry_id = r.entry_id
                              AND x.revision <= r.revision AND x.action IN ('delete', 'restore')
                            ORDER BY x.revision DESC LIMIT 1) = 'delete' AS was_deleted
               FROM entry_revisions r WHERE r.entry_id = ? AND r.revision = ?""",
            (entry_id, revision),
        ).fetchone()
        return row

    def write_entry_reversal(
        self,
        entry_id: int,
        values: dict[str, Any],
        action: str,
        command: str,
        undone_revision: int,
        by: str,
        at: str,
    ) -> int:
        """Give an entry the stored `values` (and its tombstone, `deleted_at`) as a new revision, and record
        which revision that reverses; return the new revision's number."""
        stored = {k: v for k, v in values.items() if k in (*ENTRY_COLUMNS, "deleted_at")}
        with self.transaction() as conn:
            assignments = ", ".join(f"{c} = ?" for c in stored)
            conn.execute(
                f"UPDATE entries SET {assignments}, revision = revision + 1 WHERE id = ?",
                (*stored.values(), entry_id),
            )
            self.write_revision(conn, entry_id, action, by, at)
            (made,) = conn.execute("SELECT revision FROM entries WHERE id = ?", (entry_id,)).fetchone()
            self._record(conn, command, "entry", entry_id, undone_revision, entry_id, int(made), by, at)
        return int(made)

    def target_row(self, target_id: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            """SELECT t.*, i.key, (SELECT max(id) FROM targets x WHERE x.indicator_id = t.indicator_id)
                        AS latest_id,
                      (SELECT max(id) FROM targets x WHERE x.indicator_id = t.indicator_id AND x.id < t.id)
                        AS previous_id
               FROM targets t JOIN indicators i ON i.id = t.indicator_id WHERE t.id = ?""",
            (target_id,),
        ).fetchone()
        return row

    def target_ids_set_by(self, by: str, at: str) -> list[int]:
        """The targets rows written by `by` at `at` (a framework update's file targets), in order."""
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT id FROM targets WHERE set_by = ? AND set_at = ? ORDER BY id", (by, at)
            )
        ]

    def write_target_reversal(self, undone_id: int, values: dict[str, Any], by: str, at: str) -> int:
        """A new targets row with `values` (an empty level withdraws the target), recorded as undoing the
        row `undone_id`."""
        with self.transaction() as conn:
            cur = conn.execute(
                """INSERT INTO targets (indicator_id, level, start, due, due_end, note, set_by, set_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    values["indicator_id"],
                    values["level"],
                    values["start"],
                    values["due"],
                    values["due_end"],
                    values["note"],
                    by,
                    at,
                ),
            )
            made = int(cur.lastrowid or 0)
            self._record(conn, "undo", "target", undone_id, 0, made, 0, by, at)
        return made

    def framework_version_row(self, framework_id: int, version: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            """SELECT v.*, f.name, (SELECT max(version) FROM framework_versions x
                                    WHERE x.framework_id = v.framework_id) AS latest
               FROM framework_versions v JOIN frameworks f ON f.id = v.framework_id
               WHERE v.framework_id = ? AND v.version = ?""",
            (framework_id, version),
        ).fetchone()
        return row

    def record_framework_reversal(self, framework_id: int, undone: int, made: int, by: str, at: str) -> None:
        """Note that version `made` (already written, in the open transaction) undid version `undone`."""
        with self.transaction() as conn:
            self._record(conn, "undo", "framework", framework_id, undone, framework_id, made, by, at)

    def entry_reversals(self, entry_id: int) -> dict[int, tuple[str, int]]:
        """For each revision of the entry that an undo or a revert made: the command ("undo" or "revert")
        and the revision it undid or went back to."""
        return {
            int(made): (str(command), int(undone))
            for command, undone, made in self.conn.execute(
                """SELECT command, undone_revision, made_revision FROM reversals
                   WHERE kind = 'entry' AND made_ref = ?""",
                (entry_id,),
            )
        }

    def add_entry_reversals(self, rows: Iterable[tuple[int, str, int, int, str, str]]) -> None:
        """(entry id, command, undone revision, made revision, who, when) of each received revision of an
        entry that an undo or a revert made, in this database's numbers (inside the caller's
        transaction)."""
        self.conn.executemany(
            """INSERT INTO reversals (command, kind, undone_ref, undone_revision, made_ref, made_revision,
                                      changed_by, changed_at) VALUES (?, 'entry', ?, ?, ?, ?, ?, ?)""",
            (
                (command, entry_id, undone, entry_id, made, by, at)
                for entry_id, command, undone, made, by, at in rows
            ),
        )

    @staticmethod
    def _record(
        conn: sqlite3.Connection,
        command: str,
        kind: str,
        undone_ref: int,
        undone_revision: int,
        made_ref: int,
        made_revision: int,
        by: str,
        at: str,
    ) -> None:
        conn.execute(
            """INSERT INTO reversals (command, kind, undone_ref, undone_revision, made_ref, made_revision,
                                      changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (command, kind, undone_ref, undone_revision, made_ref, made_revision, by, at),
        )
