"""Languages: how a command picks one, the French catalogue against the messages in the code, plurals."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Callable
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import Invoke, parsed
from policytrack.core import i18n
from policytrack.records.models import plural

ROOT = Path(__file__).resolve().parents[1]
FRENCH = i18n.LOCALE_DIR / "fr" / "LC_MESSAGES"
# what babel.cfg and the extraction command of locale/README.md use
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "plural": (2, 3), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]")


def _french() -> Catalog:
    with (FRENCH / "policytrack.po").open("rb") as handle:
        return read_po(handle)


def _forms(value: object) -> list[str]:
    """A message's id or string as its list of forms (one, or singular and plurals)."""
    if isinstance(value, str):
        return [value]
    return [str(v or "") for v in value] if isinstance(value, (list, tuple)) else []


def _extracted() -> dict[str | tuple[str, ...], str]:
    found: dict[str | tuple[str, ...], str] = {}
    # what babel.cfg says: the code, records/ with its fields' descriptions (records/catalogue.py), and
    # the brief's templates through Jinja2's extractor
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    assert ("src/policytrack/records/**.py", "policytrack.records.catalogue:extract") in method_map
    for filename, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else tuple(m for m in message if m)
        found[f"{context}\x04{key}" if context else key] = filename
    return found


def test_every_message_has_a_french_translation_with_the_same_placeholders() -> None:
    catalogue = {
        (f"{m.context}\x04{m.id}" if m.context else m.id) if isinstance(m.id, str) else tuple(m.id): m
        for m in _french()
        if m.id
    }
    extracted = _extracted()
    assert extracted, "no message extracted: check the keywords"
    missing = sorted(str(k) for k in extracted if k not in catalogue)
    assert missing == [], f"messages with no French entry (run the update of locale/README.md): {missing}"
    stale = sorted(str(k) for k in catalogue if k not in extracted)
    assert stale == [], f"French entries for messages the code no longer has: {stale}"
    for key, message in catalogue.items():
        originals = _forms(key)
        translations = _forms(message.string)
        assert all(translations), f"untranslated: {key!r}"
        wanted = sorted(PLACEHOLDER.findall(originals[-1]))
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (key, text)


