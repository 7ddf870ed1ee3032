"""Evidence: logging, editing, deleting and restoring entries, listing them, and their history.

Every function takes an open Store (policytrack.domain.workspace opens one), so the command line and tests
drive the same code. Nothing here prints.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid as uuidlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policytrack.core.dates import window_end
from policytrack.core.errors import InputError
from policytrack.core.grades import CREDIBILITY, grade_weight, parse_grade
from policytrack.core.i18n import _
from policytrack.domain.context import default_analyst, default_language, utc_now
from policytrack.domain.sources import find_source, link
from policytrack.records import check
from policytrack.records.columns import RETURN_FIELDS, REVIEW_FIELDS
from policytrack.records.entry import ENTRY
from policytrack.records.models import (
    EFFECT_MAX,
    EFFECT_MIN,
    MAX_ID,
    Entry,
    EntryInput,
    Framework,
    Indicator,
    check_effect,
    clean_labels,
    clean_summary,
    resolve_indicator,
)
from policytrack.store import Store
from policytrack.store.entries import entry_where, grep_words

if TYPE_CHECKING:
    from policytrack.domain.edits import EntryChanges
    from policytrack.records.listed import EntryFilter, Revision


def validated_values(fw: Framework, data: EntryInput) -> dict[str, Any]:
    indicator = resolve_indicator(fw, data.indicator)
    status = fw.level(data.status).name if data.status else None
    grade = parse_grade(data.grade, "grade") if data.grade else None
    if data.via_id is not None and data.via_id == data.source_id:
        raise InputError(_("via names the source itself: via is the outlet it came through, if another"))
    return {
        "indicator_id": indicator.id,
        "date": str(data.date),
        "date_start": data.date.start.isoformat(),
        "date_precision": data.date.precision,
        "summary": clean_summary(data.summary),
        "note": check.text(ENTRY["note"], data.note).strip(),
        "source": check.text(ENTRY["source"], data.source).strip(),
        "effect": check_effect(data.effect),
        "status": status,
        "grade": grade,
        "tags": _json_list(clean_labels(data.tags, "tags")),
        "actors": _json_list(clean_labels(data.actors, "actors")),
        "signals": _json_list(observed_signals(indicator, data.signals)),
        # new or changed content has not been reviewed (reviews.review_entries sets these), nor returned
        # to its author (reviews.return_entries; only the author's edit clears it: edit_entry)
        "reviewed_by": None,
        "reviewed_at": None,
        **dict.fromkeys(RETURN_FIELDS),
        "analyst": check.text(ENTRY["analyst"], data.analyst).strip() or default_analyst(),
        "source_id": data.source_id,
        "via_id": data.via_id,
        "event": data.event,
        "weight": grade_weight(grade),
        **language_values(
            data.language,
            data.summary_translation,
            data.summary_translation_language,
            data.summary_translation_checked,
        ),
    }


def language_values(
    language: str | None, translation: str, translation_language: str, checked: bool
) -> dict[str, Any]:
    """An entry's language fields, checked: the summary's language (None: the config's `language`, else
    und) and its translation, which needs its own language; without a translation there is nothing to
    check, so its language and check are cleared."""
    translation = check.text(ENTRY["summary_translation"], translation).strip()
    tagged = check.language(ENTRY["summary_translation_language"], translation_language)
    if translation and not tagged:
        raise InputError(
            _(
                "a translated summary needs its language: add --translation-language TAG, such as en or fr "
                "(in a form or a file: {field})"
            ).format(field=ENTRY["summary_translation_language"].name)
        )
    if tagged and not translation:
        raise InputError(
            _(
                "--translation-language {tag} names no translation: give the translation with --translation "
                "(in a form or a file: {field})"
            ).format(tag=tagged, field=ENTRY["summary_translation"].name)
        )
    return {
        "language": check.language(ENTRY["language"], default_language() if language is None else language),
        "summary_translation": translation,
        "summary_translation_language": tagged,
        "summary_translation_checked": int(bool(translation) and checked),
    }


def observed_signals(indicator: Indicator, keys: Sequence[str]) -> list[str]:
    """The keys of the indicator's signals an entry observes, each checked, in the order given."""
    out: list[str] = []
    for key in keys:
        sig = indicator.signal(check.text(ENTRY["signals"], key)).key  # the indicator's keys are the rule
        if sig not in out:
            out.append(sig)
    return out


