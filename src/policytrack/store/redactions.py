"""Redactions (records/redaction.py): the rows of the rule, and the text of one field of an entry taken out
of the entry, every revision of it and the search index."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from functools import cache
from typing import Any

from policytrack.records.columns import LIST_FIELDS
from policytrack.store.entries import StoreBase, marks

# records/redaction.py is imported where it is used, so that `log` never loads it.


@cache
def _columns() -> tuple[str, ...]:
    from policytrack.records.redaction import REDACTION

    return REDACTION.stored()


def marker_of(field: str) -> str:
    """What a redacted field stores: the marker (a list of it for a list field)."""
    from policytrack.records.redaction import MARKER

    return json.dumps([MARKER]) if field in LIST_FIELDS else MARKER


def _holds(field: str) -> str:
    """SQL: the field holds text (not empty, not already the marker)."""
    return f"{field} IS NOT NULL AND {field} NOT IN ('', '[]', ?)"


class RedactionRows(StoreBase):
    """Reading and writing redactions."""

    def add_redaction(self, values: dict[str, Any]) -> bool:
        """Store a redaction (one already held is kept as it is); True if it is new here."""
        columns = _columns()
        cur = self.conn.execute(
            f"INSERT OR IGNORE INTO redactions ({', '.join(columns)}) VALUES ({marks(columns)})",
            tuple(values[c] for c in columns),
        )
        return cur.rowcount > 0

    def redaction_rows(self, entry: str | None = None) -> list[sqlite3.Row]:
        """Every redaction held (of one entry, by its uuid), oldest first."""
        where, args = ("WHERE entry = ?", (entry,)) if entry is not None else ("", ())
        return self.conn.execute(
            f"SELECT {', '.join(_columns())} FROM redactions {where} ORDER BY at, uuid", args
        ).fetchall()

    def redactions_of(self, entries: Sequence[str]) -> dict[str, list[sqlite3.Row]]:
        """The redactions held of each of these entries (by uuid) that has any: uuid, field, by."""
        found: dict[str, list[sqlite3.Row]] = {}
        for start in range(0, len(entries), 500):
            chunk = entries[start : start + 500]
            for row in self.conn.execute(
                f"SELECT entry, uuid, field, by FROM redactions WHERE entry IN ({marks(chunk)})", chunk
            ):
                found.setdefault(row["entry"], []).append(row)
        return found

    def drop_redaction(self, uuid: str) -> None:
        """Forget a redaction that turned out not to be its author's to make (sync.redactions)."""
        self.conn.execute("DELETE FROM redactions WHERE uuid = ?", (uuid,))

    def holders(self, entry_id: int, field: str) -> set[str]:
        """Who wrote a revision of the entry in which the field holds text (the marker counts: it held
        text once)."""
        from policytrack.records.redaction import REDACTABLE

        if field not in REDACTABLE:
            raise ValueError(field)
        rows = self.conn.execute(
            f"""SELECT DISTINCT changed_by FROM entry_revisions
                WHERE entry_id = ? AND {field} IS NOT NULL AND {field} NOT IN ('', '[]')""",
            (entry_id,),
        )
        return {row[0] for row in rows}

    def redact_text(self, entry_id: int, field: str) -> int:
        """Put the marker in place of the field's text in the entry and every revision of it, and purge the
        search index of it (in the caller's transaction); the number of rows changed."""
        from policytrack.records.redaction import REDACTABLE

        if field not in REDACTABLE:
            raise ValueError(field)
        marker = marker_of(field)
        # freed pages are zeroed, so the text does not linger in the file's free space
        self.conn.execute("PRAGMA secure_delete = ON")
        changed = self.conn.execute(
            f"UPDATE entries SET {field} = ? WHERE id = ? AND {_holds(field)}", (marker, entry_id, marker)
        ).rowcount
        changed += self.conn.execute(
            f"UPDATE entry_revisions SET {field} = ? WHERE entry_id = ? AND {_holds(field)}",
            (marker, entry_id, marker),
        ).rowcount
        return changed

    def purge_search_index(self) -> None:
        """Merge the search index's segments, so text deleted from it (by a redaction) is gone from its
        pages too, not only marked deleted."""
        self.conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
