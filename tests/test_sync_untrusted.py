"""A teammate's file is untrusted input (issue 22): every line bound to the analyst whose folder holds it,
every value checked, links and foreign files refused by path, one bad file set aside while the rest of the
team syncs, and a database's own file restored when someone else changes it."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Invoke, Team, ok
from test_sync import joined, local_id

# Every test here but the last runs git (processes): CI runs them; the default run skips them.
slow = pytest.mark.slow


def _lines(tmp_path: Path, name: str) -> dict[str, dict[str, Any]]:
    """The last line of each kind in analyst NAME's file of their sync clone."""
    (own,) = (tmp_path / f"{name}.db.sync" / "analysts" / name).iterdir()
    return {r["kind"]: r for r in map(json.loads, own.read_text(encoding="utf-8").splitlines())}


def _later(moment: str) -> str:
    """A time a second after `moment`, written as sync writes times."""
    later = datetime.fromisoformat(moment.replace("Z", "+00:00")) + timedelta(seconds=1)
    return later.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _own_text(tmp_path: Path, name: str) -> str:
    (own,) = (tmp_path / f"{name}.db.sync" / "analysts" / name).iterdir()
    return own.read_text(encoding="utf-8")


def _push_file(tmp_path: Path, relative: str, records: list[dict[str, Any]] | None, *, raw: str = "") -> None:
    """Someone with push access commits a file (records as lines, or raw text) into the shared repository."""
    work = tmp_path / "forger"
    if not work.exists():
        subprocess.run(["git", "clone", "-q", str(tmp_path / "shared.git"), str(work)], check=True)
    git = ["git", "-C", str(work), "-c", "user.name=x", "-c", "user.email=x@example.org"]
    subprocess.run([*git, "pull", "-q", "--no-rebase", "origin", "HEAD"], check=True)
    path = work / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    text = raw or "".join(json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n" for r in records or [])
    path.write_text(text, encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "forged"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD"], check=True)


def _git(tmp_path: Path, *args: str) -> None:
    work = tmp_path / "forger"
    if not work.exists():
        subprocess.run(["git", "clone", "-q", str(tmp_path / "shared.git"), str(work)], check=True)
        subprocess.run(["git", "-C", str(work), "pull", "-q", "origin", "HEAD"], check=False)
    git = ["git", "-C", str(work), "-c", "user.name=x", "-c", "user.email=x@example.org"]
    subprocess.run([*git, *args], check=True, cwd=work)


@pytest.fixture
def ama_synced(team: Team, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """ama and chi share a repository; ama has an entry, a target, a forecast, a source and a display
    name, all synced. Returns ama's line of each kind."""
    joined(team, tmp_path, "ama", "chi")
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(team("ama", "target", "regional", "in-progress", "--by", "2027-12"))
    ok(team("ama", "forecast", "regional", "in-progress", "--by", "2031-12", "--likelihood", "70"))
    ok(team("ama", "source", "add", "example-wire", "--name", "Example Wire", "--type", "media"))
    ok(team("ama", "config", "set", "display_name", "Ama"))
    ok(team("ama", "sync"))
    return _lines(tmp_path, "ama")


# Per kind: the field that names who acted, and a change that makes the line a new record.
FORGED: dict[str, tuple[str, dict[str, Any]]] = {
    "entry": ("changed_by", {"summary": "Forged statement", "revision": 2, "action": "edit"}),
    "target": ("set_by", {"level": "implemented"}),
    "forecast": ("analyst", {"uuid": "00000000-0000-4000-8000-0000000000f1", "likelihood": 10}),
    "source": ("changed_by", {"name": "Forged Wire", "seen": 1}),
    "analyst": ("name", {"display_name": "Someone Else"}),
}


@slow
@pytest.mark.parametrize("kind", sorted(FORGED))
def test_a_line_naming_another_analyst_is_set_aside_and_the_rest_syncs(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
    kind: str,
) -> None:
    field, change = FORGED[kind]
    forged = {**ama_synced[kind], **change}
    assert forged[field] == "ama"
    relative = "analysts/eve/2026-12-0000eeee.jsonl"
    _push_file(tmp_path, relative, [forged])
    result = team("chi", "sync")
    assert result.exit_code == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert f"{relative} line 1: {field} names 'ama', not eve, whose folder holds the line" in line
    assert "set aside (analyst eve)" in line
    # ama's own records all arrived; nothing of the forged line did
    assert "AES treaty signed in Niamey" in ok(team("chi", "list"))
    shown = ok(team("chi", "list", "--json")) + ok(team("chi", "targets")) + ok(team("chi", "forecasts"))
    assert "Forged statement" not in shown and "implemented" not in ok(team("chi", "targets"))
    conn = sqlite3.connect(tmp_path / "chi.db")
    assert conn.execute("SELECT count(*) FROM forecasts").fetchone() == (1,)
    assert conn.execute("SELECT display_name FROM analysts WHERE name = 'ama'").fetchone() == ("Ama",)
    assert conn.execute("SELECT count(*) FROM sync_sources").fetchone() == (1,)
    conn.close()


@slow
def test_a_review_made_in_another_analysts_name_is_refused_and_carried_reviews_are_not(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
) -> None:
    line = ama_synced["entry"]
    forged = {**line, "revision": 2, "action": "edit", "reviewed_by": "chi", "changed_by": "ama"}
    last = line["changed_at"][-2]  # a time other than the original's, whatever its last digit
    forged["reviewed_at"] = forged["changed_at"] = (
        line["changed_at"][:-2] + ("8" if last == "9" else "9") + "Z"
    )
    _push_file(tmp_path, "analysts/ama/2026-12-0000aaaa.jsonl", [forged])
    result = team("chi", "sync")
    assert result.exit_code == 1 and "reviewed_by names 'chi', not ama" in result.stderr


@slow
@pytest.mark.parametrize("folder", ["ama", "eve"])
def test_a_carried_over_review_nobody_made_is_refused_as_forged(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
    folder: str,
) -> None:
    """A line that says a review was carried over from an earlier revision, where chi never made one at
    that time, is set aside whoever's folder holds it; the rest of the team still syncs."""
    line = ama_synced["entry"]
    carried = {
        **line,
        "revision": 2,
        "action": "edit",
        "changed_by": folder,
        "changed_at": _later(line["changed_at"]),
        "reviewed_by": "chi",
        "reviewed_at": line["changed_at"],  # ama's own revision's time: chi made nothing then
        "summary": "Carried review",
    }
    relative = f"analysts/{folder}/2026-12-0000aaaa.jsonl"
    _push_file(tmp_path, relative, [carried])
    ok(team("ben", "sync", "init", str(tmp_path / "shared.git")))
    result = team("ben", "sync")
    assert result.exit_code == 1, result.stderr
    (problem,) = result.stderr.splitlines()
    assert f"{relative} line 1: reviewed_by names 'chi' at {line['changed_at']}, carried over" in problem
    assert f"(a forged line); set aside (analyst {folder})" in problem
    listed = json.loads(ok(team("ben", "list", "--json")))
    assert [(e["summary"], e["reviewed_by"]) for e in listed] == [("AES treaty signed in Niamey", None)]
    # chi, whose name it uses, refuses it too, and still receives ama's next change
    ok(team("ama", "log", "regional", "Second statement", "--date", "2024-08-01"))
    sent = team("ama", "sync")  # ama's database sets it aside too, and sends its own
    assert sent.exit_code == 1 and "(a forged line)" in sent.stderr and sent.stdout.startswith("sent 1")
    result = team("chi", "sync")
    assert result.exit_code == 1 and "(a forged line)" in result.stderr
    assert "Carried review" not in ok(team("chi", "list"))
    assert "Second statement" in ok(team("chi", "list"))


@slow
def test_an_undo_of_a_revision_the_entry_lacks_is_refused_as_forged(
    team: Team, tmp_path: Path, ama_synced: dict[str, dict[str, Any]]
) -> None:
    """A line that says an undo made it, naming a revision the entry does not have (by its authored number
    and time), is set aside with one line naming the file; nothing of it is written."""
    line = ama_synced["entry"]
    forged = {
        **line,
        "revision": 2,
        "action": "edit",
        "changed_by": "dan",
        "changed_at": _later(line["changed_at"]),
        "summary": "Forged undo",
        "reversal": "undo",
        "reversal_revision": 1,
        "reversal_changed_at": _later(_later(line["changed_at"])),  # revision 1 was made before that
    }
    relative = "analysts/dan/2026-12-0000aaaa.jsonl"
    _push_file(tmp_path, relative, [forged])
    ok(team("ben", "sync", "init", str(tmp_path / "shared.git")))
    result = team("ben", "sync")
    assert result.exit_code == 1, result.stderr
    (problem,) = result.stderr.splitlines()
    assert f"{relative} line 1: its undo names revision 1 made at {forged['reversal_changed_at']}" in problem
    assert "(a forged line); set aside (analyst dan)" in problem
    revisions = json.loads(ok(team("ben", "history", local_id(team, "ben", line["summary"]), "--json")))
    assert [(r["revision"], r["reverses"]) for r in revisions] == [(1, None)]
    conn = sqlite3.connect(tmp_path / "ben.db")
    try:
        assert conn.execute("SELECT count(*) FROM reversals").fetchone() == (0,)
    finally:
        conn.close()


@slow
def test_a_genuine_review_carried_over_travels_in_one_batch_and_after_its_own(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
) -> None:
    """chi reviews ama's entry and syncs; ama receives it, deletes the entry and restores it (each revision
    carries chi's review over) and syncs. chi, who holds the review, and ben, who receives all of it in one
    sync, both take every line; the entry stays reviewed by chi."""
    ok(team("chi", "sync"))
    ok(team("chi", "review", local_id(team, "chi", "AES treaty signed in Niamey")))
    ok(team("chi", "sync"))
    ok(team("ama", "sync"))
    ok(team("ama", "delete", "1", "--force"))
    ok(team("ama", "restore", "1"))
    ok(team("ama", "sync"))
    lines = [json.loads(t) for t in _own_text(tmp_path, "ama").splitlines()]
    moved = [r for r in lines if r["kind"] == "entry" and r["action"] in ("delete", "restore")]
    assert len(moved) == 2 and all(r["reviewed_by"] == "chi" != r["changed_by"] for r in moved)
    assert all(r["reviewed_at"] != r["changed_at"] for r in moved)  # carried over, not made then
    assert ok(team("chi", "sync")).startswith("sent 0, received 2")
    ok(team("ben", "sync", "init", str(tmp_path / "shared.git")))
    result = team("ben", "sync")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    for name in ("chi", "ben"):
        (entry,) = json.loads(ok(team(name, "list", "--json")))
        assert entry["reviewed_by"] == "chi" and entry["revision"] == 4, name


@slow
@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        ("entry", {"revision": 2**60}, "revision must be a whole number from 1 to 9007199254740991"),
        ("entry", {"revision": 2**70}, "revision must be a whole number"),
        ("entry", {"date": "2024-02-30", "date_start": "2024-02-30"}, "date '2024-02-30' is not a date"),
        ("entry", {"changed_at": "9999-01-01T00:00:00.000000Z"}, "later than this computer's clock allows"),
        ("entry", {"tags": ["a;b"]}, "tags item 'a;b' contains ';'"),
        ("entry", {"status": "done"}, "unknown status level 'done'"),
        ("target", {"due": "soon"}, "due 'soon' is not a date"),
        ("target", {"due": "2027-13"}, "due '2027-13' is not a date"),
        ("target", {"start": "2030-01-01", "due": "2028"}, "due 2028 is before the target's start"),
        ("framework", {"loaded_at": "9999-12-31T00:00:00Z"}, "loaded_at '9999-12-31T00:00:00Z' is later"),
        ("forecast", {"likelihood": 1e308}, "likelihood"),
        ("source", {"seen": -1}, "seen must be a whole number from 0"),
        ("analyst", {"set_at": "yesterday"}, "set_at 'yesterday' is not a time"),
    ],
)
def test_a_broken_line_in_an_analysts_own_folder_is_set_aside_naming_file_line_and_field(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
    kind: str,
    change: dict[str, Any],
    message: str,
) -> None:
    relative = "analysts/ama/2026-12-0000abcd.jsonl"
    _push_file(tmp_path, relative, [{**ama_synced[kind], **change}])
    result = team("chi", "sync")
    assert result.exit_code == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"policytrack: error: {relative} line 1: ") and message in line, line
    assert "set aside (analyst ama)" in line and "Traceback" not in result.stderr
    assert "AES treaty signed in Niamey" in ok(team("chi", "list"))  # ama's good file came
    conn = sqlite3.connect(tmp_path / "chi.db")  # a version from the year 9999 never replaced the framework
    assert conn.execute("SELECT max(loaded_at) < '9999' FROM framework_versions").fetchone() == (1,)
    conn.close()


