"""Checking import rows: the rules of `log` for every row, with a fast path for rows in the stored form.

`RowChecker.general` builds an EntryInput and runs `validated_values`, exactly as `log` does; it accepts what
an analyst types (`Feb 2022`, `b 2`, `Diversify`) and words every error. Most imported rows come from an
export, already in the stored form (`2024-07-06`, `B2`, `diversify`), and for those `RowChecker.fast` gives
the same values with dictionary lookups (at 200,000 rows, checking took 9.7 s under the profiler through
the general path and 4.0 s with this one). Whenever a row is anything but plain, fast
returns None and the general path decides, so errors and unusual input are always handled by one set of
rules. A property test holds fast to giving the general path's values whenever it gives any.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from policytrack.core.dates import PartialDate, parse_date, stored_date
from policytrack.core.errors import DateError, InputError
from policytrack.core.grades import GRADES, grade_weight
from policytrack.core.i18n import _
from policytrack.core.storable import MAX_CELL_TEXT, clean_text, storable, utf16_length
from policytrack.domain.context import default_analyst, utc_now
from policytrack.domain.entries import language_values, validated_values
from policytrack.domain.sources import find_source
from policytrack.domain.workspace import get_framework
from policytrack.records.check import CONTROL
from policytrack.records.columns import LIST_SEPARATOR, REQUIRED, RETURN_FIELDS
from policytrack.records.entry import LANGUAGE_FIELDS, ROW_TEXT
from policytrack.records.field import UNDETERMINED
from policytrack.records.models import EFFECT_MAX, EFFECT_MIN, MAX_ID, EntryInput, Framework, NotJSON
from policytrack.store import Store

# Effects as CSV text ("-1", "+2", "" for none) and as JSON numbers, mapped to what check_effect accepts.
_EFFECTS: dict[object, int] = {"": 0}
for _n in range(EFFECT_MIN, EFFECT_MAX + 1):
    _EFFECTS[str(_n)] = _EFFECTS[_n] = _n
    if _n > 0:
        _EFFECTS[f"+{_n}"] = _n
_CACHE_LIMIT = 100_000  # distinct dates and label lists remembered; beyond it, rows still work, uncached

Values = dict[str, Any]


_WEIGHTS: dict[str | None, float] = {g: grade_weight(g) for g in (*GRADES, None)}
_TEXT_COLUMNS = ROW_TEXT.names()


def _json_kind(value: Any) -> str:
    kinds = {
        list: _("a JSON list"),
        dict: _("a JSON object"),
        bool: _("true or false"),
        int: _("a number"),
        float: _("a number"),
        bytes: _("binary data (a BLOB)"),
        NotJSON: _("not a JSON list"),
    }
    return kinds.get(type(value), type(value).__name__)


def _text(rec: dict[str, Any], name: str) -> str:
    """A text field: a string, or null/absent for none; never another JSON value turned into text."""
    value = rec.get(name)
    if value is None:
        return ""
    if type(value) is not str:
        raise InputError(_("{name} must be text, not {kind}").format(name=name, kind=_json_kind(value)))
    return value


def labels(value: Any, what: str = "tags") -> list[str]:
    """A list field: a JSON list of strings, or the '; '-separated text of a CSV cell."""
    if value is None or value == "":
        return []
    if type(value) is str:
        return value.split(LIST_SEPARATOR.strip())
    if type(value) is NotJSON:
        shown = "NULL" if value.text is None else repr(value.text)[:40]
        raise InputError(
            _("{what} is {shown} in the source database, not a JSON list").format(what=what, shown=shown)
        )
    if type(value) is list:
        for item in value:
            if type(item) is not str:
                raise InputError(
                    _("{what} must be a list of text, but it holds {kind}").format(
                        what=what, kind=_json_kind(item)
                    )
                )
        return value
    raise InputError(
        _("{what} must be a list of text or '; '-separated text, not {kind}").format(
            what=what, kind=_json_kind(value)
        )
    )


_WHOLE = re.compile(r"\s*[+-]?[0-9]{1,20}\s*")


def optional_int(value: Any, what: str, low: int | None = None, high: int | None = None) -> int | None:
    """A whole number, from a JSON number or CSV text such as "2" or "+1"; true, 1.5, 2.0 and other
    text are refused, and so is a number outside low .. high."""
    if value is None or value == "":
        return None
    if type(value) is int:
        number = value
    elif type(value) is str and _WHOLE.fullmatch(value):
        number = int(value)
    else:
        shown = repr(value[:40]) if isinstance(value, str) else _json_kind(value)
        raise InputError(_("{what} must be a whole number, not {shown}").format(what=what, shown=shown))
    if (low is not None and number < low) or (high is not None and number > high):
        raise InputError(
            _("{what} {number} is out of range: use {low} to {high}").format(
                what=what, number=number, low=low, high=high
            )
        )
    return number


_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


def tombstone(rec: dict[str, Any], now: str) -> str | None:
    """When a row's entry was deleted: its `deleted_at`, else `now` when it says `deleted: true` (as
    `list --deleted` writes), else None (a current entry)."""
    at = optional_timestamp(rec.get("deleted_at"), "deleted_at")
    flag = rec.get("deleted")
    if flag is None or isinstance(flag, bool):
        deleted = flag
    elif isinstance(flag, str) and flag.strip().lower() in _TRUE + _FALSE:
        deleted = flag.strip().lower() in _TRUE
    else:
        shown = repr(flag[:40]) if isinstance(flag, str) else _json_kind(flag)
        raise InputError(
            _("deleted {shown} is not true or false; write true, false or leave it empty").format(shown=shown)
        )
    if deleted is False and at is not None:
        raise InputError(_("deleted is false but deleted_at is set; keep one of them"))
    return at if at is not None or not deleted else now


def optional_timestamp(value: Any, what: str) -> str | None:
    """An ISO 8601 timestamp (as export writes: 2024-07-06T09:30:00.000000Z), kept as given."""
    if value is None or value == "":
        return None
    try:
        if type(value) is not str or len(value) > 64 or not storable(value):
            raise ValueError
        datetime.fromisoformat(value)
    except ValueError:
        shown = repr(value[:40]) if isinstance(value, str) else _json_kind(value)
        raise InputError(
            _("{what} {shown} is not an ISO 8601 timestamp (such as 2024-07-06T09:30:00Z)").format(
                what=what, shown=shown
            )
        ) from None
    return value


# The stored form of a time (domain.context.utc_now): UTC, microseconds, Z. Ordered as text, it is ordered in
# time, which the one order of entries (records.entry.ORDER) relies on.
_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def utc_timestamp(value: Any, what: str) -> str | None:
    """optional_timestamp's check, then the time in the stored form: UTC with microseconds (a time with no
    offset is taken as UTC), so that "2024-07-06T11:30:00+02:00" and "2024-07-06T09:30Z" sort as the same
    instant."""
    if type(value) is str and _UTC.fullmatch(value):
        return value
    checked = optional_timestamp(value, what)
    if checked is None:
        return None
    moment = datetime.fromisoformat(checked)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normal_uuid(value: Any) -> str:
    """A uuid in RFC 4122's text form, lower case, surrounding spaces trimmed; "" for none given."""
    if value is None or value == "":
        return ""
    if type(value) is not str:
        raise InputError(_("{name} must be text, not {kind}").format(name="uuid", kind=_json_kind(value)))
    if _UUID.fullmatch(value):
        return value
    text = value.strip().lower()
    if _UUID.fullmatch(text) or not text:
        return text
    raise InputError(
        _(
            "uuid {value!r} is not a uuid: give 32 hex digits as 8-4-4-4-12 "
            "(such as 0b7e9a4c-5d2f-4c1e-9a3b-6f8d2e1c4b5a), or leave it empty for a new entry"
        ).format(value=value[:40])
    )


