"""`policytrack redact`'s known gaps closed (issue 22 point 7): every path that writes an entry's free text
refuses text in a field redacted of it (a return, an import), undo steps past a redaction, `redact` twice
stores one rule, `sync status` counts right after a rewrite, a stale rewrite file is removed, and a long
reason names the option, in the reader's language."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from conftest import Invoke
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


def _refused(result: Result, words: str) -> None:
    assert result.exit_code == 1, result.stdout
    assert len(result.stderr.splitlines()) == 1 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def _revisions(cli: Invoke) -> str:
    return _ok(cli("export", "entries", "--all-revisions", "--format", "jsonl"))


@pytest.fixture
def logged_ama(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Entry 1, by ama, whose note names an informant."""
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ama")
    _ok(cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--note", SECRET))
    return cli


# -- 1. every writer of an entry's free text refuses text in a redacted field ---------------------------


def test_a_return_comment_in_a_redacted_return_comment_is_refused(
    logged_ama: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYTRACK_ANALYST", "editor")
    _ok(logged_ama("review", "1", "--request-changes", f"{SECRET} is named"))
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ama")
    _ok(logged_ama("redact", "1", "--field", "return_comment", "--reason", "names an informant"))
    before = _revisions(logged_ama)
    monkeypatch.setenv("POLICYTRACK_ANALYST", "editor")
    refused = logged_ama("review", "1", "--request-changes", f"{SECRET}, again")
    _refused(refused, "return_comment of entry 1 is redacted")
    assert refused.stderr.rstrip().endswith(
        "nothing was returned: tell its author what to change another way"
    )
    assert _revisions(logged_ama) == before
    # a review, which clears the return, is no text: it is taken
    _ok(logged_ama("review", "1"))
    comments = [json.loads(r)["return_comment"] for r in _revisions(logged_ama).splitlines()]
    assert comments == [None, MARKER, None], comments


def test_an_import_that_puts_text_back_into_a_redacted_field_is_refused(
    logged_ama: Invoke, tmp_path: Path
) -> None:
    exported = json.loads(_ok(logged_ama("export", "entries", "--format", "jsonl")))
    _ok(logged_ama("redact", "1", "--field", "note", "--reason", "names an informant"))
    before = _revisions(logged_ama)
    # a newer state of the entry (no revision: a hand-made file), its note holding text again
    row = {k: v for k, v in exported.items() if k not in ("revision", "id")}
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps(row | {"note": f"{SECRET}, again"}) + "\n", encoding="utf-8")
    refused = logged_ama("import", str(again))
    _refused(refused, "note of entry 1 is redacted")
    assert _revisions(logged_ama) == before
    # the same row with the marker, or with the note left empty, is taken
    kept = tmp_path / "kept.jsonl"
    kept.write_text(json.dumps(row | {"note": MARKER, "summary": "AES treaty signed"}) + "\n", "utf-8")
    assert "1 updated" in _ok(logged_ama("import", str(kept)))
    assert json.loads(_ok(logged_ama("show", "1", "--json")))["note"] == MARKER


def test_an_import_of_an_entry_a_held_redaction_names_is_refused_text_in_that_field(
    logged_ama: Invoke, isolated_env: Path, tmp_path: Path
) -> None:
    """A redaction received in sync for an entry this database does not hold yet is the rule its
    revisions meet when they arrive: by import too."""
    from policytrack.store import Store

    uuid = "4b1e9c55-0000-4000-8000-000000000001"
    store = Store(isolated_env)
    try:
        with store.transaction():
            store.add_redaction(
                {
                    "uuid": "4b1e9c55-0000-4000-8000-0000000000aa",
                    "entry": uuid,
                    "field": "note",
                    "reason": "names an informant",
                    "by": "ama",
                    "at": "2024-07-07T00:00:00.000000Z",
                }
            )
    finally:
        store.close()
    before = _revisions(logged_ama)
    row = {"uuid": uuid, "indicator": "regional", "date": "2024-07-05", "summary": "Summit held"}
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps(row | {"note": SECRET, "analyst": "ama"}) + "\n", encoding="utf-8")
    _refused(logged_ama("import", str(path)), "note of entry @4b1e9c55 is redacted")
    assert _revisions(logged_ama) == before
    path.write_text(json.dumps(row | {"analyst": "ama"}) + "\n", encoding="utf-8")
    assert "1 added" in _ok(logged_ama("import", str(path)))


# -- 2. undo steps past a redaction ---------------------------------------------------------------------


