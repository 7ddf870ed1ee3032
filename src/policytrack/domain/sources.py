"""The source registry: registering, editing and merging sources, linking what an analyst types as a
source to a registered one (the grade patterns the registry shows: source_listing.py). Nothing here
prints."""

from __future__ import annotations

import re
import uuid as uuidlib
from typing import TYPE_CHECKING

from policytrack.core.errors import InputError, NotFoundError
from policytrack.core.i18n import _
from policytrack.domain.context import default_analyst, default_language, utc_now
from policytrack.records import check
from policytrack.records.source import SOURCE
from policytrack.store import Store

if TYPE_CHECKING:
    from policytrack.domain.source_fields import SourceFields
    from policytrack.records.listed import SourceRecord

_KEY = re.compile(SOURCE["key"].pattern or "")


def check_key(raw: str) -> str:
    return check.key(
        SOURCE["key"],
        raw,
        _(
            "use 1-40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (such as "
            "reuters)"
        ),
    )


def check_type(raw: str) -> str:
    return check.choice(SOURCE["type"], raw)


def check_reliability(raw: str) -> str | None:
    value = raw.strip().upper()
    if not value:
        return None
    return check.matches(
        SOURCE["reliability"],
        value,
        _("use a letter A-F (A completely reliable .. E unreliable, F cannot be judged), or '' to clear it"),
    )


def url_host(text: str) -> str:
    """The host of an http(s) URL, lower case, without `www.`; "" for anything else."""
    from urllib.parse import urlsplit  # only where a URL is read

    stripped = text.strip()
    if not re.match(r"(?i)https?://", stripped) or any(c.isspace() for c in stripped):
        return ""
    try:
        host = urlsplit(stripped).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def find_source(store: Store, raw: str, what: str = "source") -> SourceRecord:
    """A registered source by key (a merged key leads to the source it was merged into); a miss names the
    closest key."""
    key = raw.strip().lower()
    found = store.source_by_key(key)
    seen = 0
    while found is not None and found.merged_into is not None and seen < 100:
        found, seen = store.source_by_id(found.merged_into), seen + 1
    if found is not None:
        return found
    import difflib  # only to suggest a key after a typo

    keys = [s.key for s in store.source_rows()]
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.5)
    hint = _("did you mean {key!r}? ").format(key=close[0]) if close else ""
    raise NotFoundError(
        _(
            "unknown {what} {raw!r}; {hint}`policytrack source list` shows the registered keys, "
            "`policytrack source add KEY --name NAME` registers one"
        ).format(what=what, raw=raw, hint=hint)
    )


def link(store: Store, text: str) -> tuple[int | None, str]:
    """What `--source TEXT` records: a registered key links that source (and keeps no text); a URL whose
    host is a registered source's links it and keeps the URL; anything else stays free text."""
    stripped = text.strip()
    if not stripped:
        return None, ""
    if _KEY.fullmatch(stripped.lower()):
        try:
            return find_source(store, stripped).id, ""
        except NotFoundError as exc:
            # one word close to a registered key is a typo of it, not a citation
            import difflib  # only for a one-word source that is not a key

            keys = [s.key for s in store.source_rows()]
            if difflib.get_close_matches(stripped.lower(), keys, n=1, cutoff=0.75):
                raise InputError(_("{exc}; or write a citation of several words").format(exc=exc)) from None
    host = url_host(stripped)
    while host:
        matches = store.sources_by_host(host)
        if len(matches) == 1:
            return matches[0].id, stripped
        if matches:
            break  # two sources share the host: the analyst says which with --source KEY
        host = host.partition(".")[2] if host.count(".") > 1 else ""
    return None, stripped


def source_values(fields: SourceFields) -> dict[str, object]:
    """The one validator of a source's fields (`source add`, `source edit`, `source import` and sync):
    each checked against its declaration (records/source.py), the URL's host derived from it."""
    values: dict[str, object] = {}
    if fields.name is not None:
        name = check.text(SOURCE["name"], fields.name).strip()
        if not name:
            raise InputError(_("empty name: give the source's name, such as 'Reuters'"))
        values["name"] = name
    if fields.url is not None:
        url = check.text(SOURCE["url"], fields.url).strip()
        if url and not url_host(url):
            raise InputError(
                _("invalid url {shown}: give an http(s) address such as https://www.reuters.com").format(
                    shown=check.shown(url)
                )
            )
        values["url"], values["host"] = url, url_host(url)
    if fields.type is not None:
        values["type"] = check_type(fields.type)
    if fields.origin is not None:
        values["origin"] = check.text(SOURCE["origin"], fields.origin).strip()
    if fields.reliability is not None:
        values["reliability"] = check_reliability(fields.reliability)
    if fields.note is not None:
        values["note"] = check.text(SOURCE["note"], fields.note).strip()
    if fields.language is not None:
        values["language"] = check.language(SOURCE["language"], fields.language)
    return values


def add_source(store: Store, key: str, fields: SourceFields) -> SourceRecord:
    checked = check_key(key)
    if store.source_by_key(checked) is not None:
        raise InputError(
            _("source {checked!r} is already registered; change it with `policytrack source edit`").format(
                checked=checked
            )
        )
    if fields.name is None:
        raise InputError(_("a source needs a name: give --name"))
    values: dict[str, object] = {k: v for k, v in SOURCE.defaults().items() if k in SOURCE.stored()}
    values["language"] = default_language()  # a new one's; older data's is the declared default
    values.update(source_values(fields))
    store.insert_source({**values, "uuid": str(uuidlib.uuid4()), "key": checked}, utc_now())
    return find_source(store, checked)


def edit_source(store: Store, key: str, fields: SourceFields) -> SourceRecord:
    current = find_source(store, key)
    values = {k: v for k, v in source_values(fields).items() if getattr(current, k) != v}
    if not values:
        raise InputError(
            _("nothing to change: source {key!r} already has these values").format(key=current.key)
        )
    store.update_source(current.id, values, utc_now())
    return find_source(store, current.key)


def merge_sources(store: Store, old_key: str, new_key: str) -> tuple[SourceRecord, SourceRecord, int]:
    """`old_key` is the same source as `new_key`: its entries cite `new_key` (as new revisions) and the
    key leads there from now on; the old record is kept."""
    old, new = find_source(store, old_key), find_source(store, new_key)
    if old.id == new.id:
        raise InputError(
            _(
                "{old_key!r} and {new_key!r} are already the same source ({key!r}): name two different ones"
            ).format(old_key=old_key, new_key=new_key, key=new.key)
        )
    moved = store.merge_source(old.id, new.id, default_analyst(), utc_now())
    return old, new, moved
