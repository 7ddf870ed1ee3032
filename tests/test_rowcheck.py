"""The import's fast path for rows in the stored form agrees with log's own rules, whatever the row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policytrack.core.dates import PartialDate
from policytrack.core.errors import PolicytrackError
from policytrack.domain.entries import log_entry
from policytrack.domain.workspace import get_framework, open_store
from policytrack.exchange.export import export_records, json_texts
from policytrack.exchange.rowcheck import RowChecker
from policytrack.records.columns import EXPORT_FIELDS
from policytrack.records.models import EntryFilter, EntryInput
from policytrack.render.formats import cells as csv_cells

TODAY = date(2026, 1, 1)

odd_texts = st.sampled_from(["", " ", " padded ", "x\x00y", "\ud800", "=1+1", "a\nb", 0]) | st.text(
    max_size=8
)
odd_lists = st.sampled_from(
    ["a;b", " a ;b ", "a; a", "a;;b", ";", " ", 'say "hi"', "x\x00", "\\", 3]
) | st.lists(st.sampled_from(["a", "b", " c", ""]), max_size=3)
# Each field: values in the stored form (which the fast path should take) and odd ones (which it must
# either turn into the general path's values or leave to it).
FIELDS: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "indicator": (
        st.sampled_from(["regional", "diversify", "civil-society"]),
        st.sampled_from(["Regional", " regional", "reg", "5", "nope", "civil", 5, ["regional"]]),
    ),
    "date": (
        st.sampled_from(["2024", "2024-02", "2024-02-29", "1800", "2025-12-31", "2026-01-01", "2012-03"]),
        st.sampled_from(
            [
                "2023-02-29",
                "2024-13",
                "1799",
                "2026-01-02",
                "2026-02",
                "2027",
                "Feb 2022",
                "2024/1/2",
                "06/07/2024",
                " 2024",
                2024,
                "2024-1-5",
            ]
        ),
    ),
    "summary": (st.text(min_size=1, max_size=20).filter(lambda s: s.strip() and "\x00" not in s), odd_texts),
    "effect": (
        st.sampled_from(["", "0", "1", "2", "-1", "-2"]),
        st.sampled_from(["+1", "3", " 1", "x", None, 1, -2, 7, True, 1.0, "1.0"]),
    ),
    "status": (
        st.sampled_from(["", "no-action", "in-progress", "implemented"]),
        st.sampled_from([None, "In-Progress", "nope", 3, 0, False, ["a"], {"a": 1}]),
    ),
    "grade": (
        st.sampled_from(["", "A1", "F6", "C3"]),
        st.sampled_from([None, "a1", "B 2", "G7", "A", 5, 0, False]),
    ),
    "source": (st.sampled_from(["", "https://example.org", "Reuters, 2024"]), odd_texts),
    "note": (st.text(max_size=20).filter(lambda s: "\x00" not in s), odd_texts | st.none()),
    "analyst": (st.sampled_from(["", "ana", "Bea Diallo"]), odd_texts),
    "tags": (
        st.sampled_from(["", "a", "a; b", "é; ü", "loan; treaty; aid", [], ["a"], ["loan", "aid"]]),
        odd_lists | st.none() | st.sampled_from([["a", "a"], [" a"], ["a;b"], [1], ["x\x00"], [""], [None]]),
    ),
    "actors": (st.sampled_from(["", "China", "Mali; ECOWAS", ["China", "Mali"]]), odd_lists),
}


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    """A row in the stored form with one or two of its fields made odd."""
    odd = draw(st.sets(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=2))
    return {name: draw(FIELDS[name][name in odd]) for name in FIELDS}


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RowChecker]:
    # the same analyst as the function-scoped environment of conftest, which general() reads each time
    with pytest.MonkeyPatch.context() as mp, open_store(tmp_path_factory.mktemp("rows") / "rows.db") as store:
        mp.setenv("POLICYTRACK_ANALYST", "tester")
        yield RowChecker(store, None, TODAY)


def outcome(checker: RowChecker, row: dict[str, Any]) -> dict[str, Any] | str:
    try:
        return checker.general(checker.framework(None), row)
    except PolicytrackError as exc:
        return f"error: {exc}"


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(row=rows())
def test_fast_path_gives_the_general_values_or_steps_aside(checker: RowChecker, row: dict[str, Any]) -> None:
    if row["summary"] in (None, ""):  # refused before either path (values() checks the required columns)
        return
    fast = checker.fast(checker.framework(None), row)
    general = outcome(checker, row)  # errors are PolicytrackErrors: anything else fails the test
    if fast is not None:
        assert fast == general


def test_exported_rows_take_the_fast_path(checker: RowChecker) -> None:
    fw = checker.framework(None)
    row = {
        "indicator": "regional",
        "date": "2024-07-06",
        "summary": "AES confederation treaty signed",
        "effect": "1",
        "status": "in-progress",
        "grade": "B2",
        "source": "https://example.org/aes",
        "note": "",
        "analyst": "analyst1",
        "tags": "treaty; aes",
        "actors": "",
    }
    fast = checker.fast(fw, row)
    assert fast is not None and fast == outcome(checker, row)
    assert fast["tags"] == '["treaty", "aes"]' and fast["date_precision"] == "day"
    # an analyst's spellings are still accepted, through the general path
    typed = {**row, "indicator": "Regional", "date": "6 July 2024", "grade": "b2"}
    assert checker.fast(fw, typed) is None
    assert outcome(checker, typed) == fast


def test_json_values_of_the_wrong_shape_are_one_clear_error(checker: RowChecker) -> None:
    row = {"indicator": "regional", "date": "2024", "summary": "x", "status": ["a"]}
    assert outcome(checker, row) == "error: status must be text, not a JSON list"
    # a number is not text: JSON values are type-checked, never turned into text
    assert outcome(checker, {**row, "status": None, "grade": 5}) == "error: grade must be text, not a number"


def test_fast_path_is_used_for_a_whole_export(tmp_path: Path) -> None:
    """Every row of a real export, CSV or JSON, takes the fast path (else the speed figures mean little)."""
    with open_store(tmp_path / "a.db") as store:
        fw = get_framework(store)
        dates = [PartialDate(date(2024, 1, 5), "day"), PartialDate(date(2024, 2, 1), "month")]
        dates.append(PartialDate(date(2024, 1, 1), "year"))
        for n, (key, day) in enumerate(zip(["regional", "diversify", "guidelines"], dates, strict=True)):
            data = EntryInput(
                indicator=key,
                summary=f"entry {n}",
                date=day,
                grade="C3",
                tags=["a", "b"][: n + 1],
                effect=n - 1,
            )
            log_entry(store, fw, data)
        checker = RowChecker(store, None, TODAY)
        rows = [
            {k: str(v) for k, v in zip(EXPORT_FIELDS, csv_cells(record, EXPORT_FIELDS), strict=True)}
            for record in export_records(store, [fw], EntryFilter())
        ]
        rows += [json.loads(text) for text in json_texts(store, [fw], EntryFilter())]
        assert len(rows) == 6
        for row in rows:
            assert checker.fast(fw, row) is not None, row
