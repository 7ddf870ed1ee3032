"""Issue 23: data never changes with the language (agenda's and forecasts' csv/json/jsonl are the same
bytes in French and English), while the tables for people show the forecast words in French beside
their keys and a day due "d'ici le 6 juillet 2024"."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import Invoke, Log, ok

SOON = (date.today() + timedelta(days=10)).isoformat()


@pytest.fixture
def waiting(cli: Invoke, log: Log) -> None:
    # A real event (shared/SAMPLE-EVENTS.md), not reviewed; a target and a forecast falling due.
    log("regional", "Treaty of the Confederation of Sahel States signed in Niamey", "--date", "2024-07-06",
        "--effect", "+1", "--grade", "B2", "--analyst", "ana")  # fmt: skip
    ok(cli("target", "regional", "in-progress", "--by", SOON))
    ok(
        cli(
            "forecast",
            "regional",
            "in-progress",
            "--by",
            SOON,
            "-l",
            "70",
            "-c",
            "moderate",
            "--analyst",
            "ana",
        )
    )
    ok(cli("forecast", "regional", "implemented", "--by", "2099", "-l", "3", "--analyst", "ana"))


@pytest.mark.parametrize("command", [("agenda",), ("forecasts",), ("forecasts", "--score")])
@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_data_formats_are_the_same_bytes_in_french(
    cli: Invoke, waiting: None, command: tuple[str, ...], fmt: str
) -> None:
    english = ok(cli(*command, "--format", fmt))
    assert english.strip()
    assert ok(cli("--lang", "fr", *command, "--format", fmt)) == english


def test_agenda_data_is_english_and_its_table_french(cli: Invoke, waiting: None) -> None:
    data = ok(cli("--lang", "fr", "agenda", "--json"))
    assert f"target in-progress due by {SOON}" in data and "not reviewed: Treaty" in data
    assert "attendue" not in data and "shown" not in data
    table = ok(cli("--lang", "fr", "agenda"))
    assert "cible in-progress attendue d'ici le" in table and "non relue" in table
    assert "due by" not in table
    # its Since column by the one date rule (core.dates.shown_day), as every other table: no ISO day
    assert "6 juillet 2024" in table and "2024-07-06" not in table and SOON not in table
    assert "2024-07-06" in ok(cli("agenda")) and "2024-07-06" in data


def test_forecast_words_in_french_beside_their_keys(cli: Invoke, waiting: None) -> None:
    table = ok(cli("--lang", "fr", "forecasts"))
    assert "probable (likely)" in table and "ouverte (open)" in table
    assert "presque exclu (almost no chance)" in table
    english = ok(cli("forecasts"))
    assert "70% (likely)" in english and "open" in english and "(open)" not in english
    score = ok(cli("--lang", "fr", "forecasts", "--score"))
    assert "probable (likely)" in score


def test_a_day_due_takes_its_article_in_french(cli: Invoke, log: Log) -> None:
    day = ok(cli("--lang", "fr", "forecast", "regional", "in-progress", "--by", "2099-07-06", "-l", "70"))
    assert "d'ici le 6 juillet 2099" in day and "70 % – probable (likely)" in day
    month = ok(cli("--lang", "fr", "forecast", "regional", "in-progress", "--by", "2099-07", "-l", "70"))
    assert "d'ici juillet 2099" in month and "d'ici le" not in month
    year = ok(cli("--lang", "fr", "forecast", "regional", "in-progress", "--by", "2099", "-l", "70"))
    assert "d'ici 2099," in year
    english = ok(cli("forecast", "regional", "in-progress", "--by", "2099-07-06", "-l", "70"))
    assert "by 2099-07-06, 70% (likely)" in english


def test_periods_read_as_people_write_them_in_french(cli: Invoke, log: Log) -> None:
    log("regional", "Treaty of the Confederation of Sahel States signed in Niamey", "--date", "2024-07-06",
        "--effect", "+1", "--grade", "B2")  # fmt: skip
    window = ("--since", "2024-07-01", "--until", "2024-12-31")
    table = ok(cli("--lang", "fr", "report", "--by", "quarter", *window))
    assert "T3 2024" in table and "2024-Q3" not in table
    months = ok(cli("--lang", "fr", "report", "--by", "month", *window, "--format", "markdown"))
    assert "juillet 2024" in months and "2024-07" not in months
    csv = ok(cli("--lang", "fr", "report", "--by", "quarter", *window, "--format", "csv"))
    assert "2024-Q3" in csv and "T3 2024" not in csv
    assert csv == ok(cli("report", "--by", "quarter", *window, "--format", "csv"))
    assert "2024-Q3" in ok(cli("report", "--by", "quarter", *window))


def test_the_brief_names_a_forecasts_band_once_in_french(cli: Invoke, tmp_path: Path) -> None:
    """A reader's page shows the band's name in the page's language inside its brackets, never the key's
    "label (key)" form nested in them ("70% (probable (likely))")."""
    assert cli("log", "regional", "AES treaty signed", "--date", "2024-07-06").exit_code == 0
    made = cli("forecast", "regional", "implemented", "--by", "2027-12", "--likelihood", "70")
    assert made.exit_code == 0, made.stderr
    for lang, band in (("fr", "(probable)"), ("en", "(likely)")):
        out = tmp_path / f"brief-{lang}.html"
        assert cli("--lang", lang, "report", "-f", "html", "-o", str(out)).exit_code == 0
        page = out.read_text(encoding="utf-8")
        assert f'70% <span class="muted">{band}</span>' in page and "(likely))" not in page
