"""The display boundary: stored or imported text, made safe to show in a terminal, HTML, SVG or markdown.

Text that came from a user or a file (summaries, sources, framework titles...) is shown literally: never
read as rich markup, and with control characters made visible rather than sent to the terminal. The
convention is Python's escape notation: a C0 or C1 control character (U+0000-U+001F but newline and tab,
DEL U+007F, U+0080-U+009F) is shown as `\\xNN` (ESC as `\\x1b`, BEL as `\\x07`, CSI as `\\x9b`), and a
bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) as `\\uNNNN`, so it cannot
reorder what follows it. Everything else, accents and brackets included, passes through unchanged.
CSV, JSON and exports keep the stored bytes; this is for display only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.style import Style
    from rich.text import Text

_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_VISIBLE: dict[int, str] = {
    **{c: f"\\x{c:02x}" for c in _CONTROLS if chr(c) not in "\n\t"},
    **{c: f"\\u{c:04x}" for c in _BIDI},
}


def visible(text: str) -> str:
    """The text with its control characters (but newline and tab) and bidi overrides written as escapes."""
    return text.translate(_VISIBLE)


def literal(text: str, style: str | Style = "") -> Text:
    """Stored text as a rich Text: control characters made visible, never parsed as markup or emoji."""
    from rich.text import Text

    return Text(visible(text), style=style)
