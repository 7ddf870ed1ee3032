"""An entry (one piece of evidence) and a revision of it (the state a change left, who made it and when),
declared once. records.columns derives the store's SQL, export's columns and import's known fields from it.

Each entry field is a `Column`: a Field with the SQL expression that reads it (over the aliases e for
entries, i indicators, f frameworks, s and v sources), whether `entries` stores it (log, edit and import write
it and every revision copies it) and whether `export entries` carries it.
"""

from __future__ import annotations

from policytrack.core.dates import PRECISIONS
from policytrack.records.field import (
    LANGUAGE_PATTERN,
    OPTIONAL_LANGUAGE_PATTERN,
    UNDETERMINED,
    Column,
    Field,
    Kind,
)

__all__ = ["DELETED", "DELETED_AT", "ENTRY", "REVERSAL", "REVISION", "Column"]

_LANGUAGES = "m022_languages"


# In export order (the CSV header and the JSON keys of `export entries`).
ENTRY = Kind(
    "entry",
    "One piece of evidence for an indicator, at its current revision.",
    (
        Column(
            "id",
            "integer",
            "The entry's short id in this database (what show, edit and delete take; not the same in a "
            "teammate's database: uuid is).",
            "e.id",
            synced=False,
            minimum=1,
        ),
        Column("uuid", "uuid", "The entry's stable id across databases (what import matches on).", "e.uuid"),
        Column(
            "framework",
            "key",
            "The framework (a paper's recommendations or risks) the entry is evidence for.",
            "f.name",
        ),
        Column(
            "indicator_id",
            "integer",
            "The indicator's id in this database.",
            "e.indicator_id",
            stored=True,
            exported=False,
            public=False,
            synced=False,
        ),
        Column("indicator", "key", "The indicator's key within the framework.", "i.key"),
        Column(
            "date",
            "date",
            "When it happened, as precisely as known: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD.",
            "e.date",
            stored=True,
        ),
        Column(
            "date_start",
            "date",
            "The first day of the date's period (what the date sorts and filters by).",
            "e.date_start",
            stored=True,
            exported=False,
        ),
        Column(
            "date_precision",
            "text",
            "How precise the date is: day, month, quarter or year.",
            "e.date_precision",
            stored=True,
            choices=PRECISIONS,
        ),
        Column("summary", "text", "What happened, in a sentence.", "e.summary", stored=True, free_text=True),
        Column(
            "effect",
            "integer",
            "Effect on the indicator, from -2 (strongly hinders) to +2 (strongly advances); 0 is context. "
            "For a risk, +2 means the risk strongly grows.",
            "e.effect",
            stored=True,
            minimum=-2,
            maximum=2,
        ),
        Column(
            "grade",
            "text",
            "Admiralty code: source reliability A-F then information credibility 1-6 (empty: not graded).",
            "e.grade",
            stored=True,
            nullable=True,
            pattern=r"^[A-F][1-6]$",
        ),
        Column(
            "status",
            "key",
            "The status level this entry assesses the indicator at (empty: it is not an assessment).",
            "e.status",
            stored=True,
            nullable=True,
        ),
        Column(
            "source",
            "text",
            "URL or citation of the evidence, as typed.",
            "e.source",
            stored=True,
            free_text=True,
        ),
        Column(
            "source_id",
            "integer",
            "The registered source's id in this database.",
            "e.source_id",
            stored=True,
            exported=False,
            public=False,
            synced=False,
            nullable=True,
            since="m007_sources_events",
        ),
        Column(
            "source_key",
            "key",
            "The key of the registered source the evidence comes from (empty: none registered).",
            "s.key",
            nullable=True,
            default=None,
            since="m007_sources_events",
        ),
        Column(
            "via_id",
            "integer",
            "The registered outlet's id in this database.",
            "e.via_id",
            stored=True,
            exported=False,
            public=False,
            synced=False,
            nullable=True,
            since="m007_sources_events",
        ),
        Column(
            "via",
            "key",
            "The key of the registered outlet it came through (empty: none).",
            "v.key",
            nullable=True,
            default=None,
            since="m007_sources_events",
        ),
        Column(
            "event",
            "text",
            "The event it is part of: the entries of one event, logged against several indicators at once, "
            "share it (empty: none).",
            "e.event",
            stored=True,
            nullable=True,
            default=None,
            since="m007_sources_events",
        ),
        Column(
            "weight",
            "number",
            "The grade's weight in weighted momentum (derived from the grade).",
            "e.weight",
            stored=True,
            exported=False,
            synced=False,
            since="m007_sources_events",
        ),
        Column(
            "language",
            "text",
            "The language the summary is written in, a BCP 47 tag such as fr or en-GB (und: not said).",
            "e.language",
            stored=True,
            default=UNDETERMINED,
            pattern=LANGUAGE_PATTERN,
            since=_LANGUAGES,
        ),
        Column(
            "summary_translation",
            "text",
            "The summary translated into another language, beside the original (empty: none).",
            "e.summary_translation",
            stored=True,
            free_text=True,
            default="",
            since=_LANGUAGES,
        ),
        Column(
            "summary_translation_language",
            "text",
            "The language of the translated summary, a BCP 47 tag (empty: no translation).",
            "e.summary_translation_language",
            stored=True,
            default="",
            pattern=OPTIONAL_LANGUAGE_PATTERN,
            since=_LANGUAGES,
        ),
        Column(
            "summary_translation_checked",
            "boolean",
            "Whether a person checked the translated summary against the original.",
            "e.summary_translation_checked",
            stored=True,
            default=False,
            since=_LANGUAGES,
        ),
        Column("tags", "list", "Tags, joined with '; '.", "e.tags", stored=True, free_text=True),
        Column(
            "actors", "list", "Actors involved, joined with '; '.", "e.actors", stored=True, free_text=True
        ),
        Column(
            "signals",
            "list",
            "The keys of the indicator's signals (signposts) it observes, joined with '; '.",
            "e.signals",
            stored=True,
            default=[],
            since="m009_signals",
        ),
        Column("note", "text", "The analyst's longer note.", "e.note", stored=True, free_text=True),
        Column("analyst", "text", "Who logged it.", "e.analyst", stored=True, free_text=True),
        Column(
            "reviewed_by",
            "text",
            "Who reviewed it (empty: not reviewed).",
            "e.reviewed_by",
            stored=True,
            free_text=True,
            nullable=True,
            default=None,
            since="m009_reviews",
            actor=("reviewed_at", "changed_at"),
        ),
        Column(
            "reviewed_at",
            "datetime",
            "When it was reviewed (UTC; empty: not reviewed).",
            "e.reviewed_at",
            stored=True,
            nullable=True,
            default=None,
            since="m009_reviews",
        ),
        Column(
            "returned_by",
            "text",
            "Who returned it to its author for changes (empty: not returned; the author's next edit "
            "clears it).",
            "e.returned_by",
            stored=True,
            free_text=True,
            public=False,
            nullable=True,
            default=None,
            since="m013_returned_entries",
            actor=("returned_at", "changed_at"),
        ),
        Column(
            "returned_at",
            "datetime",
            "When it was returned to its author for changes (UTC; empty: not returned).",
            "e.returned_at",
            stored=True,
            public=False,
            nullable=True,
            default=None,
            since="m013_returned_entries",
        ),
        Column(
            "return_comment",
            "text",
            "What the reviewer asks its author to change (empty: not returned).",
            "e.return_comment",
            stored=True,
            free_text=True,
            public=False,
            nullable=True,
            default=None,
            since="m013_returned_entries",
        ),
        Column(
            "revision",
            "integer",
            "How many times the entry was written (1: never edited).",
            "e.revision",
            minimum=1,
        ),
        Column("recorded_at", "datetime", "When it was first recorded (UTC).", "e.recorded_at"),
        Column(
            "indicator_title",
            "text",
            "The indicator's title.",
            "i.title",
            free_text=True,
            synced=False,
        ),
    ),
)

