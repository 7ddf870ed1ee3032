"""How sync's git moves its files: the shared repository a local `sync init` makes keeps each push as
the pack it arrives in, the clone keeps each fetch as one pack and pushes at zlib's fastest level, and a
user's own git settings from the environment are kept (benchmarks/RESULTS.md: push and fetch at 100,000
revisions each way)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import Team, ok
from policytrack.core.errors import SyncError
from policytrack.sync.git import config_environment


def _git(path: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, check=True).stdout


def _packs(git_dir: Path) -> list[Path]:
    return sorted((git_dir / "objects" / "pack").glob("*.pack"))


@pytest.mark.slow
def test_pushed_and_fetched_files_stay_packed(team: Team, tmp_path: Path) -> None:
    shared = tmp_path / "shared.git"
    for name in ("ama", "ben"):
        ok(team(name, "sync", "init", str(shared)))
    assert _git(shared, "config", "receive.unpackLimit").strip() == "1"
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    before = _packs(shared)
    ok(team("ama", "sync"))
    assert len(_packs(shared)) == len(before) + 1  # a push of a few objects, kept as its pack
    clone = tmp_path / "ben.db.sync" / ".git"
    before = _packs(clone)
    assert ok(team("ben", "sync")).startswith("sent 1, received 2")
    assert len(_packs(clone)) == len(before) + 1  # git unpacks a fetch of fewer than 100 objects by default
    # what ben holds is what ama sent: the same blob, read through git's own checks
    path = next((tmp_path / "ama.db.sync" / "analysts" / "ama").iterdir()).relative_to(
        tmp_path / "ama.db.sync"
    )
    assert _git(clone.parent, "rev-parse", f"HEAD:{path}") == _git(
        tmp_path / "ama.db.sync", "rev-parse", f"HEAD:{path}"
    )
    assert _git(shared, "fsck", "--strict").strip() == ""


def test_a_users_git_settings_from_the_environment_come_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "http.proxy")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "http://proxy.example:3128")
    settings = (("fetch.unpackLimit", "1"), ("pack.compression", "1"))
    assert config_environment(settings) == {
        "GIT_CONFIG_COUNT": "3",
        "GIT_CONFIG_KEY_1": "fetch.unpackLimit",
        "GIT_CONFIG_VALUE_1": "1",
        "GIT_CONFIG_KEY_2": "pack.compression",
        "GIT_CONFIG_VALUE_2": "1",
    }
    for malformed in ("many", "-1", "1_0", "2147483648"):  # what git refuses on every command
        monkeypatch.setenv("GIT_CONFIG_COUNT", malformed)
        with pytest.raises(SyncError, match="GIT_CONFIG_COUNT in the environment is"):
            config_environment(settings)
    for blank, given in (("", 0), (" +1", 1)):  # what git reads as a count
        monkeypatch.setenv("GIT_CONFIG_COUNT", blank)
        assert config_environment(settings)["GIT_CONFIG_COUNT"] == str(given + 2)
    monkeypatch.delenv("GIT_CONFIG_COUNT")
    assert config_environment(settings)["GIT_CONFIG_COUNT"] == "2"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("count", "pairs", "problem"),
    [
        ("abc", {}, "not a count"),
        ("-1", {}, "not a count"),
        ("99999999999999999999", {}, "more than git reads (2147483647)"),
        ("1", {}, "GIT_CONFIG_KEY_0 is not set"),
        (
            "2",
            {"GIT_CONFIG_KEY_0": "core.abbrev", "GIT_CONFIG_VALUE_0": "12", "GIT_CONFIG_KEY_1": "x.y"},
            "GIT_CONFIG_VALUE_1 is not set",
        ),
    ],
)
def test_a_git_config_count_git_cannot_read_is_refused_with_the_fix_and_nothing_changes(
    team: Team,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    count: str,
    pairs: dict[str, str],
    problem: str,
) -> None:
    """The user's GIT_CONFIG_COUNT and its pairs, which git reads before every command: one that git
    refuses stops sync, and `sync init`, with one line that names it and ends with the fix."""
    ok(team("ama", "sync", "init", str(tmp_path / "shared.git")))
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    shared = _git(tmp_path / "shared.git", "for-each-ref")
    monkeypatch.setenv("GIT_CONFIG_COUNT", count)
    for key, value in pairs.items():
        monkeypatch.setenv(key, value)
    for args in (("sync",), ("sync", "init", str(tmp_path / "other.git"))):
        result = team("ben" if "init" in args else "ama", *args)
        assert result.exit_code == 1, result.stdout
        (line,) = result.stderr.splitlines()
        assert f"GIT_CONFIG_COUNT in the environment is {count!r}, which git cannot read: {problem}" in line
        assert line.endswith("or unset it, then run the command again")
    assert not (tmp_path / "other.git").exists()
    assert not (tmp_path / "ben.db.sync").exists()
    for name in ("GIT_CONFIG_COUNT", *pairs):
        monkeypatch.delenv(name)
    assert _git(tmp_path / "shared.git", "for-each-ref") == shared
    assert not ok(team("ama", "sync")).startswith("sent 0,")  # what waited is sent
    assert _git(tmp_path / "shared.git", "for-each-ref") != shared


@pytest.mark.slow
def test_a_shared_repository_an_earlier_release_made_still_syncs(team: Team, tmp_path: Path) -> None:
    """A repository made before `sync init` set receive.unpackLimit (git unpacks small pushes there): both
    ways still sync, and `sync init` of it changes none of its settings."""
    shared = tmp_path / "shared.git"
    ok(team("ama", "sync", "init", str(shared)))
    _git(shared, "config", "--unset", "receive.unpackLimit")
    settings = _git(shared, "config", "--list", "--local")
    ok(team("ben", "sync", "init", str(shared)))
    assert _git(shared, "config", "--list", "--local") == settings
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06"))
    ok(
        team(
            "ben",
            "log",
            "regional",
            "Mali, Burkina Faso and Niger withdraw from ECOWAS",
            "--date",
            "2024-01-28",
        )
    )
    for name in ("ama", "ben", "ama"):
        ok(team(name, "sync"))
    for name in ("ama", "ben"):
        listed = ok(team(name, "list"))
        assert "AES treaty" in listed and "ECOWAS" in listed
    assert _git(shared, "fsck", "--strict").strip() == ""
