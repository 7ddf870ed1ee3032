"""Every kind of record by name: what tests, the data package and a reader of names (`columns` sheets,
error messages) look a kind up in. Imports every declaration, so only code that needs all of them (not
`log`) imports it."""

from __future__ import annotations

from policytrack.records.analyst import ANALYST
from policytrack.records.candidate import (
    AGENDA_ROW,
    CANDIDATE,
    CANDIDATE_LISTED,
    DATASET_PULL,
    DECISION,
    FEED,
)
from policytrack.records.columns import (
    EXPORTED,
    EXPORTED_REVISIONS,
    LISTED,
    LISTED_DELETED,
    PUBLISHED,
    SYNCED_REVISION,
)
from policytrack.records.entry import CHANGES, ENTRY, FORM, REVISION, ROW_TEXT
from policytrack.records.field import Field, Kind
from policytrack.records.forecast import EXPORTED_FORECAST, FORECAST, FORECAST_LISTED, SCORE
from policytrack.records.framework import FRAMEWORK_ROW, FRAMEWORK_VERSION
from policytrack.records.indicator import INDICATOR, INDICATOR_ROW, PUBLISHED_INDICATOR
from policytrack.records.judgement import ASSESSMENT, REVIEW
from policytrack.records.redaction import REDACTION
from policytrack.records.report import (
    ANALYST_ROW,
    PERIOD_ROW,
    REPORT_ROW,
    TIMELINE,
    TIMELINE_LISTED,
    TIMELINE_POINT,
)
from policytrack.records.signal import SIGNAL, SIGNPOST_ROW
from policytrack.records.signing import HELD_FILE, PINNED_SIGNERS
from policytrack.records.source import (
    EXPORTED_SOURCE,
    SOURCE,
    SOURCE_LISTED,
    SOURCE_SET,
    SOURCE_SIDE,
    SOURCE_VERSION,
)
from policytrack.records.target import TARGET, TARGET_LINE, TARGET_ROW, TARGET_SET, TARGET_SIDE

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        ENTRY,
        REVISION,
        EXPORTED,
        EXPORTED_REVISIONS,
        PUBLISHED,
        LISTED,
        LISTED_DELETED,
        FORM,
        CHANGES,
        ROW_TEXT,
        SOURCE,
        SOURCE_LISTED,
        EXPORTED_SOURCE,
        FORECAST,
        EXPORTED_FORECAST,
        FORECAST_LISTED,
        SCORE,
        TARGET,
        TARGET_ROW,
        FRAMEWORK_VERSION,
        FRAMEWORK_ROW,
        INDICATOR,
        INDICATOR_ROW,
        PUBLISHED_INDICATOR,
        ASSESSMENT,
        REVIEW,
        SIGNAL,
        SIGNPOST_ROW,
        REPORT_ROW,
        PERIOD_ROW,
        ANALYST_ROW,
        TIMELINE_POINT,
        TIMELINE,
        TIMELINE_LISTED,
        SYNCED_REVISION,
        SOURCE_SET,
        SOURCE_VERSION,
        SOURCE_SIDE,
        TARGET_SET,
        TARGET_SIDE,
        TARGET_LINE,
        ANALYST,
        CANDIDATE,
        CANDIDATE_LISTED,
        DECISION,
        FEED,
        DATASET_PULL,
        AGENDA_ROW,
        PINNED_SIGNERS,
        HELD_FILE,
        REDACTION,
    )
}


def field_names() -> frozenset[str]:
    """Every name any kind declares (what the test against hand-written lists of field names looks for)."""
    return frozenset(f.name for k in KINDS.values() for f in k)


def fields_of(*kinds: Kind) -> tuple[Field, ...]:
    """The fields of several kinds, each name once (the first kind that declares it wins)."""
    seen: dict[str, Field] = {}
    for kind in kinds:
        for f in kind:
            seen.setdefault(f.name, f)
    return tuple(seen.values())