# What `export entries --all-revisions` adds to each row: the change that made the revision.
REVISION = Kind(
    "revision",
    "One state of an entry: what a change left, who made it and when.",
    (
        Column(
            "action",
            "text",
            "What made this revision: create, edit, delete, restore or import.",
            "r.action",
            choices=("create", "edit", "delete", "restore", "import"),
        ),
        Column("changed_by", "text", "Who made the revision.", "r.changed_by", free_text=True, actor=True),
        Column("changed_at", "datetime", "When the revision was made (UTC).", "r.changed_at"),
    ),
)

# What sync sends beside a revision that an undo or a revert made (absent from every other revision's line,
# which keeps its bytes): the command, and the revision it undid or went back to, named as every database
# names a revision (its author's number for it and its time; a local number differs between databases).
# Not stored as columns: the receiver keeps it as a row of `reversals`, in its own numbers.
_REVERSAL_LINES = "m026_entry_digests"  # the schema of the release whose lines first carried it
REVERSAL = Kind(
    "reversal",
    "What an undo or a revert made of a revision, as sync sends it.",
    (
        Field(
            "reversal",
            "text",
            "The command that made the revision: undo or revert (empty: neither).",
            nullable=True,
            default=None,
            choices=("undo", "revert"),
            since=_REVERSAL_LINES,
        ),
        Field(
            "reversal_revision",
            "integer",
            "The revision it undid or went back to, as its author numbered it (empty: neither).",
            nullable=True,
            default=None,
            minimum=1,
            since=_REVERSAL_LINES,
        ),
        Field(
            "reversal_changed_at",
            "datetime",
            "When the revision it undid or went back to was made (UTC; empty: neither).",
            nullable=True,
            default=None,
            since=_REVERSAL_LINES,
        ),
    ),
)