def _json_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False) if values else "[]"


def log_entry(store: Store, fw: Framework, data: EntryInput) -> Entry:
    """Validate and record one piece of evidence; everything is checked before anything is written."""
    values = validated_values(fw, data)
    # The revision records who ran the command (`undo` finds it by that name), the entry whom --analyst names.
    entry_id = store.insert_entry(str(uuidlib.uuid4()), values, utc_now(), default_analyst())
    return store.get_entry(entry_id)


def linked(
    store: Store,
    data: EntryInput,
    via: str | None,
    credibility: str | None,
    source_key: str | None = None,
) -> EntryInput:
    """The input with its source linked to the registry (sources.link, or the registered `source_key`
    given apart from the text, as the editor form and import give it), the outlet it came `via`, and a
    grade from the registered source's reliability and `credibility` (an explicit --grade wins)."""
    source_id: int | None
    if source_key and source_key.strip():
        source_id, text = find_source(store, source_key, "source_key source").id, data.source.strip()
    else:
        source_id, text = link(store, data.source)
    via_id = find_source(store, via, "via source").id if via else None
    grade = data.grade
    if credibility is not None and not grade:
        value = credibility.strip()
        if value not in CREDIBILITY:
            raise InputError(
                _(
                    "invalid --credibility {credibility!r}: use a digit 1-6 (1 confirmed .. 5 improbable)"
                ).format(credibility=credibility)
            )
        if source_id is None:
            raise InputError(
                _(
                    "--credibility needs a registered --source (its reliability is the grade's letter): give "
                    "--source KEY, or the whole grade with --grade"
                )
            )
        reliability = store.source_by_id(source_id).reliability
        if reliability is None:
            key = store.source_by_id(source_id).key
            raise InputError(
                _(
                    "source {key!r} has no reliability: `policytrack source edit {key} --reliability B`, "
                    "or give the whole grade with --grade"
                ).format(key=key)
            )
        grade = reliability + value
    return dataclasses.replace(data, source=text, source_id=source_id, via_id=via_id, grade=grade)


def folded(summary: str) -> str:
    """A summary as duplicates are compared: case and whitespace folded."""
    return " ".join(summary.split()).casefold()


def duplicate_of(store: Store, values: dict[str, Any]) -> int | None:
    """The id of a current entry with the same indicator, date and (folded) summary, if there is one."""
    wanted = folded(values["summary"])
    for row in store.same_entries(values["indicator_id"], values["date_start"], values["date"]):
        if folded(row["summary"]) == wanted:
            return int(row["id"])
    return None


@dataclass(frozen=True)
class EventPart:
    """One indicator of an event: its framework and the indicator as typed, with its effect and, when
    they are its own (`--signal KEY=SIGNAL`), the signals it observes (None: the entry's)."""

    framework: Framework
    indicator: str
    effect: int
    signals: tuple[str, ...] | None = None


def log_event(
    store: Store, parts: Sequence[EventPart], data: EntryInput, *, allow_duplicate: bool = False
) -> list[Entry]:
    """Record one piece of evidence against one or several indicators: one entry each, linked as one
    event when there are several; every entry is checked (duplicates too) before any is written."""
    event = str(uuidlib.uuid4()) if len(parts) > 1 else None
    checked: list[dict[str, Any]] = []
    seen: dict[int, str] = {}
    for part in parts:
        one = dataclasses.replace(data, indicator=part.indicator, effect=part.effect, event=event)
        if part.signals is not None:
            one = dataclasses.replace(one, signals=list(part.signals))
        values = validated_values(part.framework, one)
        first = seen.get(values["indicator_id"])
        if first is not None:
            raise InputError(
                _(
                    "indicator {indicator!r} is named twice in this event (also as {first!r}): name each "
                    "indicator once"
                ).format(indicator=part.indicator, first=first)
            )
        seen[values["indicator_id"]] = part.indicator
        twin = None if allow_duplicate else duplicate_of(store, values)
        if twin is not None:
            raise InputError(
                _(
                    "entry {twin} already records this (same indicator, date and summary); nothing was "
                    "logged: `policytrack show {twin}`, or add --allow-duplicate to log it again"
                ).format(twin=twin)
            )
        checked.append(values)
    now = utc_now()
    with store.transaction():
        # each revision records who ran the command (`undo` finds it by that name)
        by = default_analyst()
        ids = [store.insert_entry(str(uuidlib.uuid4()), values, now, by) for values in checked]
    return [store.get_entry(entry_id) for entry_id in ids]


