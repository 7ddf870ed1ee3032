"""Sync across releases: a field declared with a default travels between a release that has it and one
that does not, without any change to sync/; a database and a repository made by the previous release
upgrade and sync with this one both ways. Each policytrack runs as a process (git and two codebases)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS_RELEASE = (
    "cbcbc9c"  # the release before the shared record (its sync sends entries, targets, frameworks)
)

# This release with one more synced field on an entry, declared as a later release would declare it (with a
# default, and the migration that adds it): the test double of "the next release".
NEXT_RELEASE = """
import sys
from policytrack.records import entry
from policytrack.records.field import Kind

VERDICT = entry.Column(
    "verdict", "text", "What a reviewer made of it.", "e.verdict",
    stored=True, free_text=True, default="", since="m099_verdict",
)
entry.ENTRY = Kind(entry.ENTRY.name, entry.ENTRY.description, (*entry.ENTRY.fields, VERDICT))
from policytrack.cli import main
sys.argv[0] = "policytrack"
main()
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


def _runner(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "POLICYTRACK_DB": str(tmp_path / "unused.db"),
    }
    env.pop("GIT_DIR", None)

    def run(
        name: str,
        *args: str,
        code: list[str] | None = None,
        pythonpath: str | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        extra = {"POLICYTRACK_ANALYST": name}
        if pythonpath is not None:
            extra["PYTHONPATH"] = pythonpath
        done = subprocess.run(
            [sys.executable, *(code or ["-m", "policytrack"]), "--db", str(tmp_path / f"{name}.db"), *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        if check:
            assert done.returncode == 0, (args, done.stderr)
        return done

    return run


def _history(run: Run, name: str, **how: object) -> list[str]:
    out = run(name, "export", "entries", "--all-revisions", "--format", "jsonl", **how).stdout
    return sorted(
        json.dumps({k: v for k, v in json.loads(line).items() if k != "id"}, sort_keys=True)
        for line in out.splitlines()
    )


def _lines(tmp_path: Path, name: str) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in sorted((tmp_path / f"{name}.db.sync" / "analysts" / name).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def _verdicts(tmp_path: Path, name: str) -> dict[tuple[str, str], object]:
    conn = sqlite3.connect(tmp_path / f"{name}.db")
    try:
        rows = conn.execute(
            "SELECT e.summary, r.revision, r.verdict "
            "FROM entry_revisions r JOIN entries e ON e.id = r.entry_id"
        ).fetchall()
    finally:
        conn.close()
    return {(summary, str(revision)): verdict for summary, revision, verdict in rows}


def test_a_new_synced_field_travels_to_and_from_a_teammate_without_it(tmp_path: Path) -> None:
    """ama and cyd run the next release (an entry has a `verdict`); ben runs this one. A line whose verdict
    is its default leaves it out, so ben reads it; ben's lines are read with the default; a verdict set
    reaches cyd, and ben's policytrack refuses it with one line that says to upgrade, changing nothing."""
    run = _runner(tmp_path)
    nxt = ["-c", NEXT_RELEASE]
    shared = str(tmp_path / "shared.git")
    for name in ("ben", "ama", "cyd"):
        run(name, "sync", "init", shared)
    for name in ("ama", "cyd"):  # the next release's migration
        conn = sqlite3.connect(tmp_path / f"{name}.db")
        conn.execute("ALTER TABLE entries ADD COLUMN verdict TEXT")
        conn.execute("ALTER TABLE entry_revisions ADD COLUMN verdict TEXT")
        conn.commit()
        conn.close()
    run("ben", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    run("ben", "sync")
    run("ama", "sync", code=nxt)
    assert set(_verdicts(tmp_path, "ama").values()) == {""}  # ben's line, read with the declared default
    run("ama", "edit", "1", "--effect", "1", code=nxt)
    run("ama", "sync", code=nxt)
    assert all("verdict" not in line for line in _lines(tmp_path, "ama"))  # at its default: left out
    assert "(0 new, 1 updated)" in run("ben", "sync").stdout  # ben reads it
    run("ben", "edit", "1", "--grade", "B2")
    run("ben", "sync")
    run("ama", "sync", code=nxt)
    assert _history(run, "ama") == _history(run, "ben")
    assert set(_verdicts(tmp_path, "ama").values()) == {""}

    conn = sqlite3.connect(tmp_path / "ama.db")  # what the next release's code would compute
    conn.execute("UPDATE entries SET verdict = 'well sourced'")
    conn.commit()
    conn.close()
    run("ama", "edit", "1", "--effect", "2", code=nxt)
    run("ama", "sync", code=nxt)
    assert [line.get("verdict") for line in _lines(tmp_path, "ama")][-1] == "well sourced"
    run("cyd", "sync", code=nxt)
    assert _verdicts(tmp_path, "cyd")[("AES treaty signed in Niamey", "4")] == "well sourced"
    assert _history(run, "cyd") == _history(run, "ama")

    before = _history(run, "ben")
    refused = run("ben", "sync", check=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "verdict" in refused.stderr and refused.stderr.rstrip().endswith("upgrade policytrack")
    assert _history(run, "ben") == before


def _release(folder: Path, commit: str) -> str:
    """The source of an earlier release (a commit of this checkout's history), unpacked in `folder`: the
    path to put on PYTHONPATH. Skips the test where the history is not there (a shallow clone)."""
    folder.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "src", "data"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        pytest.skip(f"the release {commit} is not in this checkout's history")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return str(folder / "src")


def test_a_database_of_the_previous_release_upgrades_and_syncs_both_ways(tmp_path: Path) -> None:
    """The previous release makes a database and syncs it (its files in the shared repository); this
    release opens it (the migrations run), and it syncs with a database of this release both ways: both
    hold the same history, targets and report."""
    previous = _release(tmp_path / "previous", PREVIOUS_RELEASE)
    run = _runner(tmp_path)
    shared = str(tmp_path / "shared.git")

    run("ama", "sync", "init", shared, pythonpath=previous)
    run("ama", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", pythonpath=previous)
    run("ama", "log", "diversify", "Example Ministry statement", "--date", "2024-08", pythonpath=previous)
    run("ama", "log", "regional", "Joint force announced", "--date", "2024-09", pythonpath=previous)
    run("ama", "edit", "1", "--grade", "B2", pythonpath=previous)
    run("ama", "delete", "3", "--force", pythonpath=previous)
    run("ama", "target", "regional", "in-progress", "--by", "2027-12", pythonpath=previous)
    run("ama", "sync", pythonpath=previous)

    run("ben", "sync", "init", shared)
    assert "(3 new" in run("ben", "sync").stdout
    run("ama", "sync")  # this release opens the previous release's database: it upgrades and syncs
    run("ben", "edit", "1", "--effect", "2")
    run("ben", "restore", "3")
    run("ben", "log", "diversify", "Second statement", "--date", "2024-10")
    run("ben", "target", "diversify", "in-progress", "--by", "2028")
    run("ben", "sync")
    out = run("ama", "sync").stdout
    assert "new" in out and "0 conflicts" in out
    run("ben", "sync")
    assert _history(run, "ama") == _history(run, "ben")
    for command in (("targets", "--format", "json"), ("report", "--format", "json")):
        assert run("ama", *command).stdout == run("ben", *command).stdout
    assert "to send: 0" in run("ama", "sync", "status").stdout
    assert "to receive: 0" in run("ben", "sync", "status").stdout


# The release before an undo's or a revert's mark travelled with its revision (records.entry.REVERSAL).
BEFORE_REVERSAL_LINES = "7392013"


def test_a_reversal_s_mark_is_set_aside_by_the_release_before_it_and_its_lines_read_as_before(
    tmp_path: Path,
) -> None:
    """ben runs the release before the mark travelled: his undo's lines carry none and this release
    reads them as before (no mark); ama's undo carries it, and ben's policytrack sets her file aside
    with one line that says to upgrade, changing nothing."""
    before = _release(tmp_path / "before", BEFORE_REVERSAL_LINES)
    run = _runner(tmp_path)
    shared = str(tmp_path / "shared.git")
    run("ben", "sync", "init", shared, pythonpath=before)
    run("ama", "sync", "init", shared)
    run("ben", "log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06", pythonpath=before)
    run("ben", "edit", "1", "--grade", "B2", pythonpath=before)
    run("ben", "undo", "--yes", pythonpath=before)
    run("ben", "sync", pythonpath=before)
    assert all("reversal" not in line for line in _lines(tmp_path, "ben"))
    run("ama", "sync")
    marks = json.loads(run("ama", "history", "1", "--json").stdout)
    assert [(r["changed_by"], r["reverses"]) for r in marks] == [("ben", None)] * 3

    run("ama", "log", "diversify", "Example Ministry statement", "--date", "2024-08")
    run("ama", "edit", "2", "--effect", "1")
    run("ama", "undo", "--yes")
    run("ama", "sync")
    assert [line.get("reversal") for line in _lines(tmp_path, "ama")][-1] == "undo"
    had = _history(run, "ben", pythonpath=before)
    refused = run("ben", "sync", pythonpath=before, check=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "reversal" in refused.stderr and refused.stderr.rstrip().endswith("upgrade policytrack")
    assert _history(run, "ben", pythonpath=before) == had


# The release before decisions carried their candidate's dataset (m027_decision_datasets).
BEFORE_DECISION_DATASETS = "ad6e384"


def test_a_decision_citing_its_dataset_is_set_aside_by_the_release_before_it_and_old_ones_read_as_before(
    tmp_path: Path,
) -> None:
    """ben runs the release before: his accept's line carries no dataset, and this release reads it as
    before (no dataset: publish cites the candidate read here). ama's accept carries it, and ben's
    policytrack sets her file aside with one line that says to upgrade; her reject carries none."""
    from test_inbox import ACLED_COLUMNS, AES, acled_row, write_csv

    before = _release(tmp_path / "before", BEFORE_DECISION_DATASETS)
    run = _runner(tmp_path)
    shared = str(tmp_path / "shared.git")
    data = write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [acled_row(f"EXA{n}", "2024-07-06", AES if n == 1 else f"Example event {n}") for n in (1, 2, 3)],
    )
    run("ben", "sync", "init", shared, pythonpath=before)
    run("ama", "sync", "init", shared)
    run("ben", "inbox", "add", str(data), "--kind", "acled", pythonpath=before)
    run("ben", "inbox", "accept", "1", "--indicator", "regional", pythonpath=before)
    run("ben", "sync", pythonpath=before)
    run("ama", "inbox", "add", str(data), "--kind", "acled")
    run("ama", "sync")
    conn = sqlite3.connect(tmp_path / "ama.db")
    assert conn.execute("SELECT decided_by, dataset, licence FROM candidate_decisions").fetchall() == [
        ("ben", None, None)
    ]
    conn.close()
    bundle = tmp_path / "bundle"
    run("ama", "publish", str(bundle), "--as-of", "2024-12-31")
    assert "acleddata.com" in (bundle / "CITATION.cff").read_text(encoding="utf-8")  # the candidate here

    run("ama", "inbox", "reject", "3", "--reason", "off topic")
    run("ama", "inbox", "accept", "2", "--indicator", "regional")
    run("ama", "sync")
    decisions = {d["action"]: d for d in _lines(tmp_path, "ama") if d["kind"] == "decision"}
    assert "dataset" not in decisions["reject"] and "licence" not in decisions["reject"]
    assert decisions["accept"]["dataset"] == "acled"
    refused = run("ben", "sync", pythonpath=before, check=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "dataset" in refused.stderr and refused.stderr.rstrip().endswith("upgrade policytrack")
