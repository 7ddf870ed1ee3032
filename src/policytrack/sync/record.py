"""What every record kind that travels through `policytrack sync` shares: a record's one line and its
event id, what a kind is (RecordKind: its declaration in records/ and how sync writes, checks and merges
it), and the checks of a line's fields, which follow the declaration.

A line carries the synced fields its declaration names. A field added after FORMAT_SINCE is left out while
it holds its default, so a teammate on an earlier release (which refuses a field it does not know) reads the
line, and the line is the same bytes it was before the field existed; a line that lacks a field is read
with the field's default.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property, lru_cache
from typing import Any

from policytrack.core.dates import PartialDate
from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.storable import MAX_FIELD, storable
from policytrack.records.field import Field, Kind
from policytrack.store import MIGRATION_NAMES, Store
from policytrack.store.export import compact_list_sql, sorted_object_sql

Record = dict[str, Any]


# One encoder for every line: json.dumps with options builds a new one per call, which was a third of
# the time a line took to write (a sync sends one line per revision).
_LINE_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def line_text(record: Record) -> str:
    """A record's one line: keys sorted, compact, UTF-8 as it is, so equal records are equal bytes."""
    return _LINE_ENCODER.encode(record)


def event_id(text: str | bytes) -> str:
    """A record's name in every database: the sha256 of its line's UTF-8 bytes (a line received is
    hashed as read, not encoded again)."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


class Received:
    """What one sync merged: the entries new to this database and those whose history changed, by local
    id in a temporary table (Store.start_received), so memory stays flat however many arrive. Its rows
    are written in the receiving transaction: a transaction rolled back takes its rows with it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.start_received()

    def new(self, first: int, last: int) -> None:
        """The entries inserted with local ids first to last."""
        self.store.note_received_new(first, last)

    def updated(self, entry_ids: Iterable[int]) -> None:
        """Entries whose history changed (one new in this sync stays counted as new)."""
        self.store.note_received_updated(entry_ids)

    def counts(self) -> tuple[int, int]:
        """How many entries are new, and how many others changed."""
        return self.store.received_counts()


@dataclass(frozen=True)
class Incoming:
    """A checked record and where it came from (for the error that names a file and line)."""

    where: str
    record: Record
    event: str


@dataclass(frozen=True)
class Sender:
    """Who syncs, as their records say it: the analyst (the folder in the repository), the display name
    they set (`config set display_name`; None: not set), and the time of the sync (UTC)."""

    analyst: str
    display_name: str | None
    now: str


# The last migration whose fields every line carries, whatever their value (what releases up to this one
# wrote); a field added by a later one is left out of a line while it holds its default.
FORMAT_SINCE = "m011_one_order_and_sources_view"


def _newer(field: Field) -> bool:
    """Whether the field came after the line format every release reads (a migration this release does
    not know came later still)."""
    return _newer_since(field.since)


@cache  # asked once per field of every line a sync sends: the answer depends on the migration alone
def _newer_since(since: str | None) -> bool:
    if since not in MIGRATION_NAMES:
        return True
    return MIGRATION_NAMES.index(since) > MIGRATION_NAMES.index(FORMAT_SINCE)


def shared(kind: str, declared: Kind, values: dict[str, Any]) -> Record:
    """The line record of `values` (which hold at least every field of `declared`): its synced fields, but
    a field newer than the line format while it holds its default."""
    record: Record = {"kind": kind}
    for name, always, default in _line_fields(declared):
        value = values[name]
        if always or value != default:
            record[name] = value
    return record


@dataclass(frozen=True, slots=True)
class Built:
    """A line SQLite built (line_sql) and whether it names nobody but the sender (bound_sql)."""

    text: str
    bound: bool


