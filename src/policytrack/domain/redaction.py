"""Redaction: a free-text field of an entry taken out of every revision of it, for good (`redact`).

Who may: the entry's analyst, or the author of a revision in which the field holds text. The rule is
stored (records/redaction.py) and travels in sync, so every teammate's database applies it, to revisions
that arrive later too. Nothing here prints.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.records.check import text
from policytrack.records.redaction import REDACTABLE, REDACTION, TAKEN_WITH
from policytrack.store import Store
from policytrack.store.redactions import marker_of


@dataclass(frozen=True)
class Redacted:
    entry_id: int
    field: str
    revisions: int  # rows whose text was taken out (the entry's current state and its revisions)
    already: bool = False  # it was redacted already: nothing new stored
    also: tuple[str, ...] = ()  # fields that restate it (its translation), taken out with it


def check_field(field: str) -> str:
    """A field `redact` may take out, by the declaration (records/redaction.REDACTABLE)."""
    if field not in REDACTABLE:
        raise InputError(
            _("{field!r} is not a field redact can take out; give one of: {fields}").format(
                field=field, fields=", ".join(REDACTABLE)
            )
        )
    return field


def refuse_redacted(store: Store, entry_id: int, values: dict[str, Any], fix: str | None = None) -> None:
    """Refuse new text in a field redacted of the entry (values as the store keeps them: lists as JSON):
    the one check of every path that writes an entry's free text (`edit`, a return, `import`)."""
    refuse_redacted_text(store, {str(store.entry_row(entry_id)["uuid"]): values}, fix)


def refuse_redacted_text(store: Store, rows: Mapping[str, Mapping[str, Any]], fix: str | None = None) -> None:
    """Refuse new text in a field redacted of an entry, for entries by uuid (held here or not yet: a
    redaction received for an entry this database lacks is the rule its revisions meet when they
    arrive). The redaction is a standing rule every teammate's sync applies to later revisions too, so
    the text would be kept here and replaced by the marker everywhere else. `fix` is the end of the
    message (what the person can do instead), naming {field}."""
    held = store.redactions_of(list(rows))
    if not held:
        return
    local = store.entry_ids_by_uuid(list(held))
    for uuid, redactions in held.items():
        for row in redactions:
            name = row["field"]
            if rows[uuid].get(name) not in (None, "", "[]", marker_of(name)):
                entry = str(local[uuid]) if uuid in local else "@" + uuid[:8]
                raise InputError(
                    _(
                        "{field} of entry {id} is redacted, for good: it cannot hold text again (every "
                        "teammate's sync would take it out); {fix}"
                    ).format(
                        field=name,
                        id=entry,
                        fix=(fix or _("leave {field} as it is, or put the text in another field")).format(
                            field=name
                        ),
                    )
                )


def already_redacted(store: Store, entry_id: int, field: str) -> bool:
    """Whether the entry's field is redacted already (here, or by a redaction received in sync)."""
    uuid = str(store.entry_row(entry_id)["uuid"])
    return any(row["field"] == field for row in store.redactions_of([uuid]).get(uuid, []))


def may_redact(store: Store, entry_id: int, field: str, who: str) -> set[str]:
    """Who may redact the field of the entry (its analyst, and the authors of revisions that held text
    in it); empty when `who` may."""
    allowed = {str(store.entry_row(entry_id)["analyst"]), *store.holders(entry_id, field)}
    return set() if who in allowed else allowed


def redact(store: Store, entry_id: int, field: str, reason: str, who: str, at: str) -> Redacted:
    """Take the field's text out of the entry, every revision of it and the search index, and store the
    rule, in one transaction."""
    check_field(field)
    # by its declaration, as every teammate's sync checks the line (a longer one would be refused there)
    why = text(REDACTION["reason"], reason, "--reason").strip()
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
        # the field's restatements (its translation) go with it, where the same person may take them out
        also = tuple(
            other
            for other in TAKEN_WITH.get(field, ())
            if store.holders(entry_id, other)
            and not already_redacted(store, entry_id, other)
            and not may_redact(store, entry_id, other, who)
        )
        if already_redacted(store, entry_id, field) and not also:  # one rule per field: a second row
            return Redacted(entry_id, field, 0, already=True)  # would say nothing
        changed = 0
        for name in (field, *also) if not already_redacted(store, entry_id, field) else also:
            store.add_redaction(
                {
                    "uuid": str(uuidlib.uuid4()),
                    "entry": str(row["uuid"]),
                    "field": name,
                    "reason": why,
                    "by": who,
                    "at": at,
                }
            )
            changed += store.redact_text(entry_id, name)
        store.purge_search_index()
    return Redacted(entry_id, field, changed, also=also)
