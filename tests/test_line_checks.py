"""A received line's checks (sync.record.RecordKind.read_line) take a short cut for storable text of a field
whose rule asks no more: held here to every field's own rule (check_field) and the kind's own check, over
values of every type, for every field of every kind that travels (the same lines accepted, the same
message for those refused)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policytrack.core.errors import InputError
from policytrack.core.storable import MAX_FIELD, storable
from policytrack.sync.kinds import ENTRIES, RECORD_KINDS
from policytrack.sync.record import RecordKind, check_field

NOW = datetime(2026, 12, 7, tzinfo=UTC)
ENTRY_LINE: dict[str, Any] = {
    "kind": "entry",
    "action": "create",
    "actors": [],
    "analyst": "ama",
    "changed_at": "2026-11-01T00:00:00.000000Z",
    "changed_by": "ama",
    "date": "2012",
    "date_precision": "year",
    "date_start": "2012-01-01",
    "deleted_at": None,
    "effect": -1,
    "event": None,
    "framework": "regional",
    "grade": "D5",
    "indicator": "diversify",
    "note": "",
    "recorded_at": "2026-11-01T00:00:00.000000Z",
    "reviewed_at": None,
    "reviewed_by": None,
    "revision": 1,
    "signals": [],
    "source": "source 292",
    "source_key": None,
    "status": None,
    "summary": "synthetic entry 3478",
    "tags": ["report"],
    "uuid": "0b51cb86-1370-436c-bf84-2b976fbdacfd",
    "via_key": None,
}
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),  # NUL, lone surrogates, spaces only, empty
    st.sampled_from(["", " ", "\x00", "\ud800", "2024-07", "2024-13", "ama", "E2", "2026-11-01T00:00:00Z"]),
    st.lists(st.text(max_size=4), max_size=3),
)


def _every_rule(kind: RecordKind, record: dict[str, Any]) -> dict[str, Any]:
    """read_line as it was: every field's own rule called, then the kind's check."""
    full = {**kind.defaults, **record}
    for f in kind.declared:
        check_field(f, full, NOW)
    kind.check(full)
    return full


def _outcome(read: Any, kind: RecordKind, record: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "read", read(kind, dict(record))
    except InputError as exc:
        return "refused", str(exc)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from([f.name for f in ENTRIES.declared]), value=values)
def test_an_entry_line_is_read_as_every_rule_reads_it(field: str, value: Any) -> None:
    record = {**ENTRY_LINE, field: value}
    fast = _outcome(lambda kind, rec: kind.read_line(rec, NOW), ENTRIES, record)
    assert fast == _outcome(_every_rule, ENTRIES, record)


def test_the_short_cut_is_taken_by_free_text_fields_only() -> None:
    """Only fields whose rule is plain text skip the call; a key, a choice or a pattern never does."""
    for kind in RECORD_KINDS:
        for (name, _check, plain), f in zip(kind.checks, kind.declared, strict=True):
            assert name == f.name
            if plain:
                assert (f.type, f.choices, f.pattern) == ("text", None, None)
    assert any(plain for kind in RECORD_KINDS for _n, _c, plain in kind.checks)


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(RECORD_KINDS), value=st.text(max_size=12) | st.sampled_from(["", " ", "\x00"]))
def test_text_a_plain_field_passes_unchecked_its_rule_accepts(kind: RecordKind, value: str) -> None:
    for (name, _check, plain), f in zip(kind.checks, kind.declared, strict=True):
        if plain and len(value) <= MAX_FIELD and storable(value):
            check_field(f, {name: value}, NOW)  # raises if the rule asked more than the short cut
