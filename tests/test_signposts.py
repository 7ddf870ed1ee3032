"""Signposts: signals with keys (tables, or the old text lists numbered by place), `log --signal`, the
`signposts` command, the report's header and --explain, and keys surviving exports and framework updates."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import typer

from conftest import Invoke, InvokeJson, Log
from policytrack.cli.app import app
from policytrack.core.errors import FrameworkError
from policytrack.domain.frameworks.parse import parse_framework

OLD_STYLE = """
[framework]
name = "example"
title = "Example Ministry commitments"
[framework.source]
title = "A fictional plan"

[[scale]]
name = "none"
percent = 0
[[scale]]
name = "done"
percent = 100

[[indicators]]
key = "audit"
number = 1
title = "Publish the audit"
description = "The Example Ministry publishes its audit."
progress_signals = ["A draft is circulated", "The audit office signs off"]
regression_signals = ["The audit is postponed"]
"""


def framework_file(tmp_path: Path, text: str = OLD_STYLE) -> Path:
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    return path


def entry_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    finally:
        conn.close()


def test_shipped_frameworks_have_keyed_signals(cli_json: InvokeJson) -> None:
    rows = cli_json("signposts", "regional", "--json")
    assert [r["signal"] for r in rows] == [
        "regional-agreements",
        "several-powers",
        "regional-withdrawal",
        "one-partner",
    ]
    assert {r["state"] for r in rows} == {"awaited"}
    assert [r["direction"] for r in rows] == ["progress", "progress", "regression", "regression"]


def test_log_signal_then_signposts(cli: Invoke, cli_json: InvokeJson, log: Log) -> None:
    first = log(
        "regional",
        "Mali, Burkina Faso and Niger sign the AES treaty in Niamey",
        "--date",
        "2024-07-06",
        "--source",
        "AES treaty, Niamey, 6 Jul 2024",
        "--signal",
        "regional-agreements",
    )
    second = log(
        "regional",
        "A later step",
        "--date",
        "2024-09",
        "--signal",
        "regional-agreements",
        "--signal",
        "one-partner",
    )
    log("regional", "Unrelated context", "--date", "2024-08-01")
    rows = {r["signal"]: r for r in cli_json("signposts", "regional", "--json")}
    seen = rows["regional-agreements"]
    assert seen["state"] == "observed"
    assert (seen["first"], seen["last"]) == ("2024-07-06", "2024-09")
    assert seen["entries"] == [str(first), str(second)]
    assert seen["sources"] == ["AES treaty, Niamey, 6 Jul 2024"]
    assert rows["one-partner"]["entries"] == [str(second)]
    assert rows["several-powers"]["state"] == "awaited" and rows["several-powers"]["first"] is None
    # a window leaves out what was observed outside it
    windowed = {r["signal"]: r for r in cli_json("signposts", "regional", "--since", "2024-08", "--json")}
    assert windowed["regional-agreements"]["entries"] == [str(second)]
    # the entry keeps its signals; deleting it takes its observation away
    assert cli_json("show", str(second), "--json")["signals"] == ["regional-agreements", "one-partner"]
    assert cli("delete", str(second), "--force").exit_code == 0
    rows = {r["signal"]: r for r in cli_json("signposts", "--json")}
    assert rows["one-partner"]["state"] == "awaited"
    table = cli("signposts")
    assert table.exit_code == 0 and "mali-china-security: signposts: 1 of 22 signals observed" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--signal", "nope"], "indicator 'regional' has no signal 'nope'; its signals: regional-agreements"),
        (["--signal", "oversight-agreement"], "has no signal 'oversight-agreement'"),  # another indicator's
        (["--signal", ""], "has no signal ''"),
    ],
)
def test_unknown_signal_writes_nothing(cli: Invoke, db_path: Path, args: list[str], message: str) -> None:
    assert cli("list").exit_code == 0
    result = cli("log", "regional", "Something", *args)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert "policytrack signposts regional" in result.stderr
    assert entry_count(db_path) == 0


def test_report_header_counts_and_explain_lists_signposts(cli: Invoke, log: Log) -> None:
    log("regional", "Treaty", "--date", "2024-07-06", "--signal", "regional-agreements")
    log("diversify", "Withdrawal", "--date", "2022-08-15", "--signal", "partner-withdrawn")
    md = cli("report", "--format", "markdown", "--as-of", "2024-12-31")
    assert md.exit_code == 0
    assert "signposts: 2 of 22 signals observed (1 progress, 1 regression)" in md.stdout
    windowed = cli("report", "--format", "markdown", "--since", "2024-01-01", "--as-of", "2024-12-31")
    assert "signposts: 1 of 22 signals observed" in windowed.stdout
    explained = cli("report", "--explain", "-i", "regional", "--as-of", "2024-12-31")
    assert explained.exit_code == 0
    assert "Signposts of regional: 1 of 4 signals observed" in explained.stdout
    assert "awaited" in explained.stdout and "observed" in explained.stdout


def test_old_list_form_keeps_loading_and_updating(cli: Invoke, cli_json: InvokeJson, tmp_path: Path) -> None:
    path = framework_file(tmp_path)
    assert cli("framework", "add", str(path)).exit_code == 0
    rows = cli_json("signposts", "-F", "example", "--json")
    assert [(r["signal"], r["text"]) for r in rows] == [
        ("p1", "A draft is circulated"),
        ("p2", "The audit office signs off"),
        ("r1", "The audit is postponed"),
    ]
    logged = cli("log", "audit", "Draft seen", "-F", "example", "--date", "2025-03-01", "--signal", "p1")
    assert logged.exit_code == 0, logged.stderr
    # an update in the old form (a text changed) keeps the keys by place
    path.write_text(
        OLD_STYLE.replace("A draft is circulated", "A draft audit is circulated"), encoding="utf-8"
    )
    updated = cli("framework", "add", str(path), "--update")
    assert updated.exit_code == 0, updated.stderr
    # moving to tables: the used key must stay; a new kind and a new signal are fine
    tables = OLD_STYLE.replace(
        'progress_signals = ["A draft is circulated", "The audit office signs off"]',
        'progress_signals = [\n  { key = "p1", text = "A draft is circulated", kind = "leading" },\n'
        '  { key = "sign-off", text = "The audit office signs off", kind = "confirming" },\n]',
    )
    path.write_text(tables, encoding="utf-8")
    assert cli("framework", "add", str(path), "--update").exit_code == 0
    rows = cli_json("signposts", "-F", "example", "--json")
    assert [(r["signal"], r["kind"], r["state"]) for r in rows] == [
        ("p1", "leading", "observed"),
        ("sign-off", "confirming", "awaited"),
        ("r1", None, "awaited"),
    ]
    # dropping the observed signal would orphan the entry: refused, nothing changed
    path.write_text(tables.replace('key = "p1"', 'key = "draft"'), encoding="utf-8")
    refused = cli("framework", "add", str(path), "--update")
    assert refused.exit_code == 1 and "cannot drop signal audit:p1" in refused.stderr
    assert cli_json("signposts", "-F", "example", "--json")[0]["signal"] == "p1"


def test_database_from_before_keys_numbers_stored_signals(
    cli: Invoke, cli_json: InvokeJson, db_path: Path
) -> None:
    """A database whose framework was stored before signal keys (its signals column '[]') still offers
    p1, r1... from the stored text lists."""
    assert cli("list").exit_code == 0
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE indicators SET signals = '[]'")
    conn.commit()
    conn.close()
    rows = cli_json("signposts", "regional", "--json")
    assert [r["signal"] for r in rows] == ["p1", "p2", "r1", "r2"]
    assert cli("log", "regional", "x", "--signal", "r2").exit_code == 0


@pytest.mark.parametrize(
    ("signals", "message"),
    [
        ('[{ key = "a", text = "x" }, { key = "a", text = "y" }]', "signal key a appears twice"),
        ('["x", { key = "p1", text = "y" }]', "signal key p1 appears twice"),
        ('[{ key = "a", text = "x", kind = "lagging" }]', "signal kind 'lagging' must be one of leading"),
        ('[{ key = "A b", text = "x" }]', "signal key 'A b' must be lower-case"),
        ('[{ key = "a", text = "x", colour = "red" }]', "unknown key 'colour'"),
        ('[{ key = "a" }]', "missing 'text'"),
        ("[1]", "must hold text or tables"),
        ('"one"', "must be a list"),
    ],
)
def test_bad_signal_tables(signals: str, message: str) -> None:
    text = OLD_STYLE.replace(
        'progress_signals = ["A draft is circulated", "The audit office signs off"]',
        f"progress_signals = {signals}",
    )
    with pytest.raises(FrameworkError, match=message.replace("(", r"\(")):
        parse_framework(text, Path("example.toml"))


def test_signals_travel_through_export_and_import(cli: Invoke, log: Log, tmp_path: Path) -> None:
    log("regional", "Treaty", "--date", "2024-07-06", "--signal", "regional-agreements")
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"e.{fmt}"
        assert cli("export", "entries", "-f", fmt, "-o", str(out)).exit_code == 0
        other = tmp_path / f"other-{fmt}.db"
        assert cli("--db", str(other), "import", str(out)).exit_code == 0
        (row,) = json.loads(cli("--db", str(other), "list", "--json").stdout)
        assert row["signals"] == ["regional-agreements"]
    merged = tmp_path / "merged.db"
    assert cli("--db", str(merged), "import", str(tmp_path / "policytrack.db")).exit_code == 0
    (row,) = json.loads(cli("--db", str(merged), "list", "--json").stdout)
    assert row["signals"] == ["regional-agreements"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"indicator": "regional", "date": "2024", "summary": "x", "signals": ["nope"]}) + "\n"
    )
    result = cli("import", str(bad))
    assert result.exit_code == 1 and "has no signal 'nope'" in result.stderr


def test_completion_offers_the_indicators_signals(cli: Invoke) -> None:
    from policytrack.cli.common import complete_signal

    assert cli("list").exit_code == 0
    ctx = typer.Context(typer.main.get_command(app))
    ctx.params["indicator"] = "regional"
    assert complete_signal(ctx, "") == [
        "regional-agreements",
        "several-powers",
        "regional-withdrawal",
        "one-partner",
    ]
    assert complete_signal(ctx, "reg") == ["regional-agreements", "regional-withdrawal"]


def test_log_signal_names_one_indicator_of_an_event(cli: Invoke, cli_json: InvokeJson, db_path: Path) -> None:
    logged = cli("log", "regional,diversify", "Mali, Burkina Faso and Niger sign the AES treaty in Niamey",
                 "--date", "2024-07-06", "--signal", "regional=regional-agreements",
                 "--signal", "diversify=several-investors")  # fmt: skip
    assert logged.exit_code == 0, logged.stderr
    signals = {e["indicator"]: e["signals"] for e in cli_json("list", "--json")}
    assert signals == {"regional": ["regional-agreements"], "diversify": ["several-investors"]}
    observed = {r["signal"] for r in cli_json("signposts", "diversify", "--json") if r["state"] == "observed"}
    assert observed == {"several-investors"}
    # a signal of one indicator named for the other, or an indicator the event does not name: nothing logged
    before = db_path.read_bytes()
    for bad in ("diversify=regional-agreements", "civilian-led=p1", "regional-agreements"):
        refused = cli("log", "regional,diversify", "Another event", "--date", "2024-07-07", "--signal", bad)
        assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1, (bad, refused.output)
        assert "Traceback" not in refused.output
    assert db_path.read_bytes() == before
    assert len(cli_json("list", "--json")) == 2
    # on one indicator, KEY=SIGNAL names it too
    one = cli("log", "regional", "Later step", "--date", "2024-09", "--signal", "regional=one-partner")
    assert one.exit_code == 0, one.stderr


def test_edit_adds_and_removes_signals_as_a_revision(cli: Invoke, cli_json: InvokeJson, log: Log) -> None:
    entry = log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    added = cli("edit", str(entry), "--add-signal", "regional-agreements", "--add-signal", "one-partner")
    assert added.exit_code == 0, added.stderr
    assert cli_json("show", str(entry), "--json")["signals"] == ["regional-agreements", "one-partner"]
    rows = {r["signal"]: r for r in cli_json("signposts", "regional", "--json")}
    assert rows["regional-agreements"]["entries"] == [str(entry)]
    removed = cli("edit", str(entry), "--remove-signal", "one-partner")
    assert removed.exit_code == 0, removed.stderr
    assert cli_json("show", str(entry), "--json")["signals"] == ["regional-agreements"]
    history = cli("history", str(entry))
    assert history.exit_code == 0 and "one-partner" in history.stdout
    assert [r["revision"] for r in cli_json("history", str(entry), "--json")] == [1, 2, 3]
    # a signal the indicator does not have, or one the entry does not observe: one line, nothing changed
    for args in (["--add-signal", "several-investors"], ["--remove-signal", "one-partner"]):
        refused = cli("edit", str(entry), *args)
        assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1, refused.output
    assert cli_json("show", str(entry), "--json")["signals"] == ["regional-agreements"]
    # undo takes the change back like any edit
    assert cli("undo", "--yes").exit_code == 0
    assert cli_json("show", str(entry), "--json")["signals"] == ["regional-agreements", "one-partner"]
