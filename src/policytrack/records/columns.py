"""An entry's columns, derived from its declaration (records.entry): the store, export, import, `list
--csv` and the row check take their lists from here; none of them types a field name list of its own.

Adding a field to an entry means: a Column in records/entry.py, a migration (store/migrations.py) that adds
it, the field on models.Entry (with its place in Entry.as_dict, the JSON order), and its rule in the row
check.
"""

from __future__ import annotations

from policytrack.records.entry import DELETED, DELETED_AT, ENTRY, REVERSAL, REVISION, Column
from policytrack.records.field import Kind

__all__ = ["COLUMNS", "REVISION_COLUMNS", "Column"]

COLUMNS: tuple[Column, ...] = tuple(c for c in ENTRY.fields if isinstance(c, Column))
REVISION_COLUMNS: tuple[Column, ...] = tuple(c for c in REVISION.fields if isinstance(c, Column))

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
# An entry returned to its author for changes (`review --request-changes`): set by the reviewer, cleared by
# the author's next edit.
RETURN_FIELDS = ("returned_by", "returned_at", "return_comment")
# What an import row must have, and may have besides the export's columns: a tombstone's date, or (as
# `list --deleted` writes in JSON) whether the entry is deleted.
REQUIRED = ("indicator", "date", "summary")
IMPORT_FIELDS = frozenset(EXPORT_FIELDS) | {DELETED_AT.name, DELETED.name}
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
    "language",
    "summary_translation",
    "summary_translation_language",
    "summary_translation_checked",
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
    "returned_by",
    "returned_at",
    "return_comment",
    "revision",
    "recorded_at",
    "deleted",
)
# The entry as `export entries` (and `list --csv`) writes it, with --all-revisions, and as JSON shows it.
EXPORTED = ENTRY.subset("exported entry", "An entry as `export entries` writes it.", EXPORT_FIELDS)
# The entry as `publish` writes it (entries.csv, entries.jsonl, the Data Package's schema): the export's
# public fields only (never what a field declares `public=False`), and never the entry's number in this
# database (`id`, not synced): a bundle published from any teammate's database that has synced
# the same commits is the same, byte for byte (issue 21).
PUBLISHED = EXPORTED.subset(
    "published entry",
    "An entry as `publish` writes it: its public fields.",
    tuple(n for n in EXPORTED.names(public=True) if n != "id"),
)
EXPORTED_REVISIONS = Kind(
    "exported revision",
    "One revision of an entry as `export entries --all-revisions` writes it.",
    (*EXPORTED.fields, *REVISION.fields),
)
_JSON_EXTRA = {DELETED.name: DELETED}
LISTED = Kind(
    "listed entry",
    "An entry as `list`, `show`, `timeline` and `history` write it in JSON.",
    tuple(ENTRY[n] if n in ENTRY else _JSON_EXTRA[n] for n in ENTRY_JSON_FIELDS),
)
LISTED_DELETED = Kind(
    "listed deleted entry", "An entry as `list --deleted` writes it.", (*LISTED.fields, DELETED_AT)
)
# What a revision stores that travels in sync (what names a revision across databases, with who made it
# and when): the stored columns but the local ids and what is derived here (the grade's weight).
SYNCED_COLUMNS = tuple(c.name for c in COLUMNS if c.stored and c.synced)
# A revision of an entry as `policytrack sync` sends it: the entry's synced fields (its indicator by
# framework and key, its registered sources by key; the outlet's key is called via_key there, as the first
# sync files wrote it), the change that made it, and whether it left the entry deleted. `revision` is the
# revision's number as its author's database numbered it.
SYNCED_REVISION = Kind(
    "synced revision",
    "One revision of an entry as sync sends it.",
    (
        *(c.renamed("via_key") if c.name == "via" else c for c in COLUMNS if c.synced),
        *REVISION_COLUMNS,
        DELETED_AT,
        *REVERSAL,
    ),
)
# What a spreadsheet runs as a formula at the start of a free-text cell, and the apostrophe that marks one
# escaped: export puts an apostrophe before such text, import removes exactly one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def restore_neutralised(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text
