"""Evidence: logging, editing, deleting and restoring entries, listing them, and their history.

Every function takes an open Store (policytrack.workspace opens one), so the command line and tests drive
the same code. Nothing here prints.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from policytrack.columns import REVIEW_FIELDS
from policytrack.context import default_analyst, utc_now
from policytrack.dates import PartialDate, window_end
from policytrack.errors import InputError
from policytrack.grades import parse_grade
from policytrack.models import (
    EFFECT_MAX,
    EFFECT_MIN,
    MAX_ID,
    Entry,
    EntryFilter,
    EntryInput,
    Framework,
    Indicator,
    Revision,
    check_effect,
    clean_labels,
    clean_summary,
    clean_text,
    resolve_indicator,
)
from policytrack.store import Store
from policytrack.store.entries import entry_where


def validated_values(fw: Framework, data: EntryInput) -> dict[str, Any]:
    indicator = resolve_indicator(fw, data.indicator)
    status = fw.level(data.status).name if data.status else None
    return {
        "indicator_id": indicator.id,
        "date": str(data.date),
        "date_start": data.date.start.isoformat(),
        "date_precision": data.date.precision,
        "summary": clean_summary(data.summary),
        "note": clean_text(data.note, "--note").strip(),
        "source": clean_text(data.source, "--source").strip(),
        "effect": check_effect(data.effect),
        "status": status,
        "grade": parse_grade(data.grade) if data.grade else None,
        "tags": _json_list(clean_labels(data.tags, "--tag")),
        "actors": _json_list(clean_labels(data.actors, "--actor")),
        "signals": _json_list(observed_signals(indicator, data.signals)),
        # new or changed content has not been reviewed (reviews.review_entries sets these)
        "reviewed_by": None,
        "reviewed_at": None,
        "analyst": clean_text(data.analyst, "--analyst").strip() or default_analyst(),
    }


def observed_signals(indicator: Indicator, keys: Sequence[str]) -> list[str]:
    """The keys of the indicator's signals an entry observes, each checked, in the order given."""
    out: list[str] = []
    for key in keys:
        sig = indicator.signal(clean_text(key, "--signal")).key
        if sig not in out:
            out.append(sig)
    return out


def _json_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False) if values else "[]"


def log_entry(store: Store, fw: Framework, data: EntryInput) -> Entry:
    """Validate and record one piece of evidence; everything is checked before anything is written."""
    values = validated_values(fw, data)
    entry_id = store.insert_entry(str(uuidlib.uuid4()), values, utc_now(), values["analyst"])
    return store.get_entry(entry_id)


@dataclass
class EntryChanges:
    """The fields an edit sets; None leaves a field unchanged, "" clears status, grade and text."""

    indicator: str | None = None
    summary: str | None = None
    date: PartialDate | None = None
    source: str | None = None
    effect: int | None = None
    status: str | None = None
    grade: str | None = None
    tags: list[str] | None = None
    actors: list[str] | None = None
    note: str | None = None
    analyst: str | None = None
    add_tags: Sequence[str] = ()
    remove_tags: Sequence[str] = ()
    add_actors: Sequence[str] = ()
    remove_actors: Sequence[str] = ()


def _labels_after(
    what: str, current: Sequence[str], replace: list[str] | None, add: Sequence[str], remove: Sequence[str]
) -> list[str]:
    """Tags or actors after an edit: replaced whole, or with some added and some removed."""
    if replace is not None and (add or remove):
        raise InputError(f"--{what} replaces them all: use it without --add-{what} and --remove-{what}")
    labels = list(current) if replace is None else list(replace)
    for label in remove:
        if label.strip() not in labels:
            have = ", ".join(labels) or "none"
            raise InputError(f"the entry has no {what} {label!r} to remove; it has: {have}")
        labels.remove(label.strip())
    return labels + [label for label in add if label.strip() not in labels]


