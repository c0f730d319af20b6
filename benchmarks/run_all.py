"""Run every benchmark, one after another, and print one table of measured figures.

    python benchmarks/run_all.py            # the sizes the issues name (~35 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # smaller sizes, for a smoke run

Each benchmark runs in its own Python process (so no cache, import or memory left by one
can flatter the next) and hands its rows back as JSON; benchmark 4 is
benchmarks/report_build.py's, whose measurements run in processes of their own. Every script also runs alone:
`python benchmarks/grading.py --help`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

BENCHMARKS_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCHMARKS_DIR.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
PYTHON = sys.executable


@dataclass
class Row:
    """One measured figure, next to the floor it is judged against."""

    benchmark: str
    figure: str
    measured: str
    floor: str = ""
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None


def median_interval(values: list[float], resamples: int = 2000, seed: int = 19) -> tuple[float, float]:
    """A 95% percentile-bootstrap interval of the median of paired ratios (seeded: the same values print the
    same interval). On this shared host single ratios spread widely; the interval says whether a median
    near a target can be told from it."""
    draw = random.Random(seed)
    medians = sorted(statistics.median(draw.choices(values, k=len(values))) for _ in range(resamples))
    return medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


@contextlib.contextmanager
def as_archbench_runs(on: bool = True) -> Iterator[dict[str, Any]]:
    """Inside: the collector settings `archbench run` uses; yields the logging options it passes
    to inspect (`eval(..., **options)`). With `on=False`, inspect's and CPython's defaults."""
    from archbench.app.run import RunSpec
    from archbench.core.collector import run_collector

    if not on:
        yield {}
        return
    with run_collector():
        yield RunSpec().log_options()


GRADING_MODES = ("worker", "inline", "none")


@contextlib.contextmanager
def grading(mode: str) -> Iterator[Any]:
    """Where plans are graded inside the block; yields the grading worker or None.

    "worker": in a grading worker process, exactly as `archbench run` does (its `grading_worker()`
    context, graders/worker.py); "inline": in this process, on the event loop (what `archbench run`
    did before, and what grade, rescore and tests do); "none": the caller runs without scorers."""
    from archbench.graders.worker import active_worker, grading_worker

    if mode not in GRADING_MODES:
        raise ValueError(f"grading mode {mode!r}: one of {GRADING_MODES}")
    if active_worker() is not None:
        raise RuntimeError("a grading worker is already active")
    if mode != "worker":
        yield None
        return
    with grading_worker() as worker:
        yield worker


def process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds a process (a grading worker, say) has used so far; 0.0 without one."""
    if pid is None:
        return 0.0
    import psutil  # an inspect_ai dependency

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def load_average() -> float:
    """The 1-minute load average now (the machine is shared: every figure is printed with it)."""
    import os

    return os.getloadavg()[0]


def print_table(rows: list[Row], file=None) -> None:
    """A Markdown table (pastes straight into benchmarks/README.md)."""
    print("| benchmark | figure | measured | floor | ratio | target | ok |", file=file)
    print("|---|---|---|---|---|---|---|", file=file)
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        verdict = "" if row.passed is None else ("yes" if row.passed else "**NO**")
        print(
            f"| {row.benchmark} | {row.figure} | {row.measured} | {row.floor} | {ratio} | {row.target} | {verdict} |",
            file=file,
        )


def emit(rows: list[Row], json_path: str | None) -> None:
    """Print the rows; also write them as JSON when `run_all` asked for it."""
    print()
    print_table(rows)
    if json_path:
        Path(json_path).write_text(json.dumps([asdict(row) for row in rows]))


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE (used by run_all.py)")


def machine() -> str:
    import os

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


REPORT_TARGET_RATIO = 1.5
REPORT_TARGET_PEAK_MB = 2048


