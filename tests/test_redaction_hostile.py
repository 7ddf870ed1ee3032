"""`policytrack redact` attacked: a reason teammates would refuse, text typed into a redacted field later,
and a redaction forged for an entry a database does not hold yet. Every database of the team must end up
the same, and a refused command writes nothing."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from conftest import Invoke
from policytrack.core.storable import MAX_CELL_TEXT
from policytrack.records.redaction import MARKER

SECRET = "Informant Zedekiah Quill"
Team = Callable[..., Result]


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _redactions(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM redactions").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def logged_ama(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Entry 1, by ama, whose note names an informant."""
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ama")
    _ok(cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--note", SECRET))
    return cli


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    unit=st.sampled_from(["x", "é", "\U0001f600"]),  # one, one and two UTF-16 units
    extra=st.integers(min_value=-2, max_value=2),
)
def test_a_reason_teammates_would_refuse_is_refused_by_redact(
    cli: Invoke, isolated_env: Path, monkeypatch: pytest.MonkeyPatch, unit: str, extra: int
) -> None:
    """The reason travels as a line every teammate checks by its declaration (a spreadsheet cell's
    length): redact holds it to the same rule, or the redactor's whole file is set aside everywhere."""
    from policytrack.store import Store
    from policytrack.sync.kinds import check_record
    from policytrack.sync.record import Sender
    from policytrack.sync.redactions import REDACTIONS

    monkeypatch.setenv("POLICYTRACK_ANALYST", "ama")
    if not json.loads(_ok(cli("list", "--json"))):
        _ok(cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--note", SECRET))
    units = len(unit.encode("utf-16-le")) // 2
    reason = unit * ((MAX_CELL_TEXT + extra * units) // units)
    before = _redactions(isolated_env)
    result = cli("redact", "1", "--field", "note", "--reason", reason)
    if len(reason.encode("utf-16-le")) // 2 > MAX_CELL_TEXT:
        assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1, result.stderr
        assert "reason" in result.stderr and result.stderr.rstrip().endswith("shorten it")
        assert _redactions(isolated_env) == before
        return
    if result.exit_code == 1:  # redacted already by an earlier example: nothing to take out
        return
    _ok(result)
    store = Store(isolated_env)
    try:
        for record, _ref in REDACTIONS.outgoing(store, Sender("ama", "ama", "2024-07-07T00:00:00Z")):
            check_record(json.loads(json.dumps(record)))  # what a teammate's sync checks: no error
    finally:
        store.close()


# -- in sync: local bare repositories (git: the slow set) ---------------------------------------------


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Invoke) -> Team:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_DIR", raising=False)

    def invoke(name: str, *args: str) -> Result:
        monkeypatch.setenv("POLICYTRACK_ANALYST", name)
        return cli("--db", str(tmp_path / f"{name}.db"), *args)

    return invoke


def _git(clone: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(clone), "-c", "user.name=x", "-c", "user.email=x@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _notes(team: Team, name: str) -> list[str]:
    lines = _ok(team(name, "export", "entries", "--all-revisions", "--format", "jsonl")).splitlines()
    return [json.loads(line)["note"] for line in lines]


@pytest.mark.slow
def test_a_redaction_forged_before_its_entry_arrives_is_never_applied(team: Team, tmp_path: Path) -> None:
    """ben learns the uuid of ama's entry before ama syncs it and pushes, by hand, a redaction of it in his
    own folder: chi, who holds no such entry yet, must not apply it when the entry arrives (ama's database,
    which holds it, refuses it)."""
    from test_sync import history_of, joined

    joined(team, tmp_path, "ama", "ben", "chi")
    _ok(
        team(
            "ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--note", SECRET
        )
    )
    entry = json.loads(_ok(team("ama", "show", "1", "--json")))["uuid"]
    clone = tmp_path / "ben.db.sync"
    forged = {
        "kind": "redaction",
        "uuid": "0b12cd44-0000-4000-8000-000000000001",
        "entry": entry,
        "field": "note",
        "reason": "not his to take out",
        "by": "ben",
        "at": "2024-07-07T00:00:00.000000Z",
    }
    (clone / "analysts" / "ben").mkdir(parents=True, exist_ok=True)
    (clone / "analysts" / "ben" / "2024-07-0b12cd44.jsonl").write_text(json.dumps(forged) + "\n")
    _git(clone, "add", "analysts")
    _git(clone, "commit", "-q", "-m", "forged")
    _git(clone, "push", "-q", "origin", "HEAD")
    _ok(team("chi", "sync"))  # holds the redaction; no entry yet
    refused = team("ama", "sync")
    assert refused.exit_code == 1 and "who may not redact" in refused.stderr
    _ok(team("chi", "sync"))  # the entry arrives
    assert _notes(team, "ama") == _notes(team, "chi") == [SECRET]
    assert history_of(team, "ama") == history_of(team, "chi")
    assert "not his to take out" not in _ok(team("chi", "history", "@" + entry[:8]))


def test_text_typed_into_a_redacted_field_later_is_refused(logged_ama: Invoke, isolated_env: Path) -> None:
    """A redaction is a standing rule (every teammate's sync puts the marker in place of the field's
    text in every revision of the entry, later ones included): an edit that puts text back is refused
    here too, with one line and nothing written, rather than kept here and redacted everywhere else."""
    _ok(logged_ama("redact", "1", "--field", "note", "--reason", "names an informant"))
    before = _ok(logged_ama("export", "entries", "--all-revisions", "--format", "jsonl"))
    refused = logged_ama("edit", "1", "--note", f"{SECRET}, again")
    assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1, refused.stderr
    assert "note of entry 1 is redacted" in refused.stderr
    assert _ok(logged_ama("export", "entries", "--all-revisions", "--format", "jsonl")) == before
    # the other fields stay editable, and the marker stays
    _ok(logged_ama("edit", "1", "--summary", "AES treaty signed in Niamey, per the text"))
    assert json.loads(_ok(logged_ama("show", "1", "--json")))["note"] == MARKER


@pytest.mark.slow
def test_an_edit_after_a_redaction_leaves_every_database_the_same(team: Team, tmp_path: Path) -> None:
    from test_sync import history_of, joined

    joined(team, tmp_path, "ama", "ben")
    _ok(team("ama", "log", "regional", "AES treaty", "--date", "2024-07-06", "--note", SECRET))
    _ok(team("ama", "redact", "1", "--field", "note", "--reason", "names an informant"))
    team("ama", "edit", "1", "--note", "a later note")
    _ok(team("ama", "edit", "1", "--summary", "AES treaty signed"))
    for name in ("ama", "ben", "ama"):
        _ok(team(name, "sync"))
    assert _notes(team, "ama") == _notes(team, "ben") == [MARKER] * 2
    assert history_of(team, "ama") == history_of(team, "ben")