def edit_entry(store: Store, fw: Framework, entry_id: int, changes: EntryChanges) -> Entry:
    """Apply changes as a new revision; the previous state stays in the history."""
    current = store.get_entry(entry_id)
    if current.deleted:
        raise InputError(f"entry {entry_id} is deleted; `policytrack restore {entry_id}` first")
    if current.framework != fw.name:
        raise InputError(f"entry {entry_id} belongs to framework {current.framework!r}, not {fw.name!r}")
    merged = EntryInput(
        indicator=changes.indicator if changes.indicator is not None else current.indicator,
        summary=changes.summary if changes.summary is not None else current.summary,
        date=changes.date or current.date,
        source=changes.source if changes.source is not None else current.source,
        effect=changes.effect if changes.effect is not None else current.effect,
        status=current.status if changes.status is None else (changes.status or None),
        grade=current.grade if changes.grade is None else (changes.grade or None),
        tags=_labels_after("tag", current.tags, changes.tags, changes.add_tags, changes.remove_tags),
        actors=_labels_after(
            "actor", current.actors, changes.actors, changes.add_actors, changes.remove_actors
        ),
        note=changes.note if changes.note is not None else current.note,
        analyst=changes.analyst if changes.analyst is not None else current.analyst,
        signals=list(current.signals),
    )
    values = validated_values(fw, merged)
    before = store.entry_row(entry_id)
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed.keys() - set(REVIEW_FIELDS):  # clearing the review is no change by itself
        raise InputError(f"nothing to change: entry {entry_id} already has these values")
    store.update_entry(entry_id, changed, "edit", default_analyst(), utc_now())
    return store.get_entry(entry_id)


def delete_entry(store: Store, entry_id: int) -> Entry:
    """Leave a tombstone: the entry drops out of lists and reports; `restore` brings it back."""
    current = store.get_entry(entry_id)
    if current.deleted:
        raise InputError(f"entry {entry_id} is already deleted; `policytrack restore {entry_id}`")
    now = utc_now()
    store.update_entry(entry_id, {"deleted_at": now}, "delete", default_analyst(), now)
    return store.get_entry(entry_id)


def restore_entry(store: Store, entry_id: int) -> Entry:
    current = store.get_entry(entry_id)
    if not current.deleted:
        raise InputError(f"entry {entry_id} is not deleted; nothing to restore")
    store.update_entry(entry_id, {"deleted_at": None}, "restore", default_analyst(), utc_now())
    return store.get_entry(entry_id)


def history(store: Store, entry_id: int) -> list[Revision]:
    return store.revisions(entry_id)


def list_entries(store: Store, fw: Framework, flt: EntryFilter, limit: int | None = None) -> Iterator[Entry]:
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}")
    if limit is not None and limit > MAX_ID:
        limit = None  # more than any database can hold: all of them
    where, params = filter_sql(fw, flt)
    return store.query_entries(where, params, limit)


def list_all_entries(store: Store, flt: EntryFilter, limit: int | None = None) -> Iterator[Entry]:
    """Entries of every framework (indicators, named per framework, cannot be chosen here)."""
    if flt.indicators:
        raise InputError("--indicator needs one framework: use --framework rather than --all-frameworks")
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}")
    window_end(flt.since, flt.until)
    where, params = entry_where(None, [], flt)
    return store.query_entries(where, params, None if limit is None or limit > MAX_ID else limit)


def filter_sql(fw: Framework, flt: EntryFilter) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (over aliases e, i, f) and parameters that select a filter's entries, once its
    window and indicators are checked (store.entries.entry_where writes the SQL)."""
    window_end(flt.since, flt.until)
    ids = [resolve_indicator(fw, key).id or 0 for key in flt.indicators]
    for level in flt.statuses:
        fw.level(level)  # says which levels there are
    return entry_where(fw.name, ids, flt)


def effect_range(
    raw: str | None, *, advancing: bool = False, hindering: bool = False
) -> tuple[int, int] | None:
    """--effect (`-1`, `+2`, or a range such as `-2..-1`), or --advancing (1..2) or --hindering (-2..-1)."""
    given = [
        name
        for name, on in (
            ("--effect", raw is not None),
            ("--advancing", advancing),
            ("--hindering", hindering),
        )
        if on
    ]
    if len(given) > 1:
        raise InputError(f"{' and '.join(given)} cannot be used together: choose one")
    if advancing:
        return 1, EFFECT_MAX
    if hindering:
        return EFFECT_MIN, -1
    if raw is None:
        return None
    low, sep, high = raw.strip().partition("..")
    try:
        bounds = (int(low), int(high) if sep else int(low))
    except ValueError:
        raise InputError(
            f"invalid --effect {raw!r}: give a value from -2 to +2, or a range such as -2..-1"
        ) from None
    if not EFFECT_MIN <= bounds[0] <= bounds[1] <= EFFECT_MAX:
        raise InputError(
            f"invalid --effect {raw!r}: give values from -2 to +2, the lower first (such as -2..-1)"
        )
    return bounds
