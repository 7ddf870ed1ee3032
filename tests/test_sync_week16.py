"""What a week of three analysts syncing found: each test fails on the release before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Team, ok
from test_sync import joined

MINUSMA = (
    "UN Security Council resolution 2690 ends the mandate of MINUSMA at the transitional government's "
    "request; withdrawal by 31 Dec 2023"
)
ECOWAS = "Mali, Burkina Faso and Niger announce their withdrawal from ECOWAS"
AES = "Mali, Burkina Faso and Niger sign the treaty of the Confederation of Sahel States (AES) in Niamey"


def test_changes_made_here_in_another_analysts_name_are_said_once_per_analyst(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama")
    for indicator, summary, day in (
        ("diversify", MINUSMA, "2023-06-30"),
        ("regional", ECOWAS, "2024-01-28"),
        ("regional", AES, "2024-07-06"),
    ):
        ok(team("ama", "log", indicator, summary, "--date", day))
    ok(team("ama", "review", "1", "2", "3", "--by", "editor"))
    ok(team("ama", "review", "1", "--by", "lead", "--request-changes", "cite the resolution itself"))
    result = team("ama", "sync")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    # one line per analyst named, with how many changes stay here, not one per change
    assert len(lines) == 2, lines
    (editor,) = [line for line in lines if "'editor'" in line]
    (lead,) = [line for line in lines if "'lead'" in line]
    assert "3 changes of this database (entry) name 'editor' as their reviewed_by, not ama" in editor
    assert "1 change of this database (entry) names 'lead' as its returned_by, not ama" in lead
    assert editor.endswith("they stay here, unsent (revert them, or ask editor to make the changes)")
    assert lead.endswith("it stays here, unsent (revert it, or ask lead to make the change)")
    # the entries' own revisions still go; the reviews and the return stay here
    joined(team, tmp_path, "chi")
    ok(team("chi", "sync"))
    assert len(ok(team("chi", "list", "--unreviewed", "--format", "jsonl")).splitlines()) == 3


def test_an_entry_citing_a_key_merged_apart_is_listed_and_counted_under_the_source_it_leads_to(
    team: Team, tmp_path: Path
) -> None:
    # ben cites a key offline while ama merges it into another: the entry keeps the key its revision
    # named, which leads on to the source it was merged into (README: Working as a team)
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "source", "add", "un-security-council", "--name", "United Nations Security Council"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ben", "log", "diversify", MINUSMA, "--date", "2023-06-30", "--source", "un-security-council"))
    ok(team("ama", "source", "add", "unsc", "--name", "UN Security Council"))
    ok(team("ama", "source", "merge", "un-security-council", "unsc"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    for name in ("ama", "ben"):
        shown = json.loads(ok(team(name, "show", "1", "--format", "json")))
        assert shown["source_key"] == "un-security-council"
        for key in ("unsc", "un-security-council"):  # either key finds it
            listed = ok(team(name, "list", "--source", key, "--format", "jsonl")).splitlines()
            assert [json.loads(line)["summary"] for line in listed] == [MINUSMA]
        detail = json.loads(ok(team(name, "source", "show", "un-security-council", "--format", "json")))
        assert detail["key"] == "unsc" and [e["summary"] for e in detail["entries"]] == [MINUSMA]
        assert "@" + shown["uuid"][:8] in ok(team(name, "source", "show", "unsc"))
        registry = json.loads(ok(team(name, "source", "list", "--format", "json")))
        assert {s["key"]: s["entries"] for s in registry["sources"]} == {"unsc": 1}


def test_the_forecasts_table_shows_the_team_wide_reference_that_withdraw_takes(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "forecast", "regional", "in-progress", "--by", "2031-12", "--likelihood", "likely"))
    ok(team("ama", "sync"))
    ok(team("ben", "forecast", "regional", "substantial", "--by", "2031-12", "--likelihood", "30"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    (made,) = [
        json.loads(line)
        for line in ok(team("ama", "forecasts", "--format", "jsonl")).splitlines()
        if json.loads(line)["analyst"] == "ama"
    ]
    ref = "@" + made["uuid"][:8]
    for name in ("ama", "ben"):  # ama's forecast is 1 for ama and 2 for ben: the reference is the same
        rows = [line for line in ok(team(name, "forecasts")).splitlines() if "in-progress" in line]
        assert len(rows) == 1 and ref in rows[0]
    ok(team("ama", "withdraw", ref))
    assert "withdrawn" in ok(team("ama", "forecasts", "--format", "csv"))


def test_a_merge_not_applied_is_settled_by_the_command_conflicts_gives_in_each_database(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "source", "add", "unsc", "--name", "UN Security Council"))
    ok(team("ama", "source", "add", "un-security-council", "--name", "United Nations Security Council"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ben", "source", "merge", "un-security-council", "unsc"))  # the earlier merge stands
    ok(team("ama", "source", "merge", "unsc", "un-security-council"))  # made apart: not applied
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    for name, side in (("ama", "mine"), ("ben", "theirs")):
        (hint,) = [line for line in ok(team(name, "conflicts")).splitlines() if "settle:" in line]
        assert (
            hint == f"  settle: policytrack conflicts resolve source:unsc --keep {side} (or edit the source)"
        )
    ok(team("ama", "conflicts", "resolve", "source:unsc", "--keep", "mine"))  # as ama's `conflicts` said
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    for name in ("ama", "ben"):
        assert ok(team(name, "conflicts")) == "no conflicts\n"


def _agenda_conflicts(team: Team, name: str) -> list[str]:
    rows = ok(team(name, "agenda", "--format", "jsonl")).splitlines()
    return [json.loads(line)["ref"] for line in rows if json.loads(line)["what"] == "conflict"]


def test_agenda_lists_the_open_conflicts_of_every_kind_and_drops_them_once_settled(
    team: Team, tmp_path: Path
) -> None:
    joined(team, tmp_path, "ama", "ben")
    ok(team("ama", "log", "diversify", MINUSMA, "--date", "2023-06-30"))
    ok(team("ama", "source", "add", "unsc", "--name", "UN Security Council"))
    ok(team("ama", "source", "add", "un-security-council", "--name", "United Nations Security Council"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "edit", "1", "--effect", "-2"))
    ok(team("ben", "edit", "1", "--effect", "-1"))
    ok(team("ben", "source", "merge", "un-security-council", "unsc"))
    ok(team("ama", "source", "merge", "unsc", "un-security-council"))
    for name in ("ama", "ben", "ama"):
        team(name, "sync")
    for name in ("ama", "ben"):
        assert sorted(_agenda_conflicts(team, name)) == ["1", "source:unsc"], name
    ok(team("ama", "conflicts", "resolve", "1", "--keep", "mine"))
    ok(team("ama", "conflicts", "resolve", "source:unsc", "--keep", "mine"))
    for name in ("ama", "ben", "ama"):
        ok(team(name, "sync"))
    for name in ("ama", "ben"):
        assert ok(team(name, "conflicts")) == "no conflicts\n"
        assert _agenda_conflicts(team, name) == [], name  # it listed the entry, settled, for good


def test_a_typo_in_a_key_is_answered_in_the_analysts_language(team: Team, tmp_path: Path) -> None:
    ok(team("chi", "source", "add", "unsc", "--name", "UN Security Council"))
    for args, english, french in (
        (("log", "regionl", ECOWAS), "did you mean 'regional'? ", "vouliez-vous dire 'regional' ? "),
        (("source", "show", "unsx"), "did you mean 'unsc'? ", "vouliez-vous dire 'unsc' ? "),
    ):
        said = team("chi", "--lang", "fr", *args)
        assert said.exit_code == 1 and french in said.stderr and "did you mean" not in said.stderr
        assert english in team("chi", *args).stderr


def test_the_agenda_marks_a_summary_it_cuts(team: Team, tmp_path: Path) -> None:
    ok(team("ama", "log", "regional", AES, "--date", "2024-07-06"))
    ok(team("ama", "log", "regional", ECOWAS, "--date", "2024-01-28"))
    rows = [json.loads(line) for line in ok(team("ama", "agenda", "--format", "jsonl")).splitlines()]
    details = {row["since"]: row["detail"] for row in rows if row["what"] == "entry"}
    assert details["2024-01-28"] == f"not reviewed: {ECOWAS}"  # whole when it fits
    cut = details["2024-07-06"].removeprefix("not reviewed: ")
    assert len(AES) > 80 and len(cut) == 80 and cut.endswith("…") and AES.startswith(cut[:-1])
