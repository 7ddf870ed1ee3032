"""Start-up of `log` in English against a base commit, and French against English, in paired runs.

    python benchmarks/lang_startup.py BASE_REF [PAIRS]

Prints ratios and differences only (issue 23: English <= 1.02x the base, French <= 10 ms over English),
by wall-clock time and by the CPU time the process used (user + system, from getrusage: steadier than
the wall clock on a machine others share).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ref, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30
    tmp = Path(tempfile.mkdtemp())
    base = tmp / "base"
    base.mkdir()
    archive = subprocess.run(
        ["git", "archive", ref, "src", "data"], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
    trees = {"base": base / "src", "branch": ROOT / "src"}

    cpu: list[float] = []  # the CPU time of the last run, beside the wall time run() returns

    def run(tree: str, n: int, lang: str | None = None) -> float:
        # PYTHONDONTWRITEBYTECODE left out: an installed package has its bytecode, and a tree that has
        # some (this one, after a test run) against one compiled on every run is no comparison
        unset = ("LC_ALL", "LC_MESSAGES", "LANG", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if k not in unset}
        env |= {
            "PYTHONPATH": str(trees[tree]),
            "POLICYTRACK_DB": str(tmp / f"{tree}-{lang}.db"),
            "POLICYTRACK_CONFIG": str(tmp / "none.toml"),
            "POLICYTRACK_ANALYST": "bench",
        }
        date = "6 juillet 2024" if lang else "2024-07-06"
        args = [sys.executable, "-m", "policytrack", *(["--lang", lang] if lang else [])]
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [*args, "log", "regional", f"bench {n}", "--date", date], env=env, check=True, capture_output=True
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[:] = [after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime]
        return wall

    for tree in trees:  # create and migrate the databases first
        run(tree, -1)
    run("branch", -1, "fr")
    ratios, extra, cpu_ratios, cpu_extra = [], [], [], []
    for i in range(count):
        order = list(trees) if i % 2 == 0 else list(trees)[::-1]
        timed, used = {}, {}
        for tree in order:
            timed[tree] = run(tree, i)
            used[tree] = cpu[0]
        ratios.append(timed["branch"] / timed["base"])
        cpu_ratios.append(used["branch"] / used["base"])
        french = run("branch", i, "fr")
        french_cpu = cpu[0]
        english = run("branch", count + i)
        extra.append(french - english)
        cpu_extra.append(french_cpu - cpu[0])
    median = statistics.median
    wall, used_cpu = median(ratios), median(cpu_ratios)
    print(f"English log, this tree / {ref}: median ratio {wall:.3f} wall, {used_cpu:.3f} CPU")
    more_wall, more_cpu = median(extra) * 1000, median(cpu_extra) * 1000
    print(f"French log minus English log: median {more_wall:.1f} ms wall, {more_cpu:.1f} ms CPU")
    print(f"({count} pairs)")


if __name__ == "__main__":
    main()
