"""Hostile arguments, environment, output paths, stdin/stdout and framework files, through the real CLI.

Every refused command must exit 1 (2 for usage), say so in one line on stderr, print no traceback, and
leave the database exactly as it was: `dump` compares every row of every table, history included.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from conftest import Invoke, SeededDb, app, slow_but
from policytrack.core.storable import MAX_FIELD
from test_frameworks_install import filled_in
from test_frameworks_parse import MINIMAL


def dump(db: Path) -> list[str]:
    """Every row of every table (and the schema), read-only: what a refused command must not change."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def logged(cli: Invoke, db_path: Path, seeded_db: SeededDb) -> Iterator[list[str]]:
    """A database with an entry, an edit, a deletion and a target; yields its dump."""

    def build() -> None:
        assert cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06").exit_code == 0
        assert cli("log", "diversify", "MINUSMA mandate ends", "--date", "2023-06-30").exit_code == 0
        assert cli("edit", "1", "--grade", "A1").exit_code == 0
        assert cli("delete", "2", "--force").exit_code == 0
        assert cli("target", "regional", "in-progress", "--by", "2027-12").exit_code == 0

    seeded_db("test_hostile_cli.logged", build)
    yield dump(db_path)


def refused(result: Result, code: int = 1) -> str:
    """Assert a refusal in the house style and return its one stderr line."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("policytrack: error: ")
    assert "internal error" not in lines[0]
    return lines[0]


# -- 1 and 2: one safe writer for every -o -------------------------------------------------------


def output_commands(target: str) -> list[list[str]]:
    return [
        ["export", "entries", "-o", target],
        ["export", "entries", "-f", "jsonl", "--all-revisions", "-o", target],
        ["export", "entries", "-f", "xlsx", "-o", target],
        ["report", "-o", target],
        ["report", "--by", "quarter", "-f", "xlsx", "-o", target],
        ["report", "--format", "markdown", "-o", target],
        ["export", "report", "-o", target],
        ["framework", "new", "my-paper", "-o", target, "--force"],
    ]


def test_output_never_replaces_the_database(
    cli: Invoke, db_path: Path, logged: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By its name, a relative path, a hard link, a symlink, or its -wal and -shm files."""
    (tmp_path / "hard.db").hardlink_to(db_path)
    (tmp_path / "soft.db").symlink_to(db_path)
    monkeypatch.chdir(tmp_path)
    names = [str(db_path), db_path.name, "./" + db_path.name, "hard.db", "soft.db"]
    names += [f"{db_path}-wal", f"{db_path}-shm", f"{db_path}-journal"]
    for name in names:
        for args in output_commands(name):
            line = refused(cli(*args))
            assert "is the policytrack database" in line and line.endswith("choose another name")
            assert dump(db_path) == logged, args
    assert (tmp_path / "soft.db").is_symlink()


def test_output_refuses_directories_and_read_only_files(
    cli: Invoke, logged: list[str], tmp_path: Path
) -> None:
    read_only = tmp_path / "published.csv"
    read_only.write_text("kept\n")
    read_only.chmod(0o444)
    for args in output_commands(str(read_only)):
        assert "read-only" in refused(cli(*args))
    assert read_only.read_text() == "kept\n"
    for args in output_commands(str(tmp_path)):
        assert "it is a folder; give a file name" in refused(cli(*args))


def test_output_streams_into_devices_and_fifos(cli: Invoke, logged: list[str], tmp_path: Path) -> None:
    for args in output_commands(os.devnull):
        assert cli(*args).exit_code == 0, args
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)  # still the null device, not a file
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert cli("export", "entries", "-o", str(fifo)).exit_code == 0
    out, _ = reader.communicate(timeout=20)
    assert out.startswith(b'"id","uuid"') and b"AES treaty" in out
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_follows_a_symlink_and_replaces_its_target(
    cli: Invoke, logged: list[str], tmp_path: Path
) -> None:
    (tmp_path / "briefs").mkdir()
    target = tmp_path / "briefs" / "latest.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    assert cli("export", "entries", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and b"AES treaty" in target.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the target's permissions are kept
    assert not [p for p in (tmp_path / "briefs").iterdir() if p.name.startswith(".")]  # no temp left


