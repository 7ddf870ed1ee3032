"""The published website (`publish DIR --site`): an index, a page per indicator, a sources page, a page per
month in which something changed, a search page over an inline JSON index, an Atom feed and a sitemap.

Pages come from the Jinja2 templates in render/templates/site/ (automatic escaping on, words through `_()`),
except what repeats per entry (evidence rows, a month's entries, feed items): built here from escaped values,
since a template's per-row work was most of a large site's time. Stored text goes through the display boundary
(text.visible) and is linked only when it is an http(s) URL. Every link is relative, so the site works from
file:// and on any static host. Nothing reads the clock: the same data and as-of date give the same bytes.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain, groupby, islice, tee
from typing import IO, Any

from markupsafe import Markup, escape

from policytrack import __version__
from policytrack.core.dates import PartialDate
from policytrack.core.i18n import _, language
from policytrack.domain.reports import ReportRow
from policytrack.domain.site import EntryLine, FeedItem, FrameworkSite, Site
from policytrack.records.forecast import FORECAST
from policytrack.records.models import Framework
from policytrack.records.source import SOURCE
from policytrack.render.brief import (
    EvidenceRow,
    SourcePart,
    Words,
    _environment,
    _evidence_rows,
    _forecast,
    _notes,
    _row,
    _signposts,
    columns,
    shown_summary,
)
from policytrack.render.text import source_link, visible

LATELY = 20  # what the index lists under "what changed lately"
# The site's files that are not pages (a page's folder depth makes its `root`, the way back to the top).
FEED, SEARCH_INDEX, SITEMAP = "feed.atom", "search.json", "sitemap.xml"
SEARCH_PARTS = "search"  # the folder of the search index's parts, a year of an indicator each


def indicator_path(fw: str, key: str) -> str:
    return f"indicators/{fw}/{key}.html"


def month_path(label: str) -> str:
    return f"months/{label}.html"


def _shown_day(day: date) -> str:
    return PartialDate(day, "day").shown


def _month_name(label: str) -> str:
    year, month = label.split("-")
    return PartialDate(date(int(year), int(month), 1), "month").shown


class _Pages:
    """The pages of one language's site, each rendered with what every page shares, as it is written."""

    def __init__(self, site: Site, languages: list[str]) -> None:
        self.site, self.languages = site, languages
        self.env = _environment()
        self.html: list[str] = []  # each page's path, for the sitemap

    def page(self, path: str, template: str, title: str, **context: Any) -> tuple[str, Iterator[bytes]]:
        """A page by its path, made piece by piece as it is written (what it lists may be a stream)."""
        root = _root(path)
        others = (
            [(code, f"{root}../{code}/{path}") for code in self.languages if code != language()]
            if len(self.languages) > 1
            else []
        )
        parts = self.env.get_template(f"site/{template}").generate(
            lang=language(),
            root=root,
            page_title=title,
            site_title=_title(self.site),
            others=others,
            as_of=_shown_day(self.site.as_of),
            version=__version__,
            **context,
        )
        self.html.append(path)
        return path, _chunks(parts)


def _root(path: str) -> str:
    """The way back to the site's top from a page at `path` (every link is relative)."""
    return "../" * path.count("/")


def _title(site: Site) -> str:
    """The site's title: its frameworks' titles, each once."""
    return "; ".join(dict.fromkeys(visible(fs.brief.report.framework.title) for fs in site.frameworks))


def _table_rows(fs: FrameworkSite, first: int) -> list[dict[str, Any]]:
    """The brief's rows (render.brief), each with its chart, whose ids are scoped by its place among every
    framework's rows (`first` + its index): one page may show the charts of several frameworks."""
    brief = fs.brief
    rows = []
    for i, r in enumerate(brief.report.rows):
        row = _row(brief, r, first + i)
        row["href"] = indicator_path(brief.report.framework.name, r.indicator.key)
        row["raw_key"] = r.indicator.key  # as stored: what the store is asked for
        rows.append(row)
    return rows


