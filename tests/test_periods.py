"""report --by, timeline, and targets written in framework files; figures worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Invoke
from policytrack.core.errors import FrameworkError
from policytrack.domain.context import utc_now
from policytrack.domain.frameworks.install import install
from policytrack.domain.frameworks.parse import load_framework_file
from policytrack.domain.periods import (
    ASCII_DOWN,
    ASCII_UP,
    ASCII_ZERO,
    SPARK_DOWN,
    SPARK_UP,
    SPARK_ZERO,
    period_of,
    periods_between,
    sparkline,
)
from policytrack.domain.workspace import open_store

AS_OF = "2024-12-31"


def by_period(cli: Invoke, *args: str) -> dict[tuple[str, str], dict[str, object]]:
    result = cli("report", "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {(r["key"], r["period"]): r for r in json.loads(result.stdout)}


def test_periods_and_sparkline() -> None:
    assert period_of(date(2024, 8, 15), "quarter").label == "2024-Q3"
    assert period_of(date(2024, 2, 15), "month").end == date(2024, 2, 29)
    labels = [p.label for p in periods_between(date(2023, 11, 5), date(2024, 2, 1), "quarter")]
    assert labels == ["2023-Q4", "2024-Q1"]
    assert sparkline([0, -3, 3]) == "▁▀█"  # from zero: nothing, a full drop, the top
    assert sparkline([0, -1, 6, 2]) == "▁▔█▃"
    assert sparkline([1, 1]) == "██"
    assert sparkline([0, 0, 0]) == "▁▁▁"  # no evidence draws as the baseline, never as bars
    assert sparkline([]) == ""
    assert sparkline([0, -3, 1, 3], ascii_only=True) == "_V.#"


@given(st.lists(st.integers(-50, 50), max_size=20))
def test_sparkline_starts_at_zero_and_keeps_the_sign(values: list[int]) -> None:
    for ascii_only in (False, True):
        line = sparkline([float(v) for v in values], ascii_only=ascii_only)
        zero, up, down = (
            (ASCII_ZERO, ASCII_UP, ASCII_DOWN) if ascii_only else (SPARK_ZERO, SPARK_UP, SPARK_DOWN)
        )
        assert len(line) == len(values)
        assert all(ch.isascii() for ch in line) or not ascii_only
        for v, ch in zip(values, line, strict=True):
            assert ch == zero if v == 0 else ch in (up if v > 0 else down)
        positives = sorted((v, up.index(ch)) for v, ch in zip(values, line, strict=True) if v > 0)
        assert [level for _, level in positives] == sorted(level for _, level in positives)


def test_by_quarter(cli: Invoke, dataset: None) -> None:
    rows = by_period(cli, "--by", "quarter")
    quarters = sorted({period for _, period in rows})
    assert quarters[0] == "2022-Q1" and quarters[-1] == "2024-Q4" and len(quarters) == 12
    q = rows[("diversify", "2023-Q2")]
    assert (q["entries"], q["hindering"], q["context"], q["momentum"]) == (2, 1, 1, -1)
    assert q["weighted_momentum"] == -1.0
    q1 = rows[("regional", "2024-Q1")]
    assert (q1["entries"], q1["momentum"], q1["status"]) == (1, -2, "no-action")
    q3 = rows[("regional", "2024-Q3")]
    assert (q3["entries"], q3["advancing"], q3["momentum"], q3["weighted_momentum"]) == (2, 2, 3, 0.72)
    assert (q3["status"], q3["status_percent"]) == ("in-progress", 50)
    q4 = rows[("regional", "2024-Q4")]  # the deleted "implemented" entry does not count
    assert (q4["entries"], q4["status"]) == (0, "in-progress")
    assert (q4["period_start"], q4["period_end"]) == ("2024-10-01", "2024-12-31")


def test_by_year_since_and_csv(cli: Invoke, dataset: None) -> None:
    rows = by_period(cli, "--by", "year", "--since", "2024")
    assert {period for _, period in rows} == {"2024"}
    r = rows[("regional", "2024")]
    assert (r["entries"], r["momentum"], r["weighted_momentum"]) == (3, 1, -1.28)
    out = cli("report", "--as-of", AS_OF, "--by", "month", "--since", "2024-07", "-f", "csv")
    records = list(csv.DictReader(io.StringIO(out.stdout_bytes.decode(), newline="")))
    assert len(records) == 5 * 6  # five indicators x July to December
    sep = next(x for x in records if x["key"] == "regional" and x["period"] == "2024-09")
    assert (sep["entries"], sep["momentum"], sep["status"]) == ("1", "2", "in-progress")


def test_by_table_has_sparkline(cli: Invoke, dataset: None) -> None:
    result = cli("report", "--as-of", AS_OF, "--by", "quarter", "--since", "2024-01")
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if " regional " in x)
    assert line.rstrip().endswith("▔▁█▁")  # -2, 0, +3, 0 from zero: a drop, the baseline, the top
    assert "2 +3" in line
    md = cli("report", "--as-of", AS_OF, "--by", "year", "-f", "markdown").stdout
    assert "| 2022 | 2023 | 2024 |" in md and "3 +1 · 50%" in md


def test_by_year_precision_entry_falls_in_its_first_period(cli: Invoke, log: Callable[..., int]) -> None:
    log("guidelines", "synthetic test entry: year precision", "--date", "2023", "--effect", "1")
    rows = by_period(cli, "--by", "quarter", "--since", "2023")
    assert rows[("guidelines", "2023-Q1")]["entries"] == 1
    assert rows[("guidelines", "2023-Q2")]["entries"] == 0


def test_by_bad_unit_is_usage_error(cli: Invoke) -> None:
    assert cli("report", "--by", "week").exit_code == 2


def test_timeline(cli: Invoke, dataset: None) -> None:
    result = cli("timeline", "regional", "--json")
    assert result.exit_code == 0, result.stderr
    points = json.loads(result.stdout)
    assert [p["cumulative_momentum"] for p in points] == [-2, -1, 1, 3]
    assert [p["status_change"] for p in points] == [
        None,
        "no-action -> commitment",
        "commitment -> in-progress",
        "in-progress -> implemented",
    ]
    later = json.loads(cli("timeline", "5", "--since", "2024-08", "--json").stdout)
    assert [(p["date"], p["cumulative_momentum"], p["status_change"]) for p in later] == [
        ("2024-09", 2, "commitment -> in-progress"),
        ("2025-03-01", 4, "in-progress -> implemented"),
    ]
    text = cli("timeline", "regional").stdout
    assert "4 entries; status at the start: no-action; 3 status changes" in text
    assert "▔▔▃█ +3" in text  # -2, -1, 1, 3 from zero against 3: two drops, then levels above zero
    bad = cli("timeline", "nope")
    assert bad.exit_code == 1 and "unknown indicator" in bad.stderr


DEMO = """\
[framework]
name = "demo"
title = "Demo framework"

