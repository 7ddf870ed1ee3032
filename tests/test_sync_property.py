"""Issue 21, point 2: after every analyst has synced the same commits, every shared output is the same bytes
in every database. Three analysts (three databases, one local bare repository) work offline in random
ways, sync in random orders until nothing new moves, and then the report (markdown, json, the html brief),
`--by quarter`, `--by-analyst`, `forecasts --score`, `signposts` and `export entries --all-revisions` (the
local id aside) are compared."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from conftest import Invoke

pytestmark = pytest.mark.slow

NAMES = ("ama", "ben", "chi")
INDICATORS = ("regional", "diversify")
LEVELS = ("no-action", "commitment", "in-progress", "substantial", "implemented")
DATES = ("2024-03-01", "2024-03", "2024-05-17", "2025-02-01")
KEYS = ("example-wire", "example-daily", "example-ministry")
AS_OF = ("--as-of", "2026-06-30")
# a display name with accents, quotes and a space (issue 21: such a name once broke `sync status`)
DISPLAY = ('José "Pepe" Núñez', "Ama O'Brien", "Ben")

OPERATIONS = (
    "log",
    "assess_twice",
    "edit",
    "delete",
    "restore",
    "review",
    "source_add",
    "source_edit",
    "source_merge",
    "source_merge_back",
    "forecast",
    "past_forecast",
    "withdraw",
    "target",
    "display_name",
)

Run = Callable[..., Result]


def _team(folder: Path, cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run(NAME, ARGS...)`: policytrack as analyst NAME on NAME.db with NAME's own config file."""
    from policytrack.core.config import settings as config_settings

    def run(name: str, *args: str) -> Result:
        monkeypatch.setenv("POLICYTRACK_ANALYST", name)
        monkeypatch.setenv("POLICYTRACK_CONFIG", str(folder / f"{name}.toml"))
        config_settings.cache_clear()
        return cli("--db", str(folder / f"{name}.db"), *args)

    return run


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _allowed(result: Result) -> None:
    """An operation the random plan may get wrong (a source merged in a cycle, an entry already
    reviewed): refused with one line, never a traceback."""
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr, result.exception)
    if result.exit_code:
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def _revisions(run: Run, name: str) -> list[dict[str, Any]]:
    out = _ok(run(name, "export", "entries", "--all-revisions", "--all-frameworks", "--format", "jsonl"))
    return [json.loads(line) for line in out.splitlines()]


def _entries(run: Run, name: str) -> list[dict[str, Any]]:
    """Every entry of this database as its latest revision says, deleted ones included, in uuid order."""
    latest: dict[str, dict[str, Any]] = {}
    for rev in _revisions(run, name):
        if rev["uuid"] not in latest or rev["revision"] > latest[rev["uuid"]]["revision"]:
            latest[rev["uuid"]] = rev
    return [latest[u] for u in sorted(latest)]


