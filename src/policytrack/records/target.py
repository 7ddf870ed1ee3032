"""A target (reach a status level by a date, from a start), declared once: the store's columns, what sync
sends, and the records of `targets` derive from it. Every change of a target is a new row (history kept)."""

from __future__ import annotations

from policytrack.records.field import Column, Field, Kind

_SINCE = "m002_targets_and_report_index"

TARGET = Kind(
    "target",
    "A target set for an indicator: reach a status level by a date (an empty level withdraws it).",
    (
        Column(
            "id",
            "integer",
            "The target row's id in this database.",
            "t.id",
            exported=False,
            public=False,
            synced=False,
            since=_SINCE,
        ),
        Column(
            "framework", "key", "The framework the target's indicator belongs to.", "f.name", since=_SINCE
        ),
        Column(
            "indicator_id",
            "integer",
            "The indicator's id in this database.",
            "t.indicator_id",
            stored=True,
            exported=False,
            public=False,
            synced=False,
            since=_SINCE,
        ),
        Column("indicator", "key", "The indicator's key within the framework.", "i.key", since=_SINCE),
        Column(
            "level",
            "text",
            "The status level the target is to reach (empty: the target is withdrawn).",
            "t.level",
            stored=True,
            since=_SINCE,
        ),
        Column("start", "date", "When the target starts to count.", "t.start", stored=True, since=_SINCE),
        Column(
            "due",
            "date",
            "When the target is due (YYYY, YYYY-MM or YYYY-MM-DD: the end of that period).",
            "t.due",
            stored=True,
            since=_SINCE,
        ),
        Column(
            "due_end",
            "date",
            "The last day of the due date's period.",
            "t.due_end",
            stored=True,
            exported=False,
            since=_SINCE,
        ),
        Column(
            "note",
            "text",
            "Why the target was set, or where it comes from.",
            "t.note",
            stored=True,
            free_text=True,
            default="",
            since=_SINCE,
        ),
        Column(
            "set_by", "text", "Who set it.", "t.set_by", stored=True, free_text=True, since=_SINCE, actor=True
        ),
        Column("set_at", "datetime", "When it was set (UTC).", "t.set_at", stored=True, since=_SINCE),
    ),
)

# `targets` (every format): the start is called `from` there.
TARGET_ROW = Kind(
    "target row",
    "A target as `targets` lists it.",
    (
        TARGET["indicator"],
        TARGET["level"],
        TARGET["start"].renamed("from"),
        TARGET["due"],
        TARGET["set_by"],
        TARGET["set_at"],
        TARGET["note"],
    ),
)

# What a target says (not who set it or when): what two targets set apart must agree on not to conflict.
TARGET_SET = TARGET.subset(
    "target values", "What a target says of its indicator.", ("level", "start", "due", "due_end", "note")
)
# What `conflicts` shows of each of two targets set apart: what it says, who set it and when.
TARGET_SIDE = TARGET.subset(
    "target conflict side",
    "One of the targets of an indicator set apart, as `conflicts` shows it.",
    (*TARGET_SET.names(), "set_by", "set_at"),
)
# A target as `policytrack sync` sends it: its synced fields, and how many targets of its indicator the
# database that set it held then (two that saw as many, with different values, were set apart).
TARGET_LINE = Kind(
    "synced target",
    "A target as sync sends it.",
    (
        *(f for f in TARGET if f.synced),
        Field(
            "seen",
            "integer",
            "How many targets of the indicator the database that set it held (empty: not said).",
            nullable=True,
            minimum=0,
            default=None,
            since="m010_shared_record",
        ),
    ),
)
