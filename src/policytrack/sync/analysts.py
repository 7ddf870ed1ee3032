"""Each analyst's display name in `policytrack sync`: set with `policytrack config set display_name`, it
travels with the analyst's records; the latest one set is the one every database holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.records.analyst import ANALYST
from policytrack.store import Store
from policytrack.sync.record import Incoming, Received, Record, RecordKind, Sender, shared


def _check(record: Record) -> None:
    """Beyond the declaration: a name and a display name are not blank."""
    for f in ANALYST:
        if not str(record[f.name]).strip():
            raise InputError(_("{name} must not be empty").format(name=f.name))


def _outgoing(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    """Every display name held (those received are known already), and this analyst's own when the
    config file names them otherwise (held once sent)."""
    out: list[tuple[Record, Any]] = [
        (shared("analyst", ANALYST, dict(r)), None) for r in store.analyst_rows()
    ]
    if sender.display_name and sender.display_name != store.display_names().get(sender.analyst):
        own = {"name": sender.analyst, "display_name": sender.display_name, "set_at": sender.now}
        out.append((shared("analyst", ANALYST, own), None))
    return out


def _sent(store: Store, items: list[tuple[Any, str, Record]]) -> None:
    for _item, _path, rec in items:
        store.put_analyst(rec["name"], rec["display_name"], rec["set_at"])


def _apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    for item in records:  # each names only themselves (sync.record.unbound: `name` binds)
        store.put_analyst(item.record["name"], item.record["display_name"], item.record["set_at"])


ANALYSTS = RecordKind("analyst", ANALYST, _check, _outgoing, _apply, _sent)
