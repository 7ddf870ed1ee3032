"""`policytrack sync`: databases kept in step through a shared git repository (local bare ones only)."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from conftest import Invoke, Team, ok

# Every test here runs git (processes): CI runs them; the default run skips them.
pytestmark = pytest.mark.slow


def joined(team: Team, tmp_path: Path, *names: str) -> None:
    for name in names:
        ok(team(name, "sync", "init", str(tmp_path / "shared.git")))


def history_of(team: Team, name: str) -> list[str]:
    """Every revision of every entry, tombstones included, without the local ids, in uuid order."""
    lines = ok(team(name, "export", "entries", "--all-revisions", "--all-frameworks", "--format", "jsonl"))
    records = [json.loads(line) for line in lines.splitlines()]
    for record in records:
        del record["id"]
    return sorted(json.dumps(r, sort_keys=True) for r in records)


def local_id(team: Team, name: str, summary: str) -> str:
    """This database's short id of the entry with that summary."""
    listed = json.loads(ok(team(name, "list", "--json", "--all-frameworks")))
    (found,) = [e["id"] for e in listed if e["summary"] == summary]
    return str(found)


def test_two_analysts_send_and_receive_entries_edits_tombstones_and_targets(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--grade", "B2"))
    ok(team("ama", "log", "diversify", "Example Ministry statement", "--date", "2024-08"))
    ok(team("ama", "target", "regional", "in-progress", "--by", "2027-12"))
    assert ok(team("ama", "sync")).strip() == "sent 4, received 0 (0 new, 0 updated), 0 conflicts"
    out = ok(team("ben", "sync"))
    assert out.startswith("sent 1, received 4 (2 new, 0 updated)")  # ben's own framework load goes out
    ok(team("ben", "delete", "2", "--force"))
    ok(team("ben", "edit", "1", "--grade", "A1"))
    assert ok(team("ben", "sync")).startswith("sent 2, received 0")
    assert ok(team("ama", "sync")).strip() == "sent 0, received 3 (0 new, 2 updated), 0 conflicts"
    assert history_of(team, "ama") == history_of(team, "ben")
    listed = json.loads(ok(team("ama", "list", "--json")))
    assert [(e["summary"], e["grade"]) for e in listed] == [("AES treaty signed in Niamey", "A1")]
    assert "in-progress" in ok(team("ben", "targets"))
    assert ok(team("ama", "sync")).strip() == "sent 0, received 0 (0 new, 0 updated), 0 conflicts"


def test_the_repository_holds_one_sorted_append_only_file_per_database(team: Team, tmp_path: Path) -> None:
    joined(team, tmp_path, "ama")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ama", "edit", "1", "--effect", "1"))
    ok(team("ama", "sync"))
    files = sorted((tmp_path / "ama.db.sync" / "analysts" / "ama").iterdir())
    assert len(files) == 1
    lines = files[0].read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["kind"] for r in records] == ["framework", "entry", "entry"]
    assert [r.get("revision") for r in records[1:]] == [1, 2]
    assert all(
        line == json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        for line in lines
    )


def _sent_lines(tmp_path: Path, name: str) -> list[dict[str, Any]]:
    (own,) = (tmp_path / f"{name}.db.sync" / "analysts" / name).iterdir()
    return [json.loads(line) for line in own.read_text(encoding="utf-8").splitlines()]


