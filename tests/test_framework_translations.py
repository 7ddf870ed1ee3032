"""Framework texts in several languages: `translations.LANG` tables beside the fields they translate, checked
like the rest of the file, shown in the chosen language with `[en]` where a translation lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Invoke
from policytrack.core.errors import FrameworkError
from policytrack.domain.frameworks.install import builtin_names
from policytrack.domain.frameworks.parse import builtin_path, load_framework_file
from policytrack.domain.frameworks.translations import TRANSLATABLE
from policytrack.records.models import in_language

TRANSLATED = """\
[framework]
name = "demo"
title = "Demo framework"

[framework.source]
title = "A paper"

[framework.translations.fr]
title = "Cadre de démonstration"

[[scale]]
name = "none"
label = "None"
percent = 0
[scale.translations.fr]
label = "Aucune"

[[scale]]
name = "done"
label = "Done"
percent = 100

[[indicators]]
key = "first"
number = 1
title = "First"
description = "The first one."
progress_signals = ["It moves", "It moves again"]
regression_signals = [{ key = "stops", text = "It stops", translations = { fr = { text = "Il s'arrête" } } }]

[indicators.translations.fr]
title = "Premier"
progress_signals = ["Il bouge", "Il bouge encore"]

[indicators.baseline]
summary = "Where it starts."
[indicators.baseline.translations.fr]
summary = "Son point de départ."

[[indicators]]
key = "second"
number = 2
title = "Second"
description = "The second one."

[indicators.translations.fr]
description = "Le deuxième."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fw.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_text_in_french_or_marked(tmp_path: Path) -> None:
    fw = load_framework_file(write(tmp_path, TRANSLATED))
    first, second = fw.indicators
    fr = "fr"
    assert in_language(fw.translations, "title", fw.title, fr, fw.language) == "Cadre de démonstration"
    assert [in_language(lv.translations, "label", lv.label, fr, "en") for lv in fw.scale] == [
        "Aucune",
        "[en] Done",
    ]
    assert in_language(first.translations, "title", first.title, fr, "en") == "Premier"
    assert in_language(first.translations, "baseline", first.baseline, fr, "en") == "Son point de départ."
    signals = {
        s.key: in_language(first.translations, f"signals.{s.key}", s.text, fr, "en") for s in first.signals
    }
    assert signals == {"p1": "Il bouge", "p2": "Il bouge encore", "stops": "Il s'arrête"}
    assert in_language(second.translations, "title", second.title, fr, "en") == "[en] Second"
    assert in_language(second.translations, "description", second.description, fr, "en") == "Le deuxième."
    # in the file's own language, and in a language it has no text for
    assert in_language(first.translations, "title", first.title, "en", "en") == "First"
    assert in_language(first.translations, "title", first.title, "bm", "en") == "[en] First"
    assert in_language(first.translations, "actors", ("Mali",), "fr", "en") == ("[en] Mali",)


BROKEN = [
    # (replace this, with this, expected message, expected line)
    (
        'title = "Premier"\n',
        'titel = "Premier"\n',
        "'titel' in [indicators.translations.fr] is not a text",
        32,
    ),
    ('title = "Premier"\n', 'key = "premier"\n', "'key' in [indicators.translations.fr] is not a text", 32),
    ('title = "Premier"\n', "title = 3\n", "'title' in [indicators.translations.fr] must be text", 32),
    (
        "[indicators.translations.fr]\ntitle",
        "[indicators.translations.xx]\ntitle",
        "unknown language 'xx'",
        31,
    ),
    ("[scale.translations.fr]", "[scale.translations.FR]", "unknown language 'FR'", 15),
    ('label = "Aucune"\n', 'name = "aucune"\n', "'name' in [scale.translations.fr] is not a text", 16),
    ('["Il bouge", "Il bouge encore"]', '["Il bouge"]', "has 1 texts for the 2 of [indicators]", 33),
    ('["Il bouge", "Il bouge encore"]', '"Il bouge"', "must be a list of text", 33),
    ('progress_signals = ["Il bouge", "Il bouge encore"]', 'regression_signals = ["x"]', "lists tables", 33),
    (
        'summary = "Son point de départ."\n',
        'source = "x"\n',
        "'source' in [indicators.baseline.translations.fr]",
        38,
    ),
    (
        '{ fr = { text = "Il s\'arrête" } }',
        '{ fr = { txt = "x" } }',
        "'txt' in [indicators.regression_signals",
        29,
    ),
    (
        "[framework.translations.fr]\n",
        "[framework.translations.fr]\nname = 'x'\n",
        "'name' in [framework.translations.fr]",
        9,
    ),
    ('name = "demo"\n', 'name = "demo"\nlanguage = "xx"\n', "language 'xx' of the framework's texts", 3),
]