def line_sql(kind: str, declared: Kind) -> str:
    """line_text(shared(kind, declared, values)) as an SQL expression over columns named as the fields
    (lists as the store keeps them, JSON text; booleans as 0 or 1): the same bytes, built by SQLite."""
    parts: list[tuple[str, str, str | None]] = [("kind", _literal_json(kind), None)]
    for (name, always, default), f in zip(_line_fields(declared), declared, strict=True):
        if f.type == "list":
            value = compact_list_sql(name)
        elif f.type == "boolean":
            value = f"CASE WHEN {name} THEN 'true' ELSE 'false' END"
        else:
            value = f"json_quote({name})"
        parts.append((name, value, None if always else json.dumps(default, ensure_ascii=False)))
    return sorted_object_sql(parts)


def _literal_json(value: Any) -> str:
    return "'" + json.dumps(value, ensure_ascii=False).replace("'", "''") + "'"


@cache  # read for every line a sync sends: the declaration read once per kind
def _line_fields(declared: Kind) -> tuple[tuple[str, bool, Any], ...]:
    """shared()'s rule read once, in the declaration's order: each field, whether a line always carries
    it, and the default it is left out at otherwise."""
    return tuple((f.name, f.required or not _newer(f), f.default) for f in declared)


class NewerRecord(InputError):
    """A line a newer policytrack wrote: a kind or a field this release does not know."""


class LineProblem(InputError):
    """What is wrong with one line of a file in the repository: where it is (`FILE line N`) and what."""

    def __init__(self, where: str, problem: str, *, newer: bool = False) -> None:
        # newer: written by a newer policytrack (the fix is an upgrade here, not a mended file)
        self.where, self.problem, self.newer = where, problem, newer
        super().__init__(f"{where}: {problem}")


# The largest whole number a line may hold: what JSON readers everywhere keep exactly (2**53 - 1), well
# inside SQLite's integers.
MAX_INTEGER = 2**53 - 1
# How far ahead of the receiver's clock a teammate's time may be (clocks differ; a year 9999 does not).
CLOCK_SLACK = timedelta(days=1)
# Lines dated before this (every time they hold) were written by a release that did not bind a line to
# its folder: one that names another analyst is accepted once, reported and recorded as not bound. A later
# one is refused.
BOUND_SINCE = "2026-12-01T00:00:00Z"


def unbound(declared: Kind, record: Record, analyst: str) -> Field | None:
    """The first field of `record` that names someone other than `analyst` (whose folder holds the line)
    as who made it, by the kind's declaration (`Field.actor`); None when the line is bound to them."""
    for f in _actors(declared):
        value = record.get(f.name)
        if value is None or value == "":
            continue  # nobody named
        if f.actor is not True:
            when, at = f.actor  # type: ignore[misc]
            if record.get(when) != record.get(at):
                continue  # carried over from an earlier revision, made by whoever made that one
        if value != analyst:
            return f
    return None


def bound_sql(declared: Kind) -> str:
    """unbound()'s rule as an SQL condition over columns named as the line's fields: true where the row
    names nobody but the analyst given as the parameter :analyst."""
    parts = []
    for f in declared.actors():
        named = f"coalesce({f.name}, '') IN ('', :analyst)"
        if f.actor is not True:
            when, at = f.actor  # type: ignore[misc]
            named = f"({named} OR {when} IS NOT {at})"  # carried over: made by whoever made that one
        parts.append(named)
    return " AND ".join(parts) or "1"


def carried_over(declared: Kind, record: Record) -> list[Field]:
    """The fields of `record` that name someone who acted before the line's own revision (a review or a
    return carried over from an earlier revision, by `Field.actor`'s (WHEN, AT)): what binds them is a
    revision of the same record made by that person at that time (sync.validate)."""
    found = []
    for f in _actors(declared):
        if f.actor is True or record.get(f.name) in (None, ""):
            continue
        when, at = f.actor  # type: ignore[misc]
        if record.get(when) != record.get(at):
            found.append(f)
    return found


def made_by(declared: Kind) -> Field:
    """The field that names who made a line's own revision (the one `Field.actor` that is True)."""
    (writer,) = (f for f in declared.actors() if f.actor is True)
    return writer


