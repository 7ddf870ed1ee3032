"""The language people read: which one a command uses, and its messages (gettext catalogues kept with Babel).

The language is, in order: `--lang`, the config's `language`, then `LC_ALL`, `LC_MESSAGES`, `LANG`; else
English. The command line chooses it once per command (`choose`); library code that never does reads the
environment. Messages are written in English in the code: in English `_()` and `ngettext()` give them back as
they are, and neither gettext nor Babel is imported, so English start-up stays as quick as before. In another
language the compiled catalogue `locale/LANG/LC_MESSAGES/policytrack.mo` inside the package is read on first
use; a language without a catalogue (Bambara today) reads English messages, but its dates (core/dates.py).
Data never changes with the language: CSV, JSON and keys are the same in every one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policytrack.core.errors import InputError

if TYPE_CHECKING:
    from gettext import GNUTranslations

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
    catalogue: GNUTranslations | None = None


def choose(option: str | None = None, configured: Callable[[], Any] | None = None) -> None:
    """Set the language of this command: `option` (from --lang, already checked) wins, then `configured()`
    (the config's `language`, read only if needed), then the locale variables. Resolved on first use."""
    _Choice.option, _Choice.configured = option, configured
    _Choice.resolved, _Choice.catalogue = None, None


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
            try:
                chosen = _Choice.configured()
            except Exception:
                # a bad config file is reported once, by whoever asked first; the messages that report
                # it (and every later one) are in the environment's language
                _Choice.resolved = _from_environment()
                raise
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
            f"{what} {shown} is not a language policytrack knows; give a language code such as en, fr or bm"
        )
    return code


def _catalogue() -> GNUTranslations | None:
    if _Choice.catalogue is None:
        path = LOCALE_DIR / language() / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not path.is_file():
            return None
        from gettext import GNUTranslations

        with path.open("rb") as handle:
            _Choice.catalogue = GNUTranslations(handle)
    return _Choice.catalogue


def _(message: str) -> str:
    """The message in this command's language (English: as it is)."""
    if language() == ENGLISH:
        return message
    catalogue = _catalogue()
    return catalogue.gettext(message) if catalogue is not None else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, by the language's plural rule (English: 1 is singular)."""
    if language() != ENGLISH:
        catalogue = _catalogue()
        if catalogue is not None:
            return catalogue.ngettext(singular, plural, count)
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
        self.saved = (_Choice.option, _Choice.configured, _Choice.resolved, _Choice.catalogue)
        choose(self.code)

    def __exit__(self, *exc: object) -> None:
        _Choice.option, _Choice.configured, _Choice.resolved, _Choice.catalogue = self.saved