@pytest.mark.parametrize(("old", "new", "message", "line"), BROKEN)
def test_broken_translations_name_file_and_line(
    tmp_path: Path, old: str, new: str, message: str, line: int
) -> None:
    assert old in TRANSLATED
    path = write(tmp_path, TRANSLATED.replace(old, new, 1))
    with pytest.raises(FrameworkError) as info:
        load_framework_file(path)
    text = str(info.value)
    assert message in text, text
    assert text.startswith(f"{path}:{line}:"), text


@pytest.mark.parametrize("name", builtin_names())
def test_built_in_frameworks_are_wholly_in_french(name: str) -> None:
    """Every text of the shipped frameworks that can be translated has its French."""
    fw = load_framework_file(builtin_path(name))
    for field in TRANSLATABLE["framework"]:
        assert fw.translations["fr"].get(field), field
    for level in fw.scale:
        assert set(level.translations["fr"]) == {"label", "description"}, level.name
    for ind in fw.indicators:
        french = ind.translations["fr"]
        wanted = {"title", "description", "actors", "baseline"} | {f"signals.{s.key}" for s in ind.signals}
        assert wanted <= set(french), (ind.key, wanted - set(french))
        assert len(french["actors"]) == len(ind.actors)


def test_framework_show_in_the_chosen_language(cli: Invoke, tmp_path: Path) -> None:
    english = cli("framework", "show", "mali-china-security")
    assert english.exit_code == 0 and "Mali and China's security assistance: a way forward" in english.stdout
    assert "[en]" not in english.stdout and "Aucune action" not in english.stdout
    french = cli("--lang", "fr", "framework", "show", "mali-china-security")
    assert french.exit_code == 0, french.stderr
    assert "Le Mali et l'assistance sécuritaire chinoise : la voie à suivre" in french.stdout
    assert "Aucune action" in french.stdout and "[en]" not in french.stdout
    # a framework with no French: its texts, marked
    path = write(tmp_path, TRANSLATED)
    assert cli("framework", "add", str(path)).exit_code == 0
    demo = cli("--lang", "fr", "framework", "show", "demo")
    assert "Cadre de démonstration" in demo.stdout and "[en] Done" in demo.stdout
    assert "Il s'arrête" in demo.stdout and "Son point de départ." in demo.stdout


def test_translations_travel_with_versions(cli: Invoke, tmp_path: Path) -> None:
    """A file whose only change is a translation is a new version, and shows the new text."""
    path = write(tmp_path, TRANSLATED)
    assert cli("framework", "add", str(path)).exit_code == 0
    path.write_text(TRANSLATED.replace('title = "Premier"', 'title = "Le premier"'), encoding="utf-8")
    updated = cli("framework", "add", str(path), "--update")
    assert updated.exit_code == 0, updated.stderr
    assert "version 2" in updated.stdout and "changed" not in updated.stdout
    assert "1. Le premier [first]" in cli("--lang", "fr", "framework", "show", "demo").stdout


MALI = "mali-china-security"
AS_OF = ("--as-of", "2024-12-31")


def french_texts() -> tuple[str, list[str], list[str]]:
    """The Mali framework's French title, indicator titles and level labels, from its file."""
    fw = load_framework_file(builtin_path(MALI))
    titles = [ind.translations["fr"]["title"] for ind in fw.indicators]
    labels = [level.translations["fr"]["label"] for level in fw.scale]
    return fw.translations["fr"]["title"], titles, labels