@slow
def test_lines_of_an_earlier_release_in_another_name_are_accepted_once_and_never_undone_as_theirs(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
    cli: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = {
        **ama_synced["entry"],
        "uuid": "00000000-0000-4000-8000-00000000000e",
        "summary": "Written in bob's name by an earlier release",
        "changed_by": "bob",
        "changed_at": "2024-07-06T10:00:00.000000Z",
        "recorded_at": "2024-07-06T10:00:00.000000Z",
    }
    _push_file(tmp_path, "analysts/eve/2024-07-0000eeee.jsonl", [old])
    result = team("chi", "sync")
    assert result.exit_code == 0, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("policytrack: warning: analysts/eve/2024-07-0000eeee.jsonl line 1: changed_by")
    assert "written by an earlier release, accepted once" in line
    assert "Written in bob's name" in ok(team("chi", "list"))
    conn = sqlite3.connect(tmp_path / "chi.db")
    assert conn.execute("SELECT kind, field, named, folder FROM sync_unbound").fetchall() == [
        ("entry", "changed_by", "bob", "eve")
    ]
    conn.close()
    # accepted once: the next sync says nothing of it
    assert team("chi", "sync").stderr == ""
    # undo, run as bob on chi's database, never offers the forged change as bob's own
    monkeypatch.setenv("POLICYTRACK_ANALYST", "bob")
    refused = cli("--db", str(tmp_path / "chi.db"), "undo", "--yes")
    assert refused.exit_code == 1 and "nothing to undo" in refused.stderr


@slow
def test_a_symlink_in_place_of_the_analysts_folder_sends_nothing_outside(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    _git(tmp_path, "rm", "-rq", "analysts")
    (tmp_path / "forger" / "analysts").symlink_to(outside)
    _git(tmp_path, "add", "analysts")
    _git(tmp_path, "commit", "-qm", "link")
    _git(tmp_path, "push", "-q", "origin", "HEAD")
    ok(team("dan", "sync", "init", str(tmp_path / "shared.git")))
    ok(team("dan", "log", "regional", "Dan's entry", "--date", "2024-07-06"))
    result = team("dan", "sync")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "holds analysts as a link or a file, not a folder; nothing was sent" in result.stderr
    assert list(outside.iterdir()) == []


@slow
def test_a_gitlink_is_set_aside_by_its_path(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
) -> None:
    _git(tmp_path, "update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},analysts/eve")
    _git(tmp_path, "commit", "-qm", "submodule")
    _git(tmp_path, "push", "-q", "origin", "HEAD")
    result = team("chi", "sync")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "analysts/eve: it is a gitlink (a submodule)" in line
    assert "AES treaty signed in Niamey" in ok(team("chi", "list"))


@slow
def test_a_file_removed_or_rewritten_by_someone_else_is_restored_by_its_owner(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
) -> None:
    (own,) = (tmp_path / "ama.db.sync" / "analysts" / "ama").iterdir()
    relative = own.relative_to(tmp_path / "ama.db.sync").as_posix()
    _git(tmp_path, "rm", "-q", relative)
    _git(tmp_path, "commit", "-qm", "remove ama's file")
    _git(tmp_path, "push", "-q", "origin", "HEAD")
    result = team("ama", "sync")
    assert result.exit_code == 0
    assert f"{relative} was changed or removed by another commit; restored" in result.stderr
    ok(team("dan", "sync", "init", str(tmp_path / "shared.git")))
    ok(team("dan", "sync"))
    assert "AES treaty signed in Niamey" in ok(team("dan", "list"))
    # rewritten: a line changed in place is put back as its owner wrote it
    _git(tmp_path, "pull", "-q", "--no-rebase", "origin", "HEAD")
    path = tmp_path / "forger" / relative
    path.write_text(path.read_text(encoding="utf-8").replace("AES treaty", "Forged treaty"), encoding="utf-8")
    _git(tmp_path, "commit", "-qam", "rewrite ama's file")
    _git(tmp_path, "push", "-q", "origin", "HEAD")
    assert "restored" in team("ama", "sync").stderr
    text = own.read_text(encoding="utf-8")
    assert "Forged treaty" not in text and "AES treaty signed in Niamey" in text
    ok(team("eli", "sync", "init", str(tmp_path / "shared.git")))
    ok(team("eli", "sync"))
    assert "AES treaty signed in Niamey" in ok(team("eli", "list"))


@slow
def test_a_change_made_here_in_another_analysts_name_stays_here_and_is_said(
    team: Team,
    tmp_path: Path,
    ama_synced: dict[str, dict[str, Any]],
) -> None:
    ok(team("ama", "review", "1", "--by", "editor"))
    result = team("ama", "sync")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "names 'editor' as its reviewed_by, not ama" in line and "stays here, unsent" in line
    assert "sent 0" in result.stdout


def test_a_remote_that_starts_with_a_dash_is_refused_and_makes_no_repository(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("--db", str(tmp_path / "x.db"), "sync", "init", "--", "--shared")
    assert result.exit_code == 1 and "starts with '-'" in result.stderr and "./--shared" in result.stderr
    assert list(work.iterdir()) == [] and not (tmp_path / "x.db.sync").exists()


# -- the checks of one line, without git (the default run) -------------------------------------------


# What a revision an undo made carries of it (records.entry.REVERSAL), well formed.
_REVERSED = {"reversal": "undo", "reversal_revision": 1, "reversal_changed_at": "2024-07-06T10:00:00Z"}


def _entry_line(**change: Any) -> dict[str, Any]:
    from test_sync import _revision_record

    return {**_revision_record("00000000-0000-4000-8000-00000000000a", 1, "ama", 0, 0), **change}


@given(number=st.integers())
@settings(max_examples=60)
def test_a_revision_number_is_read_only_within_what_json_and_sqlite_keep(number: int) -> None:
    from policytrack.core.errors import InputError
    from policytrack.sync.kinds import check_record
    from policytrack.sync.record import MAX_INTEGER

    if 1 <= number <= MAX_INTEGER:
        assert check_record(_entry_line(revision=number))[1]["revision"] == number
    else:
        with pytest.raises(InputError, match="revision must be a whole number from 1 to"):
            check_record(_entry_line(revision=number))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"changed_at": "2024-02-30T10:00:00Z"}, "changed_at '2024-02-30T10:00:00Z' is not a time"),
        ({"recorded_at": "3000-01-01T00:00:00Z"}, "recorded_at '3000-01-01T00:00:00Z' is later than"),
        ({"date": "2024-Q5"}, "date '2024-Q5' is not a date"),
        ({"effect": float("nan")}, "effect must be a whole number"),
        ({"revision": True}, "revision must be a whole number"),
        ({"reversal": "redo"}, "reversal must be one of undo, revert"),
        (_REVERSED | {"reversal_revision": "1"}, "reversal_revision must be a whole number from 1 to"),
        (_REVERSED | {"reversal_revision": 0}, "reversal_revision must be a whole number from 1 to"),
        (_REVERSED | {"reversal_changed_at": "yesterday"}, "reversal_changed_at 'yesterday' is not a time"),
        ({"reversal": "undo"}, "reversal, reversal_revision, reversal_changed_at must be given together"),
        ({"reversal_revision": 1}, "reversal, reversal_revision, reversal_changed_at must be given together"),
    ],
)
def test_a_line_with_an_impossible_value_is_refused_naming_the_field(
    change: dict[str, Any], message: str
) -> None:
    from policytrack.core.errors import InputError
    from policytrack.sync.kinds import check_record

    with pytest.raises(InputError, match=re.escape(message)):
        check_record(_entry_line(**change))