def test_sending_streams_batches_in_the_one_order_and_a_cut_marks_none(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries are sent a few at a time (batches of 2, pages of 1 entry here), in the one order of
    entries (observed date, ...) then revision; a sync cut short in its second batch remembers nothing as
    sent and leaves no line behind, and the next sends every revision once."""
    from policytrack.core.errors import SyncError
    from policytrack.store.sync import SyncRows
    from policytrack.sync import engine, kinds

    joined(team, tmp_path, "ama", "ben")
    for day in ("2024-07-09", "2024-07-06", "2024-07-08"):
        ok(team("ama", "log", "regional", f"observed {day}", "--date", day))
    ok(team("ama", "edit", local_id(team, "ama", "observed 2024-07-06"), "--effect", "1"))
    monkeypatch.setattr(engine, "BATCH", 2)
    monkeypatch.setattr(kinds, "PAGE", 1)
    add_events, calls = SyncRows.add_events, []

    def cut(self: SyncRows, events: Any) -> None:
        calls.append(1)
        if len(calls) == 3:  # the framework's batch, then the entries' first: cut in their second
            raise SyncError("cut short (test)")
        add_events(self, events)

    monkeypatch.setattr(SyncRows, "add_events", cut)
    assert team("ama", "sync").exit_code == 1
    monkeypatch.setattr(SyncRows, "add_events", add_events)
    assert "to send: 5" in ok(team("ama", "sync", "status"))
    assert ok(team("ama", "sync")).startswith("sent 5,")
    lines = _sent_lines(tmp_path, "ama")
    entries = [(r["summary"], r["revision"]) for r in lines if r["kind"] == "entry"]
    assert entries == [
        ("observed 2024-07-06", 1),
        ("observed 2024-07-06", 2),
        ("observed 2024-07-08", 1),
        ("observed 2024-07-09", 1),
    ]
    assert "(3 new" in ok(team("ben", "sync"))
    assert history_of(team, "ama") == history_of(team, "ben")
    ok(team("ama", "edit", local_id(team, "ama", "observed 2024-07-09"), "--effect", "-1"))
    assert ok(team("ama", "sync")).startswith("sent 1,")
    assert [(r["summary"], r["revision"]) for r in _sent_lines(tmp_path, "ama")[-1:]] == [
        ("observed 2024-07-09", 2)
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_three_databases_converge_whatever_the_order_of_syncs(team: Team, tmp_path: Path, seed: int) -> None:
    names = ["ama", "ben", "chi"]
    joined(team, tmp_path, *names)
    rng = random.Random(seed)
    for round_ in range(3):
        for name in names:
            ok(
                team(
                    name,
                    "log",
                    "regional",
                    f"{name} observation {round_}",
                    "--date",
                    f"2024-0{round_ + 1}-0{1}",
                )
            )
        for name in rng.sample(names, 3):
            ok(team(name, "sync"))
        # everyone edits the first entry apart: a conflict each round
        for name in names:
            ok(team(name, "edit", local_id(team, name, "ama observation 0"), "--note", f"{name} {round_}"))
        if round_ == 1:
            name = rng.choice(names)
            ok(team(name, "delete", local_id(team, name, "ben observation 1"), "--force"))
        for name in rng.sample(names, 3):
            ok(team(name, "sync"))
    for name in rng.sample(names, 3):  # until everyone has every commit
        ok(team(name, "sync"))
    histories = [history_of(team, name) for name in names]
    assert histories[0] == histories[1] == histories[2]
    current = [ok(team(name, "list", "--json", "--all-frameworks")) for name in names]
    strip = [[{k: v for k, v in e.items() if k != "id"} for e in json.loads(c)] for c in current]
    assert sorted(strip[0], key=str) == sorted(strip[1], key=str) == sorted(strip[2], key=str)
    reports = {ok(team(name, "report", "--format", "json", "--as-of", "2024-12-31")) for name in names}
    assert len(reports) == 1


def test_edits_made_apart_are_a_reported_conflict_with_both_revisions_kept(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "edit", "1", "--summary", "AES treaty signed by three juntas"))
    ok(team("ben", "edit", "1", "--summary", "AES confederation treaty signed"))
    ok(team("ama", "sync"))
    assert ok(team("ben", "sync")).strip().endswith("1 conflict")
    assert ok(team("ama", "sync")).strip().endswith("1 conflict")
    for name in ("ama", "ben"):
        found = json.loads(ok(team(name, "conflicts", "--json")))
        assert len(found) == 1 and found[0]["from_revision"] == 1
        assert sorted(r["changed_by"] for r in found[0]["revisions"]) == ["ama", "ben"]
        assert "edits made apart from revision 1" in ok(team(name, "conflicts"))
    assert history_of(team, "ama") == history_of(team, "ben")
    current = {json.loads(ok(team(n, "show", "1", "--json")))["summary"] for n in ("ama", "ben")}
    assert len(current) == 1  # one rule picks the same current revision everywhere
    # editing again after seeing both resolves it: the new revision comes after both
    ok(team("ben", "edit", "1", "--summary", "AES confederation treaty signed in Niamey"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    assert json.loads(ok(team("ama", "show", "1", "--json")))["summary"].endswith("in Niamey")


def _rewrite(clone: Path, path: Path, lines: list[str], message: str) -> None:
    """Rewrite a file in a clone by hand (as its owner would mend it, or as someone tampering would) and
    push it."""
    git = ["git", "-C", str(clone), "-c", "user.name=x", "-c", "user.email=x@example.org"]
    subprocess.run([*git, "pull", "-q", "--no-rebase", "origin", "HEAD"], check=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-qam", message], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD"], check=True)


def test_a_corrupt_line_sets_its_file_aside_and_the_rest_of_the_team_syncs(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben", "chi")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "log", "regional", "Second", "--date", "2024-07-07"))
    ok(team("ama", "sync"))
    ok(team("chi", "log", "diversify", "Example Ministry statement", "--date", "2024-08"))
    ok(team("chi", "sync"))
    clone = tmp_path / "ama.db.sync"
    (own,) = (clone / "analysts" / "ama").iterdir()
    lines = own.read_text(encoding="utf-8").splitlines()
    good = lines[2]
    lines[2] = lines[2].replace('"effect":0', '"effect":7')
    _rewrite(clone, own, lines, "tamper")
    ok(team("ben", "log", "regional", "Ben's own", "--date", "2024-07-08"))
    result = team("ben", "sync")
    assert result.exit_code == 1
    relative = own.relative_to(clone).as_posix()
    (line,) = result.stderr.splitlines()
    assert f"{relative} line 3: effect must be a whole number from -2 to 2" in line
    assert "set aside (analyst ama)" in line and line.endswith("the next sync takes it")
    assert result.stdout.startswith("sent 2, received 2 (1 new")  # chi's entry (and framework) came
    summaries = {e["summary"] for e in json.loads(ok(team("ben", "list", "--json", "--all-frameworks")))}
    assert summaries == {"Ben's own", "Example Ministry statement"}
    conn = sqlite3.connect(tmp_path / "ben.db")
    assert conn.execute("SELECT count(*) FROM sync_files WHERE path LIKE 'analysts/ama/%'").fetchone() == (0,)
    conn.close()
    status = team("ben", "sync", "status")
    assert status.exit_code == 1 and f"{relative} line 3" in status.stderr
    # chi still receives ben's entry; ama mends the line and the next sync takes the file
    ok(team("chi", "sync"))
    assert "Ben's own" in {e["summary"] for e in json.loads(ok(team("chi", "list", "--json")))}
    lines[2] = good
    _rewrite(clone, own, lines, "mend")
    out = ok(team("ben", "sync"))
    assert "received 3 (2 new" in out
    assert len(json.loads(ok(team("ben", "list", "--json", "--all-frameworks")))) == 4


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("analysts/eve/notes.txt", "hello\n", "which policytrack did not write"),
        ("analysts/eve/2024-01-0000abcd.jsonl", "{not json\n", "line 1: not a JSON object"),
        ("analysts/eve/2024-01-0000abcd.jsonl", '{"kind":"entry"}', "line 1: the line is cut short"),
        ("analysts/eve/2024-01-0000abcd.jsonl", '{"kind":"survey"}\n', "does not know ('survey')"),
        ("analysts/eve/2024-01-0000abcd.jsonl", '{"kind": "target"}\n', "line 1: "),
    ],
)
def test_files_policytrack_did_not_write_are_refused(
    team: Team, tmp_path: Path, name: str, content: str, message: str
) -> None:
    joined(team, tmp_path, "ama")
    work = tmp_path / "eve"
    subprocess.run(["git", "clone", "-q", str(tmp_path / "shared.git"), str(work)], check=True)
    (work / name).parent.mkdir(parents=True, exist_ok=True)
    (work / name).write_text(content, encoding="utf-8")
    git = ["git", "-C", str(work), "-c", "user.name=x", "-c", "user.email=x@example.org"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "eve"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD"], check=True)
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    result = team("ama", "sync")
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_repository_someone_else_wrote_is_refused_at_init(team: Team, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    (other / "README").write_text("hello\n")
    git = ["git", "-C", str(other), "-c", "user.name=x", "-c", "user.email=x@example.org"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    result = team("ama", "sync", "init", str(other))
    assert result.exit_code == 1 and "has no policytrack.json" in result.stderr
    assert not (tmp_path / "ama.db.sync").exists()


@pytest.mark.parametrize("analyst", ["../escape", ".hidden", "a/b", "tab\there", "c:d", ".."])
def test_an_analyst_name_that_would_escape_the_folder_is_refused(
    team: Team, tmp_path: Path, cli: Invoke, monkeypatch: pytest.MonkeyPatch, analyst: str
) -> None:
    joined(team, tmp_path, "ama")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    monkeypatch.setenv("POLICYTRACK_ANALYST", analyst)
    before = (tmp_path / "ama.db").read_bytes()
    result = cli("--db", str(tmp_path / "ama.db"), "sync")
    assert result.exit_code == 1 and "cannot be a folder" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "ama.db.sync" / "analysts").exists()
    assert (tmp_path / "ama.db").read_bytes() == before


def test_no_git_is_one_clear_line(team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    joined(team, tmp_path, "ama")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = team("ama", "sync")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "policytrack: error: git is not installed (or not on PATH); install git (https://git-scm.com), "
        "then run the command again"
    )


def test_a_remote_that_refuses_then_accepts_loses_nothing(team: Team, tmp_path: Path) -> None:
    joined(team, tmp_path, "ama", "ben")
    hook = tmp_path / "shared.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'read-only for maintenance' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    result = team("ama", "sync")
    assert (
        result.exit_code == 1
        and "refused the push" in result.stderr
        and "next `policytrack sync`" in result.stderr
    )
    assert len(result.stderr.splitlines()) == 1
    assert "to send: 2" in ok(team("ama", "sync", "status"))  # committed, refused: still to send
    hook.unlink()
    assert ok(team("ama", "sync")).startswith("sent 0, received 0")  # committed before: now pushed
    assert ok(team("ben", "sync")).startswith("sent 1, received 2 (1 new")


def test_an_unreachable_remote_keeps_the_work_for_the_next_sync(team: Team, tmp_path: Path) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    (tmp_path / "shared.git").rename(tmp_path / "away.git")
    result = team("ama", "sync")
    assert result.exit_code == 1 and "cannot reach the shared repository" in result.stderr
    (tmp_path / "away.git").rename(tmp_path / "shared.git")
    ok(team("ama", "sync"))
    assert "(1 new" in ok(team("ben", "sync"))


def test_a_push_that_loses_the_race_is_retried(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policytrack.sync import engine as sync_module

    joined(team, tmp_path, "ama", "ben")
    ok(team("ben", "log", "diversify", "Example Ministry statement", "--date", "2024-08"))
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    real_push = sync_module._push
    raced: list[bool] = []

    def push(clone: object, branch: str, sent: int) -> bool:
        if not raced:  # ben's sync pushes between ama's fetch and ama's push
            raced.append(True)
            env = {**os.environ, "POLICYTRACK_ANALYST": "ben"}
            subprocess.run(
                [sys.executable, "-m", "policytrack", "--db", str(tmp_path / "ben.db"), "sync"],
                env=env,
                check=True,
                capture_output=True,
            )
        return real_push(clone, branch, sent)  # type: ignore[arg-type]

    monkeypatch.setattr(sync_module, "_push", push)
    assert ok(team("ama", "sync")).startswith("sent 2, received 2 (1 new")
    monkeypatch.setattr(sync_module, "_push", real_push)
    assert "(1 new" in ok(team("ben", "sync"))
    assert history_of(team, "ama") == history_of(team, "ben")


def test_a_second_sync_of_the_same_database_stops_with_one_line(team: Team, tmp_path: Path) -> None:
    from policytrack.sync.git import Clone

    joined(team, tmp_path, "ama")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    with Clone(tmp_path / "ama.db.sync").locked():
        result = team("ama", "sync")
    assert result.exit_code == 1 and "another `policytrack sync` of this database is running" in result.stderr
    assert ok(team("ama", "sync")).startswith("sent 2")


def test_status_and_dry_run_change_nothing(team: Team, tmp_path: Path) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ben", "log", "diversify", "Example Ministry statement", "--date", "2024-08"))
    db = tmp_path / "ben.db"
    conn = sqlite3.connect(db)
    before = conn.execute("SELECT count(*) FROM sync_events").fetchone()
    assert "would send 2, would receive 2 (dry run" in ok(team("ben", "sync", "--dry-run"))
    status = ok(team("ben", "sync", "status"))
    assert "to send: 2" in status and "to receive: 2" in status and "conflicts: 0" in status
    assert conn.execute("SELECT count(*) FROM sync_events").fetchone() == before
    assert json.loads(ok(team("ben", "list", "--json")))[0]["summary"] == "Example Ministry statement"
    conn.close()
    assert not list((tmp_path / "ben.db.sync").glob("analysts/ben/*"))


def test_sync_without_init_says_how(team: Team) -> None:
    result = team("ama", "sync")
    assert result.exit_code == 1 and "run `policytrack sync init REMOTE` first" in result.stderr
    again = team("ama", "sync", "status")
    assert again.exit_code == 1


def test_init_twice_and_with_another_remote(team: Team, tmp_path: Path) -> None:
    joined(team, tmp_path, "ama")
    assert "already syncing" in ok(team("ama", "sync", "init", str(tmp_path / "shared.git")))
    other = team("ama", "sync", "init", str(tmp_path / "other.git"))
    assert other.exit_code == 1 and "already syncs with" in other.stderr
    refused = team("ben", "sync", "init", str(tmp_path / "nowhere" / "file.txt" / "x"))
    (tmp_path / "plain.txt").write_text("x")
    bad = team("chi", "sync", "init", str(tmp_path / "plain.txt"))
    assert bad.exit_code == 1 and "cannot clone" in bad.stderr and not (tmp_path / "chi.db.sync").exists()
    assert refused.exit_code in (0, 1)


# -- kill -9 at every step ----------------------------------------------------------------------------

FAKE_GIT = """#!{python}
import os, signal, subprocess, sys
count_file = {count!r}
n = int(open(count_file).read() or 0) + 1 if os.path.exists(count_file) else 1
open(count_file, "w").write(str(n))
if n == {kill_at}:
    os.kill(os.getppid(), signal.SIGKILL)
    sys.exit(1)
sys.exit(subprocess.call([{git!r}, *sys.argv[1:]]))
"""


@pytest.mark.slow
def test_a_sync_killed_at_any_step_loses_nothing(tmp_path: Path) -> None:
    import shutil

    real_git = shutil.which("git")
    assert real_git is not None
    env = {**os.environ, "HOME": str(tmp_path / "home"), "GIT_CONFIG_NOSYSTEM": "1"}

    def run(name: str, *args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "policytrack", "--db", str(tmp_path / f"{name}.db"), *args],
            env={**env, "POLICYTRACK_ANALYST": name, **(extra or {})},
            capture_output=True,
            text=True,
            check=False,
        )

    def remote_lines(name: str) -> int:
        found = subprocess.run(
            ["git", "--git-dir", str(tmp_path / "shared.git"), "grep", "-h", "-e", "", "HEAD", "--",
             f"analysts/{name}"],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        return len(found.stdout.splitlines())

    for name in ("ama", "ben"):
        assert run(name, "sync", "init", str(tmp_path / "shared.git")).returncode == 0
    assert run("ben", "log", "diversify", "Example Ministry statement", "--date", "2024-08").returncode == 0
    assert run("ben", "sync").returncode == 0
    killed = 0
    for kill_at in range(1, 40):
        note = f"observation {kill_at}"
        assert run("ama", "log", "regional", note, "--date", "2024-07-06").returncode == 0
        fake = tmp_path / f"bin{kill_at}"
        fake.mkdir()
        script = fake / "git"
        script.write_text(
            FAKE_GIT.format(
                python=sys.executable, count=str(tmp_path / f"count{kill_at}"), kill_at=kill_at, git=real_git
            )
        )
        script.chmod(0o755)
        done = run("ama", "sync", extra={"PATH": f"{fake}:{os.environ['PATH']}"})
        if done.returncode == 0:
            break  # the sync needs fewer git calls than kill_at: every step has been interrupted once
        assert done.returncode == -9, done.stderr
        killed += 1
        check = run("ama", "db", "check")
        assert check.returncode == 0, check.stderr
        # `sync status` is true after the kill: every record of ama's that the remote lacks is to send
        # once (a commit made and not pushed included), whichever step was cut short
        status = run("ama", "sync", "status")
        assert status.returncode == 0, status.stderr
        expected = 1 + kill_at - remote_lines("ama")  # ama's framework load and each observation
        assert f"to send: {expected}" in status.stdout, (kill_at, status.stdout)
    assert killed >= 8
    assert run("ama", "sync").returncode == 0
    assert "to send: 0" in run("ama", "sync", "status").stdout
    assert remote_lines("ama") == 1 + kill_at
    assert run("ben", "sync").returncode == 0
    assert run("ama", "sync").returncode == 0

    def texts(name: str) -> list[str]:
        out = run(name, "export", "entries", "--all-revisions", "--format", "jsonl").stdout
        return sorted(
            json.dumps({k: v for k, v in json.loads(line).items() if k != "id"}) for line in out.splitlines()
        )

    assert texts("ama") == texts("ben")
    summaries = {
        json.loads(line)["summary"]
        for line in run("ben", "export", "entries", "--format", "jsonl").stdout.splitlines()
    }
    assert {f"observation {n}" for n in range(1, killed + 2)} <= summaries


def test_records_merged_but_not_imported_meet_an_unsent_edit(team: Team, tmp_path: Path) -> None:
    """A sync cut short after its merge: the clone holds a teammate's edit the database has not imported,
    while this database has an edit of the same entry not yet sent. The next sync imports the one and
    sends the other: a conflict, both kept."""
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "edit", "1", "--effect", "1"))
    ok(team("ama", "sync"))
    ok(team("ben", "edit", "1", "--effect", "2"))
    clone = tmp_path / "ben.db.sync"
    git = ["git", "-C", str(clone), "-c", "user.name=x", "-c", "user.email=x@example.org"]
    subprocess.run([*git, "pull", "-q", "--no-rebase", "origin", "main"], check=True)
    assert ok(team("ben", "sync")).strip() == "sent 1, received 1 (0 new, 1 updated), 1 conflict"
    ok(team("ama", "sync"))
    assert history_of(team, "ama") == history_of(team, "ben")
    assert len(json.loads(ok(team("ama", "conflicts", "--json")))) == 1


# -- the merge rule, without git -------------------------------------------------------------------------


def _revision_record(uuid: str, authored: int, analyst: str, minute: int, effect: int) -> dict[str, object]:
    return {
        "kind": "entry",
        "uuid": uuid,
        "revision": authored,
        "action": "create" if authored == 1 else "edit",
        "changed_by": analyst,
        "changed_at": f"2024-07-06T10:{minute:02d}:00.000000Z",
        "recorded_at": "2024-07-06T10:00:00.000000Z",
        "deleted_at": None,
        "framework": "mali-china-security",
        "indicator": "regional",
        "date": "2024-07-06",
        "date_start": "2024-07-06",
        "date_precision": "day",
        "summary": f"Example Ministry statement, version by {analyst} at {minute}",
        "effect": effect,
        "grade": None,
        "status": None,
        "source": "",
        "tags": [],
        "actors": [],
        "note": "",
        "analyst": "ama",
    }


_UUIDS = ["00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"]
_revisions = st.lists(
    st.tuples(
        st.sampled_from(_UUIDS),
        st.integers(2, 4),
        st.sampled_from(["ama", "ben", "chi"]),
        st.integers(1, 59),
        st.integers(-2, 2),
    ),
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_revisions, order=st.randoms(use_true_random=False))
def test_any_delivery_order_gives_the_same_history(tmp_path: Path, edits: list[Any], order: Any) -> None:
    """The same revisions, merged in any order and any batches, give the same history and current state."""
    from policytrack.domain.workspace import open_store
    from policytrack.sync.kinds import ENTRIES, Incoming, Received, event_id, line_text
    from policytrack.sync.record import Sender

    records = [_revision_record(u, 1, "ama", 0, 0) for u in _UUIDS]
    records += [_revision_record(*edit) for edit in edits]
    incoming = [Incoming("test", ENTRIES.read_line(r), event_id(line_text(r))) for r in records]
    unique = list({item.event: item for item in incoming}.values())
    results = []
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # tmp_path is shared by every example
    for attempt in range(2):
        shuffled = unique[:]
        order.shuffle(shuffled)
        cut = order.randint(0, len(shuffled))
        path = folder / f"order-{attempt}.db"
        with open_store(path) as store:
            for batch in (shuffled[:cut], shuffled[cut:]):
                if batch:
                    with store.transaction():
                        sender = Sender("chi", None, "2026-01-01T00:00:00Z")
                        ENTRIES.apply(store, batch, Received(store), sender)
            history = store.conn.execute(
                """SELECT e.uuid, r.revision, r.changed_by, r.changed_at, r.effect, r.summary
                   FROM entry_revisions r JOIN entries e ON e.id = r.entry_id ORDER BY e.uuid, r.revision"""
            ).fetchall()
            current = store.conn.execute(
                "SELECT uuid, revision, effect, summary FROM entries ORDER BY uuid"
            ).fetchall()
        results.append(([tuple(r) for r in history], [tuple(r) for r in current]))
    assert results[0] == results[1]
    assert len(results[0][0]) == len(unique)


def test_source_links_events_signals_and_reviews_travel(team: Team, tmp_path: Path) -> None:
    """What issues 13 and 14 added to an entry travels with it: a registered source by its key (linked
    where the receiving database registered that key too), the event, signals and the review."""
    joined(team, tmp_path, "ama", "ben")
    for name in ("ama", "ben"):
        ok(team(name, "source", "add", "example-wire", "--name", "Example Wire", "--type", "media"))
    event = ("regional,diversify", "Example Ministry statement", "--date", "2024-07-06")
    ok(team("ama", "log", *event, "--source", "example-wire"))
    ok(
        team(
            "ama",
            "log",
            "regional",
            "Example trade agreement",
            "--date",
            "2024-08",
            "--signal",
            "regional-agreements",
        )
    )
    ok(team("ama", "review", "1", "--self"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    keys = ("summary", "indicator", "source_key", "event", "reviewed_by", "signals")

    def listed(name: str) -> list[dict[str, object]]:
        found = json.loads(ok(team(name, "list", "--json")))
        return sorted(({k: e.get(k) for k in keys} for e in found), key=lambda e: str(e["indicator"]))

    assert listed("ben") == listed("ama")
    assert [e["source_key"] for e in listed("ben")].count("example-wire") == 2
    assert len({e["event"] for e in listed("ben") if e["event"]}) == 1
    assert [e["reviewed_by"] for e in listed("ben")].count("ama") == 1
    assert ["regional-agreements"] in [e["signals"] for e in listed("ben")]


def test_languages_and_a_translated_summary_travel(team: Team, tmp_path: Path) -> None:
    """An entry's language, its translated summary (checked or not) and a source's language reach a
    teammate's database as they were written (issue 23)."""
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "source", "add", "example-radio", "--name", "Example Radio", "--language", "bm"))
    ok(
        team(
            "ama",
            *("log", "regional", "Example Ministry statement", "--date", "2024-07-06", "--language", "fr"),
            *(
                "--translation",
                "Example Ministry statement (en)",
                "--translation-language",
                "en",
                "--checked",
            ),
        )
    )
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    keys = ("language", "summary_translation", "summary_translation_language", "summary_translation_checked")
    (entry,) = json.loads(ok(team("ben", "list", "--json")))
    assert [entry[k] for k in keys] == ["fr", "Example Ministry statement (en)", "en", True]
    sources = json.loads(ok(team("ben", "source", "list", "--json")))["sources"]
    assert [(s["key"], s["language"]) for s in sources] == [("example-radio", "bm")]


