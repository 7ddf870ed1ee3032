"""Where the drawn brief's time goes, unprofiled: elapsed and CPU seconds (user + system of this process)
of each piece of `report -f html` (the report, the digests stored where missing, the content hash and
marks read from them, the rest of build_brief, the page), then the same read with every digest computed
as it is read (what a read-only database without stored digests does). One run each, in this order; on a
shared machine read the CPU column. The first run on a database stores every digest (`fill_digests`).

    python benchmarks/brief_parts.py DATABASE [AS_OF]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from policytrack.domain import brief
from policytrack.domain.reports import build_report
from policytrack.domain.workspace import get_framework, open_store
from policytrack.records.models import resolve_indicator
from policytrack.render.brief import brief_html


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
        timed("fill_digests (the missing ones stored)", store.fill_digests)
        timed(
            "read_window (content hash and marks, from the digests)",
            lambda: brief.read_window(store, fw, keys, report.since, report.until),
        )
        drawn = timed(
            "build_brief (read_window again, tracks, starts)",
            lambda: brief.build_brief(store, fw, report, None, explain=False),
        )
        assert isinstance(drawn, brief.Brief)
        timed("brief_html (charts and page)", lambda: brief_html(drawn))
        since, until = report.since, report.until.isoformat()
        start = None if since is None else since.isoformat()
        ids = [resolve_indicator(fw, key).id or 0 for key in keys]

        def computed() -> object:
            store.conn.execute("BEGIN")  # nothing stored is seen missing: drop them inside, then undo
            store.conn.execute("DELETE FROM entry_digests")
            try:
                for ident in ids:
                    store.window_marks(ident, start, until)
                    for _ in store.window_digests(ident, start, until):
                        pass
            finally:
                store.conn.execute("ROLLBACK")
            return None

        timed("the same read, every digest computed (read-only, none stored)", computed)


if __name__ == "__main__":
    main()
