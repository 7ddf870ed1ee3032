"""Hostile stored text is shown literally in every output: no raw control characters reach the terminal,
nothing is read as rich markup, and no stored text becomes a link in the HTML report."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from conftest import Invoke, SeededDb
from policytrack.render.text import literal, visible

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# (stored, as displayed): each class of control character, and text that must pass unchanged
VISIBLE_CASES = [
    ("\x1b[2J", "\\x1b[2J"),
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
    ("a\x9b31mb", "a\\x9b31mb"),
    ("\x00\x01\x08\x0b\x0c\r\x1f", "\\x00\\x01\\x08\\x0b\\x0c\\x0d\\x1f"),
    ("del\x7f", "del\\x7f"),
    ("\x80\x85\x9f", "\\x80\\x85\\x9f"),
    ("abc\u202edef\u2066x\u2069", "abc\\u202edef\\u2066x\\u2069"),
    ("non\ufffechar\uffff \ufdd0 \U0010ffff", "non\\ufffechar\\uffff \\ufdd0 \\U0010ffff"),
    ("line one\nline two\tafter a tab", "line one\nline two\tafter a tab"),
    ("Goïta said [in French] that the AES [sic] would stand", None),
    ("[/red] x [bold red]FAKE[/] [link=javascript:alert(1)]c[/link] :warning: \\[", None),
    ("Zürich, Ségou, 中国, العربية, emoji 🙂, nbsp\u00a0, ZWJ\u200d, £\u00ff", None),
    ("", None),
]


@pytest.mark.parametrize(("stored", "shown"), VISIBLE_CASES)
def test_visible(stored: str, shown: str | None) -> None:
    assert visible(stored) == (stored if shown is None else shown)
    assert not RAW.search(visible(stored))


def test_literal_is_never_markup() -> None:
    text = literal("[bold red]FAKE[/] [/red] \x1b[2J", style="dim")
    assert text.plain == "[bold red]FAKE[/] [/red] \\x1b[2J" and not text.spans
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(text)
    assert out.getvalue() == "[bold red]FAKE[/] [/red] \\x1b[2J\n"


# Each value is short enough not to be wrapped in a 120-column table.
SUMMARIES = [
    "Goïta said [in French] x",
    "the AES [sic] would stand",
    "[/red] x",
    "[bold red]FAKE[/]",
    "[link=javascript:alert(1)]c[/link]",
    "clear \x1b[2J here",
    "title \x1b]0;t\x07 set",
    "csi \x9b31m red",
    "<script>alert(1)</script>",
]
SHOWN = [
    "[in French]",
    "[sic]",
    "[/red] x",
    "[bold red]FAKE[/]",
    "[link=javascript:alert(1)]c[/link]",
    "\\x1b[2J",
    "\\x1b]0;t\\x07",
    "\\x9b31m",
]


def assert_safe(result_stdout: str, stderr: str = "") -> None:
    assert "Traceback" not in result_stdout + stderr
    assert "\x1b" not in result_stdout and "\x07" not in result_stdout and "\x9b" not in result_stdout
    assert not RAW.search(result_stdout.replace("\r\n", "\n"))


LINKS = re.compile(r"""(?:href|src)\s*=\s*["']?([^"'\s>]*)|url\(\s*["']?([^"')]*)""", re.IGNORECASE)


def assert_no_live_link(html: str) -> None:
    """No stored text became a link: the only references are to the page's own elements (an SVG's
    `xlink:href="#id"`), and there is no anchor at all."""
    assert "<a " not in html
    for found in LINKS.finditer(html):
        target = found.group(1) or found.group(2) or ""
        assert target.startswith("#"), found.group(0)


@pytest.fixture
def hostile(
    cli: Invoke, log: Callable[..., int], monkeypatch: pytest.MonkeyPatch, db_path: Path, seeded_db: SeededDb
) -> None:
    def build() -> None:
        for i, summary in enumerate(SUMMARIES):
            log(
                "regional",
                summary,
                "--date",
                f"2024-0{i + 1}-15",
                "--effect",
                "1",
                "--source",
                "src \x1b[2J [/red]",
                "--note",
                "note [sic] \x07",
                "--tag",
                "[b]tag",
                "--actor",
                "[bold red]FAKE[/]",
                "--analyst",
                "an\x1b]0;t\x07",
            )
        # history shows who made each change: here someone whose name holds control characters
        monkeypatch.setenv("POLICYTRACK_ANALYST", "an\x1b]0;t\x07")
        assert cli("edit", "1", "--summary", "Goïta said [in French] y \x9b").exit_code == 0
        monkeypatch.setenv("POLICYTRACK_ANALYST", "tester")
        assert (
            cli("target", "regional", "substantial", "--by", "2027", "--note", "[/red] \x1b[2J").exit_code
            == 0
        )
        # a tag with a control character, as an older release stored it (log refuses one now)
        with sqlite3.connect(db_path) as conn:
            conn.execute("UPDATE entries SET tags = ?", (json.dumps(["[b]tag\x1b"]),))
            conn.execute("UPDATE entry_revisions SET tags = ?", (json.dumps(["[b]tag\x1b"]),))
        conn.close()

    seeded_db("test_hostile_display.hostile", build)


COMMANDS = [
    ("list",),
    ("report", "--explain"),
    ("report", "--explain", "--format", "html"),
    ("report", "--explain", "--by", "quarter", "--format", "html"),
    ("report", "--format", "svg"),
    ("report", "--explain", "--format", "table", "--plain"),
    ("report", "--explain", "--by", "quarter"),
    ("timeline", "regional"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_entries_are_shown_literally(
    cli: Invoke, hostile: None, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # the report's wide layout, with titles, fits whole
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert_safe(out, result.stderr)
    if "svg" in args:  # the charts show dates and effects, no entry's text: safe is what there is to see
        assert "<script>" not in out
        assert_no_live_link(out)
        return
    for shown in SHOWN:
        assert shown in out or shown.replace("[", "&#91;") in out, shown
    if "html" in args:
        assert "&lt;script&gt;" in out and "<script>" not in out
        assert_no_live_link(out)
    else:
        assert "<script>alert(1)</script>" in out
    if args == ("report", "--explain"):  # the key after each title used to be eaten as a markup tag
        assert "[regional]" in out


@pytest.mark.parametrize("command", ["show", "history"])
def test_one_entry_is_shown_literally(cli: Invoke, hostile: None, command: str) -> None:
    for entry_id, summary in enumerate(SUMMARIES, start=1):
        result = cli(command, str(entry_id))
        assert result.exit_code == 0, result.stderr
        assert_safe(result.stdout, result.stderr)
        if entry_id > 1:
            assert visible(summary) in result.stdout
    shown = cli(command, "1").stdout
    assert "[in French]" in shown and "\\x9b" in shown and "an\\x1b]0;t\\x07" in shown
    if command == "show":
        for text in ("src \\x1b[2J [/red]", "[bold red]FAKE[/]", "note [sic] \\x07", "[b]tag\\x1b"):
            assert text in shown


def test_targets_and_markdown(cli: Invoke, hostile: None) -> None:
    targets = cli("targets")
    assert targets.exit_code == 0, targets.stderr
    assert_safe(targets.stdout)
    assert "[/red] \\x1b[2J" in targets.stdout
    for args in (("report", "--format", "markdown"), ("report", "--by", "quarter", "-f", "markdown")):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        assert_safe(result.stdout)


def test_stored_bytes_are_kept_in_json_and_csv(cli: Invoke, hostile: None) -> None:
    listed = cli("list", "--json")
    assert listed.exit_code == 0
    assert "\\u001b[2J" in listed.stdout or "\x1b[2J" in listed.stdout  # JSON escapes, never \\x1b
    assert "\\\\x1b" not in listed.stdout
    exported = cli("list", "--csv")
    assert exported.exit_code == 0
    assert "clear \x1b[2J here" in exported.stdout


HOSTILE_FRAMEWORK = r"""
[framework]
name = "hostile"
title = "Paper [sic] [/red] \u001b[2J"
description = "About [bold red]FAKE[/] and [link=javascript:alert(1)]c[/link] \u0007"
default_status = "none"

[framework.source]
title = "Cited [in French] \u001b]0;t\u0007"
author = "A [/] B"
outlet = "<script>x</script>"
note = "note \u009b2J [i]"

[[scale]]
name = "none"
label = "Nothing [/red]"
percent = 0
description = "desc \u001b[2J [bold]b[/bold]"

[[scale]]
name = "done"
label = "Done [x]"
percent = 100
description = "done"

[[indicators]]
key = "first"
number = 1
kind = "recommendation"
title = "Ind [sic] \u001b[2J [/red] `code` | pipe <b>x</b> [l](javascript:alert(1))"
description = "[link=javascript:alert(1)]c[/link]"
actors = ["[bold red]FAKE[/]", "\u001b]0;t\u0007"]
progress_signals = ["[/red] up \u009b"]
regression_signals = ["[sic] down"]

[indicators.baseline]
summary = "base [/red] \u001b[2J"
source = "bsrc [sic]"

[indicators.target]
level = "done"
by = "2030"
note = "tnote [/red] \u0007"
"""

FRAMEWORK_SHOWN = ["Paper [sic] [/red] \\x1b[2J", "[/red]"]


@pytest.fixture
def hostile_framework(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(HOSTILE_FRAMEWORK, encoding="utf-8")
    result = cli("framework", "add", str(path))
    assert result.exit_code == 0, result.stderr
    logged = cli("log", "first", "ev [sic]", "--framework", "hostile", "--source", "s")
    assert logged.exit_code == 0, logged.stderr


FRAMEWORK_COMMANDS = [
    ("framework", "show", "hostile"),
    ("framework", "list"),
    ("indicators", "--framework", "hostile"),
    ("targets", "--framework", "hostile"),
    ("timeline", "first", "--framework", "hostile"),
    ("list", "--framework", "hostile"),
    ("report", "--framework", "hostile", "--explain"),
    ("report", "--framework", "hostile", "--by", "quarter"),
    ("report", "--framework", "hostile", "-f", "markdown"),
    ("report", "--framework", "hostile", "--by", "year", "-f", "markdown"),
    ("report", "--framework", "hostile", "-f", "html"),
    ("report", "--framework", "hostile", "-f", "svg"),
]


@pytest.mark.parametrize("args", FRAMEWORK_COMMANDS, ids=" ".join)
def test_framework_text_is_shown_literally(
    cli: Invoke, hostile_framework: None, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # the report's wide layout, with titles, fits whole
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert_safe(out, result.stderr)
    if "svg" in args:
        out = out.replace("&#160;", " ")
    title, indicator = "Paper [sic] [/red] \\x1b[2J", "Ind [sic] \\x1b[2J"
    if "markdown" in args:  # markdown's own escapes: a backslash before each character it would read
        md = str.maketrans({c: "\\" + c for c in "\\`*_~&<>[]!"})
        title, indicator = title.translate(md), indicator.translate(md)
    expected = {
        "targets": ["tnote [/red] \\x07"],
        "timeline": [indicator],
        "list": [title],
        "framework": [title],
    }.get(args[0], [title, indicator])
    if "quarter" in args:  # the table by period shows keys, not titles
        expected = [title]
    for text in expected:
        assert text in out, text
    if "html" in args or "svg" in args:
        assert_no_live_link(out)
        assert "<b>" not in out and "<script>" not in out
    if "markdown" in args:
        # the pipe cannot end the cell, the inline link and the HTML tag are escaped, the key stays code
        assert "`code` | pipe" not in out and "\\| pipe" in out
        assert not re.search(r"(?<!\\)\]\(javascript", out), "a live inline link"
        assert "\\<b\\>x\\</b\\>" in out and "(`first`)" in out
    if args[:2] == ("framework", "show"):
        for text in (
            "[bold red]FAKE[/] and [link=javascript:alert(1)]c[/link] \\x07",
            "Cited [in French] \\x1b]0;t\\x07",
            "note \\x9b2J [i]",
            "Nothing [/red]",
            "desc \\x1b[2J [bold]b[/bold]",
            "- p1: [/red] up \\x9b",
            "base [/red] \\x1b[2J (bsrc [sic])",
            "Ind [sic] \\x1b[2J [/red]",
            "[/red] `code` | pipe <b>x</b> [l](javascript:alert(1)) [first]",
        ):
            assert text in out, text


# Fragments an attacker would use, mixed with arbitrary text (no NUL, which is refused at input).
FRAGMENTS = st.sampled_from(
    [
        "[/red]",
        "[bold red]x[/]",
        "[link=javascript:alert(1)]c[/link]",
        "\x1b[2J",
        "\x1b]0;t\x07",
        "\x9b",
        "\x7f",
        "\u202e",
        "[in French]",
        "[sic]",
        "\\",
        ":warning:",
        "[",
        "]",
    ]
)
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00\t\n\r"), max_size=12)
HOSTILE_TEXT = st.lists(st.one_of(FRAGMENTS, ANY_TEXT), min_size=1, max_size=5).map("".join)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(summary=HOSTILE_TEXT, source=HOSTILE_TEXT)
def test_any_text_is_shown_literally(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, summary: str, source: str
) -> None:
    monkeypatch.setenv("COLUMNS", "2000")  # nothing wraps, so each value appears whole
    summary = "S " + summary
    logged = cli("log", "regional", summary, "--source", source, "--note", source, "--allow-duplicate")
    assert logged.exit_code == 0, logged.stderr
    entry_id = logged.stdout.split()[2]
    stored = cli("show", entry_id, "--json")
    assert stored.exit_code == 0
    kept = json.loads(stored.stdout)  # as the input check left it: surrounding whitespace trimmed
    assert kept["summary"].strip() == summary.strip()
    for args in (("show", entry_id), ("history", entry_id), ("list", "--since", "1900")):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        assert_safe(result.stdout, result.stderr)
        assert visible(kept["summary"]).strip() in result.stdout, args
        if kept["source"].strip() and args[0] != "history":
            assert visible(kept["source"]).strip() in result.stdout, args


def test_error_lines_show_control_characters_visibly(cli: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "paper\x07\x1b]0;t\x07.toml"
    result = cli("framework", "add", str(missing))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "\x07" not in result.stderr and "\x1b" not in result.stderr
    assert "paper\\x07\\x1b]0;t\\x07.toml" in result.stderr
