"""An indicator (a recommendation or risk of a framework) and its state (status and evidence), declared
once: `indicators`, and publish's `indicators.csv`, are views of it."""

from __future__ import annotations

from policytrack.records.field import Field, Kind

INDICATOR = Kind(
    "indicator",
    "An indicator of a framework (a recommendation, or a risk to watch) and its state.",
    (
        Field("framework", "key", "The framework (a paper's recommendations or risks) it belongs to."),
        Field("number", "integer", "The indicator's number in the framework.", minimum=1),
        Field("key", "key", "The indicator's key within the framework (what commands take)."),
        Field("title", "text", "The indicator's title.", free_text=True),
        Field(
            "kind",
            "text",
            "recommendation, or risk (a watch item: higher is worse).",
            choices=("recommendation", "risk"),
        ),
        Field("description", "text", "What carrying it out (or the risk) means.", free_text=True, default=""),
        Field(
            "status",
            "key",
            "The indicator's status level: its latest assessment, else the framework's baseline.",
            synced=False,
        ),
        Field(
            "status_percent",
            "integer",
            "The status as a percentage of the framework's scale.",
            minimum=0,
            maximum=100,
            synced=False,
        ),
        Field(
            "status_date",
            "date",
            "The date of the assessment the status comes from (empty: the baseline).",
            nullable=True,
            synced=False,
        ),
        Field("evidence", "integer", "How many current entries the indicator has.", minimum=0, synced=False),
        Field(
            "last_evidence",
            "date",
            "The date of the latest evidence (empty: none).",
            nullable=True,
            synced=False,
        ),
    ),
)

# `indicators` (every format): each indicator's state.
INDICATOR_ROW = INDICATOR.subset(
    "listed indicator",
    "An indicator as `indicators` lists it, with its status and evidence.",
    (
        "number",
        "key",
        "title",
        "kind",
        "status",
        "status_percent",
        "status_date",
        "evidence",
        "last_evidence",
    ),
)
# publish's indicators.csv: what each indicator is.
PUBLISHED_INDICATOR = INDICATOR.subset(
    "published indicator",
    "An indicator as a published bundle describes it.",
    ("framework", "key", "number", "kind", "title", "description"),
)
