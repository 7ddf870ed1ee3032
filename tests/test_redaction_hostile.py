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
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    from policytrack.sync.kinds import check_record
    from policytrack.sync.record import Sender
    from policytrack.sync.redactions import REDACTIONS
    from policytrack.store import Store

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
