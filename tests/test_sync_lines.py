"""The lines a sync sends, built by SQLite (sync.record.line_sql over store.SyncRows.unsent_revision_lines),
held to the same lines built in Python (shared and line_text, as every other kind is sent) byte for byte,
over histories of every action and values of every kind: text with quotes, backslashes, control and
non-ASCII characters, lists stored with and without escapes, the newer fields at and off their defaults,
reviews and returns by the sender and by others."""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policytrack.core.storable import storable
from policytrack.domain.workspace import get_framework, open_store
from policytrack.records.columns import ENTRY_COLUMNS, LIST_FIELDS, SYNCED_COLUMNS, SYNCED_REVISION
from policytrack.records.entry import REVERSAL
from policytrack.store import Store
from policytrack.store.entries import order_by
from policytrack.sync.kinds import ENTRIES, _deleted_after
from policytrack.sync.record import Built, Sender, line_text, shared, unbound

SENDER = Sender("ben", None, "2026-11-30T00:00:00Z")
TIMES = ["2024-07-06T10:00:00Z", "2024-07-07T11:30:00.5Z"]
texts = st.text(max_size=10).filter(storable)
names = st.sampled_from([None, "", "ben", "ama"])
when = st.sampled_from([None, *TIMES])


def _list(items: list[str], escaped: bool) -> str:
    return json.dumps(items, ensure_ascii=escaped)  # the store writes either (ensure_ascii or not)


revisions = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["create", "edit", "delete", "restore", "import"]),
        "changed_by": st.sampled_from(["ben", "ama"]),
        "changed_at": st.sampled_from(TIMES),
        "summary": texts.filter(str.strip),
        "note": texts,
        "source": texts,
        "event": st.none() | texts,
        "effect": st.integers(-2, 2),
        "grade": st.sampled_from([None, "A1", "F6"]),
        "status": st.sampled_from([None, "commitment"]),
        "language": st.sampled_from(["und", "fr", ""]),
        "summary_translation": st.sampled_from(["", "traduit « é »"]) | texts,
        "summary_translation_language": st.sampled_from(["", "en"]),
        "summary_translation_checked": st.booleans(),
        "tags": st.builds(_list, st.lists(texts, max_size=3), st.booleans()),
        "actors": st.builds(_list, st.lists(texts, max_size=2), st.booleans()),
        "signals": st.sampled_from(["[]", '["civilian-programmes"]']),
        "analyst": st.sampled_from(["ben", "ama"]),
        "reviewed_by": names,
        "reviewed_at": when,
        "returned_by": names,
        "returned_at": when,
        "return_comment": st.none() | texts,
        "source_id": st.sampled_from([None, 1]),
        "via_id": st.sampled_from([None, 1]),
        # made by an undo or a revert of the entry's revision of that number (one it lacks: a stale row)
        "reverses": st.none() | st.tuples(st.sampled_from(["undo", "revert"]), st.integers(1, 5)),
    }
)
entries = st.lists(
    st.tuples(st.lists(revisions, min_size=1, max_size=4), st.sampled_from([None, "2025-01-01T00:00:00Z"])),
    min_size=1,
    max_size=4,
)


@pytest.fixture
def lines_store(tmp_path: Path) -> Iterator[tuple[Store, int]]:
    """One store per test (opening one is most of an example's time); each example refills it."""
    store, indicator = _store(tmp_path)
    try:
        yield store, indicator
    finally:
        store.close()


def _store(tmp_path: Path) -> tuple[Store, int]:
    store = open_store(tmp_path / "lines.db")
    indicator = get_framework(store).indicators[0].id
    assert indicator is not None
    with store.transaction() as conn:
        conn.execute(
            """INSERT INTO sources (id, uuid, key, name, type, origin, reliability, created_at, changed_at)
               VALUES (1, ?, 'clé-1', 'S', 'media', '', 'A', '2024-01-01', '2024-01-01')""",
            (str(uuidlib.uuid4()),),
        )
    return store, indicator


def _fill(store: Store, indicator: int, made: list[tuple[list[dict[str, Any]], str | None]]) -> None:
    columns = ", ".join(ENTRY_COLUMNS)
    into = f"INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {columns})"
    marks = ", ".join("?" for _ in ENTRY_COLUMNS)
    with store.transaction() as conn:
        for table in ("sync_revisions", "entry_revisions", "entries", "reversals"):
            conn.execute(f"DELETE FROM {table}")
        for number, (revs, deleted_at) in enumerate(made, start=1):
            last = (len(revs), TIMES[0], deleted_at)
            rows = [
                {**rev, "indicator_id": indicator, "date": "2024-07", "date_start": "2024-07-01"}
                | {"date_precision": "month", "weight": 1.0}
                for rev in revs
            ]
            conn.execute(
                f"""INSERT INTO entries (id, uuid, {columns}, revision, recorded_at, deleted_at)
                    VALUES (?, ?, {marks}, ?, ?, ?)""",
                (number, str(uuidlib.UUID(int=number)), *(rows[-1][c] for c in ENTRY_COLUMNS), *last),
            )
            conn.executemany(
                f"{into} VALUES (?, ?, ?, ?, ?, {marks})",
                [
                    (number, k, r["action"], r["changed_by"], r["changed_at"], *(r[c] for c in ENTRY_COLUMNS))
                    for k, r in enumerate(rows, start=1)
                ],
            )
            conn.executemany(
                """INSERT INTO reversals (command, kind, undone_ref, undone_revision, made_ref, made_revision,
                                          changed_by, changed_at) VALUES (?, 'entry', ?, ?, ?, ?, ?, ?)""",
                [
                    (r["reverses"][0], number, r["reverses"][1], number, k, r["changed_by"], r["changed_at"])
                    for k, r in enumerate(rows, start=1)
                    if r.get("reverses") is not None
                ],
            )


