"""The published website (`publish DIR --site`): an index, a page per indicator, a sources page, a page per
month in which something changed, a search page over an inline JSON index, an Atom feed and a sitemap.

Pages come from the Jinja2 templates in render/templates/site/ (automatic escaping on, words through `_()`);
stored text goes through the display boundary (text.visible) and is linked only when it is an http(s) URL.
Every link is relative, so the site works from file:// and on any static host. Nothing reads the clock: the
same data and as-of date give the same bytes.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from policytrack import __version__
from policytrack.core.dates import PartialDate
from policytrack.core.i18n import _, language
from policytrack.domain.site import FeedItem, FrameworkSite, Site
from policytrack.records.forecast import FORECAST
from policytrack.records.models import Entry, Framework
from policytrack.records.source import SOURCE
from policytrack.render.brief import (
    Words,
    _environment,
    _forecast,
    _notes,
    _row,
    _signposts,
    columns,
    shown_summary,
)
from policytrack.render.text import source_link, visible

FEED_ITEMS = 100  # the newest status changes and pieces of evidence the feed holds
LATELY = 20  # what the index lists under "what changed lately"
# The site's files that are not pages (a page's folder depth makes its `root`, the way back to the top).
FEED, SEARCH_INDEX, SITEMAP = "feed.atom", "search.json", "sitemap.xml"


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
    """The pages of one language's site, each rendered with what every page shares."""

    def __init__(self, site: Site, languages: list[str]) -> None:
        self.site, self.languages = site, languages
        self.env = _environment()
        self.files: dict[str, bytes] = {}
        self.search: list[dict[str, str]] = []

    def page(self, path: str, template: str, title: str, **context: Any) -> None:
        root = "../" * path.count("/")
        others = (
            [(code, f"{root}../{code}/{path}") for code in self.languages if code != language()]
            if len(self.languages) > 1
            else []
        )
        text = self.env.get_template(f"site/{template}").render(
            lang=language(),
            root=root,
            page_title=title,
            site_title=self.title,
            others=others,
            as_of=_shown_day(self.site.as_of),
            version=__version__,
            **context,
        )
        self.files[path] = text.encode("utf-8")

    @property
    def title(self) -> str:
        names = dict.fromkeys(visible(fs.brief.report.framework.title) for fs in self.site.frameworks)
        return "; ".join(names)


def _table_rows(fs: FrameworkSite, first: int) -> list[dict[str, Any]]:
    """The brief's rows (render.brief), each with its chart, whose ids are scoped by its place among every
    framework's rows (`first` + its index): one page may show the charts of several frameworks."""
    brief = fs.brief
    rows = []
    for i, r in enumerate(brief.report.rows):
        row = _row(brief, r, first + i)
        row["href"] = indicator_path(brief.report.framework.name, r.indicator.key)
        rows.append(row)
    return rows


def _evidence_rows(fs: FrameworkSite, key: str, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The brief's evidence rows of an indicator (render.brief, in `row`), each with its entry's anchor, its
    date in the reader's language and the status change it makes."""
    out = []
    for point, ev in zip(fs.points[key], row["evidence"], strict=True):
        out.append(
            {
                "anchor": f"e-{point.entry.uuid}",
                "date": point.entry.date.shown,
                "change": visible(point.status_change) if point.status_change else "",
                "ev": ev,  # its summary as shown_summary shows it (translated, a redaction marked)
            }
        )
    return out


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


def _month_context(site: Site, n: int) -> dict[str, Any]:
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
        "entries": [_entry_line(e) for e in month.entries],
        "prev": (month_path(prev.label).removeprefix("months/"), _month_name(prev.label)) if prev else None,
        "next": (month_path(nxt.label).removeprefix("months/"), _month_name(nxt.label)) if nxt else None,
    }


def _entry_line(e: Entry) -> dict[str, Any]:
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


def site_files(site: Site, languages: list[str], site_url: str | None = None) -> dict[str, bytes]:
    """Every file of the site in this command's language (core.i18n), by its path inside the site's folder.
    `languages` are every language the site is published in (links between them when there are several);
    `site_url` the http(s) address it will be served from, for the sitemap and the feed's base."""
    pages = _Pages(site, languages)
    framework_rows: list[tuple[FrameworkSite, list[dict[str, Any]]]] = []
    for fs in site.frameworks:
        framework_rows.append((fs, _table_rows(fs, 1 + sum(len(done) for _fs, done in framework_rows))))
    lately = [_entry_line(i.entry) | {"change": visible(i.change or "")} for i in site.feed(LATELY)]
    pages.page(
        "index.html",
        "index.html.j2",
        pages.title,
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
    for fs, rows in framework_rows:
        signposts = _signposts(fs.brief)
        for i, row in enumerate(rows):
            key = fs.brief.report.rows[i].indicator.key
            evidence = _evidence_rows(fs, key, row)
            pages.page(
                row["href"],
                "indicator.html.j2",
                row["title"],
                fw=_framework_header(fs.brief.report.framework),
                r=row,
                evidence=evidence,
                targets=_targets(fs, key),
                signposts=[s for s in signposts if s["indicator"] == visible(key)],
                forecasts=_forecasts(fs, key),
            )
            pages.search.append(
                {"k": "indicator", "t": f"{row['title']} ({row['key']})", "u": row["href"], "d": ""}
            )
            for e in evidence:
                pages.search.append(
                    {"k": "entry", "t": e["ev"].summary, "u": f"{row['href']}#{e['anchor']}", "d": e["date"]}
                )
    for n, month in enumerate(site.months):
        pages.page(
            month_path(month.label), "month.html.j2", _month_name(month.label), **_month_context(site, n)
        )
    fields, registry = _sources(site)
    pages.page("sources.html", "sources.html.j2", _("Sources"), fields=fields, sources=registry)
    pages.page("search.html", "search.html.j2", _("Search"), index=pages.search)
    pages.files[SEARCH_INDEX] = (json.dumps(pages.search, ensure_ascii=False, indent=0) + "\n").encode(
        "utf-8"
    )
    html = sorted(p for p in pages.files if p.endswith(".html"))
    feed = pages.env.get_template("site/feed.atom.j2").render(
        lang=language(),
        title=pages.title,
        base=site_url,
        id=f"urn:uuid:{_feed_id(site)}",
        updated=f"{site.as_of.isoformat()}T00:00:00Z",
        items=[_item(i, site) for i in site.feed(FEED_ITEMS)],
        version=__version__,
    )
    pages.files[FEED] = feed.encode("utf-8")
    sitemap = pages.env.get_template("site/sitemap.xml.j2").render(
        base=site_url or "", pages=html, lastmod=site.as_of.isoformat()
    )
    pages.files[SITEMAP] = sitemap.encode("utf-8")
    return pages.files


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
