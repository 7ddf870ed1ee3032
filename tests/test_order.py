"""One "status at a date" and one order that never uses a local id (README, "How the report decides").

The rule, written here from its statement and nothing else: the status at D is the assessment whose
observed date (its first day) is the latest on or before D, ties broken by the time recorded (UTC), then
the analyst, then the uuid; with none, the baseline. The report, periods (`--by`), timeline, forecasts'
resolution and the per-analyst view must all agree with it, on histories full of ties."""

from __future__ import annotations

import json
import random
import re
import uuid as uuidlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke
from policytrack.core.dates import PartialDate
from policytrack.domain.forecasts import YES, resolve
from policytrack.store import Store

LEVELS = ["no-action", "commitment", "in-progress", "substantial", "implemented"]
BASELINE = "no-action"  # regional has no baseline of its own: the framework's default
DATES = ["2024", "2024-01-10", "2024-02", "2024-02-01", "2024-03-05"]
CUTOFFS = ["2023-12-31", "2024-01-01", "2024-01-10", "2024-01-31", "2024-02-01", "2024-02-29", "2024-03-31"]
TIMES = ["2024-05-01T09:00:00.000000Z", "2024-04-01T08:00:00.000000Z"]
ANALYSTS = ["ana", "ben", "chi"]

assessment = st.fixed_dictionaries(
    {
        "date": st.sampled_from(DATES),
        "recorded_at": st.sampled_from(TIMES),
        "analyst": st.sampled_from(ANALYSTS),
        "status": st.sampled_from(LEVELS),
        "uuid": st.uuids().map(str),
    }
)
histories = st.lists(assessment, max_size=8, unique_by=lambda a: a["uuid"])


def first_day(stored: str) -> str:
    return PartialDate.from_stored(stored).start.isoformat()


def expected(history: list[dict[str, Any]], cutoff: str) -> str:
    eligible = [a for a in history if first_day(a["date"]) <= cutoff]
    if not eligible:
        return BASELINE
    last = max(eligible, key=lambda a: (first_day(a["date"]), a["recorded_at"], a["analyst"], a["uuid"]))
    return str(last["status"])


def rows(history: list[dict[str, Any]]) -> str:
    """The history as import rows (recorded_at given with an offset now and then: it is UTC that counts)."""
    out = []
    for a in history:
        row = {**a, "indicator": "regional", "summary": f"assessed {a['status']} by {a['analyst']}"}
        if a["recorded_at"].startswith("2024-04-01T08"):
            row["recorded_at"] = "2024-04-01T10:00:00+02:00"  # the same instant
        out.append(json.dumps(row))
    return "\n".join(out) + "\n"


def loaded(cli: Invoke, db: Path, history: list[dict[str, Any]], *, seed: int = 0) -> None:
    shuffled = list(history)
    random.Random(seed).shuffle(shuffled)  # arrival order (and so local ids) must not matter
    assert cli("--db", str(db), "framework", "list").exit_code == 0
    if shuffled:
        result = cli("--db", str(db), "import", "-", "-f", "jsonl", input=rows(shuffled))
        assert result.exit_code == 0, result.output


def out(cli: Invoke, db: Path, *args: str) -> Any:
    result = cli("--db", str(db), *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, seed=st.integers(0, 1000))
def test_the_five_paths_give_the_rule(cli: Invoke, tmp_path: Path, history: list[Any], seed: int) -> None:
    db = tmp_path / f"{uuidlib.uuid4()}.db"
    loaded(cli, db, history, seed=seed)
    for cutoff in CUTOFFS:
        want = expected(history, cutoff)
        # the report
        (row,) = [
            r for r in out(cli, db, "report", "--as-of", cutoff, "-f", "json") if r["key"] == "regional"
        ]
        assert row["status"] == want, cutoff
        # timeline: the status after its last change (from the baseline)
        status = BASELINE
        for point in out(cli, db, "timeline", "regional", "--until", cutoff, "-f", "json"):
            if point["status_change"]:
                status = point["status_change"].split(" -> ")[1]
        assert status == want, cutoff
        # the per-analyst view: each analyst's latest is the rule over that analyst's assessments
        by_analyst = out(cli, db, "report", "--by-analyst", "--as-of", cutoff, "-f", "json")
        for analyst in ANALYSTS:
            theirs = [a for a in history if a["analyst"] == analyst and first_day(a["date"]) <= cutoff]
            got = [r["status"] for r in by_analyst if r["key"] == "regional" and r["analyst"] == analyst]
            assert got == ([expected(theirs, cutoff)] if theirs else []), (analyst, cutoff)
    # periods: the status at each month's end
    months = out(
        cli, db, "report", "--by", "month", "--since", "2024-01", "--as-of", "2024-03-31", "-f", "json"
    )
    for record in (r for r in months if r["key"] == "regional"):
        assert record["status"] == expected(history, record["period_end"]), record["period"]
    # forecasts' resolution: a forecast made on D and due on D holds exactly when the status at D reaches it
    with Store(db) as store:
        fw = store.framework("mali-china-security")
        assert fw is not None
        ind = next(i for i in fw.indicators if i.key == "regional")
        assert ind.id is not None
        assessed = [(r["date_start"], r["status"]) for r in store.assessments(ind.id, "9999-12-31")]
        for cutoff in CUTOFFS:
            made = date.fromisoformat(cutoff)
            for level in LEVELS:
                outcome = resolve(fw, ind, level, made, PartialDate.from_stored(cutoff), assessed, date.max)
                assert (outcome == YES) == (LEVELS.index(expected(history, cutoff)) >= LEVELS.index(level))


