"""Disagreement: each analyst's latest assessment of an indicator in a window, their consensus (the median
level) and spread, and whether the indicator is contested (their latest assessments differ).

Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from policytrack.core.dates import PartialDate
from policytrack.core.i18n import _, ngettext
from policytrack.records.models import Framework, Indicator, StatusLevel
from policytrack.store import Store


@dataclass(frozen=True)
class Assessment:
    """One analyst's latest assessment of an indicator: the level and its date."""

    analyst: str
    level: StatusLevel
    date: PartialDate


@dataclass(frozen=True)
class Disagreement:
    """The analysts' latest assessments of one indicator in a window (one each, by analyst name)."""

    indicator: Indicator
    assessments: tuple[Assessment, ...]

    @property
    def contested(self) -> bool:
        return len({a.level.name for a in self.assessments}) > 1

    @property
    def consensus(self) -> StatusLevel | None:
        """The median level; with an even number of analysts, the lower of the two middle ones (a level
        on the scale, never a point between two)."""
        if not self.assessments:
            return None
        ordered = sorted((a.level for a in self.assessments), key=lambda level: level.rank)
        return ordered[(len(ordered) - 1) // 2]

    @property
    def spread(self) -> int:
        """How many steps of the scale lie between the lowest and the highest assessment (0: agreed)."""
        ranks = [a.level.rank for a in self.assessments]
        return max(ranks) - min(ranks) if ranks else 0

    def describe(self) -> str:
        """`regional (consensus commitment, spread 2 levels: ana in-progress, ben no-action)`."""
        assert self.consensus is not None
        who = ", ".join(f"{a.analyst} {a.level.name}" for a in self.assessments)
        steps = ngettext("{count} level", "{count} levels", self.spread).format(count=self.spread)
        return _("{key} (consensus {consensus}, spread {steps}: {who})").format(
            key=self.indicator.key, consensus=self.consensus.name, steps=steps, who=who
        )


def disagreements(
    store: Store, fw: Framework, indicators: Sequence[Indicator], since: date | None, until: date | None
) -> list[Disagreement]:
    """One per indicator given, in its order: the latest assessment of each analyst dated from `since` to
    `until` (both inclusive; None: no bound)."""
    by_id: dict[int, list[Assessment]] = {}
    ids = [ind.id for ind in indicators if ind.id is not None]
    for row in store.latest_by_analyst(ids, (since or date.min).isoformat(), (until or date.max).isoformat()):
        by_id.setdefault(row["indicator_id"], []).append(
            Assessment(row["analyst"], fw.level(row["status"]), PartialDate.from_stored(row["date"]))
        )
    return [Disagreement(ind, tuple(by_id.get(ind.id or 0, []))) for ind in indicators]


def contested_keys(store: Store) -> set[tuple[str, str]]:
    """(framework, indicator key) of every contested indicator of the database, over all time: what an
    import compares before and after."""
    out: set[tuple[str, str]] = set()
    for name in store.framework_names():
        fw = store.framework(name)
        if fw is None:
            continue
        for d in disagreements(store, fw, fw.indicators, None, None):
            if d.contested:
                out.add((fw.name, d.indicator.key))
    return out
