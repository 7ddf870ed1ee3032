"""policytrack benchmarks: every figure beside a baseline measured in the same run, as a ratio.

    python benchmarks/run.py            # 1,000,000 synthetic entries (one to two hours on 2 cores)
    python benchmarks/run.py --quick    # 100,000 entries (about ten minutes)
    python benchmarks/run.py --rows N --write-results   # also write benchmarks/RESULTS.md
    python benchmarks/run.py --quick --keep             # leave the scratch data in benchmarks/.work
    python benchmarks/run.py --only reports             # just these figures (log, reports, listing, ...)
    python benchmarks/run.py --sync-only                # only the sync figure (a minute)
    python benchmarks/run.py --only inbox [--quick]     # the inbox's figures (benchmarks/inbox_bench.py)
    python benchmarks/run.py --only explain --quick     # report --explain piped, at 10k and 100k
    python benchmarks/run.py --only site --rows 10000   # publish --site (benchmarks/site_bench.py)
    python benchmarks/run.py --only tables --db b1m.db  # tables for people on a terminal, a built database

Each baseline does the work of the figure it stands beside: a whole process where the command is one, the
same database, schema and indexes, the same kind of output (a file written and fsynced, or nothing), and a
database reset before every run where the command writes one. Each pair is timed in turns after a warm-up,
and every row says how many runs and which statistic. These machines are shared and noisy, so nothing here
asserts a time: the table reports, a person judges.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

# Every name this script takes from policytrack; synth.py takes open_store and get_framework, and the
# commands themselves run as `python -m policytrack`.
from policytrack.records.columns import ENTRY_COLUMNS  # noqa: E402
from policytrack.store.bulk import bulk_search_index, deferred_indexes  # noqa: E402

WORK = HERE / ".work"
PT = [sys.executable, "-m", "policytrack"]


# -- measuring ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    value: float
    how: str  # how it was measured, e.g. "median of 5 after 1 warm-up"


@dataclass
class Figure:
    name: str
    value: float
    baseline_name: str
    baseline: float
    target: str
    how: str
    unit: str = "s"
    only: str = ""  # the `--only` name that runs it again (set by main)

    @classmethod
    def of(cls, name: str, ours: Timing, baseline_name: str, base: Timing, target: str) -> Figure:
        how = ours.how if ours.how == base.how else f"{ours.how}; baseline {base.how}"
        return cls(name, ours.value, baseline_name, base.value, target, how)

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")


@dataclass(frozen=True)
class Job:
    """One thing to time: `work` is timed; `reset`, untimed, runs before every run, warm-ups included."""

    work: Callable[[], object]
    reset: Callable[[], object] | None = None
    cleanup: Callable[[], object] | None = None  # once, after the last run


def process(cmd: Sequence[object], env: dict[str, str] | None = None) -> Callable[[], None]:
    """Run cmd as a whole process, its output discarded; a failure stops the benchmarks with its stderr."""
    args = [str(a) for a in cmd]

    def run() -> None:
        done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        if done.returncode != 0:
            raise SystemExit(
                f"benchmark command failed: {args[:6]} ...\n{done.stderr.decode(errors='replace')}"
            )

    return run


def measure(jobs: Sequence[Job], runs: int, warmups: int = 1) -> list[Timing]:
    """The median wall time of each job over `runs` runs after `warmups` untimed ones. The jobs take turns
    (a, b, a, b, ...), so a slow stretch of this shared machine falls on a figure and its baseline alike.
    The warm-up also leaves compiled bytecode behind, as an installed package has."""
    times: list[list[float]] = [[] for _ in jobs]
    for i in range(warmups + runs):
        for job, found in zip(jobs, times, strict=True):
            if job.reset is not None:
                job.reset()
            start = time.perf_counter()
            job.work()
            elapsed = time.perf_counter() - start
            if i >= warmups:
                found.append(elapsed)
    for job in jobs:
        if job.cleanup is not None:
            job.cleanup()
    stat = f"median of {runs}" if runs > 1 else "one run"
    how = f"{stat} after {warmups} warm-up{'' if warmups == 1 else 's'}"
    return [Timing(statistics.median(found), how) for found in times]


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


def _fresh(target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _copy_db(template: Path, target: Path) -> Callable[[], None]:
    """A reset: `target` becomes a copy of the (checkpointed, closed) database `template`."""

    def reset() -> None:
        _fresh(target)
        shutil.copyfile(template, target)

    return reset


# -- the SQL a command runs, replayed by a bare process ------------------------------------------------

# Runs a policytrack command in-process with every SQLite connection traced, and writes the statements it
# ran (parameters filled in) to a file, NUL-separated. Lines starting "--" are a trigger's inner steps.
CAPTURE = """
import runpy, sqlite3, sys
statements = []
connect = sqlite3.connect
def traced(*args, **kwargs):
    conn = connect(*args, **kwargs)
    conn.set_trace_callback(statements.append)
    return conn
sqlite3.connect = traced
out, sys.argv = sys.argv[1], ['policytrack', *sys.argv[2:]]
try:
    runpy.run_module('policytrack', run_name='__main__', alter_sys=True)
finally:
    with open(out, 'w', encoding='utf-8') as f:
        f.write('\\0'.join(s for s in statements if not s.startswith('--')))
"""

# The baseline for a read-only command: one process that opens the same database and runs every statement
# the command ran, in order, printing every row.
REPLAY = """
import sqlite3, sys
db, sql = sys.argv[1:]
with open(sql, encoding='utf-8') as f:
    statements = f.read().split('\\0')
conn = sqlite3.connect(db, isolation_level=None)
conn.row_factory = sqlite3.Row
for statement in statements:
    for row in conn.execute(statement):
        print(tuple(row))
