"""Reading the dates analysts type: exact days, months, quarters or years, and a few relative forms.

A date keeps the precision it was given with: `2024-09` stays a month and is never shown as `2024-09-01`;
`T3 2024` stays a quarter, stored as `2024-Q3`. Its position in time (for sorting, windows and "as of") is
the first day of that period, its `end` the last. Dates in words are read in several languages
(core/datewords.py); dateutil is imported only for English free text, to keep the common ISO path fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from policytrack.core.errors import DateError
from policytrack.core.i18n import ENGLISH, _, language, pgettext

Precision = Literal["day", "month", "quarter", "year"]


def accepted() -> str:
    """The forms of date parse_date reads, in the language of the messages (datewords: its names and
    patterns load only for a date in words or an error, not for the ISO dates of the common path)."""
    from policytrack.core.datewords import accepted as text

    return text()


# What entries.date_precision may hold (the entry declaration's choices and the schema's CHECK).
PRECISIONS: tuple[Precision, ...] = ("day", "month", "quarter", "year")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to a day, a month, a quarter or a year."""

    start: date
    precision: Precision

    def __str__(self) -> str:
        if self.precision == "year":
            return f"{self.start.year:04d}"
        if self.precision == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.precision == "quarter":
            return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"
        return self.start.isoformat()

    @property
    def shown(self) -> str:
        """The date as people of the chosen language read it (tables, confirmations, reports); str() is
        the ISO form that data keeps in every language. In English the two are the same (and datewords
        is not imported: `log` starts as quickly as before)."""
        if language() == ENGLISH:
            return str(self)
        from policytrack.core.datewords import shown_date

        return shown_date(self.start, self.precision)

    @property
    def shown_by(self) -> str:
        """`shown` as it follows "by" in a message ("by {due}"): a day takes its article where the language
        wants one ("d'ici le 6 juillet 2024"; "d'ici juillet 2024", "d'ici 2024", "d'ici T3 2024")."""
        shown = self.shown
        if self.precision != "day" or language() == ENGLISH:
            return shown
        return pgettext("a day after 'by'", "{day}").format(day=shown)

    @property
    def end(self) -> date:
        """The last day of the period."""
        if self.precision == "year":
            return date(self.start.year, 12, 31)
        if self.precision in ("month", "quarter"):
            month = self.start.month + (2 if self.precision == "quarter" else 0)
            if month == 12:
                return date(self.start.year, 12, 31)
            # the day before the next month's first (calendar.monthrange would import calendar at start-up)
            return date(self.start.year, month + 1, 1) - timedelta(days=1)
        return self.start

    @classmethod
    def from_stored(cls, text: str) -> PartialDate:
        """Rebuild a date from its stored form (`2024`, `2024-09`, `2024-Q3` or `2024-09-17`)."""
        parts = text.split("-")
        if len(parts) == 1:
            return cls(date(int(parts[0]), 1, 1), "year")
        if len(parts) == 2 and parts[1][:1] == "Q" and parts[1][1:] in ("1", "2", "3", "4"):
            return cls(date(int(parts[0]), 3 * int(parts[1][1:]) - 2, 1), "quarter")
        if len(parts) == 2:
            return cls(date(int(parts[0]), int(parts[1]), 1), "month")
        return cls(date.fromisoformat(text), "day")


