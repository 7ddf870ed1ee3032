"""Crossed source merges through `policytrack sync`: one analyst merges key a into b while another,
offline, merges b into a. Every database ends with one registry, the same citations and the same reported
conflict, whatever the order the three databases sync in (local bare repositories only)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import Team, ok

pytestmark = pytest.mark.slow  # git processes: CI runs them

NAMES = ("ama", "ben", "chi")


def shared_view(team: Team, tmp_path: Path, name: str) -> dict[str, Any]:
    """What must be the same in every database: the registry, where each key leads, each entry's
    citation and history, and the conflicts."""
    sources = json.loads(ok(team(name, "source", "list", "--json")))["sources"]
    conn = sqlite3.connect(tmp_path / f"{name}.db")
    leads = sorted(
        conn.execute(
            "SELECT s.key, m.key FROM sources s LEFT JOIN sources m ON m.id = s.merged_into ORDER BY s.key"
        )
    )
    cites = sorted(
        conn.execute("SELECT e.summary, s.key FROM entries e LEFT JOIN sources s ON s.id = e.source_id")
    )
    conn.close()
    history = ok(team(name, "export", "entries", "--all-revisions", "--format", "jsonl")).splitlines()
    revisions = sorted(
        json.dumps({k: v for k, v in json.loads(line).items() if k != "id"}) for line in history
    )
    conflicts = json.loads(ok(team(name, "conflicts", "--json")))
    return {
        "sources": [{k: v for k, v in s.items() if k != "id"} for s in sources],
        "leads": leads,
        "cites": cites,
        "revisions": revisions,
        "conflicts": conflicts,
    }


@pytest.mark.parametrize(
    "order",
    [("ama", "ben", "chi"), ("ben", "ama", "chi"), ("chi", "ben", "ama"), ("ben", "chi", "ama")],
)
def test_crossed_merges_leave_one_registry_and_one_conflict_in_every_database(
    team: Team, tmp_path: Path, order: tuple[str, ...]
) -> None:
    for name in NAMES:
        ok(team(name, "sync", "init", str(tmp_path / "shared.git")))
    ok(team("ama", "source", "add", "wire-a", "--name", "Example Wire"))
    ok(team("ama", "source", "add", "wire-b", "--name", "Example Wire Service"))
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06", "--source", "wire-a"))
    ok(team("ama", "log", "regional", "Second statement", "--date", "2024-07-07", "--source", "wire-b"))
    for name in NAMES:
        ok(team(name, "sync"))
    # apart: ama merges a into b, ben (offline) b into a, a moment later
    ok(team("ama", "source", "merge", "wire-a", "wire-b"))
    ok(team("ben", "source", "merge", "wire-b", "wire-a"))
    for _round in range(2):
        for name in order:
            ok(team(name, "sync"))
    views = {name: shared_view(team, tmp_path, name) for name in NAMES}
    assert views["ama"] == views["ben"] == views["chi"]
    view = views["ama"]
    # the earlier merge (ama's) stands; the later one would make a cycle and is a conflict, not applied
    assert dict(view["leads"]) == {"wire-a": "wire-b", "wire-b": None}
    # each merge's revisions cite the key it named (wire-a leads on to wire-b), in every database
    cites = dict(view["cites"])
    assert cites == {"AES treaty signed": "wire-b", "Second statement": "wire-a"}
    (conflict,) = view["conflicts"]
    assert conflict["ref"] == "source:wire-b"
    assert conflict["merge"] == {"into": "wire-a", "met": "wire-a"}
    assert [v["changed_by"] for v in conflict["versions"]] == ["ben"]
    shown = ok(team("chi", "conflicts"))
    assert "source wire-b merged into wire-a by ben" in shown and "not applied" in shown