"""

_READ_ONLY = ("SELECT", "WITH", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def captured_sql(args: list[str], env: dict[str, str], name: str) -> Path:
    """The statements `policytrack *args` runs, in a file for REPLAY."""
    out = WORK / f"{name}.sql"
    subprocess.run(
        [sys.executable, "-c", CAPTURE, str(out), *args], env=env, stdout=subprocess.DEVNULL, check=True
    )
    statements = out.read_text(encoding="utf-8").split("\0")
    if statements == [""]:
        raise SystemExit(
            f"no SQL captured from `policytrack {' '.join(args)}`: does it still open "
            "its database with sqlite3.connect?"
        )
    writes = [s for s in statements if not s.lstrip().upper().startswith(_READ_ONLY)]
    if writes:
        raise SystemExit(f"`policytrack {' '.join(args)}` writes ({writes[0][:60]!r}); REPLAY is for reads")
    return out


def replay(db: Path, sql: Path) -> Callable[[], None]:
    return process([sys.executable, "-c", REPLAY, db, sql])


# -- the figures ---------------------------------------------------------------------------------------

_COLUMNS = ", ".join(ENTRY_COLUMNS)

# What `log` writes, and no more: one entry and its first revision in one transaction (the search index's
# trigger fires on the insert), with the pragmas policytrack sets when it opens a database.
BARE_LOG = f"""
import datetime, sqlite3, sys, uuid
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute('PRAGMA journal_mode = WAL')
conn.execute('PRAGMA foreign_keys = ON')
now = datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
conn.execute('BEGIN IMMEDIATE')
entry = conn.execute(
    "INSERT INTO entries (uuid, indicator_id, date, date_start, date_precision, summary, note, source, "
    "effect, status, grade, tags, actors, analyst, revision, recorded_at) VALUES "
    "(?, (SELECT id FROM indicators WHERE key = 'regional'), '2024-07-06', '2024-07-06', 'day', "
    "'benchmark entry', '', '', 1, NULL, NULL, '[]', '[]', 'bench', 1, ?)",
    (str(uuid.uuid4()), now),
).lastrowid
conn.execute(
    "INSERT INTO entry_revisions (entry_id, revision, action, changed_by, changed_at, {_COLUMNS}) "
    "SELECT id, revision, 'create', 'bench', ?, {_COLUMNS} FROM entries WHERE id = ?",
    (now, entry),
)
conn.execute('COMMIT')
"""


def bench_log(runs: int) -> list[Figure]:
    # Both write into a fresh copy of the same small policytrack database (1,000 entries) every run.
    template = synth.build(WORK / "log-template.db", 1_000)
    db, bare_db = WORK / "log.db", WORK / "log-bare.db"
    log_cmd = [*PT, "log", "regional", "benchmark entry", "--date", "2024-07-06", "--effect", "1"]
    jobs = [
        Job(process(log_cmd, env_for(db)), _copy_db(template, db)),
        Job(process([sys.executable, "-c", BARE_LOG, bare_db]), _copy_db(template, bare_db)),
    ]
    watson = shutil.which("watson")
    if watson:
        frames = WORK / "watson"

        def fresh_watson() -> None:
            shutil.rmtree(frames, ignore_errors=True)
            frames.mkdir()

        wenv = {**os.environ, "WATSON_DIR": str(frames)}
        jobs.append(
            Job(process([watson, "add", "-f", "10:00", "-t", "11:00", "project"], wenv), fresh_watson)
        )
    ours, bare, *others = measure(jobs, runs)
    bare_name = "bare sqlite3 script: the entry, its revision, the search trigger (same database)"
    figures = [Figure.of("log (one process)", ours, bare_name, bare, "within 5x")]
    for w in others:
        figures.append(
            Figure.of(
                "log (one process)", ours, "watson add (Watson 2.1), empty frames", w, "no slower (<= 1x)"
            )
        )
    help_time, empty = measure(
        [Job(process([*PT, "--help"], env_for(db))), Job(process([sys.executable, "-c", "pass"]))], runs
    )
    figures.append(Figure.of("--help", help_time, "python -c pass", empty, "(reported)"))
    # Commands are registered lazily by name: `log` imports and builds only its own module's commands.
    build = "import typer; from policytrack.cli import {0}; typer.main.get_command({0}({1}))"
    one, every = measure(
        [
            Job(process([sys.executable, "-c", build.format("app_for", "['log']")])),
            Job(process([sys.executable, "-c", build.format("full_app", "")])),
        ],
        runs,
    )
    figures.append(Figure.of("log's application, built (one process)", one, "every command's", every, "< 1x"))
    return figures


def sqlite_cli_replay(db: Path, sql: Path) -> Callable[[], None] | None:
    """The same statements run by the `sqlite3` command-line shell (None where it is not installed)."""
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli is None:
        return None
    script = sql.with_suffix(".cli.sql")
    statements = sql.read_text(encoding="utf-8").split("\0")
    script.write_text("".join(f"{s.strip().rstrip(';')};\n" for s in statements), encoding="utf-8")
    return process(["sh", "-c", '"$1" "$2" < "$3"', "sh", sqlite_cli, db, script])


def bench_reports(db: Path, runs: int) -> list[Figure]:
    env = env_for(db)
    figures = []
    for name, extra, target in (
        ("report", [], "0.5 s at 1M, sources registered"),
        ("report --by quarter", ["--by", "quarter"], "2 s at 1M"),
    ):
        args = ["report", "--as-of", "2026-11-01", *extra, "-f", "json"]
        sql = captured_sql(args, env, name.replace(" ", "").replace("-", "_"))
        count = len(sql.read_text(encoding="utf-8").split("\0"))
        jobs = [Job(process([*PT, *args], env)), Job(replay(db, sql))]
        cli = sqlite_cli_replay(db, sql)
        if cli is not None:
            jobs.append(Job(cli))
        ours, bare, *shell = measure(jobs, runs)
        baseline = f"its {count} SQL statements replayed by a bare python process"
        figures.append(Figure.of(name, ours, baseline, bare, target))
        for base in shell:
            figures.append(
                Figure.of(name, ours, f"the same {count} statements run by the sqlite3 CLI", base, target)
            )
    return figures


SIZES = (10_000, 100_000, 1_000_000)  # the sizes: each figure at every one up to the run's rows


def sized(rows: int, db: Path) -> list[tuple[int, Path]]:
    """A database of each of SIZES up to `rows` (the run's own for `rows`), built once per run."""
    out = []
    for n in (s for s in SIZES if s <= rows):
        path = db if n == rows else WORK / f"size-{n}.db"
        out.append((n, path if path.exists() else synth.build(path, n)))
    return out


# What a brief must read, written by hand for the sqlite3 shell (no policytrack SQL): per indicator its
# window's counts and momentum, its marks per day and effect, its assessments in date order, and every
# entry as JSON in date order (for a content hash).
BARE_BRIEF = """
SELECT indicator_id, count(*), sum(effect > 0), sum(effect < 0), sum(effect = 0), sum(effect)
  FROM entries WHERE deleted_at IS NULL AND date_start <= '2026-11-01' GROUP BY indicator_id;
SELECT indicator_id, date, effect, count(*) FROM entries WHERE deleted_at IS NULL
  AND date_start <= '2026-11-01' GROUP BY indicator_id, date, effect;
SELECT indicator_id, date_start, status FROM entries WHERE deleted_at IS NULL AND status IS NOT NULL
  AND date_start <= '2026-11-01' ORDER BY indicator_id, date_start, recorded_at, analyst, uuid;
SELECT json_object('uuid', uuid, 'date', date, 'summary', summary, 'note', note, 'source', source,
  'effect', effect, 'status', status, 'grade', grade, 'tags', json(tags), 'analyst', analyst,
  'recorded_at', recorded_at) FROM entries WHERE deleted_at IS NULL AND date_start <= '2026-11-01'
  ORDER BY indicator_id, date_start, recorded_at, analyst, uuid;
"""


def bench_brief(rows: int, db: Path, runs: int) -> list[Figure]:
    """The drawn brief (html, svg) at each size beside the same report as markdown (same process,
    database, window and -o file: the ratio is what the drawing costs) and beside what it must read,
    written by hand for the sqlite3 shell; its peak memory at each size against a tenth of it; at 10,000
    entries, with --by quarter --explain too."""
    figures = []
    sqlite_cli = shutil.which("sqlite3")
    peaks: dict[int, float] = {}
    for n, path in sized(rows, db):
        env = env_for(path)
        reps = runs if n <= 100_000 else 1
        args = ["report", "--as-of", "2026-11-01"]
        for fmt in ("html", "svg"):
            jobs = [
                Job(process([*PT, *args, "-f", fmt, "-o", WORK / f"brief.{fmt}"], env)),
                Job(process([*PT, *args, "-f", "markdown", "-o", WORK / "brief.md"], env)),
            ]
            if sqlite_cli and fmt == "html":
                script = WORK / "bare-brief.sql"
                script.write_text(BARE_BRIEF, encoding="utf-8")
                jobs.append(Job(process(["sh", "-c", '"$1" "$2" < "$3"', "sh", sqlite_cli, path, script])))
            ours, base, *bare = measure(jobs, reps)
            name = f"report -f {fmt} ({n:,} entries)"
            same = "the same report as markdown, -o a file (same database)"
            figures.append(
                Figure.of(name, ours, same, base, "<= 5x at 1M" if n == SIZES[-1] else "(reported)")
            )
            for b in bare:
                hand = (
                    "what it reads, by hand in the sqlite3 shell (aggregates, marks, assessments, JSON rows)"
                )
                figures.append(Figure.of(name, ours, hand, b, "(reported)"))
        peaks[n] = peak_memory_mb([*PT, *args, "-f", "html", "-o", str(WORK / "brief.html")], env)
        if n // 10 in peaks:
            figures.append(
                Figure(
                    f"report -f html peak memory ({n:,} entries)",
                    peaks[n],
                    f"the same at {n // 10:,}",
                    peaks[n // 10],
                    "<= 1.3x",
                    "one run each",
                    "MB",
                )
            )
        if n == SIZES[0]:
            extra = ["--by", "quarter", "--explain"]
            ours, base = measure(
                [
                    Job(process([*PT, *args, *extra, "-f", "html", "-o", WORK / "brief.html"], env)),
                    Job(process([*PT, *args, *extra, "-f", "markdown", "-o", WORK / "brief.md"], env)),
                ],
                runs,
            )
            name = f"report --by quarter --explain -f html ({n:,} entries)"
            same = "the same report as markdown, -o a file (same database)"
            figures.append(Figure.of(name, ours, same, base, "(reported)"))
    return figures


# One indicator's entries up to the as-of date in the one order, as CSV, written by hand for the sqlite3
# shell (no policytrack SQL): what `report --explain -i regional` lists, at the shell's speed.
BARE_EXPLAIN = """
SELECT e.uuid, e.date, e.summary, e.effect, e.grade, e.status, e.source, e.tags, e.analyst
  FROM entries e JOIN indicators i ON i.id = e.indicator_id
  WHERE i.key = 'regional' AND e.deleted_at IS NULL AND e.date_start <= '2026-11-01'
  ORDER BY e.date_start, e.recorded_at, e.analyst, e.uuid;
"""


def bench_explain(rows: int, db: Path, runs: int) -> list[Figure]:
    """`report --explain` for one indicator, piped (every entry streamed as plain text), at 10,000 and
    100,000 entries, beside `list --csv` of the same entries and beside the sqlite3 shell writing them as
    CSV by hand; and its peak memory against a tenth of the size."""
    figures = []
    sqlite_cli = shutil.which("sqlite3")
    script = WORK / "bare-explain.sql"
    script.write_text(BARE_EXPLAIN, encoding="utf-8")
    peaks: dict[int, float] = {}
    for n, path in ((n, p) for n, p in sized(rows, db) if n <= 100_000):
        env = env_for(path)
        explain = [*PT, "report", "--as-of", "2026-11-01", "--explain", "-i", "regional"]
        jobs = [
            Job(process(explain, env)),
            Job(process([*PT, "list", "-i", "regional", "--until", "2026-11-01", "--csv"], env)),
        ]
        if sqlite_cli:
            jobs.append(Job(process(["sh", "-c", '"$1" -csv "$2" < "$3"', "sh", sqlite_cli, path, script])))
        ours, listed, *bare = measure(jobs, runs)
        name = f"report --explain -i regional, piped ({n:,} entries)"
        figures.append(
            Figure.of(
                name, ours, "list -i regional --until (as-of) --csv, same entries", listed, "(reported)"
            )
        )
        for b in bare:
            figures.append(
                Figure.of(name, ours, "the same entries as CSV by hand in the sqlite3 shell", b, "(reported)")
            )
        peaks[n] = peak_memory_mb(explain, env)
        if n // 10 in peaks:
            figures.append(
                Figure(
                    f"report --explain peak memory ({n:,} entries)",
                    peaks[n],
                    f"the same at {n // 10:,}",
                    peaks[n // 10],
                    "flat",
                    "one run each",
                    "MB",
                )
            )
    return figures


def bench_publish(rows: int, db: Path, runs: int) -> list[Figure]:
    """publish at 100,000 entries (or the run's size, if smaller) beside its exports done by hand: the
    entries as CSV and JSONL and the report as html, markdown, csv, json and xlsx, one command each; and
    beside the sqlite3 shell writing the entries as CSV and JSON."""
    n, path = [(n, p) for n, p in sized(rows, db) if n <= 100_000][-1]
    env = env_for(path)
    out = WORK / "bundle"
    report = ["report", "--as-of", "2026-11-01"]
    by_hand: list[list[object]] = [
        [*PT, "export", "entries", "-o", WORK / "hand.csv"],
        [*PT, "export", "entries", "-f", "jsonl", "-o", WORK / "hand.jsonl"],
    ]
    for fmt, ext in (
        ("html", "html"),
        ("markdown", "md"),
        ("csv", "csv"),
        ("json", "json"),
        ("xlsx", "xlsx"),
    ):
        by_hand.append([*PT, *report, "-f", fmt, "-o", WORK / f"hand-report.{ext}"])
    steps = [process(c, env) for c in by_hand]

    def hand() -> None:
        for step in steps:
            step()

    jobs = [
        Job(process([*PT, "publish", out, "--as-of", "2026-11-01"], env), lambda: shutil.rmtree(out, True)),
        Job(hand),
    ]
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli:
        view = "SELECT * FROM current_entries"
        jobs.append(
            Job(
                process(
                    [
                        "sh",
                        "-c",
                        '"$1" -csv "$2" "$3" > "$4.csv" && "$1" -json "$2" "$3" > "$4.json"',
                        "sh",
                        sqlite_cli,
                        path,
                        view,
                        WORK / "bare-publish",
                    ]
                )
            )
        )
    ours, base, *bare = measure(jobs, runs)
    name = f"publish ({n:,} entries)"
    figures = [Figure.of(name, ours, "its exports by hand: 7 policytrack commands", base, "<= 2x")]
    for b in bare:
        figures.append(Figure.of(name, ours, "sqlite3 -csv and -json of the entries view", b, "(reported)"))
    return figures


# A whole process that finds the rare word the way a script without the full-text index would.
LIKE_SCAN = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
for row in conn.execute(
    "SELECT * FROM current_entries WHERE summary LIKE ?1 OR note LIKE ?1 OR source LIKE ?1", ('%minusma%',)
):
    print(row)
"""


def bench_search(db: Path, runs: int) -> list[Figure]:
    conn = sqlite3.connect(db)
    fts_sql = (
        "SELECT count(*) FROM entries WHERE id IN "
        "(SELECT rowid FROM entries_fts WHERE entries_fts MATCH '\"minusma\"*')"
    )
    like_sql = (
        "SELECT count(*) FROM entries WHERE summary LIKE '%minusma%' OR note LIKE '%minusma%' "
        "OR source LIKE '%minusma%'"
    )
    fts, like = measure(
        [Job(lambda: conn.execute(fts_sql).fetchall()), Job(lambda: conn.execute(like_sql).fetchall())], runs
    )
    conn.close()
    cli, scan = measure(
        [
            Job(process([*PT, "list", "--grep", "minusma", "--json"], env_for(db))),
            Job(process([sys.executable, "-c", LIKE_SCAN, db])),
        ],
        runs,
    )
    return [
        Figure.of(
            "search query (full-text index, in-process)",
            fts,
            "LIKE scan of the same columns",
            like,
            "(faster)",
        ),
        Figure.of(
            "list --grep (whole command)",
            cli,
            "a bare python process: LIKE scan of the same columns, rows printed",
            scan,
            "(reported)",
        ),
    ]


# sqlite3's output written the way policytrack's output writer writes a file: into a temporary file beside
# the target, fsynced (coreutils `sync FILE`), then renamed over it.
TO_FILE = 'out=$1; shift; "$@" > "$out.tmp" && sync "$out.tmp" && mv -f "$out.tmp" "$out"'

# A bare script importing the same CSV: read with the csv module, one executemany into a plain table of a
# new WAL database, one transaction.
BARE_IMPORT = """
import csv, sqlite3, sys
source, target = sys.argv[1:]
conn = sqlite3.connect(target, isolation_level=None)
conn.execute('PRAGMA journal_mode = WAL')
with open(source, newline='', encoding='utf-8') as f:
    rows = csv.reader(f)
    header = next(rows)
    conn.execute(f"CREATE TABLE entries ({', '.join(f'c{i}' for i in range(len(header)))})")
    conn.execute('BEGIN')
    conn.executemany(f"INSERT INTO entries VALUES ({', '.join('?' for _ in header)})", rows)
    conn.execute('COMMIT')
"""


def bench_export(db: Path, small_db: Path, runs: int) -> list[Figure]:
    env = env_for(db)
    csv_path = WORK / "export.csv"
    export = [*PT, "export", "entries", "-o", csv_path]
    sqlite_cli = shutil.which("sqlite3")
    figures = []
    if sqlite_cli and shutil.which("sync"):
        view = "SELECT * FROM current_entries ORDER BY id"

        def sqlite_to_file(out: Path, *mode: str) -> Job:
            return Job(process(["sh", "-c", TO_FILE, "sh", out, sqlite_cli, *mode, db, view]))

        ours, bare = measure(
            [Job(process(export, env)), sqlite_to_file(WORK / "bare.csv", "-header", "-csv")], runs
        )
        figures.append(
            Figure.of(
                "export entries (csv)",
                ours,
                "sqlite3 -csv of the same view, to a file, fsynced",
                bare,
                "within 3x",
            )
        )
        jsonl = [*PT, "export", "entries", "-f", "jsonl", "-o", WORK / "export.jsonl"]
        ours, bare = measure([Job(process(jsonl, env)), sqlite_to_file(WORK / "bare.json", "-json")], runs)
        figures.append(
            Figure.of(
                "export entries (jsonl)",
                ours,
                "sqlite3 -json of the same view, to a file, fsynced",
                bare,
                "(reported)",
            )
        )
    else:
        process(export, env)()  # import below reads this file
    small_mem = peak_memory_mb([*PT, "export", "entries", "-o", str(WORK / "small.csv")], env_for(small_db))
    big_mem = peak_memory_mb([*PT, "export", "entries", "-o", str(csv_path)], env)
    figures.append(
        Figure(
            "export peak memory, all rows",
            big_mem,
            "peak memory at a tenth of the rows",
            small_mem,
            "flat",
            "one run each",
            "MB",
        )
    )
    return figures


def bench_listing(db: Path, small_db: Path, runs: int) -> list[Figure]:
    """list and timeline as programs read them (piped, --json/--csv) beside `export entries` writing the
    same rows in the same format to the same place (stdout, discarded): like with like. list reads in
    date order, export in id order; timeline is one indicator's rows, so its baseline exports just those."""
    env = env_for(db)
    figures = []
    for name, ours, theirs in (
        ("list --json", ["list", "--json"], ["export", "entries", "-f", "json"]),
        ("list --csv", ["list", "--csv"], ["export", "entries"]),
        (
            "timeline regional --json",
            ["timeline", "regional", "--json"],
            ["export", "entries", "-f", "json", "-i", "regional"],
        ),
    ):
        mine, base = measure([Job(process([*PT, *ours], env)), Job(process([*PT, *theirs], env))], runs)
        figures.append(Figure.of(name, mine, f"policytrack {' '.join(theirs)}, same rows", base, "about 1x"))
    figures += _piped_tables(db, runs)
    for name, args in (
        ("list --json", ["list", "--json"]),
        ("timeline regional --json", ["timeline", "regional", "--json"]),
    ):
        small = peak_memory_mb([*PT, *args], env_for(small_db))
        big = peak_memory_mb([*PT, *args], env)
        export = peak_memory_mb([*PT, "export", "entries", "-f", "json"], env)
        figures.append(
            Figure(
                f"{name} peak memory, all rows",
                big,
                "the same at a tenth of the rows",
                small,
                "flat",
                "one run each",
                "MB",
            )
        )
        figures.append(
            Figure(
                f"{name} peak memory, all rows",
                big,
                "export entries -f json, all rows",
                export,
                "about 1x",
                "one run each",
                "MB",
            )
        )
    return figures


def _piped_tables(db: Path, runs: int) -> list[Figure]:
    """A table for people read by a program (`list` and `timeline` piped: every row, as plain text) beside
    `sqlite3 -box` drawing the same rows and columns (id, short reference, date, indicator, effect, grade,
    status, tags, summary, source) to the same place: issue 26's piped table, <= 3x."""
    sqlite_cli = shutil.which("sqlite3")
    if not sqlite_cli:
        return []
    env = env_for(db)
    columns = (
        "SELECT e.id, '@' || substr(replace(e.uuid, '-', ''), 1, 8) AS ref, e.date, i.key AS indicator, "
        "e.effect, coalesce(e.grade, '') AS grade, coalesce(e.status, '') AS status, e.tags, e.summary, "
        "coalesce(s.key || ' (' || s.name || ')', e.source) AS source "
        "FROM entries e JOIN indicators i ON i.id = e.indicator_id "
        "LEFT JOIN sources s ON s.id = e.source_id WHERE e.deleted_at IS NULL"
    )
    figures = []
    for args, where in ((["list"], ""), (["timeline", "regional"], " AND i.key = 'regional'")):
        query = f"{columns}{where} ORDER BY e.date_start, e.recorded_at"
        box = Job(process([sqlite_cli, "-box", db, query]))
        mine, base = measure([Job(process([*PT, *args], env)), box], runs)
        figures.append(
            Figure.of(
                f"{' '.join(args)}, piped (a plain-text table of every row)",
                mine,
                "sqlite3 -box of the same rows and columns",
                base,
                "<= 3x",
            )
        )
    return figures


def on_terminal(cmd: Sequence[object], env: dict[str, str]) -> Callable[[], None]:
    """Run cmd as a whole process on a pseudo-terminal of 120 x 40 (what a person's terminal shows: a
    table for people, its newest page), its output read and discarded as a terminal would."""
    import pty

    args = [str(a) for a in cmd]

    def run() -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: its stdin, stdout and stderr are the terminal
            os.execvpe(args[0], args, {**env, "COLUMNS": "120", "LINES": "40"})
        shown = []
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closes when the child exits
                break
            if not chunk:
                break
            shown.append(chunk)
        os.close(fd)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            text = b"".join(shown).decode(errors="replace")[-500:]
            raise SystemExit(f"benchmark command failed: {args[:6]} ...\n{text}")

    return run


def bench_tables(db: Path, runs: int) -> list[Figure]:
    """The tables for people of issue 26 on a terminal (each draws its newest page from the page's rows;
    target 0.3 s at 1,000,000 entries), beside `sqlite3 -box` counting the same indicator's entries and
    drawing its newest page of 30, and beside policytrack's start-up (`db path`) on the same terminal.
    The synthetic database holds no forecasts nor inbox candidates: their tables are drawn empty here
    (the inbox's pages at size: `--only inbox`)."""
    env = env_for(db)
    with closing(sqlite3.connect(db)) as conn:
        (source,) = conn.execute(
            "SELECT s.key FROM entries e JOIN sources s ON s.id = e.source_id GROUP BY s.id "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    page = (
        "SELECT count(*) FROM entries WHERE indicator_id = 1 AND deleted_at IS NULL; "
        "SELECT * FROM (SELECT id, date, substr(summary, 1, 60) AS summary, effect, grade FROM entries "
        "WHERE indicator_id = 1 AND deleted_at IS NULL ORDER BY date_start DESC, recorded_at DESC "
        "LIMIT 30) ORDER BY id;"
    )
    box = Job(on_terminal(["sqlite3", "-box", str(db), page], env))
    startup = Job(on_terminal([*PT, "db", "path"], env))
    figures = []
    for args in (
        ["list"],
        ["timeline", "regional"],
        ["forecasts"],
        ["signposts"],
        ["source", "show", source],
        ["inbox"],
    ):
        mine, base, start = measure([Job(on_terminal([*PT, *args], env)), box, startup], runs)
        name = f"{' '.join(args[:2])} on a terminal (120 x 40)"
        figures.append(
            Figure.of(name, mine, "sqlite3 -box: a count and the newest 30 rows", base, "0.3 s at 1M")
        )
        figures.append(
            Figure.of(name, mine, "policytrack db path on the same terminal (start-up)", start, "(reported)")
        )
    return figures


def bench_import(db: Path, runs: int) -> list[Figure]:
    csv_path = WORK / "export.csv"  # written by bench_export
    target, bare_target = WORK / "import.db", WORK / "import-bare.db"
    # The entries cite registered sources by key: the registry travels first, outside the timing.
    registry = WORK / "sources.jsonl"
    subprocess.run([*PT, "source", "export", "-f", "jsonl", "-o", registry], env=env_for(db), check=True)

    def registered() -> None:
        _fresh(target)
        subprocess.run(
            [*PT, "source", "import", registry], env=env_for(target), check=True, stdout=subprocess.DEVNULL
        )

    ours, bare = measure(
        [
            Job(process([*PT, "import", csv_path], env_for(target)), registered),
            Job(
                process([sys.executable, "-c", BARE_IMPORT, csv_path, bare_target]),
                lambda: _fresh(bare_target),
            ),
        ],
        runs,
    )
    # Where import's time goes, in-process on rows already read and checked: a plain table, and
    # policytrack's own tables written naively (triggers per row) and as import writes them (the floor).
    empty = WORK / "empty.db"
    subprocess.run([*PT, "indicators"], env=env_for(empty), stdout=subprocess.DEVNULL, check=True)
    ready = _checked_rows(db)
    plain, naive, floor = measure(
        [
            _in_process_write(None, WORK / "plain.db", ready, _plain_write),
            _in_process_write(empty, WORK / "naive.db", ready, _naive_schema_write),
            _in_process_write(empty, WORK / "floor.db", ready, _floor_write),
        ],
        runs,
    )
    del ready
    import_name = "import (csv, one transaction)"
    in_process = "in-process, rows already checked"
    floor_name = (
        f"SQL writes alone, policytrack schema (entries, revisions, search index, indexes; {in_process})"
    )
    return [
        Figure.of(
            import_name, ours, "bare script: csv module, executemany into a plain table", bare, "(reported)"
        ),
        Figure.of(
            import_name,
            ours,
            f"bare executemany, policytrack schema (its triggers, one transaction; {in_process})",
            naive,
            "within 3x (decided: naive writes into its own schema)",
        ),
        Figure.of(import_name, ours, floor_name, floor, "(reported)"),
        Figure.of(
            floor_name, floor, f"bare executemany, plain table ({in_process})", plain, "(reported: the floor)"
        ),
    ]


def bench_import_memory(rows: int, db: Path) -> list[Figure]:
    """Import's peak memory at 100,000 and 1,000,000 entries (each size up to the run's rows), of the JSONL
    and the JSON export of a database of that size, into a database holding only its source registry;
    each against the same at a tenth of the size. At the largest size the JSON export is checked to import
    again whole (the count of entries imported against the count exported)."""
    figures = []
    peaks: dict[tuple[str, int], float] = {}
    sizes = sized(rows, db)
    for n, path in sizes:
        registry = WORK / "sources.jsonl"
        subprocess.run(
            [*PT, "source", "export", "-f", "jsonl", "-o", registry], env=env_for(path), check=True
        )
        for fmt in ("jsonl", "json"):
            exported = WORK / f"import-memory.{fmt}"
            process([*PT, "export", "entries", "-f", fmt, "-o", exported], env_for(path))()
            target = WORK / "import-memory.db"
            _fresh(target)
            subprocess.run(
                [*PT, "source", "import", registry],
                env=env_for(target),
                check=True,
                stdout=subprocess.DEVNULL,
            )
            peaks[fmt, n] = peak_memory_mb([*PT, "import", str(exported)], env_for(target))
            if (fmt, n // 10) in peaks:
                figures.append(
                    Figure(
                        f"import ({fmt}) peak memory ({n:,} entries)",
                        peaks[fmt, n],
                        f"the same at {n // 10:,}",
                        peaks[fmt, n // 10],
                        # issue 26's target is 1M against 100k; from 10k to 100k SQLite's fixed 32 MB page
                        # cache fills (a 10k database is 10 MB), so that step is reported, not held to it
                        "<= 1.3x" if n >= 1_000_000 else "(reported: the target is 1M vs 100k)",
                        "one run each",
                        "MB",
                    )
                )
            if fmt == "json" and n == sizes[-1][0]:
                with closing(sqlite3.connect(target)) as conn:
                    (imported,) = conn.execute("SELECT count(*) FROM entries").fetchone()
                with closing(sqlite3.connect(path)) as conn:  # the export leaves out deleted entries
                    (held,) = conn.execute("SELECT count(*) FROM entries WHERE deleted_at IS NULL").fetchone()
                figures.append(
                    Figure(
                        f"entries imported again from the JSON export of {n:,}",
                        imported,
                        "current (not deleted) entries in the exported database",
                        held,
                        "1.00x",
                        "one run",
                        "entries",
                    )
                )
            exported.unlink()
    return figures


SYNC_SIZES = (10_000, 100_000)


def _sync_pair(n: int) -> tuple[Path, Path, Path, Callable[[], None], dict[str, str]]:
    """Two databases of n synthetic entries each syncing through a local bare repository: ama has sent
    hers, ben has sent nothing. Returns the folder, ben's database, ama's export, and the reset that puts
    ben, his clone and the repository back as they were."""
    base = WORK / f"sync-{n}"
    base.mkdir()
    remote, ama, ben = base / "shared.git", base / "ama.db", base / "ben.db"
    # each database is its analyst's own: sync sends only the changes its analyst made
    synth.build(ama, n, seed=1, analyst="ama")
    synth.build(ben, n, seed=2, analyst="ben")
    env = {**env_for(ben), "HOME": str(base), "GIT_CONFIG_NOSYSTEM": "1", "POLICYTRACK_ANALYST": "ben"}
    for db in (ama, ben):
        subprocess.run(
            [*PT, "--db", db, "sync", "init", remote], env=env, stdout=subprocess.DEVNULL, check=True
        )
    subprocess.run(
        [*PT, "--db", ama, "sync"],
        env={**env, "POLICYTRACK_ANALYST": "ama"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [*PT, "--db", ama, "export", "entries", "--format", "jsonl", "-o", base / "ama.jsonl"],
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    saved = base / "saved"
    saved.mkdir()
    for path in (remote, ben, Path(f"{ben}.sync")):
        (shutil.copytree if path.is_dir() else shutil.copyfile)(path, saved / path.name)

    def reset() -> None:
        for path in (remote, Path(f"{ben}.sync")):
            shutil.rmtree(path, ignore_errors=True)
            shutil.copytree(saved / path.name, path)
        _fresh(ben)
        shutil.copyfile(saved / ben.name, ben)

    return base, ben, base / "ama.jsonl", reset, env


def bench_sync(runs: int) -> list[Figure]:
    """At 10,000 and 100,000 revisions: one `policytrack sync` that sends n new revisions and receives n
    that a teammate sent, through a local bare repository, beside the same exchange by files (export this
    database's n as JSONL and import the teammate's n: two processes); the sync's peak memory at 100,000
    against 10,000; and a sync with nothing new over the history of 2 x 100,000 revisions."""
    figures: list[Figure] = []
    peaks: dict[int, float] = {}
    noop: dict[int, Timing] = {}
    for n in SYNC_SIZES:
        base, ben, ama_file, reset, env = _sync_pair(n)
        sync_cmd = [*PT, "--db", str(ben), "sync"]
        export = process(
            [*PT, "--db", ben, "export", "entries", "--format", "jsonl", "-o", base / "ben.jsonl"], env
        )
        import_ = process([*PT, "--db", ben, "import", ama_file], env)

        def by_files(
            export: Callable[[], None] = export, import_: Callable[[], None] = import_, out: Path = base
        ) -> None:
            (out / "ben.jsonl").unlink(missing_ok=True)
            export()
            import_()

        heavy = runs if n <= 10_000 else 1
        ours, files = measure([Job(process(sync_cmd, env), reset), Job(by_files, reset)], heavy)
        figures.append(
            Figure.of(
                f"sync: send {n:,} new revisions and receive {n:,} (local bare repository)",
                ours,
                f"export {n:,} as JSONL and import {n:,} (two processes)",
                files,
                "<= 2x",
            )
        )
        reset()
        peaks[n] = peak_memory_mb(sync_cmd, env)
        (noop[n],) = measure([Job(process(sync_cmd, env))], runs)  # the first run (warm-up) had it all
        shutil.rmtree(base, ignore_errors=True)
    small, large = SYNC_SIZES
    figures.append(
        Figure(
            f"sync peak memory at {large:,} revisions each way (MB)",
            peaks[large],
            f"the same at {small:,} (MB)",
            peaks[small],
            "<= 1.3x",
            "peak resident memory of one run (ru_maxrss)",
            unit="MB",
        )
    )
    figures.append(
        Figure.of(
            f"sync with nothing new, {2 * large:,} revisions of history",
            noop[large],
            f"the same with {2 * small:,}",
            noop[small],
            "<= 0.3 s",
        )
    )
    from signed_bench import bench_signed_sync

    figures += bench_signed_sync(runs, WORK, sys.modules[__name__])
    return figures


Rows = list[tuple[object, ...]]


def _checked_rows(db: Path) -> Rows:
    """The benchmark's current entries in their stored form: what import has once it has checked a row."""
    source = sqlite3.connect(db)
    try:
        return source.execute(
            f"SELECT id, uuid, {_COLUMNS}, revision, recorded_at FROM entries WHERE deleted_at IS NULL"
        ).fetchall()
    finally:
        source.close()


def _in_process_write(
    template: Path | None, target: Path, ready: Rows, write: Callable[[sqlite3.Connection, Rows], None]
) -> Job:
    """Time `write` in one transaction, commit included, into a fresh copy of `template` (or a new WAL
    database) made before every run."""
    conns: list[sqlite3.Connection] = []

    def close() -> None:
        while conns:
            conns.pop().close()

    def reset() -> None:
        close()
        _fresh(target)
        if template is not None:
            shutil.copyfile(template, target)
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA cache_size = -262144")  # as import sets it
        conns.append(conn)

    def work() -> None:
        conn = conns[-1]
        conn.execute("BEGIN")
        write(conn, ready)
        conn.execute("COMMIT")

    return Job(work, reset, close)


_ENTRY_INSERT = (
    f"INSERT INTO entries (id, uuid, {_COLUMNS}, revision, recorded_at) "
    f"VALUES ({', '.join('?' for _ in range(len(ENTRY_COLUMNS) + 4))})"
)


def _plain_write(conn: sqlite3.Connection, ready: Rows) -> None:
    """The same rows into a plain table: no keys, indexes or triggers."""
    width = len(ready[0])
    conn.execute(f"CREATE TABLE entries ({', '.join(f'c{i}' for i in range(width))})")
    conn.executemany(f"INSERT INTO entries VALUES ({', '.join('?' for _ in range(width))})", ready)


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


# -- the table ----------------------------------------------------------------------------------------


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
        "| figure | value | baseline (same run) | baseline value | ratio | target | again |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.name} [{f.how}] | {f.value:.3f} {f.unit} | {f.baseline_name} | {f.baseline:.3f} {f.unit} "
            f"| {f.ratio:.2f}x | {f.target} | `--only {f.only}` |"
        )
    return "\n".join(lines)


RUN_START, RUN_END = "<!-- run.py --write-results: start -->", "<!-- run.py --write-results: end -->"


def write_results(text: str, argv: Sequence[str]) -> None:
    """The run's table into benchmarks/RESULTS.md, between its two markers (made under the title the first
    time), with the command that made it; the sections written by hand around it stay."""
    path = HERE / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    block = (
        f"{RUN_START}\n## The current code: `python benchmarks/run.py {' '.join(argv)}`\n\n"
        "Written by the run itself. Each row's last column is the `--only` name that runs that figure "
        "again (with the same `--quick`, `--rows` or `--db`).\n\n"
        f"{text}\n{RUN_END}"
    )
    if RUN_START in old and RUN_END in old:
        head, rest = old.split(RUN_START, 1)
        new = head + block + rest.split(RUN_END, 1)[1]
    else:
        title, _, rest = old.partition("\n")
        new = f"{title}\n\n{block}\n{rest}"
    path.write_text(new, encoding="utf-8")


BENCHES = (
    "sync",
    "log",
    "reports",
    "brief",
    "explain",
    "publish",
    "search",
    "export",
    "listing",
    "tables",
    "import",
    "inbox",
    "site",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--rows", type=int, help="number of synthetic entries (default 1,000,000)")
    parser.add_argument(
        "--write-results", action="store_true", help="write the table to benchmarks/RESULTS.md"
    )
    parser.add_argument(
        "--only", choices=BENCHES, action="append", help="run only these benchmarks (repeatable)"
    )
    parser.add_argument(
        "--sync-only", action="store_true", help="only the sync figure (no synthetic million)"
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="a database synth.py built (e.g. 1,000,000 entries, built once): copied and used instead of "
        "building one; --rows then only names its size",
    )
    parser.add_argument(
        "--keep", action="store_true", help=f"keep the scratch data in {WORK} (the next run replaces it)"
    )
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    # Runs per figure: many where a run takes a fraction of a second; at a million rows import's family
    # takes minutes a run, so one run after the warm-up keeps the full run near ten minutes.
    heavy = 3 if rows <= 200_000 else 1
    shutil.rmtree(WORK, ignore_errors=True)  # what an interrupted or --keep run left
    WORK.mkdir()
    started = time.perf_counter()
    figures: list[Figure] = []

    def add(only: str, found: list[Figure]) -> None:
        figures.extend(replace(f, only=only) for f in found)

    try:
        if args.sync_only or not args.only or "sync" in args.only:
            add("sync", bench_sync(3))
        if not args.sync_only and (not args.only or "inbox" in args.only):  # 1M candidates in the full run
            from inbox_bench import bench_inbox

            add("inbox", bench_inbox(rows, WORK / "inbox", sys.modules[__name__], heavy))
        if not args.sync_only and set(args.only or BENCHES) - {"inbox", "sync"}:
            if args.db is not None:  # copied: some benchmarks write into their database
                print(f"copying {args.db} ...", file=sys.stderr)
                db = WORK / "bench.db"
                shutil.copyfile(args.db, db)
            else:
                print(f"building {rows:,} synthetic entries ...", file=sys.stderr)
                db = synth.build(WORK / "bench.db", rows)
            only = set(args.only or BENCHES)
            # a tenth of the rows, for the figures that compare with it
            small = WORK / "bench-small.db"
            if only & {"export", "import", "listing"}:
                synth.build(small, max(rows // 10, 1))
            add("log", bench_log(10) if "log" in only else [])
            add("reports", bench_reports(db, 5) if "reports" in only else [])
            add("brief", bench_brief(rows, db, 3) if "brief" in only else [])
            add("explain", bench_explain(rows, db, 3) if "explain" in only else [])
            add("publish", bench_publish(rows, db, 3) if "publish" in only else [])
            add("search", bench_search(db, 5) if "search" in only else [])
            if "export" in only or "import" in only:  # import reads the file export writes
                add("export", bench_export(db, small, 3))
            add("listing", bench_listing(db, small, 3) if "listing" in only else [])
            add("tables", bench_tables(db, 5) if "tables" in only else [])
            add("import", bench_import(db, heavy) if "import" in only else [])
            add("import", bench_import_memory(rows, db) if "import" in only else [])
            if "site" in only:
                from site_bench import bench_site

                add("site", bench_site(db, rows, WORK / "site", sys.modules[__name__]))
    finally:
        if args.keep:
            print(f"scratch data kept in {WORK}", file=sys.stderr)
        else:
            shutil.rmtree(WORK, ignore_errors=True)
    text = table(figures, rows)
    print(text)
    print(f"\n(benchmarks took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.write_results:
        write_results(text, sys.argv[1:])


if __name__ == "__main__":
    main()
