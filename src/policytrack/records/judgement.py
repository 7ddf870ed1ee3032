"""Assessments and reviews are fields of entries (an entry with a status assesses its indicator; `review`
marks an entry reviewed): declared here as views of the entry's declaration, the same fields, so the
per-analyst queries, their validation and what sync sends of them take the entry's rules."""

from __future__ import annotations

from policytrack.records.entry import ENTRY

ASSESSMENT = ENTRY.subset(
    "assessment",
    "An analyst's assessment of an indicator's status at a date: an entry with a status.",
    ("uuid", "framework", "indicator", "date", "status", "grade", "analyst", "recorded_at"),
)
REVIEW = ENTRY.subset(
    "review",
    "That an entry was reviewed, by whom and when (an edit of anything else clears it).",
    ("uuid", "reviewed_by", "reviewed_at"),
)