def test_report_in_the_chosen_language(cli: Invoke, tmp_path: Path) -> None:
    """Reports for people show the framework's French; data (CSV, JSON, JSONL) keeps its own texts."""
    title, titles, _labels = french_texts()
    english = cli("report", "-f", "markdown", *AS_OF)
    assert english.exit_code == 0 and "[en]" not in english.stdout and titles[0] not in english.stdout
    markdown = cli("--lang", "fr", "report", "-f", "markdown", *AS_OF)
    assert markdown.exit_code == 0, markdown.stderr
    assert title in markdown.stdout and all(t in markdown.stdout for t in titles)
    table = cli("--lang", "fr", "report", *AS_OF, "-o", str(tmp_path / "report.txt"))
    assert table.exit_code == 0, table.stderr
    words = " ".join((tmp_path / "report.txt").read_text(encoding="utf-8").split())
    assert title in words and "[en]" not in words
    assert all(t.split()[0] in words for t in titles)  # the title column, cut to fit: its first words
    assert "Diversify" not in words
    for fmt in ("csv", "json", "jsonl"):
        assert (
            cli("--lang", "fr", "report", "-f", fmt, *AS_OF).stdout == cli("report", "-f", fmt, *AS_OF).stdout
        )


def test_brief_and_site_in_the_chosen_language(cli: Invoke, tmp_path: Path) -> None:
    title, titles, labels = french_texts()
    brief = cli("--lang", "fr", "report", "-f", "html", *AS_OF)
    assert brief.exit_code == 0, brief.stderr
    assert '<html lang="fr">' in brief.stdout and "[en]" not in brief.stdout
    assert all(t.replace("'", "&#39;") in brief.stdout for t in [title, *titles, *labels])
    published = cli("publish", str(tmp_path / "out"), "--site", "--lang", "fr", *AS_OF)
    assert published.exit_code == 0, published.stderr
    index = (tmp_path / "out" / "site" / "index.html").read_text(encoding="utf-8")
    assert all(t.replace("'", "&#39;") in index for t in [title, *titles]) and "[en]" not in index
    english_csv = cli("report", "-f", "csv", *AS_OF).stdout
    assert (tmp_path / "out" / f"report-{MALI}.csv").read_text(encoding="utf-8") == english_csv


def test_a_missing_translation_is_marked_and_in_its_language(cli: Invoke, tmp_path: Path) -> None:
    """A text without French shows in English, marked, and the page says it is English there."""
    assert cli("framework", "add", str(write(tmp_path, TRANSLATED))).exit_code == 0
    markdown = cli("--lang", "fr", "report", "-f", "markdown", "--framework", "demo", *AS_OF)
    assert markdown.exit_code == 0, markdown.stderr
    assert "Cadre de démonstration" in markdown.stdout and "Premier" in markdown.stdout
    assert r"\[en\] Second" in markdown.stdout  # markdown escapes its brackets
    brief = cli("--lang", "fr", "report", "-f", "html", "--framework", "demo", *AS_OF).stdout
    assert '<span lang="en">[en] Second</span>' in brief and '<span lang="en">[en] Done</span>' in brief
    assert '<span lang="en">Premier' not in brief and "Aucune" in brief
    # the SVG brief says it too, with xml:lang on the chart's title (issue 25)
    svg = cli("--lang", "fr", "report", "-f", "svg", "--framework", "demo", *AS_OF).stdout
    assert 'xml:lang="en">2. [en] Second' in svg and 'xml:lang="fr"' in svg
    assert 'xml:lang="en">1. Premier' not in svg and "Premier" in svg
    published = cli("publish", str(tmp_path / "out"), "--site", "--lang", "fr", "--framework", "demo", *AS_OF)
    assert published.exit_code == 0, published.stderr
    index = (tmp_path / "out" / "site" / "index.html").read_text(encoding="utf-8")
    assert '<span lang="en">[en] Second</span>' in index and "Cadre de démonstration" in index
    # in English nothing is marked, and no element claims another language
    english = cli("report", "-f", "html", "--framework", "demo", *AS_OF).stdout
    assert "[en]" not in english and '<span lang="en">' not in english
    english_svg = cli("report", "-f", "svg", "--framework", "demo", *AS_OF).stdout
    assert "[en]" not in english_svg and english_svg.count('xml:lang="en"') == 1  # the root's alone
