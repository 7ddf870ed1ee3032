"""How sync's git moves its files: the shared repository a local `sync init` makes keeps each push as
the pack it arrives in, the clone keeps each fetch as one pack and pushes at zlib's fastest level, and a
user's own git settings from the environment are kept (benchmarks/RESULTS.md: push and fetch at 100,000
revisions each way)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import Team, ok
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
    for malformed in ("many", "-1"):  # left to git, which names it
        monkeypatch.setenv("GIT_CONFIG_COUNT", malformed)
        assert config_environment(settings) == {}
    monkeypatch.delenv("GIT_CONFIG_COUNT")
    assert config_environment(settings)["GIT_CONFIG_COUNT"] == "2"
