"""Reading candidates from RSS 2.0 and Atom feeds (ministries, embassies, the African Union, news outlets).

The XML is first checked by defusedxml (no DTD, no entity: a billion-laughs feed is refused), then read by
feedparser; both are imported only here, when a feed is read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.exchange.datasets import Batch, Incoming, content_hash, event_date

_ROOTS = {
    "rss": ("rss", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"),
    "atom": ("{http://www.w3.org/2005/Atom}feed",),
}


def _checked_root(data: bytes, name: str) -> str:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InputError(
            _(
                "{name} declares a DTD or entities, which policytrack never reads; ask for a plain feed"
            ).format(name=name)
        ) from None
    except ParseError as exc:
        raise InputError(
            _("{name} is not well-formed XML ({problem}): a truncated download? Fetch it again").format(
                name=name, problem=exc
            )
        ) from None
    return str(root.tag)


def read_feed(data: bytes, name: str, kind: str) -> Batch:
    """An RSS 2.0 (`kind` rss) or Atom (`kind` atom) document: one candidate per item."""
    tag = _checked_root(data, name)
    if tag not in _ROOTS[kind]:
        other = next((k for k, roots in _ROOTS.items() if tag in roots), None)
        fix = _("use --kind {other}").format(other=other) if other else _("give an RSS or Atom feed")
        raise InputError(
            _("{name} is not an {kind} feed (its root is {tag!r}); {fix}").format(
                name=name, kind=kind.upper() if kind == "rss" else "Atom", tag=tag[:60], fix=fix
            )
        )
    import feedparser

    parsed: Any = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=True)
    channel = parsed.feed
    dataset = str(channel.get("link") or channel.get("id") or channel.get("title") or name).strip()
    licence = str(channel.get("rights") or channel.get("copyright") or "").strip()

    def records() -> Iterator[Incoming]:
        for n, item in enumerate(parsed.entries, start=1):
            link = str(item.get("link") or "").strip()
            ext = str(item.get("id") or item.get("guid") or link).strip()
            if not ext:
                raise InputError(_("{name}: item {n} has no id nor link").format(name=name, n=n))
            stamp = item.get("published_parsed") or item.get("updated_parsed")
            if stamp is None:
                raise InputError(
                    _("{name}: item {n} has no date (pubDate, published or updated)").format(name=name, n=n)
                )
            day, start, precision = event_date(time.strftime("%Y-%m-%d", stamp), "day", f"{name} item {n}")
            raw = {
                key: str(value)
                for key, value in item.items()
                if isinstance(value, str) and not key.endswith("_parsed")
            }
            yield Incoming(
                ext,
                raw,
                title=str(item.get("title") or "").strip(),
                summary=str(item.get("summary") or item.get("title") or "").strip(),
                date=day,
                date_start=start,
                date_precision=precision,
                actors=[],
                source=str(channel.get("title") or "").strip(),
                url=link,
                version=content_hash(raw),
            )

    return Batch(dataset, licence, records())