def _optional_text(rec: dict[str, Any], name: str) -> str | None:
    value = rec.get(name)
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise InputError(_("{name} must be text, not {kind}").format(name=name, kind=_json_kind(value)))
    if len(value) > 200 or not storable(value):
        raise InputError(
            _("{name} {value!r} is not a name this database could hold").format(name=name, value=value[:40])
        )
    return value


# A row without a language or a translation (every row written before them): the declared defaults.
_NO_LANGUAGE: Values = {f.name: f.default for f in LANGUAGE_FIELDS}
_CHECKED = {None: False, "": False, 0: False, 1: True, "0": False, "1": True, "false": False, "true": True}


def languages(rec: dict[str, Any]) -> Values:
    """A record's language and translated summary, checked as `log` checks them; missing, they are what
    data written before them is (und, no translation), whatever this database's setting."""
    language, translation = rec.get("language"), rec.get("summary_translation")
    tagged, checked = rec.get("summary_translation_language"), rec.get("summary_translation_checked")
    plain = language in (None, "", UNDETERMINED) and translation in (None, "") and tagged in (None, "")
    if plain and checked in (None, "", 0, "0", False, "false"):
        return _NO_LANGUAGE
    raw_checked = checked.lower() if isinstance(checked, str) else checked
    if type(raw_checked) not in (bool, int, str, type(None)) or raw_checked not in _CHECKED:
        raise InputError(
            _("summary_translation_checked must be true or false (or 1 or 0), not {shown}").format(
                shown=repr(checked)[:40]
            )
        )
    return language_values(
        UNDETERMINED if language in (None, "") else _text(rec, "language"),
        _text(rec, "summary_translation"),
        _text(rec, "summary_translation_language"),
        _CHECKED[raw_checked],
    )


