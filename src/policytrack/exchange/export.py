"""Export: entries as records for CSV, JSON and JSONL, streamed, with spreadsheet-safe text.

A text cell a spreadsheet would run as a formula (leading = + - @, tab or carriage return) gets a leading
apostrophe, and so does a cell that already starts with one; `import` removes exactly one, so the round trip
is exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from policytrack.domain.entries import filter_sql, listing
from policytrack.domain.status import timeline_values
from policytrack.records.columns import EXPORT_FIELDS, JSON_SEPARATORS
from policytrack.records.models import EntryFilter, Framework
from policytrack.store import Store
from policytrack.store.export import (
    ENTRY_JSON_DELETED_SQL,
    ENTRY_JSON_SQL,
    JSON_OBJECT_SQL,
    csv_line_sql,
    json_object_sql,
)


def _current(store: Store, frameworks: Sequence[Framework], flt: EntryFilter, select: str) -> Iterator[str]:
    """One SQL-built text per current entry, in the one order (records.entry.ORDER), streamed
    (memory stays flat). The filters are checked at the call, so a bad one fails before anything is
    written."""
    queries = [filter_sql(fw, flt) for fw in frameworks]

    def texts() -> Iterator[str]:
        for where, params in queries:
            yield from store.entry_texts(select, where, params)

    return texts()


def csv_lines(
    store: Store,
    frameworks: Sequence[Framework],
    flt: EntryFilter,
    *,
    raw: bool = False,
    fields: Sequence[str] = EXPORT_FIELDS,
) -> Iterator[str]:
    """Current entries as finished CSV lines (of the export's columns, or of `fields` among them)."""
    return _current(store, frameworks, flt, csv_line_sql(raw=raw, fields=fields))


def json_texts(
    store: Store,
    frameworks: Sequence[Framework],
    flt: EntryFilter,
    *,
    all_revisions: bool = False,
    fields: Sequence[str] = EXPORT_FIELDS,
) -> Iterator[str]:
    """One JSON object (as text) per current entry, built by SQLite, of the export's columns or of
    `fields` among them; with all_revisions, one per revision, tombstones included, built from
    export_records."""
    if not all_revisions:
        sql = JSON_OBJECT_SQL if fields == EXPORT_FIELDS else json_object_sql(fields)
        return _current(store, frameworks, flt, sql)
    records = export_records(store, frameworks, flt, all_revisions=True)
    return (json.dumps(record, ensure_ascii=False, separators=JSON_SEPARATORS) for record in records)


def _record(entry_dict: dict[str, Any]) -> dict[str, Any]:
    return {name: entry_dict[name] for name in EXPORT_FIELDS}


def export_records(
    store: Store, frameworks: Sequence[Framework], flt: EntryFilter, *, all_revisions: bool = False
) -> Iterator[dict[str, Any]]:
    """One record per current entry, or with all_revisions one per revision, tombstones included; in the
    one order, like csv_lines (revisions in store.entries.REVISION_ORDER). Rows are read from a cursor as
    they are written: memory does not grow. The filters are checked at the call, so a bad one fails before
    anything is written."""
    if all_revisions:
        flt = EntryFilter(**{**flt.__dict__, "include_deleted": True})
    queries = [filter_sql(fw, flt) for fw in frameworks]

    def records() -> Iterator[dict[str, Any]]:
        for where, params in queries:
            if not all_revisions:
                for entry in store.query_entries(where, params):
                    yield _record(entry.as_dict())
                continue
            for rev in store.query_revisions(where, params):
                record = _record(rev.entry.as_dict())
                record.update(action=rev.action, changed_by=rev.changed_by, changed_at=rev.changed_at)
                yield record

    return records()


def _built_select(fmt: str, *, deleted_at: bool = False) -> str:
    """The SQL that builds one entry as `list` writes it in the format fmt: an export CSV line, or the
    entry's JSON object (Entry.as_dict); with deleted_at, the tombstone's date last (`list --deleted`)."""
    if fmt == "csv":
        return csv_line_sql(raw=False, deleted_at=deleted_at)
    return ENTRY_JSON_DELETED_SQL if deleted_at else ENTRY_JSON_SQL


def list_texts(
    store: Store,
    fw: Framework | None,
    flt: EntryFilter,
    fmt: str,
    limit: int | None = None,
    *,
    deleted_at: bool = False,
) -> Iterator[str]:
    """`list` in the format fmt (csv, json, jsonl): one SQLite-built text per entry, in list order (the
    newest `limit`, oldest first), streamed. fw None: every framework's entries. With deleted_at, each
    ends with its tombstone's date (empty or null: current), as `list --deleted` writes."""
    where, params, limit = listing(fw, flt, limit)
    rows = store.entry_values(_built_select(fmt, deleted_at=deleted_at), where, params, limit)
    return (row[0] for row in rows)


def timeline_texts(
    store: Store, fw: Framework, key: str, fmt: str, since: date | None, until: date | None
) -> Iterator[str]:
    """`timeline` in the format fmt: list's text of each entry with its cumulative momentum and status
    change added (the last two CSV cells, or the last two JSON keys), streamed."""
    steps = timeline_values(store, fw, key, _built_select(fmt), since, until)
    if fmt == "csv":
        return (f"{text[:-2]},{total},{_csv_text(change)}\r\n" for text, total, change in steps)
    return (
        f'{text[:-1]},"cumulative_momentum":{total},"status_change":{json_value(change)}}}'
        for text, total, change in steps
    )


def json_value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=JSON_SEPARATORS)


def _csv_text(value: str | None) -> str:
    """A text cell as write_csv quotes it (None is an empty quoted cell)."""
    return '"' + (value or "").replace('"', '""') + '"'
