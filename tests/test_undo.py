"""`undo` and `revert`: every kind of change taken back as a new revision, twice, and refused cleanly."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke, InvokeJson, Log
from test_frameworks_parse import MINIMAL
from test_hostile_cli import dump, refused


def entry(cli_json: InvokeJson, entry_id: int) -> dict[str, Any]:
    found: dict[str, Any] = cli_json("show", str(entry_id), "--json")
    return found


def deleted(db: Path, entry_id: int) -> bool:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT deleted_at FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return row[0] is not None
    finally:
        conn.close()


def history(cli_json: InvokeJson, entry_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cli_json("history", str(entry_id), "--json")
    return found


def undo(cli: Invoke) -> str:
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_undo_a_log_deletes_it_and_history_says_so(
    cli: Invoke, cli_json: InvokeJson, log: Log, db_path: Path
) -> None:
    entry_id = log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    out = undo(cli)
    assert "Undo the log of entry 1" in out and "deleted" in out
    assert deleted(db_path, entry_id)
    revs = history(cli_json, entry_id)
    assert [(r["revision"], r["action"], r["reverses"]) for r in revs] == [
        (1, "create", None),
        (2, "delete", "undo of revision 1"),
    ]
    assert cli_json("list", "--json") == []


def test_history_says_what_an_undo_did_in_the_language_and_data_stays_english(
    cli: Invoke, cli_json: InvokeJson, log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # each cell on one line
    entry_id = log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    assert cli("edit", str(entry_id), "--effect", "2").exit_code == 0
    undo(cli)
    french = cli("--lang", "fr", "history", str(entry_id))
    assert french.exit_code == 0, french.output
    assert "annulation de la révision 2" in french.stdout and "undo of revision" not in french.stdout
    assert "Par" in french.stdout and "D'ici" not in french.stdout  # who made it, not a date
    assert "modification" in french.stdout and "│ edit" not in french.stdout
    english = cli("history", str(entry_id))
    assert "undo of revision 2" in english.stdout
    revs = cli_json("--lang", "fr", "history", str(entry_id), "--json")
    assert [r["reverses"] for r in revs] == [None, None, "undo of revision 2"]


def test_undo_twice_steps_back_through_edits(cli: Invoke, cli_json: InvokeJson, log: Log) -> None:
    entry_id = log("regional", "AES treaty signed", "--date", "2024-07-06")
    original = entry(cli_json, entry_id)
    assert cli("edit", "1", "--effect", "2", "--grade", "A1").exit_code == 0
    assert cli("edit", "1", "--summary", "AES treaty signed in Niamey", "--add-tag", "treaty").exit_code == 0
    first = undo(cli)
    assert "summary" in first and "AES treaty signed in Niamey" in first
    after_one = entry(cli_json, entry_id)
    assert after_one["summary"] == "AES treaty signed" and after_one["tags"] == []
    assert after_one["effect"] == 2 and after_one["grade"] == "A1"
    undo(cli)
    back = entry(cli_json, entry_id)
    for key in ("summary", "effect", "grade", "tags", "date", "indicator", "status"):
        assert back[key] == original[key], key
    assert back["revision"] == 5  # nothing erased: two edits and two undos
    assert [r["reverses"] for r in history(cli_json, entry_id)][3:] == [
        "undo of revision 3",
        "undo of revision 2",
    ]
    # the third undo takes back the log itself
    undo(cli)
    assert entry(cli_json, entry_id)["deleted"] is True


def test_undo_delete_restores_and_undo_restore_deletes(
    cli: Invoke, cli_json: InvokeJson, log: Log, db_path: Path
) -> None:
    entry_id = log("diversify", "MINUSMA mandate ends", "--date", "2023-06-30")
    assert cli("delete", "1", "--force").exit_code == 0
    undo(cli)
    assert not deleted(db_path, entry_id)
    assert cli("restore", "1").exit_code != 0  # it is not deleted any more
    assert cli("delete", "1", "--force").exit_code == 0
    assert cli("restore", "1").exit_code == 0
    undo(cli)  # the restore
    assert deleted(db_path, entry_id)
    assert [r["action"] for r in history(cli_json, entry_id)] == [
        "create",
        "delete",
        "restore",
        "delete",
        "restore",
        "delete",
    ]


def test_undo_a_target_brings_back_the_previous_or_withdraws_it(
    cli: Invoke, cli_json: InvokeJson, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("target", "regional", "in-progress", "--by", "2027-12").exit_code == 0
    assert cli("target", "regional", "implemented", "--by", "2028", "--from", "2024-07-06").exit_code == 0
    # in French its dates by the one date rule, and "d'ici" as every due date (locale/fr/GLOSSARY.md)
    monkeypatch.setenv("COLUMNS", "200")  # each cell on one line
    french = cli("--lang", "fr", "undo", "--dry-run")
    assert french.exit_code == 0, french.stderr
    words = " ".join(french.stdout.replace("│", " ").split())
    assert "implemented d'ici 2028, à partir du 6 juillet 2024" in words
    assert "in-progress d'ici décembre 2027, à partir du " in words and "pour 20" not in words
    out = undo(cli)
    assert "implemented by 2028, from 2024-07-06" in out and "in-progress by 2027-12" in out
    current = cli_json("targets", "--json")
    assert [(t["indicator"], t["level"], t["due"]) for t in current] == [
        ("regional", "in-progress", "2027-12")
    ]
    undo(cli)
    assert cli_json("targets", "--json") == []
    report = cli_json("report", "--json")
    assert all(row["target"] is None for row in report)
    levels = [t["level"] for t in cli_json("targets", "--history", "--json")]
    assert levels == ["in-progress", "implemented", "in-progress", ""]  # all kept; "" withdraws
    # a framework update still works beside a withdrawn target (an empty level is not a level in use)
    assert cli("framework", "add", "mali-china-security", "--update").exit_code == 0


def test_undo_a_framework_update_loads_the_previous_file(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(MINIMAL)
    assert cli("framework", "add", str(path)).exit_code == 0
    assert cli("undo", "--yes").exit_code == 1  # a first load is not undone
    path.write_text(MINIMAL.replace('title = "Demo framework"', 'title = "Demo framework, revised"'))
    assert cli("framework", "add", str(path), "--update").exit_code == 0
    out = undo(cli)
    assert "Demo framework, revised" in out and "version 3" in out
    shown = cli("framework", "show", "demo")
    assert "Demo framework, revised" not in shown.stdout and "Demo framework" in shown.stdout
    conn = sqlite3.connect(db_path)
    versions = conn.execute(
        "SELECT v.version, v.loaded_by FROM framework_versions v JOIN frameworks f ON f.id = v.framework_id "
        "WHERE f.name = 'demo' ORDER BY v.version"
    ).fetchall()
    conn.close()
    assert versions == [(1, "tester"), (2, "tester"), (3, "tester")]
    assert refused(cli("undo", "--yes")).startswith("policytrack: error: nothing to undo")


def test_undo_refuses_when_someone_changed_the_entry_since(
    cli: Invoke, log: Log, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    assert cli("edit", "1", "--effect", "1").exit_code == 0
    monkeypatch.setenv("POLICYTRACK_ANALYST", "colleague")
    assert cli("edit", "1", "--grade", "B2").exit_code == 0
    before = dump(db_path)
    # the colleague's own undo works on their change; ours is refused while theirs stands
    monkeypatch.setenv("POLICYTRACK_ANALYST", "tester")
    line = refused(cli("undo", "--yes"))
    assert "changed since" in line and "colleague" in line and "revert 1 --to" in line
    assert dump(db_path) == before


def test_nothing_to_undo_and_other_analysts_changes(
    cli: Invoke, log: Log, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a new database: the built-in framework's first load is nobody's change to undo
    line = refused(cli("undo", "--yes"))
    assert "nothing to undo: tester" in line and "revert" in line
    monkeypatch.setenv("POLICYTRACK_ANALYST", "colleague")
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    monkeypatch.setenv("POLICYTRACK_ANALYST", "tester")
    before = dump(db_path)
    refused(cli("undo", "--yes"))
    assert dump(db_path) == before


def test_imports_are_not_undone(cli: Invoke, log: Log, tmp_path: Path, db_path: Path) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    exported = tmp_path / "e.csv"
    assert cli("export", "entries", "-o", str(exported)).exit_code == 0
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "import", str(exported)).exit_code == 0
    refused(cli("--db", str(other), "undo", "--yes"))


def test_undo_asks_and_dry_run_changes_nothing(cli: Invoke, log: Log, db_path: Path) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    before = dump(db_path)
    dry = cli("undo", "--dry-run")
    assert dry.exit_code == 0 and "deleted" in dry.stdout and "Dry run" in dry.stderr
    assert dump(db_path) == before
    # not a terminal and no --yes: refused, nothing written
    line = refused(cli("undo"))
    assert "--yes" in line
    assert dump(db_path) == before


def test_revert_to_an_earlier_revision(cli: Invoke, cli_json: InvokeJson, log: Log) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06", "--effect", "1")
    assert cli("edit", "1", "--effect", "2").exit_code == 0
    assert cli("edit", "1", "--summary", "AES confederation treaty signed").exit_code == 0
    assert cli("delete", "1", "--force").exit_code == 0
    result = cli("revert", "1", "--to", "2", "--yes")
    assert result.exit_code == 0, result.output
    now = entry(cli_json, 1)
    assert (now["summary"], now["effect"], now["deleted"], now["revision"]) == (
        "AES treaty signed",
        2,
        False,
        5,
    )
    assert history(cli_json, 1)[-1]["reverses"] == "revert to revision 2"
    # undo takes the revert back: deleted again, with the summary it had
    undo(cli)
    again = entry(cli_json, 1)
    assert again["deleted"] is True and again["summary"] == "AES confederation treaty signed"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["revert", "1", "--to", "9", "--yes"], "has no revision 9; it has revisions 1 to 2"),
        (["revert", "1", "--to", "2", "--yes"], "already current"),
        (["revert", "1", "--to", "0", "--yes"], "invalid --to"),
        (["revert", "1", "--to", "x", "--yes"], "invalid --to"),
        (["revert", "7", "--to", "1", "--yes"], "no entry with id 7"),
        (["revert", "1", "--to", "1"], "--yes"),
    ],
)
def test_revert_refusals(cli: Invoke, log: Log, db_path: Path, args: list[str], words: str) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    assert cli("edit", "1", "--effect", "1").exit_code == 0
    before = dump(db_path)
    assert words in refused(cli(*args))
    assert dump(db_path) == before


def test_revert_to_identical_values_is_refused(cli: Invoke, log: Log, db_path: Path) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    assert cli("edit", "1", "--effect", "1").exit_code == 0
    assert cli("edit", "1", "--effect", "0").exit_code == 0
    before = dump(db_path)
    assert "already has the values of revision 1" in refused(cli("revert", "1", "--to", "1", "--yes"))
    assert dump(db_path) == before


EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("--effect"), st.sampled_from(["-2", "-1", "0", "1", "2"])),
        st.tuples(st.just("--grade"), st.sampled_from(["A1", "B2", "C3", ""])),
        st.tuples(st.just("--summary"), st.sampled_from(["one", "two", "three"])),
        st.tuples(st.just("--add-tag"), st.sampled_from(["x", "y"])),
        st.tuples(st.just("--status"), st.sampled_from(["in-progress", "no-action", ""])),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_undoing_every_edit_returns_the_original(
    cli: Invoke, cli_json: InvokeJson, db_path: Path, edits: list[tuple[str, str]]
) -> None:
    db_path.unlink(missing_ok=True)
    result = cli("log", "regional", "start", "--date", "2024-07-06")
    assert result.exit_code == 0, result.output
    entry_id = int(result.stdout.split()[2])
    original = entry(cli_json, entry_id)
    made = 0
    for option, value in edits:
        if cli("edit", str(entry_id), option, value).exit_code == 0:  # "nothing to change" is refused
            made += 1
    for _ in range(made):
        undo(cli)
    back = entry(cli_json, entry_id)
    assert {k: v for k, v in back.items() if k != "revision"} == {
        k: v for k, v in original.items() if k != "revision"
    }
    assert back["revision"] == 1 + 2 * made
    assert json.dumps(history(cli_json, entry_id)[0]["entry"]["summary"]) == '"start"'


def test_undo_a_framework_update_takes_back_the_targets_its_file_set(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(MINIMAL)
    assert cli("framework", "add", str(path)).exit_code == 0
    monkeypatch.setenv("POLICYTRACK_FRAMEWORK", "demo")
    assert cli("target", "first", "none", "--by", "2027").exit_code == 0
    with_target = MINIMAL.replace(
        'description = "The first one."',
        'description = "The first one."\n\n[indicators.target]\nlevel = "done"\nby = "2028"',
    )
    path.write_text(with_target)
    assert cli("framework", "add", str(path), "--update").exit_code == 0
    assert [t["level"] for t in cli_json("targets", "--json")] == ["done"]
    out = undo(cli)
    assert "target of first" in out and "done by 2028" in out
    assert [(t["level"], t["due"]) for t in cli_json("targets", "--json")] == [("none", "2027")]
    # and the analyst's own target before it is next, not stuck behind the file's
    undo(cli)
    assert cli_json("targets", "--json") == []


def test_an_undo_that_would_lose_evidence_is_refused_in_the_dry_run_too(
    cli: Invoke, log: Log, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.toml"
    one = MINIMAL[: MINIMAL.index('[[indicators]]\nkey = "second"')]
    path.write_text(one)
    assert cli("framework", "add", str(path)).exit_code == 0
    path.write_text(MINIMAL)  # adds "second"
    assert cli("framework", "add", str(path), "--update").exit_code == 0
    monkeypatch.setenv("POLICYTRACK_ANALYST", "colleague")
    log("second", "synthetic test entry", "--framework", "demo", "--date", "2024")
    monkeypatch.setenv("POLICYTRACK_ANALYST", "tester")
    before = dump(db_path)
    for args in (["undo", "--dry-run"], ["undo", "--yes"]):
        line = refused(cli(*args))
        assert "version 1 lacks indicator second (1 entry)" in line and "framework add FILE --update" in line
    assert dump(db_path) == before
