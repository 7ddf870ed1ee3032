"""A registered source (the source registry, issue 13), declared once: the store's columns, `source export`
and `source import`, `source list --json` and the row check derive from it."""

from __future__ import annotations

from policytrack.records.field import LANGUAGE_PATTERN, UNDETERMINED, Column, Field, Kind

# What kind of body a source is (the registry's `type` column).
SOURCE_TYPES = ("official", "media", "ngo", "academic", "think-tank", "intergovernmental", "social", "other")
_SINCE = "m007_sources_events"

# In the order of `source export` (and its import); `source list --json` writes key first (SOURCE_LISTED).
SOURCE = Kind(
    "source",
    "A registered source: who gives evidence (an originator) or carries it (an outlet), and how reliable.",
    (
        Column(
            "id",
            "integer",
            "The source's id in this database.",
            "id",
            exported=False,
            public=False,
            synced=False,
            minimum=1,
            since=_SINCE,
        ),
        Column(
            "uuid",
            "uuid",
            "The source's stable id across databases (what `source import` matches on).",
            "uuid",
            stored=True,
            since=_SINCE,
        ),
        Column(
            "key",
            "key",
            "The source's key (what --source and --via take).",
            "key",
            stored=True,
            pattern=r"^[a-z0-9][a-z0-9._-]{0,39}$",
            since=_SINCE,
        ),
        Column("name", "text", "The source's name.", "name", stored=True, free_text=True, since=_SINCE),
        Column(
            "url",
            "text",
            "The source's web address (empty: none).",
            "url",
            stored=True,
            free_text=True,
            default="",
            since=_SINCE,
        ),
        Column(
            "host",
            "text",
            "The web address's host, lower case (what matches a typed URL to the source).",
            "host",
            stored=True,
            exported=False,
            default="",
            since=_SINCE,
        ),
        Column(
            "type",
            "text",
            "What kind of body it is: " + ", ".join(SOURCE_TYPES) + ".",
            "type",
            stored=True,
            choices=SOURCE_TYPES,
            default="other",
            since=_SINCE,
        ),
        Column(
            "origin",
            "text",
            "Where the source is from (a country, a region, a body; empty: not said).",
            "origin",
            stored=True,
            free_text=True,
            default="",
            since=_SINCE,
        ),
        Column(
            "reliability",
            "text",
            "The source's reliability, A (completely reliable) to F (cannot be judged); empty: not rated.",
            "reliability",
            stored=True,
            nullable=True,
            default=None,
            pattern=r"^[A-F]$",
            since=_SINCE,
        ),
        Column(
            "note",
            "text",
            "The team's private note on the source (never published).",
            "note",
            stored=True,
            free_text=True,
            public=False,
            default="",
            since=_SINCE,
        ),
        Column(
            "language",
            "text",
            "The language the source publishes in, a BCP 47 tag such as fr or en-GB (und: not said).",
            "language",
            stored=True,
            default=UNDETERMINED,
            pattern=LANGUAGE_PATTERN,
            since="m022_languages",
        ),
        Column(
            "merged_into",
            "key",
            "The key of the source it was merged into (empty: it stands on its own).",
            "merged_into",
            nullable=True,
            default=None,
            since=_SINCE,
        ),
        Column(
            "created_at",
            "datetime",
            "When the source was registered (UTC).",
            "created_at",
            exported=False,
            since=_SINCE,
        ),
        Column(
            "changed_at",
            "datetime",
            "When the source was last changed (UTC).",
            "changed_at",
            exported=False,
            since=_SINCE,
        ),
    ),
)

# `source list --json` and a SourceRecord's dict: the key first, without the merge (merged ones are hidden).
SOURCE_LISTED = SOURCE.subset(
    "listed source",
    "A registered source as `source list` shows it.",
    ("key", "uuid", "name", "url", "type", "origin", "reliability", "language", "note"),
)
# What `source export` writes and `source import` reads back.
EXPORTED_SOURCE = SOURCE.subset("exported source", SOURCE.description, SOURCE.exported())

# What an analyst sets of a source (`source add` and `source edit`): what two registrations of one key must
# agree on, and what a source conflict shows of each side.
SOURCE_SET = SOURCE.subset(
    "source values",
    "What an analyst sets of a registered source.",
    ("name", "url", "type", "origin", "reliability", "language", "note"),
)
# A version of a source as `policytrack sync` sends it: the registry's synced fields (its merge by key), who
# made the version, and how many versions of its key their database had seen (what picks the winner).
SOURCE_VERSION = Kind(
    "source version",
    "One registration, edit or merge of a source, as sync sends it.",
    (
        *(f for f in SOURCE if f.synced),
        Field(
            "changed_by",
            "text",
            "The analyst who made the version.",
            free_text=True,
            since="m010_shared_record",
            actor=True,
        ),
        Field(
            "seen",
            "integer",
            "How many versions of the key the database that made this one had seen.",
            minimum=0,
            since="m010_shared_record",
        ),
    ),
)
# What `conflicts` shows of each side of a source registered apart.
SOURCE_SIDE = SOURCE_VERSION.subset(
    "source conflict side",
    "One side of a source key registered apart, as `conflicts` shows it.",
    ("uuid", *SOURCE_SET.names(), "changed_by", "changed_at"),
)
