"""Review before publishing: an analyst marks entries reviewed (a new revision each: who and when), and
reports can use reviewed entries only. Changing an entry's content clears its review. Nothing here prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policytrack.core.errors import InputError
from policytrack.core.storable import clean_text
from policytrack.domain.context import utc_now
from policytrack.records.models import Entry
from policytrack.store import Store


@dataclass(frozen=True)
class ReviewResult:
    reviewed: tuple[Entry, ...]
    already: tuple[Entry, ...]  # reviewed before, at their current revision: left as they were


def review_entries(store: Store, ids: Sequence[int], by: str) -> ReviewResult:
    """Mark the entries reviewed by `by`, all in one transaction; a missing or deleted entry refuses them
    all, before anything is written."""
    reviewer = clean_text(by, "--by").strip()
    if not reviewer:
        raise InputError("empty --by: give the reviewer's name, or leave --by out to use the analyst's")
    entries = [store.get_entry(entry_id) for entry_id in dict.fromkeys(ids)]
    for entry in entries:
        if entry.deleted:
            raise InputError(
                f"entry {entry.id} is deleted; nothing was reviewed: restore it first "
                f"(`policytrack restore {entry.id}`) or leave it out"
            )
    todo = [e for e in entries if e.reviewed_at is None]
    now = utc_now()
    with store.transaction():
        for entry in todo:
            store.update_entry(entry.id, {"reviewed_by": reviewer, "reviewed_at": now}, "edit", reviewer, now)
    return ReviewResult(
        tuple(store.get_entry(e.id) for e in todo), tuple(e for e in entries if e.reviewed_at is not None)
    )
