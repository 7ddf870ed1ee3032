"""The framework's text in the chosen language in every table for people (`indicators`, `signposts`,
`targets`, `timeline`), as `report` shows it; their data formats (CSV, JSON, JSONL) never change with the
language (issue 23, point 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Invoke
from policytrack.domain.frameworks.parse import builtin_path, load_framework_file
from test_framework_translations import MALI, TRANSLATED, french_texts, write

WIDE = "400"  # no title wraps: each is found whole on its line


def _signal_texts() -> tuple[list[str], list[str]]:
    """The Mali framework's signals, in English and in French, from its file."""
    fw = load_framework_file(builtin_path(MALI))
    english = [s.text for ind in fw.indicators for s in ind.signals]
    french = [
        text
        for ind in fw.indicators
        for key, text in ((s.key, ind.translations["fr"].get(f"signals.{s.key}")) for s in ind.signals)
        if key and text
    ]
    return english, french


def test_indicators_in_the_chosen_language(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", WIDE)
    title, titles, labels = french_texts()
    english = cli("indicators")
    assert english.exit_code == 0, english.stderr
    assert title not in english.stdout and titles[0] not in english.stdout
    french = cli("--lang", "fr", "indicators")
    assert french.exit_code == 0, french.stderr
    assert title in french.stdout and all(t in french.stdout for t in titles)
    assert labels[0] in french.stdout  # every indicator stands at the first level: its French label
    assert "Diversify" not in french.stdout and "[en]" not in french.stdout
    assert "Titre" in french.stdout and "Title" not in french.stdout  # the headers too


def test_signposts_in_the_chosen_language(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", WIDE)
    english_texts, french_texts_ = _signal_texts()
    assert french_texts_, "the Mali framework translates its signals"
    french = cli("--lang", "fr", "signposts")
    assert french.exit_code == 0, french.stderr
    assert all(t in french.stdout for t in french_texts_)
    assert not any(t in french.stdout for t in english_texts)
    assert "attendu" in french.stdout and "awaited" not in french.stdout
    english = cli("signposts")
    assert english.exit_code == 0 and english_texts[0] in english.stdout and "awaited" in english.stdout


def test_timeline_in_the_chosen_language(cli: Invoke) -> None:
    _title, titles, _labels = french_texts()
    assert cli("log", "diversify", "Example statement", "--date", "2024-07-06").exit_code == 0
    french = cli("--lang", "fr", "timeline", "diversify")
    assert french.exit_code == 0, french.stderr
    assert f"2. {titles[1]} [diversify]" in french.stdout
    english = cli("timeline", "diversify")
    assert "2. Diversify security and economic partners [diversify]" in english.stdout


def test_targets_show_the_level_in_the_chosen_language(cli: Invoke) -> None:
    _title, _titles, labels = french_texts()
    assert cli("target", "regional", "in-progress", "--by", "2027-12").exit_code == 0
    french = cli("--lang", "fr", "targets")
    assert french.exit_code == 0, french.stderr
    assert f"{labels[2]} (in-progress)" in french.stdout  # the label beside the name typed at the terminal
    english = cli("targets")
    assert "in-progress" in english.stdout and "(in-progress)" not in english.stdout


def test_a_level_without_french_is_marked(cli: Invoke, tmp_path: Path) -> None:
    assert cli("framework", "add", str(write(tmp_path, TRANSLATED))).exit_code == 0
    assert cli("target", "first", "done", "--by", "2027-12", "--framework", "demo").exit_code == 0
    french = cli("--lang", "fr", "targets", "--framework", "demo")
    assert french.exit_code == 0, french.stderr
    assert "[en] Done (done)" in french.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("indicators",),
        ("signposts",),
        ("targets",),
        ("timeline", "regional"),
        ("targets", "--history"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_data_never_changes_with_the_language(cli: Invoke, command: tuple[str, ...], fmt: str) -> None:
    """CSV, JSON and JSONL hold the framework's own texts and keys, byte for byte, in every language."""
    assert cli("target", "regional", "in-progress", "--by", "2027-12").exit_code == 0
    assert cli("log", "regional", "Example statement", "--date", "2024-07-06", "--effect", "1").exit_code == 0
    english = cli(*command, "--format", fmt)
    french = cli("--lang", "fr", *command, "--format", fmt)
    assert english.exit_code == 0 and french.exit_code == 0, french.stderr
    assert english.stdout_bytes == french.stdout_bytes
    if command[0] == "indicators":  # the framework's own title, not its French
        assert "Regional economic integration" in french.stdout