def _python_lines(store: Store, unsent: bool = False) -> list[tuple[str, bool]]:
    """The lines as Python builds them: each revision's fields, its tombstone along its history (with
    `unsent`, only the lines of the revisions the repository lacks)."""
    framework = get_framework(store)
    found = []
    order = store.conn.execute(
        f"SELECT e.id, e.uuid, e.recorded_at, e.deleted_at, e.revision FROM entries e ORDER BY {order_by()}"
    )
    for entry_id, uuid, recorded_at, entry_deleted, last in order.fetchall():
        deleted: str | None = None
        history = store.synced_revisions(entry_id)
        by_number = {row["revision"]: row for row in history}
        reversals = store.entry_reversals(entry_id)
        for row in history:
            if row["action"] == "import" and row["revision"] == last:
                deleted = entry_deleted or None
            else:
                deleted = _deleted_after(row["action"], row["changed_at"], deleted)
            values = {c: row[c] for c in SYNCED_COLUMNS}
            values.update({c: json.loads(values[c]) for c in SYNCED_COLUMNS if c in LIST_FIELDS})
            values["summary_translation_checked"] = bool(values["summary_translation_checked"])
            key = "clé-1" if row["source_id"] else None
            values |= {"source_key": key, "via_key": "clé-1" if row["via_id"] else None, "uuid": uuid}
            values |= {"framework": framework.name, "indicator": framework.indicators[0].key}
            values |= {"revision": row["authored"], "recorded_at": recorded_at, "deleted_at": deleted}
            values |= {c: row[c] for c in ("action", "changed_by", "changed_at")}
            command, undone = reversals.get(row["revision"], (None, None))
            reversed_ = by_number.get(undone) if command else None
            values |= dict.fromkeys(REVERSAL.names())
            if reversed_ is not None:
                values |= {"reversal": command, "reversal_revision": reversed_["authored"]}
                values["reversal_changed_at"] = reversed_["changed_at"]
            record = shared("entry", SYNCED_REVISION, values)
            if unsent and row["event_id"] is not None:
                continue
            found.append((line_text(record), unbound(SYNCED_REVISION, record, SENDER.analyst) is None))
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=entries)
def test_the_lines_sqlite_builds_are_the_bytes_python_builds(
    lines_store: tuple[Store, int], made: Any
) -> None:
    store, indicator = lines_store
    _fill(store, indicator, made)
    built = [(b.text, b.bound) for b, _ref in ENTRIES.outgoing(store, SENDER) if isinstance(b, Built)]
    expected = _python_lines(store)
    assert len(built) == len(expected) == sum(len(revs) for revs, _ in made)
    for ours, theirs in zip(built, expected, strict=True):
        assert ours == theirs


def test_a_newer_field_at_its_default_is_left_out_and_off_it_is_sent(
    lines_store: tuple[Store, int],
) -> None:
    """What the comparison above rests on: a line carries `language` only when it is not 'und'."""
    store, indicator = lines_store
    plain = dict.fromkeys(ENTRY_COLUMNS) | {"action": "create", "changed_by": "ben"}
    plain |= {"changed_at": TIMES[0], "summary": "s", "effect": 0, "language": "und", "tags": "[]"}
    plain |= {"actors": "[]", "signals": "[]", "summary_translation_checked": 0, "analyst": "ben"}
    plain |= {"note": "", "source": "", "summary_translation": "", "summary_translation_language": ""}
    _fill(store, indicator, [([plain, {**plain, "action": "edit", "language": "fr"}], None)])
    first, second = (b for b, _ in ENTRIES.outgoing(store, SENDER))
    assert isinstance(first, Built) and isinstance(second, Built)
    assert '"language"' not in first.text and '"language":"fr"' in second.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=entries, marks=st.lists(st.tuples(st.integers(1, 4), st.booleans()), max_size=16), data=st.data())
def test_only_unsent_revisions_are_built_each_with_its_authored_number_and_its_tombstone(
    lines_store: tuple[Store, int], made: Any, marks: list[tuple[int, bool]], data: st.DataObject
) -> None:
    """Revisions received from a teammate or sent already (an event id) sit between unsent ones, and a
    received revision's number as its author numbered it (authored) differs from the stored one: only the
    unsent lines are built, each carrying its authored number, its tombstone still read along the whole
    history (sent revisions included)."""
    store, indicator = lines_store
    _fill(store, indicator, made)
    rows = store.conn.execute("SELECT entry_id, revision FROM entry_revisions ORDER BY 1, 2").fetchall()
    chosen = {tuple(rows[(k * 7 + n) % len(rows)]): sent for n, (k, sent) in enumerate(marks)}
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO sync_revisions (entry_id, revision, authored, event_id) VALUES (?, ?, ?, ?)",
            [
                (entry, revision, data.draw(st.integers(1, 9)), f"e{entry}-{revision}" if sent else None)
                for (entry, revision), sent in chosen.items()
            ],
        )
    built = [(b.text, b.bound) for b, _ref in ENTRIES.outgoing(store, SENDER) if isinstance(b, Built)]
    assert built == _python_lines(store, unsent=True)
    assert len(built) == len(rows) - sum(chosen.values())