def event_signals(raw: Sequence[str], keys: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """--signal for each indicator of an event: `SIGNAL` for every one of them, or `KEY=SIGNAL` for one
    (KEY as named on the command line, or the key alone of a FRAMEWORK:KEY), in the order given."""
    aliases = {key.rpartition(":")[2]: key for key in keys} | {key: key for key in keys}
    out: dict[str, list[str]] = {key: [] for key in keys}
    for item in raw:
        name, sep, signal = item.partition("=")
        if not sep:
            for key in keys:
                out[key].append(item)
            continue
        named = aliases.get(name.strip())
        if named is None:
            raise InputError(
                _(
                    "--signal {item!r} names {name!r}, which is not one of this entry's indicators ({keys}): "
                    "use KEY=SIGNAL with one of them, or a bare SIGNAL for all"
                ).format(item=item, name=name.strip(), keys=", ".join(keys))
            )
        out[named].append(signal)
    return {key: tuple(signals) for key, signals in out.items()}


def event_effects(raw: Sequence[str], keys: Sequence[str]) -> dict[str, int]:
    """--effect for each indicator of an event: `-1` for all of them, or `KEY=-1` for one (which wins
    over a bare value, whatever their order)."""
    bare: dict[str, int] = {}
    named: dict[str, int] = {}
    # FRAMEWORK:KEY may be named by its KEY alone
    aliases = {key.rpartition(":")[2]: key for key in keys} | {key: key for key in keys}
    for item in raw:
        name, sep, value = item.rpartition("=")
        name = aliases.get(name.strip(), name.strip())
        if sep and name not in keys:
            raise InputError(
                _(
                    "--effect {item!r} names {name!r}, which is not one of this entry's indicators "
                    "({keys}): use KEY=VALUE with one of them, or a bare value for all"
                ).format(item=item, name=name, keys=", ".join(keys))
            )
        try:
            number = check_effect(int(value))
        except ValueError:
            raise InputError(
                _(
                    "invalid --effect {item!r}: give a value from -2 to +2, or KEY=VALUE for one indicator"
                ).format(item=item)
            ) from None
        if sep:
            named[name] = number
        else:
            bare = dict.fromkeys(keys, number)
    return {key: named.get(key, bare.get(key, 0)) for key in keys}


def _languages_after(current: Entry, changes: EntryChanges) -> dict[str, Any]:
    """An entry's language fields after an edit: a new translation is unchecked unless --checked says
    otherwise; removing it removes its language."""
    translation = current.summary_translation
    tagged = current.summary_translation_language
    checked = current.summary_translation_checked
    if changes.summary is not None and changes.summary != current.summary:
        checked = False  # a check was of the translation against the summary as it was
    if changes.summary_translation is not None:
        translation, checked = changes.summary_translation, False
        if not changes.summary_translation.strip():
            tagged = ""
    if changes.summary_translation_language is not None:
        tagged = changes.summary_translation_language
    if changes.summary_translation_checked is not None:
        checked = changes.summary_translation_checked
    return {
        "language": current.language if changes.language is None else changes.language,
        "summary_translation": translation,
        "summary_translation_language": tagged,
        "summary_translation_checked": checked,
    }


def _labels_after(
    what: str, current: Sequence[str], replace: list[str] | None, add: Sequence[str], remove: Sequence[str]
) -> list[str]:
    """Tags or actors after an edit: replaced whole, or with some added and some removed."""
    if replace is not None and (add or remove):
        raise InputError(
            _("--{what} replaces them all: use it without --add-{what} and --remove-{what}").format(what=what)
        )
    labels = list(current) if replace is None else list(replace)
    for label in remove:
        if label.strip() not in labels:
            have = ", ".join(labels) or "none"
            raise InputError(
                _("the entry has no {what} {label!r} to remove; it has: {have}").format(
                    what=what, label=label, have=have
                )
            )
        labels.remove(label.strip())
    return labels + [label for label in add if label.strip() not in labels]


def edit_entry(store: Store, fw: Framework, entry_id: int, changes: EntryChanges) -> Entry:
    """Apply changes as a new revision; the previous state stays in the history."""
    current = store.get_entry(entry_id)
    if current.deleted:
        raise InputError(
            _("entry {entry_id} is deleted; `policytrack restore {entry_id}` first").format(entry_id=entry_id)
        )
    if current.framework != fw.name:
        raise InputError(
            _("entry {entry_id} belongs to framework {framework!r}, not {name!r}").format(
                entry_id=entry_id, framework=current.framework, name=fw.name
            )
        )
    before = store.entry_row(entry_id)
    source_id, source_text = before["source_id"], None
    if changes.source is not None:
        source_id, source_text = link(store, changes.source)
    if changes.source_key is not None:
        key = changes.source_key.strip()
        source_id = find_source(store, key, "source_key source").id if key else None
        if changes.source is not None:
            source_text = changes.source.strip()  # the key links it; the text stays as typed
    via_id = before["via_id"]
    if changes.via is not None:
        via_id = find_source(store, changes.via, "via source").id if changes.via.strip() else None
    merged = EntryInput(
        indicator=changes.indicator if changes.indicator is not None else current.indicator,
        summary=changes.summary if changes.summary is not None else current.summary,
        date=changes.date or current.date,
        source=source_text if source_text is not None else current.source,
        effect=changes.effect if changes.effect is not None else current.effect,
        status=current.status if changes.status is None else (changes.status or None),
        grade=current.grade if changes.grade is None else (changes.grade or None),
        tags=_labels_after("tag", current.tags, changes.tags, changes.add_tags, changes.remove_tags),
        actors=_labels_after(
            "actor", current.actors, changes.actors, changes.add_actors, changes.remove_actors
        ),
        note=changes.note if changes.note is not None else current.note,
        analyst=changes.analyst if changes.analyst is not None else current.analyst,
        source_id=source_id,
        via_id=via_id,
        event=before["event"],
        signals=_labels_after("signal", current.signals, None, changes.add_signals, changes.remove_signals),
        **_languages_after(current, changes),
    )
    values = validated_values(fw, merged)
    editor = default_analyst()
    if editor != current.analyst:  # an entry returned for changes stays so until its author edits it
        values |= {k: before[k] for k in RETURN_FIELDS}
    changed = {k: v for k, v in values.items() if before[k] != v}
    # clearing the review, or the return, is no change by itself
    if not changed.keys() - {*REVIEW_FIELDS, *RETURN_FIELDS}:
        raise InputError(
            _("nothing to change: entry {entry_id} already has these values").format(entry_id=entry_id)
        )
    from policytrack.domain.redaction import refuse_redacted  # only edit needs it (start-up of log)

    refuse_redacted(store, entry_id, changed)
    store.update_entry(entry_id, changed, "edit", editor, utc_now())
    return store.get_entry(entry_id)


def delete_entry(store: Store, entry_id: int) -> Entry:
    """Leave a tombstone: the entry drops out of lists and reports; `restore` brings it back."""
    current = store.get_entry(entry_id)
    if current.deleted:
        raise InputError(
            _("entry {entry_id} is already deleted; `policytrack restore {entry_id}`").format(
                entry_id=entry_id
            )
        )
    now = utc_now()
    store.update_entry(entry_id, {"deleted_at": now}, "delete", default_analyst(), now)
    return store.get_entry(entry_id)


def restore_entry(store: Store, entry_id: int) -> Entry:
    current = store.get_entry(entry_id)
    if not current.deleted:
        raise InputError(_("entry {entry_id} is not deleted; nothing to restore").format(entry_id=entry_id))
    store.update_entry(entry_id, {"deleted_at": None}, "restore", default_analyst(), utc_now())
    return store.get_entry(entry_id)


def history(store: Store, entry_id: int) -> list[Revision]:
    return store.revisions(entry_id)


def with_sources(store: Store, flt: EntryFilter, keys: Sequence[str] = ()) -> EntryFilter:
    """The filter with registered sources resolved: `keys` (--source; a merged key is the source it was
    merged into, which finds the entries citing any key merged into it; an unknown one an error naming
    the fix), and for each word of --grep the sources whose
    key or name has a word that it starts, as the full-text index matches words."""
    chosen = tuple(store.leading_to(list(dict.fromkeys(find_source(store, key).id for key in keys))))
    words = grep_words(flt.grep)
    by_word: list[tuple[int, ...]] = []
    if words:
        registry = [
            (s.id, re.findall(r"\w+", f"{s.key} {s.name}".casefold())) for s in store.source_rows(merged=True)
        ]
        for word in words:
            folded = word.casefold()
            by_word.append(
                tuple(sid for sid, tokens in registry if any(t.startswith(folded) for t in tokens))
            )
    return dataclasses.replace(flt, sources=chosen, grep_sources=tuple(by_word))


def list_entries(store: Store, fw: Framework, flt: EntryFilter, limit: int | None = None) -> Iterator[Entry]:
    where, params, limit = listing(fw, flt, limit)
    return store.query_entries(where, params, limit)


def list_entry_tuples(
    store: Store, fw: Framework | None, flt: EntryFilter, names: Sequence[str], limit: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """What list_entries (fw None: list_all_entries) gives, as tuples of the columns `names` (of
    store.entries.ENTRY_SELECTABLE): for a plain-text listing of every row (render.entries.entries_plain)."""
    where, params, limit = listing(fw, flt, limit)
    return store.entry_tuples(names, where, params, limit)


def list_all_entries(store: Store, flt: EntryFilter, limit: int | None = None) -> Iterator[Entry]:
    """Entries of every framework (indicators, named per framework, cannot be chosen here)."""
    where, params, limit = listing(None, flt, limit)
    return store.query_entries(where, params, limit)


def listing(
    fw: Framework | None, flt: EntryFilter, limit: int | None = None
) -> tuple[list[str], list[Any], int | None]:
    """What `list` selects from a framework's entries (None: every framework's), checked: the WHERE
    clauses, their parameters and the limit (None: all). For Store.query_entries, entry_values and
    count_entries; checked here, so a bad filter fails before anything is written."""
    if fw is None and flt.indicators:
        raise InputError(_("--indicator needs one framework: use --framework rather than --all-frameworks"))
    if limit is not None and limit < 1:
        raise InputError(_("--limit must be at least 1, not {limit}").format(limit=limit))
    if limit is not None and limit > MAX_ID:
        limit = None  # more than any database can hold: all of them
    if fw is None:
        window_end(flt.since, flt.until)
        where, params = entry_where(None, [], flt)
    else:
        where, params = filter_sql(fw, flt)
    return where, params, limit


def list_stats(store: Store, fw: Framework | None, flt: EntryFilter) -> dict[str, int]:
    """How many entries `list` would give with no limit, and what a table of them must make room for
    (Store.listing_stats)."""
    where, params, _ = listing(fw, flt)
    return store.listing_stats(where, params)


def count_listed(store: Store, fw: Framework | None, flt: EntryFilter) -> int:
    """How many entries `list` would give with no limit, for a page of the newest: from the counts kept
    per indicator (Store.current_entry_count) when the filter chooses nothing but indicators, else counted
    from the rows (Store.count_listed)."""
    where, params, _ = listing(fw, flt)
    if not any(getattr(flt, f.name) for f in dataclasses.fields(flt) if f.name != "indicators"):
        ids = [resolve_indicator(fw, key).id or 0 for key in flt.indicators] if fw is not None else []
        return store.current_entry_count(None if fw is None else fw.name, ids)
    return store.count_listed(where, params)


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
        raise InputError(_("{given} cannot be used together: choose one").format(given=" and ".join(given)))
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
            _("invalid --effect {raw!r}: give a value from -2 to +2, or a range such as -2..-1").format(
                raw=raw
            )
        ) from None
    if not EFFECT_MIN <= bounds[0] <= bounds[1] <= EFFECT_MAX:
        raise InputError(
            _("invalid --effect {raw!r}: give values from -2 to +2, the lower first (such as -2..-1)").format(
                raw=raw
            )
        )
    return bounds
