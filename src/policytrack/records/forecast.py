"""A forecast (that an indicator will be at a level or beyond by a date, with a likelihood), the outcome
`forecasts` adds to it, and a row of `forecasts --score`, declared once."""

from __future__ import annotations

from policytrack.records.field import Column, Field, Kind

CONFIDENCE = ("low", "moderate", "high")
OUTCOMES = ("open", "yes", "no", "withdrawn")
_SINCE = "m009_forecasts"

# In export order: what `export forecasts` writes and `import --forecasts` reads back.
FORECAST = Kind(
    "forecast",
    "A forecast: that an indicator will be at a level or beyond by a date, with a likelihood.",
    (
        Column(
            "id",
            "integer",
            "The forecast's short id in this database (what withdraw takes; not the same in a teammate's "
            "database: uuid is).",
            "f.id",
            synced=False,
            minimum=1,
            since=_SINCE,
        ),
        Column(
            "uuid",
            "uuid",
            "The forecast's stable id across databases (what import --forecasts matches on).",
            "f.uuid",
            stored=True,
            since=_SINCE,
        ),
        Column(
            "framework", "key", "The framework the forecast's indicator belongs to.", "fw.name", since=_SINCE
        ),
        Column(
            "indicator_id",
            "integer",
            "The indicator's id in this database.",
            "f.indicator_id",
            stored=True,
            exported=False,
            public=False,
            synced=False,
            since=_SINCE,
        ),
        Column("indicator", "key", "The indicator's key within the framework.", "i.key", since=_SINCE),
        Column(
            "level",
            "key",
            "The status level forecast to be reached (or passed) by the due date.",
            "f.level",
            stored=True,
            since=_SINCE,
        ),
        Column(
            "due",
            "date",
            "When the level is to be reached by (YYYY, YYYY-MM or YYYY-MM-DD: the end of that period).",
            "f.due",
            stored=True,
            since=_SINCE,
        ),
        Column(
            "due_end",
            "date",
            "The last day of the due date's period (what the forecast resolves on).",
            "f.due_end",
            stored=True,
            exported=False,
            synced=False,
            since=_SINCE,
        ),
        Column(
            "likelihood",
            "integer",
            "The forecast's likelihood, in whole percent from 1 to 99.",
            "f.likelihood",
            stored=True,
            minimum=1,
            maximum=99,
            since=_SINCE,
        ),
        Column(
            "confidence",
            "text",
            "The analyst's confidence in the judgement: low, moderate or high (empty: not said).",
            "f.confidence",
            stored=True,
            nullable=True,
            default=None,
            choices=CONFIDENCE,
            since=_SINCE,
        ),
        Column(
            "note",
            "text",
            "Why: the analyst's reasoning (stays with the team).",
            "f.note",
            stored=True,
            free_text=True,
            public=False,
            default="",
            since=_SINCE,
        ),
        Column(
            "analyst",
            "text",
            "Who made the forecast.",
            "f.analyst",
            stored=True,
            free_text=True,
            default="",
            since=_SINCE,
            actor=True,
        ),
        Column("made_on", "date", "When the forecast was made.", "f.made_on", stored=True, since=_SINCE),
        Column(
            "recorded_at",
            "datetime",
            "When it was recorded (UTC).",
            "f.recorded_at",
            stored=True,
            since=_SINCE,
        ),
        Column(
            "withdrawn_at",
            "datetime",
            "When it was withdrawn (UTC; empty: it stands).",
            "f.withdrawn_at",
            stored=True,
            nullable=True,
            default=None,
            since=_SINCE,
        ),
        Column(
            "withdrawn_by",
            "text",
            "Who withdrew it (empty: it stands).",
            "f.withdrawn_by",
            stored=True,
            free_text=True,
            nullable=True,
            default=None,
            since=_SINCE,
            actor=True,
        ),
    ),
)

# What `export forecasts` writes and `import --forecasts` reads back.
EXPORTED_FORECAST = FORECAST.subset("exported forecast", FORECAST.description, FORECAST.exported())
# What a record of a forecasts file must carry (`import --forecasts` fills in the rest).
IMPORT_REQUIRED = ("indicator", "level", "due", "likelihood")

# `forecasts` (every format): the export's fields, then the band and the outcome as of today.
FORECAST_LISTED = Kind(
    "listed forecast",
    "A forecast as `forecasts` lists it: with its likelihood's band and its outcome as of today.",
    (
        *EXPORTED_FORECAST.fields,
        Field("band", "text", "The likelihood's band in words (ICD 203).", synced=False, since=_SINCE),
        Field(
            "outcome",
            "text",
            "open, yes, no or withdrawn: what the status history says of it as of today.",
            synced=False,
            choices=OUTCOMES,
            since=_SINCE,
        ),
    ),
)

# `forecasts --score`: one row per analyst (and all of them), then one per likelihood band.
SCORE = Kind(
    "forecast score",
    "A row of `forecasts --score`: the Brier score of an analyst, of all analysts, or of a likelihood band.",
    (
        Field(
            "table",
            "text",
            "analyst, overall or band: which table of the score the row belongs to.",
            choices=("analyst", "overall", "band"),
            synced=False,
        ),
        Field("name", "text", "The analyst, all analysts, or the band.", free_text=True, synced=False),
        Field("forecasts", "integer", "How many resolved forecasts the row scores.", minimum=0, synced=False),
        Field(
            "brier",
            "number",
            "The mean Brier score (0 is perfect, 1 the worst).",
            nullable=True,
            minimum=0,
            maximum=1,
            synced=False,
        ),
        Field(
            "mean_likelihood",
            "number",
            "The band's mean forecast likelihood (0 to 1; empty on an analyst's row).",
            nullable=True,
            minimum=0,
            maximum=1,
            synced=False,
        ),
        Field(
            "happened",
            "number",
            "The share of the band's forecasts that came true (0 to 1; empty on an analyst's row).",
            nullable=True,
            minimum=0,
            maximum=1,
            synced=False,
        ),
    ),
)
