"""Seeded synthetic evidence for benchmarks: a real policytrack database filled with N entries.

The rows are written with one executemany in one transaction (fast to build); their values are shaped like
an analyst's: five indicators, dates from 2012 to 2026, effects -2..2 weighted towards context, grades,
a pool of sources (most registered, with types and origins; a tenth free text), a few assessments and a few
tombstones.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from policytrack.core.grades import grade_weight
from policytrack.domain.workspace import get_framework, open_store
from policytrack.records.source import SOURCE_TYPES

GRADES = [f"{r}{c}" for r in "ABCDEF" for c in "123456"] + [None] * 12
STATUSES = ["no-action", "commitment", "in-progress", "substantial", "implemented"]
FIRST, LAST = date(2012, 1, 1), date(2026, 10, 31)


def entry_rows(
    n: int, indicator_ids: list[int], seed: int = 42, analyst: str | None = None
) -> Iterator[tuple[object, ...]]:
    rng = random.Random(seed)
    span = (LAST - FIRST).days
    for i in range(n):
        day = FIRST + timedelta(days=rng.randrange(span))
        precision = rng.choices(["day", "month", "year"], weights=[90, 8, 2])[0]
        if precision == "month":
            day, text = day.replace(day=1), f"{day.year:04d}-{day.month:02d}"
        elif precision == "year":
            day, text = date(day.year, 1, 1), f"{day.year:04d}"
        else:
            text = day.isoformat()
        status = rng.choice(STATUSES) if rng.random() < 0.02 else None
        source = rng.randrange(SOURCES)
        registered = rng.random() < 0.9
        grade = rng.choice(GRADES)
        yield (
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            rng.choice(indicator_ids),
            text,
            day.isoformat(),
            precision,
            f"synthetic entry {i}: "
            + " ".join(rng.choices(WORDS, k=rng.randint(4, 16)))
            + (" minusma" if i % 1000 == 0 else ""),  # a rare word, for the search benchmark
            "" if rng.random() < 0.8 else 'a longer synthetic note, with a comma and a "quote"',
            "" if registered else f"source {source}",
            rng.choices([-2, -1, 0, 1, 2], weights=[1, 3, 6, 3, 1])[0],
            status,
            grade,
            json.dumps(rng.sample(TAGS, k=rng.randint(0, 2))),
            "[]",
            analyst or f"analyst{rng.randrange(5)}",
            1,
            "2026-11-01T00:00:00.000000Z",
            "2026-11-01T00:00:00.000000Z" if rng.random() < 0.01 else None,
            source + 1 if registered else None,  # the registered source's id (see build)
            grade_weight(grade),
        )


WORDS = [
    "mali",
    "china",
    "loan",
    "railway",
    "bamako",
    "dakar",
    "security",
    "assistance",
    "ministry",
    "defence",
    "equipment",
    "delivery",
    "partner",
    "agreement",
    "treaty",
    "ecowas",
    "aes",
    "report",
    "civil",
    "society",
    "oversight",
    "parliament",
    "debt",
    "gold",
    "lithium",
]
TAGS = ["loan", "equipment", "treaty", "report", "aid"]
SOURCES = 1000  # registered as ids 1..SOURCES, each also cited as free text by a tenth of its entries
ORIGINS = ["Exampleland", "Otherland", "Farland", "Nearland", "Midland"]


def build(path: Path, n: int, seed: int = 42, analyst: str | None = None) -> Path:
    """Create (or replace) a database at `path` holding the Mali framework and n synthetic entries (all of
    them logged by `analyst` when given: one analyst's own database, as sync needs)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with open_store(path) as store:
        ids = [ind.id for ind in get_framework(store).indicators if ind.id is not None]
        with store.transaction() as conn:
            # Fill the search index once at the end, not through its per-row trigger (several times faster).
            (trigger,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'entries_ai'").fetchone()
            conn.execute("DROP TRIGGER entries_ai")
            conn.executemany(
                """INSERT INTO sources (id, uuid, key, name, type, origin, reliability, created_at,
                   changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-11-01', '2026-11-01')""",
                (
                    (k + 1, str(uuid.UUID(int=k, version=4)), f"source-{k}", f"Source {k}",
                     SOURCE_TYPES[k % len(SOURCE_TYPES)], ORIGINS[k % len(ORIGINS)], "ABCDEF"[k % 6])
                    for k in range(SOURCES)
                ),
            )  # fmt: skip
            conn.executemany(
                """INSERT INTO entries (uuid, indicator_id, date, date_start, date_precision, summary, note,
                   source, effect, status, grade, tags, actors, analyst, revision, recorded_at, deleted_at,
                   source_id, weight)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                entry_rows(n, ids, seed, analyst),
            )
            conn.execute(
                """INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at,
                   indicator_id, date, date_start, date_precision, summary, note, source, effect, status,
                   grade, tags, actors, analyst, source_id, weight)
                   SELECT id, 1, 'create', analyst, recorded_at, indicator_id, date, date_start,
                   date_precision, summary, note, source, effect, status, grade, tags, actors, analyst,
                   source_id, weight FROM entries"""
            )
            conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')")
            conn.execute(trigger)
        store.conn.execute("ANALYZE")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