def report_build_rows(sizes: list[int]) -> list[Row]:
    """Benchmark 4, measured by benchmarks/report_build.py (the reports' own benchmark), as rows."""
    from benchmarks.report_build import generate, run_child

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        for size in sizes:
            directory = Path(scratch) / f"logs-{size}"
            generate(directory, size)
            logs = len(list(directory.glob("*.eval")))
            reference = run_child("samples_df", directory, Path(scratch) / f"report-{size}")
            report = run_child("build_report", directory, Path(scratch) / f"report-{size}")
            ratio = report["seconds"] / reference["seconds"]
            rows.append(Row("4 report", f"build_report, {size:,} samples in {logs} logs", f"{report['seconds']:.1f} s",
                            f"{reference['seconds']:.1f} s (samples_df, same logs)", ratio,
                            f"<= {REPORT_TARGET_RATIO}", ratio <= REPORT_TARGET_RATIO))
            rows.append(Row("4 report", f"peak memory of build_report, {size:,} samples", f"{report['peak_mb']:,.0f} MB",
                            f"{reference['peak_mb']:,.0f} MB (samples_df)", report["peak_mb"] / reference["peak_mb"],
                            f"<= {REPORT_TARGET_PEAK_MB:,} MB" if size >= 100_000 else "",
                            report["peak_mb"] <= REPORT_TARGET_PEAK_MB if size >= 100_000 else None))
    return rows


# (script, arguments for the sizes, arguments for --quick)
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("harness_overhead.py", [], ["--epochs", "2", "--repeats", "1"]),
    # issue 19's realistic latency: against ideal, with the grading worker, inline grading and no graders
    ("concurrency.py", ["--samples", "200", "--turns", "5", "--latency", "2.0", "--connections", "50", "--target-ideal", "0.95",
                        "--configurations", "harness,inline,no-graders,sdk", "--max-samples-factors", "1,1.5,2,3"],
     ["--samples", "50", "--connections", "25", "--latency", "0.8", "--repeats", "1",
      "--configurations", "harness,inline,no-graders,sdk", "--target-ideal", "0.95"]),
    # the existing 0.5 s figure: against the openai SDK alone
    ("concurrency.py", ["--target-sdk", "0.85"],
     ["--samples", "50", "--connections", "25", "--latency", "0.2", "--repeats", "1", "--target-sdk", "0.85"]),
    ("grading.py", [], ["--plans", "30"]),
    ("worker.py", [], ["--plans", "30"]),
    ("report_build.py", ["10000", "100000"], ["10000"]),  # sizes; run through report_build_rows
    ("rescore.py", [], ["--samples", "1000"]),
    ("cache.py", [], ["--epochs", "1"]),
    ("tokens.py", [], []),
]


def wait_for_idle(limit_seconds: float, threshold: float) -> float:
    """Wait (up to `limit_seconds`) until the 1-minute load average is under `threshold`; return it."""
    import os

    deadline = time.monotonic() + limit_seconds
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def run_script(path: Path, arguments: list[str]) -> list[Row]:
    with tempfile.NamedTemporaryFile(suffix=".json") as handle:
        completed = subprocess.run([PYTHON, str(path), *arguments, "--json", handle.name], cwd=REPO_ROOT)
        text = Path(handle.name).read_text()
    if completed.returncode != 0 or not text:
        raise RuntimeError(f"exit code {completed.returncode}")
    return [Row(**row) for row in json.loads(text)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (not for the README table)")
    parser.add_argument("--only", action="append", default=[], help="run only this script (repeatable), e.g. grading.py")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each benchmark, wait up to this long for the load average to drop below 1.5")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    failures: list[str] = []
    loads: list[str] = []
    started = time.perf_counter()
    for script, full_args, quick_args in BENCHMARKS:
        if args.only and script not in args.only:
            continue
        path = BENCHMARKS_DIR / script
        if not path.is_file():
            failures.append(f"{script}: not found")
            continue
        arguments = quick_args if args.quick else full_args
        load = wait_for_idle(args.wait_idle, 1.5)
        loads.append(f"{script.removesuffix('.py')} {load:.1f}")
        print(f"\n=== {script} {' '.join(arguments)} (load average {load:.1f})", flush=True)
        began = time.perf_counter()
        try:
            if script == "report_build.py":
                rows += report_build_rows([int(size) for size in arguments])
            else:
                rows += run_script(path, arguments)
        except Exception as error:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            failures.append(f"{script}: {error}")
        print(f"=== {script} took {time.perf_counter() - began:.0f} s", flush=True)

    print(f"\n## archbench benchmarks, {date.today().isoformat()}{' (--quick sizes)' if args.quick else ''}")
    print(f"Machine: {machine()}. Total {time.perf_counter() - started:.0f} s. "
          f"1-minute load average at each start: {', '.join(loads)}.\n")
    print_table(rows)
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
