"""policytrack benchmarks: every figure beside a baseline measured in the same run, as a ratio.

    python benchmarks/run.py            # 1,000,000 synthetic entries (several minutes)
    python benchmarks/run.py --quick    # 100,000 entries, about a minute
    python benchmarks/run.py --rows N --write-results   # also write benchmarks/RESULTS.md

These machines are shared and noisy, so nothing here asserts a time: the table reports, a person judges.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402
from policytrack.grades import WEIGHT_SQL  # noqa: E402
from policytrack.store import ENTRY_COLUMNS  # noqa: E402
from policytrack.store.bulk import bulk_search_index, deferred_indexes  # noqa: E402

WORK = HERE / ".work"
PT = [sys.executable, "-m", "policytrack"]


@dataclass
class Figure:
    name: str
    value: float
    baseline_name: str
    baseline: float
    target: str
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")


def timed(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of running cmd `runs` times (output discarded), after one untimed warm-up run
    (which also leaves compiled bytecode behind, as an installed package has)."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed_call(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory_mb(cmd: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one run of cmd, read by a wrapper whose only child it is."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip()) / 1024  # ru_maxrss is in KiB on Linux


def env_for(db: Path) -> dict[str, str]:
    env = {**os.environ, "POLICYTRACK_DB": str(db), "POLICYTRACK_ANALYST": "bench", "NO_COLOR": "1"}
    # Let Python keep compiled bytecode, as it does for an installed package; some CI images forbid it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def bench_log(runs: int) -> list[Figure]:
    db = WORK / "log.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = env_for(db)
    subprocess.run([*PT, "indicators"], env=env, stdout=subprocess.DEVNULL, check=True)
    script = (
        "import sqlite3, sys, uuid\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute('CREATE TABLE IF NOT EXISTS e (id INTEGER PRIMARY KEY, uuid TEXT, d TEXT)')\n"
        "c.execute('INSERT INTO e (uuid, d) VALUES (?, ?)', (str(uuid.uuid4()), '2024-07-06'))\n"
    )
    bare_db = WORK / "bare.db"
    bare = timed([sys.executable, "-c", script, str(bare_db)], runs)
    log_cmd = [*PT, "log", "regional", "benchmark entry", "--date", "2024-07-06", "--effect", "1"]
    ours = timed(log_cmd, runs, env)
    figures = [Figure("log (one process)", ours, "bare sqlite3 insert script", bare, "within 5x")]
    watson = shutil.which("watson")
    if watson:
        wenv = {**os.environ, "WATSON_DIR": str(WORK / "watson")}
        (WORK / "watson").mkdir(exist_ok=True)
        w = timed([watson, "add", "-f", "10:00", "-t", "11:00", "project"], runs, wenv)
        figures.append(Figure("log (one process)", ours, "watson add (Watson 2.1)", w, "no slower (<= 1x)"))
    help_time = timed([*PT, "--help"], runs, env)
    empty = timed([sys.executable, "-c", "pass"], runs)
    figures.append(Figure("--help", help_time, "python -c pass", empty, "(reported)"))
    return figures


def bench_reports(db: Path, runs: int) -> list[Figure]:
    env = env_for(db)
    conn = sqlite3.connect(db)
    window = f"""SELECT indicator_id, count(*), sum(effect > 0), sum(effect < 0), sum(effect = 0),
                   sum(effect), sum(effect * {WEIGHT_SQL}),
                   count(DISTINCT CASE WHEN source <> '' THEN source END)
                 FROM entries WHERE deleted_at IS NULL AND indicator_id IN (1, 2, 3, 4, 5)
                   AND date_start >= '0001-01-01' AND date_start <= '2026-11-01' GROUP BY indicator_id"""
    by_month = """SELECT indicator_id, substr(date_start, 1, 7) AS m, count(*), sum(effect)
                  FROM entries WHERE deleted_at IS NULL AND indicator_id IN (1, 2, 3, 4, 5)
                  GROUP BY indicator_id, m"""
    bare = timed_call(lambda: conn.execute(window).fetchall(), runs)
    bare_by = timed_call(lambda: conn.execute(by_month).fetchall(), runs)
    conn.close()
    report = timed([*PT, "report", "--as-of", "2026-11-01", "-f", "json"], runs, env)
    by_q = timed([*PT, "report", "--as-of", "2026-11-01", "--by", "quarter", "-f", "json"], runs, env)
    return [
        Figure("report", report, "its aggregate query alone", bare, "1.5 s at 1M"),
        Figure("report --by quarter", by_q, "a GROUP BY month query alone", bare_by, "2 s at 1M"),
    ]


def bench_search(db: Path, runs: int) -> list[Figure]:
    env = env_for(db)
    conn = sqlite3.connect(db)
    fts = timed_call(
        lambda: conn.execute(
            "SELECT count(*) FROM entries WHERE id IN "
            "(SELECT rowid FROM entries_fts WHERE entries_fts MATCH '\"minusma\"*')"
        ).fetchall(),
        runs,
    )
    like = timed_call(
        lambda: conn.execute(
            "SELECT count(*) FROM entries WHERE summary LIKE '%minusma%' OR note LIKE '%minusma%' "
            "OR source LIKE '%minusma%'"
        ).fetchall(),
        runs,
    )
    conn.close()
    cli = timed([*PT, "list", "--grep", "minusma", "--json"], runs, env)
    return [
        Figure("search query (full-text index)", fts, "LIKE scan of the same columns", like, "(faster)"),
        Figure("list --grep (whole command)", cli, "LIKE scan query alone", like, "(reported)"),
    ]


def bench_exchange(db: Path, small_db: Path, runs: int) -> list[Figure]:
    env = env_for(db)
    csv_path = WORK / "export.csv"
    export = timed([*PT, "export", "entries", "-o", str(csv_path)], runs, env)
    figures = []
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli:
        bare = timed([sqlite_cli, "-csv", str(db), "SELECT * FROM current_entries ORDER BY id"], runs)
        figures.append(
            Figure("export entries (csv)", export, "sqlite3 -csv of the same view", bare, "within 3x")
        )
        jsonl = timed([*PT, "export", "entries", "-f", "jsonl", "-o", str(WORK / "export.jsonl")], runs, env)
        bare_json = timed([sqlite_cli, "-json", str(db), "SELECT * FROM current_entries ORDER BY id"], runs)
        figures.append(
            Figure("export entries (jsonl)", jsonl, "sqlite3 -json of the same view", bare_json, "(reported)")
        )
    small_mem = peak_memory_mb([*PT, "export", "entries", "-o", str(WORK / "small.csv")], env_for(small_db))
    big_mem = peak_memory_mb([*PT, "export", "entries", "-o", str(csv_path)], env)
    figures.append(
        Figure(
            "export peak memory, all rows",
            big_mem,
            "peak memory at a tenth of the rows",
            small_mem,
            "flat",
            "MB",
        )
    )

    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = [tuple(r) for r in csv.reader(f)][1:]

    def bare_insert() -> None:
        target = WORK / "bare-import.db"
        target.unlink(missing_ok=True)
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute(f"CREATE TABLE entries ({', '.join(f'c{i}' for i in range(len(rows[0])))})")
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO entries VALUES ({', '.join('?' for _ in rows[0])})", rows)
        conn.execute("COMMIT")
        conn.close()

    bare = timed_call(bare_insert, 1)
    rows.clear()  # free the memory before the next runs
    target = WORK / "import.db"
    ready = _checked_rows(db)
    # Two readings of "a bare executemany of the same rows": into a plain table (above), and into
    # policytrack's own tables, with their indexes and triggers, as a script would write them.
    naive = _timed_write(target, ready, _naive_schema_write)
    # The floor for this schema: the same rows, already checked, written by SQL alone the way import writes
    # them. What import takes beyond it is Python's work: reading the CSV and checking every row.
    floor = _timed_write(target, ready, _floor_write)
    del ready

    _fresh(target)
    start = time.perf_counter()
    subprocess.run([*PT, "import", str(csv_path)], env=env_for(target), stdout=subprocess.DEVNULL, check=True)
    ours = time.perf_counter() - start
    import_name = "import (csv, one transaction)"
    floor_name = "SQL writes alone, policytrack schema (entries, revisions, search index, indexes)"
    return [
        *figures,
        Figure(import_name, ours, "bare executemany, plain table", bare, "within 3x"),
        Figure(
            import_name,
            ours,
            "bare executemany, policytrack schema (its triggers, one transaction)",
            naive,
            "(reported)",
        ),
        Figure(import_name, ours, floor_name, floor, "(reported)"),
        Figure(floor_name, floor, "bare executemany, plain table", bare, "(reported: the floor)"),
    ]


Rows = list[tuple[object, ...]]


def _fresh(target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _checked_rows(db: Path) -> Rows:
    """The benchmark's current entries in their stored form: what import has once it has checked a row."""
    source = sqlite3.connect(db)
    try:
        return source.execute(
            f"SELECT id, uuid, {', '.join(ENTRY_COLUMNS)}, revision, recorded_at FROM entries "
            "WHERE deleted_at IS NULL"
        ).fetchall()
    finally:
        source.close()


