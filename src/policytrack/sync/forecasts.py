"""Forecasts in `policytrack sync`: a forecast is written once and can only be withdrawn, so each travels
as its current state (made, or made and withdrawn) and merges by uuid; two withdrawals made apart keep the
earlier, in every database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from policytrack.core.errors import InputError
from policytrack.store import Store
from policytrack.sync.record import Incoming, Received, Record, RecordKind, Sender, check_text, unknown

# What `export forecasts` writes, but the local id: the one list of a forecast's fields.
_SHARED = (
    "uuid",
    "framework",
    "indicator",
    "level",
    "due",
    "likelihood",
    "confidence",
    "note",
    "analyst",
    "made_on",
    "recorded_at",
    "withdrawn_at",
    "withdrawn_by",
)
_FIELDS = frozenset({"kind", *_SHARED})


def _check(record: Record) -> None:
    for key in _SHARED:
        if key == "likelihood":
            if type(record[key]) is not int:
                raise InputError("likelihood must be a whole number")
            continue
        check_text(record, key, none=key in ("confidence", "withdrawn_at", "withdrawn_by"))


def _outgoing(store: Store, sender: Sender) -> list[tuple[Record, Any]]:
    return [({"kind": "forecast", **{k: r[k] for k in _SHARED}}, None) for r in store.sync_forecast_rows()]


def _apply(store: Store, records: Sequence[Incoming], received: Received, sender: Sender) -> None:
    from policytrack.exchange.forecasts import forecast_values  # the one check of a forecast record

    frameworks: dict[str, Any] = {}
    for item in records:
        rec = item.record
        name = rec["framework"]
        if name not in frameworks:
            frameworks[name] = store.framework(name)
        if frameworks[name] is None:
            raise unknown(item.where, f"framework {name!r}")
        try:
            fields = {k: v for k, v in rec.items() if k != "kind"}
            values = forecast_values(frameworks[name], fields, date.fromisoformat(rec["made_on"]))
        except (InputError, ValueError) as exc:
            raise InputError(f"{item.where}: {exc}") from None
        store.merge_forecast(values)
        if values["withdrawn_at"]:
            store.earlier_withdrawal(values["uuid"], values["withdrawn_at"], values["withdrawn_by"] or "")


FORECASTS = RecordKind("forecast", _FIELDS, _check, _outgoing, _apply)
