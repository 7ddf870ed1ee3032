"""Every test gets its own database through POLICYTRACK_DB, so no test can touch a real user's data."""

from __future__ import annotations

import ast
import functools
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from policytrack.cli import full_app

app = full_app()  # every command module, imported once: tests run any command

_MEMORY_DISK = Path("/dev/shm")
_MADE_BASETEMP = pytest.StashKey[str]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Tests' temporary folders on a memory disk where there is one: every test database commits,
    checkpoints and closes many times, and on a real disk each of those waits for a sync (about a
    third of the default run's time here). SQLite behaves the same on either; only the waiting goes.
    An explicit --basetemp wins; workers inherit the controller's folder."""
    if config.option.basetemp or hasattr(config, "workerinput"):
        return
    if _MEMORY_DISK.is_dir() and os.access(_MEMORY_DISK, os.W_OK | os.X_OK):
        made = tempfile.mkdtemp(prefix="policytrack-tests-", dir=_MEMORY_DISK)
        config.option.basetemp = made
        config.stash[_MADE_BASETEMP] = made


def pytest_unconfigure(config: pytest.Config) -> None:
    """The memory disk is memory: the folder made above goes when the run ends."""
    made = config.stash.get(_MADE_BASETEMP, None)
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def matplotlib_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """matplotlib keeps a font cache in the user's home: the tests' goes to a temporary directory."""
    import os

    os.environ["MPLCONFIGDIR"] = str(tmp_path_factory.mktemp("matplotlib"))


@pytest.fixture(autouse=True, scope="session")
def built_once() -> Iterator[None]:
    """typer builds the click command from every function signature at each invoke (80 ms of a 100 ms
    test command here): build each application once per session. A click command is reusable: each run
    makes its own context, as a long-lived program calling main() again would."""
    import typer.testing

    built: dict[int, Any] = {}
    original = typer.testing._get_command  # type: ignore[attr-defined]

    def cached(app: Any) -> Any:
        key = id(app)
        if key not in built:
            built[key] = (app, original(app))  # the app is kept, so its id is never reused
        return built[key][1]

    setattr(typer.testing, "_get_command", cached)  # noqa: B010
    yield
    setattr(typer.testing, "_get_command", original)  # noqa: B010


def slow_but(values: Iterable[Any], keep: int = 3) -> list[Any]:
    """`values` as parameters, all but `keep` of them (the first, the last and evenly between) marked slow:
    the default run keeps a representative of the behaviour, CI (`-m 'slow or not slow'`) runs every one."""
    values = list(values)
    last = len(values) - 1
    kept = {round(i * last / (keep - 1)) for i in range(keep)} if keep > 1 and last > 0 else {0}
    return [v if i in kept else pytest.param(v, marks=pytest.mark.slow) for i, v in enumerate(values)]


@functools.cache
def parsed(code: str) -> ast.Module:
    """`code`'s syntax tree, parsed once per worker: several scans (layers, field lists, help, messages)
    walk every source file. Read only: a test that would change a tree parses its own."""
    return ast.parse(code)


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("templates")


_templates: dict[str, Path] = {}  # each seeded database's file, by name, in this worker
SeededDb = Callable[[str, Callable[[], object]], None]


@pytest.fixture
def seeded_db(template_dir: Path, isolated_env: Path) -> SeededDb:
    """`seeded_db(name, build)` leaves in the test's database what `build()` writes there through the
    command line: built by the first test of a worker that asks, then copied by file (a copy costs ~1 ms;
    creating, migrating and logging through the command line ~1 s). Only for a `build` that writes nothing
    but the database and that every test can share (same uuids, same recorded times)."""

    def apply(name: str, build: Callable[[], object]) -> None:
        template = _templates.get(name)
        if template is not None:
            shutil.copyfile(template, isolated_env)
            return
        build()
        conn = sqlite3.connect(isolated_env)
        try:  # everything in the one file: a copy of it is the whole database
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        template = template_dir / f"{name}.db"
        shutil.copyfile(isolated_env, template)
        _templates[name] = template

    return apply


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "policytrack.db"
    monkeypatch.setenv("POLICYTRACK_DB", str(db))
    # nor a real user's config file: each test has its own (absent until a test writes it)
    monkeypatch.setenv("POLICYTRACK_CONFIG", str(tmp_path / "config.toml"))
    from policytrack.core.config import settings

    settings.cache_clear()
    monkeypatch.setenv("POLICYTRACK_ANALYST", "tester")
    monkeypatch.delenv("POLICYTRACK_FRAMEWORK", raising=False)
    # no test may open a real editor: tests that need one script it through EDITOR
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    # English whatever the developer's locale; a test that wants another language sets it
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    from policytrack.core import i18n

    i18n.choose()
    return db


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    return isolated_env


Invoke = Callable[..., Result]
# `log(ARGS...)` returns the new entry's id; `cli_json(ARGS...)` the parsed JSON output.
Log = Callable[..., int]
InvokeJson = Callable[..., Any]


_pristine: dict[str, Path] = {}  # the database a first command makes, by language, in this worker


@pytest.fixture
def cli(request: pytest.FixtureRequest, isolated_env: Path, template_dir: Path) -> Invoke:
    """`policytrack ARGS...` in this process. The test's database starts as the first command makes it
    (created, migrated, the default framework installed), copied from one such database made by the
    first test of the worker: creating one costs ~30 ms, a copy ~1 ms. A test of what the first command
    does to no database at all is marked `no_db` and starts from nothing."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    if request.node.get_closest_marker("no_db") is None and not isolated_env.exists():
        shutil.copyfile(_pristine.get("made") or _make_pristine(invoke, template_dir), isolated_env)
    return invoke


def _make_pristine(invoke: Invoke, template_dir: Path) -> Path:
    """The database the first command makes, in the environment isolated_env sets (whatever the test
    that asks first has set since: no framework, config or language of its own)."""
    pristine = template_dir / "pristine.db"
    with pytest.MonkeyPatch.context() as env:
        env.delenv("POLICYTRACK_FRAMEWORK", raising=False)
        env.setenv("POLICYTRACK_CONFIG", str(template_dir / "no-config.toml"))
        env.setenv("POLICYTRACK_ANALYST", "tester")
        made = invoke("--db", str(pristine), "--lang", "en", "indicators")
    from policytrack.core import i18n
    from policytrack.core.config import settings

    settings.cache_clear()  # read again from the test's own config
    i18n.choose()  # and its language
    assert made.exit_code == 0, made.output
    conn = sqlite3.connect(pristine)
    try:  # everything in the one file: a copy of it is the whole database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    _pristine["made"] = pristine
    return pristine


@pytest.fixture
def log(cli: Invoke) -> Log:
    """`policytrack log ARGS...`, asserting it succeeded; returns the new entry's id."""

    def invoke(*args: str) -> int:
        result = cli("log", *args)
        assert result.exit_code == 0, result.stderr
        return int(result.stdout.split()[2])

    return invoke


@pytest.fixture
def cli_json(cli: Invoke) -> InvokeJson:
    def invoke(*args: str) -> Any:
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    return invoke


@pytest.fixture
def dataset(cli: Invoke, log: Callable[..., int], seeded_db: SeededDb) -> None:
    """Real events plus labelled synthetic entries; tests/test_reports.py works out its figures by hand."""
    seeded_db("dataset", lambda: _build_dataset(cli, log))


def _build_dataset(cli: Invoke, log: Callable[..., int]) -> None:
    log(
        "diversify",
        "Barkhane and Takuba withdrawal announced",
        "--date",
        "2022-02-17",
        "--effect",
        "-1",
        "--grade",
        "A1",
        "--source",
        "Elysee joint declaration",
    )
    log(
        "diversify",
        "UNSC resolution 2690 ends MINUSMA's mandate",
        "--date",
        "2023-06-30",
        "--effect",
        "-1",
        "--grade",
        "A1",
        "--source",
        "UNSC resolution 2690",
    )
    log(
        "diversify",
        "synthetic test entry: context on the same resolution",
        "--date",
        "2023-06-30",
        "--source",
        "UNSC resolution 2690",
    )
    log(
        "regional",
        "Withdrawal from ECOWAS announced",
        "--date",
        "2024-01-28",
        "--effect",
        "-2",
        "--grade",
        "A1",
        "--source",
        "Joint communique",
    )
    log(
        "regional",
        "AES treaty signed in Niamey",
        "--date",
        "2024-07-06",
        "--effect",
        "+1",
        "--grade",
        "B2",
        "--status",
        "commitment",
        "--source",
        "AES treaty",
    )
    log(
        "regional",
        "synthetic test entry: month precision",
        "--date",
        "2024-09",
        "--effect",
        "2",
        "--grade",
        "E5",
        "--status",
        "in-progress",
        "--source",
        "synthetic",
    )
    log(
        "regional",
        "synthetic test entry: deleted later",
        "--date",
        "2024-10-01",
        "--effect",
        "2",
        "--grade",
        "A1",
        "--status",
        "implemented",
    )
    assert cli("delete", "7", "--force").exit_code == 0
    log(
        "regional",
        "synthetic test entry: after the as-of date",
        "--date",
        "2025-03-01",
        "--effect",
        "2",
        "--status",
        "implemented",
    )
    for args in (
        ("regional", "substantial", "--by", "2025-12", "--from", "2024-01-01"),
        ("diversify", "commitment", "--by", "2024-06", "--from", "2023-01-01"),
        ("guidelines", "no-action", "--by", "2030"),
    ):
        assert cli("target", *args).exit_code == 0


# A team of analysts, each on their own database (the sync tests).
Team = Callable[..., Result]


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Invoke) -> Team:
    """`team(NAME, ARGS...)`: policytrack run as analyst NAME on NAME.db; every database syncs with a
    repository under tmp_path. git reads no real user's configuration."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_DIR", raising=False)

    def run(name: str, *args: str) -> Result:
        monkeypatch.setenv("POLICYTRACK_ANALYST", name)
        return cli("--db", str(tmp_path / f"{name}.db"), *args)

    return run


def write_db(db: Path, *statements: str) -> None:
    """Change a database behind policytrack's back (as another tool, or damage, would), committed and
    checkpointed so the next command reads it from the main file."""
    conn = sqlite3.connect(db)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def ok(result: Result) -> str:
    """A command's stdout, once it is known to have succeeded (its stderr shown if not)."""
    assert result.exit_code == 0, result.stderr
    return result.stdout


def cffconvert() -> str | None:
    """cffconvert, which pins jsonschema<4 against frictionless, so it cannot share the test venv: `.ci/run`
    installs it in a venv of its own and names it in POLICYTRACK_CFFCONVERT; else one on the PATH."""
    named = os.environ.get("POLICYTRACK_CFFCONVERT")
    if named and Path(named).is_file():
        return named
    return shutil.which("cffconvert")


CFFCONVERT_MISSING = (
    "cffconvert is not installed: it pins jsonschema<4 against frictionless, so `.ci/run` installs it in a "
    "venv of its own; do the same and set POLICYTRACK_CFFCONVERT to its cffconvert"
)
