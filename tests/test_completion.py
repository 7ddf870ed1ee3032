"""Shell completion is read-only: every completion reads the database through the one read-only open, and
never creates, upgrades or waits for a database, nor prints a traceback, whatever state it is in."""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from conftest import Invoke, SeededDb, app
from policytrack.cli import common
from policytrack.store import BUSY_TIMEOUT_SECONDS, MIGRATION_NAMES
from test_migrations import _old_database

Complete = Callable[[typer.Context, str], list[str]]

# Each completion, what it is asked, and what it offers on the database `logged` makes.
COMPLETIONS: dict[str, tuple[Complete, str, list[str]]] = {
    "indicator keys": (common.complete_indicator, "ci", ["civilian-led", "civil-society"]),
    "status levels": (common.complete_status, "i", ["in-progress", "implemented"]),
    "signals": (common.complete_signal, "reg", ["regional-agreements", "regional-withdrawal"]),
    "tags": (common.complete_tag, "tr", ["treaty"]),
    "actors": (common.complete_actor, "M", ["Mali"]),
    "frameworks": (common.complete_framework, "mali-china-s", ["mali-china-security"]),
    "source keys": (common.complete_source, "re", ["reuters"]),
}


@functools.cache
def command() -> Any:
    """The click command, built once (typer rebuilds it from every signature at each call: ~0.1 s)."""
    return typer.main.get_command(app)


def context(**params: str) -> typer.Context:
    ctx = typer.Context(command())
    ctx.params.update(params)
    return ctx


def ask(name: str) -> list[str]:
    complete, incomplete, _ = COMPLETIONS[name]
    return complete(context(indicator="regional"), incomplete)


def state(db: Path) -> tuple[list[str], str]:
    """The files beside the database (but SQLite's own -wal and -shm, which any reader may make) and the
    database's bytes: what completion must not change."""
    files = sorted(p.name for p in db.parent.iterdir() if not p.name.endswith(("-wal", "-shm")))
    return files, hashlib.sha256(db.read_bytes()).hexdigest() if db.exists() else ""


@pytest.fixture
def logged(cli: Invoke, db_path: Path, seeded_db: SeededDb) -> None:
    def build() -> None:
        result = cli("log", "regional", "AES treaty", "--date", "2024", "--tag", "treaty", "--actor", "Mali")
        assert result.exit_code == 0, result.output
        assert cli("source", "add", "reuters", "--name", "Reuters").exit_code == 0
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the bytes of the file are then the database
        conn.close()

    seeded_db("test_completion.logged", build)


@pytest.mark.parametrize("name", COMPLETIONS)
def test_each_completion_offers_what_the_database_holds(logged: None, name: str) -> None:
    assert ask(name) == COMPLETIONS[name][2]


@pytest.mark.parametrize("name", COMPLETIONS)
def test_a_missing_database_is_not_created(db_path: Path, name: str) -> None:
    """The framework and the frameworks' names come from the built-in files; nothing else is known yet."""
    found = ask(name)
    assert not db_path.exists()
    assert found == ([] if name in ("tags", "actors", "source keys") else COMPLETIONS[name][2])


@pytest.mark.parametrize("name", COMPLETIONS)
def test_an_older_database_is_not_upgraded(db_path: Path, tmp_path: Path, name: str) -> None:
    """A database of the first schema (no sources, no signals column): read as it is, never migrated."""
    fresh = tmp_path / "fresh.db"
    conn = sqlite3.connect(fresh)
    conn.close()
    from policytrack.domain.workspace import open_store

    open_store(fresh).close()
    _old_database(db_path, 1, fresh)
    fresh.unlink()
    for side in tmp_path.glob("fresh.db-*"):
        side.unlink()
    before = state(db_path)
    found = ask(name)
    assert state(db_path) == before
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    conn.close()
    assert applied == list(MIGRATION_NAMES[:1])
    if name in ("indicator keys", "status levels"):  # the framework reads on every schema
        assert found == COMPLETIONS[name][2]
    elif name == "signals":  # keyed by place until the framework is loaded again (m009_signals)
        assert common.complete_signal(context(indicator="regional"), "")[:2] == ["p1", "p2"]
    elif name == "source keys":
        assert found == []  # no registry yet


@pytest.mark.parametrize("name", COMPLETIONS)
def test_a_newer_database_is_read_as_it_is(logged: None, db_path: Path, name: str) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('policytrack', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = state(db_path)
    assert ask(name) == COMPLETIONS[name][2]
    assert state(db_path) == before


@pytest.fixture
def locked(logged: None, db_path: Path) -> Iterator[None]:
    """Another process's exclusive write lock, held: SQLite lets nobody else open the file."""
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE entries SET note = note")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("name", COMPLETIONS)
def test_a_locked_database_answers_at_once(locked: None, name: str) -> None:
    """Whatever is offered (the database's answer, or nothing), it comes without waiting for the lock:
    a wait would be the store's busy timeout, seconds long."""
    started = time.monotonic()
    found = ask(name)
    assert time.monotonic() - started < BUSY_TIMEOUT_SECONDS / 3
    assert found in ([], COMPLETIONS[name][2])


@pytest.mark.parametrize("name", COMPLETIONS)
def test_a_file_that_is_not_a_database_offers_nothing_quietly(
    db_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    before = state(db_path)
    assert ask(name) == (COMPLETIONS[name][2] if name == "frameworks" else [])  # the built-in ones
    assert state(db_path) == before
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    "env",
    [
        {"_POLICYTRACK_COMPLETE": "complete_bash"},  # no COMP_WORDS, no COMP_CWORD
        {"_POLICYTRACK_COMPLETE": "complete_bash", "COMP_WORDS": "policytrack log", "COMP_CWORD": "x"},
        {"_POLICYTRACK_COMPLETE": "complete_bash", "COMP_WORDS": "policytrack log"},
        {"_POLICYTRACK_COMPLETE": "complete_zsh"},  # no _TYPER_COMPLETE_ARGS
    ],
)
def test_an_odd_completion_environment_prints_no_traceback(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from policytrack.cli import main

    for key in ("COMP_WORDS", "COMP_CWORD", "_TYPER_COMPLETE_ARGS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "argv", ["policytrack"])
    with pytest.raises(SystemExit):
        main()
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Error" not in out + err


def test_completion_reads_through_the_one_read_only_open(
    logged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every completion that reads the database opens it read-only, asking to wait for no lock, and
    never through the Store (which creates and upgrades)."""
    import policytrack.store as store

    calls: list[float] = []
    real = store.connect_read_only

    def spy(path: Path, *, timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
        calls.append(timeout)
        return real(path, timeout=timeout)

    def no_store(*args: object, **kwargs: object) -> None:
        raise AssertionError("completion opened the Store")

    monkeypatch.setattr(store, "connect_read_only", spy)
    monkeypatch.setattr(store.Store, "__init__", no_store)
    for name in COMPLETIONS:
        calls.clear()
        assert ask(name) == COMPLETIONS[name][2], name
        assert calls and set(calls) == {0}, name
    assert os.environ.get("_POLICYTRACK_COMPLETE") is None
