"""Signposts: each signal of an indicator, observed (by which entries, when, from which sources) or still
awaited, in a window. Nothing here prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from policytrack.core.dates import PartialDate, window_end
from policytrack.records.models import Framework, Indicator, Signal, resolve_indicator
from policytrack.store import Store


@dataclass(frozen=True)
class SignpostState:
    """One signal of an indicator and the entries that observe it (none: awaited)."""

    indicator: Indicator
    signal: Signal
    entries: tuple[int, ...]  # ids of the entries that observe it, oldest first
    first: PartialDate | None
    last: PartialDate | None
    sources: tuple[str, ...]  # distinct, in the order first cited

    @property
    def observed(self) -> bool:
        return bool(self.entries)

    @property
    def state(self) -> str:
        return "observed" if self.entries else "awaited"


def signposts(
    store: Store,
    fw: Framework,
    indicators: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
) -> list[SignpostState]:
    """Every signal of the chosen indicators (all of them if none), with the current entries dated from
    `since` to `until` that observe it."""
    end = window_end(since, until) or date.max
    chosen = {resolve_indicator(fw, k).key for k in indicators}
    inds = [ind for ind in fw.indicators if not chosen or ind.key in chosen]
    seen: dict[tuple[int, str], list[Any]] = {}
    ids = [ind.id for ind in inds if ind.id is not None]
    for row in store.signal_observations(ids, (since or date.min).isoformat(), end.isoformat()):
        seen.setdefault((row["indicator_id"], row["signal"]), []).append(row)
    out = []
    for ind in inds:
        for sig in ind.signals:
            rows = seen.get((ind.id or 0, sig.key), [])
            sources: list[str] = []
            for r in rows:
                if r["source"] and r["source"] not in sources:
                    sources.append(r["source"])
            out.append(
                SignpostState(
                    ind,
                    sig,
                    tuple(r["id"] for r in rows),
                    PartialDate.from_stored(rows[0]["date"]) if rows else None,
                    PartialDate.from_stored(rows[-1]["date"]) if rows else None,
                    tuple(sources),
                )
            )
    return out


def signpost_dicts(states: Sequence[SignpostState]) -> list[dict[str, Any]]:
    return [
        {
            "indicator": s.indicator.key,
            "signal": s.signal.key,
            "direction": s.signal.direction,
            "kind": s.signal.kind or None,
            "text": s.signal.text,
            "state": s.state,
            "first": str(s.first) if s.first else None,
            "last": str(s.last) if s.last else None,
            "entries": [str(i) for i in s.entries],
            "sources": list(s.sources),
        }
        for s in states
    ]
