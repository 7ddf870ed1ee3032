"""What a week of three analysts syncing found: each test fails on the release before its fix."""

from __future__ import annotations

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