def test_the_compiled_catalogue_is_the_po_file() -> None:
    """The .mo files are committed (a wheel built anywhere ships them, with no build step): each one holds
    exactly its .po file's messages."""
    with (FRENCH / "policytrack.mo").open("rb") as handle:
        compiled = dict(GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
    wanted: dict[object, str] = {}
    for m in _french():
        if not m.id:
            continue
        if isinstance(m.id, str):
            wanted[f"{m.context}\x04{m.id}" if m.context else m.id] = _forms(m.string)[0]
        else:
            for n, text in enumerate(_forms(m.string)):
                wanted[(m.id[0], n)] = text
    compiled.pop("", None)  # the header
    assert compiled == wanted, "run: pybabel compile -D policytrack -d src/policytrack/locale"


# What is never translated in a message: placeholders, code in backticks, options, variables, command
# lines after "Example:" and command names after "policytrack".
CODE = re.compile(r"\{[^{}]*\}|`[^`]*`|--?[a-z][a-z-]*|\$[A-Z_]+|Example: .*|policytrack [a-z]+")


def test_the_glossary_is_followed() -> None:
    """Where a message uses a term of the glossary (outside code), its French text uses the glossary's
    translation."""
    glossary = (FRENCH.parent / "GLOSSARY.md").read_text(encoding="utf-8")
    terms = re.findall(r"^\| ([a-z][a-z -]*?) \| ([^|]+?) \|", glossary, flags=re.M)
    assert len(terms) >= 10
    for m in _french():
        if not m.id:
            continue
        english, french = CODE.sub(" ", _forms(m.id)[0]), _forms(m.string)[0]
        for term, translation in terms:
            if re.search(rf"\b{term}\b", english):
                options = [t.strip().split(" (")[0] for t in translation.split("/")]
                assert any(o.lower() in french.lower() for o in options), (english, french, term)


def test_a_due_date_is_said_one_way() -> None:
    """Every message that says "by {due}" (a target's or forecast's due date) says "d'ici {due}" in French,
    as the glossary does, never "pour {due}" (the report's target cell once did)."""
    said = [
        (english, french)
        for m in _french()
        if m.id
        for english, french in zip(_forms(m.id), _forms(m.string), strict=False)
        if re.search(r"(?<!-)\bby \{due\}", english)
    ]
    assert len(said) >= 6
    assert all("d'ici {due}" in french for _english, french in said), said


def test_plurals_follow_the_language() -> None:
    assert [plural(n, "entry", "entries") for n in (0, 1, 2, 1234)] == [
        "0 entries",
        "1 entry",
        "2 entries",
        "1,234 entries",
    ]
    i18n.choose("fr")
    try:
        # French counts 0 and 1 as singular, and groups thousands with a narrow no-break space
        assert [plural(n, "entry", "entries") for n in (0, 1, 2)] == ["0 entrée", "1 entrée", "2 entrées"]
        assert plural(1234, "entry", "entries") == "1\u202f234 entrées"
    finally:
        i18n.choose()


def test_report_header_counts_one_entry(cli: Invoke, log: Callable[..., int]) -> None:
    log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--effect", "1")
    result = cli("report", "--as-of", "2025-01-01")
    assert result.exit_code == 0, result.stderr
    assert "; 1 entry (1 advancing" in result.stdout
    assert "1 entries" not in result.stdout


FEBRUARY_30 = ("log", "regional", "synthetic test entry", "--date", "30 février 2024")


@pytest.mark.parametrize(
    ("env", "args", "french"),
    [
        ({}, (), False),
        ({"LANG": "fr_FR.UTF-8"}, (), True),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "C"}, (), False),  # LC_ALL wins over LANG
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "fr_CA.UTF-8"}, (), True),
        ({"LANG": "C.UTF-8"}, ("--lang", "fr"), True),
        ({"LANG": "fr_FR.UTF-8"}, ("--lang", "en"), False),
        ({"LANG": "xx_YY.UTF-8"}, (), False),  # an unknown locale is English, not an error
    ],
)
def test_the_language_comes_from_lang_then_the_locale(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: tuple[str, ...], french: bool
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = cli(*args, *FEBRUARY_30)
    assert result.exit_code == 1
    expected = "ce jour n'existe pas" if french else "no such day"
    assert expected in result.stderr and len(result.stderr.splitlines()) == 1


def test_config_language_comes_between_lang_and_the_locale(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("config", "set", "language", "fr").exit_code == 0
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "ce jour n'existe pas" in cli(*FEBRUARY_30).stderr
    assert "no such day" in cli("--lang", "en", *FEBRUARY_30).stderr


@pytest.mark.parametrize("bad", ["xx", "français", "fr_FR_FR", "", "../fr"])
def test_an_unknown_language_is_refused_with_the_fix(cli: Invoke, bad: str) -> None:
    result = cli("--lang", bad, "list")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "give a language code such as en, fr or bm" in result.stderr
    config = cli("config", "set", "language", bad)
    assert config.exit_code == 1 and "language" in config.stderr


def test_a_bad_language_in_the_config_file_names_its_line(cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('analyst = "a"\nlanguage = "klingon"\n')
    result = cli("list")
    assert result.exit_code == 1 and "config.toml:2: language 'klingon'" in result.stderr


def test_bambara_dates_through_the_command_line(cli: Invoke, cli_json: Callable[..., object]) -> None:
    logged = cli("--lang", "bm", "log", "regional", "synthetic test entry", "--date", "6 zuluye 2024")
    assert logged.exit_code == 0, logged.stderr
    assert cli_json("list", "--json")[0]["date"] == "2024-07-06"  # type: ignore[index]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "date"), [(None, "2024-07-06"), ("fr", "6 juillet 2024"), ("fr", "T3 2024")]
)
def test_log_never_imports_babel_in_english_or_french(tmp_path: Path, lang: str | None, date: str) -> None:
    """Babel (CLDR's data) is for other languages and for numbers over 999: English and French `log`
    read their dates and messages without it (issue 23's start-up limits)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    env |= {"POLICYTRACK_DB": str(tmp_path / "t.db"), "POLICYTRACK_CONFIG": str(tmp_path / "none.toml")}
    chosen = ["--lang", lang] if lang else []
    for n in range(2):  # the second run is the usual one: the database exists
        args = [*chosen, "log", "regional", f"synthetic test entry {n}", "--date", date]
        run = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "policytrack", *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines() if "|" in line}
    assert "policytrack.core.i18n" in imported or "policytrack.cli" in imported
    # (gettext itself is imported by click for its own messages, before and without policytrack)
    assert not {m for m in imported if m.split(".")[0] == "babel"}
    if lang:
        assert "enregistrée" in run.stdout


def test_the_lazy_catalogue_reads_what_gettext_reads() -> None:
    """i18n.Catalogue finds a message by binary search of the compiled originals: every message of the
    .po file, singular and plural at several counts, reads as the standard library's parse of the file."""
    with (FRENCH / "policytrack.mo").open("rb") as handle:
        standard = GNUTranslations(handle)
    lazy = i18n.Catalogue((FRENCH / "policytrack.mo").read_bytes())
    checked = 0
    for m in _french():
        if not m.id:
            continue
        if isinstance(m.id, str) and m.context:
            assert lazy.pgettext(m.context, m.id) == standard.pgettext(m.context, m.id) == m.string
        elif isinstance(m.id, str):
            assert lazy.gettext(m.id) == standard.gettext(m.id) == m.string
        else:
            for count in (0, 1, 2, 5, 1000):
                assert lazy.ngettext(m.id[0], m.id[1], count) == standard.ngettext(m.id[0], m.id[1], count)
        checked += 1
    assert checked > 500
    assert lazy.gettext("a message no catalogue has") == "a message no catalogue has"
    assert lazy.ngettext("one thing", "{n} things", 2) == "{n} things"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """policytrack as a person runs it (main() chooses the language before a command's module loads)."""
    base = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    return subprocess.run(
        [sys.executable, "-m", "policytrack", *args],
        env={**base, "COLUMNS": "100", "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--lang", "fr", "log", "--help"), {}), (("log", "--help"), {"LANG": "fr_FR.UTF-8"})],
)
def test_help_is_in_the_chosen_language(args: tuple[str, ...], env: dict[str, str]) -> None:
    result = _run(*args, env=env)
    assert result.returncode == 0, result.stderr
    words = " ".join(result.stdout.replace("│", " ").split())
    assert "Enregistrer un élément de preuve daté et sourcé" in words
    assert "Ce qui s'est passé, en une phrase" in words  # an argument's help
    assert "Date des faits : 2025-01-29, '29 janvier 2025'" in words  # a shared option's help
    assert "Record a dated" not in words