def written_before_binding(declared: Kind, record: Record) -> bool:
    """Whether every time the line holds is before BOUND_SINCE (what an earlier release wrote)."""
    times = [record[name] for name in _times(declared) if record.get(name)]
    return bool(times) and max(times) < BOUND_SINCE


@cache  # asked of every line a sync receives: the declaration read once per kind
def _actors(declared: Kind) -> tuple[Field, ...]:
    return declared.actors()


@cache
def _times(declared: Kind) -> tuple[str, ...]:
    """The fields of a line that hold a time."""
    return tuple(f.name for f in declared if f.type == "datetime")


@dataclass(frozen=True)
class RecordKind:
    name: str
    declared: Kind  # the fields of a line of this kind (records/), their rules and defaults
    check: Callable[[Record], None]  # raises InputError: what is wrong with the record beyond its fields
    # every record of this kind this database holds or has made (or its line, built by SQLite: Built),
    # each with what `sent` needs to know it (an iterator: a kind of many yields them as it reads them)
    outgoing: Callable[[Store, Sender], Iterable[tuple[Record | Built, Any]]]
    apply: Callable[[Store, Sequence[Incoming], Received, Sender], None]
    # records written to the repository, a batch at a time: (their outgoing ref, event id, record), in the
    # transaction that is committed once their commit is (None: nothing to remember)
    sent: Callable[[Store, list[tuple[Any, str, Record]]], None] | None = None
    # whether `outgoing` lists only the changes made in this database (entries' revisions), so one that
    # names another analyst is a change made here in their name (said), not a teammate's record held here
    own_only: bool = False

    # both are read for every line a sync receives: worked out once per kind
    @cached_property
    def fields(self) -> frozenset[str]:
        return frozenset({"kind", *self.declared.names()})

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """The fields lines written by an older policytrack may lack, and the value they are read with
        (shared: copy it before changing it)."""
        return self.declared.defaults()

    @cached_property
    def required(self) -> frozenset[str]:
        """The fields every line carries (those without a default)."""
        return self.fields - self.defaults.keys()

    @cached_property
    def checks(self) -> tuple[tuple[str, FieldCheck, bool], ...]:
        """Each declared field's name and rule (check_field's), in the declaration's order, and whether
        the rule is only that of storable text (_plain_text: what a value that is such text passes)."""
        return tuple((f.name, field_check(f), _plain_text(f)) for f in self.declared)

    def read_line(self, record: Record, now: datetime | None = None) -> Record:
        """The record with every field present (a missing one at its default), each value checked by its
        declaration (no time later than `now`, the receiver's clock, plus a day), then by the kind's own
        check."""
        keys = record.keys()
        if not self.required <= keys:  # the sets of what is missing and what is extra made only then
            raise InputError(
                _("a record ({kind}) lacks {fields}").format(
                    kind=self.name, fields=", ".join(sorted(self.required - keys))
                )
            )
        if not keys <= self.fields:
            extra = keys - self.fields
            raise NewerRecord(
                f"a record ({self.name}) has field(s) {', '.join(sorted(extra))} that this policytrack does "
                "not know, written by a newer policytrack"
            )
        full = {**self.defaults, **record}
        latest = (now or datetime.now(UTC)) + CLOCK_SLACK
        for name, check, plain in self.checks:
            value = full[name]
            # storable text of a field that asks no more passes its rule: the call is for the rest
            if not (plain and type(value) is str and len(value) <= MAX_FIELD and storable(value)):
                check(value, latest)
        self.check(full)
        return full


def _plain_text(f: Field) -> bool:
    """Whether a field's rule (field_check's) is only that its value is storable text of at most
    MAX_FIELD characters: text that may be empty, with no choices and no pattern."""
    return f.type == "text" and f.choices is None and f.pattern is None


# -- shared checks ---------------------------------------------------------------------------------


def check_field(f: Field, record: Record, latest: datetime | None = None) -> None:
    """A line's value checked by its declaration: its type, whether it may be null, its bounds, choices
    and pattern; whole numbers within MAX_INTEGER, real dates, real times no later than `latest`. Text may
    be empty (an empty level withdraws a target); keys, dates, times and uuids may not."""
    field_check(f)(record[f.name], latest)


