"""The `git` command, run as a subprocess in sync's own clone: the user's credentials, SSH config and hosts
work as they do for git itself. Every failure becomes one SyncError line that says what to do."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from policytrack.core.errors import SyncError
from policytrack.core.i18n import _

NO_GIT = (
    "git is not installed (or not on PATH); install git (https://git-scm.com), then run the command again"
)


class GitFailed(SyncError):
    """A git command exited with an error; `detail` is git's own last line."""

    def __init__(self, args: list[str], detail: str, stderr: str) -> None:
        self.args_, self.detail, self.stderr = args, detail, stderr
        super().__init__(f"git {args[0]} failed: {detail}")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # git's `fatal:` or `error:` line says why; hints come after it
    for line in lines:
        if line.startswith(("fatal:", "error:", "remote:", "ERROR")):
            return line
    return lines[-1] if lines else "no message"


# The most settings git reads from GIT_CONFIG_COUNT (its INT_MAX)
_MOST_SETTINGS = 2**31 - 1


def _given_settings() -> int:
    """How many settings the user's environment gives git (GIT_CONFIG_COUNT, git's rules: digits after
    any blanks, empty for none; every pair below it set); SyncError naming what git would refuse, which
    it would refuse on every command, with the fix."""
    count = os.environ.get("GIT_CONFIG_COUNT")
    if count is None:
        return 0
    digits = count.lstrip(" \t\n\v\f\r").removeprefix("+")
    if not (digits == "" or (digits.isascii() and digits.isdigit())):
        problem = _("not a count")
    elif int(digits or "0") > _MOST_SETTINGS:
        problem = _("more than git reads ({most})").format(most=_MOST_SETTINGS)
    else:
        given = int(digits or "0")
        missing = next(
            (
                name
                for i in range(given)
                for name in (f"GIT_CONFIG_KEY_{i}", f"GIT_CONFIG_VALUE_{i}")
                if name not in os.environ
            ),
            None,
        )
        if missing is None:
            return given
        problem = _("{name} is not set").format(name=missing)
    raise SyncError(
        _(
            "GIT_CONFIG_COUNT in the environment is {count!r}, which git cannot read: {problem}; set it to "
            "the number of GIT_CONFIG_KEY_<n> and GIT_CONFIG_VALUE_<n> pairs (n from 0), or unset it, then "
            "run the command again"
        ).format(count=count, problem=problem)
    )


def git(
    args: list[str], cwd: Path | None = None, *, check: bool = True, env: dict[str, str] | None = None
) -> str:
    """Run `git ARGS` in `cwd` and return its standard output; raise GitFailed on an error exit (and
    SyncError, before running it, on settings in the user's environment that git would refuse)."""
    _given_settings()
    full_env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": os.environ.get("GIT_TERMINAL_PROMPT", "0"),
        **(env or {}),
    }
    # LC_ALL=C: git's messages are matched below (non-fast-forward), so they must be in English
    full_env["LC_ALL"] = "C"
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise SyncError(NO_GIT) from None
    if check and done.returncode != 0:
        raise GitFailed(args, _last_line(done.stderr or done.stdout), done.stderr)
    return done.stdout


LOCK = "policytrack-sync.lock"

# How the clone moves its files, given to each of its git commands as configuration from the environment
# (git 2.31+; an older git ignores it). A sync's file holds each line it sends whole, tens of megabytes at
# 100,000 revisions, which git's defaults compress and store twice over: a fetch keeps what it receives as
# the one pack it arrives in (rather than taking it apart into loose objects, each compressed again), and
# a push compresses at zlib's fastest level (git's own for loose objects; JSON lines shrink nearly as much).
# At 100,000 lines each way this takes push and fetch from 2.8 s to 1.1 s (benchmarks/RESULTS.md).
_TRANSFER = (("fetch.unpackLimit", "1"), ("pack.compression", "1"))
# A shared repository sync makes on this machine (a local path) keeps each push as the pack it arrives in:
# a teammate's fetch then sends it on as it is, without compressing it again.
SHARED_SETTINGS = (("receive.unpackLimit", "1"),)


