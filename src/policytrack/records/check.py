"""The declarative rules of a field, applied: every validator (`log`, `edit`, `import`, `source import`,
`import --forecasts`, sync) checks a value against its `Field` here, so one value gets one verdict and one
message, naming the field and the fix, whichever way it came in.

What is declared is checked here (type, bounds, choices, pattern, free text's length, a label's and a key's
characters); a kind's cross-field rules (an outlet is not the source itself, a due date after the start)
live with its validator in the domain.
"""

from __future__ import annotations

import re
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _, number
from policytrack.core.storable import MAX_CELL_TEXT, clean_text, utf16_length
from policytrack.records.columns import LIST_SEPARATOR
from policytrack.records.field import KEY_PATTERN, Field

# Characters no label (a tag, an actor, a signal's key) or key may hold: C0 and C1 controls, DEL and the
# Unicode line and paragraph separators. Free text keeps them (the display boundary shows them literally).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SEPARATOR = LIST_SEPARATOR.strip()
_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(text: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(text)
    if compiled is None:
        compiled = _PATTERNS[text] = re.compile(text)
    return compiled


def shown(value: Any) -> str:
    """A value as a message quotes it: text cut to 40 characters, anything else by its type."""
    if isinstance(value, str):
        return repr(value[:40] + "..." if len(value) > 40 else value)
    return repr(value) if isinstance(value, int | float) else type(value).__name__


def fits_a_cell(field: Field, text: str, name: str | None = None) -> str:
    """Free text as a spreadsheet cell holds it whole: at most MAX_CELL_TEXT UTF-16 units (an emoji
    outside the Basic Multilingual Plane is two), so no format ever cuts it. `name` is what the message
    calls it (an option, such as --reason), the field's name by default."""
    if len(text) > MAX_CELL_TEXT // 2 and utf16_length(text) > MAX_CELL_TEXT:
        raise InputError(
            _(
                "{name} is {text} characters long as a spreadsheet counts them (UTF-16 units), over the "
                "{max_cell_text} a cell holds: shorten it"
            ).format(
                name=name or field.name, text=number(utf16_length(text)), max_cell_text=number(MAX_CELL_TEXT)
            )
        )
    return text


def text(field: Field, value: str, name: str | None = None) -> str:
    """A text field's value as it is: storable text (clean_text) that fits a cell if people type it;
    `name` as in fits_a_cell."""
    checked = clean_text(value, name or field.name)
    return fits_a_cell(field, checked, name) if field.free_text else checked


def label(field: Field, value: str) -> str:
    """One item of a list field (a tag, an actor), trimmed: one line, no list separator, no control
    character, not empty."""
    item = clean_text(value, field.name).strip()
    if not item:
        raise InputError(
            _("empty {name} item: give a non-empty value or leave it out").format(name=field.name)
        )
    if _SEPARATOR in item:
        raise InputError(
            _(
                "{name} item {item} contains {separator!r}, which separates them in CSV files: give each "
                "as its own item"
            ).format(name=field.name, item=shown(item), separator=_SEPARATOR)
        )
    if "\n" in item or "\r" in item:
        raise InputError(
            _("{name} item {item} runs over several lines: give it on one line").format(
                name=field.name, item=shown(item)
            )
        )
    bad = CONTROL.search(item)
    if bad is not None:
        raise InputError(
            _("{name} item {item} holds the control character U+{code:04X}: remove it").format(
                name=field.name, item=shown(item), code=ord(bad.group())
            )
        )
    return item


def labels(field: Field, values: list[str]) -> list[str]:
    """A list field's items, each checked, duplicates dropped, in order; together they fit one cell."""
    out: list[str] = []
    for value in values:
        item = label(field, value)
        if item not in out:
            out.append(item)
    fits_a_cell(field, LIST_SEPARATOR.join(out))
    return out


def integer(field: Field, value: int, fix: str = "") -> int:
    """A whole number within the field's bounds; `fix` says what the numbers mean."""
    low, high = field.minimum, field.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        span = (
            _("from {low} to {high}").format(low=low, high=high)
            if low is not None and high is not None
            else _("from {low}").format(low=low)
        )
        raise InputError(
            _("invalid {name} {value}: use a whole number {span}{fix}").format(
                name=field.name, value=value, span=span, fix=fix
            )
        )
    return value


def choice(field: Field, value: str) -> str:
    """One of the field's choices, as typed in any case; the choices named otherwise."""
    assert field.choices is not None
    wanted = value.strip().lower()
    if wanted not in field.choices:
        raise InputError(
            _("invalid {name} {value}: use one of {choices}").format(
                name=field.name, value=shown(value), choices=", ".join(field.choices)
            )
        )
    return wanted


def key(field: Field, value: str, fix: str) -> str:
    """A key (lower-case letters, digits and the field's punctuation), lower-cased and trimmed."""
    wanted = value.strip().lower()
    if not _pattern(field.pattern or KEY_PATTERN).fullmatch(wanted):
        raise InputError(
            _("invalid {name} {value}: {fix}").format(name=field.name, value=shown(value), fix=fix)
        )
    return wanted


def matches(field: Field, value: str, fix: str) -> str:
    """A value that follows the field's declared pattern."""
    assert field.pattern is not None
    if not _pattern(field.pattern).fullmatch(value):
        raise InputError(
            _("invalid {name} {value}: {fix}").format(name=field.name, value=shown(value), fix=fix)
        )
    return value


def language(field: Field, value: str) -> str:
    """A language tag (BCP 47, checked for its form): trimmed, its primary language lower-cased (FR-ca ->
    fr-ca); empty stays empty where the field allows it (no translation)."""
    tag = clean_text(value, field.name).strip()
    primary, dash, rest = tag.partition("-")
    return matches(
        field,
        primary.lower() + dash + rest,
        _("give a BCP 47 language tag such as fr, en-GB or bm, or und if it is not known"),
    )
