"""Start-up of policytrack installed as the README installs it (not editable) against Watson, in paired
alternating runs (issue 26 point 1).

    python benchmarks/startup.py [--pairs N] [--venvs DIR]

It makes (once) two virtual environments under DIR (default /tmp/policytrack-startup): `pt` with this
checkout installed by `pip install .`, and `watson` with td-watson 2.1.0, so neither shares the other's
packages or the developer's editable install. Every figure times two whole processes in turns (A B, then
B A, ...), each in a fresh copy of its data, and reports the median of each and their ratio, with the load
average: these machines are shared, so the ratio (both measured under the same load) is the figure. Each
process's CPU time (user + system, from wait4) is reported beside its elapsed time, with its own ratio: on a
loaded machine the elapsed time waits for the cores, the CPU time much less.

  log            policytrack log regional "..." --date 2024-07-06, into a database of a few entries
  watson add     watson add -f 10:00 -t 11:00 p, into empty frames
  log, no typer  the same log path (argv parsed, the store opened, the entry validated and written, the
                 confirmation printed) without typer or click: benchmarks/log_without_typer.py
  --version, --help, report   report on a database that exists and holds no entries
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def venvs(where: Path) -> tuple[Path, Path]:
    """policytrack's and Watson's executables, each in a virtual environment of its own."""
    pt, watson = where / "pt", where / "watson"
    for env, package in ((pt, str(ROOT)), (watson, "td-watson==2.1.0")):
        if not (env / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        # policytrack is reinstalled every time, so that the figures are of this checkout
        if env is pt or not (env / "bin" / "watson").exists():
            subprocess.run(
                [str(env / "bin" / "pip"), "install", "-q", "--force-reinstall", "--no-deps", package]
                if env is pt and (env / "bin" / "policytrack").exists()
                else [str(env / "bin" / "pip"), "install", "-q", package],
                check=True,
            )
    return pt / "bin" / "policytrack", watson / "bin" / "watson"


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Elapsed time and CPU time (user + system, from wait4) of one whole process: under load the CPU time
    moves far less than the elapsed, so both are reported."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {err.decode()[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def paired(a: tuple[list[str], dict[str, str]], b: tuple[list[str], dict[str, str]], pairs: int,
           reset: object = None) -> tuple[float, float, float, float]:  # fmt: skip
    """Medians of A and B (elapsed, then CPU) over `pairs` pairs run in alternating order, after one
    warm-up of each."""
    times: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    jobs = (a, b)
    for n in range(pairs + 1):
        for which in (0, 1) if n % 2 == 0 else (1, 0):
            if callable(reset):
                reset()
            t = timed(*jobs[which])
            if n:  # the first pair warms the file cache
                times[which].append(t)

    def median(which: int, part: int) -> float:
        return statistics.median(t[part] for t in times[which])

    return median(0, 0), median(1, 0), median(0, 1), median(1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--venvs", type=Path, default=Path("/tmp/policytrack-startup"))
    args = parser.parse_args()
    pt, watson = venvs(args.venvs)
    work = args.venvs / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {
        **os.environ,
        "POLICYTRACK_CONFIG": str(work / "config.toml"),
        "POLICYTRACK_ANALYST": "bench",
        "WATSON_DIR": str(work / "watson"),
        "NO_COLOR": "1",
    }
    env.pop("POLICYTRACK_DB", None)
    log_db, empty_db = work / "log.db", work / "empty.db"
    for db in (log_db, empty_db):  # created (migrated, the framework loaded) before anything is timed
        subprocess.run([str(pt), "--db", str(db), "indicators"], env=env, check=True, capture_output=True)
    day = ["--date", "2024-07-06"]
    log = (
        [str(pt), "--db", str(log_db), "log", "regional", "benchmark entry", *day, "--allow-duplicate"],
        env,
    )
    script = str(HERE / "log_without_typer.py")
    prototype = (
        [str(pt.parent / "python"), script, "--db", str(log_db), "regional", "benchmark entry", *day],
        env,
    )
    add = ([str(watson), "add", "-f", "10:00", "-t", "11:00", "p"], env)

    def fresh_frames() -> None:
        shutil.rmtree(work / "watson", ignore_errors=True)

    rows = []
    load = os.getloadavg()[0]
    rows.append(
        (
            "log",
            *paired(log, add, args.pairs, fresh_frames),
            "watson add",
            "<= 0.9x (or <= 1.0x and the prototype)",
        )
    )
    rows.append(
        (
            "log without typer (prototype)",
            *paired(prototype, add, args.pairs, fresh_frames),
            "watson add",
            "(reported)",
        )
    )
    for name, argv, target in (
        ("--version", [str(pt), "--version"], "<= 1.0x"),
        ("--help", [str(pt), "--help"], "<= 1.5x"),
        ("report (a database with no entries)", [str(pt), "--db", str(empty_db), "report"], "<= 1.3x"),
    ):
        rows.append((name, *paired((argv, env), log, args.pairs), "log", target))
    print(f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; {args.pairs} pairs")
    print("| figure | median | baseline | median | ratio | CPU | baseline's CPU | CPU ratio | target |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, value, base, cpu, base_cpu, base_name, target in rows:
        ms, base_ms = f"{value * 1000:.0f} ms", f"{base * 1000:.0f} ms"
        cpus = f"{cpu * 1000:.0f} ms | {base_cpu * 1000:.0f} ms | {cpu / base_cpu:.2f}x"
        print(f"| {name} | {ms} | {base_name} | {base_ms} | {value / base:.2f}x | {cpus} | {target} |")


if __name__ == "__main__":
    main()