def _forecasts(run: Run, name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(_ok(run(name, "forecasts", "--json")))
    return sorted(found, key=lambda f: f["uuid"])


def _perform(run: Run, folder: Path, name: str, op: str, pick: int, step: int) -> None:
    other = NAMES[(NAMES.index(name) + 1 + pick % 2) % 3]
    indicator = INDICATORS[pick % 2]
    day = DATES[pick % len(DATES)]
    key = KEYS[pick % len(KEYS)]
    if op == "log":
        args = ["log", indicator, f"{name} step {step}: Example Ministry statement", "--date", day,
                "--effect", str(pick % 5 - 2), *(["--grade", "B2"] if pick % 2 else [])]  # fmt: skip
        cited = run(name, *args, "--source", key) if pick % 3 == 0 else None
        if cited is None or cited.exit_code:  # the key not registered here (yet): no citation
            _ok(run(name, *args))
    elif op == "assess_twice":  # two analysts assess one indicator on one date, apart
        for who, level in ((name, LEVELS[pick % 5]), (other, LEVELS[(pick + 2) % 5])):
            _ok(run(who, "log", indicator, f"{who} step {step}: assessment", "--date", day,
                    "--status", level))  # fmt: skip
    elif op in ("edit", "delete", "restore", "review"):
        entries = _entries(run, name)
        deleted = {e["uuid"] for e in entries if e["action"] == "delete"}
        if op == "restore":
            entries = [e for e in entries if e["uuid"] in deleted]
        else:
            entries = [e for e in entries if e["uuid"] not in deleted]
        if not entries:
            return
        entry = entries[pick % len(entries)]
        ref = "@" + entry["uuid"][:8]
        if op == "edit":
            changes = (
                ["--note", f"{name} {step}"],
                ["--effect", str(pick % 5 - 2)],
                ["--summary", f"{name} {step}"],
            )
            _allowed(run(name, "edit", ref, *changes[pick % 3]))
        elif op == "delete":
            _ok(run(name, "delete", ref, "--force"))
        elif op == "restore":
            _ok(run(name, "restore", ref))
        else:
            own = ["--self"] if entry["analyst"] == name else []
            _allowed(run(name, "review", ref, *own))
    elif op == "source_add":
        _allowed(run(name, "source", "add", key, "--name", f"Example {key} ({name})",
                     "--reliability", "ABCDEF"[pick % 6], "--type", "media"))  # fmt: skip
    elif op == "source_edit":
        _allowed(run(name, "source", "edit", key, "--reliability", "ABCDEF"[pick % 6]))
    elif op == "source_merge":
        _allowed(run(name, "source", "merge", key, KEYS[(pick + 1) % len(KEYS)]))
    elif op == "source_merge_back":  # with source_merge by another analyst apart: crossed merges
        _allowed(run(name, "source", "merge", KEYS[(pick + 1) % len(KEYS)], key))
    elif op == "forecast":
        _ok(run(name, "forecast", indicator, LEVELS[1 + pick % 4], "--by", "2031-12", "--likelihood",
                str(5 + pick % 90)))  # fmt: skip
    elif op == "past_forecast":  # made in 2025 about 2025, resolved by now: forecasts --score scores it
        record = {
            "uuid": f"00000000-0000-4000-8000-{step:04d}{pick:08d}",
            "indicator": indicator,
            "level": LEVELS[1 + pick % 4],
            "due": "2025-12",
            "likelihood": 5 + pick % 90,
            "analyst": name,
            "made_on": "2025-01-15",
            "recorded_at": "2025-01-15T09:00:00.000000Z",
        }
        path = folder / f"forecast-{step}.jsonl"
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        _ok(run(name, "import", str(path), "--forecasts"))
    elif op == "withdraw":
        mine = [f for f in _forecasts(run, name) if f["analyst"] == name and f["outcome"] == "open"]
        if mine:
            _ok(run(name, "withdraw", "@" + mine[pick % len(mine)]["uuid"][:8]))
    elif op == "target":
        _ok(run(name, "target", indicator, LEVELS[2 + pick % 3], "--by", f"{2027 + pick % 3}-12"))
    else:
        _ok(run(name, "config", "set", "display-name", DISPLAY[pick % len(DISPLAY)]))


def _converge(run: Run, order: Any) -> None:
    """Sync in random orders until a whole round moves nothing."""
    for _ in range(8):
        names = list(NAMES)
        order.shuffle(names)
        moved = [_ok(run(name, "sync")).strip() for name in names]
        if all(m.startswith("sent 0, received 0") for m in moved):
            return
    raise AssertionError(f"still moving after 8 rounds: {moved}")


SHARED_OUTPUTS: tuple[tuple[str, ...], ...] = (
    ("report", *AS_OF, "--format", "markdown", "--explain"),
    ("report", *AS_OF, "--format", "json"),
    ("report", *AS_OF, "--format", "html"),
    ("report", *AS_OF, "--by", "quarter", "--format", "json"),
    ("report", *AS_OF, "--by-analyst", "--format", "json"),
    ("report", *AS_OF, "--by-analyst", "--format", "markdown"),
    ("forecasts", "--score", "--format", "json"),
    ("signposts", "--format", "json"),
)


def _shared(run: Run, name: str) -> dict[str, Any]:
    outputs: dict[str, Any] = {" ".join(args): _ok(run(name, *args)) for args in SHARED_OUTPUTS}
    registry = json.loads(_ok(run(name, "source", "list", "--json")))["sources"]
    outputs["source list"] = [{k: v for k, v in s.items() if k != "id"} for s in registry]
    found = json.loads(_ok(run(name, "conflicts", "--json")))
    outputs["conflicts (sources)"] = [c for c in found if c["kind"] == "source"]
    outputs["source show"] = {
        key: json.loads(_ok(run(name, "source", "show", key, "--json")))["key"]
        for key in KEYS
        if run(name, "source", "show", key, "--json").exit_code == 0
    }  # where each key leads
    outputs["export --all-revisions"] = [
        json.dumps({k: v for k, v in rev.items() if k != "id"}, sort_keys=True)
        for rev in _revisions(run, name)
    ]
    return outputs


_steps = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(OPERATIONS), st.integers(0, 999), st.booleans()),
    min_size=3,
    max_size=7,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=_steps, order=st.randoms(use_true_random=False))
def test_after_the_same_commits_every_shared_output_is_identical(
    tmp_path: Path, cli: Invoke, monkeypatch: pytest.MonkeyPatch, steps: list[Any], order: Any
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # tmp_path is shared by every example
    monkeypatch.setenv("HOME", str(folder / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    run = _team(folder, cli, monkeypatch)
    for name in NAMES:
        _ok(run(name, "sync", "init", str(folder / "shared.git")))
    for step, (name, op, pick, sync_after) in enumerate(steps):
        _perform(run, folder, name, op, pick, step)
        if sync_after:  # a sync now and then, so later work is made after seeing some of the others'
            _ok(run(NAMES[pick % 3], "sync"))
    _converge(run, order)
    outputs = [_shared(run, name) for name in NAMES]
    for name, found in zip(NAMES[1:], outputs[1:], strict=True):
        for what, text in outputs[0].items():
            assert found[what] == text, f"{what}: ama and {name} differ"
    for name in NAMES:
        assert "to send: 0" in _ok(run(name, "sync", "status"))
