"""A redaction: one free-text field of one entry taken out of every revision of it, for good, with who did
it, when and why. The store's `redactions` table, `redact`, `history` and sync's lines derive from it."""

from __future__ import annotations

from policytrack.records.entry import ENTRY
from policytrack.records.field import Column, Kind

_SINCE = "m019_redactions"

# What a redacted field holds from then on, in every revision and every line (fixed: the same bytes in
# every database; shown translated).
MARKER = "[redacted]"

# What `redact` may take out: the text people type about the evidence (the free-text fields the entries
# table stores), not the names of who logged, reviewed or returned it, which say who may redact and bind
# sync's lines (the analyst, and each field that names who acted).
_WHO = frozenset({"analyst", *(f.name for f in ENTRY.actors())})
REDACTABLE = tuple(n for n in ENTRY.stored() if ENTRY[n].free_text and n not in _WHO)
# A field whose text another field restates in another language: redacting it takes that one out too (the
# site and the brief show a summary's translation first, so it would show what was taken out).
TAKEN_WITH = {"summary": ("summary_translation",)}

REDACTION = Kind(
    "redaction",
    "A free-text field of an entry taken out of every revision of it, in every database of the team.",
    (
        Column(
            "uuid", "uuid", "The redaction's stable id across databases.", "uuid", stored=True, since=_SINCE
        ),
        Column(
            "entry",
            "uuid",
            "The uuid of the entry whose text is taken out.",
            "entry",
            stored=True,
            since=_SINCE,
        ),
        Column(
            "field",
            "text",
            "The entry's field whose text is taken out.",
            "field",
            stored=True,
            choices=REDACTABLE,
            since=_SINCE,
        ),
        Column(
            "reason",
            "text",
            "Why it was taken out.",
            "reason",
            stored=True,
            free_text=True,
            public=False,
            since=_SINCE,
        ),
        Column(
            "by",
            "text",
            "Who took it out (the entry's analyst, or the author of a revision that held it).",
            "by",
            stored=True,
            free_text=True,
            since=_SINCE,
            actor=True,
        ),
        Column("at", "datetime", "When it was taken out (UTC).", "at", stored=True, since=_SINCE),
    ),
)