def midnight_utc(day: date) -> datetime:
    """The first moment of `day` in UTC: what a file made "as of" a date is stamped with (a workbook's
    creation time), so the same data and date give the same bytes on any machine and in any database."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def shown_day(day: date) -> str:
    """A day as people of the chosen language read it (PartialDate.shown: 2024-07-06, 6 juillet 2024)."""
    return PartialDate(day, "day").shown


# Compiled on first use (re caches them): most commands parse no date, or one form.
_ISO_DAY = r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$"
_ISO_MONTH = r"^(\d{4})-(\d{1,2})$"
_YEAR = r"^(\d{4})$"
_NUMERIC_DMY = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"
_AGO = r"^(\d+|a|an|one)\s+(day|week|month|year)s?\s+ago$"
_UNIT_DAYS = {"day": 1, "week": 7}


_STORED_FORM = re.compile(r"^\d{4}(-\d{2}(-\d{2})?|-Q[1-4])?$")


def stored_date(raw: str, today: date, *, allow_future: bool = False) -> PartialDate | None:
    """A date already in the stored form (`2024`, `2024-09`, `2024-Q3`, `2024-09-17`: the common case in
    imports) that parse_date would accept as it is; None for anything else, which parse_date explains."""
    if not _STORED_FORM.match(raw):
        return None
    try:
        parsed = PartialDate.from_stored(raw)
    except ValueError:
        return None  # e.g. 2024-13
    if parsed.start.year < 1800 or (not allow_future and parsed.start > today):
        return None
    return parsed


def _make(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        problem = _("invalid date {raw!r}: no such day; {accepted}")
        raise DateError(problem.format(raw=raw, accepted=accepted())) from None


def _shift_months(d: date, months: int) -> date:
    total = d.year * 12 + (d.month - 1) - months
    year, month = divmod(total, 12)
    return date(year, month + 1, 1)


# The relative forms in French, read as their English ones.
_FR_RELATIVE = {
    "aujourd'hui": "today",
    "hier": "yesterday",
    "la semaine dernière": "last week",
    "le mois dernier": "last month",
    "l'année dernière": "last year",
    "l'an dernier": "last year",
}
_IL_Y_A = r"^il y a (\d+|un|une) (jour|semaine|mois|an|année)s?$"
_FR_UNITS = {"jour": "day", "semaine": "week", "mois": "month", "an": "year", "année": "year"}


def _relative(text: str, today: date) -> PartialDate | None:
    text = text.replace("’", "'")
    text = _FR_RELATIVE.get(text, text)
    if m := re.match(_IL_Y_A, text):
        text = f"{'1' if m.group(1) in ('un', 'une') else m.group(1)} {_FR_UNITS[m.group(2)]} ago"
    if text == "today":
        return PartialDate(today, "day")
    if text == "yesterday":
        return PartialDate(today - timedelta(days=1), "day")
    if text == "last week":
        return PartialDate(today - timedelta(days=7), "day")
    if text == "last month":
        return PartialDate(_shift_months(today, 1), "month")
    if text == "last year":
        return PartialDate(date(today.year - 1, 1, 1), "year")
    m = re.match(_AGO, text)
    if not m:
        return None
    if len(m.group(1)) > 9:  # int() of thousands of digits is refused (and slow): too far back anyway
        problem = _("invalid date {raw!r}...: too far back; {accepted}")
        raise DateError(problem.format(raw=text[:30], accepted=accepted()))
    count = 1 if m.group(1) in {"a", "an", "one"} else int(m.group(1))
    unit = m.group(2)
    try:
        if unit in _UNIT_DAYS:
            return PartialDate(today - timedelta(days=count * _UNIT_DAYS[unit]), "day")
        if unit == "month":
            return PartialDate(_shift_months(today, count), "month")
        return PartialDate(date(today.year - count, 1, 1), "year")
    except (OverflowError, ValueError):  # before year 1: the 1800 limit would refuse it anyway
        problem = _("invalid date {raw!r}: too far back; {accepted}")
        raise DateError(problem.format(raw=text, accepted=accepted())) from None


def _numeric(raw: str, m: re.Match[str], dayfirst: bool, monthfirst: bool) -> PartialDate:
    a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if dayfirst:
        day, month = a, b
    elif monthfirst:
        month, day = a, b
    elif a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a:
        month, day = a, b
    elif a == b:
        day = month = a
    else:
        raise DateError(
            _(
                "ambiguous date {raw!r}: day/month or month/day? Pass --dayfirst or --monthfirst, "
                "or write it as YYYY-MM-DD"
            ).format(raw=raw)
        )
    return PartialDate(_make(year, month, day, raw), "day")


def _free_text(raw: str, dayfirst: bool) -> PartialDate:
    # dateutil fills missing parts from `default`: parsing with two different defaults shows which
    # parts the text really gave, so "Sept 2024" stays a month and "2016" is never today's day in 2016.
    from dateutil import parser

    try:
        a = parser.parse(raw, default=datetime(1, 1, 1), dayfirst=dayfirst)
        b = parser.parse(raw, default=datetime(4, 2, 2), dayfirst=dayfirst)
    except (ValueError, OverflowError):
        raise DateError(_("invalid date {raw!r}; {accepted}").format(raw=raw, accepted=accepted())) from None
    if (a.hour, a.minute, a.second) != (0, 0, 0):
        problem = _("invalid date {raw!r}: give a date without a time; {accepted}")
        raise DateError(problem.format(raw=raw, accepted=accepted()))
    if a.year != b.year:
        problem = _("invalid date {raw!r}: the year is missing; {accepted}")
        raise DateError(problem.format(raw=raw, accepted=accepted()))
    if a.month != b.month:
        problem = _("invalid date {raw!r}: a day without a month; {accepted}")
        raise DateError(problem.format(raw=raw, accepted=accepted()))
    if a.day != b.day:
        return PartialDate(date(a.year, a.month, 1), "month")
    return PartialDate(a.date(), "day")


def _words_date(text: str, raw: str) -> tuple[date, Literal["day", "month", "quarter"]] | None:
    from policytrack.core.datewords import words_date

    return words_date(text, raw)


def parse_date(
    raw: str,
    today: date,
    *,
    dayfirst: bool = False,
    monthfirst: bool = False,
    allow_future: bool = False,
) -> PartialDate:
    """Read a date as an analyst types it; refuse ambiguous, malformed and (by default) future dates."""
    if dayfirst and monthfirst:
        raise DateError(_("--dayfirst and --monthfirst cannot be used together"))
    fast = stored_date(raw, today, allow_future=allow_future)
    if fast is not None:
        return fast
    text = " ".join(raw.strip().lower().split())
    if not text:
        raise DateError(_("empty date; {accepted}").format(accepted=accepted()))
    result = _relative(text, today)
    if result is None:
        if m := re.match(_ISO_DAY, text):
            y, mo, d = (int(g) for g in m.groups())
            result = PartialDate(_make(y, mo, d, raw), "day")
        elif m := re.match(_ISO_MONTH, text):
            result = PartialDate(_make(int(m.group(1)), int(m.group(2)), 1, raw), "month")
        elif m := re.match(_YEAR, text):
            result = PartialDate(_make(int(m.group(1)), 1, 1, raw), "year")
        elif m := re.match(_NUMERIC_DMY, text):
            result = _numeric(raw, m, dayfirst, monthfirst)
        elif re.fullmatch(r"[\d\s/.\-]+", text):
            raise DateError(_("invalid date {raw!r}; {accepted}").format(raw=raw, accepted=accepted()))
        elif words := _words_date(text, raw):
            result = PartialDate(*words)
        else:
            result = _free_text(text, dayfirst)
    if not allow_future and result.start > today:
        problem = _("date {raw!r} ({date}) is in the future; today is {today}")
        raise DateError(problem.format(raw=raw, date=result, today=today.isoformat()))
    if result.start.year < 1800:
        raise DateError(_("date {raw!r} is before 1800; {accepted}").format(raw=raw, accepted=accepted()))
    return result


def window_end(since: date | None, until: date | None, as_of: date | None = None) -> date | None:
    """The last day of an evidence window (--until, no later than --as-of), once --since is checked not to
    come after it: the one window check of list, export, timeline and both reports."""
    end = min(until, as_of) if until and as_of else (until or as_of)
    if since and end and since > end:
        what = f"--until {until}" if end == until else _("the end of the window ({end})").format(end=end)
        raise DateError(
            _("--since {since} is after {what}; give an earlier --since or a later --until").format(
                since=since, what=what
            )
        )
    return end
