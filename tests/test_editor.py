"""Entries written in $EDITOR (`log INDICATOR` with no summary, `edit ID --editor`), by scripted editors."""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
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
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # forms, and the text kept of abandoned ones
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


def test_a_change_made_while_the_form_is_open_is_not_overwritten(
    cli: Invoke,
    cli_json: InvokeJson,
    log: Log,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log("regional", "AES treaty", "--date", "2024-07-06")
    # while the form is open, a colleague changes the entry from another terminal
    editor(
        tmp_path,
        monkeypatch,
        "import os, subprocess\n"
        "env = {**os.environ, 'POLICYTRACK_ANALYST': 'colleague'}\n"
        "edit = [sys.executable, '-m', 'policytrack', 'edit', '1', '--effect', '2']\n"
        "subprocess.run(edit, env=env, check=True)\n"
        "text = text.replace('summary: AES treaty', 'summary: AES treaty signed')",
    )
    line = refused(cli("edit", "1", "--editor"))
    assert "changed by colleague while the form was open" in line
    entry = cli_json("show", "1", "--json")
    assert (entry["summary"], entry["effect"], entry["revision"]) == ("AES treaty", 2, 2)


def test_only_what_the_form_changed_is_written(
    cli: Invoke, cli_json: InvokeJson, log: Log, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log("regional", "AES treaty", "--date", "2024-07", "--note", "kept")
    editor(tmp_path, monkeypatch, "text = text.replace('summary: AES treaty', 'summary: AES treaty signed')")
    assert cli("edit", "1", "--editor").exit_code == 0
    [rev1, rev2] = cli_json("history", "1", "--json")
    changed = {k for k in rev1["entry"] if rev1["entry"][k] != rev2["entry"][k]}
    assert changed == {"summary", "revision"}


@pytest.mark.parametrize("encoding", ["crlf", "bom", "cr"])
def test_forms_saved_by_other_platforms_editors(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    editor(
        tmp_path,
        monkeypatch,
        "import re\n"
        "text = text.replace('summary:\\n', 'summary: MINUSMA mandate ends\\n')\n"
        "text = re.sub(r'(?m)^date: .*$', 'date: 2023-06-30', text)\n"
        "text = text.replace('note:\\n', 'note: one\\ntwo\\n')\n"
        f"mode = {encoding!r}\n"
        "data = text.replace('\\n', '\\r\\n' if mode == 'crlf' else '\\r' if mode == 'cr' else '\\n')\n"
        "path.write_bytes(('\\ufeff' if mode == 'bom' else '').encode() + data.encode())\n"
        "sys.exit(0)",
    )
    result = cli("log", "diversify")
    assert result.exit_code == 0, result.output
    [entry] = cli_json("list", "--json")
    assert (entry["summary"], entry["note"]) == ("MINUSMA mandate ends", "one\ntwo")


def test_a_mistake_keeps_the_note_and_a_missing_line_is_refused(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(
        tmp_path,
        monkeypatch,
        "import re\n"
        "if calls == 1:\n"
        "    text = text.replace('summary:\\n', 'summary: MINUSMA mandate ends\\n')\n"
        "    text = text.replace('note:\\n', 'note: # error: not one of ours\\n# also the note\\n')\n"
        "    text = re.sub(r'(?m)^effect: .*\\n', '', text)\n"
        "else:\n"
        "    text = text.replace('summary: MINUSMA', 'effect: -1\\nsummary: MINUSMA')\n"
        "    text = re.sub(r'(?m)^date: .*$', 'date: 2023-06-30', text)",
    )
    result = cli("log", "diversify")
    assert result.exit_code == 0, result.output
    assert "# error: the form has no 'effect:' line" in (tmp_path / "forms-2.txt").read_text()
    [entry] = cli_json("list", "--json")
    assert entry["note"] == "# error: not one of ours\n# also the note" and entry["effect"] == -1


def test_what_was_typed_is_kept_when_the_form_is_abandoned(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(
        tmp_path,
        monkeypatch,
        "text = text.replace('summary:\\n', 'summary: long careful text\\n')\n"
        "path.write_text(text)\nsys.exit(1)",
    )
    line = refused(cli("log", "regional"))
    kept = Path(line.split("kept in ")[1].split(")")[0])
    assert kept.parent == tmp_path and "summary: long careful text" in kept.read_text()


def test_options_and_text_the_form_cannot_hold(
    cli: Invoke, log: Log, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log("regional", "line one\nline two", "--date", "2024")
    editor(tmp_path, monkeypatch, "text = text + 'x'")
    before = dump(db_path)
    assert "change it with --summary" in refused(cli("edit", "1", "--editor"))
    # options are checked as with a summary, before the editor opens
    assert "';'" in refused(cli("log", "regional", "--tag", "a;b"))
    assert "invalid effect 7" in refused(cli("log", "regional", "--effect", "7"))
    assert "several lines" in refused(cli("log", "regional", "x", "--tag", "a\nb"))
    assert not (tmp_path / "forms-1.txt").exists()
    assert dump(db_path) == before


def test_the_form_shows_and_takes_the_registered_source_and_outlet(
    cli: Invoke, log: Log, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("wire", "outlet"):
        assert cli("source", "add", key, "--name", key.title()).exit_code == 0
    entry = log("regional", "Treaty signed", "--date", "2024", "--source", "wire", "--via", "outlet")
    # the form shows the key and the outlet; the editor moves the source to outlet, with no outlet
    editor(
        tmp_path,
        monkeypatch,
        "assert 'source_key: wire' in text and 'via: outlet' in text\n"
        "text = text.replace('source_key: wire', 'source_key: outlet').replace('via: outlet', 'via:')",
    )
    assert cli("edit", str(entry), "--editor").exit_code == 0
    shown = json.loads(cli("show", str(entry), "--json").stdout)
    assert (shown["source_key"], shown["via"]) == ("outlet", None)
    # an unknown key is refused with the fix, as `log --source` refuses one, and nothing is written
    editor(tmp_path, monkeypatch, "text = text.replace('source_key: outlet', 'source_key: wyre')")
    before = dump(db_path)
    said = refused(cli("edit", str(entry), "--editor"))
    assert "unknown source_key source 'wyre'; did you mean 'wire'?" in said
    assert "`policytrack source add KEY --name NAME` registers one" in said
    assert dump(db_path) == before
    # log's form takes them too
    editor(
        tmp_path,
        monkeypatch,
        "text = text.replace('summary:', 'summary: New').replace('source_key:', 'source_key: wire')",
    )
    assert cli("log", "regional", "--date", "2024").exit_code == 0
    new = json.loads(cli("list", "--json").stdout)[-1]
    assert (new["summary"], new["source_key"]) == ("New", "wire")
