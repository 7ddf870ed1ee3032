"""A signal (a signpost of an indicator: observed, it says the indicator is moving) and a row of
`signposts`, declared once."""

from __future__ import annotations

from policytrack.records.field import Field, Kind

SIGNAL_KINDS = ("leading", "confirming")
DIRECTIONS = ("progress", "regression")
_SINCE = "m009_signals"

SIGNAL = Kind(
    "signal",
    "A signpost of an indicator: something that, observed, says the indicator is moving.",
    (
        Field("key", "key", "The signal's key within its indicator (p1, r2, or a name).", since=_SINCE),
        Field("text", "text", "What the signal is.", free_text=True, since=_SINCE),
        Field(
            "direction",
            "text",
            "progress or regression: what the signal, observed, says of the indicator.",
            choices=DIRECTIONS,
            since=_SINCE,
        ),
        Field(
            "kind",
            "text",
            "leading (comes before the change) or confirming (shows it happened); empty: not said.",
            choices=SIGNAL_KINDS,
            nullable=True,
            default="",
            since=_SINCE,
        ),
    ),
)

# `signposts` (every format): one row per signal of an indicator.
SIGNPOST_ROW = Kind(
    "signpost",
    "A signal of an indicator and what the evidence says of it.",
    (
        Field("indicator", "key", "The indicator's key within the framework.", since=_SINCE),
        SIGNAL["key"].renamed("signal"),
        SIGNAL["direction"],
        SIGNAL["kind"],
        SIGNAL["text"],
        Field(
            "state",
            "text",
            "observed (entries report it in the window) or awaited.",
            choices=("observed", "awaited"),
            synced=False,
            since=_SINCE,
        ),
        Field(
            "first",
            "date",
            "The date of the first entry that observes it (empty: awaited).",
            nullable=True,
            synced=False,
            since=_SINCE,
        ),
        Field(
            "last",
            "date",
            "The date of the latest entry that observes it (empty: awaited).",
            nullable=True,
            synced=False,
            since=_SINCE,
        ),
        Field(
            "entries",
            "list",
            "The ids of the entries that observe it, joined with '; '.",
            synced=False,
            since=_SINCE,
        ),
        Field(
            "sources",
            "list",
            "The distinct sources those entries cite, joined with '; '.",
            free_text=True,
            synced=False,
            since=_SINCE,
        ),
    ),
)
