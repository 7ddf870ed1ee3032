"""Review of the sent lines SQLite builds (issue 21): histories that cross teammates, compared through a
real sync between databases on a local bare repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import Team, ok


def _history(team: Team, name: str) -> list[str]:
    """`export entries --all-revisions` without the local id: what issue 21 point 2 holds equal."""
    out = ok(team(name, "export", "entries", "--all-revisions", "--format", "jsonl"))
    rows = ({k: v for k, v in json.loads(line).items() if k != "id"} for line in out.split("\n") if line)
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="the redaction rewrite of a teammate-reviewed entry is received again as a second 'create' "
    "revision by its author and the reviewer, not by a teammate who joins later (the old sender too)",
)
def test_a_redaction_after_a_teammates_review_leaves_every_history_the_same(
    team: Team, tmp_path: Path
) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "repo.git")], check=True)
    for name in ("ama", "ben"):
        ok(team(name, "sync", "init", str(tmp_path / "repo.git")))
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06", "--note", "names X"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ben", "review", "1"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    ok(team("ama", "redact", "1", "--field", "note", "--reason", "names an informant"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    ok(team("chi", "sync", "init", str(tmp_path / "repo.git")))
    ok(team("chi", "sync"))
    ama = _history(team, "ama")
    assert _history(team, "ben") == ama
    assert _history(team, "chi") == ama
