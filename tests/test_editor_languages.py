"""The `$EDITOR` form's language fields (issue 23, point 5): an entry's language and its translated summary,
read with the same checks as `--language`, `--translation`, `--translation-language` and `--checked`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Invoke, InvokeJson, Log
from test_editor import editor

FILL = (
    "import re\n"
    "def put(name, value):\n"
    "    global text\n"
    "    text = re.sub(r'(?m)^' + name + r':.*$', name + ': ' + value, text, count=1)\n"
    "put('summary', 'Example Ministry statement')\n"
    "put('date', '2024-07-06')\n"
)


def test_log_in_the_editor_with_a_translation(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(
        tmp_path,
        monkeypatch,
        FILL
        + "put('language', 'en')\n"
        + "put('summary_translation', 'Déclaration du ministère')\n"
        + "put('summary_translation_language', 'fr')\n"
        + "put('summary_translation_checked', 'true')\n",
    )
    result = cli("log", "regional")
    assert result.exit_code == 0, result.stderr
    [entry] = cli_json("list", "--json")
    assert (entry["language"], entry["summary_translation"], entry["summary_translation_language"]) == (
        "en",
        "Déclaration du ministère",
        "fr",
    )
    assert entry["summary_translation_checked"] is True
    form = (tmp_path / "forms-1.txt").read_text(encoding="utf-8")
    assert "\nlanguage:\n" in form and "\nsummary_translation_checked: false\n" in form


def test_the_options_fill_the_language_fields(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, FILL)
    result = cli(
        "log", "regional", "--language", "fr", "--translation", "Statement", "--translation-language", "en"
    )
    assert result.exit_code == 0, result.stderr
    form = (tmp_path / "forms-1.txt").read_text(encoding="utf-8")
    assert "\nlanguage: fr\nsummary_translation: Statement\nsummary_translation_language: en\n" in form
    [entry] = cli_json("list", "--json")
    assert (entry["language"], entry["summary_translation"]) == ("fr", "Statement")
    assert entry["summary_translation_checked"] is False


def test_a_translation_without_its_language_reopens_the_form_with_the_fix(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(
        tmp_path,
        monkeypatch,
        FILL
        + "put('summary_translation', 'Déclaration du ministère')\n"
        + "if calls == 2:\n    put('summary_translation_language', 'fr')\n",
    )
    result = cli("log", "regional")
    assert result.exit_code == 0, result.stderr
    second = (tmp_path / "forms-2.txt").read_text(encoding="utf-8")
    assert "# error: a translated summary needs its language" in second
    assert "summary_translation_language" in second.split("\n\n")[0]  # the fix names the form's line
    [entry] = cli_json("list", "--json")
    assert entry["summary_translation_language"] == "fr"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("summary_translation_checked", "maybe", "true or false"),
        ("language", "not a tag!", "language"),
        ("summary_translation_language", "fr", "names no translation"),
    ],
)
def test_a_bad_language_field_is_refused_and_nothing_is_written(
    cli: Invoke,
    cli_json: InvokeJson,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    value: str,
    words: str,
) -> None:
    editor(tmp_path, monkeypatch, FILL + f"put({field!r}, {value!r})\n")
    result = cli("log", "regional")
    assert result.exit_code == 1
    assert words in result.stderr and "Traceback" not in result.stderr
    assert cli_json("list", "--json") == []


def test_edit_in_the_editor_changes_the_translation(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged = cli(
        "log",
        "regional",
        "Example Ministry statement",
        "--date",
        "2024-07-06",
        "--language",
        "en",
        "--translation",
        "Déclaration",
        "--translation-language",
        "fr",
    )
    assert logged.exit_code == 0, logged.stderr
    editor(
        tmp_path,
        monkeypatch,
        FILL.split("put('summary'")[0]
        + "put('summary_translation', 'Déclaration du ministère')\n"
        + "put('summary_translation_checked', 'yes')\n",
    )
    result = cli("edit", "1", "--editor")
    assert result.exit_code == 0, result.stderr
    form = (tmp_path / "forms-1.txt").read_text(encoding="utf-8")
    assert "\nlanguage: en\nsummary_translation: Déclaration\nsummary_translation_language: fr\n" in form
    [entry] = cli_json("list", "--json")
    assert entry["summary_translation"] == "Déclaration du ministère"
    assert entry["summary_translation_checked"] is True and entry["language"] == "en"
    # emptied in the form, the translation goes, and its language with it
    editor(tmp_path, monkeypatch, FILL.split("put('summary'")[0] + "put('summary_translation', '')\n")
    assert cli("edit", "1", "--editor").exit_code == 0
    [entry] = cli_json("list", "--json")
    assert (entry["summary_translation"], entry["summary_translation_language"]) == ("", "")


def test_a_translation_over_several_lines_names_the_option_that_can_change_it(
    cli: Invoke, log: Log, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = log(
        "regional",
        "Example Ministry statement",
        "--date",
        "2024-07-06",
        "--translation",
        "Déclaration\ndu ministère",
        "--translation-language",
        "fr",
    )
    editor(tmp_path, monkeypatch, "pass\n")
    result = cli("edit", str(entry_id), "--editor")
    assert result.exit_code == 1
    assert (
        "--translation instead of the editor" in result.stderr
        and "--summary_translation" not in result.stderr
    )
