"""The config file: precedence (option > environment > config > default), the config command, and bad files
named with their line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import Invoke


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = Path(os.environ["POLICYTRACK_CONFIG"])
    assert path.parent == tmp_path  # the autouse fixture keeps every test away from a real config
    return path


def analyst_of(cli: Invoke, entry_id: int) -> str:
    return str(json.loads(cli("show", str(entry_id), "--json").stdout)["analyst"])


def test_analyst_precedence(cli: Invoke, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYTRACK_ANALYST")
    assert cli("config", "set", "analyst", "from config").exit_code == 0
    assert cli("log", "regional", "a", "--date", "2024").exit_code == 0
    assert analyst_of(cli, 1) == "from config"
    monkeypatch.setenv("POLICYTRACK_ANALYST", "from env")
    assert cli("log", "regional", "b", "--date", "2024").exit_code == 0
    assert analyst_of(cli, 2) == "from env"
    assert cli("log", "regional", "c", "--date", "2024", "--analyst", "from option").exit_code == 0
    assert analyst_of(cli, 3) == "from option"


def test_database_precedence(
    cli: Invoke, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = tmp_path / "configured.db"
    assert cli("config", "set", "db", str(configured)).exit_code == 0
    assert cli("db", "path").stdout.strip() == os.environ["POLICYTRACK_DB"]  # the environment wins
    monkeypatch.delenv("POLICYTRACK_DB")
    assert cli("db", "path").stdout.strip() == str(configured)
    assert cli("--db", str(tmp_path / "option.db"), "db", "path").stdout.strip() == str(
        tmp_path / "option.db"
    )


def test_framework_stale_days_and_date_order(cli: Invoke, config: Path) -> None:
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    assert cli("config", "set", "framework", "mali-china-risks").exit_code == 0
    assert "debt" in cli("indicators").stdout
    assert cli("config", "unset", "framework").exit_code == 0
    assert "regional" in cli("indicators").stdout
    assert cli("log", "regional", "x", "--date", "01/02/2024").exit_code == 1  # ambiguous without an order
    assert cli("config", "set", "date_order", "dayfirst").exit_code == 0
    assert cli("log", "regional", "x", "--date", "01/02/2024").stdout.endswith("dated 2024-02-01\n")
    assert cli("log", "regional", "y", "--date", "01/02/2024", "--monthfirst").stdout.endswith("2024-01-02\n")
    assert cli("config", "set", "stale_days", "30").exit_code == 0
    report = json.loads(cli("report", "--json", "--as-of", "2024-06-30").stdout)
    assert {r["key"]: r["stale"] for r in report}["regional"] is True  # 150 days, over the configured 30
    report = json.loads(cli("report", "--json", "--as-of", "2024-06-30", "--stale-days", "180").stdout)
    assert {r["key"]: r["stale"] for r in report}["regional"] is False


def test_config_command(cli: Invoke, config: Path) -> None:
    assert cli("config", "path").stdout.strip() == str(config)
    assert cli("config", "get", "analyst").exit_code == 1
    assert cli("config", "set", "color", "false").exit_code == 0
    assert cli("config", "get", "color").stdout == "false\n"
    listed = cli("config", "list").stdout
    assert "color = false" in listed and "db = -" in listed
    assert config.read_text().count("color = false") == 1
    for args, message in (
        (["set", "nope", "1"], "unknown config key 'nope'"),
        (["set", "stale_days", "x"], "stale_days must be a whole number"),
        (["set", "stale_days", "0"], "stale_days must be a whole number"),
        (["set", "date_order", "yearfirst"], "dayfirst or monthfirst"),
        (["set", "color", "maybe"], "true or false"),
        (["set", "analyst", " "], "non-empty text"),
    ):
        result = cli("config", *args)
        assert result.exit_code == 1 and message in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('analyst = "a"\nbogus = 1\n', ":2: unknown config key 'bogus'"),
        ("stale_days = -3\n", ":1: stale_days must be"),
        ('color = "no"\n', ":1: color must be true or false"),
        ("analyst = [1\n", "is not valid TOML"),
        ("a = " + "[" * 30_000, "is not valid TOML"),
        ("#" + "x" * 70_000, "not a small regular file"),
    ],
)
def test_bad_config_files_are_named_with_their_line(
    cli: Invoke, config: Path, text: str, message: str
) -> None:
    config.write_text(text)
    result = cli("list")
    assert result.exit_code == 1 and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output


def test_a_config_that_is_a_fifo_is_refused_without_blocking(cli: Invoke, config: Path) -> None:
    os.mkfifo(config)
    result = cli("list")
    assert result.exit_code == 1 and "not a small regular file" in result.stderr
