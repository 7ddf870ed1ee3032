"""Issue 23, the French sweep: what a French analyst reads of the period report, the timeline, signposts,
--by-analyst, --explain, forecasts, the agenda and their usage errors is French, with no English phrase
left; the English output keeps its words (only the plurals this fixes change)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke, Log, ok

# Real events (shared/SAMPLE-EVENTS.md); two analysts disagree on regional, so it is contested.
EVENTS = (
    ("diversify", "Barkhane and Takuba withdrawal announced", "2022-02-17", "-1", None, "ana"),
    ("regional", "Mali, Burkina Faso and Niger announce their withdrawal from ECOWAS", "2024-01-28", "-2",
     "no-action", "ana"),
    ("regional", "Treaty of the Confederation of Sahel States signed in Niamey", "2024-07-06", "+1",
     "in-progress", "ana"),
    ("regional", "AES treaty signed in Niamey", "2024-07-07", "+1", "no-action", "bob"),
)  # fmt: skip


@pytest.fixture
def events(log: Log, cli: Invoke) -> None:
    for key, summary, day, effect, status, analyst in EVENTS:
        args = [key, summary, "--date", day, "--effect", effect, "--grade", "B2", "--analyst", analyst]
        log(*args, *(["--status", status] if status else []))
    ok(cli("forecast", "regional", "in-progress", "--by", "2099-12", "-l", "70", "--analyst", "ana"))


def french(cli: Invoke, *args: str) -> str:
    return ok(cli("--lang", "fr", *args))


def no_english(text: str, *phrases: str) -> None:
    left = [p for p in phrases if p in text]
    assert not left, f"English left in the French output: {left}"


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_the_period_report_in_french(cli: Invoke, events: None, fmt: str) -> None:
    text = french(cli, "report", "--by", "quarter", "--format", fmt)
    assert "par trimestre" in text and "Chaque case : nombre d'entrées et effet net" in text
    assert "Tendance" in text and "à partir de zéro : ▁ nulle" in text
    no_english(text, "by quarter", "Each cell", "Trend", "from zero", "scaled per row", "Recommendation")
    if fmt == "table":  # 2022 to today is more than the 8 quarters a table shows
        assert "Périodes affichées : les " in text and "Clé" in text
        no_english(text, "Showing the last", "Key ")
    else:
        assert "| # | Recommandation |" in text
    english = ok(cli("report", "--by", "month", "--format", fmt))
    assert "by month" in english and "Each cell: entries and net effect" in english and "Trend" in english


def test_the_timeline_header_and_plain_table_in_french(cli: Invoke, events: None) -> None:
    text = french(cli, "timeline", "regional")  # piped: the plain-text table
    assert "3 entrées ; statut au départ : no-action ; 2 changements de statut ; dynamique cumulée" in text
    header = next(line for line in text.splitlines() if line.startswith("Date"))
    assert header.split() == ["Date", "N°", "Réf.", "Eff.", "Cum.", "Cote", "Changement", "de", "statut",
                              "Résumé", "Source"]  # fmt: skip
    no_english(
        text, "status change", "Status change", "status at the start", "cumulative", "trend", "Summary"
    )
    english = ok(cli("timeline", "regional"))
    assert "3 entries; status at the start: no-action; 2 status changes; cumulative momentum" in english
    assert english.splitlines()[3].split()[:7] == ["Date", "ID", "Ref", "Eff", "Cum.", "Grd", "Status"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.integers(min_value=0, max_value=3))
def test_status_changes_are_a_real_plural(cli: Invoke, tmp_path: Path, changes: int) -> None:
    db = ("--db", str(tmp_path / f"{changes}.db"))  # a fresh database per example
    levels = ["in-progress", "no-action"]
    for i in range(changes):
        assert cli(*db, "log", "regional", f"Step {i}", "--date", f"2024-0{i + 1}-01",
                   "--status", levels[i % 2]).exit_code == 0  # fmt: skip
    english = ok(cli(*db, "timeline", "regional"))
    in_french = ok(cli(*db, "--lang", "fr", "timeline", "regional"))
    if changes == 1:
        assert "; 1 status change;" in english and "; 1 changement de statut ;" in in_french
    else:
        assert f"; {changes} status changes;" in english
        # French: 0 and 1 are singular
        word = "changement" if changes == 0 else "changements"
        assert f"; {changes} {word} de statut ;" in in_french


def test_by_analyst_and_explain_in_french(cli: Invoke, events: None) -> None:
    by = french(cli, "report", "--by-analyst")
    assert "Dernière évaluation de chaque analyste" in by and "Écart" in by and "Contesté" in by
    assert "écart de 2 niveaux : ana in-progress, bob no-action" in " ".join(by.split())  # wrapped
    no_english(by, "Each analyst", "Spread", "Contested", "contested", "spread", "levels")
    md = french(cli, "report", "--by-analyst", "--format", "markdown")
    assert "| # | Clé |" in md and "| Consensus | Écart | Contesté |" in md
    explained = french(cli, "report", "--explain", "--format", "markdown")
    assert "### Éléments de preuve de regional (3 entrées dans la période)" in explained
    assert "### Éléments de preuve de civilian-led (0 entrée dans la période)" in explained
    assert "| Date | Réf. | Résumé | Cote | Effet | Source |" in explained
    assert "Aucune entrée dans la période." in explained
    no_english(explained, "Evidence behind", "No entries", "| Summary |")
    terminal = french(cli, "report", "--explain")
    assert "Signes avant-coureurs de regional : 0 observés sur 4 signaux" in terminal
    no_english(terminal, "Signposts of", "Evidence behind")
    english = ok(cli("report", "--explain"))
    assert "Evidence behind diversify (1 entry in the window)" in english
    assert "Signposts of regional: 0 of 4 signals observed (0 progress, 0 regression)" in english


def test_no_signals_in_french(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "bare.toml"
    path.write_text(
        '[framework]\nname = "bare"\ntitle = "Example Ministry plan"\n[framework.source]\ntitle = "A plan"\n'
        '[[scale]]\nname = "none"\npercent = 0\n[[scale]]\nname = "done"\npercent = 100\n'
        '[[indicators]]\nkey = "audit"\nnumber = 1\ntitle = "Publish the audit"\n'
        'description = "The Example Ministry publishes its audit."\n',
        encoding="utf-8",
    )
    ok(cli("framework", "add", str(path)))
    for args, french_line, english_line in (
        ((), "Aucun signal : le cadre n'en définit aucun.", "No signals: the framework gives none any."),
        (
            ("audit",),
            "Aucun signal : le cadre n'en définit aucun pour cet indicateur.",
            "No signals: the framework gives this indicator any.",
        ),
    ):
        result = cli("--lang", "fr", "signposts", "-F", "bare", *args)
        assert result.exit_code == 0 and result.stderr.strip() == french_line
        assert cli("signposts", "-F", "bare", *args).stderr.strip() == english_line


def test_forecasts_and_agenda_in_french(cli: Invoke, events: None) -> None:
    forecasts = french(cli, "forecasts")
    assert "Le Mali et l'assistance sécuritaire chinoise" in forecasts and "1 prévision" in forecasts
    no_english(forecasts, "Mali and China's security assistance")
    agenda = french(cli, "agenda")
    assert "indicateur" in agenda and "entrée" in agenda
    no_english(agenda, " indicator ", " entry ", "items wait")
    english = ok(cli("agenda"))
    assert " indicator " in english and " entry " in english


@pytest.mark.parametrize(
    ("args", "french_error", "english_error"),
    [
        (
            ("timeline", "regional", "--all", "--limit", "3"),
            "--all et --limit ne vont pas ensemble : choisissez l'un ou l'autre",
            "--all and --limit cannot be used together",
        ),
        (
            ("timeline", "regional", "--limit", "0"),
            "--limit doit valoir au moins 1, et non 0",
            "--limit must be at least 1, not 0",
        ),
        (
            ("report", "--by-analyst", "--by", "month"),
            "--by-analyst et --by ne vont pas ensemble : choisissez l'un ou l'autre",
            "--by-analyst and --by cannot be used together: choose one",
        ),
        (
            ("report", "--title", "x", "--format", "csv"),
            "--title ne vaut que pour la note dessinée : utilisez-le avec --format html ou svg",
            "--title is for the drawn brief: use it with --format html or svg",
        ),
        (
            ("list", "--all-frameworks", "-F", "mali-china-security"),
            "--all-frameworks et --framework ne vont pas ensemble : choisissez l'un ou l'autre",
            "--all-frameworks and --framework cannot be used together",
        ),
    ],
)
def test_usage_errors_in_french(
    cli: Invoke, args: tuple[str, ...], french_error: str, english_error: str
) -> None:
    result = cli("--lang", "fr", *args)
    assert result.exit_code == 2 and result.stderr == f"policytrack : erreur : {french_error}\n"
    result = cli(*args)
    assert result.exit_code == 2 and result.stderr == f"policytrack: error: {english_error}\n"
