"""Export: entries as records for CSV, JSON and JSONL, streamed, with spreadsheet-safe text.

A text cell a spreadsheet would run as a formula (leading = + - @, tab or carriage return) gets a leading
apostrophe, and so does a cell that already starts with one; `import` removes exactly one, so the round trip
is exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from policytrack.evidence import EntryFilter, list_entries
from policytrack.models import Framework
from policytrack.store import Store

EXPORT_FIELDS = (
    "id",
    "uuid",
    "framework",
    "indicator",
    "date",
    "date_precision",
    "summary",
    "effect",
    "grade",
    "status",
    "source",
    "tags",
    "actors",
    "note",
    "analyst",
    "revision",
    "recorded_at",
    "indicator_title",
)
REVISION_FIELDS = (*EXPORT_FIELDS, "action", "changed_by", "changed_at")
# Columns of free text: the ones a spreadsheet could mistake for a formula.
TEXT_FIELDS = frozenset(
    {"indicator_title", "summary", "note", "source", "tags", "actors", "analyst", "changed_by"}
)
LIST_SEPARATOR = "; "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def restore_neutralised(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def csv_cells(record: dict[str, Any], fields: Sequence[str], *, raw: bool = False) -> list[str]:
    cells = []
    for name in fields:
        value = record[name]
        if isinstance(value, list):
            value = LIST_SEPARATOR.join(value)
        text = "" if value is None else str(value)
        cells.append(text if raw or name not in TEXT_FIELDS else neutralise(text))
    return cells


def _record(entry_dict: dict[str, Any]) -> dict[str, Any]:
    return {name: entry_dict[name] for name in EXPORT_FIELDS}


def export_records(
    store: Store, frameworks: Sequence[Framework], flt: EntryFilter, *, all_revisions: bool = False
) -> Iterator[dict[str, Any]]:
    """One record per current entry (oldest first), or with all_revisions one per revision, tombstones
    included. Rows are read from a cursor as they are written: memory does not grow with the data."""
    for fw in frameworks:
        if not all_revisions:
            for entry in list_entries(store, fw, flt):
                yield _record(entry.as_dict())
            continue
        wanted = EntryFilter(**{**flt.__dict__, "include_deleted": True})
        for entry in list_entries(store, fw, wanted):
            for rev in store.revisions(entry.id):
                record = _record(rev.entry.as_dict())
                record.update(action=rev.action, changed_by=rev.changed_by, changed_at=rev.changed_at)
                yield record


def jsonl_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def json_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A JSON array written element by element, so it streams like JSONL."""
    yield "["
    for i, record in enumerate(records):
        yield ("\n  " if i == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"
