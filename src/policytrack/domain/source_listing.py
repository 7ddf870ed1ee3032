"""The source registry as `source list` shows it: each source's use and grade pattern, each analyst's, and
free-text sources worth registering. Apart from sources.py so that `log`, which links a source, does not
build these classes at start-up. Nothing here prints."""

from __future__ import annotations

from dataclasses import dataclass

from policytrack.records.models import SourceRecord
from policytrack.store import Store


@dataclass(frozen=True)
class GradePattern:
    """How often graded evidence sits on the A1/B2/C3 diagonal (a sign the axes are blurred)."""

    who: str
    entries: int
    graded: int
    diagonal: int

    @property
    def share(self) -> float | None:
        return round(self.diagonal / self.graded, 3) if self.graded else None


@dataclass(frozen=True)
class SourceListing:
    sources: list[tuple[SourceRecord, GradePattern]]
    analysts: list[GradePattern]


def source_listing(store: Store) -> SourceListing:
    """Every registered source with its use and grade pattern, and each analyst's grade pattern."""
    per_source: dict[int, list[int]] = {}
    for row in store.source_use():
        totals = per_source.setdefault(row["source_id"], [0, 0, 0])
        totals[0] += row["n"]
        totals[1] += row["graded"]
        totals[2] += row["diagonal"] or 0
    sources = [(s, GradePattern(s.key, *per_source.get(s.id, [0, 0, 0]))) for s in store.source_rows()]
    analysts = [
        GradePattern(r["analyst"], r["graded"], r["graded"], r["diagonal"] or 0)
        for r in store.analyst_grades()
    ]
    return SourceListing(sources, analysts)


def suggestions(store: Store) -> list[tuple[str, int]]:
    """Free-text sources cited more than once: worth registering."""
    return [(r["source"], r["n"]) for r in store.free_text_sources(2)]
