"""Registered sources wherever a source is shown: `list --source` and `--grep`, the report's --explain
tables (markdown, HTML), timeline, and the published view and its search."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke


@pytest.fixture
def linked(cli: Invoke, log: Callable[..., int]) -> None:
    for key, name in (("example-ministry", "Example Ministry"), ("wire", "Example Wire Service")):
        assert cli("source", "add", key, "--name", name, "--type", "official").exit_code == 0
    assert cli("source", "edit", "example-ministry", "--url", "https://ministry.example/").exit_code == 0
    assert cli("source", "add", "ministry-old", "--name", "Old Ministry Key").exit_code == 0
    log("regional", "AES treaty signed", "--date", "2024-07-06", "-s", "example-ministry", "--via", "wire")
    log("regional", "Statement on the treaty", "--date", "2024-07-08", "-s", "ministry-old")
    log("regional", "Rumour of a summit", "--date", "2024-07-09", "-s", "a blog post")
    assert cli("source", "merge", "ministry-old", "example-ministry").exit_code == 0


def summaries(cli: Invoke, *args: str) -> list[str]:
    result = cli("list", "--json", *args)
    assert result.exit_code == 0, result.output
    return [e["summary"] for e in json.loads(result.stdout)]


def test_list_by_registered_source(cli: Invoke, linked: None) -> None:
    both = ["AES treaty signed", "Statement on the treaty"]
    assert summaries(cli, "--source", "example-ministry") == both
    assert summaries(cli, "--source", "ministry-old") == both  # merged: the source it went into
    assert summaries(cli, "--source", "wire") == ["AES treaty signed"]  # as the outlet
    assert summaries(cli, "--source", "wire", "--source", "example-ministry") == both
    assert summaries(cli, "--source", "wire", "--grep", "statement") == []
    wrong = cli("list", "--source", "ministri")
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    assert wrong.stderr.count("\n") == 1 and "unknown source 'ministri'" in wrong.stderr
    assert "`policytrack source list`" in wrong.stderr


def test_grep_finds_a_registered_source_by_key_and_name(cli: Invoke, linked: None) -> None:
    both = ["AES treaty signed", "Statement on the treaty"]
    assert summaries(cli, "--grep", "ministry") == both  # the key and the name
    assert summaries(cli, "--grep", "Wire Serv") == ["AES treaty signed"]  # the outlet, by name
    assert summaries(cli, "--grep", "treaty wire") == ["AES treaty signed"]  # text and source together
    assert summaries(cli, "--grep", "blog") == ["Rumour of a summit"]  # free text as before
    assert summaries(cli, "--grep", "nothing-here") == []


def test_the_explain_tables_and_timeline_show_the_registered_source(
    cli: Invoke, linked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = "example-ministry (Example Ministry) via wire (Example Wire Service)"
    for fmt in ("markdown", "html"):
        result = cli("report", "--explain", "-f", fmt, "--as-of", "2024-12-31")
        assert result.exit_code == 0, result.output
        assert shown in re.sub(r"<[^>]+>", "", result.stdout), fmt  # the brief links the source alone
    monkeypatch.setenv("COLUMNS", "160")  # the source column whole beside the reference
    table = cli("timeline", "regional", "--until", "2024-12-31")
    words = " ".join(table.stdout.split())  # the cell wraps
    assert table.exit_code == 0 and "(Example Ministry)" in words and "via wire (Example Wire" in words
    points = json.loads(cli("timeline", "regional", "-f", "json").stdout)
    assert [(p["source_key"], p["via"]) for p in points][:2] == [
        ("example-ministry", "wire"),
        ("example-ministry", None),
    ]


def test_the_published_view_carries_and_finds_registered_sources(
    cli: Invoke, linked: None, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    assert cli("publish", str(out), "--as-of", "2024-12-31").exit_code == 0
    conn = sqlite3.connect(out / "policytrack.db")
    try:
        rows = conn.execute(
            "SELECT summary, source_key, source_name, via, via_name FROM current_entries ORDER BY date"
        ).fetchall()
        assert rows[0] == (
            "AES treaty signed",
            "example-ministry",
            "Example Ministry",
            "wire",
            "Example Wire Service",
        )
        assert rows[2] == ("Rumour of a summit", None, None, None, None)
        metadata = json.loads((out / "metadata.json").read_text())
        table = metadata["databases"]["policytrack"]["tables"]["current_entries"]
        found = conn.execute(
            f"SELECT rowid FROM {table['fts_table']} WHERE {table['fts_table']} MATCH 'wire'"
        ).fetchall()
        assert len(found) == 1
    finally:
        conn.close()
    datasette_app = pytest.importorskip("datasette.app")
    ds = datasette_app.Datasette([str(out / "policytrack.db")], metadata=metadata)

    async def fetch(path: str) -> Any:
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        return response.json()

    by_name = asyncio.run(fetch("/policytrack/current_entries.json?_search=Ministry&_shape=array"))
    assert sorted(r["summary"] for r in by_name) == ["AES treaty signed", "Statement on the treaty"]


def test_terminal_tables_show_key_and_name_and_the_brief_links_http_urls(
    cli: Invoke, linked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    for args in (["list"], ["show", "1"], ["report", "--explain", "--as-of", "2024-12-31"]):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
        words = " ".join(result.stdout.split())
        assert "example-ministry (Example Ministry) via wire (Example Wire Service)" in words, args
    html = cli("report", "--explain", "-f", "html", "--as-of", "2024-12-31").stdout
    assert (
        '<a href="https://ministry.example/" rel="noopener noreferrer">example-ministry (Example Ministry)'
        in html
    )
    # a free-text source that is not a URL links nowhere, and no registered source without an http(s) URL does
    assert html.count("<a href=") == 2  # both entries of example-ministry (one through its merged key)


def test_export_grep_finds_a_registered_source_as_list_grep_does(cli: Invoke, linked: None) -> None:
    for words in ("ministry", "Wire Serv", "treaty wire", "blog", "nothing-here"):
        listed = summaries(cli, "--grep", words)
        exported = cli("export", "entries", "-f", "json", "--grep", words)
        assert exported.exit_code == 0, exported.stderr
        assert [e["summary"] for e in json.loads(exported.stdout)] == listed, words
    assert summaries(cli, "--grep", "Wire Serv") == ["AES treaty signed"]
