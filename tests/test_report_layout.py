"""The report on a terminal never hides data silently: at every width the numbers, keys and last-evidence
dates are whole, what a narrow layout leaves out is named with what shows it, and --plain is pure ASCII."""

from __future__ import annotations

import re

import pytest

from conftest import Invoke

AS_OF = "2026-11-01"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard output is a terminal (--explain pages there; piped, it streams plain text)."""
    import policytrack.cli.common as common

    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    monkeypatch.delenv("PAGER", raising=False)


@pytest.mark.parametrize("width", [60, 80, 100, 110, 115, 120, 124, 140])
def test_report_keeps_keys_and_last_evidence_whole(
    cli: Invoke, dataset: None, terminal: None, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    assert cli("target", "regional", "in-progress", "--by", "2027-12", "--from", "2024-01-01").exit_code == 0
    lasts = {r["key"]: r["last_evidence"] for r in _json(cli)}
    for args in ([], ["--explain"]):
        out = cli("report", "--as-of", AS_OF, *args).stdout
        assert all(len(line) <= width for line in out.splitlines()), width
        assert "…" not in out, width
        words = out.split()
        assert "Last" in words and "ev." in words  # the header, whole
        for key, last in lasts.items():
            assert (last or "never") in words, (key, width)
        narrow = "Narrow terminal:" in out
        # the wide layout wherever it fits whole (where that is depends on the titles)
        assert narrow if width <= 100 else not narrow if width >= 140 else True, width
        if narrow:
            assert "--format markdown or csv shows them" in " ".join(words)
        if width < 80:
            assert "progress bars and the advancing/hindering/context counts" in " ".join(words)


def _json(cli: Invoke) -> list[dict[str, str]]:
    import json

    result = cli("report", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0
    return list(json.loads(result.stdout))


@pytest.mark.parametrize("args", [[], ["--by", "quarter"], ["--explain"], ["--by", "year", "--explain"]])
def test_plain_is_pure_ascii(cli: Invoke, dataset: None, args: list[str]) -> None:
    out = cli("report", "--as-of", AS_OF, "--plain", *args).stdout
    stored = {"MINUSMA's", "Goïta"}  # stored text is shown as it is; only the drawing must be ASCII
    drawn = [w for w in out.split() if not any(s in w for s in stored)]
    assert all(w.isascii() for w in drawn), [w for w in drawn if not w.isascii()]
    if "--by" in args:
        assert re.search(r"\|[_.=#vV-]+\|", out)  # the trend, in ASCII
    else:
        assert re.search(r"#+-* +\d+%", out)  # the progress bar, in ASCII


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_signposts_keep_keys_and_states_whole(
    cli: Invoke, dataset: None, terminal: None, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    import json

    signals = json.loads(cli("signposts", "--json").stdout)
    for args in (
        ["signposts"],
        ["signposts", "regional"],
        ["report", "--as-of", AS_OF, "--explain", "--plain"],
    ):
        out = cli(*args).stdout
        assert all(len(line) <= width for line in out.splitlines()), (args, width)
        assert "…" not in out, (args, width)
        words = out.replace("|", " ").split()  # --plain draws cell edges as |
        for s in signals:
            if args[-1] != "regional" or s["indicator"] == "regional":
                assert s["signal"] in words and s["state"] in words, (args, width, s["signal"])
        if "Left out to fit the terminal" in out:
            assert "--format csv` shows them" in " ".join(words)
