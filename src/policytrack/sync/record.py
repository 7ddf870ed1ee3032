"""What every record kind that travels through `policytrack sync` shares: a record's one line and its
event id, what a kind declares (RecordKind), and the checks of a line's text fields."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from policytrack.core.errors import InputError
from policytrack.core.storable import MAX_FIELD, storable
from policytrack.store import Store

Record = dict[str, Any]


def line_text(record: Record) -> str:
    """A record's one line: keys sorted, compact, UTF-8 as it is, so equal records are equal bytes."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Received:
    """What one sync merged: the entries new to this database and those whose history changed (by uuid)."""

    new: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)


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


@dataclass(frozen=True)
class RecordKind:
    name: str
    fields: frozenset[str]
    check: Callable[[Record], None]  # raises InputError: what is wrong with the record
    # every record of this kind this database holds or has made, each with what `sent` needs to know it
    outgoing: Callable[[Store, Sender], list[tuple[Record, Any]]]
    apply: Callable[[Store, Sequence[Incoming], Received, Sender], None]
    # once records are committed to the repository: (their outgoing ref, event id, record) (None: nothing)
    sent: Callable[[Store, list[tuple[Any, str, Record]]], None] | None = None
    # the fields lines written by an older policytrack may lack, and the value they are read with
    defaults: dict[str, Any] = field(default_factory=dict)

    def check_line(self, record: Record) -> None:
        """Every field present (or defaulted), none unknown, each value checked."""
        missing = self.fields - record.keys() - self.defaults.keys()
        extra = record.keys() - self.fields
        if missing:
            raise InputError(f"a {self.name} record lacks {', '.join(sorted(missing))}")
        if extra:
            raise InputError(f"a {self.name} record has unknown field(s) {', '.join(sorted(extra))}")
        self.check({**self.defaults, **record})


# -- shared checks ---------------------------------------------------------------------------------


def check_text(record: Record, key: str, *, empty: bool = True, none: bool = False) -> None:
    value = record[key]
    if value is None and none:
        return
    if not isinstance(value, str) or not storable(value) or len(value) > MAX_FIELD:
        raise InputError(f"{key} must be UTF-8 text")
    if not empty and not value.strip():
        raise InputError(f"{key} must not be empty")


def check_labels(record: Record, key: str) -> None:
    value = record[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and storable(v) for v in value):
        raise InputError(f"{key} must be a list of text")


def unknown(where: str, what: str) -> InputError:
    return InputError(f"{where}: {what}, which this database does not have; run `policytrack sync` again")