def test_a_time_a_day_ahead_is_read_and_one_further_is_not() -> None:
    from datetime import UTC, datetime, timedelta

    from policytrack.core.errors import InputError
    from policytrack.sync.kinds import check_record

    now = datetime(2026, 1, 1, tzinfo=UTC)
    within = (now + timedelta(hours=23)).isoformat().replace("+00:00", "Z")
    beyond = (now + timedelta(hours=25)).isoformat().replace("+00:00", "Z")
    assert check_record(_entry_line(changed_at=within), now)[1]["changed_at"] == within
    with pytest.raises(InputError, match="later than this computer's clock allows"):
        check_record(_entry_line(changed_at=beyond), now)


def test_which_field_binds_each_kind_is_declared_in_records() -> None:
    from policytrack.sync.kinds import RECORD_KINDS

    actors = {kind.name: [f.name for f in kind.declared.actors()] for kind in RECORD_KINDS}
    assert actors == {
        "framework": [],
        "source": ["changed_by"],
        "analyst": ["name"],
        "target": ["set_by"],
        "forecast": ["analyst", "withdrawn_by"],
        "entry": ["reviewed_by", "returned_by", "changed_by"],
        "redaction": ["by"],
        "decision": ["decided_by"],
    }


_CHI_AT = "2024-07-06T10:05:00.000000Z"  # when chi reviewed (or returned), in the cases below
_CARRIED: dict[str, list[dict[str, Any]]] = {
    # chi's own revision (the review made then) arrives with ama's later one that carries it over
    "made in the batch": [
        {
            "revision": 2,
            "changed_by": "chi",
            "changed_at": _CHI_AT,
            "reviewed_by": "chi",
            "reviewed_at": _CHI_AT,
        },
        {"revision": 3, "changed_by": "ama", "changed_at": "2024-07-06T10:09:00.000000Z", "action": "delete"},
    ],
    # an import states a review made outside the team's history; a later revision carries it over
    "stated by an import": [
        {"action": "import", "reviewed_by": "chi", "reviewed_at": _CHI_AT},
        {"revision": 2, "changed_at": "2024-07-06T10:09:00.000000Z", "action": "delete"},
    ],
}
_FORGED: dict[str, list[dict[str, Any]]] = {
    "a review nobody made": [{"revision": 2, "changed_at": "2024-07-06T10:09:00.000000Z"}],
    "a review chi made at another time": [
        {"revision": 2, "changed_by": "chi", "changed_at": "2024-07-06T10:04:00.000000Z"}
        | {"reviewed_at": "2024-07-06T10:04:00.000000Z"},
        {"revision": 3, "changed_at": "2024-07-06T10:09:00.000000Z"},
    ],
    "a review another made then": [
        {"revision": 2, "changed_by": "ben", "changed_at": _CHI_AT},
        {"revision": 3, "changed_at": "2024-07-06T10:09:00.000000Z"},
    ],
    "a return nobody made": [
        {"revision": 2, "changed_at": "2024-07-06T10:09:00.000000Z", "reviewed_by": None, "reviewed_at": None}
        | {"returned_by": "chi", "returned_at": _CHI_AT, "return_comment": "cite the decree"}
    ],
}