def _timed_write(target: Path, ready: Rows, write: Callable[[sqlite3.Connection, Rows], None]) -> float:
    """Time `write` into a new policytrack database, in one transaction, commit included."""
    _fresh(target)
    subprocess.run([*PT, "indicators"], env=env_for(target), stdout=subprocess.DEVNULL, check=True)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA cache_size = -262144")  # as import sets it
    start = time.perf_counter()
    conn.execute("BEGIN")
    write(conn, ready)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


_COLUMNS = ", ".join(ENTRY_COLUMNS)
_ENTRY_INSERT = (
    f"INSERT INTO entries (id, uuid, {_COLUMNS}, revision, recorded_at) "
    f"VALUES ({', '.join('?' for _ in range(len(ENTRY_COLUMNS) + 4))})"
)


def _naive_schema_write(conn: sqlite3.Connection, ready: Rows) -> None:
    """Each entry and its first revision by executemany; the search trigger fires per row."""
    conn.executemany(_ENTRY_INSERT, ready)
    conn.executemany(
        f"INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {_COLUMNS}) "
        f"VALUES (?, 1, 'import', 'bench', 'now', {', '.join('?' for _ in ENTRY_COLUMNS)})",
        [(r[0], *r[2 : 2 + len(ENTRY_COLUMNS)]) for r in ready],
    )


