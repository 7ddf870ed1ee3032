"""`policytrack redact`: a free-text field of an entry taken out of every revision, search, exports and the
publish bundle; refused to whoever may not; never undone; shown in history; and, in sync, applied by every
teammate (to revisions that arrive later too) and rewritten out of each owner's record files."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from conftest import Invoke
from policytrack.records.redaction import MARKER, REDACTABLE

SECRET = "Informant Zedekiah Quill"


def _ok(result: object) -> str:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


@pytest.fixture
def logged(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Entry 1 by ama, whose note named an informant in two revisions."""
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ama")
    _ok(cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--note", SECRET))
    _ok(cli("edit", "1", "--note", f"{SECRET}, confirmed"))
    return cli


def test_redact_takes_the_text_out_of_every_revision_search_and_exports(
    logged: Invoke, isolated_env: Path
) -> None:
    assert "AES treaty" in _ok(logged("list", "--grep", "Zedekiah"))
    out = _ok(logged("redact", "1", "--field", "note", "--reason", "names an informant"))
    assert "Redacted note of entry 1" in out
    assert "AES treaty" not in _ok(logged("list", "--grep", "Zedekiah"))
    assert "AES treaty" in _ok(logged("list", "--grep", "Niamey"))  # the rest is still found
    revisions = _ok(logged("export", "entries", "--all-revisions", "--format", "jsonl")).splitlines()
    assert [json.loads(r)["note"] for r in revisions] == [MARKER, MARKER]
    history = _ok(logged("history", "1"))
    assert "redact" in history and "names an informant" in history and "Zedekiah" not in history
    as_json = json.loads(_ok(logged("history", "1", "--json")))
    assert as_json[-1]["action"] == "redact" and as_json[-1]["redacted"] == {
        "field": "note",
        "reason": "names an informant",
    }
    assert "Zedekiah" not in json.dumps(as_json)
    # shown translated, stored fixed
    assert "[caviardé]" in _ok(logged("--lang", "fr", "show", "1"))


def test_redacting_a_summary_takes_its_translation_out_with_it(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The brief and the site show a summary's translation first: left in place, it would show what the
    redaction took out."""
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ama")
    translated = ("--translation", f"{SECRET} a rencontré la délégation", "--translation-language", "fr")
    _ok(cli("log", "regional", f"{SECRET} met the delegation", "--date", "2024-07-06", *translated))
    _ok(cli("log", "regional", "Nothing to translate here", "--date", "2024-07-07"))
    out = _ok(cli("redact", "1", "--field", "summary", "--reason", "names an informant"))
    assert "summary_translation" in out
    shown = json.loads(_ok(cli("show", "1", "--json")))
    assert shown["summary"] == MARKER and shown["summary_translation"] == MARKER
    revisions = _ok(cli("export", "entries", "--all-revisions", "--format", "jsonl"))
    assert "Zedekiah" not in revisions
    history = json.loads(_ok(cli("history", "1", "--json")))
    assert sorted(r["redacted"]["field"] for r in history if r["action"] == "redact") == [
        "summary",
        "summary_translation",
    ]
    _ok(cli("publish", str(tmp_path / "bundle"), "--site", "--lang", "fr", "--as-of", "2024-12-31"))
    for path in (tmp_path / "bundle").rglob("*"):
        if path.is_file():
            assert b"Zedekiah" not in path.read_bytes(), path
    # an entry with no translation: only its summary is redacted
    out = _ok(cli("redact", "2", "--field", "summary", "--reason", "not needed"))
    assert "summary_translation" not in out


def test_undo_steps_past_a_redaction_and_undoing_an_edit_never_brings_the_text_back(
    logged: Invoke, isolated_env: Path
) -> None:
    _ok(logged("redact", "1", "--field", "note", "--reason", "names an informant"))
    refused = logged("undo", "--yes")
    assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1
    # undo steps past the redaction to the edit, which changed only the note: nothing left to take back
    assert "cannot undo the edit of entry 1" in refused.stderr and "redacted since" in refused.stderr
    assert "revert 1" in refused.stderr
    # revision 1 held the text too: it holds the marker now, so there is nothing to bring back
    same = logged("revert", "1", "--to", "1", "--yes")
    assert same.exit_code == 1 and "already has the values of revision 1" in same.stderr
    assert json.loads(_ok(logged("show", "1", "--json")))["note"] == MARKER


def test_who_may_redact_and_bad_input_is_one_line(logged: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ben")
    refused = logged("redact", "1", "--field", "note", "--reason", "x")
    assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1
    assert "ben may not redact entry 1" in refused.stderr and "(ama)" in refused.stderr
    # ben's own revision holding the text makes ben one who may
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ben")
    _ok(logged("edit", "1", "--summary", "AES treaty signed in Niamey, per ben"))
    _ok(logged("redact", "1", "--field", "summary", "--reason", "ben's wording"))
    for args, words in (
        (("1", "--field", "analyst", "--reason", "x"), "is not a field redact can take out"),
        (("1", "--field", "note", "--reason", "  "), "empty --reason"),
        (("99", "--field", "note", "--reason", "x"), "no entry with id 99"),
        (("@zz", "--field", "note", "--reason", "x"), "invalid entry id"),
        (("@abcdef12", "--field", "note", "--reason", "x"), "no entry has a uuid starting"),
    ):
        result = logged("redact", *args)
        assert result.exit_code == 1, args
        assert len(result.stderr.splitlines()) == 1 and words in result.stderr, result.stderr
    missing = logged("redact", "1", "--reason", "x")
    assert missing.exit_code == 2


REDACTED_TEXT = st.text(min_size=1, max_size=40).filter(lambda t: t.strip())


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(REDACTABLE), text=REDACTED_TEXT)
def test_any_redactable_field_is_gone_from_every_stored_row(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, text: str
) -> None:
    _redacted_field_is_gone(cli, tmp_path, monkeypatch, field, text)


@pytest.mark.slow  # the same with more examples
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(REDACTABLE), text=REDACTED_TEXT)
def test_any_redactable_field_is_gone_from_every_stored_row_many_texts(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, text: str
) -> None:
    _redacted_field_is_gone(cli, tmp_path, monkeypatch, field, text)


def _redacted_field_is_gone(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, text: str
) -> None:
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ama")
    db = tmp_path / f"{uuid.uuid4().hex}.db"
    base = ("--db", str(db))
    option = {
        "summary": "--summary",
        "source": "--source",
        "tags": "--tag",
        "actors": "--actor",
        "note": "--note",
        "summary_translation": "--translation",
    }
    if field == "return_comment":
        _ok(cli(*base, "log", "regional", "Example statement", "--date", "2024-07-06"))
        monkeypatch.setenv("POLICYTRACK_ANALYST", "editor")
        result = cli(*base, "review", "1", "--request-changes", text)
    else:
        args = ["log", "regional", "Example statement", "--date", "2024-07-06"]
        if field == "summary":
            args[2] = text
        else:
            args += [option[field], text]
            if field == "summary_translation":
                args += ["--translation-language", "en"]
        result = cli(*base, *args)
    if result.exit_code != 0:
        return  # text log itself refuses (a tag's rules): nothing stored to redact
    _ok(cli(*base, "redact", "1", "--field", field, "--reason", "test"))
    conn = sqlite3.connect(db)
    try:
        for table in ("entries", "entry_revisions"):
            values = [row[0] for row in conn.execute(f"SELECT {field} FROM {table}")]
            # a revision before the text was written held nothing (a return comment's first revision)
            assert all(v in (None, MARKER, json.dumps([MARKER])) for v in values), values
            assert values[-1] in (MARKER, json.dumps([MARKER]))
    finally:
        conn.close()


# -- in sync: three databases, local bare repositories (git: the slow set) ------------------------------


@pytest.mark.slow
def test_a_redaction_reaches_an_offline_teammate_whose_older_revision_never_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Invoke
) -> None:
    from conftest import ok
    from test_sync import joined

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_DIR", raising=False)

    def team(name: str, *args: str) -> Result:
        monkeypatch.setenv("POLICYTRACK_ANALYST", name)
        return cli("--db", str(tmp_path / f"{name}.db"), *args)

    joined(team, tmp_path, "ama", "ben", "chi")
    ok(
        team(
            "ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--note", SECRET
        )
    )
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))
    # ben, offline, edits the entry: his revision holds the text
    ben_id = json.loads(ok(team("ben", "list", "--json")))[0]["id"]
    ok(team("ben", "edit", str(ben_id), "--summary", "AES treaty signed in Niamey (ben)"))
    ok(team("ama", "redact", "1", "--field", "note", "--reason", "names an informant"))
    ok(team("ama", "sync"))
    ok(team("ben", "sync"))  # sends his older revision after receiving the redaction
    ok(team("chi", "sync"))
    ok(team("ama", "sync"))
    for name in ("ama", "ben", "chi"):
        lines = ok(team(name, "export", "entries", "--all-revisions", "--format", "jsonl")).splitlines()
        notes = {json.loads(line)["note"] for line in lines}
        assert notes == {MARKER}, (name, notes)
        assert "(ben)" in ok(team(name, "list"))
    # no record file in the shared repository holds the text, and no pushed commit ever did
    shared = tmp_path / "shared.git"
    every = subprocess.run(
        ["git", "--git-dir", str(shared), "log", "-p", "--all", "--", "analysts/ben"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Zedekiah" not in every
    head = subprocess.run(
        ["git", "--git-dir", str(shared), "grep", "-l", "Zedekiah", "HEAD", "--", "analysts"],
        capture_output=True,
        text=True,
    ).stdout
    assert head == ""  # ama's own file rewritten by ama
    history = ok(team("chi", "history", "@" + json.loads(lines[0])["uuid"][:8]))
    assert "names an informant" in history and "Zedekiah" not in history