[framework.source]
title = "A paper"

[[scale]]
name = "none"
percent = 0

[[scale]]
name = "half"
percent = 50

[[scale]]
name = "done"
percent = 100

[[indicators]]
key = "first"
number = 1
title = "First"
description = "The first one."

[indicators.target]
level = "half"
by = "2025-12"
from = "2024-01-01"
note = "the paper's own deadline"
"""


def test_targets_in_framework_files(cli: Invoke, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(DEMO, encoding="utf-8")
    with open_store(db_path) as store:
        install(store, path, utc_now())
        install(store, path, utc_now(), update=True)  # the same target again adds nothing
    result = cli("report", "--framework", "demo", "--as-of", AS_OF, "-f", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    # straight line from 0% on 2024-01-01 to 50% on 2025-12-31: 365/730 -> 25.0%; status 0% < 25%
    assert (row["target"], row["target_due"], row["expected_percent"], row["track"]) == (
        "half",
        "2025-12",
        25.0,
        "off track",
    )
    path.write_text(DEMO.replace('level = "half"', 'level = "done"'), encoding="utf-8")
    with open_store(db_path) as store:
        install(store, path, utc_now(), update=True)
    history = cli("targets", "--framework", "demo", "--history").stdout
    assert history.count("framework demo") == 2 and "half" in history and "done" in history


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        ('level = "half"', 'level = "most"', "target level 'most' is not a level", 27),
        ('by = "2025-12"', 'by = "end of 2025"', "must be an ISO date", 28),
        ('by = "2025-12"', 'by = "2023"', "'by' is before its 'from'", 28),
        ('note = "the', 'nite = "the', "unknown key 'nite'", 30),
    ],
)
def test_bad_targets_in_files(tmp_path: Path, old: str, new: str, message: str, line: int) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(DEMO.replace(old, new), encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework_file(path)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}:")
