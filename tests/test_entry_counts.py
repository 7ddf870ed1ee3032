"""entry_counts (m024, kept by triggers) is what a page of `list` and `timeline` counts from: it is the
count of the rows after every path that writes entries (log, edit, delete, restore, undo, revert, import,
sync), and a database that had entries before m024 is counted when it migrates."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from conftest import Invoke

NAMES = ("ama", "ben")
INDICATORS = ("regional", "diversify", "guidelines")
OPERATIONS = ("log", "move", "delete", "restore", "undo", "revert", "import", "sync")


def _kept_and_counted(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        kept = conn.execute("SELECT indicator_id, n FROM entry_counts WHERE n != 0 ORDER BY 1").fetchall()
        counted = conn.execute(
            "SELECT indicator_id, count(*) FROM entries WHERE deleted_at IS NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        conn.close()
    return kept, counted


def _ok(result: Result) -> str:
    assert result.exit_code == 0, (result.stderr, result.exception)
    return result.stdout


def _uuids(run: Any, name: str, *, deleted: bool) -> list[str]:
    listed = json.loads(_ok(run(name, "list", "--json", "--deleted")))
    return sorted(e["uuid"] for e in listed if bool(e["deleted_at"]) == deleted)


@pytest.mark.slow  # git for every sync: about a minute and a half
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(NAMES), st.sampled_from(OPERATIONS), st.integers(0, 999)),
        min_size=4,
        max_size=10,
    )
)
def test_the_entry_counts_follow_every_path_that_writes_entries(
    tmp_path: Path, cli: Invoke, monkeypatch: pytest.MonkeyPatch, steps: list[Any]
) -> None:
    from policytrack.core.config import settings as config_settings

    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # tmp_path is shared by every example
    monkeypatch.setenv("HOME", str(folder / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def run(name: str, *args: str) -> Result:
        monkeypatch.setenv("POLICYTRACK_ANALYST", name)
        monkeypatch.setenv("POLICYTRACK_CONFIG", str(folder / f"{name}.toml"))
        config_settings.cache_clear()
        return cli("--db", str(folder / f"{name}.db"), *args)

    for name in NAMES:
        _ok(run(name, "sync", "init", str(folder / "shared.git")))
    for step, (name, op, pick) in enumerate(steps):
        indicator = INDICATORS[pick % len(INDICATORS)]
        current = _uuids(run, name, deleted=False)
        if op == "log" or (op in ("move", "delete") and not current):
            _ok(run(name, "log", indicator, f"{name} step {step}: Example Ministry statement",
                    "--date", f"2024-0{1 + pick % 9}-01", "--effect", str(pick % 5 - 2)))  # fmt: skip
        elif op == "move":
            moved = run(name, "edit", "@" + current[pick % len(current)][:8], "--indicator", indicator)
            assert moved.exit_code in (0, 1), moved.stderr  # 1: it is there already
        elif op == "delete":
            _ok(run(name, "delete", "@" + current[pick % len(current)][:8], "--force"))
        elif op == "restore":
            gone = _uuids(run, name, deleted=True)
            if gone:
                _ok(run(name, "restore", "@" + gone[pick % len(gone)][:8]))
        elif op == "undo":
            undone = run(name, "undo", "--yes")
            assert undone.exit_code in (0, 1), undone.stderr  # 1: nothing of this analyst's to undo
        elif op == "revert":  # an entry back to its first revision: its indicator, and not deleted
            every = _uuids(run, name, deleted=False) + _uuids(run, name, deleted=True)
            if every:
                reverted = run(name, "revert", "@" + every[pick % len(every)][:8], "--to", "1", "--yes")
                assert reverted.exit_code in (0, 1), reverted.stderr  # 1: revision 1 is current
        elif op == "import":  # the other analyst's entries, deleted ones marked
            other = NAMES[(NAMES.index(name) + 1) % 2]
            path = folder / f"import-{step}.jsonl"
            _ok(run(other, "list", "--deleted", "--format", "jsonl", "-o", str(path)))
            if path.read_bytes().strip():  # the other analyst has entries
                _ok(run(name, "import", str(path)))
        else:
            _ok(run(name, "sync"))
        for who in NAMES:
            kept, counted = _kept_and_counted(folder / f"{who}.db")
            assert kept == counted, (step, who, op)
    for name in NAMES:  # and what `list` says on a terminal's page is that count
        listed = json.loads(_ok(run(name, "list", "--json")))
        kept, _counted = _kept_and_counted(folder / f"{name}.db")
        assert sum(n for _, n in kept) == len(listed)


def test_a_page_of_list_counts_from_entry_counts_and_a_filter_from_the_rows(
    cli: Invoke, db_path: Path
) -> None:
    """The page's count: summed from entry_counts for a framework or its indicators, from the rows with
    any other filter; both the same number as the rows."""
    from policytrack.domain.entries import count_listed
    from policytrack.domain.workspace import get_framework
    from policytrack.records.models import EntryFilter
    from policytrack.store import Store

    for n, (indicator, day) in enumerate(
        [("regional", "2024-01-28"), ("regional", "2024-07-06"), ("diversify", "2022-02-17")]
    ):
        _ok(cli("log", indicator, f"synthetic entry {n}", "--date", day))
    _ok(cli("delete", "2", "--force"))
    store = Store(db_path)
    traced: list[str] = []
    try:
        fw = get_framework(store, None)
        store.conn.set_trace_callback(traced.append)
        cases = [
            (EntryFilter(), 2, "entry_counts"),
            (EntryFilter(indicators=["regional"]), 1, "entry_counts"),
            (EntryFilter(indicators=["regional", "diversify"]), 2, "entry_counts"),
            (EntryFilter(indicators=["regional"], include_deleted=True), 2, "FROM entries"),
            (EntryFilter(since=date(2023, 1, 1)), 1, "FROM entries"),
        ]
        for flt, expected, read in cases:
            traced.clear()
            assert count_listed(store, fw, flt) == expected, flt
            assert read in traced[-1], (flt, traced)
        traced.clear()
        assert count_listed(store, None, EntryFilter()) == 2
        assert "entry_counts" in traced[-1]
    finally:
        store.conn.set_trace_callback(None)
        store.close()


def test_the_entry_counts_are_filled_from_the_entries_a_database_holds(cli: Invoke, db_path: Path) -> None:
    """m024_entry_counts counts the entries already there (the triggers count the ones after)."""
    from policytrack.store import Store

    for n in range(3):
        _ok(cli("log", "regional", f"synthetic entry {n}", "--date", "2024-01-28"))
    _ok(cli("log", "diversify", "synthetic entry 3", "--date", "2024-01-28"))
    _ok(cli("delete", "1", "--force"))
    conn = sqlite3.connect(db_path)  # as before m024: no table, no triggers, not recorded as applied
    for trigger in ("entries_count_ai", "entries_count_ad", "entries_count_au"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE entry_counts")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm024_entry_counts'")
    conn.commit()
    conn.close()
    Store(db_path).close()
    kept, counted = _kept_and_counted(db_path)
    assert kept == counted and sorted(n for _, n in kept) == [1, 2]
