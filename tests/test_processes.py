"""Real processes: several terminals logging at once, and the package as a built wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policytrack", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


@pytest.mark.slow
def test_concurrent_processes_lose_nothing(db_path: Path) -> None:
    env = {**os.environ, "POLICYTRACK_DB": str(db_path)}
    # a shell loop per writer: 4 writers x 15 logs, all racing on a database none of them created
    script = (
        f'for i in $(seq 1 15); do "{sys.executable}" -m policytrack log regional '
        '"writer $W entry $i" --date 2024 || echo FAILED >&2; done'
    )
    procs = [
        subprocess.Popen(
            ["bash", "-c", script],
            env={**env, "W": str(w)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert not any(errors), errors
    rows = json.loads(run(["list", "--json"], env).stdout)
    assert len(rows) == 60
    assert len({r["uuid"] for r in rows}) == 60
    assert {r["summary"] for r in rows} == {f"writer {w} entry {i}" for w in range(4) for i in range(1, 16)}


@pytest.mark.slow
def test_built_wheel_ships_the_framework(tmp_path: Path, db_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("policytrack-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "policytrack/domain/frameworks/builtin/mali-china-security.toml" in names
    assert "policytrack/render/templates/brief.html.j2" in names  # the brief's templates ship too
    assert "policytrack/render/templates/brief.svg.j2" in names
    assert "policytrack/locale/fr/LC_MESSAGES/policytrack.mo" in names  # the compiled French catalogue
    # Run the package from the unpacked wheel alone (PYTHONPATH wins over the editable install).
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "POLICYTRACK_DB": str(db_path)}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import policytrack.domain.frameworks.parse as f; print(f.__file__); print(f.builtin_dir())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.split()
    assert where[0].startswith(str(site)) and where[1].startswith(str(site))
    result = run(["indicators", "--json"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["key"] == "civilian-led"
    french = run(["--lang", "fr", "log", "regional", "x", "--date", "30 février 2024"], env, cwd=tmp_path)
    assert french.returncode == 1 and "ce jour n'existe pas" in french.stderr