def test_undo_after_a_redaction_takes_back_the_change_before_it_and_the_redaction_stays(
    logged_ama: Invoke, isolated_env: Path
) -> None:
    _ok(logged_ama("edit", "1", "--summary", "AES treaty signed in Niamey, per the text"))
    _ok(logged_ama("redact", "1", "--field", "note", "--reason", "names an informant"))
    shown = _ok(logged_ama("undo", "--dry-run"))
    assert "the redaction of note of entry 1 after it stays" in " ".join(shown.split())
    out = _ok(logged_ama("undo", "--yes"))
    assert "Undid the edit of entry 1 (revision 2" in " ".join(out.split())
    now = json.loads(_ok(logged_ama("show", "1", "--json")))
    assert now["summary"] == "AES treaty signed in Niamey" and now["note"] == MARKER
    assert _redactions(isolated_env) == 1
    assert "Zedekiah" not in _revisions(logged_ama)
    # the next undo steps further back: the log (a tombstone), the marker still in place
    _ok(logged_ama("undo", "--yes"))
    assert _ok(logged_ama("export", "entries", "--format", "jsonl")) == ""
    assert "Zedekiah" not in _revisions(logged_ama)


def test_undo_of_a_change_a_redaction_took_out_whole_says_so_with_revert(
    logged_ama: Invoke, isolated_env: Path
) -> None:
    _ok(logged_ama("edit", "1", "--note", f"{SECRET}, confirmed"))  # changes only the note
    _ok(logged_ama("redact", "1", "--field", "note", "--reason", "names an informant"))
    before = _revisions(logged_ama)
    refused = logged_ama("undo", "--yes")
    _refused(refused, "cannot undo the edit of entry 1 (revision 2")
    assert "redacted since" in refused.stderr and refused.stderr.rstrip().endswith("lists them)")
    assert "`policytrack revert 1 --to REVISION`" in refused.stderr
    assert _revisions(logged_ama) == before and _redactions(isolated_env) == 1


def test_undo_with_only_a_redaction_to_show_says_a_redaction_is_for_good(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    """The entry's analyst (named by whoever logged it) may redact it without any change of theirs."""
    monkeypatch.setenv("POLICYTRACK_ANALYST", "editor")
    _ok(cli("log", "regional", "AES treaty", "--date", "2024-07-06", "--note", SECRET, "--analyst", "ama"))
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ama")
    _ok(cli("redact", "1", "--field", "note", "--reason", "names an informant"))
    _refused(cli("undo", "--yes"), "a redaction is for good")
    assert _redactions(isolated_env) == 1


# -- 4. redact twice ------------------------------------------------------------------------------------


def test_redact_twice_says_already_redacted_and_stores_nothing_new(
    logged_ama: Invoke, isolated_env: Path
) -> None:
    _ok(logged_ama("redact", "1", "--field", "note", "--reason", "names an informant"))
    before = _revisions(logged_ama)
    again = logged_ama("redact", "1", "--field", "note", "--reason", "still names one")
    assert again.exit_code == 0, again.stderr
    assert "note of entry 1 is already redacted" in " ".join(again.stdout.split())
    assert _redactions(isolated_env) == 1 and _revisions(logged_ama) == before
    assert "still names one" not in _ok(logged_ama("history", "1"))
    # another field of the same entry is its own redaction
    _ok(logged_ama("redact", "1", "--field", "summary", "--reason", "names a place"))
    assert _redactions(isolated_env) == 2


# -- 6. the reason's length names the option, in the reader's language --------------------------------


def test_a_long_reason_names_the_option_in_english_and_french(logged_ama: Invoke, isolated_env: Path) -> None:
    from policytrack.core.storable import MAX_CELL_TEXT

    reason = "x" * (MAX_CELL_TEXT + 1)
    english = logged_ama("redact", "1", "--field", "note", "--reason", reason)
    _refused(english, "--reason is 32,768 characters long")
    assert english.stderr.rstrip().endswith("shorten it")
    french = logged_ama("--lang", "fr", "redact", "1", "--field", "note", "--reason", reason)
    _refused(french, "--reason")
    assert "shorten it" not in french.stderr and "raccourcissez" in french.stderr
    assert _redactions(isolated_env) == 0
    # other users of the check still name their field
    long_note = logged_ama("edit", "1", "--note", reason)
    _refused(long_note, "note is 32,768 characters long")


# -- 3 and 5, in sync: local bare repositories (git: the slow set) ------------------------------------


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Invoke) -> Team:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_DIR", raising=False)

    def invoke(name: str, *args: str) -> Result:
        monkeypatch.setenv("POLICYTRACK_ANALYST", name)
        return cli("--db", str(tmp_path / f"{name}.db"), *args)

    return invoke


@pytest.mark.slow
@pytest.mark.parametrize("note", ["x", SECRET * 3], ids=["shorter-than-the-marker", "longer"])
def test_sync_status_counts_right_after_a_redaction_rewrite_not_pushed(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, note: str
) -> None:
    """The rewrite changes the length of lines already pushed: counting from the pushed file's byte
    length cut a line in two (or found nothing). What is to send is the lines the remote lacks: the
    rewritten revision and the redaction."""
    from policytrack.core.errors import SyncError
    from policytrack.sync import engine
    from test_sync import joined

    joined(team, tmp_path, "ama", "ben")
    _ok(team("ama", "log", "regional", "AES treaty", "--date", "2024-07-06", "--note", note))
    _ok(team("ama", "sync"))
    _ok(team("ama", "redact", "1", "--field", "note", "--reason", "names an informant"))

    def refused(*args: object) -> bool:
        raise SyncError("the shared repository refused the push (test); check your access to it")

    monkeypatch.setattr(engine, "_push", refused)
    assert team("ama", "sync").exit_code == 1
    monkeypatch.undo()
    assert "to send: 2" in _ok(team("ama", "sync", "status"))
    _ok(team("ama", "sync"))
    assert "to send: 0" in _ok(team("ama", "sync", "status"))
    _ok(team("ben", "sync"))
    assert [json.loads(x)["note"] for x in _revisions_of(team, "ben")] == [MARKER]


