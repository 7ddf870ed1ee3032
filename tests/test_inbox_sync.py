"""Inbox decisions travelling through `policytrack sync` (issue 24): decisions and their undo travel, bound
to who decided; candidates and feeds stay in each database; a decision about a candidate a database has not
read yet waits for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Team, ok
from test_inbox import ACLED_COLUMNS, AES, ECOWAS, acled_row, rows, write_csv


def states(team: Team, name: str, tmp_path: Path) -> dict[str, tuple[str, bool]]:
    """Each candidate's state and whether it names an entry, by external id."""
    found = rows(tmp_path / f"{name}.db", "SELECT external_id, state, entry_uuid FROM candidates")
    return {ext: (state, entry is not None) for ext, state, entry in found}


@pytest.mark.slow  # runs git
def test_decisions_and_their_undo_travel_and_wait_for_their_candidate(team: Team, tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [
            acled_row("EXA1", "2024-07-06", AES),
            acled_row("EXA2", "2024-01-28", ECOWAS, time_precision="3"),
            acled_row("EXA3", "2024-03-01", "Example event 3"),
        ],
    )
    for name in ("ama", "ben"):
        ok(team(name, "sync", "init", str(tmp_path / "shared.git")))
    ok(team("ama", "inbox", "add", str(data), "--kind", "acled"))
    ok(team("ama", "inbox", "accept", "1", "--indicator", "regional"))
    ok(team("ama", "inbox", "reject", "2", "--reason", "not about the treaty"))
    ok(team("ama", "sync"))
    lines = [
        json.loads(line)
        for path in (tmp_path / "ama.db.sync" / "analysts" / "ama").iterdir()
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    decisions = [r for r in lines if r["kind"] == "decision"]
    assert sorted(d["action"] for d in decisions) == ["accept", "reject"]
    assert not [r for r in lines if r["kind"] in ("candidate", "feed")]  # candidates stay local

    ok(team("ben", "sync"))  # ben has read no file yet: the decisions wait
    assert rows(tmp_path / "ben.db", "SELECT count(*) FROM candidate_decisions") == [(2,)]
    ok(team("ben", "inbox", "add", str(data), "--kind", "acled"))
    assert states(team, "ben", tmp_path) == {
        "EXA1": ("accepted", True),
        "EXA2": ("rejected", False),
        "EXA3": ("waiting", False),
    }
    listed = json.loads(ok(team("ben", "inbox", "--json")))
    assert [c["external_id"] for c in listed] == ["EXA3"]
    ok(team("ben", "inbox", "snooze", str(listed[0]["id"]), "--until", "2099-01"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    assert states(team, "ama", tmp_path)["EXA3"] == ("snoozed", False)

    ok(team("ama", "undo", "--yes"))  # the reject
    ok(team("ama", "undo", "--yes"))  # the accept (its entry deleted)
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    assert (
        states(team, "ben", tmp_path)
        == states(team, "ama", tmp_path)
        == {
            "EXA1": ("waiting", False),
            "EXA2": ("waiting", False),
            "EXA3": ("snoozed", False),
        }
    )
    assert json.loads(ok(team("ben", "list", "--json"))) == []
    undos = rows(tmp_path / "ben.db", "SELECT decided_by FROM candidate_decisions WHERE action = 'undo'")
    assert undos == [("ama",), ("ama",)]
    # ben's undo offers only ben's own decision (the snooze), never ama's
    assert "snooze" in ok(team("ben", "undo", "--dry-run"))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"action": "reject", "reason": ""}, ["reject", "reason"]),
        ({"action": "accept", "entry": None}, ["accept", "entry"]),
        ({"action": "undo", "undoes": None}, ["undo", "undoes"]),
        ({"action": "snooze", "until": "2099-01-31", "undoes": "9" * 8}, ["undo"]),
    ],
)
def test_a_teammates_decision_line_is_checked_as_one_taken_here(
    change: dict[str, Any], words: list[str], db_path: Path
) -> None:
    from policytrack.store import Store
    from policytrack.sync.kinds import check_record
    from policytrack.sync.record import Incoming, LineProblem
    from policytrack.sync.validate import validate

    line = {
        "kind": "decision",
        "uuid": "00000000-0000-4000-8000-000000000001",
        "candidate": "00000000-0000-4000-8000-000000000002",
        "action": "accept",
        "entry": "00000000-0000-4000-8000-000000000003",
        "batch": "00000000-0000-4000-8000-000000000004",
        "decided_by": "ama",
        "decided_at": "2026-01-01T00:00:00Z",
        **change,
    }
    _kind, record = check_record(line)
    store = Store(db_path)
    with pytest.raises(LineProblem) as caught:
        validate(store, "decision", [Incoming("analysts/ama/x.jsonl line 1", record, "e")])
    assert all(w in str(caught.value) for w in words), caught.value


