"""What text may be stored: valid UTF-8 without NUL, at most MAX_FIELD characters. Every layer checks
text with these before it keeps it."""

from __future__ import annotations

from policytrack.core.errors import InputError
from policytrack.core.i18n import _, number

# The longest text one field may hold, in characters (1 MiB of ASCII), for `log`, `edit` and `import`
# alike; tags and actors count together, as their "; "-joined CSV cell. Import's CSV reader takes cells of
# this size, so whatever `log` accepts survives an export and an import.
MAX_FIELD = 1 << 20
# The most a spreadsheet cell holds, in UTF-16 code units (Excel's limit, as xlsx counts it: an emoji
# outside the Basic Multilingual Plane is two).
MAX_CELL_TEXT = 32_767


def utf16_length(text: str) -> int:
    """The length of `text` as a spreadsheet counts it: UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def storable(text: str) -> bool:
    """Text that can be stored: encodable as UTF-8 (no lone surrogates, which undecodable bytes from the
    terminal or JSON's \\ud800 give) and free of NUL, which CSV readers (Python's csv, Excel) refuse and
    SQLite's text functions stop at."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(raw: str, what: str) -> str:
    """The text as it is, if storable() and at most MAX_FIELD long; else one error saying what is wrong."""
    if len(raw) > MAX_FIELD:
        raise InputError(
            _("{what} is {count} characters long; the limit is {max_field}: shorten it").format(
                what=what, count=number(len(raw)), max_field=number(MAX_FIELD)
            )
        )
    if storable(raw):
        return raw
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            _(
                "{what} is not valid UTF-8 text (it holds a lone surrogate such as \\ud800); check the "
                "terminal's or the file's encoding"
            ).format(what=what)
        ) from None
    raise InputError(_("{what} contains a NUL character (U+0000); remove it").format(what=what))