def test_backup_goes_through_the_same_writer(
    cli: Invoke, db_path: Path, logged: list[str], tmp_path: Path
) -> None:
    assert "exists" in refused(cli("db", "backup", str(db_path)))
    assert "exists" in refused(cli("db", "backup", os.devnull))
    copy = tmp_path / "copy.db"
    assert cli("db", "backup", str(copy)).exit_code == 0
    assert dump(copy) == logged


# -- 9: framework updates keep target history ----------------------------------------------------


# A two-indicator framework ("demo": first, second; levels none and done), and the same without `second`.
BOTH = MINIMAL
FIRST_ONLY = MINIMAL[: MINIMAL.index('[[indicators]]\nkey = "second"')]


def test_framework_update_keeps_target_history(cli: Invoke, db_path: Path, tmp_path: Path) -> None:
    """Removing an indicator that has targets but no entries used to delete its target history."""
    path = tmp_path / "paper.toml"
    path.write_text(BOTH)
    assert cli("framework", "add", str(path)).exit_code == 0
    assert cli("target", "second", "done", "--by", "2030", "-F", "demo").exit_code == 0
    before = dump(db_path)
    path.write_text(FIRST_ONLY)
    line = refused(cli("framework", "add", str(path), "--update"))
    assert "second (history: 1 record)" in line and "target history" in line
    assert dump(db_path) == before


# -- 10 and 12: stdout full or closed, stdin closed ----------------------------------------------


def run(
    args: list[str],
    db: Path,
    *,
    stdin: int | None = None,
    stdout: IO[Any] | None = None,
    close: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """The installed program as a user runs it, optionally with stdin (0) or stdout (1) closed."""
    env = {**os.environ, "POLICYTRACK_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "policytrack", *args],
        env=env,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=(lambda: os.close(close)) if close is not None else None,
        timeout=60,
        check=False,
    )


def one_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("policytrack: error: "), proc.stderr
    assert "internal error" not in lines[0]
    return lines[0]


full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")


@full
def test_log_into_a_full_stdout_says_the_entry_was_saved(db_path: Path) -> None:
    with open("/dev/full", "wb") as dev_full:
        proc = run(
            ["log", "regional", "AES treaty signed in Niamey", "--date", "2024"], db_path, stdout=dev_full
        )
    line = one_line(proc)
    assert "entry 1 was saved" in line and line.endswith("do not run the command again")
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    conn.close()


@pytest.mark.slow
@full
@pytest.mark.parametrize(
    "args", [["list", "--json"], ["list"], ["report"], ["export", "entries"], ["framework", "new", "x"]]
)
def test_full_stdout_is_one_line(db_path: Path, args: list[str]) -> None:
    assert run(["log", "regional", "AES treaty", "--date", "2024"], db_path).returncode == 0
    with open("/dev/full", "wb") as dev_full:
        assert "No space left" in one_line(run(args, db_path, stdout=dev_full))


@pytest.mark.slow
@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["report"], ["export", "entries"]])
def test_closed_stdout_is_one_line(db_path: Path, args: list[str]) -> None:
    assert run(["log", "regional", "AES treaty", "--date", "2024"], db_path).returncode == 0
    assert "standard output is closed" in one_line(run(args, db_path, close=1))


@pytest.mark.slow
@pytest.mark.parametrize(
    "args", [["log", "regional", "-"], ["edit", "1", "--summary", "-"], ["delete", "1"], ["import", "-"]]
)
def test_closed_stdin_is_one_line(db_path: Path, args: list[str]) -> None:
    assert run(["log", "regional", "AES treaty", "--date", "2024"], db_path).returncode == 0
    before = dump(db_path)
    one_line(run(args, db_path, close=0))
    assert dump(db_path) == before