# -- the whole shared record (issue 21) -------------------------------------------------------------------


def test_a_source_registry_travels_and_a_citation_survives_a_teammates_review(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(
        team(
            "ama",
            "source",
            "add",
            "example-wire",
            "--name",
            "Example Wire",
            "--type",
            "media",
            "--reliability",
            "B",
        )
    )
    ok(
        team(
            "ama",
            "log",
            "regional",
            "Example Ministry statement",
            "--date",
            "2024-07-06",
            "--source",
            "example-wire",
        )
    )
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    listed = json.loads(ok(team("ben", "source", "list", "--json")))["sources"]
    assert [(s["key"], s["name"], s["reliability"]) for s in listed] == [
        ("example-wire", "Example Wire", "B")
    ]
    ok(team("ben", "review", local_id(team, "ben", "Example Ministry statement")))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    (entry,) = json.loads(ok(team("ama", "list", "--json")))
    assert entry["source_key"] == "example-wire" and entry["reviewed_by"] == "ben"
    ok(team("ama", "source", "edit", "example-wire", "--reliability", "A"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    assert json.loads(ok(team("ben", "source", "list", "--json")))["sources"][0]["reliability"] == "A"
    assert ok(team("ben", "conflicts")).strip() == "no conflicts"


def test_one_key_registered_apart_is_a_conflict_with_one_winner_until_resolved(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "source", "add", "example-wire", "--name", "Example Wire", "--reliability", "B"))
    ok(team("ben", "source", "add", "example-wire", "--name", "Example Wire Service", "--reliability", "D"))
    ok(team("ama", "sync"))
    assert ok(team("ben", "sync")).strip().endswith("1 conflict")
    ok(team("ama", "sync"))
    registries = [json.loads(ok(team(n, "source", "list", "--json")))["sources"] for n in ("ama", "ben")]
    assert registries[0] == registries[1]
    for name in ("ama", "ben"):
        (found,) = json.loads(ok(team(name, "conflicts", "--json")))
        assert found["ref"] == "source:example-wire"
        assert sorted(v["reliability"] for v in found["versions"]) == ["B", "D"]
        assert "Example Wire Service" in ok(team(name, "conflicts"))
    assert "conflicts: 1" in ok(team("ama", "sync", "status"))
    wrong = team("ama", "conflicts", "resolve", "source:example-wire", "--keep", "3")
    assert wrong.exit_code == 1 and "mine or theirs" in wrong.stderr
    ok(team("ama", "conflicts", "resolve", "source:example-wire", "--keep", "mine"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    for name in ("ama", "ben"):
        assert ok(team(name, "conflicts")).strip() == "no conflicts"
        assert "conflicts: 0" in ok(team(name, "sync", "status"))
        assert json.loads(ok(team(name, "source", "list", "--json")))["sources"][0]["reliability"] == "B"


def test_forecasts_and_withdrawals_travel(team: Team, tmp_path: Path) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "forecast", "regional", "in-progress", "--by", "2031-12", "--likelihood", "70"))
    ok(team("ama", "forecast", "regional", "implemented", "--by", "2032-12", "--likelihood", "20"))
    assert ok(team("ama", "sync")).startswith("sent 3")  # the framework and two forecasts
    ok(team("ben", "sync"))
    forecasts = json.loads(ok(team("ben", "forecasts", "--json")))
    assert sorted(f["likelihood"] for f in forecasts) == [20, 70]
    # only the forecaster withdraws (ben may not): ama withdraws hers, and the withdrawal travels
    refused = team("ben", "withdraw", str(next(f["id"] for f in forecasts if f["likelihood"] == 20)))
    assert refused.exit_code == 1 and "only the forecaster withdraws" in refused.stderr
    mine = json.loads(ok(team("ama", "forecasts", "--json")))
    ok(team("ama", "withdraw", str(next(f["id"] for f in mine if f["likelihood"] == 20))))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    strip = [
        sorted(
            json.dumps({k: v for k, v in f.items() if k != "id"}, sort_keys=True)
            for f in json.loads(ok(team(n, "forecasts", "--json")))
        )
        for n in ("ama", "ben")
    ]
    assert strip[0] == strip[1] and any('"withdrawn_by": "ama"' in f for f in strip[0])


def test_two_targets_set_apart_are_reported_and_a_later_one_settles_them(team: Team, tmp_path: Path) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "target", "regional", "in-progress", "--by", "2027-12"))
    ok(team("ben", "target", "regional", "implemented", "--by", "2028-06"))
    ok(team("ama", "sync"))
    assert ok(team("ben", "sync")).strip().endswith("1 conflict")
    ok(team("ama", "sync"))
    for name in ("ama", "ben"):
        (found,) = json.loads(ok(team(name, "conflicts", "--json")))
        assert found["kind"] == "target" and sorted(t["set_by"] for t in found["targets"]) == ["ama", "ben"]
    assert ok(team("ama", "targets")) == ok(team("ben", "targets"))
    ok(team("ben", "conflicts", "resolve", found["ref"], "--keep", "theirs"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    for name in ("ama", "ben"):
        assert json.loads(ok(team(name, "conflicts", "--json"))) == []
        assert "in-progress" in ok(team(name, "targets"))


def test_an_entry_conflict_shows_each_side_and_settles_by_resolve_or_restore(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben")
    long = "AES confederation treaty signed " + "in Niamey " * 10
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "delete", "1", "--force"))
    ok(team("ben", "edit", "1", "--summary", long))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    (found,) = json.loads(ok(team("ben", "conflicts", "--json")))
    changes = {r["changed_by"]: r["changes"] for r in found["revisions"]}
    assert changes["ama"] == {"deleted": [False, True]}
    assert changes["ben"] == {"summary": ["AES treaty signed", long]}
    assert long in ok(team("ben", "conflicts"))  # uncut
    shown = ok(team("ama", "conflicts"))
    theirs = "theirs"
    ok(team("ama", "conflicts", "resolve", "1", "--keep", theirs))
    assert "settle" in shown
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    for name in ("ama", "ben"):
        assert json.loads(ok(team(name, "conflicts", "--json"))) == []
        assert json.loads(ok(team(name, "show", "1", "--json")))["summary"] == long
    assert history_of(team, "ama") == history_of(team, "ben")


def test_an_entry_conflict_names_a_registered_source_by_its_key(team: Team, tmp_path: Path) -> None:
    """A side that links the evidence to a registered source (or drops it) shows the change by the source's
    key, as sync sends it: the local source id means nothing to a teammate (found in a three-analyst week)."""
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "source", "add", "aes-govts", "--name", "AES governments"))
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06", "--source", "aes-govts"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "edit", "1", "--source", "AES treaty text"))
    ok(team("ben", "edit", "1", "--grade", "A1"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    (found,) = json.loads(ok(team("ben", "conflicts", "--json")))
    changes = {r["changed_by"]: r["changes"] for r in found["revisions"]}
    assert changes["ama"]["source_key"] == ["aes-govts", None]
    assert "source_key" not in changes["ben"]
    assert 'source_key: "aes-govts" -> null' in ok(team("ben", "conflicts"))


def test_display_names_travel_and_commits_carry_the_analysts_name(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("POLICYTRACK_CONFIG", str(config))
    ok(team("josé", "config", "set", "display-name", "José Núñez"))
    ok(team("josé", "config", "set", "email", "jose@example.org"))
    joined(team, tmp_path, "josé", "ben")
    ok(team("josé", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("josé", "sync"))
    config.unlink()
    from policytrack.core.config import settings

    settings.cache_clear()  # one process runs every command here
    assert "to receive: " in ok(team("ben", "sync", "status"))
    ok(team("ben", "sync"))
    names = sqlite3.connect(tmp_path / "ben.db").execute("SELECT name, display_name FROM analysts").fetchall()
    assert names == [("josé", "José Núñez")]
    author = subprocess.run(
        ["git", "-C", str(tmp_path / "shared.git"), "log", "--format=%an <%ae>"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert "José Núñez <jose@example.org>" in author
    assert "to send: 0" in ok(team("josé", "sync", "status"))


def test_status_counts_a_commit_not_pushed_and_the_next_sync_pushes_it(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policytrack.core.errors import SyncError
    from policytrack.sync import engine

    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))

    def refused(*args: object) -> bool:
        raise SyncError("the shared repository refused the push (test); check your access to it")

    monkeypatch.setattr(engine, "_push", refused)
    failed = team("ama", "sync")
    assert failed.exit_code == 1 and failed.stderr.count("\n") == 1
    monkeypatch.undo()
    assert "to send: 2" in ok(team("ama", "sync", "status"))
    assert ok(team("ama", "sync")).startswith("sent 0")
    assert "to send: 0" in ok(team("ama", "sync", "status"))
    assert "(1 new" in ok(team("ben", "sync"))


def test_the_running_syncs_lock_survives_its_own_recovery(team: Team, tmp_path: Path) -> None:
    from policytrack.sync.git import LOCK, Clone

    joined(team, tmp_path, "ama")
    clone = Clone(tmp_path / "ama.db.sync")
    with clone.locked():
        clone.recover()
        assert (clone.path / ".git" / LOCK).exists()
        second = team("ama", "sync")
    assert second.exit_code == 1 and "another `policytrack sync`" in second.stderr


def test_a_name_with_accents_quotes_and_a_space_works_in_sync_status_and_conflicts(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analyst login with a space (its folder in the repository) and a display name with quotes: sync,
    status and conflicts work for both teammates, and the commits carry the name as written."""
    from policytrack.core.config import settings

    jose, display = "José Núñez", 'José "Pepe" Núñez'

    def as_(name: str, *args: str) -> Result:
        monkeypatch.setenv("POLICYTRACK_CONFIG", str(tmp_path / f"{name}.toml"))
        settings.cache_clear()
        return team(name, *args)

    ok(as_(jose, "config", "set", "display-name", display))
    ok(as_(jose, "config", "set", "email", "jose@example.org"))
    for name in (jose, "ben"):
        ok(as_(name, "sync", "init", str(tmp_path / "shared.git")))
    ok(as_(jose, "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(as_(jose, "sync"))
    assert "to receive: 3" in ok(as_("ben", "sync", "status"))  # the framework, the entry, the name
    ok(as_("ben", "sync"))
    ok(as_("ben", "edit", "1", "--effect", "1"))
    ok(as_(jose, "edit", "1", "--effect", "-1"))
    ok(as_("ben", "sync"))
    assert ok(as_(jose, "sync")).strip().endswith("1 conflict")
    ok(as_("ben", "sync"))
    for name in (jose, "ben"):
        status = ok(as_(name, "sync", "status"))
        assert "to send: 0" in status and "to receive: 0" in status and "conflicts: 1" in status
        (found,) = json.loads(ok(as_(name, "conflicts", "--json")))
        assert {r["changed_by"] for r in found["revisions"]} == {"ben", jose}
        assert f"by {jose} at" in ok(as_(name, "conflicts"))
    ok(as_(jose, "conflicts", "resolve", "1", "--keep", "mine"))
    ok(as_(jose, "sync"))
    ok(as_("ben", "sync"))
    for name in (jose, "ben"):
        assert json.loads(ok(as_(name, "conflicts", "--json"))) == []
        assert json.loads(ok(as_(name, "show", "1", "--json")))["effect"] == -1
    assert history_of(team, jose) == history_of(team, "ben")
    names = sqlite3.connect(tmp_path / "ben.db").execute("SELECT name, display_name FROM analysts").fetchall()
    assert names == [(jose, display)]
    shared = ["git", "--git-dir", str(tmp_path / "shared.git")]
    authors = subprocess.run([*shared, "log", "--format=%an <%ae>"], capture_output=True, check=True)
    assert f"{display} <jose@example.org>" in authors.stdout.decode("utf-8").splitlines()
    files = subprocess.run([*shared, "ls-tree", "-r", "-z", "--name-only", "HEAD"], capture_output=True)
    assert any(p.startswith(f"analysts/{jose}/") for p in files.stdout.decode("utf-8").split("\0"))


@pytest.mark.parametrize("command", [("sync",), ("sync", "status"), ("sync", "init", "REMOTE")])
def test_no_git_is_one_clear_line_for_every_sync_command(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    joined(team, tmp_path, "ama")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    before = (tmp_path / "ama.db").read_bytes()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    args = [str(tmp_path / "other.git") if a == "REMOTE" else a for a in command]
    result = team("ben" if "init" in command else "ama", *args)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "policytrack: error: git is not installed (or not on PATH); install git (https://git-scm.com), "
        "then run the command again"
    )
    assert (tmp_path / "ama.db").read_bytes() == before
    assert not (tmp_path / "ben.db.sync").exists() and not (tmp_path / "other.git").exists()


@pytest.mark.parametrize("default_branch", [None, "master", "trunk"])
def test_a_clone_of_the_shared_repository_is_a_readable_checkout(
    team: Team, tmp_path: Path, default_branch: str | None
) -> None:
    """`git clone` of the shared repository checks out its records, whether sync init made the repository
    or was given an empty one whose HEAD names another branch."""
    shared = tmp_path / "shared.git"
    if default_branch:
        subprocess.run(["git", "init", "-q", "--bare", "-b", default_branch, str(shared)], check=True)
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    assert "(1 new" in ok(team("ben", "sync"))
    checkout = tmp_path / "checkout"
    done = subprocess.run(["git", "clone", "-q", str(shared), str(checkout)], capture_output=True, text=True)
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    assert (checkout / "policytrack.json").is_file()
    (own,) = (checkout / "analysts" / "ama").iterdir()
    assert "AES treaty signed" in own.read_text(encoding="utf-8")
    branch = subprocess.run(["git", "-C", str(checkout), "branch", "--show-current"], capture_output=True)
    assert branch.stdout.decode().strip() == (default_branch or "main")


def test_status_counts_a_record_committed_and_not_yet_marked_sent_once(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sync cut short after its commit and before the database marked the records sent: they are both
    unsent and in a commit not pushed, and `sync status` counts each once; the next sync sends them."""
    from policytrack.core.errors import SyncError
    from policytrack.sync.git import Clone

    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    run = Clone.run

    def cut(self: Clone, *args: str, **kwargs: Any) -> str:
        done = run(self, *args, **kwargs)
        if args[0] == "commit":  # the records are committed; the transaction that marks them is not
            raise SyncError("cut short (test)")
        return done

    monkeypatch.setattr(Clone, "run", cut)
    assert team("ama", "sync").exit_code == 1
    monkeypatch.undo()
    log = subprocess.run(
        ["git", "-C", str(tmp_path / "ama.db.sync"), "log", "--format=%s"], capture_output=True
    )
    assert "records 2 change(s)" in log.stdout.decode()  # committed before the cut
    assert "to send: 2" in ok(team("ama", "sync", "status"))
    assert ok(team("ama", "sync")).startswith("sent 0")
    assert "to send: 0" in ok(team("ama", "sync", "status"))
    assert "(1 new" in ok(team("ben", "sync"))


def test_a_delete_and_an_edit_made_apart_leave_one_state_everywhere(team: Team, tmp_path: Path) -> None:
    """Found by tests/test_sync_property.py: chi deletes and ben edits one entry apart. Every database,
    ama's (which received both) included, holds the same history and the same current state: the delete
    stands (the one tombstone rule) until a restore. ama's database showed the entry, let her edit it,
    and sent an edit that the others read as deleted."""
    names = ("ama", "ben", "chi")
    joined(team, tmp_path, *names)
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    for name in names:
        ok(team(name, "sync"))
    ok(team("chi", "delete", local_id(team, "chi", "AES treaty signed"), "--force"))
    ok(team("ben", "edit", local_id(team, "ben", "AES treaty signed"), "--note", "ben"))
    for name in ("chi", "ben", "ama", "chi"):
        ok(team(name, "sync"))
    for name in names:
        assert ok(team(name, "export", "entries", "--format", "jsonl")) == ""  # deleted everywhere
    refused = team("ama", "edit", "1", "--note", "ama")
    assert refused.exit_code == 1 and "is deleted" in refused.stderr
    assert history_of(team, "ama") == history_of(team, "ben") == history_of(team, "chi")
    ok(team("ama", "restore", "1"))
    for name in ("ama", "ben", "chi"):
        ok(team(name, "sync"))
    shown = [json.loads(ok(team(name, "list", "--json"))) for name in names]
    assert [e["note"] for s in shown for e in s] == ["ben", "ben", "ben"]
    for name in names:
        assert json.loads(ok(team(name, "conflicts", "--json"))) == []


def test_sync_and_its_conflicts_in_french_while_data_stays_english(team: Team, tmp_path: Path) -> None:
    """The counts, the conflict lines and the errors of sync read in French with --lang fr; what the
    repository and --json hold does not change with the language."""
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    assert ok(team("ama", "--lang", "fr", "sync")).strip() == (
        "2 envoyés, 0 reçus (0 nouveaux, 0 mis à jour), 0 conflit"
    )
    ok(team("ben", "sync"))
    ok(team("ama", "edit", "1", "--summary", "AES treaty signed by three juntas"))
    ok(team("ben", "edit", "1", "--summary", "AES confederation treaty signed"))
    ok(team("ama", "sync"))
    assert ok(team("ben", "--lang", "fr", "sync")).strip().endswith("1 conflit")
    shown = ok(team("ben", "--lang", "fr", "conflicts"))
    assert "modifications faites séparément à partir de la révision 1" in shown
    ref = shown.split(" @", 1)[1].split(" ", 1)[0]  # the team-wide reference, which a teammate can type too
    assert f"pour régler : policytrack conflicts resolve @{ref} --keep REVISION|mine|theirs" in shown
    status = ok(team("ben", "--lang", "fr", "sync", "status"))
    assert "à envoyer : 0" in status and "conflits : 1" in status
    assert json.loads(ok(team("ben", "--lang", "fr", "conflicts", "--json")))[0]["kind"] == "entry"
    refused = team("ben", "--lang", "fr", "conflicts", "resolve", "1", "--keep", "7")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "policytrack : erreur : la révision 7 n'est pas une des versions du conflit"
    )
    again = team("ben", "--lang", "fr", "sync", "init", str(tmp_path / "other.git"))
    assert again.exit_code == 1 and "cette base se synchronise déjà avec" in again.stderr


def test_a_signal_added_or_removed_by_edit_travels_as_a_revision(team: Team, tmp_path: Path) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "edit", "1", "--add-signal", "regional-agreements", "--add-signal", "one-partner"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ben = local_id(team, "ben", "AES treaty signed")
    assert json.loads(ok(team("ben", "show", ben, "--json")))["signals"] == [
        "regional-agreements",
        "one-partner",
    ]
    seen = json.loads(ok(team("ben", "signposts", "regional", "--json")))
    assert {r["signal"] for r in seen if r["state"] == "observed"} == {"regional-agreements", "one-partner"}
    ok(team("ben", "edit", ben, "--remove-signal", "one-partner"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    assert json.loads(ok(team("ama", "show", "1", "--json")))["signals"] == ["regional-agreements"]
    assert history_of(team, "ama") == history_of(team, "ben")


def test_the_send_takes_no_write_lock_until_its_commit_is_made(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines are written and committed while another command may write the database (the send read
    it in a read transaction, its marks staged); what it sent is remembered after the commit."""
    import sqlite3

    from policytrack.sync.git import Clone

    joined(team, tmp_path, "ama")
    for day in (6, 7):
        ok(team("ama", "log", "regional", f"AES treaty {day}", "--date", f"2024-07-0{day}"))
    run = Clone.run
    wrote: list[str] = []

    def commit_beside_a_writer(self: Clone, *args: str, check: bool = True) -> str:
        if args[:1] == ("commit",) and "records" in " ".join(args) and not wrote:
            other = sqlite3.connect(tmp_path / "ama.db", timeout=0)
            try:  # another command's write, which a held write lock refuses at once
                other.execute("BEGIN IMMEDIATE")
                other.execute("INSERT INTO sync_settings VALUES ('beside', 'written')")
                other.execute("COMMIT")
                wrote.append("yes")
            finally:
                other.close()
        return run(self, *args, check=check)

    monkeypatch.setattr(Clone, "run", commit_beside_a_writer)
    ok(team("ama", "sync"))
    assert wrote == ["yes"]
    monkeypatch.setattr(Clone, "run", run)
    assert "to send: 0" in ok(team("ama", "sync", "status"))
    assert "sent 0" in ok(team("ama", "sync"))


def test_a_sync_says_the_conflicts_still_open_and_history_names_a_kept_side_and_a_review(
    team: Team, tmp_path: Path
) -> None:
    """Issue 21 point 3: a sync that brings no conflict still says how many are open; the revision that
    keeps the current side changes nothing and says which it copies; a review reads as a review."""
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ben", "review", "1"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    ok(team("ama", "edit", "1", "--effect", "1"))
    ok(team("ben", "edit", "1", "--effect", "2"))
    ok(team("ama", "sync"))
    assert ok(team("ben", "sync")).strip().endswith("received 1 (0 new, 1 updated), 1 conflict")
    # nothing new: before, this said "0 conflicts" while `conflicts` listed one
    assert ok(team("ben", "sync")).strip().endswith("0 new conflicts (1 open)")
    assert "conflicts: 1" in ok(team("ben", "sync", "status"))
    (found,) = json.loads(ok(team("ben", "conflicts", "--json")))
    assert [r["action"] for r in found["revisions"]] == ["edit", "edit"]  # the data keeps the stored word
    history = ok(team("ben", "history", "1"))
    assert "│   2 │ review │ ben" in history  # stored as an edit: told apart by what it wrote
    current = found["current"]
    assert current == max(r["revision"] for r in found["revisions"])  # the current side is kept
    ok(team("ben", "conflicts", "resolve", "1", "--keep", str(current)))
    shown = ok(team("ben", "history", "1"))
    assert f"(no change: the same as revision {current})" in shown
    assert ok(team("ben", "sync")).strip().endswith("0 conflicts")
    assert ok(team("ben", "conflicts")).strip() == "no conflicts"


def test_history_reads_each_side_of_a_conflict_against_their_common_base(team: Team, tmp_path: Path) -> None:
    """Two edits made apart from revision 1: each one's Changes say what its author changed, read against
    revision 1, so the side ordered second does not seem to undo the other's change; the edit made after
    seeing both is read against the current side, in every database."""
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "edit", "1", "--summary", "AES treaty signed by three juntas"))
    ok(team("ben", "edit", "1", "--effect", "1"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    table = ok(team("ama", "history", "1"))
    assert "summary: AES treaty signed -> AES treaty signed by three juntas" in " ".join(table.split())
    assert "effect: 0 -> +1" in table
    assert "-> AES treaty signed\n" not in table and "summary: AES treaty signed by three juntas ->" not in (
        " ".join(table.split())
    )
    assert "effect: +1 -> 0" not in table
    assert ok(team("ben", "history", "1")) == table
    ok(team("ben", "edit", "1", "--note", "Seen both"))  # after both: read against the current side
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    table = ok(team("ama", "history", "1"))
    last = table.split("│   4 │")[1]
    assert "note: (empty) -> Seen both" in last and "summary" not in last and "effect" not in last
    assert ok(team("ben", "history", "1")) == table


def _marked_history(team: Team, name: str, entry: str) -> tuple[list[dict[str, Any]], list[str]]:
    """An entry's `history` as JSON (without the entry's local id) and as the table's lines."""
    revisions = json.loads(ok(team(name, "history", entry, "--json")))
    for revision in revisions:
        revision.get("entry", {}).pop("id", None)
    return revisions, ok(team(name, "history", entry)).splitlines()[1:]


def test_an_undo_and_a_revert_are_marked_alike_in_every_database(team: Team, tmp_path: Path) -> None:
    """The mark of a revision an undo or a revert made travels with it: a teammate's `history` shows the
    same, and what the teammate's own `undo` offers does not change."""
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(team("ama", "edit", "1", "--grade", "B2"))
    ok(team("ama", "undo", "--yes"))
    ok(team("ama", "revert", "1", "--to", "2", "--yes"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ama, ben = _marked_history(team, "ama", "1"), _marked_history(team, "ben", "1")
    assert [r["reverses"] for r in ama[0]] == [None, None, "undo of revision 2", "revert to revision 2"]
    assert ben == ama
    sent = [
        json.loads(line)
        for path in sorted((tmp_path / "ama.db.sync" / "analysts" / "ama").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    marks = [(r.get("reversal"), r.get("reversal_revision")) for r in sent if r["kind"] == "entry"]
    assert marks == [(None, None), (None, None), ("undo", 2), ("revert", 2)]
    refused = team("ben", "undo", "--yes")  # ama's changes are never ben's to undo
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert _marked_history(team, "ben", "1") == ama


def test_a_mark_follows_its_revision_when_a_teammate_s_earlier_edit_renumbers_it(
    team: Team, tmp_path: Path
) -> None:
    """ben's edit, made apart and earlier, comes before ama's edit and its undo in the one order: ama's
    database renumbers them, and the mark follows (the undo of revision 3, at revision 4, everywhere);
    ama's next undo does not offer the edit she undid."""
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ben", "edit", "1", "--effect", "1"))
    ok(team("ama", "edit", "1", "--grade", "B2"))
    ok(team("ama", "undo", "--yes"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    ama, ben = _marked_history(team, "ama", "1"), _marked_history(team, "ben", "1")
    assert [(r["changed_by"], r["reverses"]) for r in ama[0]] == [
        ("ama", None),
        ("ben", None),
        ("ama", None),
        ("ama", "undo of revision 3"),
    ]
    assert ben == ama
    again = team("ama", "undo")  # without --yes: what it would take back, or that nothing is left
    assert "Traceback" not in again.output and "revision 3" not in again.output
