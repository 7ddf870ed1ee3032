"""Where the drawn brief's time goes, unprofiled: elapsed and CPU seconds (user + system of this process)
of each piece of `report -f html` (the report, the content hash's pass, the rest of build_brief, the page),
then of the hash's pass taken apart, each step one SQL statement doing a little more than the one before
(the table scan and joins; every shared column read; the line built by printf; the line sorted in the
one order; the rows fetched into Python; hashed; the charts' marks counted). One run each, in this
order; on a shared machine read the CPU column, and each step by its difference from the one above.

    python benchmarks/brief_parts.py DATABASE [AS_OF]
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

from policytrack.domain import brief
from policytrack.domain.entries import listing
from policytrack.domain.reports import build_report
from policytrack.domain.workspace import get_framework, open_store
from policytrack.records.columns import BY_NAME
from policytrack.records.models import EntryFilter, resolve_indicator
from policytrack.render.brief import brief_html
from policytrack.store.entries import LINK_JOINS, order_by
from policytrack.store.export import SHARED_FIELDS, SHARED_LINE_SQL
from policytrack.store.reports import _SCANNED


def timed(name: str, work: Callable[[], object]) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(
        f"{name:<58} {time.perf_counter() - wall:7.2f} s  cpu {time.process_time() - cpu:6.2f} s", flush=True
    )
    return result


def main() -> None:
    as_of = date.fromisoformat(sys.argv[2] if len(sys.argv) > 2 else "2026-11-01")
    with open_store(Path(sys.argv[1])) as store:
        fw = get_framework(store)
        report = build_report(store, fw, as_of=as_of, since=None, until=as_of, targets_known=True)
        timed(
            "report (what the markdown report builds)",
            lambda: build_report(store, fw, as_of=as_of, since=None, until=as_of, targets_known=True),
        )
        keys = [row.indicator.key for row in report.rows]
        timed(
            "read_window (content hash and marks, one pass)",
            lambda: brief.read_window(store, fw, keys, report.since, report.until),
        )
        drawn = timed(
            "build_brief (read_window again, tracks, starts)",
            lambda: brief.build_brief(store, fw, report, None, explain=False),
        )
        assert isinstance(drawn, brief.Brief)
        timed("brief_html (charts and page)", lambda: brief_html(drawn))

        where, params, _ = listing(fw, EntryFilter(indicators=keys, since=report.since, until=report.until))
        ids = [resolve_indicator(fw, key).id or 0 for key in keys]
        place = f"CASE e.indicator_id {' '.join('WHEN ? THEN ?' for _ in ids)} END"
        places = [value for n, found in enumerate(ids) for value in (found, n)]
        rows = f"{_SCANNED} {LINK_JOINS} WHERE {' AND '.join(where)}"
        columns = " + ".join(f"length({BY_NAME[name].sql})" for name in SHARED_FIELDS)
        ordered = f"ORDER BY {place}, {order_by()}"

        def one(sql: str, args: list[object]) -> Callable[[], object]:
            return lambda: store.conn.execute(sql, args).fetchone()

        timed("scan and joins (count)", one(f"SELECT count(*) {rows}", list(params)))
        timed(
            "+ every shared column read (sum of lengths)", one(f"SELECT sum({columns}) {rows}", list(params))
        )
        timed(
            "+ the line built (printf, sum of lengths)",
            one(f"SELECT sum(length({SHARED_LINE_SQL})) {rows}", list(params)),
        )
        sorted_sql = f"SELECT {SHARED_LINE_SQL} AS line, e.indicator_id, e.date, e.effect {rows} {ordered}"
        timed(
            "+ sorted in the one order",
            one(f"SELECT sum(length(line)) FROM ({sorted_sql})", [*params, *places]),
        )

        def passes(hashing: bool, counting: bool) -> Callable[[], object]:
            def run() -> object:
                cursor = store.conn.cursor()
                cursor.row_factory = None
                cursor.execute(sorted_sql, [*params, *places])
                digest, counts = hashlib.sha256(), Counter[tuple[object, ...]]()
                while batch := cursor.fetchmany(4096):
                    if hashing:
                        digest.update("".join(row[0] for row in batch).encode("utf-8"))
                    if counting:
                        counts.update(row[1:] for row in batch)
                return digest.hexdigest()

            return run

        timed("+ fetched into Python", passes(False, False))
        timed("+ hashed (sha256 of the lines, a batch at a time)", passes(True, False))
        timed("+ marks counted (the whole pass)", passes(True, True))


if __name__ == "__main__":
    main()
