"""Redaction: a free-text field of an entry taken out of every revision of it, for good (`redact`).

Who may: the entry's analyst, or the author of a revision in which the field holds text. The rule is
stored (records/redaction.py) and travels in sync, so every teammate's database applies it, to revisions
that arrive later too. Nothing here prints.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.storable import clean_text
from policytrack.records.redaction import REDACTABLE
from policytrack.store import Store


@dataclass(frozen=True)
class Redacted:
    entry_id: int
    field: str
    revisions: int  # rows whose text was taken out (the entry's current state and its revisions)


def check_field(field: str) -> str:
    """A field `redact` may take out, by the declaration (records/redaction.REDACTABLE)."""
    if field not in REDACTABLE:
        raise InputError(
            _("{field!r} is not a field redact can take out; give one of: {fields}").format(
                field=field, fields=", ".join(REDACTABLE)
            )
        )
    return field


def may_redact(store: Store, entry_id: int, field: str, who: str) -> set[str]:
    """Who may redact the field of the entry (its analyst, and the authors of revisions that held text
    in it); empty when `who` may."""
    allowed = {str(store.entry_row(entry_id)["analyst"]), *store.holders(entry_id, field)}
    return set() if who in allowed else allowed


def redact(store: Store, entry_id: int, field: str, reason: str, who: str, at: str) -> Redacted:
    """Take the field's text out of the entry, every revision of it and the search index, and store the
    rule, in one transaction."""
    check_field(field)
    why = clean_text(reason, "--reason").strip()
    if not why:
        raise InputError(_("empty --reason: say why the text is taken out (it stays in history)"))
    with store.transaction():
        row = store.entry_row(entry_id)
        allowed = may_redact(store, entry_id, field, who)
        if allowed:
            raise InputError(
                _(
                    "{who} may not redact entry {id}: only its analyst or the author of a revision that "
                    "holds the text may ({allowed}); ask one of them"
                ).format(who=who, id=entry_id, allowed=", ".join(sorted(allowed)))
            )
        entry_uuid = str(row["uuid"])
        values = {
            "uuid": str(uuidlib.uuid4()),
            "entry": entry_uuid,
            "field": field,
            "reason": why,
            "by": who,
            "at": at,
        }
        store.add_redaction(values)
        changed = store.redact_text(entry_id, field)
        store.purge_search_index()
    return Redacted(entry_id, field, changed)