def config_environment(settings: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The environment that gives git these settings after any the user's own environment gives it
    (GIT_CONFIG_COUNT and its pairs; SyncError, with the fix, where git would refuse them)."""
    given = _given_settings()
    env = {"GIT_CONFIG_COUNT": str(given + len(settings))}
    for i, (key, value) in enumerate(settings, start=given):
        env.update({f"GIT_CONFIG_KEY_{i}": key, f"GIT_CONFIG_VALUE_{i}": value})
    return env


@dataclass
class Clone:
    """sync's own clone of the shared repository, beside the database (DB.sync)."""

    path: Path
    # the analyst's display name and e-mail from the config (None: git's own user.name / user.email)
    author: tuple[str | None, str | None] = (None, None)

    def run(self, *args: str, check: bool = True) -> str:
        return git(list(args), self.path, check=check, env=self._identity())

    def _identity(self) -> dict[str, str]:
        """Who commits: the analyst's name and e-mail from the config, else git's own, else (a fresh
        machine, a CI runner) policytrack's."""
        if not hasattr(self, "_env"):
            name, email = self.author
            env: dict[str, str] = {}
            email = email or git(["config", "user.email"], self.path, check=False).strip()
            name = name or git(["config", "user.name"], self.path, check=False).strip()
            env.update(GIT_AUTHOR_EMAIL=email or "policytrack@localhost")
            env.update(GIT_AUTHOR_NAME=name or "policytrack")
            env.update(GIT_COMMITTER_EMAIL=env["GIT_AUTHOR_EMAIL"], GIT_COMMITTER_NAME=env["GIT_AUTHOR_NAME"])
            env.update(config_environment(_TRANSFER))
            self._env = env
        return self._env

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Held for a whole sync: a second sync of the same database waits for none of the first's git
        steps and removes none of its lock files, it stops with one line."""
        handle = (self.path / ".git" / LOCK).open("a+b")
        try:
            try:
                _lock(handle.fileno())
            except OSError:
                raise SyncError(
                    _(
                        "another `policytrack sync` of this database is running (it holds {path}); "
                        "wait for it to finish, then run the command again"
                    ).format(path=self.path)
                ) from None
            yield
        finally:
            handle.close()  # closing releases the lock

    @property
    def exists(self) -> bool:
        return (self.path / ".git").is_dir()

    def has_commits(self) -> bool:
        return bool(self.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip())

    def branch(self) -> str:
        return self.run("symbolic-ref", "--short", "HEAD").strip()

    def remote_url(self) -> str:
        return self.run("remote", "get-url", "origin").strip()

    def remote_head(self) -> str | None:
        """The commit of origin's branch as last fetched (None: the remote has no such branch yet)."""
        found = self.run("rev-parse", "--verify", "-q", f"refs/remotes/origin/{self.branch()}", check=False)
        return found.strip() or None

    def recover(self) -> None:
        """Put the clone back at its last commit: an interrupted sync may have left a merge half done or
        lines written but not committed (they are written again from the database, which is the truth)."""
        git_dir = self.path / ".git"
        # left by a git that was killed; nobody but policytrack uses this clone
        for lock in [*git_dir.glob("*.lock"), *(git_dir / "refs").rglob("*.lock")]:
            if lock.name != LOCK:  # the running sync's own: removing it would let a second one in
                lock.unlink(missing_ok=True)
        if (git_dir / "MERGE_HEAD").exists():
            self.run("merge", "--abort", check=False)
        if self.has_commits():
            self.run("reset", "-q", "--hard", "HEAD")
        self.run("clean", "-q", "-f", "-d")


def _lock(fd: int) -> None:
    """An exclusive lock on an open file, not waiting; OSError if another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
