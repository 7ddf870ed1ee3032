"""Signed teams (`policytrack sync init --signed`): real SSH keys made by ssh-keygen in tmp dirs, local bare
repositories only; git reads no real user's configuration."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Team, ok
from policytrack.sync.git import Clone

pytestmark: list[pytest.MarkDecorator] = [pytest.mark.slow]


def _ssh_signing() -> str | None:
    """Why SSH commit signing cannot be tested here (None: it can)."""
    if shutil.which("ssh-keygen") is None:
        return "ssh-keygen (OpenSSH's client) is not installed"
    if shutil.which("git") is None:
        return "git is not installed"
    found = re.search(
        r"(\d+)\.(\d+)", subprocess.run(["git", "--version"], capture_output=True, text=True).stdout
    )
    if not found or (int(found.group(1)), int(found.group(2))) < (2, 34):
        return "git is older than 2.34 (no SSH commit signing)"
    return None


if (_why := _ssh_signing()) is not None:
    pytestmark = [pytest.mark.slow, pytest.mark.skip(reason=_why)]


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    """An ed25519 key (no passphrase) for ama, ben and mal, made by ssh-keygen."""
    folder = tmp_path / "keys"
    folder.mkdir()
    made = {}
    for name in ("ama", "ben", "mal"):
        path = folder / name
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True
        )
        made[name] = path
    return made


def signer(name: str, key: Path) -> str:
    public = " ".join(key.with_suffix(".pub").read_text().split()[:2])
    return f'{name} namespaces="git" {public}\n'


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


class Pusher:
    """Commits made outside policytrack (a teammate with plain git, or an intruder), pushed to the team."""

    def __init__(self, tmp_path: Path) -> None:
        self.work = tmp_path / "work"
        git(tmp_path, "clone", "-q", str(tmp_path / "shared.git"), str(self.work))
        git(self.work, "config", "user.name", "someone")
        git(self.work, "config", "user.email", "someone@example.org")
        git(self.work, "config", "gpg.format", "ssh")

    def commit(self, key: Path | None, message: str, change: Callable[[Path], None]) -> str:
        """Pull, change the work tree, commit (signed with `key`; unsigned without), push; the commit."""
        git(self.work, "pull", "-q", "--no-rebase")
        change(self.work)
        git(self.work, "add", "-A")
        signing = ["-c", f"user.signingkey={key}", "-c", "commit.gpgsign=true"] if key else []
        git(self.work, *signing, "commit", "-q", "--no-gpg-sign" if key is None else "-S", "-m", message)
        git(self.work, "push", "-q", "origin", "HEAD")
        return git(self.work, "rev-parse", "HEAD").strip()


def own_file(tmp_path: Path, name: str) -> Path:
    (found,) = (tmp_path / f"{name}.db.sync" / "analysts" / name).iterdir()
    return found


def forged_entry(path: Path, summary: str) -> Callable[[Path], None]:
    """A change that appends to a file of the work tree a new entry copied from the file's first entry
    line, with another uuid and summary (a line that would import if nothing stopped it)."""

    def change(work: Path) -> None:
        target = work / path
        lines = target.read_text(encoding="utf-8").splitlines()
        record = next(json.loads(line) for line in lines if json.loads(line)["kind"] == "entry")
        record.update(uuid=str(uuid.uuid4()), summary=summary)
        line = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        with target.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    return change


def summaries(team: Team, name: str) -> set[str]:
    return {e["summary"] for e in json.loads(ok(team(name, "list", "--json", "--all-frameworks")))}


@pytest.fixture
def signed_pair(team: Team, tmp_path: Path, keys: dict[str, Path]) -> Pusher:
    """ama starts a signed team, adds ben's key to allowed_signers (a signed commit of plain git), and
    both hold one entry of ama's and one of ben's."""
    shared = str(tmp_path / "shared.git")
    done = ok(team("ama", "sync", "init", "--signed", "--signing-key", str(keys["ama"]), shared))
    assert "signed team" in done
    pusher = Pusher(tmp_path)
    assert (pusher.work / "allowed_signers").read_text() == signer("ama", keys["ama"])
    refused = team("ben", "sync", "init", "--signed", "--signing-key", str(keys["ben"]), shared)
    assert refused.exit_code == 1
    assert (
        "does not list your key as ben" in refused.stderr
        and signer("ben", keys["ben"]).strip() in refused.stderr
    )

    def add_ben(work: Path) -> None:
        with (work / "allowed_signers").open("a") as handle:
            handle.write(signer("ben", keys["ben"]))

    pusher.commit(keys["ama"], "add ben", add_ben)
    ok(team("ben", "sync", "init", "--signed", "--signing-key", str(keys["ben"]), shared))
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(team("ben", "log", "diversify", "Example Ministry statement", "--date", "2024-08"))
    for name in ("ama", "ben", "ama"):
        ok(team(name, "sync"))
    return pusher


def test_a_signed_team_of_two_sends_and_receives_with_every_commit_signed(
    team: Team, tmp_path: Path, signed_pair: Pusher
) -> None:
    both = {"AES treaty signed in Niamey", "Example Ministry statement"}
    assert summaries(team, "ama") == summaries(team, "ben") == both
    git(signed_pair.work, "pull", "-q", "--no-rebase")
    log = git(signed_pair.work, "-c", "gpg.ssh.allowedSignersFile=allowed_signers", "log", "--format=%G?")
    assert log.split() and set(log.split()) <= {"G"}  # policytrack's own commits are signed, merges too
    assert "no SSH" not in ok(team("ben", "sync", "status"))


def test_an_unsigned_commit_is_named_and_its_content_not_imported_until_its_owner_rewrites_it(
    team: Team, tmp_path: Path, signed_pair: Pusher
) -> None:
    path = own_file(tmp_path, "ama").relative_to(tmp_path / "ama.db.sync")
    commit = signed_pair.commit(None, "unsigned", forged_entry(path, "Forged unsigned entry"))
    ok(team("ben", "log", "diversify", "Ben keeps working", "--date", "2024-09"))
    refused = team("ben", "sync")
    assert refused.exit_code == 1
    (line,) = [x for x in refused.stderr.splitlines() if commit[:10] in x]
    assert str(path) in line and "not signed" in line and "analyst ama" in line
    assert refused.stdout.startswith("sent 1")  # ben's own change still went out
    assert "Forged unsigned entry" not in summaries(team, "ben")
    # the dry run says it too; ama's sync restores her file in a signed commit, and the hold lifts
    assert commit[:10] in team("ben", "sync", "--dry-run").stderr
    assert ok(team("ama", "sync")).startswith("sent 0, received 1")
    ok(team("ben", "sync"))
    assert "Forged unsigned entry" not in summaries(team, "ben") | summaries(team, "ama")
    assert "Ben keeps working" in summaries(team, "ama")


def test_the_same_forged_line_imports_in_an_unsigned_team(team: Team, tmp_path: Path) -> None:
    """What the signed tests stop is real: without signing, the forged line is imported."""
    for name in ("ama", "ben"):
        ok(team(name, "sync", "init", str(tmp_path / "shared.git")))
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(team("ama", "sync"))
    path = own_file(tmp_path, "ama").relative_to(tmp_path / "ama.db.sync")
    Pusher(tmp_path).commit(None, "unsigned", forged_entry(path, "Forged unsigned entry"))
    ok(team("ben", "sync"))
    assert "Forged unsigned entry" in summaries(team, "ben")


def test_a_commit_signed_by_a_teammates_key_in_anothers_folder_is_refused(
    team: Team, tmp_path: Path, signed_pair: Pusher, keys: dict[str, Path]
) -> None:
    path = own_file(tmp_path, "ama").relative_to(tmp_path / "ama.db.sync")
    commit = signed_pair.commit(keys["ben"], "ben writes as ama", forged_entry(path, "Forged by ben"))
    refused = team("ben", "sync")
    assert refused.exit_code == 1
    (line,) = [x for x in refused.stderr.splitlines() if commit[:10] in x]
    assert "signed by ben's key, not ama's" in line and str(path) in line
    assert "Forged by ben" not in summaries(team, "ben")


def test_a_change_to_allowed_signers_by_a_key_not_pinned_is_refused_and_not_pinned(
    team: Team, tmp_path: Path, signed_pair: Pusher, keys: dict[str, Path]
) -> None:
    def add_mal(work: Path) -> None:
        with (work / "allowed_signers").open("a") as handle:
            handle.write(signer("mal", keys["mal"]))

    change = signed_pair.commit(keys["mal"], "let mal in", add_mal)

    def mal_writes(work: Path) -> None:
        ama = work / own_file(tmp_path, "ama").relative_to(tmp_path / "ama.db.sync")
        (work / "analysts" / "mal").mkdir()
        shutil.copy(ama, work / "analysts" / "mal" / ama.name.replace(ama.name[8:16], "0badc0de"))

    records = signed_pair.commit(keys["mal"], "mal's records", mal_writes)
    refused = team("ben", "sync")
    assert refused.exit_code == 1
    (first,) = [x for x in refused.stderr.splitlines() if change[:10] in x]
    assert "allowed_signers" in first and "does not list" in first
    assert any(records[:10] in x and "analyst mal" in x for x in refused.stderr.splitlines())
    pins = sqlite3.connect(tmp_path / "ben.db").execute("SELECT content FROM sync_signers").fetchall()
    assert all("mal" not in content for (content,) in pins)
    # the refusal of a commit that changed no record file is said once; the held file every time
    again = team("ben", "sync")
    assert change[:10] not in again.stderr and records[:10] in again.stderr


def test_a_change_to_allowed_signers_by_a_pinned_key_is_pinned(
    team: Team, tmp_path: Path, signed_pair: Pusher
) -> None:
    pins = sqlite3.connect(tmp_path / "ama.db").execute("SELECT content FROM sync_signers").fetchall()
    assert pins[-1][0] == (signed_pair.work / "allowed_signers").read_text()


def test_a_merge_commit_with_content_of_its_own_is_refused(
    team: Team, tmp_path: Path, signed_pair: Pusher, keys: dict[str, Path]
) -> None:
    work = signed_pair.work
    git(work, "pull", "-q", "--no-rebase")
    base = git(work, "rev-parse", "HEAD").strip()
    signing = ["-c", f"user.signingkey={keys['ama']}", "-c", "commit.gpgsign=true"]
    git(work, "checkout", "-q", "-b", "side")
    (work / "notes.txt").write_text("a side branch\n")
    git(work, "add", "-A")
    git(work, *signing, "commit", "-q", "-m", "side")
    git(work, "checkout", "-q", "-")
    git(work, *signing, "merge", "-q", "--no-ff", "--no-commit", "side")
    path = own_file(tmp_path, "ama").relative_to(tmp_path / "ama.db.sync")
    forged_entry(path, "Smuggled in a merge")(work)
    git(work, "add", "-A")
    git(work, *signing, "commit", "-q", "-m", "merge")
    merge = git(work, "rev-parse", "HEAD").strip()
    assert git(work, "rev-parse", "HEAD^1").strip() == base
    git(work, "push", "-q", "origin", "HEAD")
    refused = team("ben", "sync")
    assert refused.exit_code == 1
    (line,) = [x for x in refused.stderr.splitlines() if merge[:10] in x]
    assert "merge commit that adds content of its own" in line and str(path) in line
    assert "Smuggled in a merge" not in summaries(team, "ben")


def test_each_sync_verifies_only_the_commits_new_since_the_last(
    team: Team, tmp_path: Path, signed_pair: Pusher, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policytrack.sync import signing

    asked: list[int] = []
    real = signing._commits

    def counted(clone: Clone, span: list[str]) -> list[signing._Commit]:
        found = real(clone, span)
        asked.append(len(found))
        return found

    monkeypatch.setattr(signing, "_commits", counted)
    ok(team("ama", "log", "regional", "Second treaty", "--date", "2024-10-01"))
    ok(team("ama", "sync"))
    clone = tmp_path / "ben.db.sync"
    history = int(git(clone, "rev-list", "--count", "origin/main"))
    (last,) = (
        sqlite3.connect(tmp_path / "ben.db")
        .execute("SELECT value FROM sync_settings WHERE key = 'verified'")
        .fetchone()
    )
    ok(team("ben", "sync"))
    new = int(git(clone, "rev-list", "--count", f"{last}..origin/main"))
    assert asked == [new] and 1 <= new < history
    asked.clear()
    ok(team("ben", "sync"))  # only what ben's own sync pushed, if anything
    assert sum(asked) <= 1


def test_signed_and_unsigned_teams_are_joined_as_they_are(
    team: Team, tmp_path: Path, signed_pair: Pusher, keys: dict[str, Path]
) -> None:
    shared = str(tmp_path / "shared.git")
    plain = team("chi", "sync", "init", shared)
    assert plain.exit_code == 1 and "sync init --signed" in plain.stderr
    ok(team("dan", "sync", "init", str(tmp_path / "plain.git")))
    other = team(
        "eve", "sync", "init", "--signed", "--signing-key", str(keys["mal"]), str(tmp_path / "plain.git")
    )
    assert other.exit_code == 1 and "is not a signed team" in other.stderr
    nokey = team("fay", "sync", "init", "--signed", str(tmp_path / "new.git"))
    assert nokey.exit_code == 1 and "--signing-key" in nokey.stderr
    assert not (tmp_path / "fay.db.sync").exists()