def test_stdin_text_is_bounded_and_utf8(cli: Invoke, logged: list[str], db_path: Path) -> None:
    assert "not UTF-8" in refused(cli("log", "regional", "-", input=b"\xff\xfe bad"))
    too_long = "x" * (MAX_FIELD + 1)
    assert f"over {MAX_FIELD:,} characters" in refused(cli("log", "regional", "-", input=too_long))
    assert "characters long" in refused(cli("log", "regional", "x", "--note", "n" * (MAX_FIELD + 1)))
    assert dump(db_path) == logged


# -- 11: read-only folders, newer databases, a copy before upgrading ------------------------------


def test_read_only_folder_reads_and_refuses_writes_clearly(
    cli: Invoke, db_path: Path, logged: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root every folder is writable, so the folder's permission is what the store is told; the
    database is then opened immutable, as it must be where SQLite cannot make its -shm file."""
    real_access = os.access
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    monkeypatch.setattr(
        "policytrack.store.os.access",
        lambda p, mode: False if Path(p) == db_path.parent and mode == os.W_OK else real_access(p, mode),
    )
    listed = cli("list", "--json")
    assert listed.exit_code == 0 and "AES treaty" in listed.stdout
    line = refused(cli("log", "regional", "another"))
    assert "read-only folder" in line and line.endswith("copy it to a writable folder")
    assert dump(db_path) == logged


def test_database_from_a_newer_version_is_read_but_not_written(
    cli: Invoke, db_path: Path, logged: list[str]
) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('policytrack', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    before = dump(db_path)
    assert "AES treaty" in cli("list", "--json").stdout
    for args in (
        ["log", "regional", "x"],
        ["edit", "1", "--grade", "B2"],
        ["target", "regional", "implemented", "--by", "2030"],
    ):
        line = refused(cli(*args))
        assert "m999_from_the_future" in line and line.endswith("upgrade policytrack")
    assert dump(db_path) == before


@pytest.mark.no_db
def test_upgrade_keeps_a_copy_and_says_where(cli: Invoke, db_path: Path) -> None:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    from policytrack.store.migrations import migrations

    older = Migrations("policytrack")
    older._migrations = migrations._migrations[:-1]  # the schema as the release before the last made it
    older.apply(Database(db_path))
    before = dump(db_path)
    result = cli("list", "--json")
    assert result.exit_code == 0
    copy = db_path.with_name(f"{db_path.name}.before-{migrations._migrations[-1].name}")
    assert f"a copy as it was before is in {copy}" in result.stderr
    assert dump(copy) == before
    assert cli("list").exit_code == 0 and "upgraded" not in cli("list").stderr  # once only


# -- 12 and 13: arguments, environment and framework files that used to trace back ---------------

BIG = str(2**63)
TRACEBACKS = [
    (["log", "regional", "x", "--date", "2026 years ago"], "too far back"),
    (["log", "regional", "x", "--date", "9" * 5001 + " days ago"], "too far back"),
    (["log", "²", "x"], "unknown indicator"),
    (["log", "9" * 5001, "x"], "unknown indicator"),
    (["show", BIG], "invalid entry id"),
    (["history", BIG], "invalid entry id"),
    (["edit", BIG, "--grade", "A1"], "invalid entry id"),
    (["delete", BIG, "--force"], "invalid entry id"),
    (["restore", BIG], "invalid entry id"),
    (["show", "²"], "invalid entry id"),
    (["log", "regional", "x", "--tag", "bad\udcff"], "not valid UTF-8"),
    (["list", "--grep", "\udcff"], "not valid UTF-8"),
    (["list", "-F", "\udcff"], "not valid UTF-8"),
    (["log", "regional", "x", "--note", "\udcff"], "not valid UTF-8"),
]


@pytest.mark.parametrize(("args", "message"), TRACEBACKS)
def test_inputs_that_traced_back_are_one_line(
    cli: Invoke, db_path: Path, logged: list[str], args: list[str], message: str
) -> None:
    result = cli(*args)
    code = 2 if message == "not valid UTF-8" else 1
    assert message in refused(result, code)
    assert dump(db_path) == logged


@pytest.mark.parametrize("where", [os.devnull, "fifo"])
def test_database_path_must_be_a_regular_file(cli: Invoke, tmp_path: Path, where: str) -> None:
    path = Path(where) if where == os.devnull else tmp_path / where
    if where == "fifo":
        os.mkfifo(path)
    assert "not a regular file" in refused(cli("--db", str(path), "list"))
    if where == "fifo":
        assert not list(path.parent.glob(path.name + "-*"))  # no journal left beside it


def test_huge_limit_lists_everything(cli: Invoke, logged: list[str]) -> None:
    result = cli("list", "--limit", BIG, "--json")
    assert result.exit_code == 0 and "AES treaty" in result.stdout


@pytest.mark.parametrize("name", ["POLICYTRACK_ANALYST", "POLICYTRACK_FRAMEWORK"])
def test_environment_that_is_not_utf8(
    cli: Invoke, db_path: Path, logged: list[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "analyst\udcff")
    line = refused(cli("log", "regional", "x"))
    assert f"${name} is not valid UTF-8" in line
    assert dump(db_path) == logged


def framework_files(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000)
    yield deep, "nested too deeply"
    huge = tmp_path / "huge.toml"
    huge.write_text("a = " + "9" * 5001)
    yield huge, "not valid TOML"
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (2 * 1024 * 1024))
    yield big, "over 1024 KiB"
    yield Path("/dev/zero"), "not a regular file"
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    yield fifo, "not a regular file"


def test_hostile_framework_files(cli: Invoke, db_path: Path, tmp_path: Path) -> None:
    """A file that never ends (a FIFO used to block `framework add` for ever, /dev/zero) is tried in a
    subprocess with a timeout; the others in this process."""
    assert cli("list").exit_code == 0
    before = dump(db_path)
    for path, message in framework_files(tmp_path):
        if path.is_file():
            assert message in refused(cli("framework", "add", str(path))), path
        else:
            assert message in one_line(run(["framework", "add", str(path)], db_path)), path
    number = tmp_path / "number.toml"
    assert cli("framework", "new", "numbers", "-o", str(number)).exit_code == 0
    number.write_text(filled_in(number.read_text()).replace("number = 1", f"number = {2**63}"))
    assert "from 1 to 9999" in refused(cli("framework", "add", str(number)))
    assert dump(db_path) == before


# -- every class at once: fuzzed commands never trace back and never change what they refuse ---------

HOSTILE = [
    "\x1b[2J",
    "\x00",
    "\udcff",
    "²",
    "-1",
    BIG,
    "9" * 400,
    "[/red]",
    "2026 years ago",
    "/dev/zero",
    "-",
    "--",
    "",
    " ",
]
WORDS = ["regional", "1", "2", "A1", "commitment", "2024", "--date", "--limit", "--effect", "--grade", "-o"]
WORDS += [
    "--actor",
    "--analyst",
    "--status",
    "--min-grade",
    "--advancing",
    "--hindering",
    "-2..-1",
    "--all-frameworks",
    "--to",
    "--source",
    "--via",
    "--credibility",
    "--name",
    "--allow-duplicate",
    "regional,diversify",
    "--likelihood",
    "likely",
    "--by",
    "--score",
    "--signal",
    "p1",
    "--unreviewed",
    "--reviewed-only",
    "--by-analyst",
]


def command_tree() -> list[list[str]]:
    """Every command of the click tree, and every group that runs without a subcommand (`sync`): a new
    command is fuzzed without anyone adding it to a list."""
    found: list[list[str]] = []

    def walk(group: Any, prefix: list[str]) -> None:
        for name, command in group.commands.items():
            path = [*prefix, name]
            if hasattr(command, "commands"):  # typer vendors click: a group has its `commands`
                if command.invoke_without_command:
                    found.append(path)
                walk(command, path)
            else:
                found.append(path)

    walk(typer.main.get_command(app), [])
    return found


# Flags that keep a fuzzed command from waiting on a person (or a remote): added after the command.
UNATTENDED = {
    "delete": ["--force"],
    "undo": ["--yes"],
    "revert": ["--yes"],
    "sync": ["--dry-run"],
    "inbox accept": ["--yes"],
    "inbox reject": ["--yes"],
    "inbox snooze": ["--yes"],
}
COMMANDS = [[*c, *UNATTENDED.get(" ".join(c), [])] for c in command_tree()]


def assert_refused_cleanly(result: Result, before: list[str], db_path: Path, what: object) -> None:
    assert result.exit_code in (0, 1, 2), (what, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (what, result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output, what
    if result.exit_code == 1:
        assert len(result.stderr.splitlines()) == 1, (what, result.stderr)
    if result.exit_code != 0:
        assert dump(db_path) == before, what


def test_the_fuzzed_commands_are_the_whole_tree() -> None:
    names = {" ".join(c) for c in command_tree()}
    assert {"log", "source merge", "config unset", "sync", "sync status", "export report"} <= names
    assert len(COMMANDS) == len(names) >= 45


def test_every_command_refuses_a_hostile_argument_cleanly(
    cli: Invoke, db_path: Path, logged: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One hostile argument for every command of the tree (the slow test below fuzzes them all)."""
    monkeypatch.chdir(tmp_path)  # whatever a command writes by a relative name lands here
    for command in COMMANDS:
        before = dump(db_path)
        assert_refused_cleanly(cli(*command, "\x1b[2J[/red]", input=""), before, db_path, command)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    command=st.sampled_from(COMMANDS),
    args=st.lists(st.sampled_from(HOSTILE + WORDS) | st.text(max_size=8), max_size=5),
)
def test_fuzzed_commands_refuse_cleanly(
    cli: Invoke,
    db_path: Path,
    logged: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    args: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # whatever a command writes by a relative name lands here
    args = [a for a in args if a != "-o"]  # writing files is covered above; here stdout only
    before = dump(db_path)
    assert_refused_cleanly(cli(*command, *args, input=""), before, db_path, (command, args))


# -- found by a hostile review of the fixes above ------------------------------------------------------


def test_symlinked_database_protects_the_real_side_files(cli: Invoke, tmp_path: Path) -> None:
    """SQLite keeps -wal/-shm beside the link's target, not the link: those are protected too."""
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    real = tmp_path / "real" / "p.db"
    link = tmp_path / "links" / "p.db"
    link.symlink_to(real)
    assert cli("--db", str(link), "log", "regional", "AES treaty").exit_code == 0
    before = dump(real)
    for suffix in ("-wal", "-shm", "-journal"):
        target = f"{real}{suffix}"
        for args in (["export", "entries", "-o", target], ["db", "backup", target]):
            assert "is the policytrack database" in refused(cli("--db", str(link), *args))
    assert dump(real) == before


@pytest.mark.parametrize(
    "args",
    slow_but(
        [["export", "entries"], ["export", "entries", "-o", "-"], ["list", "--json"], ["report"]], keep=2
    ),
)
def test_stdout_that_is_the_database_is_refused(cli: Invoke, db_path: Path, args: list[str]) -> None:
    """`export entries >> policytrack.db` (or `-o -` with stdout opened on it) must not write into it."""
    assert cli("log", "regional", "AES treaty", "--date", "2024").exit_code == 0
    before = dump(db_path)
    with db_path.open("ab") as appended:
        line = one_line(run(args, db_path, stdout=appended))
        assert "standard output is the policytrack database" in line
    assert dump(db_path) == before


def test_closed_stdout_after_a_change_says_it_was_saved(db_path: Path) -> None:
    line = one_line(run(["log", "regional", "AES treaty", "--date", "2024"], db_path, close=1))
    assert "entry 1 was saved" in line and "standard output is closed" in line


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--version"], ["--help"], ["log", "--help"]])
def test_version_and_help_into_closed_or_full_stdout(db_path: Path, args: list[str]) -> None:
    one_line(run(args, db_path, close=1))
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as dev_full:
            one_line(run(args, db_path, stdout=dev_full))


def test_empty_database_path_is_refused(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unset shell variable gives `--db ""`: that must not fall back to the user's own database."""
    assert "--db is empty" in refused(cli("--db", "", "log", "regional", "x"))
    monkeypatch.setenv("POLICYTRACK_DB", "")
    assert "$POLICYTRACK_DB is set but empty" in refused(cli("log", "regional", "x"))


def test_login_name_that_is_not_utf8(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYTRACK_ANALYST")
    monkeypatch.setattr("getpass.getuser", lambda: "login\udcff")
    assert cli("log", "regional", "AES treaty").exit_code == 0
    assert cli("show", "1", "--json").stdout.count('"analyst": "unknown"') == 1


def test_informational_lines_show_control_characters(cli: Invoke, tmp_path: Path) -> None:
    result = cli("report", "-o", str(tmp_path / "o\x1b]0;T\x07.txt"))
    assert result.exit_code == 0
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\\x1b]0;T\\x07" in result.stderr


def test_framework_update_keeps_what_old_revisions_name(cli: Invoke, db_path: Path, tmp_path: Path) -> None:
    """An entry moved to another indicator, or assessed with a level later edited away, still has
    revisions naming the old indicator and level: neither may be removed."""
    path = tmp_path / "paper.toml"
    path.write_text(BOTH)
    assert cli("framework", "add", str(path)).exit_code == 0
    assert cli("log", "second", "AES treaty", "-F", "demo", "--status", "done").exit_code == 0
    assert cli("edit", "1", "-i", "first", "--status", "none").exit_code == 0
    before = dump(db_path)
    path.write_text(FIRST_ONLY)
    assert "second (history: 1 record)" in refused(cli("framework", "add", str(path), "--update"))
    path.write_text(BOTH.replace('name = "done"\npercent = 100', 'name = "all"\npercent = 100'))
    assert "cannot drop status level done" in refused(cli("framework", "add", str(path), "--update"))
    assert dump(db_path) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_replacing_a_file_keeps_its_owner(cli: Invoke, logged: list[str], tmp_path: Path) -> None:
    owned = tmp_path / "theirs.csv"
    owned.write_text("old\n")
    os.chown(owned, 65534, 65534)
    owned.chmod(0o640)
    assert cli("export", "entries", "-o", str(owned)).exit_code == 0
    st = owned.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o640)


def test_read_only_database_file_is_not_written_even_by_root(
    cli: Invoke, db_path: Path, logged: list[str]
) -> None:
    db_path.chmod(0o444)
    try:
        assert cli("list", "--json").exit_code == 0
        assert "read-only" in refused(cli("log", "regional", "x"))
    finally:
        db_path.chmod(0o644)
    assert dump(db_path) == logged


def test_template_to_stdout_device_needs_no_force(db_path: Path) -> None:
    """/dev/stdout onto a pipe is a stream, not a file to protect with --force."""
    result = run(["framework", "new", "paper", "-o", "/dev/stdout"], db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"# A policytrack framework")


# -- found by a second hostile review --------------------------------------------------------------------


def test_framework_update_checks_under_the_write_lock(
    cli: Invoke, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `log` committing between the checks and the update could use a level the update removes: the
    checks must run inside the update's own write transaction."""
    from policytrack.store import Store

    path = tmp_path / "paper.toml"
    path.write_text(FIRST_ONLY)
    assert cli("framework", "add", str(path)).exit_code == 0
    seen: list[bool] = []
    real = Store.levels_in_use

    def spy(self: Store, framework_id: int) -> set[str]:
        seen.append(self.conn.in_transaction)
        return real(self, framework_id)

    monkeypatch.setattr(Store, "levels_in_use", spy)
    path.write_text(FIRST_ONLY.replace('title = "A paper"', 'title = "A paper, revised"'))
    assert cli("framework", "add", str(path), "--update").exit_code == 0
    assert seen == [True]


def test_read_only_folder_refuses_a_database_with_pending_wal_changes(
    cli: Invoke, db_path: Path, logged: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened as immutable, SQLite reads the main file alone: changes still in the -wal would vanish."""
    holder = sqlite3.connect(db_path)  # a reader that keeps the -wal from being checkpointed away
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM entries").fetchone()
    try:
        assert cli("log", "regional", "still in the wal").exit_code == 0
        assert Path(f"{db_path}-wal").stat().st_size > 0
        real_access, real_connect = os.access, sqlite3.connect

        def no_shm(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            if "mode=ro" in str(args[0]):
                raise sqlite3.OperationalError("unable to open database file")
            connection: sqlite3.Connection = real_connect(*args, **kwargs)
            return connection

        monkeypatch.setattr(
            "policytrack.store.os.access",
            lambda p, mode: False if Path(p) == db_path.parent and mode == os.W_OK else real_access(p, mode),
        )
        monkeypatch.setattr("policytrack.store.sqlite3.connect", no_shm)
        line = refused(cli("list", "--json"))
        assert "-wal" in line and "copy" in line
    finally:
        holder.close()


@pytest.mark.slow
def test_output_onto_stdout_appended_to_a_file_appends(db_path: Path, tmp_path: Path) -> None:
    assert run(["log", "regional", "AES treaty", "--date", "2024"], db_path).returncode == 0
    kept = tmp_path / "log.txt"
    kept.write_text("precious\n")
    with kept.open("ab") as appended:
        assert run(["export", "entries", "-o", "/dev/stdout"], db_path, stdout=appended).returncode == 0
    text = kept.read_text()
    assert text.startswith("precious\n") and "AES treaty" in text


@pytest.mark.slow
def test_stderr_that_is_the_database_is_never_written(db_path: Path, tmp_path: Path) -> None:
    assert run(["log", "regional", "AES treaty", "--date", "2024"], db_path).returncode == 0
    before = dump(db_path)
    fd = os.open(db_path, os.O_RDWR)  # as `2<>policytrack.db` opens it
    try:
        env = {**os.environ, "POLICYTRACK_DB": str(db_path)}
        proc = subprocess.run(
            [sys.executable, "-m", "policytrack", "report", "-o", str(tmp_path / "r.txt")],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=fd,
            timeout=60,
            check=False,
        )
    finally:
        os.close(fd)
    assert proc.returncode == 1
    assert dump(db_path) == before


def test_a_megabyte_of_lines_is_shown_quickly_and_said_to_be_clipped(cli: Invoke, db_path: Path) -> None:
    summary = "a\n" * 400_000
    # log refuses text a spreadsheet cell cannot hold; an older release stored such a summary
    assert "a cell holds" in refused(cli("log", "regional", "-", "--date", "2024", input=summary))
    assert cli("log", "regional", "short", "--date", "2024").exit_code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE entries SET summary = ? WHERE id = 1", (summary[:-1],))
        conn.execute("UPDATE entry_revisions SET summary = ?", (summary[:-1],))
    conn.close()
    for args in (
        ["show", "1"],
        ["list"],
        ["history", "1"],
        ["timeline", "regional"],
        ["report", "--explain"],
    ):
        result = cli(*args)
        assert result.exit_code == 0, args
        # the note is in the summary column, which wraps: read it as words
        assert "more characters; --format json shows all" in " ".join(result.stdout.split()), args
    assert json.loads(cli("show", "1", "--json").stdout)["summary"] == summary[:-1]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_deleted_entries_are_marked_in_every_format_and_import_back(
    cli: Invoke, logged: list[str], tmp_path: Path, fmt: str
) -> None:
    listed = tmp_path / f"list.{fmt}"
    result = cli("list", "--deleted", "-f", fmt)
    assert result.exit_code == 0, result.output
    listed.write_bytes(result.stdout_bytes)
    text = listed.read_text(encoding="utf-8-sig")
    if fmt == "csv":
        header = text.splitlines()[0]
        assert header.endswith(',"deleted_at"') or header.endswith(",deleted_at")
    else:
        assert '"deleted": true' in text.replace('"deleted":true', '"deleted": true')
    other = tmp_path / "other.db"
    result = cli("--db", str(other), "import", str(listed))
    assert result.exit_code == 0, result.output
    mine = json.loads(cli("list", "--deleted", "--json").stdout)
    theirs = json.loads(cli("--db", str(other), "list", "--deleted", "--json").stdout)
    assert [(e["uuid"], e["deleted"]) for e in theirs] == [(e["uuid"], e["deleted"]) for e in mine]
    assert [e["deleted"] for e in mine] == [True, False]  # the fixture deleted entry 2, dated earlier


@pytest.mark.parametrize(
    ("value", "words"),
    [('"maybe"', "deleted 'maybe' is not true or false"), ("3", "deleted a number is not true or false")],
)
def test_a_bad_deleted_flag_is_refused(
    cli: Invoke, db_path: Path, tmp_path: Path, value: str, words: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(f'{{"indicator": "regional", "date": "2024", "summary": "x", "deleted": {value}}}\n')
    assert cli("list").exit_code == 0  # the database exists
    before = dump(db_path)
    result = cli("import", str(path))
    assert result.exit_code == 1 and words in result.stderr and "nothing was imported" in result.stderr
    assert dump(db_path) == before


def test_report_format_errors_are_one_line(cli: Invoke, logged: list[str]) -> None:
    assert "unknown --format 'xml'" in refused(cli("report", "-f", "xml"), 2)
    assert json.loads(cli("report", "--json").stdout)[0]["framework"] == "mali-china-security"


def test_invisible_characters_are_shown(cli: Invoke) -> None:
    assert cli("log", "regional", "a\u200fb\u061cc\u2028d\u200be\ufefff", "--date", "2024").exit_code == 0
    shown = cli("show", "1").stdout
    for escaped in ("\\u200f", "\\u061c", "\\u2028", "\\u200b", "\\ufeff"):
        assert escaped in shown


def test_output_file_names_of_any_allowed_length(cli: Invoke, logged: list[str], tmp_path: Path) -> None:
    name = tmp_path / ("e" * 250 + ".csv")
    assert cli("export", "entries", "-o", str(name)).exit_code == 0
    assert name.read_bytes().startswith(b'"id"')


# -- output and publish paths that are not a file to write: said as what they are, with the fix ---------


def listing(folder: Path) -> list[str]:
    """The files in a folder, but the database's -wal and -shm, which SQLite makes and removes."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


def odd_paths(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Each odd path (relative to tmp_path, the current folder) and the words that must say what it is."""
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x.csv")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "afile").write_text("kept\n")
    too_long = "x" * 300
    return {
        "current folder": (".", "it is a folder; give a file name"),
        "dangling symlink": ("dangling", "it is a symlink to "),
        "symlink loop": ("loop1", "leads round in a loop; remove it or give another name"),
        "name too long": (f"{too_long}.csv", "too long for the file system; give a shorter name"),
        "folder name too long": (f"{too_long}/x.csv", "too long for the file system; give a shorter name"),
        "missing folder": ("nodir/x.csv", "folder nodir does not exist; create it or give another name"),
        "a file as a folder": ("afile/x.csv", "a part of its path is not a folder; check the path"),
    }


def test_odd_output_paths_are_named_with_the_fix(
    cli: Invoke, logged: list[str], db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = odd_paths(tmp_path)
    before = listing(tmp_path)
    for what, (path, words) in paths.items():
        for args in output_commands(path):
            line = refused(cli(*args))
            assert words in line, (what, args, line)
            assert "input/output error" not in line and "check the disk" not in line
    assert listing(tmp_path) == before  # nothing written, no temporary left
    assert (tmp_path / "afile").read_text() == "kept\n"
    assert dump(db_path) == logged


def test_odd_publish_folders_are_named_with_the_fix(
    cli: Invoke, logged: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    odd_paths(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "linkdir").symlink_to(tmp_path / "empty")
    cases = {
        ".": "it is the current folder",
        "..": "it is the current folder (or above it)",
        "dangling": "it is a symlink to ",
        "loop1": "leads round in a loop",
        "linkdir": "it is a symlink; give the folder itself, or a new name",
        "x" * 300: "its name is too long for the file system; give a shorter name",
        "y" * 250: "its name is too long for the file system",  # the folder written beside it is longer
        "afile/x": "afile is not a folder; check the path",
    }
    before = listing(tmp_path)
    for target, words in cases.items():
        line = refused(cli("publish", target))
        assert words in line, (target, line)
        assert "input/output error" not in line
    assert listing(tmp_path) == before
    assert list((tmp_path / "empty").iterdir()) == []