FieldCheck = Callable[[Any, "datetime | None"], None]


@cache  # a field's rule, worked out once: a sync checks each field of every line it receives
def field_check(f: Field) -> FieldCheck:
    """check_field's rule for one field as a function of the value (and `latest`): the declaration read
    once, not per value."""
    name, nullable = f.name, f.nullable
    if f.type == "list":

        def check_list(value: Any, latest: datetime | None) -> None:
            if value is None and nullable:
                return
            if type(value) is not list or not all(type(v) is str and storable(v) for v in value):
                raise InputError(_("{name} must be a list of text").format(name=name))

        return check_list
    if f.type in ("integer", "number", "boolean"):
        return _number_check(f)
    empty = f.type == "text"
    choices = None if f.choices is None else frozenset(f.choices)
    pattern = None if f.pattern is None else re.compile(f.pattern)
    date, time = f.type == "date", f.type == "datetime"

    def check_text_field(value: Any, latest: datetime | None) -> None:
        if value is None and nullable:
            return
        if type(value) is not str or len(value) > MAX_FIELD or not storable(value):
            raise InputError(_("{name} must be UTF-8 text").format(name=name))
        if not empty and not value.strip():
            raise InputError(_("{name} must not be empty").format(name=name))
        if choices is not None and value not in choices:
            raise InputError(
                _("{name} must be one of {choices}").format(name=name, choices=", ".join(f.choices or ()))
            )
        if pattern is not None and not pattern.match(value):
            raise InputError(
                _("{name} {value!r} is not in the form it must have").format(name=name, value=value)
            )
        if date:
            check_date(name, value)
        elif time:
            check_time(name, value, latest)

    return check_text_field


def _number_check(f: Field) -> FieldCheck:
    name, nullable = f.name, f.nullable
    if f.type == "integer":
        low = f.minimum if f.minimum is not None else -MAX_INTEGER
        high = f.maximum if f.maximum is not None else MAX_INTEGER

        def check_integer(value: Any, latest: datetime | None) -> None:
            if value is None and nullable:
                return
            if type(value) is not int or not low <= value <= high:
                problem = _("{name} must be a whole number from {low} to {high}")
                raise InputError(problem.format(name=name, low=low, high=high))

        return check_integer
    if f.type == "boolean":

        def check_boolean(value: Any, latest: datetime | None) -> None:
            if value is None and nullable:
                return
            if type(value) is not bool:
                raise InputError(_("{name} must be true or false").format(name=name))

        return check_boolean

    def check_number(value: Any, latest: datetime | None) -> None:
        if value is None and nullable:
            return
        if type(value) not in (int, float) or not (math.isfinite(value) and abs(value) <= MAX_INTEGER):
            raise InputError(_("{name} must be a number").format(name=name))

    return check_number


def check_date(name: str, value: str) -> None:
    """A date as stored (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD) that is a day of the calendar."""
    if not _real_date(value):
        raise InputError(
            _("{name} {value!r} is not a date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)").format(
                name=name, value=value[:40]
            )
        )


@lru_cache(maxsize=1 << 16)  # lines of one period share their dates; the answer is the value's alone
def _real_date(value: str) -> bool:
    try:
        return str(PartialDate.from_stored(value)) == value
    except (ValueError, TypeError, IndexError):
        return False


def check_time(name: str, value: str, latest: datetime | None) -> None:
    """A time in ISO 8601 (UTC when it names no offset) that is a moment of the calendar, no later than
    `latest`."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            _("{name} {value!r} is not a time (ISO 8601, UTC)").format(name=name, value=value[:40])
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if latest is not None and moment > latest:
        raise InputError(
            _("{name} {value!r} is later than this computer's clock allows (a day ahead at most)").format(
                name=name, value=value[:40]
            )
        )


def unknown(where: str, what: str) -> LineProblem:
    return LineProblem(where, _("{what}, which this database does not have").format(what=what))
