"""Plain data that commands read back and `log` never builds: the filter of a listing (`list`, exports),
one revision of an entry's history, a registered source, a target written in a framework file. Apart from
models.py for start-up; models.py still names them (on first use)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policytrack.core.dates import PartialDate
    from policytrack.records.models import Entry


@dataclass(frozen=True)
class Revision:
    """One row of an entry's history: the state after a change, who made it and when."""

    revision: int
    action: str
    changed_by: str
    changed_at: str
    entry: Entry
    # the number its author gave it (sync): two revisions with one number were made apart from the last
    # revision numbered below it, their base; None where not read (every revision is then its own author's)
    authored: int | None = None


@dataclass
class EntryFilter:
    """Which entries `list` (and exports) show: entries whose date's first day falls from `since` to
    `until`, both inclusive (callers pass the start of --since's period and the end of --until's)."""

    indicators: Sequence[str] = ()
    since: date | None = None
    until: date | None = None
    tags: Sequence[str] = ()  # has every one of them
    grep: str | None = None
    include_deleted: bool = False
    actors: Sequence[str] = ()  # involves every one of them
    analysts: Sequence[str] = ()  # logged by any of them
    statuses: Sequence[str] = ()  # assesses any of these levels
    grades: Sequence[str] = ()  # any of: a code (B2), a reliability (B) or a credibility (2)
    min_grade: str | None = None  # a code: reliability and credibility at least as good (B3: A-B and 1-3)
    effects: tuple[int, int] | None = None  # an effect from the first to the second, inclusive
    unreviewed: bool = False  # only entries not reviewed
    returned: bool = False  # only entries returned to their author for changes
    reviewed: bool = False  # only reviewed entries
    # registered sources (local ids, resolved by domain.entries.with_sources): entries whose originator or
    # outlet is any of them; and per word of `grep`, the sources whose key or name has a word it starts
    sources: Sequence[int] = ()
    grep_sources: Sequence[Sequence[int]] = ()


@dataclass(frozen=True)
class SourceRecord:
    """A registered source: reliability (A-F) belongs to it, credibility to each entry it gives."""

    id: int
    uuid: str
    key: str
    name: str
    url: str
    host: str
    type: str
    origin: str
    reliability: str | None
    note: str
    merged_into: int | None
    created_at: str
    changed_at: str
    language: str = "und"  # what it publishes in (a BCP 47 tag; und: not said)

    def as_dict(self) -> dict[str, object]:
        """The source as `source list --json` shows it: the fields its declaration lists, in that order."""
        from policytrack.records.source import SOURCE_LISTED

        return {name: getattr(self, name) for name in SOURCE_LISTED.names()}


@dataclass(frozen=True)
class FrameworkTarget:
    """A target written in a framework file: reach `level` by `due` (ISO, day/month/year), from `start`."""

    level: str
    due: PartialDate
    start: date | None = None
    note: str = ""
