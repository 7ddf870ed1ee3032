"""A team's week (issue 21, point 2): what every teammate's database publishes after syncing the same
commits is the same, whatever each database numbered its entries (local bare repositories only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Team, ok

# Every test here runs git (processes): CI runs them; the default run skips them.
pytestmark = pytest.mark.slow


def bundle(team: Team, tmp_path: Path, name: str) -> dict[str, bytes]:
    """Every file of `name`'s publish bundle by its path, its database copy aside (its local ids join its
    own tables), and MANIFEST without that copy's line."""
    target = tmp_path / f"release-{name}"
    ok(team(name, "publish", str(target), "--as-of", "2024-12-31"))
    files = {
        str(path.relative_to(target)): path.read_bytes()
        for path in sorted(target.rglob("*"))
        if path.is_file() and path.name != "policytrack.db"
    }
    files["MANIFEST"] = b"\n".join(
        line for line in files["MANIFEST"].splitlines() if not line.endswith(b"policytrack.db")
    )
    return files


def test_a_bundle_published_from_any_synced_database_is_the_same_byte_for_byte(
    team: Team, tmp_path: Path
) -> None:
    for name in ("ama", "ben"):
        ok(team(name, "sync", "init", str(tmp_path / "shared.git")))
    # Each logs before receiving the other's, so the same entry has another number in each database.
    ok(team("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--grade", "B2"))
    ok(team("ben", "log", "regional", "Withdrawal from ECOWAS announced", "--date", "2024-01-28"))
    ok(team("ben", "log", "diversify", "Resolution 2690 ends MINUSMA's mandate", "--date", "2023-06-30"))
    for name in ("ama", "ben", "ama"):
        ok(team(name, "sync"))
    ids = {name: ok(team(name, "show", "@" + _ref(team, name), "--json")) for name in ("ama", "ben")}
    assert ids["ama"] != ids["ben"]  # the premise: entry numbers differ between the databases
    ama, ben = bundle(team, tmp_path, "ama"), bundle(team, tmp_path, "ben")
    assert sorted(ama) == sorted(ben)
    assert [path for path in ama if ama[path] != ben[path]] == []
    assert b'"id"' not in ama["entries.csv"] and b'"id":' not in ama["entries.jsonl"]


def _ref(team: Team, name: str) -> str:
    """The uuid of the AES entry, as both databases know it."""
    (found,) = [
        e["uuid"] for e in json.loads(ok(team(name, "list", "--json"))) if e["summary"].startswith("AES")
    ]
    return str(found)[:8]


def test_the_report_workbook_is_created_at_its_as_of_date(team: Team, tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "report.xlsx"
    ok(team("ama", "report", "--as-of", "2024-12-31", "-f", "xlsx", "-o", str(out)))
    core = zipfile.ZipFile(out).read("docProps/core.xml").decode()
    assert "2024-12-31T00:00:00Z" in core
