"""Plain-text tables for a pipe or a file: one line a row, each column padded to a width known before the
rows, written as the rows are read. rich lays a whole table out in memory (0.7 ms a row); a listing piped
into grep or a file can hold a million rows, so it is written here, as `sqlite3 -box` writes, in flat memory.

Stored text passes the display boundary (render.text): control characters made visible, clipped to what a
table shows; a newline or tab inside a cell is written as `\\n` or `\\t`, so that a row stays one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from policytrack.render.text import clipped, visible

_ONE_LINE = str.maketrans({"\n": "\\n", "\t": "\\t", "\r": "\\r"})


@dataclass(frozen=True)
class PlainColumn:
    """A column: its header, the width its cells are padded to (at least the header's), and whether they
    are aligned right (numbers)."""

    name: str
    width: int = 0
    right: bool = False


def cell(text: str) -> str:
    """Stored text as one plain cell: clipped, control characters visible, on one line."""
    return visible(clipped(text)).translate(_ONE_LINE)


def plain_lines(columns: Sequence[PlainColumn], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The header, a rule, then a line per row (cells already passed through `cell` where they hold stored
    text); the last column is not padded, and a cell wider than its column pushes the rest of its row."""
    widths = [max(c.width, len(c.name)) for c in columns]
    last = len(columns) - 1

    def line(cells: Sequence[str]) -> str:
        parts = [
            text if i == last and not c.right else text.rjust(w) if c.right else text.ljust(w)
            for i, (c, w, text) in enumerate(zip(columns, widths, cells, strict=True))
        ]
        return "  ".join(parts).rstrip() + "\n"

    yield line([c.name for c in columns])
    yield line(["-" * w for w in widths])
    for row in rows:
        yield line(row)
