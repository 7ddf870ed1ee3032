"""Evidence in its own language (issue 23, point 5): an entry's and a source's language, and a translated
summary beside the original, through the command line, export and import, and sync."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke

LOG = ("log", "regional", "Example Ministry statement", "--date", "2024-07-06")


def _only(cli: Invoke) -> dict[str, object]:
    (entry,) = json.loads(cli("list", "--json").stdout)
    return dict(entry)


def test_a_new_entry_is_und_unless_the_config_or_an_option_says(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(*LOG).exit_code == 0
    assert _only(cli)["language"] == "und"
    assert cli("config", "set", "language", "fr").exit_code == 0
    assert cli("log", "regional", "Second statement", "--date", "2024-07-07").exit_code == 0
    assert cli("log", "regional", "Third", "--date", "2024-07-08", "--language", "EN-gb").exit_code == 0
    found = {e["summary"]: e["language"] for e in json.loads(cli("list", "--json").stdout)}
    assert found == {"Example Ministry statement": "und", "Second statement": "fr", "Third": "en-gb"}


def test_a_translation_is_kept_beside_the_original_and_checked_on_request(cli: Invoke) -> None:
    result = cli(
        *LOG,
        "--language",
        "fr",
        "--translation",
        "Déclaration du ministère",
        "--translation-language",
        "fr-FR",
    )
    assert result.exit_code == 0, result.stderr
    entry = _only(cli)
    assert entry["summary"] == "Example Ministry statement"
    assert (entry["summary_translation"], entry["summary_translation_language"]) == (
        "Déclaration du ministère",
        "fr-FR",
    )
    assert entry["summary_translation_checked"] is False
    assert cli("edit", "1", "--checked").exit_code == 0
    assert _only(cli)["summary_translation_checked"] is True
    # a new summary unchecks the translation; removing the translation removes its language
    assert cli("edit", "1", "--summary", "Example Ministry statement, corrected").exit_code == 0
    assert _only(cli)["summary_translation_checked"] is False
    assert cli("edit", "1", "--translation", "").exit_code == 0
    entry = _only(cli)
    assert (entry["summary_translation"], entry["summary_translation_language"]) == ("", "")
    history = json.loads(cli("history", "1", "--json").stdout)
    assert history[0]["entry"]["summary_translation"] == "Déclaration du ministère"


@pytest.mark.parametrize(
    "args",
    [
        ("--language", "french"),
        ("--language", "f"),
        ("--language", "fr_FR"),
        ("--language", "fr-"),
        ("--translation", "Texte", "--translation-language", "x1"),
    ],
)
def test_a_bad_tag_is_one_line_ending_with_the_fix_and_nothing_written(
    cli: Invoke, args: tuple[str, ...]
) -> None:
    result = cli(*LOG, *args)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.rstrip().endswith("or und if it is not known")
    assert json.loads(cli("list", "--json").stdout) == []


def test_a_translation_without_its_language_is_refused(cli: Invoke) -> None:
    result = cli(*LOG, "--translation", "Déclaration")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "--translation-language" in result.stderr
    assert cli(*LOG, "--translation-language", "fr").exit_code == 1
    assert json.loads(cli("list", "--json").stdout) == []


def test_a_source_takes_its_language(cli: Invoke) -> None:
    assert cli("source", "add", "example-wire", "--name", "Example Wire").exit_code == 0
    assert cli("source", "add", "example-radio", "--name", "Example Radio", "--language", "bm").exit_code == 0
    assert cli("source", "edit", "example-wire", "--language", "en").exit_code == 0
    found = {s["key"]: s["language"] for s in json.loads(cli("source", "list", "--json").stdout)["sources"]}
    assert found == {"example-radio": "bm", "example-wire": "en"}
    bad = cli("source", "edit", "example-wire", "--language", "english!")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1


_TAGS = st.from_regex(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}", fullmatch=True)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(language=_TAGS, translated=_TAGS, checked=st.booleans(), fmt=st.sampled_from(["csv", "jsonl", "json"]))
def test_export_and_import_keep_the_languages(
    cli: Invoke, tmp_path: Path, language: str, translated: str, checked: bool, fmt: str
) -> None:
    run = uuid.uuid4().hex
    db, other = tmp_path / f"{run}a.db", tmp_path / f"{run}b.db"
    args = [*LOG, "--language", language, "--translation", "Traduction", "--translation-language", translated]
    assert cli("--db", str(db), *args, *(["--checked"] if checked else [])).exit_code == 0
    out = tmp_path / f"{run}.{fmt}"
    assert cli("--db", str(db), "export", "entries", "--format", fmt, "-o", str(out)).exit_code == 0
    imported = cli("--db", str(other), "import", str(out))
    assert imported.exit_code == 0, imported.stderr
    (entry,) = json.loads(cli("--db", str(other), "list", "--json").stdout)
    assert entry["language"] == language
    assert entry["summary_translation"] == "Traduction"
    assert entry["summary_translation_language"] == translated
    assert entry["summary_translation_checked"] is checked
