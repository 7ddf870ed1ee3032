"""The source registry as a file: `source export` writes every source (merged ones too, naming the one they
were merged into), `source import` merges such a file by uuid, as import does with entries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.i18n import _, ngettext
from policytrack.domain.context import utc_now
from policytrack.domain.source_fields import SourceFields
from policytrack.domain.sources import check_key, source_values
from policytrack.records.columns import restore_neutralised
from policytrack.records.source import EXPORTED_SOURCE, SOURCE
from policytrack.store import Store

# What `source import` sets of a source besides its key, as `source add` and `source edit` do.
SOURCE_FIELD_NAMES = tuple(f.name for f in fields(SourceFields))


def source_records(store: Store) -> Iterator[dict[str, Any]]:
    """Every registered source, merged ones included, in key order."""
    sources = store.source_rows(merged=True)
    keys = {s.id: s.key for s in sources}
    for s in sources:
        yield {**s.as_dict(), "merged_into": keys.get(s.merged_into) if s.merged_into else None}


def parse_source_file(text: str, name: str) -> list[dict[str, Any]]:
    """The records of a file `source export` wrote: a JSON list, JSON lines, or CSV with a header."""
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        if stripped.startswith("["):
            records = json.loads(stripped)
        elif stripped.startswith("{"):
            records = [json.loads(line) for line in stripped.splitlines() if line.strip()]
        else:
            # CSV cells of free text a spreadsheet would run carry export's apostrophe: take it off
            free = EXPORTED_SOURCE.names(free_text=True)
            records = [
                {k: restore_neutralised(v) if k in free and isinstance(v, str) else v for k, v in r.items()}
                for r in csv.DictReader(io.StringIO(stripped))
            ]
    except (ValueError, RecursionError, csv.Error) as exc:
        raise InputError(
            _("{name} is not a sources file (JSON, JSON lines or CSV): {why}").format(name=name, why=exc)
        ) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(_("{name} is not a sources file: expected one object per source").format(name=name))
    missing = [f for f in EXPORTED_SOURCE.names() if SOURCE[f].required and records and f not in records[0]]
    if missing:
        raise InputError(
            ngettext(
                "{name} lacks the column {columns}: give a file `source export` wrote",
                "{name} lacks the columns {columns}: give a file `source export` wrote",
                len(missing),
            ).format(name=name, columns=", ".join(missing))
        )
    return records


_DEFAULTS: dict[str, object] = SOURCE.defaults()


@dataclass
class SourceImport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    same_key: int = 0  # registered here under the same key with another uuid: kept as it is here

    def summary(self) -> str:
        text = f"{self.added} sources added, {self.updated} updated, {self.unchanged} unchanged"
        if self.same_key:
            text += f", {self.same_key} kept as registered here (same key, registered apart)"
        return text


def _text(rec: dict[str, Any], name: str, line: int) -> str | None:
    value = rec.get(name)
    if value is None or value == "":
        return None if name != "name" else ""
    if not isinstance(value, str):
        raise InputError(_("source {line}: {name} must be text").format(line=line, name=name))
    return value


def import_sources(store: Store, records: list[dict[str, Any]], *, dry_run: bool = False) -> SourceImport:
    """Merge sources by uuid: new ones are added, known ones take the file's fields; every record is
    checked before anything is written, and all of it is written in one transaction, or none."""
    from policytrack.exchange.rowcheck import normal_uuid  # the one uuid rule

    result = SourceImport()
    checked: list[tuple[str, str, dict[str, object], str | None]] = []
    for line, rec in enumerate(records, start=1):
        try:
            uuid = normal_uuid(rec.get("uuid"))
            if not uuid:
                raise InputError(_("{name} is empty").format(name="uuid"))
            key = check_key(_text(rec, "key", line) or "")
            fields = SourceFields(**{f: _text(rec, f, line) for f in SOURCE_FIELD_NAMES})
            if fields.reliability is None:
                fields.reliability = ""
            values = source_values(fields)
        except InputError as exc:
            raise InputError(
                _("source {line} of the file: {problem}; nothing was imported").format(line=line, problem=exc)
            ) from None
        merged = _text(rec, "merged_into", line)
        checked.append((uuid, key, values, check_key(merged) if merged else None))
    _no_merge_cycle({key: merged for _uuid, key, _values, merged in checked if merged is not None})
    now = utc_now()
    with store.transaction():
        by_uuid = {s.uuid: s for s in store.source_rows(merged=True)}
        for uuid, key, values, _merged in checked:
            local = by_uuid.get(uuid)
            if local is None:
                here = store.source_by_key(key)
                if here is not None:
                    result.same_key += 1
                    continue
                store.insert_source({**_DEFAULTS, **values, "uuid": uuid, "key": key}, now)
                result.added += 1
                continue
            changed = {k: v for k, v in {**values, "key": key}.items() if getattr(local, k) != v}
            if not changed:
                result.unchanged += 1
                continue
            if "key" in changed and store.source_by_key(key) is not None:
                raise InputError(
                    _(
                        "source {uuid} is {key!r} in the file but {here!r} here, and {key!r} is another "
                        "source here; nothing was imported"
                    ).format(uuid=uuid, key=key, here=local.key)
                )
            store.update_source(local.id, changed, now)
            result.updated += 1
        for uuid, _key, _values, merged in checked:
            if merged is None:
                continue
            source, into = store.source_by_key(_key_of(store, uuid)), store.source_by_key(merged)
            if into is None:
                raise InputError(
                    _("source {uuid} was merged into {merged!r}, which the file does not hold").format(
                        uuid=uuid, merged=merged
                    )
                )
            if source is not None and source.merged_into is None and source.id != into.id:
                if _final(store, into.id) == source.id:
                    raise InputError(
                        _(
                            "source {key!r} is merged into {merged!r} in the file, but {merged!r} is merged "
                            "into {key!r} here: a merge may not form a cycle; fix merged_into in the file; "
                            "nothing was imported"
                        ).format(key=source.key, merged=merged)
                    )
                store.merge_source(source.id, into.id, "import", now)
        if dry_run:
            store.rollback()
    return result


def _key_of(store: Store, uuid: str) -> str:
    return next((s.key for s in store.source_rows(merged=True) if s.uuid == uuid), "")


def _no_merge_cycle(merges: dict[str, str]) -> None:
    """Refuse a file whose merges form a cycle (a merged into b, b into a): no source would stand."""
    for start in merges:
        chain, key = [start], merges[start]
        while key in merges and key not in chain:
            chain.append(key)
            key = merges[key]
        if key in chain:
            cycle = " -> ".join([*chain[chain.index(key) :], key])
            raise InputError(
                _(
                    "the file's merges form a cycle ({cycle}): a source is merged into one that stands on "
                    "its own; fix merged_into in the file; nothing was imported"
                ).format(cycle=cycle)
            )


def _final(store: Store, source_id: int) -> int:
    """The source a chain of merges ends at here."""
    seen: set[int] = set()
    while source_id not in seen:
        seen.add(source_id)
        into = store.source_by_id(source_id).merged_into
        if into is None:
            break
        source_id = into
    return source_id
