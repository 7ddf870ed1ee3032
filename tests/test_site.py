"""`policytrack publish DIR --site` (issue 25 point 2, issue 23's `publish --lang`): every internal link
resolves, the Atom feed parses with the right entries, the same data gives the same bytes, month pages show
the tracker as it stood then, hostile stored text stays inert, private fields stay out, one site per
language; the Nu checker and a real browser on the pages (slow)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from conftest import Invoke
from test_brief import CHROMIUM, chromium, console_messages
from test_brief_readers import _nu_errors

AS_OF = "2024-12-31"
HOSTILE = "Treaty </script><script>alert(1)</script> signed"


class _Page(HTMLParser):
    """A page's ids, links (href and src) and scripts, read by the standard library's HTML parser."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "script":
            self.scripts.append(values)
        for name in ("href", "src"):
            if values.get(name) is not None and tag in ("a", "link", "script", "img", "iframe"):
                self.links.append(str(values[name]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _pages(site: Path) -> dict[Path, _Page]:
    return {p: _parse(p) for p in sorted(site.rglob("*.html"))}


@pytest.fixture
def world(cli: Invoke, log: Callable[..., int], tmp_path: Path) -> None:
    """Evidence over three months, a registered source, a signal, a target, a forecast with a private note,
    and hostile stored text."""
    added = cli("source", "add", "example-ministry", "--name", "Example Ministry", "--type", "official",
                "--url", "https://ministry.example.org")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    log("diversify", "Barkhane and Takuba withdrawal announced", "--date", "2022-02-17", "--effect", "-1",
        "--grade", "A1", "--source", "javascript:alert(1)")  # fmt: skip
    log("regional", HOSTILE, "--date", "2024-07-06", "--effect", "1", "--status", "commitment",
        "--source", "example-ministry", "--signal", "regional-agreements")  # fmt: skip
    log("regional", "synthetic test entry: follow-up", "--date", "2024-07-20", "--effect", "1")
    log("regional", "synthetic test entry: after the as-of date", "--date", "2025-03-01", "--status",
        "implemented")  # fmt: skip
    records = [{"indicator": "regional", "level": "implemented", "due": "2026-12", "likelihood": 40,
                "analyst": "tester", "made_on": "2024-02-01", "recorded_at": "2024-02-01T09:00:00Z",
                "note": "PRIVATE-FORECAST-NOTE"}]  # fmt: skip
    path = tmp_path / "f.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    imported = cli("import", str(path), "--forecasts")
    assert imported.exit_code == 0, imported.stderr


def _publish(cli: Invoke, out: Path, *args: str) -> Path:
    result = cli("publish", str(out), "--site", "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.stderr
    return out / "site"


def _resolve(page: Path, link: str, site: Path, pages: dict[Path, _Page]) -> str | None:
    """What is wrong with an internal link, or None."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None if parts.scheme in ("http", "https") else f"{link}: not http(s)"
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
    if not target.is_file():
        return f"{link}: no such file"
    if not target.is_relative_to(site.resolve()):
        return f"{link}: outside the site"
    if parts.fragment:
        ids = pages[target].ids if target in pages else set()
        if parts.fragment not in ids:
            return f"{link}: no such id"
    return None


def _broken_links(site: Path) -> list[str]:
    pages = {p.resolve(): parsed for p, parsed in _pages(site).items()}
    broken = []
    for path, parsed in pages.items():
        for link in parsed.links:
            problem = _resolve(path, link, site, pages)
            if problem:
                broken.append(f"{path.relative_to(site.resolve())}: {problem}")
    return broken


def test_the_site_has_every_page_and_every_internal_link_resolves(
    cli: Invoke, world: None, tmp_path: Path
) -> None:
    site = _publish(cli, tmp_path / "bundle")
    names = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {"index.html", "sources.html", "search.html", "search.json", "feed.atom", "sitemap.xml"} <= names
    assert "indicators/mali-china-security/regional.html" in names
    # a page per month in which something changed, nothing for the months between, nor after the as-of date
    assert sorted(n for n in names if n.startswith("months/")) == [
        "months/2022-02.html",
        "months/2024-07.html",
    ]
    assert _broken_links(site) == []
    manifest = (tmp_path / "bundle" / "MANIFEST").read_text()
    assert "  site/index.html\n" in manifest  # the site is part of the bundle and its sums
    # the sitemap names every page
    sitemap = (site / "sitemap.xml").read_text()
    assert sorted(re.findall(r"<loc>([^<]+)</loc>", sitemap)) == sorted(
        n for n in names if n.endswith(".html")
    )
    # no request leaves the site: nothing is loaded from elsewhere
    for parsed in _pages(site).values():
        assert all(not s.get("src") for s in parsed.scripts)


def test_broken_links_are_found(tmp_path: Path) -> None:
    """The link check above can fail: a missing page, a missing id, a page outside the site, a script URL."""
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "outside.html").write_text("")
    (site / "index.html").write_text('<p id="here"><a href="index.html#here">ok</a></p>')
    (site / "extra.html").write_text(
        '<a href="nowhere.html">x</a><a href="index.html#nope">y</a><a href="../outside.html">z</a>'
        '<a href="javascript:alert(1)">w</a><a href="https://example.org/">fine</a>'
    )
    assert len(_broken_links(site)) == 4


def test_the_feed_parses_and_holds_each_status_change_and_each_piece_of_evidence(
    cli: Invoke, world: None, tmp_path: Path
) -> None:
    feedparser = pytest.importorskip("feedparser")
    assert cli("config", "set", "display-name", "Ana Example").exit_code == 0
    site = _publish(cli, tmp_path / "bundle")
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    titles = [e.title for e in feed.entries]
    # three entries by the as-of date, one of which changes the status: four items, newest first
    assert len(titles) == 4 and len({e.id for e in feed.entries}) == 4
    assert titles[0] == "regional: synthetic test entry: follow-up"
    assert titles[1] == "regional: status no-action -> commitment" and titles[2] == f"regional: {HOSTILE}"
    assert [e.updated for e in feed.entries] == [
        "2024-07-20T00:00:00Z", "2024-07-06T00:00:00Z", "2024-07-06T00:00:00Z", "2022-02-17T00:00:00Z"
    ]  # fmt: skip
    assert feed.feed.updated == "2024-12-31T00:00:00Z"  # the as-of date, never the clock
    assert all(e.link.startswith("indicators/mali-china-security/") for e in feed.entries)
    assert {e.author for e in feed.entries} == {"Ana Example"}  # people by their display names


@pytest.mark.slow
def test_publishing_twice_gives_the_same_bytes(cli: Invoke, world: None, tmp_path: Path) -> None:
    first = _publish(cli, tmp_path / "one", "--lang", "en", "--lang", "fr")
    second = _publish(cli, tmp_path / "two", "--lang", "en", "--lang", "fr")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert [p for p in files if (first / p).read_bytes() != (second / p).read_bytes()] == []


@pytest.mark.slow
def test_month_pages_show_the_tracker_as_it_stood_then(cli: Invoke, world: None, tmp_path: Path) -> None:
    site = _publish(cli, tmp_path / "bundle")
    february = (site / "months/2022-02.html").read_text()
    july = (site / "months/2024-07.html").read_text()
    regional = re.compile(r"regional</span></th><td>([^<]+)</td>")
    assert regional.search(february).group(1) == "No action (0%)"  # type: ignore[union-attr]
    assert regional.search(july).group(1) == "Commitment (25%)"  # type: ignore[union-attr]
    # linked in order: February's next is July, July's previous is February
    assert 'href="2024-07.html" rel="next"' in february and 'rel="prev"' not in february
    assert 'href="2022-02.html" rel="prev"' in july and 'rel="next"' not in july
    # an earlier as-of date: the months and statuses of then
    earlier = cli("publish", str(tmp_path / "old"), "--site", "--as-of", "2023-06-30")
    assert earlier.exit_code == 0, earlier.stderr
    months = sorted(p.name for p in (tmp_path / "old/site/months").iterdir())
    assert months == ["2022-02.html"]
    index = (tmp_path / "old/site/index.html").read_text()
    assert "Treaty" not in index and "No action" in index


def test_hostile_text_is_inert_and_private_fields_stay_out(cli: Invoke, world: None, tmp_path: Path) -> None:
    site = _publish(cli, tmp_path / "bundle")
    for path, parsed in _pages(site).items():
        text = path.read_text()
        assert "<script>alert" not in text and "javascript:" not in "".join(parsed.links), path
        assert "PRIVATE-FORECAST-NOTE" not in text
        # the only scripts: the search page's list of its index's parts (data) and its code
        expected = 2 if path.name == "search.html" else 0
        assert len(parsed.scripts) == expected, path
    page = (site / "indicators/mali-china-security/regional.html").read_text()
    assert "Treaty &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; signed" in page
    assert '<a href="https://ministry.example.org" rel="noopener noreferrer">' in page
    diversify = (site / "indicators/mali-china-security/diversify.html").read_text()
    assert "javascript:alert(1)" in diversify and 'href="javascript' not in diversify  # shown, never linked
    assert "PRIVATE-FORECAST-NOTE" not in (site / "search.json").read_text()
    assert "40%" in page  # the forecast itself is public


@pytest.mark.slow
def test_search_index_is_in_parts_of_a_year_and_finds_the_evidence(
    cli: Invoke, world: None, tmp_path: Path
) -> None:
    """The search page names its index's parts (a year of an indicator each, scripts it adds when someone
    searches: from file:// a page may load a script, not read a file); together they are search.json."""
    site = _publish(cli, tmp_path / "bundle")
    page = (site / "search.html").read_text()
    m = re.search(r'<script id="parts" type="application/json">(.*?)</script>', page, re.S)
    assert m is not None
    parts = json.loads(m.group(1))
    assert "search/mali-china-security/regional/2024.js" in parts
    assert "search/mali-china-security/diversify/2022.js" in parts
    index = []
    for part in parts:
        target = (site / part).resolve()
        assert target.is_relative_to(site.resolve()) and target.is_file(), part
        text = target.read_text()
        assert text.startswith("policytrackSearch([\n") and text.endswith("]);\n"), part
        assert "</script>" not in text  # stored text cannot close a script
        lines = json.loads(text.removeprefix("policytrackSearch(").removesuffix(");\n"))
        year = part.rsplit("/", 1)[1].removesuffix(".js")
        assert all(line["k"] == "indicator" or line["d"].startswith(year) for line in lines), part
        index += lines
    assert index == json.loads((site / "search.json").read_text())
    hit = next(item for item in index if item["t"] == HOSTILE)
    assert hit["u"].startswith("indicators/mali-china-security/regional.html#e-")
    pages = len(list((site / "indicators").rglob("*.html")))
    assert pages and sum(item["k"] == "indicator" for item in index) == pages  # each indicator once


@pytest.mark.slow
def test_one_site_per_language_linked_to_each_other(cli: Invoke, world: None, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('language = "fr"\n')  # never the config's language
    site = _publish(cli, tmp_path / "bundle", "--lang", "en", "--lang", "fr")
    assert _broken_links(site) == []
    english, french = _parse(site / "en/index.html"), _parse(site / "fr/index.html")
    assert english.lang == "en" and french.lang == "fr"
    assert "../fr/index.html" in english.links and "../en/index.html" in french.links
    month = (site / "fr/months/2024-07.html").read_text()
    assert "juillet 2024" in month and "20 juillet 2024" in month
    assert "Treaty" in (site / "fr/indicators/mali-china-security/regional.html").read_text()
    # one language: the site at DIR/site, in English whatever the config says
    one = _publish(cli, tmp_path / "single")
    assert _parse(one / "index.html").lang == "en" and not (one / "en").exists()
    report = (tmp_path / "single/report-mali-china-security.md").read_text()
    assert "Status" in report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--site", "--site-url", "javascript:alert(1)"), "is not an http(s) address"),
        (("--site-url", "https://example.org/"), "--site-url is for the site"),
        (("--site", "--lang", "zz-nope"), "is not a language policytrack knows"),
    ],
)
def test_site_mistakes_are_one_line_and_write_nothing(
    cli: Invoke, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = cli("publish", str(tmp_path / "out"), *args)
    assert result.exit_code in (1, 2) and len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_site_url_makes_the_sitemap_absolute(cli: Invoke, world: None, tmp_path: Path) -> None:
    site = _publish(cli, tmp_path / "bundle", "--site-url", "https://example.org/tracker")
    locs = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text())
    assert locs and all(loc.startswith("https://example.org/tracker/") for loc in locs)
    assert 'xml:base="https://example.org/tracker/"' in (site / "feed.atom").read_text()


@pytest.mark.slow
def test_nu_checker_finds_no_error_on_any_page(cli: Invoke, world: None, tmp_path: Path) -> None:
    """Both languages, two frameworks on one index (each chart's ids its own)."""
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    site = _publish(cli, tmp_path / "bundle", "--lang", "en", "--lang", "fr", "--all-frameworks")
    assert (site / "en/indicators/mali-china-risks").is_dir() and _broken_links(site) == []
    index = (site / "en/index.html").read_text()
    ids = re.findall(r'\sid="([^"]+)"', index)
    assert ids and len(ids) == len(set(ids))
    assert _nu_errors(tmp_path, sorted(site.rglob("*.html"))) == []


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium package)"
)
def test_the_site_in_a_real_browser(cli: Invoke, world: None, tmp_path: Path) -> None:
    site = _publish(cli, tmp_path / "bundle")
    for name in ("index.html", "indicators/mali-china-security/regional.html", "search.html"):
        run = chromium(tmp_path, site / name, "--dump-dom")
        assert console_messages(run.stderr) == [], name
        assert "</main>" in run.stdout
    # someone types in the search box: the page loads its index's parts from file:// and lists the hit
    typed = 'q.value = "synthetic follow-up"; q.dispatchEvent(new Event("input"));'
    probe = site / "probe.html"
    page = (site / "search.html").read_text()
    probe.write_text(page.replace("</body>", f"<script>{typed}</script></body>"))
    run = chromium(tmp_path, probe, "--dump-dom", "--virtual-time-budget=5000")
    assert console_messages(run.stderr) == []
    results = re.search(r'<ol id="results">(.*?)</ol>', run.stdout, re.S)
    assert results is not None
    hits = re.findall(r'<li><a href="([^"]+)">([^<]*)</a></li>', results.group(1))
    assert len(hits) == 1 and hits[0][0].startswith("indicators/mali-china-security/regional.html#e-")
    assert hits[0][1].endswith("synthetic test entry: follow-up")


