"""Rendering signposts: each signal observed (when, by which entries, from which sources) or awaited.

rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from policytrack.models import plural
from policytrack.render.text import literal
from policytrack.signposts import SignpostState

if TYPE_CHECKING:
    from rich.table import Table


def signposts_count(states: Sequence[SignpostState]) -> str:
    """`signposts: 3 of 14 observed (2 progress, 1 regression)`."""
    seen = [s for s in states if s.observed]
    progress = sum(s.signal.direction == "progress" for s in seen)
    return (
        f"signposts: {len(seen)} of {plural(len(states), 'signal')} observed "
        f"({progress} progress, {len(seen) - progress} regression)"
    )


def signposts_table(states: Sequence[SignpostState], title: str, *, indicator_column: bool = True) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=literal(title, style="table.title"), box=box.SIMPLE_HEAD, pad_edge=False)
    if indicator_column:
        table.add_column("Indicator", no_wrap=True)
    table.add_column("Key", no_wrap=True)
    table.add_column("Dir.", no_wrap=True)
    table.add_column("Signal", ratio=3, min_width=24)
    table.add_column("State", no_wrap=True)
    table.add_column("First", no_wrap=True)
    table.add_column("Last", no_wrap=True)
    table.add_column("Entries")
    table.add_column("Sources", ratio=1, min_width=10)
    for s in states:
        direction = "+" if s.signal.direction == "progress" else "-"
        kind = f" ({s.signal.kind})" if s.signal.kind else ""
        cells = [s.indicator.key] if indicator_column else []
        table.add_row(
            *cells,
            literal(s.signal.key),
            direction,
            literal(s.signal.text + kind),
            Text(s.state, style="bold" if s.observed else "dim"),
            str(s.first) if s.first else "-",
            str(s.last) if s.last else "-",
            ", ".join(map(str, s.entries)) or "-",
            literal("; ".join(s.sources)) if s.sources else "-",
        )
    return table