def _carried_batch(changes: list[dict[str, Any]]) -> list[Any]:
    """A first revision by ama, then each change in turn (chi's review carried over unless it says)."""
    from policytrack.sync.kinds import check_record
    from policytrack.sync.record import Incoming

    lines = [_entry_line()]
    for change in changes:
        lines.append({**lines[-1], "reviewed_by": "chi", "reviewed_at": _CHI_AT, **change})
    return [Incoming(f"f.jsonl line {n}", check_record(r)[1], str(n)) for n, r in enumerate(lines, 1)]


@pytest.mark.parametrize("case", sorted(_CARRIED))
def test_a_carried_over_review_is_taken_when_what_made_it_is_here(case: str, db_path: Path) -> None:
    from policytrack.domain.workspace import open_store
    from policytrack.sync.validate import carried

    items = _carried_batch(_CARRIED[case])
    carried(open_store(db_path), items)  # nothing raised: every line is taken
    assert items[-1].record["reviewed_by"] == "chi" != items[-1].record["changed_by"]


@pytest.mark.parametrize("case", sorted(_FORGED))
def test_a_carried_over_review_or_return_nobody_made_is_refused(case: str, db_path: Path) -> None:
    from policytrack.domain.workspace import open_store
    from policytrack.sync.record import LineProblem
    from policytrack.sync.validate import carried

    items = _carried_batch(_FORGED[case])
    with pytest.raises(
        LineProblem, match=r"names 'chi' at 2024-07-06T10:05:00.000000Z, carried over"
    ) as info:
        carried(open_store(db_path), items)
    assert info.value.where == f"f.jsonl line {len(items)}"


