"""The config file: precedence (option > environment > config > default), the config command, and bad files
named with their line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# -- a value `config set` would write but its own reader refuses --------------------------------------


CONTROL = ["\x01", "\x1b[2J", "\x7f", "\n", "\t", "\x85"]


@pytest.mark.parametrize("key", ["analyst", "framework", "db"])
@pytest.mark.parametrize("control", CONTROL)
def test_set_refuses_a_control_character(cli: Invoke, config: Path, key: str, control: str) -> None:
    result = cli("config", "set", key, f"a{control}b")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and f"{key} holds a control character" in line
    assert line.endswith(f"or remove it (`policytrack config unset {key}`)")
    assert not config.exists()
    assert cli("list").exit_code == 0  # nothing was written, so every command still works


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(min_size=1, max_size=12))
def test_set_writes_only_what_the_reader_reads_back(cli: Invoke, config: Path, value: str) -> None:
    """Whatever `config set` accepts, the reader (every command) reads back as it was given."""
    from policytrack.core.config import read_config

    config.unlink(missing_ok=True)
    result = cli("config", "set", "analyst", value)
    if result.exit_code != 0:
        assert result.exit_code in (1, 2) and not config.exists()
        return
    assert read_config(config)["analyst"] == value


@pytest.mark.parametrize(
    "stored",
    [
        'analyst = "a\\u0001b"\n',  # escaped: valid TOML, a value the reader refuses
        'analyst = "a\x7fb"\n',  # raw, as an earlier version wrote it: not TOML at all
    ],
)
def test_a_file_holding_a_bad_value_can_still_be_repaired(cli: Invoke, config: Path, stored: str) -> None:
    config.write_text(stored + "stale_days = 30\n", encoding="utf-8")
    failed = cli("list")
    assert failed.exit_code == 1
    line = failed.stderr.strip()
    assert f"{config}:1: analyst" in line and "`policytrack config unset analyst`" in line
    listed = cli("config", "list")
    assert listed.exit_code == 0
    assert "stale_days = 30" in listed.stdout and "analyst = (unreadable" in listed.stdout
    assert listed.stderr.strip().endswith("or remove it (`policytrack config unset analyst`)")
    assert cli("config", "get", "stale_days").stdout == "30\n"
    assert "config unset analyst" in cli("config", "get", "analyst").stderr
    other = cli("config", "set", "color", "false")  # would drop the bad line unseen: refused, named
    assert other.exit_code == 1 and "analyst" in other.stderr
    assert config.read_text(encoding="utf-8") == stored + "stale_days = 30\n"
    assert cli("config", "unset", "analyst").exit_code == 0
    assert cli("list").exit_code == 0
    assert cli("config", "get", "stale_days").stdout == "30\n"
    config.write_text(stored, encoding="utf-8")
    assert cli("config", "set", "analyst", "Ama").exit_code == 0  # or replace it
    assert cli("config", "get", "analyst").stdout == "Ama\n"
