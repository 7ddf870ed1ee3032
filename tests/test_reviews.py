"""Review before publishing: `review ID... --by`, reviews as revisions, an edit clearing a review,
`list --unreviewed`, `report --reviewed-only`, and reviews travelling through export and import."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import Invoke, InvokeJson, Log
from policytrack.core.storable import MAX_FIELD

AS_OF = "2024-12-31"


def revisions(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM entry_revisions").fetchone()[0])
    finally:
        conn.close()


def test_review_is_a_revision_and_an_edit_clears_it(cli: Invoke, cli_json: InvokeJson, log: Log) -> None:
    first = log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    second = log("diversify", "Barkhane withdrawal announced", "--date", "2022-02-17")
    assert [e["id"] for e in cli_json("list", "--unreviewed", "--json")] == [second, first]
    result = cli("review", str(first), "--by", "editor")
    assert result.exit_code == 0 and result.stdout.strip() == f"Reviewed 1 entry ({first})"
    shown = cli_json("show", str(first), "--json")
    assert shown["reviewed_by"] == "editor" and shown["reviewed_at"] and shown["revision"] == 2
    history = cli_json("history", str(first), "--json")
    assert [(r["action"], r["changed_by"]) for r in history] == [("create", "tester"), ("edit", "editor")]
    assert [e["id"] for e in cli_json("list", "--unreviewed", "--json")] == [second]
    again = cli("review", str(first), str(second), "--self")  # --by defaults to the analyst
    assert again.stdout.strip() == f"Reviewed 1 entry ({second}); already reviewed: {first} (by editor)"
    assert cli_json("show", str(second), "--json")["reviewed_by"] == "tester"
    assert cli_json("list", "--unreviewed", "--json") == []
    # changing what was reviewed clears the review; the history keeps who reviewed it
    assert cli("edit", str(first), "--summary", "AES treaty signed").exit_code == 0
    assert cli_json("show", str(first), "--json")["reviewed_by"] is None
    assert [e["id"] for e in cli_json("list", "--unreviewed", "--json")] == [first]
    assert "reviewed_by: editor -> (empty)" in cli("history", str(first)).stdout


def test_bad_reviews_write_nothing(cli: Invoke, db_path: Path, log: Log) -> None:
    kept = log("regional", "Kept", "--date", "2024-07-06")
    gone = log("regional", "Gone", "--date", "2024-07-07")
    assert cli("delete", str(gone), "--force").exit_code == 0
    before = revisions(db_path)
    for args, message in [
        ([str(kept), str(gone)], f"entry {gone} is deleted; nothing was reviewed"),
        ([str(kept), "99"], "no entry with id 99"),
        ([str(kept), "x"], "invalid entry id"),
        ([str(kept), "--by", " "], "empty --by"),
    ]:
        result = cli("review", *args)
        assert result.exit_code == 1, args
        assert len(result.stderr.splitlines()) == 1 and message in result.stderr
        assert revisions(db_path) == before
    assert cli("review").exit_code == 2


def test_report_reviewed_only(cli: Invoke, cli_json: InvokeJson, log: Log) -> None:
    checked = log("regional", "Treaty", "--date", "2024-07-06", "--effect", "1", "--status", "commitment")
    log("regional", "Unchecked claim", "--date", "2024-09-01", "--effect", "-2", "--status", "no-action")
    assert cli("review", str(checked), "--by", "editor").exit_code == 0

    def regional(*extra: str) -> dict[str, object]:
        rows = cli_json("report", "--json", "--as-of", AS_OF, *extra)
        return next(r for r in rows if r["key"] == "regional")

    everything = regional()
    assert (everything["status"], everything["entries"], everything["momentum"]) == ("no-action", 2, -1)
    reviewed = regional("--reviewed-only")
    assert (reviewed["status"], reviewed["entries"], reviewed["momentum"]) == ("commitment", 1, 1)
    md = cli("report", "--reviewed-only", "--format", "markdown", "--as-of", AS_OF).stdout
    assert "reviewed entries only" in md
    explained = cli("report", "--reviewed-only", "--explain", "-i", "regional", "--as-of", AS_OF).stdout
    assert "Treaty" in explained and "Unchecked claim" not in explained
    by_month = cli_json("report", "--reviewed-only", "--by", "month", "--json", "--as-of", AS_OF)
    assert sum(int(str(r["entries"])) for r in by_month if r["key"] == "regional") == 1


def test_reviews_travel_through_export_and_import(cli: Invoke, log: Log, tmp_path: Path) -> None:
    entry = log("regional", "Treaty", "--date", "2024-07-06")
    assert cli("review", str(entry), "--by", "editor").exit_code == 0
    out = tmp_path / "e.jsonl"
    assert cli("export", "entries", "-f", "jsonl", "-o", str(out)).exit_code == 0
    for source in (out, tmp_path / "policytrack.db"):
        other = tmp_path / f"other-{source.suffix[1:]}.db"
        assert cli("--db", str(other), "import", str(source)).exit_code == 0
        (row,) = json.loads(cli("--db", str(other), "list", "--json").stdout)
        assert row["reviewed_by"] == "editor" and row["reviewed_at"]
    half = tmp_path / "half.jsonl"
    record = {"indicator": "regional", "date": "2024", "summary": "x", "reviewed_by": "editor"}
    half.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = cli("import", str(half))
    assert result.exit_code == 1 and "reviewed_by and reviewed_at go together" in result.stderr


# -- one's own entries, and returning an entry for changes (issue 22, point 5) --------------------------


def test_reviewing_ones_own_entry_needs_self(
    cli: Invoke, cli_json: InvokeJson, db_path: Path, log: Log
) -> None:
    mine = log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    theirs = log("regional", "Example Ministry statement", "--date", "2024-08", "--analyst", "ana")
    before = revisions(db_path)
    for args in ([str(theirs), str(mine)], [str(mine), "--request-changes", "cite it"]):
        refused = cli("review", *args)
        assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1
        assert f"entry {mine} is tester's own; nothing was reviewed" in refused.stderr
        assert refused.stderr.strip().endswith("needs --self (or ask a teammate to review it)")
        assert revisions(db_path) == before
    assert cli("review", str(theirs)).exit_code == 0  # another's entry: no flag needed
    done = cli("review", str(mine), "--self")
    assert done.exit_code == 0 and done.stdout.strip() == f"Reviewed 1 entry ({mine})"
    assert cli_json("show", str(mine), "--json")["reviewed_by"] == "tester"
    # --by names the reviewer: an editor reviewing tester's entry is not a self-review
    other = log("regional", "Second claim", "--date", "2024-09")
    assert cli("review", str(other), "--by", "editor").exit_code == 0


def test_history_names_a_review_and_a_return_that_are_stored_as_edits(cli: Invoke, log: Log) -> None:
    """The stored action of a review or a return is "edit" (the data formats keep it); the table tells
    them apart by what they wrote; an edit after them is an edit."""
    entry = str(log("regional", "AES treaty signed", "--date", "2024-07-06", "--analyst", "ana"))
    assert cli("review", entry, "--by", "editor").exit_code == 0
    assert cli("review", entry, "--request-changes", "cite it", "--by", "editor").exit_code == 0
    assert cli("review", entry, "--by", "editor").exit_code == 0
    assert cli("edit", entry, "--note", "cited").exit_code == 0
    table = cli("history", entry).stdout.splitlines()
    rows = [line.split("│")[1:3] for line in table if line.startswith("│")]
    actions = [(rev.strip(), action.strip()) for rev, action in rows if rev.strip()]
    assert actions == [
        ("1", "create"),
        ("2", "review"),
        ("3", "return"),
        ("4", "review"),
        ("5", "edit"),
    ]


def test_request_changes_returns_an_entry_to_its_author(
    cli: Invoke, cli_json: InvokeJson, log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = log("regional", "AES treaty signed", "--date", "2024-07-06", "--analyst", "ana")
    other = log("diversify", "Barkhane withdrawal announced", "--date", "2022-02-17")
    comment = "Cite the treaty text, not [bold]a blog[/bold]"
    assert cli("review", str(entry), "--by", "editor").exit_code == 0
    result = cli("review", str(entry), "--request-changes", comment, "--by", "editor")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"Returned 1 entry ({entry}) to ana for changes"
    shown = cli_json("show", str(entry), "--json")
    assert (shown["returned_by"], shown["return_comment"]) == ("editor", comment)
    assert shown["returned_at"] and shown["reviewed_by"] is None  # a return withdraws the review
    table = cli("show", str(entry)).stdout
    assert "for changes by editor" in table and comment in table  # shown literally, not as markup
    history = cli_json("history", str(entry), "--json")
    assert [(r["action"], r["changed_by"]) for r in history][-1] == ("edit", "editor")
    assert [e["id"] for e in cli_json("list", "--returned", "--json")] == [entry]
    assert [e["id"] for e in cli_json("list", "--returned", "--analyst", "ana", "--json")] == [entry]
    assert cli_json("list", "--returned", "--analyst", "tester", "--json") == []
    assert other not in [e["id"] for e in cli_json("list", "--returned", "--json")]
    # someone else's edit leaves it returned: it waits for its author
    assert cli("edit", str(entry), "--tag", "treaty").exit_code == 0
    assert cli_json("show", str(entry), "--json")["return_comment"] == comment
    # the author's next edit clears it (the history keeps it)
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ana")
    assert cli("edit", str(entry), "--source", "https://example.org/treaty").exit_code == 0
    shown = cli_json("show", str(entry), "--json")
    assert (shown["returned_by"], shown["returned_at"], shown["return_comment"]) == (None, None, None)
    assert cli_json("list", "--returned", "--json") == []
    kept = [r["entry"]["return_comment"] for r in cli_json("history", str(entry), "--json")]
    assert kept == [None, None, comment, comment, None]


def test_bad_requests_for_changes_write_nothing(cli: Invoke, db_path: Path, log: Log) -> None:
    entry = log("regional", "Kept", "--date", "2024-07-06", "--analyst", "ana")
    before = revisions(db_path)
    for comment, message in [(" ", "empty --request-changes"), ("x" * (MAX_FIELD + 1), "the limit is")]:
        result = cli("review", str(entry), "--request-changes", comment)
        assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
        assert message in result.stderr
    assert revisions(db_path) == before


def test_returns_travel_through_export_and_import(cli: Invoke, log: Log, tmp_path: Path) -> None:
    entry = log("regional", "Treaty", "--date", "2024-07-06", "--analyst", "ana")
    assert cli("review", str(entry), "--request-changes", "date it; the =source= is vague").exit_code == 0
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"e.{fmt}"
        assert cli("export", "entries", "-f", fmt, "-o", str(out)).exit_code == 0
        other = tmp_path / f"other-{fmt}.db"
        assert cli("--db", str(other), "import", str(out)).exit_code == 0
        (row,) = json.loads(cli("--db", str(other), "list", "--returned", "--json").stdout)
        assert (row["returned_by"], row["return_comment"]) == ("tester", "date it; the =source= is vague")
    half = tmp_path / "half.jsonl"
    record = {"indicator": "regional", "date": "2024", "summary": "x", "return_comment": "fix it"}
    half.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = cli("import", str(half))
    assert result.exit_code == 1 and "return_comment only with them" in result.stderr
