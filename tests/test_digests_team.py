"""Three analysts' databases after random work and syncs in random orders: the brief's content hash (HTML
and SVG), every revision (`export entries --all-revisions`, without the local id) and `history` are the
same in every database, and no stored entry digest is stale (`db check`), whatever each database stored
and when (store.digests, m026_entry_digests)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from conftest import Team, ok
from test_sync import history_of, joined

# git runs in every sync: CI runs these; the default run skips them.
pytestmark = pytest.mark.slow

NAMES = ("ama", "ben", "chi")
_HASH = re.compile(r"sha256 of the [\d,]+ entr(?:y|ies): ([0-9a-f]{64})")


def _hashes(team: Team, name: str) -> set[str]:
    """The content hash each brief format shows (one, or the test fails)."""
    found = set()
    for fmt in ("html", "svg"):
        found |= set(_HASH.findall(ok(team(name, "report", "-f", fmt, "--as-of", "2025-01-01"))))
    return found


def _uuids(team: Team, name: str) -> dict[str, str]:
    """This database's local id of each entry (deleted ones too), by uuid."""
    lines = ok(team(name, "export", "entries", "--all-frameworks", "--format", "jsonl"))
    current = {r["uuid"]: str(r["id"]) for r in map(json.loads, lines.splitlines())}
    deleted = json.loads(ok(team(name, "list", "--deleted", "--json", "--all-frameworks")))
    return current | {r["uuid"]: str(r["id"]) for r in deleted}


def _history(team: Team, name: str, uuid: str) -> str:
    """An entry's `history`, as JSON and as the table's cells (what each revision changed, read against
    the revision it was made from, and the mark of an undo or a revert, which travels with its revision),
    without the entry's local id."""
    revisions = json.loads(ok(team(name, "history", f"@{uuid[:12]}", "--json")))
    for revision in revisions:
        revision.get("entry", {}).pop("id", None)
    table = ok(team(name, "history", f"@{uuid[:12]}")).splitlines()[1:]
    cells = [[cell.strip() for cell in line.split("│")] for line in table if "│" in line]
    return json.dumps([revisions, cells], sort_keys=True, ensure_ascii=False)


def _step(team: Team, name: str, rng: random.Random, tmp_path: Path, turn: int) -> None:
    """One random thing an analyst does to an entry they hold (failures that a person would see as a
    refusal, such as restoring a current entry, are allowed; a traceback is not)."""
    ids = sorted(_uuids(team, name).values(), key=int)
    action = rng.choice(
        ["log", "log", "edit", "edit", "delete", "restore", "undo", "revert", "source", "redact", "import"]
    )
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    some = rng.choice(ids) if ids else None
    if action == "log" or some is None:
        args = ["log", rng.choice(["regional", "diversify"]), f"{name} saw {turn}", "--date", day]
        if rng.random() < 0.5:
            args += ["-s", rng.choice(["wire", "desk"]), "--grade", "B2"]
        result = team(name, *args)
    elif action == "edit":
        field = rng.choice([["--note", f"{name} {turn}"], ["--date", day], ["--effect", "1"], ["--tag", "t"]])
        result = team(name, "edit", some, *field)
    elif action == "delete":
        result = team(name, "delete", some, "--force")
    elif action == "restore":
        result = team(name, "restore", some)
    elif action == "undo":
        result = team(name, "undo", "--yes")
    elif action == "revert":
        result = team(name, "revert", some, "--to", "1", "--yes")
    elif action == "source":
        result = team(name, "source", "merge", "desk", "wire")
    elif action == "redact":
        result = team(name, "redact", some, "--field", "note", "--reason", "names an informant")
    else:
        other = tmp_path / f"{name}-{turn}.jsonl"
        other.write_text(
            json.dumps({"indicator": "regional", "date": day, "summary": f"{name} imported {turn}"}) + "\n"
        )
        result = team(name, "import", str(other))
    assert "Traceback" not in result.output, (action, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (action, result.exception)


@pytest.mark.parametrize("seed", [3, 4])
def test_three_analysts_agree_on_the_hash_the_revisions_and_history(
    team: Team, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    joined(team, tmp_path, *NAMES)
    for name in NAMES:
        for key in ("wire", "desk"):
            ok(team(name, "source", "add", key, "--name", f"{key} of {name}"))
    for turn in range(6):
        for name in rng.sample(NAMES, 3):
            _step(team, name, rng, tmp_path, turn)
            if rng.random() < 0.5:
                _hashes(team, name)  # digests stored part way, at different times in each database
        for name in rng.sample(NAMES, rng.randint(1, 3)):
            ok(team(name, "sync"))
    for _ in range(2):  # until everyone has every commit
        for name in rng.sample(NAMES, 3):
            ok(team(name, "sync"))
    hashes = [_hashes(team, name) for name in NAMES]
    assert len(hashes[0]) == 1 and hashes[0] == hashes[1] == hashes[2], hashes
    assert history_of(team, "ama") == history_of(team, "ben") == history_of(team, "chi")
    by_uuid = [_uuids(team, name) for name in NAMES]
    assert set(by_uuid[0]) == set(by_uuid[1]) == set(by_uuid[2])
    for uuid in by_uuid[0]:
        shown = {_history(team, name, uuid) for name in NAMES}
        assert len(shown) == 1, "\n".join(shown)
    for name in NAMES:
        assert ok(team(name, "db", "check")).endswith(": ok\n")
