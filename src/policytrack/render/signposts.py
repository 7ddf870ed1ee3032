"""Rendering signposts: each signal observed (when, by which entries, from which sources) or awaited.

rich is imported inside each function: it loads only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from policytrack.core.i18n import _
from policytrack.domain.signposts import SignpostState
from policytrack.records.models import plural
from policytrack.render.text import fitted, literal, longest_word

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table


def signposts_count(states: Sequence[SignpostState]) -> str:
    """`signposts: 3 of 14 observed (2 progress, 1 regression)`."""
    seen = [s for s in states if s.observed]
    progress = sum(s.signal.direction == "progress" for s in seen)
    return _("signposts: {seen} of {signals} observed ({progress} progress, {regression} regression)").format(
        seen=len(seen),
        signals=plural(len(states), "signal", "signals"),
        progress=progress,
        regression=len(seen) - progress,
    )


# Columns a narrow terminal leaves out, in the order they go (with their least width), and what shows them.
_DROPPABLE = (("Sources", 10), ("Entries", 7), ("First", 10), ("Last", 10))
LEFT_OUT_HINT = _("a wider terminal or `policytrack signposts KEY --format csv` shows them")


def _headers() -> dict[str, str]:
    """The table's column headers in the chosen language, by their English name (the layout code's)."""
    return {
        "Indicator": _("Indicator"),
        "Indicator\nkey": _("Indicator\nkey"),
        "Key": _("Key"),
        "Dir.": _("Dir."),
        "Signal": _("Signal"),
        "State": _("State"),
        "First": _("First"),
        "Last": _("Last"),
        "Entries": _("Entries"),
        "Sources": _("Sources"),
    }


def _state(s: SignpostState) -> str:
    """A signal's state in the reader's language (domain.signposts names it in English, for data)."""
    return _("observed") if s.observed else _("awaited")


def signposts_table(
    states: Sequence[SignpostState],
    title: str,
    *,
    indicator_column: bool = True,
    width: int | None = None,
    plain: bool = False,
) -> tuple[Table, list[str]]:
    """The signals for people, and the headers of the columns left out to fit `width` (None: none are, and
    rich decides): keys, directions and states whole, signal texts, entries and sources wrapped, never
    cut. `plain` draws the rules in ASCII."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from policytrack.render.entries import SUMMARY_MIN, fit

    h = _headers()
    # however narrow, the signal texts' words stay whole (a word longer than FOLDED_WORD, a URL, folds)
    longest = longest_word(s.signal.text for s in states)
    key_width = max(len(h["Key"]), max((len(s.signal.key) for s in states), default=0))
    state_width = max(len(h["State"]), max((len(_state(s)) for s in states), default=0))
    indicator_width = max(len(h["Indicator"]), max((len(s.indicator.key) for s in states), default=0))
    fixed = [key_width, len(h["Dir."]), state_width, *([indicator_width] if indicator_column else [])]
    # where even the signal's least width does not fit beside them, the key goes under its indicator
    stacked = indicator_column and width is not None and sum(w + 3 for w in fixed) + SUMMARY_MIN + 2 > width
    if stacked:
        fixed = [max(key_width, indicator_width), len(h["Dir."]), state_width]
    droppable = [(name, max(least, len(h[name]))) for name, least in _DROPPABLE]
    dropped, widths = fit(fixed, droppable, width)
    signal_width = widths.get("Summary")  # the signal text takes the summary's place in fit's sums
    if signal_width is not None:
        signal_width = max(signal_width, longest)
    table = Table(
        title=literal(title, style="table.title"),
        box=box.ASCII2 if plain else box.SIMPLE_HEAD,
        pad_edge=False,
    )
    if stacked:
        table.add_column(h["Indicator\nkey"], no_wrap=True)
    else:
        if indicator_column:
            table.add_column(h["Indicator"], no_wrap=True)
        table.add_column(h["Key"], no_wrap=True)
    table.add_column(h["Dir."], no_wrap=True)
    table.add_column(
        h["Signal"],
        ratio=3,
        min_width=min(SUMMARY_MIN, signal_width or SUMMARY_MIN),
        width=signal_width,
        overflow="fold",
    )
    table.add_column(h["State"], no_wrap=True)
    for name in ("First", "Last"):
        if name not in dropped:
            table.add_column(h[name], no_wrap=True)
    if "Entries" not in dropped:
        table.add_column(h["Entries"], min_width=7, overflow="fold")
    if "Sources" not in dropped:
        table.add_column(h["Sources"], ratio=1, min_width=10, overflow="fold")
    for s in states:
        direction = "+" if s.signal.direction == "progress" else "-"
        kind = f" ({s.signal.kind})" if s.signal.kind else ""
        if stacked:
            cells: list[RenderableType] = [literal(f"{s.indicator.key}\n{s.signal.key}")]
        else:
            cells = [literal(s.indicator.key)] if indicator_column else []
            cells.append(literal(s.signal.key))
        cells += [
            direction,
            literal(s.signal.text + kind),
            Text(_state(s), style="bold" if s.observed else "dim"),
        ]
        if "First" not in dropped:
            cells.append(str(s.first) if s.first else "-")
        if "Last" not in dropped:
            cells.append(str(s.last) if s.last else "-")
        if "Entries" not in dropped:
            cells.append(", ".join(map(str, s.entries)) or "-")
        if "Sources" not in dropped:
            cells.append(literal("; ".join(s.sources)) if s.sources else "-")
        table.add_row(*cells)
    left_out = [h[name] for name in dropped]
    if width is not None:  # where even the least columns do not fit whole, the signal's text goes first
        left_out += fitted(table, width, first=[h["Signal"], h["Dir."]])
    return table, left_out
