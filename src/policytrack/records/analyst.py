"""An analyst's display name (`policytrack config set display_name`), which travels with their records in
`policytrack sync`: the store's `analysts` table and sync's lines derive from it."""

from __future__ import annotations

from policytrack.records.field import Column, Kind

_SINCE = "m010_shared_record"

ANALYST = Kind(
    "analyst",
    "An analyst's display name, as the latest one they set.",
    (
        Column(
            "name",
            "text",
            "The analyst (their folder in the shared repository).",
            "name",
            stored=True,
            free_text=True,
            since=_SINCE,
            actor=True,
        ),
        Column(
            "display_name",
            "text",
            "The name to show for them.",
            "display_name",
            stored=True,
            free_text=True,
            since=_SINCE,
        ),
        Column("set_at", "datetime", "When they set it (UTC).", "set_at", stored=True, since=_SINCE),
    ),
)
