"""Export: entries as records for CSV, JSON and JSONL, streamed, with spreadsheet-safe text.

A text cell a spreadsheet would run as a formula (leading = + - @, tab or carriage return) gets a leading
apostrophe, and so does a cell that already starts with one; `import` removes exactly one, so the round trip
is exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from policytrack.evidence import EntryFilter, filter_sql
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


_QUOTE = "'"
# The code points of _FORMULA_START: unicode() reads the first character without copying the text.
_FORMULA_CODES = ", ".join(str(ord(c)) for c in _FORMULA_START)


def _neutralised_sql(expr: str) -> str:
    """The same rule as neutralise(), in SQL."""
    return f"CASE WHEN unicode({expr}) IN ({_FORMULA_CODES}) THEN '{_QUOTE * 2}' || {expr} ELSE {expr} END"


def _joined_sql(column: str) -> str:
    # json_each yields the list in order; the ordered subquery keeps that order through group_concat.
    return (
        f"CASE WHEN {column} = '[]' THEN '' ELSE (SELECT group_concat(value, '{LIST_SEPARATOR}') "
        f"FROM (SELECT value FROM json_each({column}) ORDER BY key)) END"
    )


_SQL_COLUMNS = {
    "id": "e.id",
    "uuid": "e.uuid",
    "framework": "f.name",
    "indicator": "i.key",
    "date": "e.date",
    "date_precision": "e.date_precision",
    "summary": "e.summary",
    "effect": "e.effect",
    "grade": "e.grade",
    "status": "e.status",
    "source": "e.source",
    "tags": _joined_sql("e.tags"),
    "actors": _joined_sql("e.actors"),
    "note": "e.note",
    "analyst": "e.analyst",
    "revision": "e.revision",
    "recorded_at": "e.recorded_at",
    "indicator_title": "i.title",
}


def csv_rows(
    store: Store, frameworks: Sequence[Framework], flt: EntryFilter, *, raw: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Current entries as CSV cells, built (and neutralised) in SQL and streamed from the cursor: this
    keeps export within a small factor of `sqlite3 -csv`, with flat memory. Rows come in id order (the
    order they were recorded): table order, where date order would cost a random read per row."""
    select = ", ".join(
        _SQL_COLUMNS[name] if raw or name not in TEXT_FIELDS else _neutralised_sql(_SQL_COLUMNS[name])
        for name in EXPORT_FIELDS
    )
    for fw in frameworks:
        where, params = filter_sql(fw, flt)
        yield from store.conn.execute(
            f"""SELECT {select} FROM entries e JOIN indicators i ON i.id = e.indicator_id
                JOIN frameworks f ON f.id = i.framework_id
                WHERE {" AND ".join(where)} ORDER BY e.id""",
            params,
        )


def _record(entry_dict: dict[str, Any]) -> dict[str, Any]:
    return {name: entry_dict[name] for name in EXPORT_FIELDS}


def export_records(
    store: Store, frameworks: Sequence[Framework], flt: EntryFilter, *, all_revisions: bool = False
) -> Iterator[dict[str, Any]]:
    """One record per current entry, or with all_revisions one per revision, tombstones included; in id
    order, like csv_rows. Rows are read from a cursor as they are written: memory does not grow."""
    for fw in frameworks:
        if not all_revisions:
            where, params = filter_sql(fw, flt)
            for entry in store.query_entries(where, params, by_id=True):
                yield _record(entry.as_dict())
            continue
        where, params = filter_sql(fw, EntryFilter(**{**flt.__dict__, "include_deleted": True}))
        for entry in store.query_entries(where, params, by_id=True):
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