# Fields that records of entries carry in some outputs but that are not columns of the export.
DELETED = Field("deleted", "boolean", "Whether the entry is deleted (a tombstone).", synced=False)
DELETED_AT = Field(
    "deleted_at",
    "datetime",
    "When the entry was deleted (UTC; empty: it is current).",
    nullable=True,
    default=None,
)

# The published view (current_entries) names each entry's registered source and outlet beside their keys.
SOURCE_NAME = Field(
    "source_name",
    "text",
    "The name of the registered source the evidence comes from (empty: none registered).",
    free_text=True,
    synced=False,
    nullable=True,
    default=None,
    since="m011_one_order_and_sources_view",
)
VIA_NAME = Field(
    "via_name",
    "text",
    "The name of the registered outlet it came through (empty: none).",
    free_text=True,
    synced=False,
    nullable=True,
    default=None,
    since="m011_one_order_and_sources_view",
)
# What a table or the brief shows of a registered source besides its key and name: its web address (linked
# in the HTML brief when it is http(s)). Read with the entry, never exported or stored with it.
SOURCE_URL = Field(
    "source_url",
    "text",
    "The web address of the registered source the evidence comes from (empty: none).",
    free_text=True,
    synced=False,
    nullable=True,
    default=None,
    since="m007_sources_events",
)
# The registered source's and outlet's fields an entry is read with (over the aliases s and v of
# store.entries.LINK_JOINS), for the tables and the brief.
SOURCE_SHOWN = ((SOURCE_NAME, "s.name"), (VIA_NAME, "v.name"), (SOURCE_URL, "s.url"))
# The text of the published view that its full-text search finds: what the entry says and where it came
# from, registered sources by key and name included.
SEARCHED = ("summary", "note", "source", "source_key", SOURCE_NAME.name, "via", VIA_NAME.name)
# What a plain-text listing of every row reads of each entry, as a tuple in this order (store.entry_tuples):
# `list` piped (render.entries.entries_plain) and `timeline` piped (render.report.timeline_plain), each
# cell made from its column with no Entry built per row.
PLAIN_LISTED = (
    "id", "deleted_at", "uuid", "date", "framework", "indicator", "effect", "grade", "status", "tags",
    "summary", "source_key", "source_name", "via", "via_name", "source",
)  # fmt: skip
PLAIN_TIMELINE = (
    "date", "id", "uuid", "effect", "grade", "status", "summary", "source_key", "source_name", "via",
    "via_name", "source",
)  # fmt: skip
# The one order of entries and assessments (README, "How the report decides"): the observed date (its first
# day), the time the entry was recorded (UTC), the analyst, the uuid. Never a local id, so two databases
# holding the same entries list, export and assess them the same way.
ORDER = ("date_start", "recorded_at", "analyst", "uuid")
# What Datasette offers to filter the published entries by (facets): fields of few values.
FACETS = ("framework", "indicator", "effect", "grade", "status", "analyst")
# The `$EDITOR` form of `log` and `edit --editor`, in order; the note is last (it may run over lines).
FORM = ENTRY.subset(
    "entry form",
    "What an analyst writes of an entry in the editor.",
    (
        "summary",
        "date",
        "effect",
        "grade",
        "status",
        "source",
        "source_key",
        "via",
        "tags",
        "actors",
        "language",
        "summary_translation",
        "summary_translation_language",
        "summary_translation_checked",
        "note",
    ),
)
# The option that sets a form field whose option is named otherwise (the rest: the field's name, dashed).
FORM_OPTIONS = {
    "summary_translation": "translation",
    "summary_translation_language": "translation-language",
    "summary_translation_checked": "checked",
}
# What `history`, `undo` and `revert` show of a change, in order: every field a change can alter that a
# person reads (a change of registered source or outlet, or of event, included).
CHANGES = ENTRY.subset(
    "entry change",
    "What a change of an entry can alter, as history, undo and revert show it.",
    (
        "indicator",
        "date",
        "summary",
        "effect",
        "grade",
        "status",
        "source",
        "source_key",
        "via",
        "event",
        "note",
        "tags",
        "actors",
        "analyst",
        "signals",
        "reviewed_by",
        "returned_by",
        "return_comment",
        "language",
        "summary_translation",
        "summary_translation_language",
        "summary_translation_checked",
    ),
)
# An entry's language and its translated summary (issue 23): what `log --language`/`--translation` set.
LANGUAGE_FIELDS = ENTRY.subset(
    "entry language",
    "The language of an entry's summary and its translation.",
    ("language", "summary_translation", "summary_translation_language", "summary_translation_checked"),
)
# What the import row check reads as one text cell each (lists, links and numbers have their own rules).
ROW_TEXT = ENTRY.subset(
    "entry row text",
    "The text cells of an import row.",
    ("indicator", "summary", "date", "source", "status", "grade", "note", "analyst"),
)
