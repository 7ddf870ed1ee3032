"""Each analyst's display name in `policytrack sync`: set with `policytrack config set display_name`, it
travels with the analyst's records; the latest one set is the one every database holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policytrack.core.errors import InputError
from policytrack.store import Store
from policytrack.sync.record import Incoming, Received, Record, RecordKind, Sender, check_text

_FIELDS = frozenset({"kind", "name", "display_name", "set_at"})


def _check(record: Record) -> None:
    for key in ("name", "display_name", "set_at"):
        check_text(record, key, empty=False)


def _outgoing(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    """Every display name held (those received are known already), and this analyst's own when the
    config file names them otherwise (held once sent)."""
    out: list[tuple[Record, Any]] = [({"kind": "analyst", **dict(r)}, None) for r in store.analyst_rows()]
    if sender.display_name and sender.display_name != store.display_names().get(sender.analyst):
        out.append(
            (
                {
                    "kind": "analyst",
                    "name": sender.analyst,
                    "display_name": sender.display_name,
                    "set_at": sender.now,
                },
                None,
            )
        )
    return out


def _sent(store: Store, items: list[tuple[Any, str, Record]]) -> None:
    for _, _, rec in items:
        store.put_analyst(rec["name"], rec["display_name"], rec["set_at"])


def _apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    for item in records:
        folder = item.where.split("/")[1]
        if item.record["name"] != folder:
            raise InputError(
                f"{item.where}: a display name for {item.record['name']!r} in {folder!r}'s file (each "
                "analyst names only themselves); nothing of this sync was imported: ask its author to fix it"
            )
        store.put_analyst(item.record["name"], item.record["display_name"], item.record["set_at"])


ANALYSTS = RecordKind("analyst", _FIELDS, _check, _outgoing, _apply, _sent)
