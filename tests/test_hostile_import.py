"""Hostile and careless import input: every refusal is one clear error and leaves the database as it was."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Invoke

LOGGER = """
import sys
from policytrack.cli import app
from typer.testing import CliRunner
runner, worker, count = CliRunner(), sys.argv[1], int(sys.argv[2])
for i in range(count):
    result = runner.invoke(app, ["log", "regional", f"logger {worker} entry {i}", "--date", "2024"])
    if result.exit_code != 0:
        print(result.output, file=sys.stderr)
        sys.exit(1)
"""


def full_export(cli: Invoke) -> bytes:
    """Everything the database holds that an analyst can see: every revision, tombstones included."""
    result = cli("export", "entries", "--all-revisions", "-f", "jsonl", "--all-frameworks")
    assert result.exit_code == 0, result.stderr
    return bytes(result.stdout_bytes)


@pytest.mark.slow
def test_import_beside_two_loggers_loses_nothing(cli: Invoke, db_path: Path, tmp_path: Path) -> None:
    """The import reads the next free id under its write lock: an id read before it could be taken by a
    `log` that commits while the import waits for the lock ("UNIQUE constraint failed: entries.id")."""
    assert cli("log", "regional", "AES treaty signed in Niamey", "--date", "2024-07-06").exit_code == 0
    env = {**os.environ, "POLICYTRACK_DB": str(db_path)}
    imports, rows, logs = 8, 300, 60
    files = []
    for n in range(imports):
        path = tmp_path / f"in{n}.csv"
        path.write_text(
            "indicator,date,summary\n" + "".join(f"diversify,2023,import {n} row {i}\n" for i in range(rows))
        )
        files.append(path)
    loggers = [
        subprocess.Popen(
            [sys.executable, "-c", LOGGER, str(w), str(logs)], env=env, stderr=subprocess.PIPE, text=True
        )
        for w in range(2)
    ]
    results = [
        subprocess.run(
            [sys.executable, "-m", "policytrack", "import", str(path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for path in files
    ]
    errors = [p.communicate(timeout=300)[1] for p in loggers]
    assert [p.returncode for p in loggers] == [0, 0], errors
    assert [r.returncode for r in results] == [0] * imports, [r.stderr for r in results]
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 1 + 2 * logs + imports * rows
        assert (
            conn.execute("SELECT count(DISTINCT summary) FROM entries").fetchone()[0]
            == 1 + 2 * logs + imports * rows
        )
        assert (
            conn.execute("SELECT count(*) FROM entry_revisions").fetchone()[0]
            == 1 + 2 * logs + imports * rows
        )
    finally:
        conn.close()