@pytest.mark.slow  # runs git
def test_decisions_taken_apart_are_listed_as_a_conflict_until_one_is_undone(
    team: Team, tmp_path: Path
) -> None:
    data = write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [acled_row("EXA1", "2024-07-06", AES), acled_row("EXA2", "2024-03-01", "Example event 2")],
    )
    for name in ("ama", "ben"):
        ok(team(name, "sync", "init", str(tmp_path / "shared.git")))
        ok(team(name, "inbox", "add", str(data), "--kind", "acled"))
    ok(team("ama", "inbox", "reject", "1", "--reason", "not about the treaty"))
    ok(team("ama", "inbox", "reject", "2", "--reason", "off topic"))
    ok(team("ben", "inbox", "accept", "1", "--indicator", "regional"))  # later, without seeing ama's
    ok(team("ben", "inbox", "reject", "2", "--reason", "also off topic"))  # agrees: no conflict
    for name in ("ama", "ben", "ama"):
        ok(team(name, "sync"))
    for name in ("ama", "ben"):
        found = json.loads(ok(team(name, "conflicts", "--json")))
        assert [(c["kind"], c["id"]) for c in found] == [("decision", 1)]
        sides = found[0]["decisions"]
        assert [(d["decided_by"], d["action"]) for d in sides] == [("ama", "reject"), ("ben", "accept")]
        assert found[0]["current"] == sides[1]["uuid"]  # the later decided_at stands
        assert states(team, name, tmp_path)["EXA1"] == ("accepted", True)
    text = ok(team("ama", "conflicts"))
    assert "candidate 1" in text and "not about the treaty" in text and "(current)" in text

    ok(team("ama", "undo", "--yes"))  # ama's latest: the reject of 2
    ok(team("ama", "undo", "--yes"))  # the reject of 1: ben's accept alone stands
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    for name in ("ama", "ben"):
        assert json.loads(ok(team(name, "conflicts", "--json"))) == []
        assert states(team, name, tmp_path)["EXA1"] == ("accepted", True)


@pytest.mark.slow  # runs git
@pytest.mark.parametrize(
    ("keep", "state", "entries"),
    [("mine", "rejected", 0), ("theirs", "accepted", 1), ("ben's uuid", "accepted", 1)],
)
def test_conflicts_resolve_keeps_one_decision_in_every_database(
    keep: str, state: str, entries: int, team: Team, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row("EXA1", "2024-07-06", AES)])
    for name in ("ama", "ben"):
        ok(team(name, "sync", "init", str(tmp_path / "shared.git")))
        ok(team(name, "inbox", "add", str(data), "--kind", "acled"))
    ok(team("ama", "inbox", "reject", "1", "--reason", "not about the treaty"))
    ok(team("ben", "inbox", "accept", "1", "--indicator", "regional"))
    for name in ("ama", "ben", "ama"):
        ok(team(name, "sync"))
    (found,) = json.loads(ok(team("ama", "conflicts", "--json")))
    ben_side = found["decisions"][1]
    assert ben_side["decided_by"] == "ben"
    text = ok(team("ama", "conflicts"))
    assert f"conflicts resolve {found['ref']} --keep" in text and f"[{ben_side['uuid'][:8]}]" in text

    # a side that is none of the conflict's: one line, the sides named, nothing written
    bad = team("ama", "conflicts", "resolve", found["ref"], "--keep", "0" * 8)
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert bad.stderr.count("\n") == 1 and ben_side["uuid"][:8] in bad.stderr
    assert len(json.loads(ok(team("ama", "conflicts", "--json")))) == 1

    side = ben_side["uuid"][:8] if keep == "ben's uuid" else keep
    ok(team("ama", "conflicts", "resolve", found["ref"], "--keep", side))
    assert json.loads(ok(team("ama", "conflicts", "--json"))) == []
    for name in ("ama", "ben", "ama"):
        ok(team(name, "sync"))
    for name in ("ama", "ben"):
        assert json.loads(ok(team(name, "conflicts", "--json"))) == []
        assert states(team, name, tmp_path)["EXA1"] == (state, state == "accepted")
        assert len(json.loads(ok(team(name, "list", "--json")))) == entries
    decided = rows(
        tmp_path / "ben.db",
        "SELECT action FROM candidate_decisions WHERE decided_by = 'ama' ORDER BY action",
    )
    kept = "reject" if keep == "mine" else "accept"
    assert decided == sorted([("reject",), ("undo",), (kept,)])  # ama's reject, an undo, the kept again
    cited = rows(tmp_path / "ben.db", "SELECT dataset FROM candidate_decisions WHERE action = 'accept'")
    assert cited == [("acled",)] * (1 if keep == "mine" else 2)  # the kept accept cites it again


def _bundle(team: Team, name: str, tmp_path: Path, tag: str) -> dict[str, bytes]:
    """`publish` by `name`: each file of the bundle by its path (the MANIFEST without the database copy's
    line: that copy may differ between databases)."""
    out = tmp_path / f"{name}-{tag}"
    ok(team(name, "publish", str(out), "--as-of", "2024-12-31"))
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    del files["policytrack.db"]
    files["MANIFEST"] = b"\n".join(
        line for line in files["MANIFEST"].splitlines() if not line.endswith(b"  policytrack.db")
    )
    return files


@pytest.mark.slow  # runs git
def test_publish_cites_the_same_datasets_in_every_database_holding_the_decisions(
    team: Team, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row("EXA1", "2024-07-06", AES)])
    for name in ("ama", "ben"):
        ok(team(name, "sync", "init", str(tmp_path / "shared.git")))
    ok(team("ama", "inbox", "add", str(data), "--kind", "acled"))  # ben never reads the file
    ok(team("ama", "inbox", "accept", "1", "--indicator", "regional"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    (decision,) = rows(tmp_path / "ben.db", "SELECT dataset, licence FROM candidate_decisions")
    assert decision[0] == "acled" and "ACLED" in decision[1]
    assert rows(tmp_path / "ben.db", "SELECT count(*) FROM candidates") == [(0,)]

    ama, ben = (_bundle(team, name, tmp_path, "accepted") for name in ("ama", "ben"))
    assert ama == ben
    assert b"ACLED" in ama["CITATION.cff"] and b"ACLED" in ama["datapackage.json"]

    ok(team("ama", "undo", "--yes"))  # the accept (its entry deleted)
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ama, ben = (_bundle(team, name, tmp_path, "undone") for name in ("ama", "ben"))
    assert ama == ben
    assert b"ACLED" not in ama["CITATION.cff"] and b"ACLED" not in ama["datapackage.json"]
