"""The signed-team sync figure (run by `run.py`'s sync benchmarks): one `policytrack sync` that receives
N commits of a teammate in a signed team (each verified against the pinned allowed_signers) against the
same sync of the same N commits, unsigned, in an unsigned team."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

COMMITS = 50
ENTRIES = 2_000  # 40 records a commit: a teammate's day of work, synced


def _git(cwd: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def bench_signed_sync(runs: int, work: Path, run: ModuleType) -> list[Any]:
    if shutil.which("ssh-keygen") is None:
        print("signed sync: skipped (ssh-keygen is not installed)", file=sys.stderr)
        return []
    base = work / "signed"
    base.mkdir()
    env = {**run.env_for(base / "x.db"), "HOME": str(base), "GIT_CONFIG_NOSYSTEM": "1"}
    keys = {}
    for name in ("ama", "ben"):
        keys[name] = base / f"{name}-key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys[name])], check=True)

    def pt(name: str, db: Path, *args: object) -> None:
        subprocess.run(
            [*run.PT, "--db", db, *args],
            env={**env, "POLICYTRACK_ANALYST": name},
            check=True,
            stdout=subprocess.DEVNULL,
        )

    # the records of the N commits: ama's lines as her sync writes them
    source = base / "source.db"
    run.synth.build(source, ENTRIES, seed=1, analyst="ama")
    pt("ama", source, "sync", "init", base / "source.git")
    pt("ama", source, "sync")
    (ama_file,) = (Path(f"{source}.sync") / "analysts" / "ama").iterdir()
    lines = ama_file.read_text(encoding="utf-8").splitlines(keepends=True)
    step = -(-len(lines) // COMMITS)
    timed: list[tuple[Callable[[], None], Callable[[], None]]] = []
    for signed in (True, False):
        team = base / ("signed" if signed else "plain")
        team.mkdir()
        remote, ama, ben = team / "shared.git", team / "ama.db", team / "ben.db"
        sign = ["--signed", "--signing-key", keys["ama"]] if signed else []
        pt("ama", ama, "sync", "init", *sign, remote)
        clone = team / "work"
        _git(team, "clone", "-q", str(remote), str(clone), env=env)
        _git(clone, "config", "user.name", "ama", env=env)
        _git(clone, "config", "user.email", "ama@example.org", env=env)
        if signed:
            for option, value in (("gpg.format", "ssh"), ("commit.gpgsign", "true")):
                _git(clone, "config", option, value, env=env)
            _git(clone, "config", "user.signingkey", str(keys["ama"]), env=env)
            public = " ".join(keys["ben"].with_suffix(".pub").read_text().split()[:2])
            with (clone / "allowed_signers").open("a") as handle:
                handle.write(f'ben namespaces="git" {public}\n')
            _git(clone, "commit", "-q", "-am", "add ben", env=env)
            _git(clone, "push", "-q", "origin", "HEAD", env=env)
        pt(
            "ben",
            ben,
            "sync",
            "init",
            *(["--signed", "--signing-key", keys["ben"]] if signed else []),
            remote,
        )
        pt("ben", ben, "sync")
        _git(clone, "pull", "-q", "--no-rebase", env=env)
        target = clone / "analysts" / "ama" / ama_file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        for start in range(0, len(lines), step):
            with target.open("a", encoding="utf-8", newline="\n") as handle:
                handle.writelines(lines[start : start + step])
            _git(clone, "add", "-A", env=env)
            _git(clone, "commit", "-q", "-m", f"ama records {start}", env=env)
        _git(clone, "push", "-q", "origin", "HEAD", env=env)
        saved = team / "saved"
        saved.mkdir()
        for path in (remote, Path(f"{ben}.sync")):
            shutil.copytree(path, saved / path.name)
        shutil.copyfile(ben, saved / ben.name)

        def reset(team: Path = team, remote: Path = remote, ben: Path = ben, saved: Path = saved) -> None:
            for path in (remote, Path(f"{ben}.sync")):
                shutil.rmtree(path, ignore_errors=True)
                shutil.copytree(saved / path.name, path)
            run._fresh(ben)
            shutil.copyfile(saved / ben.name, ben)

        timed.append(
            (run.process([*run.PT, "--db", ben, "sync"], {**env, "POLICYTRACK_ANALYST": "ben"}), reset)
        )
    (signed_sync, signed_reset), (plain_sync, plain_reset) = timed
    ours, plain = run.measure([run.Job(signed_sync, signed_reset), run.Job(plain_sync, plain_reset)], runs)
    shutil.rmtree(base, ignore_errors=True)
    return [
        run.Figure.of(
            f"signed sync: receive {COMMITS} signed commits ({ENTRIES:,} revisions), each verified",
            ours,
            "the same commits, unsigned, in an unsigned team",
            plain,
            "<= 1.5x",
        )
    ]
