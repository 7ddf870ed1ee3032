"""The inbox's figures (issue 24's Speed), each beside a baseline measured in the same run, as a ratio:

- `inbox add` of N generated ACLED rows against a script that parses the same CSV with the csv module and
  writes each row, with its raw record as JSON, by executemany into the candidates table (same schema);
- its peak memory at N against its peak at N/10 (flat: the file is streamed in chunks);
- a second pull of the unchanged file against a process that only reads it with the csv module;
- `inbox` (its first page) and `agenda` with N candidates, against a process that starts and exits
  (`policytrack db path`): the targets are absolute (0.3 s and 0.5 s), so the value is what counts.

The rows are fictional ("Example event N"), in ACLED's column layout. Run through benchmarks/run.py, at
1,000,000 rows (and candidates) in the full run and with `--only inbox`, 100,000 with `--quick`:
    python benchmarks/run.py --only inbox [--quick]
"""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]

BASELINE = r"""
import csv, json, sqlite3, sys
from datetime import datetime, UTC
conn = sqlite3.connect(sys.argv[2], isolation_level=None)
at = datetime.now(UTC).isoformat()
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    conn.execute("BEGIN")
    batch = []
    for n, row in enumerate(reader):
        rec = dict(zip(header, row))
        batch.append((f"u{n}", "acled", rec["event_id_cnty"], "acled", rec["notes"], rec["event_date"],
                      rec["event_date"], json.dumps(rec, ensure_ascii=False), at))
        if len(batch) >= 5000:
            conn.executemany("INSERT INTO candidates (uuid, dataset, external_id, kind, summary, date, "
                             "date_start, raw, pulled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
            batch = []
    conn.executemany("INSERT INTO candidates (uuid, dataset, external_id, kind, summary, date, "
                     "date_start, raw, pulled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    conn.execute("COMMIT")
"""
READ_ONLY = r"""
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for row in csv.reader(f):
        pass
"""


def acled_file(path: Path, rows: int) -> Path:
    rng = random.Random(24)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows):
            day = f"20{18 + n % 7:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            row = dict.fromkeys(COLUMNS, "")
            row.update(
                event_id_cnty=f"EXA{n}",
                event_date=day,
                year=day[:4],
                time_precision=str(1 + n % 3),
                event_type="Example type",
                sub_event_type="Example sub-type",
                actor1=f"Example actor {n % 50}",
                country="Examplia",
                admin1=f"Example region {n % 9}",
                location=f"Example town {n % 400}",
                source="Example source",
                notes=f"Example event {n}: {rng.choice(('a meeting', 'a clash', 'an agreement'))}.",
                fatalities=str(n % 4),
                timestamp=str(1700000000 + n),
            )
            writer.writerow([row[c] for c in COLUMNS])
    return path


def bench_inbox(rows: int, work: Path, run: Any, runs: int = 3) -> list[Any]:
    """`run` is benchmarks/run.py (its measure, process, Job, Figure, env_for, peak_memory_mb); `runs`
    the timed runs of each pull (one at a million rows, where a pull takes minutes)."""
    work.mkdir(parents=True, exist_ok=True)
    data = acled_file(work / "acled.csv", rows)
    small = acled_file(work / "acled-small.csv", max(rows // 10, 1))
    template = work / "inbox-empty.db"
    run._fresh(template)
    subprocess.run([*run.PT, "indicators"], env=run.env_for(template), check=True, capture_output=True)
    ours_db, base_db = work / "inbox.db", work / "inbox-base.db"
    env = run.env_for(ours_db)
    rules = str(_no_rules(work))

    def add_of(path: Path) -> list[str]:
        return [*run.PT, "inbox", "add", str(path), "--kind", "acled", "--rules", rules]

    add = add_of(data)
    ours, base = run.measure(
        [
            run.Job(run.process(add, env), reset=run._copy_db(template, ours_db)),
            run.Job(
                run.process([sys.executable, "-c", BASELINE, str(data), str(base_db)]),
                reset=run._copy_db(template, base_db),
            ),
        ],
        runs,
    )
    figures = [
        run.Figure.of(f"inbox add ({rows:,} ACLED rows)", ours, "csv + json + executemany", base, "<= 3x")
    ]
    run._copy_db(template, ours_db)()
    big = run.peak_memory_mb(add, env)
    run._copy_db(template, ours_db)()
    little = run.peak_memory_mb(add_of(small), env)
    figures.append(
        run.Figure(
            f"inbox add peak memory ({rows:,} vs {max(rows // 10, 1):,} rows)",
            big,
            "peak at a tenth of the rows",
            little,
            "<= 1.3x",
            "one run each",
            "MB",
        )
    )
    run._copy_db(template, ours_db)()
    subprocess.run(add, env=env, check=True, capture_output=True)
    kept = work / "inbox-full.db"
    shutil.copyfile(ours_db, kept)
    again, read = run.measure(
        [
            run.Job(run.process(add, env), reset=run._copy_db(kept, ours_db)),
            run.Job(run.process([sys.executable, "-c", READ_ONLY, str(data)])),
        ],
        runs,
    )
    figures.append(run.Figure.of("second pull, unchanged file", again, "reading it (csv)", read, "<= 1.5x"))
    start = run.process([*run.PT, "db", "path"], env)
    for name, cmd, target in (
        ("inbox first page", [*run.PT, "inbox", "--limit", "50"], "<= 0.3 s"),
        ("agenda", [*run.PT, "agenda"], "<= 0.5 s"),
    ):
        ours_t, base_t = run.measure([run.Job(run.process(cmd, env)), run.Job(start)], 5)
        figures.append(
            run.Figure.of(f"{name} ({rows:,} candidates)", ours_t, "start-up (db path)", base_t, target)
        )
    return figures


def _no_rules(work: Path) -> Path:
    """An empty rules file: the figure is the reading and writing, not the shipped rules' regexes."""
    path = work / "no-rules.toml"
    path.write_text("rule = []\n", encoding="utf-8")
    return path