def _indicator_evidence(site: Site, fs: FrameworkSite, r: ReportRow) -> Iterator[Markup]:
    """An indicator's evidence rows as the brief makes them (render.brief), an entry at a time as the page
    is written, each with its entry's anchor, its date in the reader's language and the status change it
    makes: each row's HTML built here (every value escaped as the template would), since a template's
    per-row work is most of a large site's time."""
    points, entries = tee(site.evidence(fs, r.indicator.key))  # zip below keeps them one apart
    rows = _evidence_rows(fs.brief, r, (point.entry for point in entries))
    row = _EvidenceRowHtml()
    for point, ev in zip(points, rows, strict=True):
        yield row(f"e-{point.entry.uuid}", point.entry.date.shown, point.status_change, ev)


def _words(translated: str, **values: str) -> str:
    """A message of a page's own words (already through `_()`, where Babel finds it) as a template's `_()`
    gives it (jinja2.ext's newstyle gettext with autoescape): the translation is markup, the values escaped
    into it, and always formatted (`%%` is `%`)."""
    return translated % {name: escape(value) for name, value in values.items()}


# The rows below are built with f-strings over escaped values (markupsafe's escape, what the templates
# apply to every value), then marked safe once: Markup.format's per-field escaping costs as much as a
# template did. tests/test_site_rows.py holds each to the template it replaced.


class _EvidenceRowHtml:
    """A row of an indicator page's evidence table, as HTML (the words every row shares translated once)."""

    def __init__(self) -> None:
        unchecked = _words(_("(machine or unchecked translation)"))
        self.unchecked = f' <span class="unchecked">{unchecked}</span>'
        self.original = _words(_("Original"))

    def __call__(self, anchor: str, day: str, change: str | None, ev: EvidenceRow) -> Markup:
        summary: str = escape(ev.summary)
        if ev.original:
            lang = f' lang="{escape(ev.original_lang)}"' if ev.original_lang else ""
            unchecked = self.unchecked if ev.unchecked else ""
            summary = (
                f"{summary}{unchecked}<details><summary>{self.original}</summary>"
                f"<p{lang}>{escape(ev.original)}</p></details>"
            )
        assessment = (
            _words(_("%(level)s, by %(analyst)s"), level=ev.assessment, analyst=ev.analyst)
            if ev.assessment
            else ""
        )
        if change:
            assessment = f'{assessment}<br><span class="muted">{escape(visible(change))}</span>'
        sources = "; ".join(map(_source_part, ev.source))
        lang = f' lang="{escape(ev.lang)}"' if ev.lang else ""
        return Markup(
            f'<tr id="{escape(anchor)}">\n<td class="date">{escape(day)}</td>\n'
            f'<td class="text"{lang}>{summary}</td>\n'
            f'<td class="num" title="{escape(ev.effect_name)}">{escape(ev.effect)}</td>\n'
            f'<td>{escape(ev.grade)}</td>\n<td>{assessment}</td>\n<td class="text">{sources}</td>\n'
            f"<td>{escape('; '.join(ev.signals))}</td>\n</tr>"
        )


def _source_part(part: SourcePart) -> str:
    """A part of an evidence row's source: its role, then its text, linked when it has a link (f-strings
    only: adding a str to Markup would escape it again)."""
    role = f"{escape(part.role)} " if part.role else ""
    if part.link:
        return f'{role}<a href="{escape(part.link)}" rel="noopener noreferrer">{escape(part.text)}</a>'
    return f"{role}{escape(part.text)}"


def _targets(fs: FrameworkSite, key: str) -> list[dict[str, str]]:
    return [
        {
            "level": visible(t.level.label) if t.level is not None else _("withdrawn"),
            "start": _shown_day(t.start),
            "due": t.due.shown,
            "set": _shown_day(date.fromisoformat(t.set_at[:10])),
        }
        for t in fs.targets.get(key, ())
    ]


def _forecasts(fs: FrameworkSite, key: str) -> list[dict[str, Any]]:
    # what records/forecast.py declares not public (its note) the site never shows
    private = {f.name for f in FORECAST if not f.public}
    return [
        {k: v for k, v in _forecast(fs.brief, f).items() if k not in private}
        for f in fs.brief.forecasts
        if f.indicator == key
    ]


def _framework_header(fw: Framework) -> dict[str, str]:
    return {
        "name": visible(fw.name),
        "title": visible(fw.title),
        "citation": _("Source: {citation}").format(citation=visible(fw.source.citation())),
    }


