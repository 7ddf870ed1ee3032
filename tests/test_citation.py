"""CITATION.cff, datapackage.json and Datasette's title from `publish`: valid by cffconvert for every
framework choice, each paper cited once, and people by their display names, never their logins."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import CFFCONVERT_MISSING, Invoke, cffconvert, slow_but

CFFCONVERT = cffconvert()


@pytest.fixture
def two_frameworks(cli: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Both built-in frameworks (one paper: its recommendations and its risks), evidence from two
    analysts: one named in the database (as sync carries it), one in the config file."""
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    for analyst in ("ana", "ben"):
        monkeypatch.setenv("POLICYTRACK_ANALYST", analyst)
        logged = cli("log", "regional", f"synthetic test entry by {analyst}", "--date", "2024-07-06")
        assert logged.exit_code == 0, logged.stderr
    from policytrack.core.config import settings
    from policytrack.store import Store

    store = Store(tmp_path / "policytrack.db")
    store.put_analyst("ben", "Ben Teammate", "2024-01-01T00:00:00Z")
    store.close()
    (tmp_path / "config.toml").write_text('display_name = "Ana Analyst"\n', encoding="utf-8")
    settings.cache_clear()
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ana")


@pytest.mark.parametrize(
    "choice", slow_but([(), ("--all-frameworks",), ("--framework", "mali-china-risks")], keep=1)
)
def test_citation_names_people_and_cites_each_paper_once(
    cli: Invoke, two_frameworks: None, tmp_path: Path, choice: tuple[str, ...]
) -> None:
    out = tmp_path / "bundle"
    result = cli("publish", str(out), "--as-of", "2024-12-31", *choice)
    assert result.exit_code == 0, result.stderr
    cff = (out / "CITATION.cff").read_text(encoding="utf-8")
    if "mali-china-risks" in choice:  # no entry of the risks: the tool is the author
        assert 'authors:\n  - name: "policytrack"' in cff
    else:
        assert '  - name: "Ana Analyst"' in cff and '  - name: "Ben Teammate"' in cff
    assert '"ana"' not in cff and '"ben"' not in cff
    assert cff.count("  - type: article") == 1
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert len(package["sources"]) == 1
    assert package["description"].count("Prah") == 1  # the paper, once
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] == package["title"] and package["title"].count("Mali and China") == len(
        package["resources"][2:]
    )  # one title per framework, one report per framework
    if CFFCONVERT is None:
        pytest.skip(CFFCONVERT_MISSING)
    check = subprocess.run(
        [CFFCONVERT, "--validate", "-i", str(out / "CITATION.cff")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr[-2000:]
