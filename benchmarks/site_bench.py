"""The site's figure (issue 25 point 2, held by issue 26): `publish DIR --site` against `publish DIR`, the
bundle alone, on the same database of N synthetic entries, as a ratio: what the website adds to a release.
Both write a new folder (removed before each run), as-of the same date.

Run through benchmarks/run.py:
    python benchmarks/run.py --only site --rows 10000
    python benchmarks/run.py --only site --quick        # 100,000 entries
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

AS_OF = "2026-10-31"  # after every synthetic entry (synth.py dates them before November 2026)


def bench_site(db: Path, rows: int, work: Path, run: Any) -> list[Any]:
    """`run` is benchmarks/run.py (its measure, process, Job, Figure, env_for)."""
    work.mkdir(parents=True, exist_ok=True)
    env = run.env_for(db)
    site, bundle = work / "with-site", work / "bundle"

    def clear(folder: Path) -> Any:
        return lambda: shutil.rmtree(folder, ignore_errors=True)

    ours, base = run.measure(
        [
            run.Job(run.process([*run.PT, "publish", site, "--site", "--as-of", AS_OF], env), clear(site)),
            run.Job(run.process([*run.PT, "publish", bundle, "--as-of", AS_OF], env), clear(bundle)),
        ],
        1 if rows > 50_000 else 3,
    )
    pages = sum(1 for _ in (site / "site").rglob("*.html")) if (site / "site").is_dir() else 0
    # peak memory: what the site adds to the bundle's (its pages, feed and search index are streamed)
    peaks = []
    for folder, extra in ((site, ["--site"]), (bundle, [])):
        shutil.rmtree(folder, ignore_errors=True)
        peaks.append(run.peak_memory_mb([*run.PT, "publish", str(folder), *extra, "--as-of", AS_OF], env))
    memory = [run.Timing(peak, "peak resident memory of one run (ru_maxrss), MB") for peak in peaks]
    return [
        run.Figure(
            f"publish --site peak memory ({rows:,} entries)",
            memory[0].value,
            "publish, the bundle alone",
            memory[1].value,
            "about 1x: the site streamed",
            memory[0].how,
            "MB",
        ),
        run.Figure.of(
            f"publish --site ({rows:,} entries, {pages} pages)",
            ours,
            "publish, the bundle alone (same database and as-of)",
            base,
            "(reported; issue 26: publish <= 2x its exports by hand)",
        ),
    ]
