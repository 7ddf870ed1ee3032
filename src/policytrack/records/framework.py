"""A framework's loaded versions (what `framework update` keeps and sync sends) and a row of `framework
list`, declared once."""

from __future__ import annotations

from policytrack.records.field import Column, Field, Kind

_SINCE = "m004_framework_versions"

NAME = Field("name", "key", "The framework's name (what --framework takes).")
LOADED_AT = Field("loaded_at", "datetime", "When the framework (this version of it) was loaded (UTC).")

# One loaded version of a framework file; sync sends name, loaded_at, sha256 and definition.
FRAMEWORK_VERSION = Kind(
    "framework",
    "One loaded version of a framework file: its definition as loaded, and when.",
    (
        NAME,
        Column(
            "version",
            "integer",
            "The version's number in this database (1: the first one loaded).",
            "version",
            stored=True,
            synced=False,
            minimum=1,
            since=_SINCE,
        ),
        LOADED_AT,
        Column(
            "sha256",
            "text",
            "The SHA-256 of the definition (what tells two loaded versions apart).",
            "sha256",
            stored=True,
            pattern=r"^[0-9a-f]{64}$",
            since=_SINCE,
        ),
        Column(
            "loaded_by",
            "text",
            "Who loaded it (empty: the first load, or a release before this was kept).",
            "loaded_by",
            stored=True,
            free_text=True,
            synced=False,
            default="",
            since="m006_undo",
        ),
        Column(
            "definition",
            "text",
            "The framework file's content as loaded (JSON).",
            "definition",
            stored=True,
            public=False,
            since=_SINCE,
        ),
    ),
)

# `framework list` (every format).
FRAMEWORK_ROW = Kind(
    "listed framework",
    "A framework as `framework list` shows it.",
    (
        NAME,
        Field("title", "text", "The framework's title.", free_text=True),
        Field("indicators", "integer", "How many indicators the framework has.", minimum=0),
        Field("entries", "integer", "How many current entries are evidence for it.", minimum=0),
        Field("version", "integer", "The latest loaded version's number.", minimum=1, since=_SINCE),
        LOADED_AT,
        Field("default", "boolean", "Whether it is the default framework."),
    ),
)