def _month_context(site: Site, n: int, entries: Iterator[EntryLine]) -> dict[str, Any]:
    month = site.months[n]
    tables = []
    for fw, standings in month.standings:
        rows = [
            {
                "number": st.indicator.number,
                "title": visible(st.indicator.title),
                "key": visible(st.indicator.key),
                "href": indicator_path(fw.name, st.indicator.key),
                "status": visible(st.status.label),
                "since": st.since.shown if st.since else _("baseline"),
                "percent": st.status.percent,
            }
            for st in standings
        ]
        tables.append({**_framework_header(fw), "rows": rows})
    prev = site.months[n - 1] if n > 0 else None
    nxt = site.months[n + 1] if n + 1 < len(site.months) else None
    return {
        "month": _month_name(month.label),
        "end": _shown_day(month.end),
        "tables": tables,
        "entries": map(_MonthLineHtml(_root(month_path(month.label))), entries),
        "prev": (month_path(prev.label).removeprefix("months/"), _month_name(prev.label)) if prev else None,
        "next": (month_path(nxt.label).removeprefix("months/"), _month_name(nxt.label)) if nxt else None,
    }


def _entry_line(e: EntryLine) -> dict[str, Any]:
    """An entry in a list (the index, a month, the feed): its summary as shown_summary shows it; its
    original is a click away, on its indicator's page."""
    shown = shown_summary(e)
    return {
        "date": e.date.shown,
        "indicator": visible(e.indicator),
        "href": f"{indicator_path(e.framework, e.indicator)}#e-{e.uuid}",
        "summary": shown.text,
        "lang": shown.lang,
        "unchecked": shown.unchecked,
        "effect": f"{e.effect:+d}" if e.effect else "0",
    }


class _MonthLineHtml:
    """An entry in a month page's list, as HTML (every value escaped as the template did)."""

    def __init__(self, root: str) -> None:
        self.root = escape(root)
        unchecked = _words(_("(machine or unchecked translation)"))
        self.unchecked = f' <span class="unchecked">{unchecked}</span>'

    def __call__(self, entry: EntryLine) -> Markup:
        e = _entry_line(entry)
        lang = f' lang="{escape(e["lang"])}"' if e["lang"] else ""
        unchecked = self.unchecked if e["unchecked"] else ""
        return Markup(
            f'<li><span class="date">{escape(e["date"])}</span> '
            f'<a href="{self.root}{escape(e["href"])}">{escape(e["indicator"])}</a> '
            f'({escape(e["effect"])}): <span class="text"{lang}>{escape(e["summary"])}</span>{unchecked}</li>'
        )


def _feed_entry(item: dict[str, Any]) -> Markup:
    """An item of the Atom feed, as XML (every value escaped as the template did)."""
    lang = f' xml:lang="{escape(item["lang"])}"' if item["lang"] else ""
    return Markup(
        f"<entry>\n<title>{escape(item['title'])}</title>\n<id>{escape(item['id'])}</id>\n"
        f"<updated>{escape(item['updated'])}</updated>\n"
        f"<author><name>{escape(item['author'])}</name></author>\n"
        f'<link rel="alternate" type="text/html" href="{escape(item["href"])}"/>\n'
        f"<summary{lang}>{escape(item['summary'])}</summary>\n</entry>"
    )


def _item(item: FeedItem, site: Site) -> dict[str, Any]:
    e = item.entry
    line = _entry_line(e)
    if item.change:
        title = _("{indicator}: status {change}").format(
            indicator=line["indicator"], change=visible(item.change)
        )
        ident = uuid.uuid5(uuid.UUID(e.uuid), "status")
    else:
        title = _("{indicator}: {summary}").format(indicator=line["indicator"], summary=line["summary"][:120])
        ident = uuid.UUID(e.uuid)
    return {
        **line,
        "title": title,
        "id": f"urn:uuid:{ident}",
        "updated": f"{e.date.start}T00:00:00Z",
        "author": visible(site.name(e.analyst)),
        "change": bool(item.change),
    }


