"""Review of the sent lines SQLite builds (issue 21): histories that cross teammates, compared through a
real sync between databases on a local bare repository."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Team, ok
from policytrack.records.columns import LIST_FIELDS
from policytrack.records.redaction import MARKER, REDACTABLE


def _history(team: Team, name: str) -> list[str]:
    """`export entries --all-revisions` without the local id: what issue 21 point 2 holds equal."""
    out = ok(team(name, "export", "entries", "--all-revisions", "--format", "jsonl"))
    rows = ({k: v for k, v in json.loads(line).items() if k != "id"} for line in out.split("\n") if line)
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows)


@pytest.mark.slow
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
    assert [json.loads(row)["action"] for row in ama] == ["create", "edit"]
    assert _history(team, "ben") == ama
    assert _history(team, "chi") == ama  # joined later: holds only the rewritten line


def _repository_notes(repo: Path) -> list[str]:
    """Every entry line's note in the shared repository's newest commit."""
    files = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", "HEAD", "--", "analysts"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    notes = []
    for name in files:
        text = subprocess.run(
            ["git", "--git-dir", str(repo), "show", f"HEAD:{name}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        notes += [json.loads(line)["note"] for line in text.splitlines() if '"kind":"entry"' in line]
    return notes


@pytest.mark.slow
@pytest.mark.parametrize("redactor", ["ama", "ben"])
def test_a_rewritten_line_is_the_revision_it_replaces_whoever_redacts_and_whenever_each_syncs(
    team: Team, tmp_path: Path, redactor: str
) -> None:
    """ama logs, ben reviews; the author (ama) or the reviewer (ben, whose revision holds the text too)
    redacts the note. Each owner rewrites its own line when the redaction reaches it. dan has the
    repository from the start but first syncs after one rewrite only (the other file still holds the
    text); eve joins after both (she never sees an original line). Every database ends with the same two
    revisions, none holding the text, however many times each syncs again."""
    repo = tmp_path / "repo.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    for name in ("ama", "ben", "dan"):
        ok(team(name, "sync", "init", str(repo)))
    ok(team("ama", "log", "regional", "AES treaty signed", "--date", "2024-07-06", "--note", "names X"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    ok(team("ben", "review", "1"))
    ok(team("ben", "sync"))
    ok(team("ama", "sync"))
    other = "ben" if redactor == "ama" else "ama"
    ok(team(redactor, "redact", "1", "--field", "note", "--reason", "names an informant"))
    ok(team(redactor, "sync"))  # the redaction, and the redactor's own line rewritten
    ok(team("dan", "sync"))  # one rewritten line (never its original), one original still in the other file
    ok(team(other, "sync"))  # the redaction arrives with the rewritten line: the other's line rewritten
    ok(team("eve", "sync", "init", str(repo)))
    for _round in range(2):
        for name in ("eve", "dan", redactor, other):
            ok(team(name, "sync"))
    assert set(_repository_notes(repo)) == {MARKER}
    first = _history(team, "ama")
    assert [json.loads(row)["action"] for row in first] == ["create", "edit"]
    assert {json.loads(row)["note"] for row in first} == {MARKER}
    for name in ("ben", "dan", "eve"):
        assert _history(team, name) == first, name


# -- the rule itself, through the entries' merge (no git: the default run) ---------------------------------

# The redactable fields a created entry may hold text in, whatever else it holds.
_TEXT_FIELDS = tuple(f for f in REDACTABLE if f not in ("summary_translation", "return_comment"))


def _line(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "entry",
        "uuid": "00000000-0000-4000-8000-00000000000a",
        "revision": 1,
        "action": "create",
        "changed_by": "ama",
        "changed_at": "2024-07-06T10:00:00.000000Z",
        "recorded_at": "2024-07-06T10:00:00.000000Z",
        "deleted_at": None,
        "framework": "mali-china-security",
        "indicator": "regional",
        "date": "2024-07-06",
        "date_start": "2024-07-06",
        "date_precision": "day",
        "summary": "Example Ministry statement",
        "effect": 1,
        "grade": None,
        "status": None,
        "source": "Example Wire",
        "tags": ["trade"],
        "actors": ["Example Ministry"],
        "note": "names X",
        "analyst": "ama",
    }
    return {**record, **changes}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new database (migrated, its framework loaded), copied for each example: opening one is slow."""
    from policytrack.domain.workspace import open_store

    path = tmp_path_factory.mktemp("fresh") / "fresh.db"
    with open_store(path):
        pass
    return path


def _merged(fresh: Path, tmp_path: Path, *lines: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The revisions a fresh database holds after merging the lines, one sync at a time (each with its
    event id)."""
    from policytrack.domain.workspace import open_store
    from policytrack.sync.kinds import ENTRIES, Incoming, Received, event_id, line_text
    from policytrack.sync.record import Sender

    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "x.db"
    shutil.copyfile(fresh, path)
    with open_store(path) as store:
        for line in lines:
            item = Incoming("test", ENTRIES.read_line(line), event_id(line_text(line)))
            with store.transaction():
                ENTRIES.apply(store, [item], Received(store), Sender("chi", None, "2026-01-01T00:00:00Z"))
        rows = store.conn.execute(
            """SELECT r.revision, r.action, r.note, r.summary, s.event_id FROM entry_revisions r
               JOIN sync_revisions s USING (entry_id, revision) ORDER BY r.revision"""
        ).fetchall()
    return [tuple(row) for row in rows]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.sets(st.sampled_from(_TEXT_FIELDS), min_size=1))
def test_a_line_rewritten_with_the_marker_is_the_revision_it_replaces(
    fresh: Path, tmp_path: Path, fields: set[str]
) -> None:
    from policytrack.sync.kinds import event_id, line_text

    original = _line()
    rewritten = _line(**{f: [MARKER] if f in LIST_FIELDS else MARKER for f in fields})
    assert line_text(rewritten) != line_text(original)
    for first, then in ((original, rewritten), (rewritten, original)):
        rows = _merged(fresh, tmp_path, first, then)
        assert [row[:2] for row in rows] == [(1, "create")], fields
        assert rows[0][-1] == event_id(line_text(then))  # the line the repository holds now names it


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(_TEXT_FIELDS), text=st.sampled_from(["names Y", MARKER + " "]))
def test_a_line_with_other_text_or_a_marker_where_there_was_none_is_another_revision(
    fresh: Path, tmp_path: Path, field: str, text: str
) -> None:
    value = [text] if field in LIST_FIELDS else text
    assert len(_merged(fresh, tmp_path, _line(), _line(**{field: value}))) == 2
    if field != "summary":  # a summary always holds text
        empty: Any = [] if field in LIST_FIELDS else ""
        marked: Any = [MARKER] if field in LIST_FIELDS else MARKER
        assert len(_merged(fresh, tmp_path, _line(**{field: empty}), _line(**{field: marked}))) == 2
