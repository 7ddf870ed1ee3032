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

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from rich.style import Style
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
