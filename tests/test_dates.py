"""Reading dates as analysts type them: exact, month and year precision, relative forms, refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policytrack.core.dates import PartialDate, parse_date
from policytrack.core.errors import DateError

TODAY = date(2026, 11, 27)

VALID_DATES = [
    ("2025-01-29", "2025-01-29", "day"),
    ("2025-1-9", "2025-01-09", "day"),
    ("2025/01/29", "2025-01-29", "day"),
    ("29 January 2025", "2025-01-29", "day"),
    ("January 29, 2025", "2025-01-29", "day"),
    ("29 jan 2025", "2025-01-29", "day"),
    ("2024-09", "2024-09", "month"),
    ("Sept 2024", "2024-09", "month"),
    ("september 2024", "2024-09", "month"),
    ("2016", "2016", "year"),
    ("today", "2026-11-27", "day"),
    ("Yesterday", "2026-11-26", "day"),
    ("3 days ago", "2026-11-24", "day"),
    ("1 day ago", "2026-11-26", "day"),
    ("2 weeks ago", "2026-11-13", "day"),
    ("last week", "2026-11-20", "day"),
    ("last month", "2026-10", "month"),
    ("3 months ago", "2026-08", "month"),
    ("14 months ago", "2025-09", "month"),
    ("last year", "2025", "year"),
    ("2 years ago", "2024", "year"),
    ("13/02/2024", "2024-02-13", "day"),
    ("02/13/2024", "2024-02-13", "day"),
    ("05/05/2024", "2024-05-05", "day"),
    ("2026-11", "2026-11", "month"),
    ("2026", "2026", "year"),
]

INVALID_DATES = [
    ("", "empty"),
    ("   ", "empty"),
    ("2025-02-30", "no such day"),
    ("2025-13", "no such day"),
    ("01/02/2024", "ambiguous"),
    ("12/11/2024", "ambiguous"),
    ("tomorrow", "invalid date"),
    ("not a date", "invalid date"),
    ("29 January", "year is missing"),
    ("2026-11-28", "in the future"),
    ("2026-12", "in the future"),
    ("2027", "in the future"),
    ("1 day from now", "invalid date"),
    ("2025-01-29 14:00", "without a time"),
    ("1700", "before 1800"),
    ("99999 days ago", "before 1800"),
    ("99999999 days ago", "too far back"),
    ("99999999999 months ago", "too far back"),
    ("20250129", "invalid date"),
]


@pytest.mark.parametrize(("raw", "shown", "precision"), VALID_DATES)
def test_valid_dates(raw: str, shown: str, precision: str) -> None:
    parsed = parse_date(raw, TODAY)
    assert str(parsed) == shown
    assert parsed.precision == precision


@pytest.mark.parametrize(("raw", "message"), INVALID_DATES)
def test_invalid_dates(raw: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_date(raw, TODAY)


def test_ambiguous_dates_need_a_flag() -> None:
    assert str(parse_date("01/02/2024", TODAY, dayfirst=True)) == "2024-02-01"
    assert str(parse_date("01/02/2024", TODAY, monthfirst=True)) == "2024-01-02"
    with pytest.raises(DateError, match="together"):
        parse_date("01/02/2024", TODAY, dayfirst=True, monthfirst=True)


def test_future_allowed_when_asked() -> None:
    assert str(parse_date("2027-06", TODAY, allow_future=True)) == "2027-06"


def test_month_end() -> None:
    assert PartialDate.from_stored("2024-02").end == date(2024, 2, 29)
    assert PartialDate.from_stored("2023").end == date(2023, 12, 31)


@given(st.dates(min_value=date(1800, 1, 1), max_value=TODAY))
def test_iso_day_round_trip(d: date) -> None:
    parsed = parse_date(d.isoformat(), TODAY)
    assert parsed == PartialDate(d, "day")
    assert PartialDate.from_stored(str(parsed)) == parsed


@given(st.dates(min_value=date(1800, 1, 1), max_value=TODAY), st.sampled_from(["month", "year"]))
def test_partial_dates_keep_their_precision(d: date, precision: str) -> None:
    text = f"{d.year:04d}-{d.month:02d}" if precision == "month" else f"{d.year:04d}"
    parsed = parse_date(text, TODAY)
    assert parsed.precision == precision
    assert str(parsed) == text
    assert PartialDate.from_stored(text) == parsed


@given(st.integers(min_value=0, max_value=3000))
def test_days_ago(n: int) -> None:
    assert parse_date(f"{n} days ago", TODAY).start == TODAY - timedelta(days=n)


@given(st.text(max_size=30))
def test_any_text_parses_or_raises_date_error(text: str) -> None:
    try:
        parsed = parse_date(text, TODAY)
    except DateError:
        return
    assert parsed.start <= TODAY