def _sources(site: Site) -> tuple[list[str], list[list[tuple[str, str | None]]]]:
    """The registered sources' public fields (records/source.py declares which), each cell with its link
    when it is an http(s) URL."""
    held = site.sources[0].as_dict() if site.sources else {}
    shown = [f.name for f in SOURCE if f.public and f.name in held]
    rows = []
    for src in site.sources:
        values = src.as_dict()
        cells = [visible(str(values[name])) if values[name] is not None else "" for name in shown]
        rows.append([(cell, source_link(cell)) for cell in cells])
    return shown, rows


def site_files(
    site: Site, languages: list[str], site_url: str | None = None
) -> Iterator[tuple[str, Iterator[bytes]]]:
    """Every file of the site in this command's language (core.i18n), by its path inside the site's folder,
    each made piece by piece as it is written (take each whole before the next: they read the store in
    turn). `languages` are every language the site is published in (links between them when there are
    several); `site_url` the http(s) address it will be served from, for the sitemap and the feed's base."""
    with tempfile.TemporaryFile() as held:
        yield from _site_files(site, languages, site_url, _SearchIndex(held))


def _site_files(
    site: Site, languages: list[str], site_url: str | None, index: _SearchIndex
) -> Iterator[tuple[str, Iterator[bytes]]]:
    pages = _Pages(site, languages)
    framework_rows: list[tuple[FrameworkSite, list[dict[str, Any]]]] = []
    for fs in site.frameworks:
        framework_rows.append((fs, _table_rows(fs, 1 + sum(len(done) for _fs, done in framework_rows))))
    lately = [_entry_line(i.entry) | {"change": visible(i.change or "")} for i in islice(site.feed(), LATELY)]
    yield pages.page(
        "index.html",
        "index.html.j2",
        _title(site),
        frameworks=[
            {
                **_framework_header(fs.brief.report.framework),
                "words": Words.of(fs.brief.report),
                "columns": columns(Words.of(fs.brief.report))[:6],
                "rows": rows,
                "notes": _notes(fs.brief),
            }
            for fs, rows in framework_rows
        ],
        lately=lately,
        months=[(month_path(m.label), _month_name(m.label)) for m in reversed(site.months)],
    )
    parts: list[str] = []  # the search index's files, by path
    for fs, rows in framework_rows:
        signposts = _signposts(fs.brief)
        for r, row in zip(fs.brief.report.rows, rows, strict=True):
            key = r.indicator.key
            yield pages.page(
                row["href"],
                "indicator.html.j2",
                row["title"],
                fw=_framework_header(fs.brief.report.framework),
                r=row,
                evidence=_indicator_evidence(site, fs, r),
                has_evidence=fs.brief.tracks[key].entries > 0,
                targets=_targets(fs, key),
                signposts=[s for s in signposts if s["indicator"] == visible(key)],
                forecasts=_forecasts(fs, key),
            )
            for path, lines in _search_parts(site, fs, row):
                parts.append(path)
                yield path, _chunks(_jsonp(lines, index))
    for n, (label, entries) in enumerate(site.entries_by_month()):
        assert label == site.months[n].label, "the months are those the entries are dated in"
        context = _month_context(site, n, entries)
        yield pages.page(month_path(label), "month.html.j2", _month_name(label), **context)
    fields, registry = _sources(site)
    yield pages.page("sources.html", "sources.html.j2", _("Sources"), fields=fields, sources=registry)
    yield pages.page("search.html", "search.html.j2", _("Search"), parts=parts)
    yield SEARCH_INDEX, index.written()
    yield FEED, feed_file(site, site.feed(), site_url)
    sitemap = pages.env.get_template("site/sitemap.xml.j2").render(
        base=site_url or "", pages=sorted(pages.html), lastmod=site.as_of.isoformat()
    )
    yield SITEMAP, iter([sitemap.encode("utf-8")])


def _search_lines(site: Site, fs: FrameworkSite, row: dict[str, Any]) -> Iterator[tuple[int, dict[str, str]]]:
    """An indicator's lines of the search index (the indicator, then each entry, oldest first), each with
    the year it belongs to (the indicator's own line: 0)."""
    yield 0, {"k": "indicator", "t": f"{row['title']} ({row['key']})", "u": row["href"], "d": ""}
    for line in site.search_lines(fs, row["raw_key"]):
        entry = {
            "k": "entry",
            "t": shown_summary(line).text,  # as the indicator's page shows it (translated, redaction marked)
            "u": f"{row['href']}#e-{line.uuid}",
            "d": line.date.shown,
        }
        yield line.date.start.year, entry