def test_help_follows_a_language_chosen_after_import(cli: Invoke) -> None:
    """A shared option's help (cli/options.py) is marked N_ where it is declared and translated where it
    is shown: in one process whose modules were imported in English, `--lang fr` shows it in French, and
    the next command in English again; a help made of a message and values, or of two messages, too."""
    import policytrack.cli.entries  # noqa: F401  (declared here, in English)

    def words(*args: str) -> str:
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        return " ".join(result.stdout.replace("│", " ").split())

    for _round in range(2):
        french = words("--lang", "fr", "edit", "--help")
        assert "Date des faits : 2025-01-29" in french and "When it happened" not in french
        assert "Format de sortie : table" in words("--lang", "fr", "list", "--help")  # the registry's
        assert "'' l'efface." in french and "clears it" not in french
        english = words("edit", "--help")
        assert "When it happened: 2025-01-29" in english and "Date des faits" not in english
        assert "'' clears it." in english and "Output format: table" in words("list", "--help")
    assert "Avec plusieurs indicateurs, KEY=VALUE" in words("--lang", "fr", "log", "--help")


def test_help_in_english_by_default_and_with_lang_en() -> None:
    for args, env in ((("log", "--help"), {}), (("--lang", "en", "log", "--help"), {"LANG": "fr_FR.UTF-8"})):
        result = _run(*args, env=env)
        assert result.returncode == 0 and "Record a dated, sourced piece of evidence" in result.stdout


def test_a_bad_lang_before_the_command_is_still_a_usage_error() -> None:
    result = _run("--lang", "klingon", "log", "--help")
    assert result.returncode == 2 and "give a language code such as en, fr or bm" in result.stderr


@pytest.fixture
def french_entries(log: Callable[..., int]) -> None:
    log("regional", "Le Mali, le Burkina Faso et le Niger signent le traité de l'AES", "--date", "2024-07-06")
    log("diversify", "synthetic test entry with a long summary " * 3, "--date", "2024-09", "-t", "sahel")
    log("regional", "synthetic test entry", "--date", "2024-Q3", "--grade", "B2", "--status", "in-progress")


