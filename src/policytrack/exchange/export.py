"""Export: entries as records for CSV, JSON and JSONL, streamed, with spreadsheet-safe text.

A text cell a spreadsheet would run as a formula (leading = + - @, tab or carriage return) gets a leading
apostrophe, and so does a cell that already starts with one; `import` removes exactly one, so the round trip
is exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from policytrack.columns import EXPORT_FIELDS
from policytrack.entries import filter_sql
from policytrack.models import EntryFilter, Framework
from policytrack.store import Store
from policytrack.store.export import JSON_OBJECT_SQL, csv_line_sql


def _current(store: Store, frameworks: Sequence[Framework], flt: EntryFilter, select: str) -> Iterator[str]:
    """One SQL-built text per current entry, in id order, streamed (memory stays flat). The filters are
    checked at the call, so a bad one fails before anything is written."""
    queries = [filter_sql(fw, flt) for fw in frameworks]

    def texts() -> Iterator[str]:
        for where, params in queries:
            yield from store.entry_texts(select, where, params)

    return texts()


def csv_lines(
    store: Store, frameworks: Sequence[Framework], flt: EntryFilter, *, raw: bool = False
) -> Iterator[str]:
    """Current entries as finished CSV lines."""
    return _current(store, frameworks, flt, csv_line_sql(raw=raw))


# SQLite's json_object writes what json.dumps(record, ensure_ascii=False, separators=JSON_SEPARATORS) does
# (a test holds the two to the same bytes): compact, UTF-8 as it is, the same escapes.
JSON_SEPARATORS = (",", ":")


def json_texts(
    store: Store, frameworks: Sequence[Framework], flt: EntryFilter, *, all_revisions: bool = False
) -> Iterator[str]:
    """One JSON object (as text) per current entry, built by SQLite; with all_revisions, one per revision,
    tombstones included, built from export_records."""
    if not all_revisions:
        return _current(store, frameworks, flt, JSON_OBJECT_SQL)
    records = export_records(store, frameworks, flt, all_revisions=True)
    return (json.dumps(record, ensure_ascii=False, separators=JSON_SEPARATORS) for record in records)


def _record(entry_dict: dict[str, Any]) -> dict[str, Any]:
    return {name: entry_dict[name] for name in EXPORT_FIELDS}


def export_records(
    store: Store, frameworks: Sequence[Framework], flt: EntryFilter, *, all_revisions: bool = False
) -> Iterator[dict[str, Any]]:
    """One record per current entry, or with all_revisions one per revision, tombstones included; in id
    order, like csv_lines. Rows are read from a cursor as they are written: memory does not grow. The
    filters are checked at the call, so a bad one fails before anything is written."""
    if all_revisions:
        flt = EntryFilter(**{**flt.__dict__, "include_deleted": True})
    queries = [filter_sql(fw, flt) for fw in frameworks]

    def records() -> Iterator[dict[str, Any]]:
        for where, params in queries:
            if not all_revisions:
                for entry in store.query_entries(where, params, by_id=True):
                    yield _record(entry.as_dict())
                continue
            for rev in store.query_revisions(where, params):
                record = _record(rev.entry.as_dict())
                record.update(action=rev.action, changed_by=rev.changed_by, changed_at=rev.changed_at)
                yield record

    return records()


def jsonl_lines(texts: Iterator[str]) -> Iterator[str]:
    for text in texts:
        yield text + "\n"


def json_lines(texts: Iterator[str]) -> Iterator[str]:
    """A JSON array written element by element, so it streams like JSONL."""
    yield "["
    for i, text in enumerate(texts):
        yield ("\n  " if i == 0 else ",\n  ") + text
    yield "\n]\n"
