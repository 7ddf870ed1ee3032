"""An entry's columns, defined once: name, kind, SQL expression, and whether it is stored, exported and free
text. The store, export, import, `list --csv` and the row check derive their lists from COLUMNS.

Adding a field to an entry means: a Column here, a migration (store/migrations.py) that adds it, the field
on models.Entry (with its place in Entry.as_dict, the JSON order), and its rule in the row check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["number", "text", "list"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    sql: str  # over the aliases e (entries), i (indicators), f (frameworks), s and v (sources)
    stored: bool = False  # a column of `entries` that log, edit and import write (and history keeps)
    exported: bool = True  # in `export entries`, `list --csv` and what import reads
    free_text: bool = False  # typed by people: a spreadsheet could take it for a formula


# In export order (the CSV header and the JSON keys of export entries).
COLUMNS = (
    Column("id", "number", "e.id"),
    Column("uuid", "text", "e.uuid"),
    Column("framework", "text", "f.name"),
    Column("indicator_id", "number", "e.indicator_id", stored=True, exported=False),
    Column("indicator", "text", "i.key"),
    Column("date", "text", "e.date", stored=True),
    Column("date_start", "text", "e.date_start", stored=True, exported=False),
    Column("date_precision", "text", "e.date_precision", stored=True),
    Column("summary", "text", "e.summary", stored=True, free_text=True),
    Column("effect", "number", "e.effect", stored=True),
    Column("grade", "text", "e.grade", stored=True),
    Column("status", "text", "e.status", stored=True),
    Column("source", "text", "e.source", stored=True, free_text=True),
    # Evidence links (issue 13): the registered originator (s) and outlet (v), the event, the grade's weight.
    Column("source_id", "number", "e.source_id", stored=True, exported=False),
    Column("source_key", "text", "s.key"),
    Column("via_id", "number", "e.via_id", stored=True, exported=False),
    Column("via", "text", "v.key"),
    Column("event", "text", "e.event", stored=True),
    Column("weight", "number", "e.weight", stored=True, exported=False),
    Column("tags", "list", "e.tags", stored=True, free_text=True),
    Column("actors", "list", "e.actors", stored=True, free_text=True),
    Column("signals", "list", "e.signals", stored=True),  # keys of the indicator's signals it observes
    Column("note", "text", "e.note", stored=True, free_text=True),
    Column("analyst", "text", "e.analyst", stored=True, free_text=True),
    Column("reviewed_by", "text", "e.reviewed_by", stored=True, free_text=True),  # None: not reviewed
    Column("reviewed_at", "text", "e.reviewed_at", stored=True),
    Column("revision", "number", "e.revision"),
    Column("recorded_at", "text", "e.recorded_at"),
    Column("indicator_title", "text", "i.title", free_text=True),
)
# What `export entries --all-revisions` adds to each row: the change that made the revision.
REVISION_COLUMNS = (
    Column("action", "text", "r.action"),
    Column("changed_by", "text", "r.changed_by", free_text=True),
    Column("changed_at", "text", "r.changed_at"),
)

BY_NAME = {c.name: c for c in (*COLUMNS, *REVISION_COLUMNS)}
# The values an entry row stores: log, edit and import write these, and every revision copies them.
ENTRY_COLUMNS = tuple(c.name for c in COLUMNS if c.stored)
EXPORT_FIELDS = tuple(c.name for c in COLUMNS if c.exported)
REVISION_FIELDS = (*EXPORT_FIELDS, *(c.name for c in REVISION_COLUMNS))
TEXT_FIELDS = frozenset(c.name for c in BY_NAME.values() if c.free_text)
INT_FIELDS = frozenset(c.name for c in COLUMNS if c.kind == "number" and c.exported)
LIST_FIELDS = frozenset(c.name for c in COLUMNS if c.kind == "list")
# The review of an entry: set by `review`, cleared by an edit of anything else.
REVIEW_FIELDS = ("reviewed_by", "reviewed_at")
# What an import row must have, and may have besides the export's columns: a tombstone's date, or (as
# `list --deleted` writes in JSON) whether the entry is deleted.
REQUIRED = ("indicator", "date", "summary")
IMPORT_FIELDS = frozenset(EXPORT_FIELDS) | {"deleted_at", "deleted"}
# How a list column (tags, actors) is written as one text cell, in CSV and in lists shown to people.
LIST_SEPARATOR = "; "
# Compact JSON, UTF-8 as it is: what SQLite's json_object writes for `export entries`, and what every JSON
# record writer (render.formats) writes with json's C encoder.
JSON_SEPARATORS = (",", ":")
# An entry's JSON form (models.Entry.as_dict, in this key order): `list`, `show`, `timeline` and `history`
# write it; `export entries` writes the export's columns instead.
ENTRY_JSON_FIELDS = (
    "id",
    "uuid",
    "framework",
    "indicator",
    "indicator_title",
    "date",
    "date_precision",
    "summary",
    "note",
    "source",
    "source_key",
    "via",
    "event",
    "effect",
    "status",
    "grade",
    "tags",
    "actors",
    "signals",
    "analyst",
    "reviewed_by",
    "reviewed_at",
    "revision",
    "recorded_at",
    "deleted",
)
# What a spreadsheet runs as a formula at the start of a free-text cell, and the apostrophe that marks one
# escaped: export puts an apostrophe before such text, import removes exactly one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def restore_neutralised(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text
