"""Reading dates as analysts type them: exact, month and year precision, relative forms, refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from policytrack.core import i18n
from policytrack.core.dates import PartialDate, parse_date
from policytrack.core.datewords import shown_date
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


# Dates in French and in the languages CLDR names months in (through Babel): read in the chosen language,
# then French, then English; each keeps its precision (a quarter stays a quarter).
FRENCH_DATES = [
    ("28 janvier 2024", "2024-01-28", "day"),
    ("28 janv. 2024", "2024-01-28", "day"),
    ("28 Janv 2024", "2024-01-28", "day"),
    ("1er mars 2024", "2024-03-01", "day"),
    ("1ᵉʳ mars 2024", "2024-03-01", "day"),
    ("le 6 juillet 2024", "2024-07-06", "day"),
    ("samedi 6 juillet 2024", "2024-07-06", "day"),
    ("sam. 6 juillet 2024", "2024-07-06", "day"),
    ("15 août 2024", "2024-08-15", "day"),
    ("15 aout 2024", "2024-08-15", "day"),
    ("3 févr. 2024", "2024-02-03", "day"),
    ("3 fevrier 2024", "2024-02-03", "day"),
    ("12 déc. 2023", "2023-12-12", "day"),
    ("juillet 2024", "2024-07", "month"),
    ("Juil. 2024", "2024-07", "month"),
    ("sept. 2024", "2024-09", "month"),
    ("T3 2024", "2024-Q3", "quarter"),
    ("t1 2020", "2020-Q1", "quarter"),
    ("3e trimestre 2024", "2024-Q3", "quarter"),
    ("3ème trimestre 2024", "2024-Q3", "quarter"),
    ("1er trimestre 2024", "2024-Q1", "quarter"),
    ("premier trimestre 2024", "2024-Q1", "quarter"),
    ("quatrième trimestre 2023", "2023-Q4", "quarter"),
    ("Q3 2024", "2024-Q3", "quarter"),
    ("2024-Q3", "2024-Q3", "quarter"),
    ("2024-q2", "2024-Q2", "quarter"),
    ("2024 T4", "2024-Q4", "quarter"),
    ("third quarter 2024", "2024-Q3", "quarter"),
    ("3rd quarter 2024", "2024-Q3", "quarter"),
    ("aujourd'hui", "2026-11-27", "day"),
    ("aujourd’hui", "2026-11-27", "day"),
    ("hier", "2026-11-26", "day"),
    ("il y a 3 jours", "2026-11-24", "day"),
    ("il y a une semaine", "2026-11-20", "day"),
    ("il y a 2 mois", "2026-09", "month"),
    ("le mois dernier", "2026-10", "month"),
    ("l'année dernière", "2025", "year"),
    # English stays as it was
    ("29 January 2025", "2025-01-29", "day"),
    ("Sept 2024", "2024-09", "month"),
]

INVALID_FRENCH_DATES = [
    ("30 février 2024", "no such day"),
    ("lundi 6 juillet 2024", "2024-07-06 is a Saturday"),
    ("28 janvier", "invalid date"),
    ("juillet", "invalid date"),
    ("T5 2024", "a quarter is Q1 to Q4"),
    ("2024-Q0", "invalid date"),
    ("5e trimestre 2024", "invalid date"),
    ("T1 2027", "in the future"),
    ("Q5 2024", "a quarter is Q1 to Q4"),
    ("décembre 2026", "in the future"),
    ("28 brumaire 2024", "invalid date"),
]


@pytest.mark.parametrize(("raw", "shown", "precision"), FRENCH_DATES)
def test_french_dates(raw: str, shown: str, precision: str) -> None:
    parsed = parse_date(raw, TODAY)
    assert (str(parsed), parsed.precision) == (shown, precision)


@pytest.mark.parametrize(("raw", "message"), INVALID_FRENCH_DATES)
def test_invalid_french_dates(raw: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_date(raw, TODAY)


BAMBARA_DATES = [
    ("28 zanwuye 2024", "2024-01-28", "day"),
    ("6 zuluye 2024", "2024-07-06", "day"),
    ("6 zul 2024", "2024-07-06", "day"),
    ("15 uti 2024", "2024-08-15", "day"),
    ("sɛtanburu 2024", "2024-09", "month"),
    ("Mɛ 2024", "2024-05", "month"),
    ("ks3 2024", "2024-Q3", "quarter"),
    ("kalo saba sabanan 2024", "2024-Q3", "quarter"),
    # then French, then English
    ("28 janvier 2024", "2024-01-28", "day"),
    ("T3 2024", "2024-Q3", "quarter"),
    ("29 January 2025", "2025-01-29", "day"),
]

INVALID_BAMBARA_DATES = [
    ("30 feburuye 2024", "no such day"),
    ("zuluye", "invalid date"),
    ("6 zuluye 2030", "in the future"),
]


@pytest.fixture
def bambara() -> Iterator[None]:
    i18n.choose("bm")
    yield
    i18n.choose()


@pytest.mark.usefixtures("bambara")
@pytest.mark.parametrize(("raw", "shown", "precision"), BAMBARA_DATES)
def test_bambara_dates(raw: str, shown: str, precision: str) -> None:
    parsed = parse_date(raw, TODAY)
    assert (str(parsed), parsed.precision) == (shown, precision)


@pytest.mark.usefixtures("bambara")
@pytest.mark.parametrize(("raw", "message"), INVALID_BAMBARA_DATES)
def test_invalid_bambara_dates(raw: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_date(raw, TODAY)


def test_bambara_words_are_not_read_in_english() -> None:
    with pytest.raises(DateError, match="invalid date"):
        parse_date("6 zuluye 2024", TODAY)


def test_a_month_word_with_two_meanings_is_refused_with_both() -> None:
    # Sesotho's "Jan" is June (Phupjane); French and English read January
    i18n.choose("st")
    try:
        with pytest.raises(DateError) as caught:
            parse_date("3 jan 2024", TODAY)
    finally:
        i18n.choose()
    assert "June (st)" in str(caught.value) and "January (fr)" in str(caught.value)
    assert str(caught.value).endswith("write the date as YYYY-MM-DD")


def test_english_dates_never_load_babel() -> None:
    code = (
        "import sys; from datetime import date; from policytrack.core.dates import parse_date; "
        "[parse_date(t, date(2026, 1, 1)) for t in ('2024-07-06', '6 July 2024', 'Q3 2024', '6 juil 2024')]; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('babel', 'gettext', 'click')))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"


def test_quarter_spans_its_three_months() -> None:
    q = PartialDate.from_stored("2024-Q1")
    assert (q.start, q.end, q.precision) == (date(2024, 1, 1), date(2024, 3, 31), "quarter")
    assert PartialDate.from_stored("2023-Q4").end == date(2023, 12, 31)
    # it sorts by its first day, between the months around it
    dates = sorted(PartialDate.from_stored(t) for t in ("2024-07-06", "2024-Q3", "2024-06", "2024"))
    assert [str(d) for d in dates] == ["2024", "2024-06", "2024-Q3", "2024-07-06"]


@given(
    st.dates(min_value=date(1800, 1, 1), max_value=TODAY),
    st.sampled_from(["T{q} {y}", "Q{q} {y}", "{y}-Q{q}"]),
)
def test_quarter_round_trip(d: date, form: str) -> None:
    q = (d.month - 1) // 3 + 1
    if date(d.year, 3 * q - 2, 1) > TODAY:
        return
    parsed = parse_date(form.format(q=q, y=d.year), TODAY)
    assert parsed.precision == "quarter" and parsed.start <= d <= parsed.end
    assert PartialDate.from_stored(str(parsed)) == parsed


@given(
    st.dates(min_value=date(1800, 1, 1), max_value=TODAY),
    st.sampled_from(["day", "month", "quarter", "year"]),
)
def test_french_display_reads_back(d: date, precision: str) -> None:
    """What a French table shows (`6 juillet 2024`, `juillet 2024`, `T3 2024`) reads back as the same date."""
    original = parse_date(str(PartialDate(d, "day")), TODAY)
    first = {
        "day": d,
        "month": d.replace(day=1),
        "quarter": date(d.year, 3 * ((d.month - 1) // 3) + 1, 1),
        "year": date(d.year, 1, 1),
    }[precision]
    assert original.start == d
    i18n.choose("fr")
    try:
        shown = shown_date(first, precision)
        back = parse_date(shown, TODAY)
    finally:
        i18n.choose()
    assert (back.start, back.precision) == (first, precision)


@pytest.mark.parametrize(
    ("lang", "precision", "shown"),
    [
        ("en", "day", "2024-07-06"),
        ("en", "quarter", "2024-Q3"),
        ("fr", "day", "6 juillet 2024"),
        ("fr", "month", "juillet 2024"),
        ("fr", "quarter", "T3 2024"),
        ("fr", "year", "2024"),
        ("bm", "month", "zuluye 2024"),
    ],
)
def test_dates_shown_in_the_language(lang: str, precision: str, shown: str) -> None:
    i18n.choose(lang)
    try:
        assert shown_date(date(2024, 7, 6) if precision == "day" else date(2024, 7, 1), precision) == shown
    finally:
        i18n.choose()


def test_first_of_the_month_in_french() -> None:
    i18n.choose("fr")
    try:
        assert shown_date(date(2024, 3, 1), "day") == "1er mars 2024"
    finally:
        i18n.choose()


def test_every_cldr_french_month_name_is_read() -> None:
    from babel import Locale

    months = Locale.parse("fr").months
    for width in ("wide", "abbreviated"):
        for number, name in months["format"][width].items():
            assert parse_date(f"{name} 2024", TODAY).start == date(2024, number, 1)


@given(st.dates())
@example(date(9999, 12, 31))
@example(date(2024, 2, 29))
def test_a_month_and_a_quarter_end_on_their_last_day(day: date) -> None:
    """A month ends on its last day (leap years included) and a quarter on its third month's, as the
    standard library's calendar counts them."""
    import calendar

    month = PartialDate(day.replace(day=1), "month")
    assert month.end == day.replace(day=calendar.monthrange(day.year, day.month)[1])
    first = 3 * ((day.month - 1) // 3) + 1
    quarter = PartialDate(date(day.year, first, 1), "quarter")
    assert quarter.end == date(day.year, first + 2, calendar.monthrange(day.year, first + 2)[1])
    assert quarter.start <= day <= quarter.end
