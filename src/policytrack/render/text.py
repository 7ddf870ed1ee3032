"""The display boundary: stored or imported text, made safe to show in a terminal, HTML, SVG or markdown.

Text that came from a user or a file (summaries, sources, framework titles...) is shown literally: never
read as rich markup, and with control characters made visible rather than sent to the terminal. The
convention is Python's escape notation: a C0 or C1 control character (U+0000-U+001F but newline and tab,
DEL U+007F, U+0080-U+009F) is shown as `\\xNN` (ESC as `\\x1b`, BEL as `\\x07`, CSI as `\\x9b`), and a
bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) or mark (U+200E, U+200F,
U+061C), a line or paragraph separator (U+2028, U+2029), a zero-width space (U+200B) or a byte-order mark
(U+FEFF) as `\\uNNNN`, so it can neither reorder nor hide what follows it. A noncharacter (U+FDD0-U+FDEF,
and the last two code points of every plane: U+FFFE, U+FFFF, U+1FFFE ...) is shown as `\\uNNNN` or
`\\UNNNNNNNN`: XML refuses U+FFFE and U+FFFF, and an HTML parser reports every noncharacter as an error.
Everything else, accents, brackets and emoji joiners included, passes through unchanged.
CSV, JSON and exports keep the stored bytes; this is for display only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from rich.style import Style
    from rich.table import Table
    from rich.text import Text

_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
# Bidi embeddings, overrides and isolates, the bidi marks (LRM, RLM, ALM), line and paragraph separators
# (a line break a terminal does not show as one), and the invisible zero-width space and byte-order mark.
_BIDI = [
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x200E,
    0x200F,
    0x061C,
    0x2028,
    0x2029,
    0x200B,
    0xFEFF,
]
_NONCHARACTERS = [
    *range(0xFDD0, 0xFDF0),
    *(plane + end for plane in range(0, 0x110000, 0x10000) for end in (0xFFFE, 0xFFFF)),
]
_VISIBLE: dict[int, str] = {
    **{c: f"\\x{c:02x}" for c in _CONTROLS if chr(c) not in "\n\t"},
    **{c: f"\\u{c:04x}" for c in _BIDI},
    **{c: f"\\u{c:04x}" if c <= 0xFFFF else f"\\U{c:08x}" for c in _NONCHARACTERS},
}


def visible(text: str) -> str:
    """The text with its control characters (but newline and tab) and bidi overrides written as escapes."""
    return text.translate(_VISIBLE)


# How much of one field a table cell or panel shows. Laying out a megabyte of text in a table takes rich
# minutes (it grows with the square of the lines); the rest is named, never dropped silently.
MAX_SHOWN_CHARACTERS = 4_000
MAX_SHOWN_LINES = 60


def clipped(text: str) -> str:
    """At most MAX_SHOWN_CHARACTERS characters in MAX_SHOWN_LINES lines of `text`, and how much more
    there is (`--format json` and `export` give all of it)."""
    head = text[:MAX_SHOWN_CHARACTERS]
    if head.count("\n") >= MAX_SHOWN_LINES:
        head = "\n".join(head.split("\n")[:MAX_SHOWN_LINES])
    if len(head) == len(text):
        return text
    return f"{head} [... {len(text) - len(head):,} more characters; --format json shows all]"


def literal(text: str, style: str | Style = "") -> Text:
    """Stored text as a rich Text: clipped to what a table can show, control characters made visible,
    never parsed as markup or emoji."""
    from rich.text import Text

    return Text(visible(clipped(redacted_shown(text))), style=style)


def redacted_shown(text: str) -> str:
    """A stored value: the redaction marker (fixed in every database) in the reader's language."""
    from policytrack.core.i18n import _
    from policytrack.records.redaction import MARKER

    return _("[redacted]") if text == MARKER else text


def source_link(source: str) -> str | None:
    """The text as a link target when it is a whole http(s) URL; no other scheme (javascript:, data:,
    file:...) is ever linked, in the brief, a published bundle's metadata or anywhere else: such text is
    shown as text."""
    text = source.strip()
    if not text or any(c.isspace() for c in text) or visible(text) != text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None


# A word longer than this in a column that folds long words (overflow="fold": free text, where a URL may
# be longer than any terminal) is folded rather than costing the column its place.
FOLDED_WORD = 24


def longest_word(texts: Iterable[str]) -> int:
    """The width of the longest word of `texts` as a table shows them, at most FOLDED_WORD."""
    return min(FOLDED_WORD, max((len(w) for text in texts for w in visible(text).split()), default=0))


def fitted(table: Table, width: int, first: Sequence[str] = ()) -> list[str]:
    """Leave out of `table` the columns it cannot show whole in `width` cells, and return their headers.

    Whole means an unwrapped column (no_wrap: ids, dates, keys) as wide as its widest cell and a wrapped
    one as wide as its longest word, so that rich never cuts a value with an ellipsis nor breaks a word
    mid-way. Columns go in the order of `first` (headers), then from the right; the first column (the
    id or key that names the row) always stays. A caller names what went (`left_out_note`). The columns
    that stay are fixed at the widths worked out, for the table to be printed `width` wide."""
    import io

    from rich.console import Console

    console = Console(width=max(width, 1), file=io.StringIO(), color_system=None, emoji=False)
    left_out: list[str] = []
    while len(table.columns) > 1:
        options = console.options.update_width(max(width - table._extra_width, 1))
        widths = table._calculate_column_widths(console, options)
        whole = _whole_widths(table, console)
        fits = sum(widths) + table._extra_width <= width  # rich's last resort overflows the width
        if fits and all(w >= need for w, need in zip(widths, whole, strict=True)):
            _pinned(table, widths)
            break
        headers = [_plain(c.header) for c in table.columns]
        going = next((headers.index(h) for h in first if h in headers[1:]), len(headers) - 1)
        left_out.append(headers[going])
        del table.columns[going]
        for index, column in enumerate(table.columns):
            column._index = index
    return left_out


def _pinned(table: Table, widths: list[int]) -> None:
    """Fix each column at the width rich has just worked out for the table, so that printing it at the
    same width does not measure every cell a third time (what rich does with fixed widths gives those
    widths again: they fit, nothing to share out). Not for a table that spreads itself over the width."""
    pads = [table._get_padding_width(column._index) for column in table.columns]
    if table.expand or table.min_width is not None or any(w <= p for w, p in zip(widths, pads, strict=True)):
        return
    for column, w, pad in zip(table.columns, widths, pads, strict=True):
        column.width = w - pad


def _whole_widths(table: Table, console: Any) -> list[int]:
    """Each column's width (with its padding) that shows every one of its cells whole."""
    from rich.measure import Measurement

    options = console.options.update_width(10_000)
    needs = []
    for column in table.columns:
        cells = [column.header, *column.cells]
        sizes = [Measurement.get(console, options, cell) for cell in cells]
        if column.no_wrap:
            need = max(s.maximum for s in sizes)
        else:
            need = max(s.minimum for s in sizes)
            if column.overflow == "fold":
                need = min(need, FOLDED_WORD)
        if column.min_width is not None:
            need = max(need, column.min_width)
        needs.append(need + table._get_padding_width(column._index))
    return needs


def _plain(header: Any) -> str:
    return header.plain if hasattr(header, "plain") else str(header)
