"""Entries written in $EDITOR (`log INDICATOR` with no summary, `edit ID --editor`), by scripted editors."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Invoke, InvokeJson, Log
from policytrack.cli.editor import FIELDS, MAX_TRIES, form_text, parse_form
from test_hostile_cli import dump, refused


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """Set EDITOR to a Python script whose `body` edits `text` (the form) and may use `calls` (1, 2, ...);
    every form it is shown is kept in forms-N.txt beside it."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\n"
        "path = Path(sys.argv[1])\nhere = Path(__file__).parent\n"
        "calls = len(list(here.glob('forms-*.txt'))) + 1\n"
        "text = path.read_text(encoding='utf-8')\n"
        "(here / f'forms-{calls}.txt').write_text(text, encoding='utf-8')\n"
        + body
        + "\npath.write_text(text, encoding='utf-8')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    return tmp_path


def test_log_in_the_editor(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(
        tmp_path,
        monkeypatch,
        "import re\n"
        "text = text.replace('summary:\\n', 'summary: AES treaty signed in Niamey\\n')\n"
        "text = re.sub(r'(?m)^date: .*$', 'date: 2024-07-06', text)\n"
        "text = text.replace('tags:\\n', 'tags: treaty; AES\\n')\n"
        "text = text.replace('note:\\n', 'note: first line\\n# kept: below note everything is the note\\n')",
    )
    result = cli("log", "regional", "--effect", "1", "--grade", "A1")
    assert result.exit_code == 0, result.output
    [entry] = cli_json("list", "--json")
    assert entry["summary"] == "AES treaty signed in Niamey"
    assert (entry["date"], entry["effect"], entry["grade"]) == ("2024-07-06", 1, "A1")
    assert entry["tags"] == ["treaty", "AES"]
    assert entry["note"] == "first line\n# kept: below note everything is the note"
    form = (tmp_path / "forms-1.txt").read_text()
    assert "New entry for 5. " in form and "[regional]" in form and "effect: +1" in form


def test_a_mistake_reopens_the_form_with_the_message(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(
        tmp_path,
        monkeypatch,
        "import re\n"
        "text = text.replace('summary:\\n', 'summary: MINUSMA mandate ends\\n')\n"
        "good = '2023-06-30' if calls == 2 else '2099-01-01'\n"
        "text = re.sub(r'(?m)^date: .*$', 'date: ' + good, text)",
    )
    result = cli("log", "diversify")
    assert result.exit_code == 0, result.output
    second = (tmp_path / "forms-2.txt").read_text()
    assert "# error: date: " in second and "in the future" in second
    assert "summary: MINUSMA mandate ends" in second  # what was typed is kept
    [entry] = cli_json("list", "--json")
    assert entry["date"] == "2023-06-30"


def test_edit_in_the_editor(
    cli: Invoke, cli_json: InvokeJson, log: Log, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log("regional", "AES treaty", "--date", "2024-07-06", "--tag", "old", "--grade", "B2")
    editor(
        tmp_path,
        monkeypatch,
        "text = text.replace('summary: AES treaty', 'summary: AES treaty signed in Niamey')"
        ".replace('tags: old', 'tags: treaty').replace('grade: B2', 'grade:')",
    )
    result = cli("edit", "1", "--editor")
    assert result.exit_code == 0, result.output
    entry = cli_json("show", "1", "--json")
    assert (entry["summary"], entry["tags"], entry["grade"], entry["revision"]) == (
        "AES treaty signed in Niamey",
        ["treaty"],
        None,
        2,
    )
    assert "Entry 1 (regional), revision 1" in (tmp_path / "forms-1.txt").read_text()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("text = ''", "saved empty"),
        ("pass", "saved unchanged"),
        ("sys.exit(3)", "exited with status 3"),
        (
            "import re\n"
            "text = re.sub(r'(?m)^summary:.*$', 'summary: AES ' + str(calls), text)\n"
            "text = re.sub(r'(?m)^effect: .*$', 'effect: lots', text)",
            f"still wrong after {MAX_TRIES} tries",
        ),
    ],
)
def test_abandoned_forms_write_nothing(
    cli: Invoke,
    log: Log,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    body: str,
    words: str,
) -> None:
    log("regional", "AES treaty", "--date", "2024-07-06")
    before = dump(db_path)
    editor(tmp_path, monkeypatch, body)
    assert words in refused(cli("edit", "1", "--editor"))
    assert dump(db_path) == before
    assert words in refused(cli("log", "regional"))
    assert dump(db_path) == before


def test_editor_problems_are_one_line(
    cli: Invoke, log: Log, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log("regional", "AES treaty", "--date", "2024-07-06")
    before = dump(db_path)
    # no editor and no terminal: say how to give the summary instead of waiting
    assert "set $EDITOR" in refused(cli("log", "regional"))
    monkeypatch.setenv("EDITOR", "no-such-editor-here")
    assert "cannot start the editor 'no-such-editor-here'" in refused(cli("log", "regional"))
    monkeypatch.setenv("VISUAL", "vim '")
    assert "$VISUAL" in refused(cli("edit", "1", "--editor"))
    # an unknown indicator is said before any editor opens
    assert "regionall" in refused(cli("log", "regionall"))
    assert "--editor changes the entry in a form" in refused(cli("edit", "1", "--editor", "--effect", "1"), 2)
    assert dump(db_path) == before


LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Zs")), max_size=30)


@given(values=st.fixed_dictionaries(dict.fromkeys(FIELDS[:-1], LINE)), note=st.lists(LINE, max_size=4))
def test_a_form_reads_back_what_it_shows(values: dict[str, str], note: list[str]) -> None:
    text = "\n".join(note).strip("\n")
    parsed = parse_form(form_text({**values, "note": text}, "heading"))
    assert parsed == {**values, "note": text}
