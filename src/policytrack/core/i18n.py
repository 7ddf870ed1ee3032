"""The language people read: which one a command uses, and its messages (gettext catalogues kept with Babel).

The language is, in order: `--lang`, the config's `language`, then `LC_ALL`, `LC_MESSAGES`, `LANG`; else
English. The command line chooses it once per command (`choose`); library code that never does reads the
environment. Messages are written in English in the code: in English `_()` and `ngettext()` give them back as
they are, and neither gettext nor Babel is imported, so English start-up stays as quick as before. In another
language the compiled catalogue `locale/LANG/LC_MESSAGES/policytrack.mo` inside the package is read on first
use, lazily: a message is found by a binary search of the file's sorted originals, so a command pays for
the few messages it shows, not for parsing all of them (`Catalogue`); a language without a catalogue
(Bambara today) reads English messages, but its dates (core/dates.py).
Data never changes with the language: CSV, JSON and keys are the same in every one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policytrack.core.errors import InputError

DOMAIN = "policytrack"
ENGLISH = "en"
LOCALE_DIR = Path(__file__).parent.parent / "locale"
# The languages a date is read in after the chosen one (core/dates.py): French, the working language of
# the frameworks that ship, then English.
FALLBACKS = ("fr", "en")

# A language as people give it (fr, fr_FR, fr-CA, bm) or as the locale variables hold it (fr_FR.UTF-8,
# ca_ES@valencia); C and POSIX are English.
_CODE = r"^([A-Za-z]{2,3})(?:[_-]([A-Za-z]{2}|[0-9]{3}))?(?:\.[A-Za-z0-9_-]+)?(?:@[A-Za-z0-9]+)?\Z"
_ENV = ("LC_ALL", "LC_MESSAGES", "LANG")


class _Choice:
    """What the command chose (set once per command by `choose`) and what it resolved to."""

    option: str | None = None
    configured: Callable[[], Any] | None = None
    resolved: str | None = None


def choose(option: str | None = None, configured: Callable[[], Any] | None = None) -> None:
    """Set the language of this command: `option` (from --lang, already checked) wins, then `configured()`
    (the config's `language`, read only if needed), then the locale variables. Resolved on first use."""
    _Choice.option, _Choice.configured = option, configured
    _Choice.resolved = None


def code_of(value: str) -> str | None:
    """The language part of a code or a locale (`fr_FR.UTF-8` -> `fr`), lower-case; None if it is not one."""
    m = re.match(_CODE, value.strip())  # re's cache: not compiled at import, on English's path
    return m.group(1).lower() if m else None


def _from_environment() -> str:
    for name in _ENV:  # the first one set wins, as in the C library (LC_ALL over LC_MESSAGES over LANG)
        value = os.environ.get(name, "")
        if value:
            code = code_of(value)
            # an unknown locale in the environment is not an error of this command: English
            return code if code and known_language(code) else ENGLISH
    return ENGLISH


def language() -> str:
    """The language code of this command's messages and dates (`en`, `fr`, `bm`...)."""
    if _Choice.resolved is None:
        chosen: str | None = _Choice.option
        if chosen is None and _Choice.configured is not None:
            # the messages made while the config file is read (its errors, reported once, by whoever asked
            # first) are in the environment's language, and so is every later one if it cannot be read
            _Choice.resolved = _from_environment()
            chosen = _Choice.configured()
        _Choice.resolved = (code_of(str(chosen)) or ENGLISH) if chosen else _from_environment()
    return _Choice.resolved


def catalogue_languages() -> list[str]:
    """The languages whose messages are translated (a compiled catalogue ships for each)."""
    if not LOCALE_DIR.is_dir():
        return []
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))


