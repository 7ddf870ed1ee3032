"""Dates written in words, in several languages: month, weekday and quarter names, and dates shown to people.

A date in words is read in the chosen language, then French, then English (i18n.FALLBACKS); a word that
names different months in two of them is refused with both readings. English and French names are written
here (English dates go on to dateutil as before); any other language's come from CLDR through Babel,
imported only when such a language is chosen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Literal

from policytrack.core.errors import DateError
from policytrack.core.i18n import ENGLISH, FALLBACKS, _, language

_EN_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_FR_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
# French abbreviations as CLDR and the press write them (janv., févr., fév., juil., sept., déc.)
_FR_ABBREVIATIONS = {
    "janv": 1, "jan": 1, "févr": 2, "fév": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "déc": 12,
}  # fmt: skip
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_FR_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_ORDINALS_EN = ("first", "second", "third", "fourth")
_ORDINALS_FR = ("premier", "deuxième", "troisième", "quatrième")

_DAY_MONTH = re.compile(
    r"^(?:(?!le\s)(?P<weekday>[^\W\d_][^\s,]*?)\.?,?\s+)?(?:le\s+)?(?P<day>\d{1,2})(?:er|re|e|ᵉʳ)?\.?\s+(?P<month>\D+?)$"
)
_MONTH = re.compile(r"^(?P<month>[^\W\d_]\D*?)$")
_YEAR_LAST = re.compile(r"^(?P<rest>.*?)[\s,]+(?P<year>\d{4})$")
_ISO_QUARTER = re.compile(r"^(\d{4})(?:-|\s+)[qt]([1-4])$")
# T5 2024 or 2024-Q0 look like quarters but are none (dateutil would read T5 as 05:00 and keep May)
_NOT_A_QUARTER = re.compile(r"^(?:[qt]\d+[\s,]+\d{4}|\d{4}(?:-|\s+)[qt]\d+)$")


def fold(word: str) -> str:
    """A word as it is looked up: lower-case, without a final full stop, spaces single."""
    return " ".join(word.lower().rstrip(".").split())


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


@cache
def _names(lang: str) -> tuple[Mapping[str, int], Mapping[str, int], Mapping[str, int]]:
    """Month (1-12), weekday (0-6, Monday first) and quarter (1-4) by name in one language."""
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    quarters: dict[str, int] = {}
    if lang == "en":
        for n, name in enumerate(_EN_MONTHS, start=1):
            months[name] = months[name[:3]] = n
        months["sept"] = 9
        for n, name in enumerate(_EN_WEEKDAYS):
            weekdays[name] = weekdays[name[:3]] = n
        for q in range(1, 5):
            ordinal = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"}[q]
            for word in (ordinal, _ORDINALS_EN[q - 1]):
                quarters[f"{word} quarter"] = q
            quarters[f"q{q}"] = q
    elif lang == "fr":
        for n, name in enumerate(_FR_MONTHS, start=1):
            months[name] = months[_unaccented(name)] = n
        for word, n in _FR_ABBREVIATIONS.items():
            months[word] = months[_unaccented(word)] = n
        for n, name in enumerate(_FR_WEEKDAYS):
            weekdays[name] = weekdays[name[:3]] = n
        for q in range(1, 5):
            ordinals = (
                ("1er", "1ᵉʳ", _ORDINALS_FR[0]) if q == 1 else (f"{q}e", f"{q}ème", _ORDINALS_FR[q - 1])
            )
            for word in ordinals:
                quarters[f"{word} trimestre"] = quarters[_unaccented(f"{word} trimestre")] = q
            quarters[f"t{q}"] = q
    else:
        from babel import Locale

        locale = Locale.parse(lang)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for n, name in locale.months[context][width].items():
                    months[fold(name)] = n
                for n, name in locale.days[context][width].items():
                    weekdays[fold(name)] = n
                for n, name in locale.quarters[context][width].items():
                    quarters[fold(name)] = n
    return months, weekdays, quarters


def _languages() -> tuple[str, ...]:
    chosen = language()
    return tuple(dict.fromkeys((chosen, *FALLBACKS)))


def _reading(word: str, kind: int, raw: str) -> int | None:
    """What a month (kind 0) or quarter (kind 2) word means in the languages a date is read in; None if
    in none of them, one error if two of them read it differently."""
    readings = {lang: _names(lang)[kind].get(fold(word)) for lang in _languages()}
    found = {lang: n for lang, n in readings.items() if n is not None}
    if len(set(found.values())) > 1:
        shown = [
            f"{_EN_MONTHS[n - 1].capitalize() if kind == 0 else f'Q{n}'} ({lang})"
            for lang, n in found.items()
        ]
        raise DateError(
            _("ambiguous date {raw!r}: {word!r} means {readings}; write the date as YYYY-MM-DD").format(
                raw=raw, word=word, readings=_(" or ").join(shown)
            )
        )
    return next(iter(found.values()), None)


def words_date(text: str, raw: str) -> tuple[date, Literal["day", "month", "quarter"]] | None:
    """A date written with a month or quarter word, in a language other than English or in English when
    it is a quarter: (first day, precision). None when English month words are left for dateutil, or
    when no language reads it (parse_date explains)."""
    if m := _ISO_QUARTER.match(text):
        return date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1), "quarter"
    m = _YEAR_LAST.match(text)
    if not m:
        return None
    year, rest = int(m.group("year")), m.group("rest").strip(" ,")
    quarter = _reading(rest, 2, raw)
    if quarter is not None:
        return date(year, 3 * quarter - 2, 1), "quarter"
    if _NOT_A_QUARTER.match(text):
        problem = _("invalid date {raw!r}: a quarter is Q1 to Q4; {accepted}")
        raise DateError(problem.format(raw=raw, accepted=accepted()))
    if dm := _DAY_MONTH.match(rest):
        month = _reading(dm.group("month"), 0, raw)
        if month is None or _english_only(dm.group("month")):
            return None
        day = _day(year, month, int(dm.group("day")), raw)
        if dm.group("weekday"):
            _check_weekday(dm.group("weekday"), day, raw)
        return day, "day"
    if mm := _MONTH.match(rest):
        month = _reading(mm.group("month"), 0, raw)
        if month is None or _english_only(mm.group("month")):
            return None
        return date(year, month, 1), "month"
    return None


def _english_only(word: str) -> bool:
    """An English month word (no other language reads it): dateutil reads English dates, as before."""
    return all(lang == ENGLISH or _names(lang)[0].get(fold(word)) is None for lang in _languages())


def _day(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(
            _("invalid date {raw!r}: no such day; {accepted}").format(raw=raw, accepted=accepted())
        ) from None


def _check_weekday(word: str, day: date, raw: str) -> None:
    said = {n for lang in _languages() if (n := _names(lang)[1].get(fold(word))) is not None}
    if not said:
        raise DateError(_("invalid date {raw!r}; {accepted}").format(raw=raw, accepted=accepted()))
    if day.weekday() not in said:
        raise DateError(
            _("invalid date {raw!r}: {day} is a {weekday}; check the day or leave the weekday out").format(
                raw=raw, day=shown_date(day, "day"), weekday=weekday_name(day)
            )
        )


def accepted() -> str:
    """The forms of date parse_date reads, in the language of the messages."""
    return _(
        "accepted: 2025-01-29, 29 January 2025, 2024-09, Sept 2024, 2024-Q3, Q3 2024, 2024, today, "
        "yesterday, 3 days ago, last week, last month, last year"
    )


def weekday_name(day: date) -> str:
    lang = language()
    if lang == ENGLISH:
        return _EN_WEEKDAYS[day.weekday()].capitalize()
    if lang == "fr":
        return _FR_WEEKDAYS[day.weekday()]
    from babel.dates import format_date

    return str(format_date(day, "EEEE", locale=lang))


def shown_date(start: date, precision: str) -> str:
    """A date as people of the chosen language read it, at its precision: in English the ISO form the
    tables have always shown (2024-07-06, 2024-07, 2024-Q3, 2024); in French `6 juillet 2024`, `1er juillet
    2024`, `juillet 2024`, `T3 2024`, `2024`; in another language CLDR's forms (through Babel)."""
    lang = language()
    quarter = (start.month - 1) // 3 + 1
    if lang == ENGLISH:
        if precision == "day":
            return start.isoformat()
        if precision == "month":
            return f"{start.year:04d}-{start.month:02d}"
        return f"{start.year:04d}-Q{quarter}" if precision == "quarter" else f"{start.year:04d}"
    if precision == "year":
        return f"{start.year}"
    if lang == "fr":
        month = _FR_MONTHS[start.month - 1]
        if precision == "day":
            return f"{'1er' if start.day == 1 else start.day} {month} {start.year}"
        return f"{month} {start.year}" if precision == "month" else f"T{quarter} {start.year}"
    from babel.dates import format_skeleton

    skeleton = {"day": "yMMMMd", "month": "yMMMM", "quarter": "yQQQ"}[precision]
    return str(format_skeleton(skeleton, start, locale=lang))
