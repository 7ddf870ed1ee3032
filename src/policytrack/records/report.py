"""The rows of `report` (one per indicator), of `report --by PERIOD` (one per indicator and period), of
`report --by-analyst` (one per indicator and analyst) and the two fields `timeline` adds to an entry,
declared once. None of them is stored or synced: they are computed from entries, targets and sources."""

from __future__ import annotations

from typing import Any

from policytrack.records.columns import EXPORTED, LISTED
from policytrack.records.field import Field, Kind, Type
from policytrack.records.indicator import INDICATOR


def _row(name: str, type: Type, description: str, **rules: Any) -> Field:
    return Field(name, type, description, synced=False, **rules)


_COUNT: dict[str, Any] = {"minimum": 0}
STATUS = _row("status", "key", "The latest assessment on or before the as-of date, else the baseline.")
ENTRIES = _row("entries", "integer", "Entries in the evidence window.", **_COUNT)
ADVANCING = _row("advancing", "integer", "Entries with a positive effect.", **_COUNT)
HINDERING = _row("hindering", "integer", "Entries with a negative effect.", **_COUNT)
CONTEXT = _row("context", "integer", "Entries with effect 0.", **_COUNT)
MOMENTUM = _row("momentum", "integer", "The sum of the effects in the window.")
WEIGHTED = _row("weighted_momentum", "number", "The sum of the effects, each weighted by its grade.")
CONSENSUS = _row(
    "consensus",
    "key",
    "The median of the analysts' latest assessments in the window (the lower middle one).",
    nullable=True,
)
SPREAD = _row(
    "spread",
    "integer",
    "How many levels lie between the lowest and the highest assessment (0: agreed).",
    nullable=True,
    **_COUNT,
)
CONTESTED = _row("contested", "boolean", "Whether the analysts' latest assessments in the window differ.")

REPORT_ROW = Kind(
    "report row",
    "One indicator in a progress report: its status as of a date, its target and the window's evidence.",
    (
        *(INDICATOR[n] for n in ("framework", "number", "key", "title", "kind")),
        STATUS,
        INDICATOR["status_percent"],
        INDICATOR["status_date"],
        _row(
            "target",
            "key",
            "The status level the indicator's current target is to reach (empty: no target).",
            nullable=True,
        ),
        _row("target_percent", "integer", "The target's level as a percentage.", nullable=True, **_COUNT),
        _row("target_due", "date", "When the target is due.", nullable=True),
        _row(
            "track",
            "text",
            "Against the target: met, on track, off track, overdue or no target.",
            choices=("met", "on track", "off track", "overdue", "no target"),
        ),
        _row(
            "expected_percent",
            "number",
            "Where a straight line from the target's start to its due date stands today.",
            nullable=True,
        ),
        ENTRIES,
        ADVANCING,
        HINDERING,
        CONTEXT,
        MOMENTUM,
        WEIGHTED,
        _row("sources", "integer", "How many distinct sources the window's entries cite.", **_COUNT),
        _row("single_source", "boolean", "Whether the window's evidence rests on one source only."),
        _row(
            "official_share",
            "number",
            "The share of the window's entries whose registered source is official (0 to 1).",
            nullable=True,
            minimum=0,
            maximum=1,
        ),
        _row(
            "source_types",
            "text",
            "The independent sources by type (official, media, ...; free text), joined with '; '.",
        ),
        INDICATOR["last_evidence"],
        _row(
            "days_since_evidence",
            "integer",
            "Days from the latest evidence to the as-of date (empty: no evidence).",
            nullable=True,
        ),
        _row(
            "stale", "boolean", "Whether the indicator has had no evidence for longer than the stale limit."
        ),
        _row("as_of", "date", "The date the report is as of."),
        _row("since", "date", "The start of the evidence window (empty: the first entry).", nullable=True),
        _row("until", "date", "The end of the evidence window."),
        _row("analysts", "integer", "How many analysts assessed the indicator in the window.", **_COUNT),
        CONSENSUS,
        SPREAD,
        CONTESTED,
    ),
)

# `report --by month|quarter|year`: long format, one row per indicator and period.
PERIOD_ROW = Kind(
    "period row",
    "One indicator in one period of a report by period: the period's evidence and the status at its end.",
    (
        *(INDICATOR[n] for n in ("framework", "number", "key", "title")),
        _row("period", "text", "The period (a month, quarter or year, as the report labels it)."),
        _row("period_start", "date", "The period's first day."),
        _row("period_end", "date", "The period's last day."),
        ENTRIES,
        ADVANCING,
        HINDERING,
        CONTEXT,
        MOMENTUM,
        WEIGHTED,
        _row(
            "status", "key", "The status at the end of the period (its latest assessment, else the baseline)."
        ),
        INDICATOR["status_percent"],
    ),
)

# `report --by-analyst`: one row per indicator and analyst who assessed it in the window.
ANALYST_ROW = Kind(
    "analyst row",
    "One analyst's latest assessment of one indicator in the window, beside the indicator's consensus.",
    (
        INDICATOR["number"],
        INDICATOR["key"],
        _row(
            "analyst",
            "text",
            "The analyst (empty: nobody assessed the indicator in the window).",
            free_text=True,
            nullable=True,
        ),
        _row("status", "key", "The analyst's latest assessment in the window.", nullable=True),
        _row("date", "date", "The date of that assessment.", nullable=True),
        CONSENSUS,
        SPREAD,
        CONTESTED,
    ),
)

# What `timeline` adds to each entry.
TIMELINE_POINT = Kind(
    "timeline point",
    "What `timeline` adds to each entry of the indicator's history.",
    (
        _row(
            "cumulative_momentum",
            "integer",
            "The sum of effects from the start of the window up to this entry.",
        ),
        _row(
            "status_change",
            "text",
            "'old -> new' when this entry's assessment changes the status.",
            nullable=True,
        ),
    ),
)
# `timeline` in CSV, JSON and JSONL (export's columns), and in xlsx (an entry's JSON fields), with the two.
TIMELINE = Kind(
    "timeline entry", "An entry of an indicator's timeline.", (*EXPORTED.fields, *TIMELINE_POINT.fields)
)
TIMELINE_LISTED = Kind(
    "listed timeline entry", "An entry of an indicator's timeline.", (*LISTED.fields, *TIMELINE_POINT.fields)
)