def _search_parts(
    site: Site, fs: FrameworkSite, row: dict[str, Any]
) -> Iterator[tuple[str, Iterator[dict[str, str]]]]:
    """The search index of an indicator in files of one year each (SEARCH_PARTS/FRAMEWORK/KEY/YEAR.js; the
    indicator's own line in the first, 0000.js when it has no entry): the search page loads them when
    someone searches, and no file grows past a year of one indicator's evidence. One pass over the
    entries (oldest first, so each year's lines come together): take each file whole before the next."""
    lines = _search_lines(site, fs, row)
    _zero, own = next(lines)
    folder = f"{SEARCH_PARTS}/{fs.brief.report.framework.name}/{row['raw_key']}"
    first = True
    for year, group in groupby(lines, key=lambda pair: pair[0]):
        shown = (line for _year, line in group)
        yield f"{folder}/{year:04d}.js", chain([own], shown) if first else shown
        first = False
    if first:
        yield f"{folder}/0000.js", iter([own])


def _jsonp(lines: Iterator[dict[str, str]], index: _SearchIndex) -> Iterator[str]:
    """A part of the search index as a script the search page adds (a page opened from file:// may load a
    script, not read a file): one call of `policytrackSearch` with its lines, each also added to `index`."""
    yield "policytrackSearch([\n"
    for n, line in enumerate(lines):
        text = json.dumps(line, ensure_ascii=False)
        index.add(text)
        yield ("," if n else "") + _script_safe(text) + "\n"
    yield "]);\n"


def _script_safe(text: str) -> str:
    """JSON that is safe inside a script: `<`, `>` and `&` escaped (stored text may hold `</script>`)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _SearchIndex:
    """search.json, the whole index for other tools (one line per item), made in the same pass as the
    search index's parts: each line is added as its part is written, into a temporary file (never held in
    memory), then streamed from it when the site reaches it (`written`)."""

    def __init__(self, held: IO[bytes]) -> None:
        self.held, self.first = held, True
        held.write(b"[")

    def add(self, line: str) -> None:
        self.held.write((("\n" if self.first else ",\n") + line).encode("utf-8"))
        self.first = False

    def written(self) -> Iterator[bytes]:
        self.held.write(b"\n]\n")
        self.held.seek(0)
        return iter(lambda: self.held.read(CHUNK), b"")


def _chunks(parts: Iterable[str]) -> Iterator[bytes]:
    """Text made in small parts, as UTF-8 in pieces of about CHUNK characters."""
    held: list[str] = []
    size = 0
    for part in parts:
        held.append(part)
        size += len(part)
        if size >= CHUNK:
            yield "".join(held).encode("utf-8")
            held, size = [], 0
    yield "".join(held).encode("utf-8")


CHUNK = 1 << 16  # characters of the feed written at a time


def feed_file(site: Site, items: Iterator[FeedItem], site_url: str | None = None) -> Iterator[bytes]:
    """The Atom feed (FEED) in this command's language, as it is written: every item, one at a time from
    `items` (the domain's stream, newest first), in pieces of about CHUNK characters; never all of it held."""
    template = _environment().get_template("site/feed.atom.j2")
    parts = template.generate(
        lang=language(),
        title=_title(site),
        base=site_url,
        id=f"urn:uuid:{_feed_id(site)}",
        updated=f"{site.as_of.isoformat()}T00:00:00Z",
        items=(_feed_entry(_item(i, site)) for i in items),
        version=__version__,
    )
    return _chunks(parts)


def _feed_id(site: Site) -> uuid.UUID:
    """The feed's id: the same for the same frameworks and language, in every database."""
    names = ",".join(fs.brief.report.framework.name for fs in site.frameworks)
    return uuid.uuid5(uuid.NAMESPACE_URL, f"policytrack:{names}:{language()}")


def languages_page(languages: list[str]) -> bytes:
    """The site's root when it is published in several languages: a link to each."""
    from policytrack.core.i18n import speaking

    links = []
    for code in languages:
        with speaking(code):
            links.append((code, f"{code}/index.html", _("This site in English")))
    text = _environment().get_template("site/languages.html.j2").render(links=links, version=__version__)
    return text.encode("utf-8")