SAME_DAY = [
    {"date": "2024-02-01", "recorded_at": TIMES[0], "analyst": "ben", "status": "commitment"},
    {"date": "2024-02", "recorded_at": TIMES[0], "analyst": "ana", "status": "substantial"},
    {"date": "2024-02-01", "recorded_at": TIMES[1], "analyst": "chi", "status": "implemented"},
    {"date": "2024-02-01", "recorded_at": TIMES[0], "analyst": "ben", "status": "in-progress"},
    {"date": "2024-01-10", "recorded_at": TIMES[0], "analyst": "ana", "status": "in-progress"},
]


@pytest.mark.slow
def test_two_databases_with_the_same_entries_show_the_same_bytes(cli: Invoke, tmp_path: Path) -> None:
    history = [{**a, "uuid": str(uuidlib.UUID(int=i + 1))} for i, a in enumerate(SAME_DAY)]
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    loaded(cli, first, history, seed=1)
    loaded(cli, second, list(reversed(history)), seed=2)
    ids = [
        [r["uuid"] for r in out(cli, db, "list", "--json")] for db in (first, second)
    ]  # the same order, though the local ids differ
    assert ids[0] == ids[1]
    local = [{r["uuid"]: r["id"] for r in out(cli, db, "list", "--json")} for db in (first, second)]
    assert local[0] != local[1]

    def same(*args: str, drop: tuple[str, ...] = ()) -> bytes:
        got = []
        for db in (first, second):
            result = cli("--db", str(db), *args)
            assert result.exit_code == 0, result.output
            got.append(result.stdout_bytes)
        if drop:
            got = [b"\n".join(_without(line, drop) for line in g.splitlines()) for g in got]
        assert got[0] == got[1], args
        return got[0]

    for fmt in ("table", "markdown", "csv", "json", "jsonl", "html", "svg"):
        same("report", "--as-of", "2024-03-31", "-f", fmt)
    same("report", "--as-of", "2024-03-31", "--by", "quarter", "-f", "json")
    same("report", "--as-of", "2024-03-31", "--by-analyst", "-f", "json")
    # the status the rule gives: the latest date, then the latest time; then ben over ana, then the uuid
    report = json.loads(same("report", "--as-of", "2024-03-31", "-f", "json"))
    assert [r["status"] for r in report if r["key"] == "regional"] == ["in-progress"]
    # the brief's content hash (--explain lists the entries by their local ids, so only the hash is held)
    hashes = []
    for db in (first, second):
        html = cli("--db", str(db), "report", "--as-of", "2024-03-31", "-f", "html", "--explain").stdout
        hashes.append(re.search(r"sha256 of the [^:]*: <span class=\"key\">([0-9a-f]{64})", html))
    assert hashes[0] and hashes[1] and hashes[0][1] == hashes[1][1]
    for fmt in ("jsonl", "csv"):
        same("export", "entries", "-f", fmt, drop=("id",))
    # each database wrote its own import revisions (at its own time): the rest is the same, in one order
    same("export", "entries", "--all-revisions", "-f", "jsonl", drop=("id", "changed_at"))


def _without(line: bytes, keys: tuple[str, ...]) -> bytes:
    """A JSONL line without these keys, or a CSV line without its first cell (the id)."""
    if line.startswith(b"{"):
        record = {k: v for k, v in json.loads(line).items() if k not in keys}
        return json.dumps(record, ensure_ascii=False).encode()
    return line.split(b",", 1)[1] if b"," in line else line


def test_export_streams_in_the_one_order_without_sorting_every_row(tmp_path: Path) -> None:
    """export entries reads entries through entries_order, already in the one order: its plan has no
    temporary b-tree holding every row (which doubled its time at 400,000 entries)."""
    from policytrack.domain.workspace import get_framework, open_store
    from policytrack.exchange.export import csv_lines
    from policytrack.records.models import EntryFilter

    store = open_store(tmp_path / "t.db")
    fw = get_framework(store, None)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    list(csv_lines(store, [fw], EntryFilter()))
    store.conn.set_trace_callback(None)
    (query,) = [s for s in seen if "ORDER BY" in s and "FROM entries e" in s]
    # the top level of the plan (the scalar subqueries that join list cells sort their few items apart)
    plan = " | ".join(r[-1] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {query}") if r[1] == 0)
    assert "entries_order" in plan and "TEMP B-TREE" not in plan, plan
