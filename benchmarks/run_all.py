"""Run every benchmark, one after another, and print one table of measured figures.

    python benchmarks/run_all.py            # the sizes the issue names (~10 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # smaller sizes, for a smoke run

Each benchmark runs in its own Python process (so no cache, import or memory left by one
can flatter the next) and hands its rows back as JSON. Every script also runs alone:
`python benchmarks/grading.py --help`.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

BENCHMARKS_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCHMARKS_DIR.parent
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


# (script, arguments for the sizes, arguments for --quick)
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("harness_overhead.py", [], ["--epochs", "2", "--repeats", "1"]),
    ("concurrency.py", [], ["--samples", "50", "--connections", "25", "--latency", "0.2"]),
    ("grading.py", [], ["--plans", "30"]),
    ("report_build.py", [], ["--quick"]),
    ("rescore.py", [], ["--samples", "1000"]),
    ("cache.py", [], ["--epochs", "1"]),
    ("tokens.py", [], []),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (not for the README table)")
    parser.add_argument("--only", action="append", default=[], help="run only this script (repeatable), e.g. grading.py")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    failures: list[str] = []
    started = time.perf_counter()
    for script, full_args, quick_args in BENCHMARKS:
        if args.only and script not in args.only:
            continue
        path = BENCHMARKS_DIR / script
        if not path.is_file():
            failures.append(f"{script}: not found")
            continue
        with tempfile.NamedTemporaryFile(suffix=".json") as handle:
            command = [PYTHON, str(path), *(quick_args if args.quick else full_args), "--json", handle.name]
            print(f"\n=== {' '.join(command[1:-2])}", flush=True)
            began = time.perf_counter()
            completed = subprocess.run(command, cwd=REPO_ROOT)
            print(f"=== {script} took {time.perf_counter() - began:.0f} s", flush=True)
            text = Path(handle.name).read_text()
        if completed.returncode != 0 or not text:
            failures.append(f"{script}: exit code {completed.returncode}")
            continue
        rows += [Row(**row) for row in json.loads(text)]

    print(f"\n## archbench benchmarks, {date.today().isoformat()}{' (--quick sizes)' if args.quick else ''}")
    print(f"Machine: {machine()}; total {time.perf_counter() - started:.0f} s\n")
    print_table(rows)
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