def review(rec: dict[str, Any]) -> Values:
    """Who reviewed the entry and when: both, or neither (not reviewed)."""
    by = _text(rec, "reviewed_by").strip()
    at = optional_timestamp(rec.get("reviewed_at"), "reviewed_at")
    if bool(by) != bool(at):
        raise InputError(
            _("reviewed_by and reviewed_at go together: give both (a reviewed entry) or neither")
        )
    return {"reviewed_by": clean_text(by, "reviewed_by") or None, "reviewed_at": at}


def returned(rec: dict[str, Any]) -> Values:
    """Who returned the entry to its author for changes, when, and what to change: the first two together
    (a returned entry), the comment only with them; or none (not returned)."""
    by = _text(rec, "returned_by").strip()
    at = optional_timestamp(rec.get("returned_at"), "returned_at")
    comment = _text(rec, "return_comment").strip()
    if bool(by) != bool(at) or (comment and not by):
        raise InputError(
            _(
                "returned_by and returned_at go together, and return_comment only with them: give both "
                "(an entry returned for changes) or none"
            )
        )
    return {
        "returned_by": clean_text(by, "returned_by") or None,
        "returned_at": at,
        "return_comment": clean_text(comment, "return_comment") or None,
    }


# Text this long or shorter fits a spreadsheet cell whatever it holds (a UTF-16 unit or two per character).
_SURELY_FITS = MAX_CELL_TEXT // 2


def _plain(text: Any) -> bool:
    """Text the general path would store unchanged apart from strip()."""
    return (
        type(text) is str
        and (len(text) <= _SURELY_FITS or utf16_length(text) <= MAX_CELL_TEXT)
        and storable(text)
    )


def _date_of(raw: str, today: date) -> PartialDate:
    """The date of a row, as `log --date` reads it (its errors name the field as log's do)."""
    try:
        return parse_date(raw, today)
    except DateError as exc:
        raise DateError(_("date: {problem}").format(problem=exc)) from None