@pytest.mark.slow  # test_hostile_text_is_inert_and_private_fields_stay_out is its fast representative
def test_a_redacted_summary_is_nowhere_on_the_site(
    cli: Invoke, log: Callable[..., int], tmp_path: Path
) -> None:
    entry = log("regional", "Example statement naming an informant", "--date", "2024-07-06")
    redacted = cli("redact", str(entry), "--field", "summary", "--reason", "test")
    assert redacted.exit_code == 0, redacted.stderr
    site = _publish(cli, tmp_path / "bundle", "--lang", "en", "--lang", "fr")
    texts = [p.read_text() for p in site.rglob("*") if p.is_file()]
    assert not any("informant" in text for text in texts)
    page = (site / "en/indicators/mali-china-security/regional.html").read_text()
    assert "[redacted]" in page
    assert "[caviardé]" in (site / "fr/indicators/mali-china-security/regional.html").read_text()


def test_the_feed_holds_every_change_and_every_piece_of_evidence_beyond_a_hundred(
    cli: Invoke, tmp_path: Path
) -> None:
    """The feed is not capped (it once held the newest 100): 130 entries, every tenth an assessment that
    changes the status, give 143 items, newest first, each change before the evidence that made it."""
    feedparser = pytest.importorskip("feedparser")
    levels = ["commitment", "in-progress"]
    rows = [
        {"indicator": "regional", "date": f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}",
         "summary": f"synthetic test entry {i:03d}", "effect": 1,
         **({"status": levels[(i // 10) % 2]} if i % 10 == 0 else {})}
        for i in range(130)
    ]  # fmt: skip
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    imported = cli("import", str(path))
    assert imported.exit_code == 0, imported.stderr
    site = _publish(cli, tmp_path / "bundle")
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    titles = [e.title for e in feed.entries]
    assert len(titles) == 143 and len({e.id for e in feed.entries}) == 143
    evidence = [t.removeprefix("regional: ") for t in titles if "status" not in t]
    assert evidence == [f"synthetic test entry {i:03d}" for i in reversed(range(130))]
    changes = [t for t in titles if "status" in t]
    assert changes[-1] == "regional: status no-action -> commitment"  # the oldest, from the baseline
    assert changes[:2] == [  # entry 120 assesses commitment, 110 in progress
        "regional: status in-progress -> commitment",
        "regional: status commitment -> in-progress",
    ]
    # each change comes just before the evidence of the entry that made it
    for n, title in enumerate(titles):
        if "status" in title:
            assert int(titles[n + 1].rsplit(" ", 1)[1]) % 10 == 0
    assert [e.updated for e in feed.entries] == sorted((e.updated for e in feed.entries), reverse=True)


def test_a_log_while_the_site_is_written_changes_nothing_in_the_bundle(
    cli: Invoke, world: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site's pages are streamed from the database as they are written: an entry logged meanwhile (here
    in a month before every other, which shifts the month pages) must not reach any file, nor break the
    bundle; the whole of `publish` reads one snapshot."""
    from policytrack.domain.site import Site

    original = Site.entries_by_month

    def logging_meanwhile(self: Site) -> Any:
        logged = cli("log", "diversify", "LATE-ENTRY written during publish", "--date", "2001-01-15")
        assert logged.exit_code == 0, logged.stderr
        return original(self)

    monkeypatch.setattr(Site, "entries_by_month", logging_meanwhile)
    site = _publish(cli, tmp_path / "bundle")
    assert (site / "index.html").is_file()
    for path in (tmp_path / "bundle").rglob("*"):
        if path.is_file() and path.suffix != ".db":
            assert b"LATE-ENTRY" not in path.read_bytes(), path
    assert "LATE-ENTRY" in cli("list").stdout  # it was written, after the snapshot