def known_language(code: str) -> bool:
    """English, a language with a catalogue, or one whose names CLDR knows (through Babel, imported only
    for a language other than English)."""
    if code == ENGLISH or (LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
        return True
    from babel import localedata

    return bool(localedata.exists(code))


def check_language(value: object, what: str = "--lang") -> str:
    """A language given by a person (--lang, config `language`): its code, or one error with the fix."""
    code = code_of(value) if isinstance(value, str) else None
    if code is None or not known_language(code):
        shown = repr(value)[:40]
        raise InputError(
            _(
                "{what} {shown} is not a language policytrack knows; give a language code such as en, fr "
                "or bm"
            ).format(what=what, shown=shown)
        )
    return code


class Catalogue:
    """A compiled catalogue (GNU .mo) read on demand: `gettext.GNUTranslations` decodes all of its ~800
    messages (about 10 ms) where a command shows a handful. The originals are sorted (Babel's `compile`
    sorts them; tests/test_i18n.py holds every message of the .po file to a lookup here), so one is found
    by binary search over the file's table of offsets. UTF-8, as Babel writes."""

    _MAGIC = 0x950412DE

    def __init__(self, data: bytes) -> None:
        import struct

        self._data = data
        (magic,) = struct.unpack("<I", data[:4])
        order = "<" if magic == self._MAGIC else ">"
        _version, self._count, originals, translations = struct.unpack(f"{order}4I", data[4:20])
        pairs = f"{order}{2 * self._count}I"
        self._originals = struct.unpack_from(pairs, data, originals)  # length, offset, length, offset...
        self._translations = struct.unpack_from(pairs, data, translations)
        self._plural: Callable[[int], int] | None = None

    def _string(self, table: tuple[int, ...], n: int) -> bytes:
        length, offset = table[2 * n], table[2 * n + 1]
        return self._data[offset : offset + length]

    @staticmethod
    def _order(original: bytes) -> tuple[bytes, bytes]:
        """Where Babel's `compile` puts an original: by its message (the singular of a plural), then its
        context ("context\x04message" in the file)."""
        context, _sep, message = original.rpartition(b"\x04")
        return message.split(b"\x00", 1)[0], context

    def _find(self, key: bytes) -> bytes | None:
        wanted = self._order(key)
        low, high = 0, self._count
        while low < high:
            middle = (low + high) // 2
            found = self._string(self._originals, middle)
            if found == key:
                return self._string(self._translations, middle)
            if self._order(found) < wanted:
                low = middle + 1
            else:
                high = middle
        return None

    def gettext(self, message: str) -> str:
        found = self._find(message.encode())
        return found.decode() if found else message

    def pgettext(self, context: str, message: str) -> str:
        """A message whose English says two things (the "By" of who made a change, and the "By" of a date):
        gettext keeps each under its context, written before the message and a \x04."""
        found = self._find(f"{context}\x04{message}".encode())
        return found.decode() if found else message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        found = self._find(f"{singular}\x00{plural}".encode())
        if not found:
            return singular if count == 1 else plural
        forms = found.decode().split("\x00")
        return forms[min(self.plural_form(count), len(forms) - 1)]

    def plural_form(self, count: int) -> int:
        """Which form `count` takes, by the header's `Plural-Forms` (gettext's own reading of it)."""
        if self._plural is None:
            from gettext import c2py

            header = (self._find(b"") or b"").decode()
            rule = re.search(r"plural=([^;\n]+)", header)
            self._plural = c2py(rule.group(1).strip()) if rule else (lambda n: int(n != 1))
        return self._plural(count)


_CATALOGUES: dict[str, Catalogue | None] = {}


def catalogue(lang: str) -> Catalogue | None:
    """The compiled catalogue of a language (read once per process), None if it has none."""
    if lang not in _CATALOGUES:
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        _CATALOGUES[lang] = Catalogue(path.read_bytes()) if path.is_file() else None
    return _CATALOGUES[lang]


def N_(message: str) -> str:
    """A message marked for the catalogue but translated where it is shown (`_(value)`): one written in a
    table that is built before the language is known (the config's keys, read to choose it)."""
    return message


# Texts marked with N_ but filled in English before the language is known (an option's help made of a
# message and values, or of several messages): how to make each one again where it is shown (`later`).
_REMADE: dict[str, Callable[[], str]] = {}


def N_format(message: str, **values: Any) -> str:
    """`N_(message)` filled with `values` now, in English, and again in the language where it is shown
    (`later`): `N_format(N_("Output format: {choices}."), choices="table, csv")`."""
    text = message.format(**values)
    _REMADE[text] = lambda: _(message).format(**values)
    return text


def N_join(*messages: str) -> str:
    """Messages marked with N_ (or made by N_format) joined by a space, each shown in the language where
    the text is shown (`later`): a shared option's help with a command's own sentence after it."""
    text = " ".join(messages)
    _REMADE[text] = lambda: " ".join(later(m) for m in messages)
    return text


def later(text: str) -> str:
    """A text marked with N_ (or made by N_format or N_join) in this command's language, where it is
    shown; a text translated already, or none of these, is returned as it is."""
    remade = _REMADE.get(text)
    return remade() if remade is not None else _(text)


def _(message: str) -> str:
    """The message in this command's language (English: as it is)."""
    lang = language()
    if lang == ENGLISH:
        return message
    messages = catalogue(lang)
    return messages.gettext(message) if messages is not None else message


def pgettext(context: str, message: str) -> str:
    """`_` for a message whose English word has more than one meaning: `context` says which one is meant
    (the catalogue holds one translation per context)."""
    lang = language()
    if lang == ENGLISH:
        return message
    messages = catalogue(lang)
    return messages.pgettext(context, message) if messages is not None else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, by the language's plural rule (English: 1 is singular)."""
    lang = language()
    if lang != ENGLISH:
        messages = catalogue(lang)
        if messages is not None:
            return messages.ngettext(singular, plural, count)
    return singular if count == 1 else plural


def number(count: int) -> str:
    """A whole number as the language writes it: 1,234 in English, 1 234 in French (CLDR, through Babel)."""
    if language() == ENGLISH or -1000 < count < 1000:
        return f"{count:,}"
    from babel.numbers import format_decimal

    return str(format_decimal(count, locale=language()))


class speaking:
    """Messages and dates in `code` inside the block (publish's --lang), then the command's choice again."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.saved: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        self.saved = (_Choice.option, _Choice.configured, _Choice.resolved)
        choose(self.code)

    def __exit__(self, *exc: object) -> None:
        _Choice.option, _Choice.configured, _Choice.resolved = self.saved


def data_and_shown(make: Callable[[], str]) -> tuple[str, str]:
    """A text made of messages twice: in English for data (CSV, JSON: data never changes with the
    language) and in this command's language for people. English makes it once."""
    shown = make()
    if language() == ENGLISH:
        return shown, shown
    with speaking(ENGLISH):
        return make(), shown