def _floor_write(conn: sqlite3.Connection, ready: Rows) -> None:
    """As import writes into an empty database (with its own helpers): entries by executemany; revisions
    and search rows by INSERT ... SELECT; the search trigger and secondary indexes put back at the end."""
    with bulk_search_index(conn), deferred_indexes(conn):
        conn.executemany(_ENTRY_INSERT, ready)
        conn.execute(
            f"INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {_COLUMNS}) "
            f"SELECT id, 1, 'import', 'bench', 'now', {_COLUMNS} FROM entries"
        )
        conn.execute(
            "INSERT INTO entries_fts (rowid, summary, note, source) "
            "SELECT id, summary, note, source FROM entries"
        )


def machine() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout
    return (
        f"{dt.date.today().isoformat()}, commit {commit.strip() or '?'}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def table(figures: list[Figure], rows: int) -> str:
    lines = [
        f"Rows: {rows:,}. Machine: {machine()}.",
        "",
        "| figure | value | baseline (same run) | baseline value | ratio | target |",
        "|---|---:|---|---:|---:|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.name} | {f.value:.3f} {f.unit} | {f.baseline_name} | {f.baseline:.3f} {f.unit} "
            f"| {f.ratio:.2f}x | {f.target} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100,000 rows, fewer repeats")
    parser.add_argument("--rows", type=int, help="number of synthetic entries (default 1,000,000)")
    parser.add_argument(
        "--write-results", action="store_true", help="write the table to benchmarks/RESULTS.md"
    )
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    runs = 3 if args.quick or rows <= 200_000 else 2
    WORK.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK):
        started = time.perf_counter()
        print(f"building {rows:,} synthetic entries ...", file=sys.stderr)
        db = synth.build(WORK / "bench.db", rows)
        small = synth.build(WORK / "bench-small.db", max(rows // 10, 1))
        figures = bench_log(runs if rows <= 200_000 else 10)
        figures += bench_reports(db, runs)
        figures += bench_search(db, runs)
        figures += bench_exchange(db, small, 1)
        text = table(figures, rows)
        print(text)
        print(f"\n(benchmarks took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.write_results:
        (HERE / "RESULTS.md").write_text(
            "# Benchmark results\n\nThe last full run of `python benchmarks/run.py`; ratios compare each "
            "figure with a baseline measured in the same run on the same machine.\n\n" + text + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
