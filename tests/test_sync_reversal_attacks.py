"""Attacks on the reversal marks that travel with an undo's or a revert's revision (records.entry.REVERSAL):
forged marks set aside, received marks read by `undo`, `db check` and `import` as their own."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Team, ok
from test_sync import joined, local_id
from test_sync_untrusted import _later, _lines, _push_file

slow = pytest.mark.slow


def _reversals(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT command, undone_revision, made_revision, changed_by FROM reversals ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


@pytest.fixture
def ama_entry(team: Team, tmp_path: Path) -> dict[str, Any]:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    return _lines(tmp_path, "ama")["entry"]


def _forged(line: dict[str, Any], command: str, names: str) -> dict[str, Any]:
    at = _later(line["changed_at"])
    forged = {**line, "revision": 2, "action": "edit", "changed_by": "dan", "changed_at": at}
    forged["summary"] = "Forged reversal"
    named = {"itself": (2, at), "later": (3, _later(at))}[names]
    forged.update(reversal=command, reversal_revision=named[0], reversal_changed_at=named[1])
    return forged


@slow
@pytest.mark.parametrize("command", ["undo", "revert"])
def test_a_reversal_that_names_its_own_revision_is_set_aside(
    team: Team, tmp_path: Path, ama_entry: dict[str, Any], command: str
) -> None:
    forged = _forged(ama_entry, command, "itself")
    relative = "analysts/dan/2026-12-0000aaaa.jsonl"
    _push_file(tmp_path, relative, [forged])
    result = team("ben", "sync")
    assert result.exit_code == 1, result.stderr
    (problem,) = result.stderr.splitlines()
    assert f"{relative} line 1: its {command} names revision 2, not one before its own (2)" in problem
    assert "(a forged line); set aside (analyst dan)" in problem
    assert _reversals(tmp_path / "ben.db") == []


@slow
def test_an_undo_that_names_a_later_revision_is_set_aside(
    team: Team, tmp_path: Path, ama_entry: dict[str, Any]
) -> None:
    forged = _forged(ama_entry, "undo", "later")
    later = {**forged, "revision": 3, "changed_at": forged["reversal_changed_at"], "summary": "Later"}
    for key in ("reversal", "reversal_revision", "reversal_changed_at"):
        del later[key]
    relative = "analysts/dan/2026-12-0000aaaa.jsonl"
    _push_file(tmp_path, relative, [forged, later])
    result = team("ben", "sync")
    assert result.exit_code == 1, result.stderr
    (problem,) = result.stderr.splitlines()
    assert f"{relative} line 1: its undo names revision 3, not one before its own (2)" in problem
    assert _reversals(tmp_path / "ben.db") == []


@slow
def test_received_marks_pass_db_check_and_undo_offers_only_ones_own(
    team: Team, tmp_path: Path, ama_entry: dict[str, Any]
) -> None:
    ok(team("ben", "sync"))
    summary = ama_entry["summary"]
    ok(team("ben", "edit", local_id(team, "ben", summary), "--summary", "Edited by ben"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    entry = local_id(team, "ama", "Edited by ben")
    ok(team("ama", "revert", entry, "--to", "1", "--yes"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    assert _reversals(tmp_path / "ben.db") == [("revert", 1, 3, "ama")]
    for args in (("db", "check"), ("db", "check", "--repair")):
        result = team("ben", *args)
        assert result.exit_code == 0, result.stdout + result.stderr
    assert _reversals(tmp_path / "ben.db") == [("revert", 1, 3, "ama")]
    # ben's undo offers his own edit (revision 2), which ama's revert did not undo
    from policytrack.store import Store

    with Store(tmp_path / "ben.db") as store:
        offered = [(r["kind"], r["revision"]) for r in store.latest_changes("ben") if r["kind"] == "entry"]
    assert offered == [("entry", 2)]
    with Store(tmp_path / "ama.db") as store:
        offered = [(r["kind"], r["revision"]) for r in store.latest_changes("ama") if r["kind"] == "entry"]
    assert offered == [("entry", 3)]
    ben = json.loads(ok(team("ben", "history", local_id(team, "ben", summary), "--json")))
    ama = json.loads(ok(team("ama", "history", entry, "--json")))
    assert ben == ama


def _marks(team: Team, name: str, summary_now: str) -> list[tuple[Any, ...]]:
    revisions = json.loads(ok(team(name, "history", local_id(team, name, summary_now), "--json")))
    return [
        (r["revision"], r["action"], r["changed_by"], r["entry"]["summary"], r["reverses"])
        for r in revisions
        if "entry" in r  # not a redaction's row
    ]


@slow
def test_an_undo_received_before_a_conflict_reorders_it_keeps_its_mark_in_every_database(
    team: Team, tmp_path: Path
) -> None:
    """ben's edit and its undo reach chi first; ama's edit of the same revision, made before ben's,
    arrives later and is ordered before them (renumbering them in chi's database and ben's): every
    database shows the same history, the undo's mark on the same revision naming ben's edit."""
    joined(team, tmp_path, "ama", "ben", "chi")
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    for name in ("ben", "chi"):
        ok(team(name, "sync"))
    ok(team("ama", "edit", local_id(team, "ama", "AES treaty signed in Niamey"), "--note", "by ama"))
    entry = local_id(team, "ben", "AES treaty signed in Niamey")
    ok(team("ben", "edit", entry, "--summary", "Edited by ben"))
    ok(team("ben", "undo", "--yes"))
    ok(team("ben", "sync"))
    ok(team("chi", "sync"))
    ok(team("ama", "sync"))
    for name in ("ben", "chi", "ama"):
        ok(team(name, "sync"))
    histories = {name: _marks(team, name, "AES treaty signed in Niamey") for name in ("ama", "ben", "chi")}
    assert histories["ama"] == histories["ben"] == histories["chi"]
    (edit,) = [r for r in histories["ama"] if r[3] == "Edited by ben"]
    assert [r[4] for r in histories["ama"]] == [None, None, None, f"undo of revision {edit[0]}"]
    assert [r[2] for r in histories["ama"]] == ["ama", "ama", "ben", "ben"]  # ama's edit moved before ben's
    for name in ("ama", "ben", "chi"):
        assert team(name, "db", "check").exit_code == 0
        assert _reversals(tmp_path / f"{name}.db") == [("undo", 3, 4, "ben")]  # one row, renumbered


@slow
def test_a_redaction_of_an_entry_whose_history_holds_a_reversal_keeps_the_mark(
    team: Team, tmp_path: Path
) -> None:
    """ama's file is rewritten for her redaction: the undo's line keeps its mark and is still the
    revision it was (chi, who received it before, neither duplicates nor loses it)."""
    joined(team, tmp_path, "ama", "chi")
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    entry = local_id(team, "ama", "AES treaty signed in Niamey")
    ok(team("ama", "edit", entry, "--note", "Met the source at the ministry"))
    ok(team("ama", "edit", entry, "--summary", "Edited"))
    ok(team("ama", "undo", "--yes"))
    ok(team("ama", "sync"))
    ok(team("chi", "sync"))
    before = _marks(team, "chi", "AES treaty signed in Niamey")
    ok(team("ama", "redact", entry, "--field", "note", "--reason", "names an informant"))
    for name in ("ama", "chi", "ama"):
        ok(team(name, "sync"))
    (own,) = (tmp_path / "ama.db.sync" / "analysts" / "ama").iterdir()
    assert "Met the source" not in own.read_text(encoding="utf-8")
    histories = {name: _marks(team, name, "AES treaty signed in Niamey") for name in ("ama", "chi")}
    assert histories["ama"] == histories["chi"]
    assert [r[4] for r in histories["chi"]] == [r[4] for r in before]
    assert [r[4] is not None for r in before] == [False, False, False, True]
    for name in ("ama", "chi"):  # the rewritten line is the undo's revision: no second row
        assert _reversals(tmp_path / f"{name}.db") == [("undo", 3, 4, "ama")]


@slow
def test_a_revert_to_a_teammates_revision_received_in_the_same_sync_is_taken(
    team: Team, tmp_path: Path
) -> None:
    """ama's revert goes back to zed's revision; chi, new to the team, reads ama's file before zed's in
    one sync: the revert is a genuine one, taken with its mark, not set aside for a revision not yet read."""
    joined(team, tmp_path, "zed", "ama")
    ok(team("zed", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    entry = local_id(team, "zed", "AES treaty signed in Niamey")
    ok(team("zed", "edit", entry, "--summary", "Edited by zed"))
    ok(team("zed", "sync"))
    ok(team("ama", "sync"))
    entry = local_id(team, "ama", "Edited by zed")
    ok(team("ama", "edit", entry, "--summary", "Edited by ama"))
    ok(team("ama", "revert", entry, "--to", "2", "--yes"))
    ok(team("ama", "sync"))
    joined(team, tmp_path, "chi")
    result = team("chi", "sync")
    assert result.exit_code == 0, result.stderr
    ok(team("zed", "sync"))
    histories = {name: _marks(team, name, "Edited by zed") for name in ("ama", "chi", "zed")}
    assert histories["ama"] == histories["chi"] == histories["zed"]
    assert [r[4] for r in histories["chi"]] == [None, None, None, "revert to revision 2"]
    assert _reversals(tmp_path / "chi.db") == [("revert", 2, 4, "ama")]


@given(
    command=st.sampled_from(["undo", "revert"]),
    revision=st.integers(1, 40),
    named=st.integers(1, 40),
    same_time=st.booleans(),
)
def test_a_reversal_is_read_only_when_it_names_an_earlier_revision(
    command: str, revision: int, named: int, same_time: bool
) -> None:
    """No reversal names its own revision; an undo names one numbered below its own (its analyst's earlier
    change); a revert may name a teammate's revision numbered higher (held where this one was set aside)."""
    import re

    from policytrack.core.errors import InputError
    from policytrack.sync.kinds import check_record
    from test_sync_untrusted import _entry_line

    line = _entry_line(revision=revision)
    at = line["changed_at"] if same_time else "2024-07-06T10:00:00Z"
    assert at != line["changed_at"] or same_time
    line.update(reversal=command, reversal_revision=named, reversal_changed_at=at)
    itself = named == revision and same_time
    if itself or (command == "undo" and named >= revision):
        message = f"its {command} names revision {named}, not one before its own ({revision})"
        with pytest.raises(InputError, match=re.escape(message)):
            check_record(line)
    else:
        assert check_record(line)[1]["reversal_revision"] == named
