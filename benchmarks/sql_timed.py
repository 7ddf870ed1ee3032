"""Run one policytrack command in this process with every SQL statement's CPU summed by its text
(printed to stderr at exit, dearest first): where a command's time in SQLite goes.

    python benchmarks/sql_timed.py --db ben.db sync      # PYTHONPATH=<an archive>/src for another tree
"""

from __future__ import annotations

import atexit
import re
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

_connect = sqlite3.connect
_spent: defaultdict[str, list[float]] = defaultdict(lambda: [0, 0.0])


def _key(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.strip())[:110]


class _Timed(sqlite3.Connection):
    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        start = time.process_time()
        try:
            return super().execute(sql, *args)
        finally:
            spent = _spent[_key(sql)]
            spent[0] += 1
            spent[1] += time.process_time() - start

    def executemany(self, sql: str, rows: Iterable[Any]) -> sqlite3.Cursor:
        rows = list(rows)
        start = time.process_time()
        try:
            return super().executemany(sql, rows)
        finally:
            spent = _spent[_key(sql)]
            spent[0] += len(rows)
            spent[1] += time.process_time() - start


def _timed_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    kwargs.setdefault("factory", _Timed)
    return _connect(*args, **kwargs)


@atexit.register
def _report() -> None:
    print(
        f"SQL total {sum(s[1] for s in _spent.values()):.2f} s (statement, rows or calls, CPU)",
        file=sys.stderr,
    )
    for sql, (count, seconds) in sorted(_spent.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"{seconds:7.2f} s {int(count):8d}  {sql}", file=sys.stderr)


if __name__ == "__main__":
    sqlite3.connect = _timed_connect  # type: ignore[assignment]
    sys.argv = ["policytrack", *sys.argv[1:]]
    from policytrack.cli import main

    main()
