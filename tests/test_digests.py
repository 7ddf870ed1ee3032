"""The digest kept per entry for the brief's content hash (store.digests, m026_entry_digests): the triggers
drop it on any change of what its line shows, the brief stores the missing ones, a local id never counts,
the reads come from the index, and `db check` finds a stored digest that disagrees with its entry."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import Invoke
from policytrack.records.columns import Column
from policytrack.store import digests
from test_brief import _TABLES, SHARED, _hash_by_hand, _stored

_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _brief_hash(cli: Invoke) -> str:
    result = cli("report", "--as-of", "2025-01-01", "-i", "regional", "--format", "svg")
    assert result.exit_code == 0, result.stderr
    (shown,) = set(re.findall(r"sha256 of the \d+ entr(?:y|ies): ([0-9a-f]{64})", result.stdout))
    return str(shown)


def _hash(db: Path) -> str:
    """What the brief hashes of the indicator `regional`, through the domain (a value the report itself
    would refuse to read may be stored for the hash)."""
    from policytrack.domain.brief import entries_hash
    from policytrack.domain.workspace import get_framework, open_store

    with open_store(db) as store:
        return entries_hash(store, get_framework(store), ["regional"], None, date(2024, 12, 31))


def _stored_count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM entry_digests").fetchone()[0])


@pytest.fixture
def digested_db(cli: Invoke, db_path: Path) -> Path:
    """Three entries on one indicator citing registered sources, one deleted, their digests stored."""
    for argv in (
        ["source", "add", "wire", "--name", "A wire"],
        ["source", "add", "outlet", "--name", "An outlet"],
        ["log", "regional", "first", "--date", "2024-02", "-s", "wire", "--via", "outlet", "--tag", "a"],
        ["log", "regional", "second", "--date", "2024-03-01", "-s", "wire", "--grade", "B2"],
        ["log", "regional", "third", "--date", "2024-Q2", "--via", "outlet", "--effect", "1"],
        ["log", "regional", "gone", "--date", "2024-04-02"],
        ["delete", "4", "--force"],
    ):
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.stderr)
    _brief_hash(cli)
    assert _stored_count(db_path) == 3  # the current ones
    return db_path


@_SETTINGS
@given(field=st.sampled_from(SHARED), data=st.data())
def test_a_change_drops_the_digest_and_the_next_brief_stores_it_again(
    cli: Invoke, digested_db: Path, field: Column, data: st.DataObject
) -> None:
    """Change any shared field of an entry, or the key of the source, outlet, indicator or framework it
    names, committed: the stored digest goes, the next brief stores the digest of the line as it is now
    (the hash worked out by hand from the declaration), and `db check` finds nothing stale."""
    table, owner = _TABLES[field.sql.split(".")[0]]
    column = field.sql.split(".")[1]
    assume(field.name not in ("framework", "indicator"))  # renaming those renames what a report asks for
    keep = digested_db.read_bytes()
    try:
        before = _hash(digested_db)
        with closing(sqlite3.connect(digested_db)) as conn:
            (row_id, old), *_ = conn.execute(
                f"SELECT {owner}, {field.sql} FROM entries e JOIN indicators i ON i.id = e.indicator_id "
                "JOIN frameworks f ON f.id = i.framework_id LEFT JOIN sources s ON s.id = e.source_id "
                "LEFT JOIN sources v ON v.id = e.via_id WHERE e.deleted_at IS NULL AND e.via_id IS NOT NULL "
                "ORDER BY e.id"
            ).fetchall()
            value = data.draw(st.one_of(st.text(max_size=8), st.integers(-3, 3), st.none()))
            conn.execute("PRAGMA ignore_check_constraints = ON")
            try:
                with conn:
                    conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id))
            except sqlite3.IntegrityError:
                assume(False)
            changed = conn.execute("SELECT quote(?) != quote(?)", (old, _stored(conn, field, row_id, owner)))
            assume(changed.fetchone()[0])
            assert conn.execute("SELECT count(*) FROM entry_digests").fetchone()[0] < 3
        after = _hash(digested_db)
        assert after != before
        assert after == _hash_by_hand(digested_db, "regional", "2024-12-31")
        assert _stored_count(digested_db) == 3
        with closing(sqlite3.connect(digested_db)) as conn:
            assert digests.problems(conn) == []
    finally:
        digested_db.write_bytes(keep)
        for extra in ("-wal", "-shm"):
            Path(f"{digested_db}{extra}").unlink(missing_ok=True)


@_SETTINGS
@given(order=st.permutations(range(3)), shift=st.integers(1, 50))
def test_local_ids_renumbered_keep_the_hash(
    cli: Invoke, digested_db: Path, order: list[int], shift: int
) -> None:
    """Renumber the entries and the sources (every reference with them): the digests are dropped and made
    again, and the hash is the same."""
    keep = digested_db.read_bytes()
    try:
        before = _brief_hash(cli)
        with closing(sqlite3.connect(digested_db)) as conn, conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM entries WHERE deleted_at IS NULL ORDER BY id")]
            renumbered = {old: 1000 + shift * (place + 1) for old, place in zip(ids, order, strict=True)}
            for old, new in renumbered.items():
                conn.execute("UPDATE entries SET id = ? WHERE id = ?", (new, old))
                conn.execute("UPDATE entry_revisions SET entry_id = ? WHERE entry_id = ?", (new, old))
            conn.execute("UPDATE sources SET id = id + 1000 + ?", (shift,))
            conn.execute(
                "UPDATE entries SET source_id = source_id + 1000 + ?1, via_id = via_id + 1000 + ?1", (shift,)
            )
            assert conn.execute("SELECT count(*) FROM entry_digests").fetchone()[0] == 0
        assert _brief_hash(cli) == before
        assert _stored_count(digested_db) == 3
    finally:
        digested_db.write_bytes(keep)
        for extra in ("-wal", "-shm"):
            Path(f"{digested_db}{extra}").unlink(missing_ok=True)


def test_inserts_and_log_start_without_a_digest(
    cli: Invoke, log: Callable[..., int], digested_db: Path
) -> None:
    """A new entry has no digest until a brief stores it; the brief with it counts it."""
    log("regional", "fourth", "--date", "2024-05-01")
    assert _stored_count(digested_db) == 3
    assert _brief_hash(cli) == _hash_by_hand(digested_db, "regional", "2024-12-31")
    assert _stored_count(digested_db) == 4


def test_db_check_finds_a_stored_digest_that_disagrees(cli: Invoke, digested_db: Path) -> None:
    """A digest that no longer matches its entry (written by another tool) is a problem `db check`
    reports, with its fix; `--repair` drops it and the next brief stores the right one."""
    with closing(sqlite3.connect(digested_db)) as conn, conn:
        conn.execute("UPDATE entry_digests SET digest = zeroblob(32) WHERE entry_id = 1")
    check = cli("db", "check")
    assert check.exit_code == 1
    assert "1 stored entry digest differs from its entry: run `policytrack db check --repair`" in check.stderr
    repaired = cli("db", "check", "--repair")
    assert repaired.exit_code == 0, repaired.stderr
    assert "dropped 1 stored entry digest" in repaired.stderr
    assert _stored_count(digested_db) == 2
    assert _brief_hash(cli) == _hash_by_hand(digested_db, "regional", "2024-12-31")


def test_the_window_is_read_from_the_digests_index(digested_db: Path) -> None:
    """The hash's digests and the charts' marks of a window are one range of entry_digests' key (its one
    b-tree, WITHOUT ROWID), read together in its order: no other table, no sort."""
    from policytrack.domain.workspace import open_store

    with open_store(digested_db) as store:
        conn = store.conn
        traced: list[str] = []
        conn.set_trace_callback(traced.append)
        list(store.window_groups(5, "2024-01-01", "2024-12-31"))
        conn.set_trace_callback(None)
        assert traced
        for sql in traced:
            plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            assert "SEARCH entry_digests USING PRIMARY KEY (indicator_id=?" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_a_brief_of_an_empty_window_and_a_missing_digest_in_a_transaction(digested_db: Path) -> None:
    """Inside an open transaction nothing is stored: the missing digests are computed as they are read."""
    from policytrack.domain.brief import entries_hash
    from policytrack.domain.workspace import get_framework, open_store

    with open_store(digested_db) as store:
        fw = get_framework(store)
        before = entries_hash(store, fw, ["regional"], None, date(2024, 12, 31))
        assert entries_hash(store, fw, ["regional"], date(2030, 1, 1), date(2030, 12, 31)) == (
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # sha256 of nothing
        )
        store.conn.execute("BEGIN")
        store.conn.execute("DELETE FROM entry_digests")
        assert entries_hash(store, fw, ["regional"], None, date(2024, 12, 31)) == before
        assert store.conn.execute("SELECT count(*) FROM entry_digests").fetchone()[0] == 0
        store.conn.execute("ROLLBACK")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(summaries=st.lists(st.from_regex(r"[a-z][a-z ]{0,10}", fullmatch=True), min_size=2, max_size=6))
def test_entries_sharing_a_day_and_effect_hash_in_digest_order(
    cli: Invoke, db_path: Path, summaries: list[str]
) -> None:
    """Entries of one day and effect are one group of entry_digests' key, their digests read
    concatenated: the hash is the one by hand (each digest in order), from the stored digests and with
    them computed as read."""
    from policytrack.domain.brief import entries_hash
    from policytrack.domain.workspace import get_framework, open_store

    keep = db_path.read_bytes() if db_path.exists() else None
    try:
        for summary in summaries:
            result = cli(
                "log", "regional", summary, "--date", "2024-03-01", "--effect", "1", "--allow-duplicate"
            )
            assert result.exit_code == 0, result.stderr
        assert _brief_hash(cli) == _hash_by_hand(db_path, "regional", "2024-12-31")
        assert _stored_count(db_path) == len(summaries)
        with open_store(db_path) as store:
            (groups,) = [list(store.window_groups(5, None, "2024-12-31"))]
            assert [(date, effect, n) for date, effect, n, _ in groups] == [("2024-03-01", 1, len(summaries))]
            fw = get_framework(store)
            stored = entries_hash(store, fw, ["regional"], None, date(2024, 12, 31))
            store.conn.execute("BEGIN")
            store.conn.execute("DELETE FROM entry_digests")
            assert entries_hash(store, fw, ["regional"], None, date(2024, 12, 31)) == stored
            store.conn.execute("ROLLBACK")
    finally:
        if keep is None:
            db_path.unlink(missing_ok=True)
        else:
            db_path.write_bytes(keep)
        for extra in ("-wal", "-shm"):
            Path(f"{db_path}{extra}").unlink(missing_ok=True)


def test_every_trigger_finds_digests_by_the_key_never_a_scan(digested_db: Path) -> None:
    """entry_digests is one b-tree keyed in the window's order: each trigger's delete seeks a range of
    that key (an entry by its indicator and first day, a source by the indicators citing it), so writing an
    entry never reads every digest."""
    with closing(sqlite3.connect(digested_db)) as conn:
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%digests%'"
        ).fetchall()
        assert len(triggers) == 12
        for name, sql in triggers:
            body = re.search(r"\bBEGIN\b(.*)\bEND\b", sql, re.DOTALL)
            assert body is not None, sql
            for statement in filter(str.strip, body.group(1).split(";")):
                bound = re.sub(r"\b(?:old|new)\.\w+", "1", statement)
                plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {bound}"))
                assert "SEARCH entry_digests USING PRIMARY KEY (indicator_id=?" in plan, (name, plan)
                assert "SCAN entry_digests" not in plan, (name, plan)


def test_a_newer_database_s_digests_are_neither_judged_nor_trusted(cli: Invoke, digested_db: Path) -> None:
    """A database a newer policytrack upgraded (a schema step unknown here) may hold digests of a line
    this version does not make (a shared field added there): `db check` does not call them stale, and the
    brief computes every digest of its window itself (it cannot store them), so the hash is this
    version's whatever the newer one stored."""
    from policytrack.store import MIGRATION_SET

    before = _brief_hash(cli)
    with closing(sqlite3.connect(digested_db)) as conn, conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            (MIGRATION_SET, "m999_a_newer_line", "2030-01-01"),
        )
        conn.execute("UPDATE entry_digests SET digest = zeroblob(32) WHERE entry_id = 1")
    check = cli("db", "check")
    assert check.exit_code == 0, check.stderr
    assert _brief_hash(cli) == before
    with closing(sqlite3.connect(digested_db)) as conn:
        zeroed = conn.execute("SELECT count(*) FROM entry_digests WHERE digest = zeroblob(32)")
        assert zeroed.fetchone() == (1,)  # read around, never written


def test_the_missing_digests_are_looked_for_only_where_a_day_is_short(
    log: Callable[..., int], digested_db: Path
) -> None:
    """After a `log`, the next brief counts entries and digests per indicator and first day along their
    keys and reads only the entries of the days that are short (a million entries are not each looked up
    because one is new)."""
    from policytrack.domain.workspace import open_store

    log("regional", "fourth", "--date", "2024-05-01")
    with open_store(digested_db) as store:
        traced: list[str] = []
        store.conn.set_trace_callback(traced.append)
        assert store.fill_digests() == 1
        store.conn.set_trace_callback(None)
        (listing,) = [sql for sql in traced if "INSERT INTO temp.undigested" in sql]
        plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {listing}")]
        (entries,) = [n for n, step in enumerate(plan) if step.startswith("SEARCH e USING")]
        (kept,) = [n for n, step in enumerate(plan) if step.startswith("SEARCH h USING")]
        assert plan[entries].endswith("entries_report (indicator_id=? AND date_start=?)"), plan
        assert kept < entries, plan  # the days' counts compared before their entries are read
