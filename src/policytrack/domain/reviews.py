"""Review before publishing: an analyst marks entries reviewed (a new revision each: who and when), or
returns them to their author with what to change; reports can use reviewed entries only. Changing an
entry's content clears its review; its author's next edit clears its return. Reviewing one's own entry is
said out loud (`allow_self`). Nothing here prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.storable import clean_text
from policytrack.domain.context import utc_now
from policytrack.domain.redaction import refuse_redacted
from policytrack.records.columns import RETURN_FIELDS
from policytrack.records.models import Entry
from policytrack.store import Store


@dataclass(frozen=True)
class ReviewResult:
    reviewed: tuple[Entry, ...]
    already: tuple[Entry, ...]  # reviewed before, at their current revision: left as they were


def _reviewer(by: str) -> str:
    reviewer = clean_text(by, "--by").strip()
    if not reviewer:
        raise InputError(_("empty --by: give the reviewer's name, or leave --by out to use the analyst's"))
    return reviewer


def _reviewable(store: Store, ids: Sequence[int], reviewer: str, allow_self: bool) -> list[Entry]:
    """The entries, each once, checked before anything is written: none missing or deleted, and none the
    reviewer's own unless `allow_self` (the four-eyes rule: one's own entry needs `--self`)."""
    entries = [store.get_entry(entry_id) for entry_id in dict.fromkeys(ids)]
    for entry in entries:
        if entry.deleted:
            raise InputError(
                _(
                    "entry {id} is deleted; nothing was reviewed: restore it first (`policytrack restore "
                    "{id}`) or leave it out"
                ).format(id=entry.id)
            )
    if not allow_self:
        own = [e for e in entries if e.analyst == reviewer]
        if own:
            ids_text = ", ".join(str(e.id) for e in own)
            raise InputError(
                _(
                    "entry {ids_text} is {reviewer}'s own; nothing was reviewed: reviewing one's own "
                    "entry needs --self (or ask a teammate to review it)"
                ).format(ids_text=ids_text, reviewer=reviewer)
            )
    return entries


def review_entries(store: Store, ids: Sequence[int], by: str, *, allow_self: bool = False) -> ReviewResult:
    """Mark the entries reviewed by `by`, all in one transaction; a missing or deleted entry, or one of
    the reviewer's own without `allow_self`, refuses them all, before anything is written. A review
    answers a return: the entry is no longer returned."""
    reviewer = _reviewer(by)
    entries = _reviewable(store, ids, reviewer, allow_self)
    todo = [e for e in entries if e.reviewed_at is None]
    now = utc_now()
    with store.transaction():
        for entry in todo:
            values = {"reviewed_by": reviewer, "reviewed_at": now, **dict.fromkeys(RETURN_FIELDS)}
            store.update_entry(entry.id, values, "edit", reviewer, now)
    return ReviewResult(
        tuple(store.get_entry(e.id) for e in todo), tuple(e for e in entries if e.reviewed_at is not None)
    )


def return_entries(
    store: Store, ids: Sequence[int], by: str, comment: str, *, allow_self: bool = False
) -> tuple[Entry, ...]:
    """Return the entries to their author with `comment` (what to change), all in one transaction, each a
    new revision by the reviewer; a review they had is withdrawn. The same checks as review_entries."""
    reviewer = _reviewer(by)
    text = clean_text(comment, "--request-changes").strip()
    if not text:
        raise InputError(
            _('empty --request-changes: say what the author should change, e.g. "cite the decree"')
        )
    entries = _reviewable(store, ids, reviewer, allow_self)
    now = utc_now()
    with store.transaction():
        for entry in entries:
            values = {
                "reviewed_by": None,
                "reviewed_at": None,
                "returned_by": reviewer,
                "returned_at": now,
                "return_comment": text,
            }
            # a return comment is free text like any other: a redacted one cannot hold text again
            refuse_redacted(
                store, entry.id, values, _("nothing was returned: tell its author what to change another way")
            )
            store.update_entry(entry.id, values, "edit", reviewer, now)
    return tuple(store.get_entry(e.id) for e in entries)
