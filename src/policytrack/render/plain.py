"""Plain-text tables for a pipe or a file: one line a row, each column padded to a width known before the
rows, written as the rows are read. rich lays a whole table out in memory (0.7 ms a row); a listing piped
into grep or a file can hold a million rows, so it is written here, as `sqlite3 -box` writes, in flat memory.

Stored text passes the display boundary (render.text): control characters made visible, clipped to what a
table shows; a newline or tab inside a cell is written as `\\n` or `\\t`, so that a row stays one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from policytrack.render.text import MAX_SHOWN_CHARACTERS, clipped, visible

_ONE_LINE = str.maketrans({"\n": "\\n", "\t": "\\t", "\r": "\\r"})


@dataclass(frozen=True)
class PlainColumn:
    """A column: its header, the width its cells are padded to (at least the header's), and whether they
    are aligned right (numbers)."""

    name: str
    width: int = 0
    right: bool = False


def cell(text: str) -> str:
    """Stored text as one plain cell: clipped, control characters visible, on one line. Most text has
    nothing to change: printable text (str.isprintable: no control character, line break, bidi control,
    zero-width or unassigned code point, every one of which `visible` or the line rule writes as an escape)
    short enough to show whole is written as it is, without three passes over it."""
    if len(text) <= MAX_SHOWN_CHARACTERS and text.isprintable():
        return text
    return visible(clipped(text)).translate(_ONE_LINE)


def plain_lines(columns: Sequence[PlainColumn], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The header, a rule, then a line per row (cells already passed through `cell` where they hold stored
    text); the last column is not padded, and a cell wider than its column pushes the rest of its row."""
    widths = [max(c.width, len(c.name)) for c in columns]
    last = len(columns) - 1
    # one format for every line: str.format pads as rjust/ljust do (by code points), in C
    line = "  ".join(
        "{}" if i == last and not c.right else f"{{:{'>' if c.right else '<'}{w}}}"
        for i, (c, w) in enumerate(zip(columns, widths, strict=True))
    ).format

    yield line(*(c.name for c in columns)).rstrip() + "\n"
    yield line(*("-" * w for w in widths)).rstrip() + "\n"
    for row in rows:
        yield line(*row).rstrip() + "\n"
