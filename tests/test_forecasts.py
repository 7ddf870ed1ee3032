"""Forecasts: ICD 203 likelihoods, resolution from the status history at the boundary dates, Brier scores
worked out by hand, withdrawal, bad input, and export/import/merge by uuid."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Invoke, InvokeJson, Log
from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError
from policytrack.domain.forecasts import NO, OPEN, YES, resolve
from policytrack.domain.likelihood import BANDS, band_of, brier, parse_likelihood
from policytrack.domain.workspace import get_framework, open_store
from policytrack.records.models import Framework


def forecast_rows(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM forecasts").fetchone()[0])
    finally:
        conn.close()


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def past(
    indicator: str, level: str, due: str, likelihood: int, analyst: str, **extra: object
) -> dict[str, object]:
    """A forecast made in the past, as an export of it would hold it."""
    return {
        "indicator": indicator,
        "level": level,
        "due": due,
        "likelihood": likelihood,
        "analyst": analyst,
        "made_on": "2024-01-10",
        **extra,
    }


# -- likelihood and the Brier score ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "percent"),
    [
        ("70", 70),
        ("70%", 70),
        (" 1 % ", 1),
        ("99", 99),
        ("likely", 67),
        ("Very Unlikely", 13),
        ("very-likely", 87),
        ("almost no chance", 3),
        ("remote", 3),
        ("roughly even", 50),
        ("probable", 67),
        ("highly improbable", 13),
        ("nearly certain", 97),
    ],
)
def test_likelihood_phrases_and_percentages(raw: str, percent: int) -> None:
    assert parse_likelihood(raw) == percent


@pytest.mark.parametrize("raw", ["0", "100", "-5", "0.7", "fairly likely", "", "1e2", "７０"])
def test_bad_likelihoods(raw: str) -> None:
    with pytest.raises(InputError, match="invalid likelihood"):
        parse_likelihood(raw)


@given(st.integers(1, 99))
def test_every_percentage_is_in_one_band_and_bands_mirror(p: int) -> None:
    assert sum(b.low <= p <= b.high for b in BANDS) == 1
    mirrored = band_of(100 - p)
    assert BANDS.index(mirrored) == len(BANDS) - 1 - BANDS.index(band_of(p))


def test_phrases_stand_for_a_percentage_in_their_band() -> None:
    for band in BANDS:
        assert band_of(parse_likelihood(band.name)) == band


def test_brier_by_hand() -> None:
    # (0.7-1)^2 = .09, (0.2-0)^2 = .04, (0.9-0)^2 = .81: mean .94 / 3
    assert brier([(70, True), (20, False), (90, False)]) == pytest.approx(0.94 / 3)
    assert brier([(50, True)]) == pytest.approx(0.25)
    assert brier([(99, True), (1, False)]) == pytest.approx(0.0001)
    assert brier([]) is None


# -- resolution at the boundaries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assessments", "due", "today", "expected"),
    [
        ([], "2024-06-30", date(2024, 6, 30), OPEN),  # the due date itself: still open
        ([], "2024-06-30", date(2024, 7, 1), NO),  # the day after: resolved
        ([("2024-06-30", "in-progress")], "2024-06-30", date(2024, 7, 1), YES),  # on the due date counts
        ([("2024-07-01", "in-progress")], "2024-06-30", date(2025, 1, 1), NO),  # the day after does not
        ([("2024-06-01", "substantial")], "2024-06-15", date(2024, 7, 1), YES),  # a month counts from its 1st
        ([("2024-06-30", "in-progress")], "2024-06", date(2024, 6, 30), OPEN),  # due a month: open to its end
        ([("2024-06-30", "in-progress")], "2024-06", date(2024, 7, 1), YES),
        ([("2024-03-01", "commitment")], "2024-06-30", date(2024, 7, 1), NO),  # below the level
        ([("2023-05-01", "implemented")], "2024-06-30", date(2024, 7, 1), YES),  # already there when made
        # there once, but fallen back before the forecast was made: the status when made is what counts
        ([("2023-05-01", "implemented"), ("2023-09-01", "no-action")], "2024-06-30", date(2024, 7, 1), NO),
        # reached and lost again within the window: it was at the level by the date
        ([("2024-02-01", "in-progress"), ("2024-05-01", "commitment")], "2024-06-30", date(2024, 7, 1), YES),
    ],
)
def test_resolution_at_boundary_dates(
    db_path: Path, assessments: list[tuple[str, str]], due: str, today: date, expected: str
) -> None:
    with open_store(db_path) as store:
        fw = get_framework(store)
    ind = next(i for i in fw.indicators if i.key == "regional")
    made = date(2024, 1, 10)
    got = resolve(fw, ind, "in-progress", made, PartialDate.from_stored(due), assessments, today)
    assert got == expected


def test_resolution_through_the_cli_at_the_due_date(
    cli: Invoke, cli_json: InvokeJson, log: Log, tmp_path: Path
) -> None:
    """Month-precision assessments: `2024-06` is assessed from 1 June, so it resolves a forecast due on
    15 June; the one due on 31 May is not met by it."""
    source = write_jsonl(
        tmp_path / "f.jsonl",
        [
            past("regional", "in-progress", "2024-06-15", 70, "ana"),
            past("regional", "in-progress", "2024-05-31", 70, "ana"),
        ],
    )
    assert cli("import", str(source), "--forecasts").exit_code == 0
    log("regional", "A step", "--date", "2024-06", "--status", "in-progress")
    rows = cli_json("forecasts", "--json")
    assert [(r["due"], r["outcome"]) for r in rows] == [("2024-06-15", "yes"), ("2024-05-31", "no")]


# -- scores through the command line -------------------------------------------------------------------


def test_score_hand_computed(cli: Invoke, cli_json: InvokeJson, log: Log, tmp_path: Path) -> None:
    log("regional", "Treaty signed", "--date", "2024-03-01", "--status", "in-progress")
    log("diversify", "Nothing done", "--date", "2024-03-01", "--status", "no-action")
    records = [
        past("regional", "in-progress", "2024-06-30", 70, "ana"),  # yes: (.7-1)^2 = .09
        past("diversify", "commitment", "2024-06-30", 20, "ana"),  # no: .2^2 = .04
        past("diversify", "in-progress", "2024-06-30", 90, "ana"),  # no: .9^2 = .81
        past("regional", "commitment", "2024-06-30", 50, "ben"),  # yes: .25
        past("regional", "implemented", "2099-01-01", 30, "ben"),  # open: not scored
    ]
    assert cli("import", str(write_jsonl(tmp_path / "f.jsonl", records)), "--forecasts").exit_code == 0
    rows = cli_json("forecasts", "--score", "--json")
    by = {(r["table"], r["name"]): r for r in rows}
    assert by[("analyst", "ana")]["forecasts"] == 3
    assert by[("analyst", "ana")]["brier"] == pytest.approx(0.94 / 3, abs=1e-6)
    assert by[("analyst", "ben")]["brier"] == pytest.approx(0.25)
    assert by[("overall", "all analysts")]["brier"] == pytest.approx(1.19 / 4, abs=1e-6)
    assert by[("overall", "all analysts")]["forecasts"] == 4
    assert by[("band", "likely")] | {} == {
        "table": "band",
        "name": "likely",
        "forecasts": 1,
        "brier": pytest.approx(0.09),
        "mean_likelihood": 70,
        "happened": 100,
    }
    assert by[("band", "very likely")]["happened"] == 0 and by[("band", "very likely")][
        "brier"
    ] == pytest.approx(0.81)
    assert by[("band", "roughly even chance")]["forecasts"] == 1
    assert (
        by[("band", "almost certain")]["forecasts"] == 0 and by[("band", "almost certain")]["brier"] is None
    )
    # one analyst's calibration, and the table for people
    only_ben = cli_json("forecasts", "--score", "--analyst", "ben", "--json")
    assert [r["name"] for r in only_ben if r["table"] == "analyst"] == ["ben"]
    table = cli("forecasts", "--score")
    assert table.exit_code == 0
    assert "0.313" in table.stdout and "0.297" in table.stdout.replace("0.2975", "0.297")
    assert "Not scored: 1 open, 0 withdrawn." in table.stdout
    assert [r["outcome"] for r in cli_json("forecasts", "--resolved", "--json")] == ["yes", "no", "no", "yes"]
    assert [r["likelihood"] for r in cli_json("forecasts", "--open", "--json")] == [30]


def test_withdrawn_forecasts_are_kept_and_not_scored(cli: Invoke, cli_json: InvokeJson) -> None:
    made = cli(
        "forecast", "regional", "commitment", "--by", "2099-12", "-l", "likely", "-c", "high", "-n", "AES"
    )
    assert made.exit_code == 0, made.stderr
    assert "67% (likely)" in made.stdout
    assert cli("withdraw", "1").exit_code == 0
    again = cli("withdraw", "1")
    assert again.exit_code == 1 and "already withdrawn" in again.stderr
    (row,) = cli_json("forecasts", "--json")
    assert row["outcome"] == "withdrawn" and row["withdrawn_by"] == "tester" and row["confidence"] == "high"
    score = cli_json("forecasts", "--score", "--json")
    assert all(r["forecasts"] == 0 for r in score)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["regional", "commitment", "--by", "2099", "-l", "0"], "invalid likelihood '0'"),
        (["regional", "commitment", "--by", "2099", "-l", "100%"], "invalid likelihood"),
        (["regional", "commitment", "--by", "2099", "-l", "somewhat likely"], "ICD 203 phrase"),
        (["regional", "halfway", "--by", "2099", "-l", "50"], "unknown status level 'halfway'"),
        (["regional", "commitment", "--by", "2020-01-01", "-l", "50"], "has passed"),
        (["regional", "commitment", "--by", "2099", "-l", "50", "-c", "certain"], "invalid confidence"),
        (["nowhere", "commitment", "--by", "2099", "-l", "50"], "unknown indicator"),
    ],
)
def test_bad_forecasts_write_nothing(cli: Invoke, db_path: Path, args: list[str], message: str) -> None:
    assert cli("list").exit_code == 0
    result = cli("forecast", *args)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert forecast_rows(db_path) == 0


def test_withdraw_unknown_forecast(cli: Invoke) -> None:
    for raw, message in (("7", "no forecast with id 7"), ("x", "invalid forecast id")):
        result = cli("withdraw", raw)
        assert result.exit_code == 1 and message in result.stderr


# -- export, import and merge by uuid ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_import_merge_by_uuid(cli: Invoke, tmp_path: Path, fmt: str) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    out = tmp_path / f"f.{fmt}"
    assert (
        cli("--db", str(a), "forecast", "regional", "commitment", "--by", "2099", "-l", "=1+1").exit_code == 1
    )
    assert (
        cli(
            "--db", str(a), "forecast", "regional", "commitment", "--by", "2099", "-l", "60", "-n", "=SUM(A1)"
        ).exit_code
        == 0
    )
    assert (
        cli(
            "--db", str(a), "forecast", "diversify", "in-progress", "--by", "2099", "-l", "unlikely"
        ).exit_code
        == 0
    )
    assert cli("--db", str(a), "export", "forecasts", "-f", fmt, "-o", str(out)).exit_code == 0
    first = cli("--db", str(b), "import", str(out), "--forecasts")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip() == "forecasts: 2 added, 0 updated, 0 unchanged"
    assert (
        cli("--db", str(b), "import", str(out), "--forecasts")
        .stdout.strip()
        .endswith("0 added, 0 updated, 2 unchanged")
    )
    # a withdrawal made in a travels with the next export
    assert cli("--db", str(a), "withdraw", "2").exit_code == 0
    assert cli("--db", str(a), "export", "forecasts", "-f", fmt, "-o", str(out)).exit_code == 0
    assert "1 updated, 1 unchanged" in cli("--db", str(b), "import", str(out), "--forecasts").stdout
    got = json.loads(cli("--db", str(b), "forecasts", "--json").stdout)
    want = json.loads(cli("--db", str(a), "forecasts", "--json").stdout)
    assert [{**r, "id": 0} for r in got] == [{**r, "id": 0} for r in want]
    assert got[0]["note"] == "=SUM(A1)"


def test_database_import_merges_forecasts(cli: Invoke, tmp_path: Path, log: Log) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert (
        cli("--db", str(a), "forecast", "regional", "commitment", "--by", "2099", "-l", "60").exit_code == 0
    )
    assert cli("--db", str(b), "list").exit_code == 0
    result = cli("--db", str(b), "import", str(a))
    assert result.exit_code == 0, result.stderr
    assert "forecasts: 1 added" in result.stdout
    dry = cli("--db", str(b), "import", str(a), "--dry-run")
    assert "forecasts: 0 added, 0 updated, 1 unchanged" in dry.stdout
    assert forecast_rows(b) == 1


def test_bad_forecast_file_imports_nothing(cli: Invoke, db_path: Path, tmp_path: Path) -> None:
    records = [
        past("regional", "commitment", "2024-06-30", 50, "ana"),
        past("regional", "sideways", "2024-06-30", 50, "ana"),
        past("regional", "commitment", "2024-13", 50, "ana"),
        {"indicator": "regional", "level": "commitment", "due": "2024", "likelihood": 50, "colour": "red"},
    ]
    result = cli("import", str(write_jsonl(tmp_path / "f.jsonl", records)), "--forecasts")
    assert result.exit_code == 1
    assert "3 invalid forecast(s); nothing was imported" in result.stderr.splitlines()[-1]
    assert "line 2: unknown status level 'sideways'" in result.stderr
    assert "line 3: due: invalid date '2024-13'" in result.stderr
    assert "unknown field 'colour'" in result.stderr
    assert forecast_rows(db_path) == 0


# -- who may withdraw, and when a forecast may be made (issue 22, point 5) -----------------------------


def test_only_the_forecaster_withdraws(cli: Invoke, cli_json: InvokeJson) -> None:
    made = cli("forecast", "regional", "commitment", "--by", "2099-12", "-l", "60", "--analyst", "ana")
    assert made.exit_code == 0, made.stderr
    refused = cli("withdraw", "1")  # as tester
    assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1
    assert "forecast 1 is ana's: only the forecaster withdraws a forecast, not tester" in refused.stderr
    assert refused.stderr.strip().endswith("ask ana to withdraw it")
    assert cli_json("forecasts", "--json")[0]["outcome"] == "open"


def test_a_resolved_forecast_cannot_be_withdrawn(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ana")
    path = write_jsonl(tmp_path / "f.jsonl", [past("regional", "commitment", "2024-06-30", 30, "ana")])
    assert cli("import", str(path), "--forecasts").exit_code == 0
    before = cli_json("forecasts", "--score", "--json")
    refused = cli("withdraw", "1")
    assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1
    assert "forecast 1 resolved 'no' after 2024-06-30" in refused.stderr
    assert "its score stands; it cannot be withdrawn" in refused.stderr
    assert cli_json("forecasts", "--json")[0]["outcome"] == "no"
    assert cli_json("forecasts", "--score", "--json") == before


@pytest.mark.parametrize(
    ("due", "made_on", "ok"),
    [
        ("2024-06-30", "2024-06-30", True),  # made on its last day: still before the outcome
        ("2024-06-30", "2024-07-01", False),
        ("2024-06", "2024-06-30", True),  # a month's due date ends on its last day
        ("2024-06", "2024-07-01", False),
        ("2024", "2025-01-01", False),
    ],
)
def test_import_refuses_a_forecast_made_after_its_outcome(
    cli: Invoke, db_path: Path, tmp_path: Path, due: str, made_on: str, ok: bool
) -> None:
    record = past("regional", "commitment", due, 50, "ana", made_on=made_on)
    result = cli("import", str(write_jsonl(tmp_path / "f.jsonl", [record])), "--forecasts")
    assert result.exit_code == (0 if ok else 1), result.stderr
    if not ok:
        assert f"line 1: made_on {made_on} is after the due date {due}" in result.stderr
        assert "fix made_on or due" in result.stderr
    assert forecast_rows(db_path) == (1 if ok else 0)


@pytest.fixture(scope="module")
def default_framework(tmp_path_factory: pytest.TempPathFactory) -> Framework:
    """The default framework, read once from a database of its own (hypothesis runs many examples)."""
    with open_store(tmp_path_factory.mktemp("forecasts") / "policytrack.db") as store:
        return get_framework(store)


@given(
    made=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    due=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    precision=st.sampled_from(["day", "month", "year"]),
)
def test_a_forecast_record_is_taken_only_if_made_by_its_due_date(
    default_framework: Framework, made: date, due: date, precision: str
) -> None:
    from policytrack.exchange.forecasts import forecast_values

    text = {"day": due.isoformat(), "month": due.isoformat()[:7], "year": due.isoformat()[:4]}[precision]
    record = {**past("regional", "commitment", text, 50, "ana"), "made_on": made.isoformat()}
    try:
        forecast_values(default_framework, record, date(2031, 1, 1))
        taken = True
    except InputError:
        taken = False
    assert taken == (made <= PartialDate.from_stored(text).end)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"withdrawn_at": "2024-03-01T09:00:00Z", "withdrawn_by": "mallory"},
            "withdrawn_by 'mallory' is not the forecaster 'ana': only the forecaster withdraws",
        ),
        (
            {"withdrawn_at": "2024-08-01T09:00:00Z", "withdrawn_by": "ana"},
            "withdrawn_at '2024-08-01T09:00:00.000000Z' is after the due date 2024-06-30",
        ),
        (
            {"withdrawn_at": "yesterday", "withdrawn_by": "ana"},
            "withdrawn_at 'yesterday' is not an ISO 8601 timestamp",
        ),
    ],
)
def test_a_forged_withdrawal_in_a_forecasts_file_is_refused(
    cli: Invoke, db_path: Path, tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    good = past("diversify", "in-progress", "2024-06-30", 40, "ana")
    forged = past("regional", "commitment", "2024-06-30", 50, "ana", **extra)
    result = cli("import", str(write_jsonl(tmp_path / "f.jsonl", [good, forged])), "--forecasts")
    assert result.exit_code == 1
    assert f"line 2: {message}" in result.stderr
    assert "1 invalid forecast(s); nothing was imported" in result.stderr
    assert forecast_rows(db_path) == 0


def test_a_withdrawal_that_names_no_one_is_the_forecasters(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path
) -> None:
    record = past("regional", "commitment", "2024-06-30", 50, "ana", withdrawn_at="2024-03-01T09:00:00Z")
    result = cli("import", str(write_jsonl(tmp_path / "f.jsonl", [record])), "--forecasts")
    assert result.exit_code == 0, result.stderr
    (row,) = cli_json("forecasts", "--json")
    assert (row["outcome"], row["withdrawn_by"]) == ("withdrawn", "ana")