def _revisions_of(team: Team, name: str) -> list[str]:
    return _ok(team(name, "export", "entries", "--all-revisions", "--format", "jsonl")).splitlines()


@pytest.mark.slow
def test_a_stale_rewrite_file_is_removed_by_the_next_sync_and_never_committed(
    team: Team, tmp_path: Path
) -> None:
    """A kill during the rewrite leaves `FILE.jsonl.redacting`, which holds the text (the whole file)."""
    from test_sync import joined

    joined(team, tmp_path, "ama")
    _ok(team("ama", "log", "regional", "AES treaty", "--date", "2024-07-06", "--note", SECRET))
    _ok(team("ama", "sync"))
    clone = tmp_path / "ama.db.sync"
    (own,) = (clone / "analysts" / "ama").glob("*.jsonl")
    # left by a rewrite of an earlier month's file, which no later rewrite writes again
    stale = own.with_name(f"2020-01-{own.name[8:]}.redacting")
    stale.write_bytes(own.read_bytes())
    # a git that ignores it (a global excludes file) leaves it to `git clean`: it must go all the same
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "home" / ".gitignore").write_text("*.redacting\n", encoding="utf-8")
    subprocess.run(
        ["git", "-C", str(clone), "config", "core.excludesFile", str(tmp_path / "home" / ".gitignore")],
        check=True,
    )
    _ok(team("ama", "redact", "1", "--field", "note", "--reason", "names an informant"))
    _ok(team("ama", "sync"))
    assert not stale.exists()
    assert "Zedekiah" not in "".join(p.read_text("utf-8") for p in (clone / "analysts").rglob("*.*"))
    tracked = subprocess.run(
        ["git", "--git-dir", str(tmp_path / "shared.git"), "log", "--all", "--name-only", "--format="],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".redacting" not in tracked


@pytest.mark.slow  # a team of two syncing four times (3 s): CI runs it
def test_own_files_are_read_for_a_rewrite_only_when_a_redaction_is_new(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sync took the redacted text out of this database's own files, reading each of them whole;
    now only a sync that holds a redaction new since the last rewrite committed does, and one cut short
    between the rewrite and its commit does it again."""
    from policytrack.sync import redactions
    from policytrack.sync.git import Clone
    from test_sync import joined

    read: list[str] = []
    line_redacted = redactions._line_redacted

    def counted(record: dict[str, object], fields: set[str]) -> bool:
        read.append(str(record["uuid"]))
        return line_redacted(record, fields)

    monkeypatch.setattr(redactions, "_line_redacted", counted)
    joined(team, tmp_path, "ama", "ben")
    _ok(team("ama", "log", "regional", "AES treaty", "--date", "2024-07-06", "--note", SECRET))
    _ok(team("ama", "log", "regional", "Second treaty", "--date", "2024-07-07", "--note", SECRET))
    _ok(team("ama", "sync"))
    _ok(team("ama", "redact", "1", "--field", "note", "--reason", "names an informant"))
    _ok(team("ama", "sync"))
    assert read, "the new redaction's rewrite read the file"
    read.clear()
    _ok(team("ama", "sync"))
    _ok(team("ama", "log", "regional", "Third", "--date", "2024-07-08"))
    _ok(team("ama", "sync"))
    assert read == []
    # a second redaction, whose rewrite is cut short before its commit: the next sync rewrites again
    _ok(team("ama", "redact", "2", "--field", "note", "--reason", "names an informant"))
    run = Clone.run

    def failing(self: Clone, *args: str, check: bool = True) -> str:
        if args[:1] == ("commit",) and "redacted text taken out" in " ".join(args):
            raise KeyboardInterrupt  # as a kill between the rewrite and its commit
        return run(self, *args, check=check)

    monkeypatch.setattr(Clone, "run", failing)
    assert team("ama", "sync").exit_code != 0
    monkeypatch.setattr(Clone, "run", run)
    read.clear()
    _ok(team("ama", "sync"))
    assert read
    clone = tmp_path / "ama.db.sync"
    assert "Zedekiah" not in "".join(p.read_text("utf-8") for p in (clone / "analysts").rglob("*.jsonl"))
    _ok(team("ben", "sync"))
    assert "Zedekiah" not in "".join(_revisions_of(team, "ben"))
