"""Forecasts in `policytrack sync`: a forecast is written once and can only be withdrawn, so each travels
as its current state (made, or made and withdrawn) and merges by uuid; two withdrawals made apart keep the
earlier, in every database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.records.forecast import FORECAST
from policytrack.store import Store
from policytrack.sync.record import (
    Incoming,
    LineProblem,
    Received,
    Record,
    RecordKind,
    Sender,
    shared,
    unknown,
)

# A forecast as sync sends it: its synced fields (not its local id or indicator id, not the due date's end,
# which is derived from the due date).
_SHARED = FORECAST.subset("synced forecast", FORECAST.description, FORECAST.names(synced=True))


def _check(record: Record) -> None:
    return None  # the declaration's rules; applying it runs import's check (forecast_values)


def _outgoing(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    return [(shared("forecast", _SHARED, dict(r)), None) for r in store.sync_forecast_rows()]


def _apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    from policytrack.exchange.forecasts import forecast_values  # the one check of a forecast record

    frameworks: dict[str, Any] = {}
    for item in records:
        rec = item.record
        name = rec["framework"]
        if name not in frameworks:
            frameworks[name] = store.framework(name)
        if frameworks[name] is None:
            raise unknown(item.where, _("framework {name!r}").format(name=name))
        try:
            fields = {k: v for k, v in rec.items() if k != "kind"}
            values = forecast_values(frameworks[name], fields, date.fromisoformat(rec["made_on"]))
        except (InputError, ValueError) as exc:
            raise LineProblem(item.where, str(exc)) from None
        store.merge_forecast(values)
        if values["withdrawn_at"]:
            store.earlier_withdrawal(values["uuid"], values["withdrawn_at"], values["withdrawn_by"] or "")


FORECASTS = RecordKind("forecast", _SHARED, _check, _outgoing, _apply)
