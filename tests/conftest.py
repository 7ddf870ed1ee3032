"""Every test gets its own database through POLICYTRACK_DB, so no test can touch a real user's data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from policytrack.cli import app


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "policytrack.db"
    monkeypatch.setenv("POLICYTRACK_DB", str(db))
    monkeypatch.setenv("POLICYTRACK_ANALYST", "tester")
    monkeypatch.delenv("POLICYTRACK_FRAMEWORK", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return db


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    return isolated_env


Invoke = Callable[..., Result]


@pytest.fixture
def cli() -> Invoke:
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def log(cli: Invoke) -> Callable[..., int]:
    """`policytrack log ARGS...`, asserting it succeeded; returns the new entry's id."""

    def invoke(*args: str) -> int:
        result = cli("log", *args)
        assert result.exit_code == 0, result.stderr
        return int(result.stdout.split()[2])

    return invoke


@pytest.fixture
def cli_json(cli: Invoke) -> Callable[..., Any]:
    def invoke(*args: str) -> Any:
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    return invoke