@slow
def test_an_entry_new_and_changed_in_one_sync_counts_once_and_a_file_set_aside_counts_nothing(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a sync received is counted by SQLite in its transaction: an entry that arrives and is edited
    in later batches of one sync is one new entry; the entries of a file set aside after some of its
    lines were applied (the transaction rolled back, run again without it) are not counted."""
    from policytrack.sync import receive

    joined(team, tmp_path, "ama", "chi", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("chi", "sync"))
    ok(team("chi", "edit", local_id(team, "chi", "AES treaty signed in Niamey"), "--effect", "1"))
    ok(team("chi", "sync"))
    line = _lines(tmp_path, "ama")["entry"]
    good = {**line, "uuid": "00000000-0000-4000-8000-0000000000e1", "changed_by": "eve", "analyst": "eve"}
    bad = {**good, "uuid": "00000000-0000-4000-8000-0000000000e2", "indicator": "no-such-indicator"}
    _push_file(tmp_path, "analysts/eve/2026-12-0000eeee.jsonl", [good, bad])
    monkeypatch.setattr(receive, "BATCH", 1)  # each line its own batch: the edit meets the entry it edits
    result = team("ben", "sync")
    assert result.exit_code == 1, result.stderr
    assert "(1 new, 0 updated)" in result.stdout
    assert "analysts/eve/2026-12-0000eeee.jsonl line 2" in result.stderr
    again = team("ben", "sync")  # eve's file is still set aside; nothing else is new
    assert again.stdout.strip() == "sent 0, received 0 (0 new, 0 updated), 0 conflicts"


@slow
@pytest.mark.parametrize("dataset", [7, ["acled"], "x" * ((1 << 20) + 1)])
def test_a_decision_citing_a_dataset_that_is_not_storable_text_is_set_aside(
    team: Team, tmp_path: Path, dataset: Any
) -> None:
    from test_inbox import ACLED_COLUMNS, AES, acled_row, write_csv

    joined(team, tmp_path, "ama", "chi")
    data = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row("EXA1", "2024-07-06", AES)])
    ok(team("ama", "inbox", "add", str(data), "--kind", "acled"))
    ok(team("ama", "inbox", "accept", "1", "--indicator", "regional"))
    ok(team("ama", "sync"))
    decision = _lines(tmp_path, "ama")["decision"]
    assert decision["dataset"] == "acled"  # what the forged line changes
    relative = "analysts/ama/2026-12-0000abcd.jsonl"
    forged = {**decision, "uuid": "00000000-0000-4000-8000-0000000000d1", "dataset": dataset}
    _push_file(tmp_path, relative, [forged])
    result = team("chi", "sync")
    assert result.exit_code == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"policytrack: error: {relative} line 1: ") and "dataset" in line, line[:300]
    assert "set aside (analyst ama)" in line and "Traceback" not in result.stderr
    cited = sqlite3.connect(tmp_path / "chi.db")
    assert cited.execute("SELECT uuid, dataset FROM candidate_decisions").fetchall() == [
        (decision["uuid"], "acled")  # ama's own line came; the forged one did not
    ]
    cited.close()