@pytest.mark.parametrize("width", [60, 70, 80, 100, 120])
def test_french_list_keeps_words_whole(
    cli: Invoke, french_entries: None, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    import policytrack.cli.common as common
    import policytrack.cli.entries as entries

    for module in (common, entries):  # a table for people: on a terminal (piped, it is plain text)
        monkeypatch.setattr(module, "stdout_is_terminal", lambda: True)
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.setenv("COLUMNS", str(width))
    result = cli("--lang", "fr", "list", "--all")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert all(len(line) <= width for line in out.splitlines()), width
    assert "…" not in out, width
    words = out.split()
    for whole in ("N°", "Indicateur", "Résumé", "juillet", "septembre", "T3", "regional", "diversify"):
        assert whole in words, (whole, width)
    assert "6 juillet 2024" in out and "septembre 2024" in out  # dates whole, on one line
    assert "entrées" in words  # the title counts them (it may wrap at 60 columns)
    if "Colonnes omises" in out:
        assert "un terminal plus large" in out


@pytest.mark.parametrize("width", [60, 70, 80, 100, 120])
def test_french_report_and_signposts_keep_dates_whole(
    cli: Invoke, french_entries: None, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    """French dates are longer than ISO ones: the report's and the signposts' tables keep each one whole
    on a line, within the width."""
    import policytrack.cli.common as common

    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.setenv("COLUMNS", str(width))
    assert (
        cli(
            "--lang",
            "fr",
            "log",
            "regional",
            "Exemple",
            "--date",
            "2024-09-30",
            "--signal",
            "regional-agreements",
        ).exit_code
        == 0
    )
    # each command's columns that show the day, by their French headers
    dated = {"report": ("Dern. preuve",), "signposts": ("Première", "Dernière")}
    for args in (("report", "--as-of", "2025-01-01"), ("signposts", "regional")):
        result = cli("--lang", "fr", *args)
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert all(len(line) <= width for line in out.splitlines()), (args, width)
        assert "…" not in out, (args, width)
        assert "2024-09-30" not in out
        if "Colonnes omises" in out and args[0] == "signposts":  # its hint, marked N_, shown in French
            assert "un terminal plus large ou" in " ".join(out.split())
        table, _sep, note = out.partition("Colonnes omises")  # the note names the columns left out
        header = next(line for line in table.splitlines() if "Clé" in line.split())
        for column in dated[args[0]]:  # at every width: the day whole in its column, or the column named
            if column in header:
                at, day = header.index(column), "30 septembre 2024"
                assert any(line[at : at + len(day)] == day for line in table.splitlines()), (
                    args,
                    width,
                    column,
                )
            else:
                assert width < 120, (args, width, column)  # shown where there is room
                assert column in " ".join(note.split()), (args, width, column)


def test_french_confirmations_and_show_while_data_stays_english(
    cli: Invoke, cli_json: Callable[..., object]
) -> None:
    logged = cli("--lang", "fr", "log", "regional", "synthetic test entry", "--date", "1 juillet 2024")
    assert logged.exit_code == 0, logged.stderr
    assert logged.stdout.strip() == "Entrée 1 enregistrée pour regional, datée du 1er juillet 2024"
    shown = cli("--lang", "fr", "show", "1")
    assert shown.exit_code == 0
    assert "Résumé" in shown.stdout and "1er juillet 2024 (précision : jour)" in shown.stdout
    data = cli_json("--lang", "fr", "list", "--json")
    assert data[0]["date"] == "2024-07-01" and "summary" in data[0]  # type: ignore[index]
    english = cli("log", "regional", "synthetic test entry 2", "--date", "2024-07-02")
    assert english.stdout.strip() == "Logged entry 2 for regional, dated 2024-07-02"
    missing = cli("--lang", "fr", "show", "99")
    assert missing.exit_code == 1 and missing.stderr.startswith("policytrack : erreur : ")


def test_french_errors_keep_their_fix_and_english_is_unchanged(cli: Invoke) -> None:
    """A refused reference, config key and undo each say what is wrong and how to fix it, in French; the
    same commands in English print what they always did."""
    french = cli("--lang", "fr", "review", "0")
    assert french.exit_code == 1
    assert french.stderr.strip() == (
        "policytrack : erreur : identifiant d'entrée '0' invalide : les identifiants vont de 1 à 2^53 ; "
        "`policytrack list` les montre"
    )
    english = cli("review", "0")
    assert english.exit_code == 1
    assert english.stderr.strip() == (
        "policytrack: error: invalid entry id '0': ids go from 1 to 2^53; `policytrack list` shows them"
    )
    key = cli("--lang", "fr", "config", "get", "colour")
    assert key.exit_code == 1
    assert "clé de configuration 'colour' inconnue ; utilisez l'une de celles-ci : " in key.stderr
    assert "color" in key.stderr
    forecast = cli("--lang", "fr", "withdraw", "@zz")
    assert forecast.exit_code == 1 and "identifiant de prévision '@zz' invalide" in forecast.stderr


def test_french_confirmations_count_by_french_plurals(cli: Invoke, log: Callable[..., int]) -> None:
    added = cli("--lang", "fr", "source", "add", "wire", "--name", "Example Wire", "--type", "media")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "Source wire enregistrée"
    assert cli("source", "add", "desk", "--name", "Example Desk", "--type", "media").exit_code == 0
    log("regional", "synthetic test entry", "--date", "2024-07-06", "--source", "desk")
    merged = cli("--lang", "fr", "source", "merge", "desk", "wire")
    assert merged.exit_code == 0, merged.stderr
    assert merged.stdout.strip() == "Source desk fusionnée dans wire (1 entrée cite désormais wire)"
    review = cli("--lang", "fr", "review", "1", "--self")
    assert review.exit_code == 0, review.stderr
    assert review.stdout.strip() == "Relecture faite : 1 entrée (1)"


def test_french_table_headers_while_keys_stay_data(
    cli: Invoke, log: Callable[..., int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Tables for people have French headers and labels; the keys in their cells, the workbook's column
    names and its data stay as they are in every language."""
    monkeypatch.setenv("COLUMNS", "120")
    assert cli("source", "add", "wire", "--name", "Example Wire", "--type", "media").exit_code == 0
    log("regional", "synthetic test entry", "--date", "2024-07-06", "--source", "wire")
    listed = cli("--lang", "fr", "source", "list")
    assert listed.exit_code == 0, listed.stderr
    words = listed.stdout.split()
    assert "Sources enregistrées" in listed.stdout and {"Clé", "Nom", "Origine", "Entrées"} <= set(words)
    assert "wire" in words and "Key" not in words
    shown = cli("--lang", "fr", "framework", "show", "mali-china-security")
    assert shown.exit_code == 0, shown.stderr
    assert "Échelle de statut" in shown.stdout and "Signaux de progrès" in shown.stdout
    assert "Situation de référence" in shown.stdout and "Status scale" not in shown.stdout
    english = cli("source", "list")
    assert "Registered sources" in english.stdout and "Key" in english.stdout.split()
    out = tmp_path / "fr.xlsx"
    assert cli("--lang", "fr", "export", "entries", "--format", "xlsx", "-o", str(out)).exit_code == 0
    import openpyxl

    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["columns"].iter_rows(values_only=True))
    assert rows[0] == ("feuille", "colonne", "cellules", "signification")
    described = {r[1]: r[2] for r in rows[1:] if r[1]}
    assert described["summary"] == "texte" and described["effect"] == "nombre"  # column names stay data
    assert any(r[0] == "dates" and "jamais un jour inventé" in str(r[3]) for r in rows)
    meanings = {r[1]: r[3] for r in rows[1:] if r[1]}  # what each column means, as records/ declares it
    assert meanings["summary"] == "Ce qui s'est passé, en une phrase."
    assert str(meanings["effect"]).startswith("Effet sur l'indicateur, de -2")


def _declared_descriptions() -> dict[str, str]:
    """Every field's description in records/, with the module that declares it."""
    import pkgutil

    import policytrack.records
    from policytrack.records.catalogue import descriptions

    found: dict[str, str] = {}
    for module in pkgutil.iter_modules(policytrack.records.__path__):
        for text in descriptions(f"policytrack.records.{module.name}"):
            found.setdefault(text, module.name)
    return found


def test_every_field_description_has_french() -> None:
    """The descriptions of every record kind are messages (babel.cfg's extractor reads them from the
    declarations), each with its French, and are translated where shown, not where declared."""
    declared = _declared_descriptions()
    assert len(declared) > 200
    french = i18n.catalogue("fr")
    assert french is not None
    missing = sorted(text for text in declared if french.gettext(text) == text)
    assert missing == [], f"field descriptions with no French (see locale/README.md): {missing}"
    from policytrack.records.entry import ENTRY

    assert ENTRY["summary"].description == "What happened, in a sentence."  # declared in English
    i18n.choose("fr")
    try:
        assert i18n._(ENTRY["summary"].description) == "Ce qui s'est passé, en une phrase."
    finally:
        i18n.choose("en")


def test_the_extractor_reads_descriptions_as_declared() -> None:
    """A description built from a list (a source's types) or made by a helper (a candidate's fields) is
    extracted as the declaration holds it: the extractor reads the modules, not their text."""
    from policytrack.records.candidate import CANDIDATE
    from policytrack.records.catalogue import extract, module_of
    from policytrack.records.source import SOURCE, SOURCE_TYPES

    assert module_of("/x/src/policytrack/records/source.py") == "policytrack.records.source"
    assert module_of("/x/src/policytrack/render/xlsx.py") is None
    path = ROOT / "src" / "policytrack" / "records" / "source.py"
    with path.open("rb") as handle:
        messages = {m[2] for m in extract(handle, {"_": None}, [], {})}
    assert SOURCE["type"].description in messages
    assert all(t in SOURCE["type"].description for t in SOURCE_TYPES)
    assert set(_declared_descriptions()) >= {f.description for f in CANDIDATE}


# Modules whose errors still raise an English literal: exchange/publish.py and cli/publish.py are
# translated with `publish --lang` (issue 23 point 2). Each module is held to the rule once it leaves this
# list, and the test fails when one here no longer needs to be (so the list only shrinks).
NOT_YET_TRANSLATED: frozenset[str] = frozenset()


def _literal(node: ast.expr) -> bool:
    """A message written in the raise itself: a string, an f-string, their sum, or one formatted."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal(node.func.value)
    return False


def _untranslated_raises(sources: dict[str, str] | None = None) -> dict[str, list[int]]:
    """Modules (by path under the package) and lines where an error is raised with an English literal;
    `sources` (name: code) instead of the package's modules, for the scan's own check."""
    from policytrack.core import errors

    raised = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.PolicytrackError)
    }
    package = ROOT / "src" / "policytrack"
    if sources is None:
        sources = {
            path.relative_to(package).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(package.rglob("*.py"))
        }
    found: dict[str, list[int]] = {}
    for module, code in sources.items():
        for node in ast.walk(parsed(code)):
            # every error made, raised at once or returned by a helper that its caller raises
            if not (isinstance(node, ast.Call) and node.args):
                continue
            call, func = node, node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            at = SECOND_ARGUMENT.get(name, 0)
            message = call.args[at] if len(call.args) > at else None
            if (name in raised or name in SECOND_ARGUMENT) and message is not None and _literal(message):
                found.setdefault(module, []).append(call.lineno)
    return found


# sync's line problems say where (a file and line), then what is wrong: the message is their second argument
SECOND_ARGUMENT = {"LineProblem": 1, "unknown": 1}


def test_every_error_raised_goes_through_the_catalogue() -> None:
    """A PolicytrackError is the one line a person reads when a command fails: its message is written
    `_("... {name} ...").format(...)` (or ngettext), never a bare string or f-string, so it has French."""
    planted = {
        "planted.py": "raise InputError(f'no {x}')\nraise InputError('plain')\nraise InputError(_('fine'))\n"
        "def made():\n    return InputError(f'no {x}')\n"
    }
    found = _untranslated_raises(planted)
    assert found == {"planted.py": [1, 2, 5]}, f"the scan no longer finds literals: {found}"
    found = _untranslated_raises()
    held = {module: lines for module, lines in found.items() if module not in NOT_YET_TRANSLATED}
    assert held == {}, f"errors raised with an English literal (wrap them in _()): {held}"
    done = sorted(NOT_YET_TRANSLATED - found.keys())
    assert done == [], f"translated now: take them out of NOT_YET_TRANSLATED: {done}"


def test_the_scan_sees_a_literal_raise() -> None:
    """The rule above, on code it must refuse and code it must accept."""
    refused = [
        'raise InputError("bad")',
        'raise InputError(f"bad {x}")',
        'raise InputError("a {x}".format(x=1))',
    ]
    accepted = [
        'raise InputError(_("bad"))',
        'raise InputError(_("a {x}").format(x=1))',
        "raise InputError(msg)",
    ]
    refused += ['raise LineProblem(where, f"by {x!r}")', 'raise unknown(where, f"framework {x!r}")']
    accepted += ['raise LineProblem(f"{file} line {n}", _("not UTF-8"))']
    for code, literal in [(c, True) for c in refused] + [(c, False) for c in accepted]:
        node = ast.parse(code).body[0]
        assert isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
        func = node.exc.func
        at = SECOND_ARGUMENT.get(func.id if isinstance(func, ast.Name) else "", 0)
        assert _literal(node.exc.args[at]) is literal, code


def test_undo_revert_and_config_in_french(cli: Invoke, log: Callable[..., int]) -> None:
    """What undo and revert show and say, the settings' descriptions and the config file's errors, in
    French; English unchanged."""
    log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    assert cli("edit", "1", "--effect", "1").exit_code == 0
    undone = cli("--lang", "fr", "undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert "Annuler la modification de l'entrée 1 (révision 2, " in undone.stdout
    assert "Champ" in undone.stdout and "Après" in undone.stdout
    assert "Annulation de la modification de l'entrée 1" in undone.stdout
    assert "c'est maintenant la révision 3" in undone.stdout
    history = cli("--lang", "fr", "history", "1")
    assert "Historique de l'entrée 1" in history.stdout
    same = cli("--lang", "fr", "revert", "1", "--to", "3", "--yes")
    assert same.exit_code == 1
    assert "la révision 3 de l'entrée 1 est déjà en vigueur" in same.stderr
    reverted = cli("revert", "1", "--to", "2", "--yes")
    assert reverted.exit_code == 0 and "Revert entry 1 to revision 2:" in reverted.stdout
    listed = cli("--lang", "fr", "config", "list")
    assert "# la langue des messages et des dates" in listed.stdout
    assert "# the language of messages and dates" in cli("config", "list").stdout
    bad = cli("--lang", "fr", "config", "set", "stale_days", "x")
    assert bad.exit_code == 1
    assert "stale_days doit être un nombre entier de jours, de 1 à 100000" in bad.stderr


def test_import_and_log_errors_in_french(cli: Invoke, tmp_path: Path) -> None:
    """Import's errors and their fixes, and the validator's, read in French; the English ones are as
    before."""
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,summary\nregional,synthetic test entry\n", encoding="utf-8")
    french = cli("--lang", "fr", "import", str(bad))
    assert french.exit_code == 1
    assert "bad.csv : colonne manquante date (l'en-tête doit avoir les colonnes indicator" in french.stderr
    english = cli("import", str(bad))
    assert "bad.csv: missing column date (the header must have indicator, date, summary)" in english.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes("indicator,date,summary\nregional,2024-07-06,Ségou\n".encode("latin-1"))
    assert "n'est pas en UTF-8" in cli("--lang", "fr", "import", str(latin)).stderr
    empty = cli("--lang", "fr", "log", "regional", " ", "--date", "2024-07-06")
    assert empty.exit_code == 1
    assert empty.stderr.strip() == (
        "policytrack : erreur : résumé vide : dites en une phrase ce qui s'est passé"
    )
    effect = cli("--lang", "fr", "log", "regional", "synthetic test entry", "--date", "2024-07-06", "-e", "3")
    assert effect.exit_code != 0 and "de -2 à 2" in effect.stderr


def test_the_report_in_french(cli: Invoke, log: Callable[..., int]) -> None:
    """The report's header, columns, footer and markdown read in French; its CSV keys stay data."""
    log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--effect", "1")
    table = cli("--lang", "fr", "report", "--as-of", "2025-01-01")
    assert table.exit_code == 0, table.stderr
    assert "Au 1er janvier 2025 ; période d'observation des preuves " in table.stdout
    assert "Statut" in table.stdout and "Dern. preuve" in table.stdout and "jamais" in table.stdout
    markdown = cli("--lang", "fr", "report", "--as-of", "2025-01-01", "--format", "markdown")
    assert "1 entrée (favorables : 1, défavorables : 0, de contexte : 0)" in markdown.stdout
    assert "| Statut | Avancement | Cible |" in markdown.stdout
    # the date and the window as French writes them; the parts joined as French joins them
    assert "Au 1er janvier 2025 ; période d'observation des preuves tout jusqu'au 1er janvier 2025 ;" in (
        markdown.stdout
    )
    assert "; signes avant-coureurs" not in markdown.stdout.replace(" ; ", "")
    assert "| 6 juillet 2024 |" in markdown.stdout  # the latest evidence
    assert "2024-07-06" not in table.stdout + markdown.stdout
    reviewed = cli("--lang", "fr", "report", "--as-of", "2025-01-01", "--reviewed-only", "-f", "markdown")
    assert reviewed.exit_code == 0, reviewed.stderr
    assert " ; entrées relues seulement" in reviewed.stdout
    english = cli("report", "--as-of", "2025-01-01", "--reviewed-only", "-f", "markdown")
    assert "As of 2025-01-01; evidence window everything up to 2025-01-01; " in english.stdout
    assert (
        "; reviewed entries only" in english.stdout
        and "| 2024-07-06 |" in cli("report", "--as-of", "2025-01-01", "-f", "markdown").stdout
    )
    english = cli("report", "--as-of", "2025-01-01", "--format", "csv")
    french = cli("--lang", "fr", "report", "--as-of", "2025-01-01", "--format", "csv")
    assert french.stdout.splitlines()[0] == english.stdout.splitlines()[0]


def test_each_formatted_message_fills_exactly_its_placeholders() -> None:
    """`_("... {name} ...").format(...)` (and ngettext's) gives every placeholder of the message and no
    other: a missing one would be a KeyError on an error path that few runs reach."""
    import string

    checked = 0
    for path in sorted((ROOT / "src" / "policytrack").rglob("*.py")):
        for node in ast.walk(parsed(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            inner = node.func.value
            if node.func.attr != "format" or not isinstance(inner, ast.Call):
                continue
            if not (isinstance(inner.func, ast.Name) and inner.func.id in ("_", "ngettext")):
                continue
            texts = [a.value for a in inner.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if not texts or any(k.arg is None for k in node.keywords):  # a **mapping: not checkable here
                continue
            given = {k.arg for k in node.keywords if k.arg is not None}
            for text in texts:
                names = {f[1].split(".")[0].split("[")[0] for f in string.Formatter().parse(text) if f[1]}
                assert names == given, (path.name, node.lineno, sorted(names), sorted(given))
            checked += 1
    assert checked > 300


def test_counts_in_check_messages_are_grouped_as_the_language_groups_them() -> None:
    """A length in a refusal is a number people read: 12,345 in English, 12 345 in French (never a comma,
    the French decimal sign)."""
    from policytrack.core.errors import InputError
    from policytrack.core.storable import MAX_FIELD, clean_text
    from policytrack.records.check import fits_a_cell
    from policytrack.records.entry import ENTRY

    def refusals() -> list[str]:
        found = []
        with pytest.raises(InputError) as too_long:
            clean_text("x" * (MAX_FIELD + 1), "summary")
        found.append(str(too_long.value))
        with pytest.raises(InputError) as too_wide:
            fits_a_cell(ENTRY["summary"], "\U0001f642" * 20_000)
        found.append(str(too_wide.value))
        return found

    english = refusals()
    assert f"the limit is {MAX_FIELD:,}" in english[0] and "is 40,000 characters long" in english[1]
    i18n.choose("fr")
    try:
        french = refusals()
    finally:
        i18n.choose("en")
    assert "la limite est 1\u202f048\u202f576" in french[0]  # a narrow no-break space, as CLDR groups
    assert all(not re.search(r"\d,\d", text) for text in french), french


def test_output_path_and_missing_entry_errors_in_french(
    cli: Invoke, log: Callable[..., int], tmp_path: Path
) -> None:
    """The errors made by helpers (an output path's problem, a missing entry) are said in the chosen
    language too, with their fix; English unchanged."""
    folder = tmp_path / "out"
    folder.mkdir()
    french = cli("--lang", "fr", "report", "-f", "markdown", "-o", str(folder))
    assert french.exit_code == 1
    assert f"impossible d'écrire -o {folder} : c'est un dossier ; donnez un nom de fichier" in french.stderr
    english = cli("report", "-f", "markdown", "-o", str(folder))
    assert english.exit_code == 1
    assert f"cannot write -o {folder}: it is a folder; give a file name" in english.stderr
    log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    missing = cli("--lang", "fr", "show", "99")
    assert missing.exit_code == 1
    assert "aucune entrée d'identifiant 99 ; `policytrack list` montre les identifiants" in missing.stderr