class RowChecker:
    def __init__(self, store: Store, default_framework: str | None, today: date) -> None:
        self.store, self.today = store, today
        self.default_framework = default_framework
        self.frameworks: dict[str, Framework] = {}
        self.analyst = default_analyst()
        self.now = utc_now()
        # per framework: indicator key -> id, status level names
        self._keys: dict[str, dict[str, int]] = {}
        self._levels: dict[str, frozenset[str]] = {}
        self._dates: dict[str, tuple[str, str, str]] = {}
        self._labels: dict[str, str] = {}
        self._sources: dict[str, int] = {}  # registered key -> id

    def framework(self, name: str | None) -> Framework:
        key = name or self.default_framework or ""
        if key not in self.frameworks:
            self.frameworks[key] = get_framework(self.store, key or None)
        return self.frameworks[key]

    def _lookups(self, fw: Framework) -> tuple[dict[str, int], frozenset[str]]:
        if fw.name not in self._keys:
            self._keys[fw.name] = {ind.key: ind.id for ind in fw.indicators if ind.id is not None}
            self._levels[fw.name] = frozenset(level.name for level in fw.scale)
        return self._keys[fw.name], self._levels[fw.name]

    def values(self, rec: dict[str, Any]) -> tuple[Values, Values]:
        """The validated stored values of a record, and its identity fields."""
        for column in REQUIRED:
            if rec.get(column) in (None, ""):
                raise InputError(_("{name} is empty").format(name=column))
        fw = self.framework(_optional_text(rec, "framework"))
        links = self.links(rec)
        values = self.fast(fw, rec, links)
        if values is None:
            values = self.general(fw, rec, links)
        return values | review(rec) | returned(rec), self.identity(rec)

    def links(self, rec: dict[str, Any]) -> Values:
        """The registered source and outlet (by key: the registry travels first, `import` of a sources
        file or `source add`) and the event id of a record."""
        source_key, via = _optional_text(rec, "source_key"), _optional_text(rec, "via")
        try:
            event = normal_uuid(rec.get("event")) or None
        except InputError:
            raise InputError(
                _(
                    "event {value!r} is not an event id (a uuid, as export writes it); leave it empty for an "
                    "entry of no event"
                ).format(value=str(rec.get("event"))[:40])
            ) from None
        return {
            "source_id": self._source_id(source_key, "source_key") if source_key else None,
            "via_id": self._source_id(via, "via") if via else None,
            "event": event,
        }

    def _source_id(self, key: str, what: str) -> int:
        known = self._sources.get(key)
        if known is None:
            known = self._sources[key] = find_source(self.store, key, f"{what} source").id
        return known

    def general(self, fw: Framework, rec: dict[str, Any], links: Values | None = None) -> Values:
        """log's own rules: EntryInput and validated_values."""
        links = self.links(rec) if links is None else links
        text = {name: _text(rec, name) for name in _TEXT_COLUMNS}
        data = EntryInput(
            indicator=text["indicator"],
            summary=text["summary"],
            date=_date_of(text["date"], self.today),
            source=text["source"],
            effect=optional_int(rec.get("effect"), "effect") or 0,
            status=text["status"] or None,
            grade=text["grade"] or None,
            tags=labels(rec.get("tags"), "tags"),
            actors=labels(rec.get("actors"), "actors"),
            signals=labels(rec.get("signals"), "signals"),
            note=text["note"],
            analyst=text["analyst"],
            **links,
        )
        return validated_values(fw, data) | languages(rec)

    def fast(self, fw: Framework, rec: dict[str, Any], links: Values | None = None) -> Values | None:
        """The same values for a row in the stored form, or None (then `general` decides)."""
        links = self.links(rec) if links is None else links
        key, effect, status, grade = rec["indicator"], rec.get("effect"), rec.get("status"), rec.get("grade")
        if type(key) is not str or type(effect) not in (str, int, type(None)):
            return None
        keys, levels = self._lookups(fw)
        indicator_id = keys.get(key)
        dated = self._date(rec["date"])
        effect = _EFFECTS.get(effect or "")
        if indicator_id is None or dated is None or effect is None:
            return None
        status, grade = (None if v is None or v == "" else v for v in (status, grade))
        if not (status is None or (type(status) is str and status in levels)):
            return None
        if not (grade is None or (type(grade) is str and grade in GRADES)):
            return None
        summary = rec["summary"]
        note, source, analyst = rec.get("note"), rec.get("source"), rec.get("analyst")
        note, source, analyst = (
            ("" if note is None else note),
            ("" if source is None else source),
            ("" if analyst is None else analyst),
        )
        if not (_plain(summary) and _plain(note) and _plain(source) and _plain(analyst)):
            return None
        if not summary.strip():
            return None
        tags, actors = self._list(rec.get("tags")), self._list(rec.get("actors"))
        if tags is None or actors is None:
            return None
        if links["via_id"] is not None and links["via_id"] == links["source_id"]:
            return None
        if rec.get("signals") not in (None, "", []):
            return None  # signal keys are checked against the indicator by the general path
        text, start, precision = dated
        return {
            "indicator_id": indicator_id,
            "date": text,
            "date_start": start,
            "date_precision": precision,
            "summary": summary,
            "note": note.strip(),
            "source": source.strip(),
            "effect": effect,
            "status": status,
            "grade": grade,
            "tags": tags,
            "actors": actors,
            "signals": "[]",
            "analyst": analyst.strip() or self.analyst,
            **links,
            "weight": _WEIGHTS[grade],
            "reviewed_by": None,  # values() adds the record's review and return to either path's values
            "reviewed_at": None,
            **dict.fromkeys(RETURN_FIELDS),
            **languages(rec),
        }

    def _date(self, raw: Any) -> tuple[str, str, str] | None:
        """A date in the stored form, not in the future, from 1800: (text, first day, precision)."""
        if type(raw) is not str:
            return None
        known = self._dates.get(raw)
        if known is not None:
            return known
        parsed = stored_date(raw, self.today)
        if parsed is None:
            return None
        result = (str(parsed), parsed.start.isoformat(), parsed.precision)
        if len(self._dates) < _CACHE_LIMIT:
            self._dates[raw] = result
        return result

    def _list(self, raw: Any) -> str | None:
        """A '; '-separated list (or a JSON list) as the stored JSON text, or None if the general path
        should judge it."""
        if raw is None or raw == "" or raw == []:
            return "[]"
        if type(raw) is list:  # from JSON: taken as it is only if every item is already clean
            clean = all(
                type(v) is str
                and v
                and v == v.strip()
                and ";" not in v
                and not CONTROL.search(v)
                and _plain(v)
                for v in raw
            )
            if not clean or len(set(raw)) != len(raw) or sum(map(len, raw)) + 2 * len(raw) > _SURELY_FITS:
                return None
            return json.dumps(raw, ensure_ascii=False)
        if type(raw) is not str or len(raw) > _SURELY_FITS:
            return None
        known = self._labels.get(raw)
        if known is not None:
            return known
        if not _plain(raw) or CONTROL.search(raw):
            return None
        items = [item.strip() for item in raw.split(LIST_SEPARATOR.strip())]
        if not all(items) or len(set(items)) != len(items):
            return None
        result = json.dumps(items, ensure_ascii=False)
        if len(self._labels) < _CACHE_LIMIT:
            self._labels[raw] = result
        return result

    def identity(self, rec: dict[str, Any]) -> Values:
        return {
            "uuid": normal_uuid(rec.get("uuid")),
            "id": optional_int(rec.get("id"), "id", 1, MAX_ID),
            "revision": optional_int(rec.get("revision"), "revision", 1, MAX_ID),
            "recorded_at": utc_timestamp(rec.get("recorded_at"), "recorded_at") or self.now,
            "deleted_at": tombstone(rec, self.now),
        }
