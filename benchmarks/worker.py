"""The grading worker (graders/worker.py): its start-up, memory and per-plan cost, against grading inline.

`archbench run` grades in one worker process per run (`grading_worker()`): the scorers send it
each plan and await the grade, so no model connection waits on a grader. What that costs,
measured on grading.py's 20 KB plan (each of `--plans` plans with its own last line):

- start-up: wall time from starting a worker to its first answer: to a request that fails at
  once (a scenario file that does not exist: interpreter start and the graders' imports), and
  to the first grade of the plan (also the scenario and the repo's facts), against the first
  grade inline in this process (whose graders are imported, as the run's are by its scorers);
- memory: the worker's RSS once started and after grading every plan, against what grading
  the same plans inline adds to this process's RSS;
- per plan: inline CPU; through the worker one plan at a time, the wall time until the grade is
  back, this process's CPU (pickling, the pipe, its two threads) and the worker's CPU (read from
  the OS for its pid); and all plans sent at once, plans per second against inline.
"""

from __future__ import annotations

import argparse
import asyncio
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil  # noqa: E402  (an inspect_ai dependency)

from archbench.core.scenarios import load_scenarios  # noqa: E402
from archbench.graders.grade import grade_plan  # noqa: E402
from archbench.graders.worker import GradingWorker, GradingWorkerError  # noqa: E402
from benchmarks.grading import EMPTY_DIFF, sized_plan  # noqa: E402
from benchmarks.run_all import Row, add_json_flag, emit, load_average, process_cpu_seconds  # noqa: E402


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def measure(scenario_id: str, kilobytes: int, plans: int) -> list[Row]:
    load = load_average()
    scenarios = load_scenarios()
    scenario = next(s for s in scenarios if s.id == scenario_id)
    base = sized_plan(scenario, scenarios, kilobytes)
    texts = [f"{base}\n\nPlan revision {index}.\n" for index in range(plans + 2)]
    this = psutil.Process()

    # inline, in this process: first plan (fills the repo's caches), then every plan
    started = time.perf_counter()
    grade_plan(texts[0], scenario, EMPTY_DIFF)
    inline_first = time.perf_counter() - started
    rss_before = this.memory_info().rss / 2**20
    inline_cpu = []
    started_wall = time.perf_counter()
    for text in texts[2:]:
        started = time.process_time()
        grade_plan(text, scenario, EMPTY_DIFF)
        inline_cpu.append(time.process_time() - started)
    inline_all = time.perf_counter() - started_wall
    inline_rss = this.memory_info().rss / 2**20 - rss_before
    reply_bytes = len(pickle.dumps(grade_plan(texts[1], scenario, EMPTY_DIFF), protocol=pickle.HIGHEST_PROTOCOL))

    # start-up: to a failing request (imports only), then a fresh worker to its first grade
    worker = GradingWorker()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            try:
                worker.submit(Path(scratch) / "missing.yaml", "# Plan", None).result(timeout=120)
            except GradingWorkerError:
                pass
            to_imports = time.perf_counter() - started
        idle_rss = rss_mb(worker.pid)
    finally:
        worker.close()
    worker = GradingWorker()
    try:
        started = time.perf_counter()
        worker.submit(scenario.source_file, texts[0], EMPTY_DIFF).result(timeout=120)
        to_first_grade = time.perf_counter() - started
        pid = worker.pid

        # one plan at a time: latency, this process's CPU, the worker's CPU
        latency, main_cpu, worker_cpu = [], [], []
        for text in texts[2:]:
            worker_started, started_cpu, started = process_cpu_seconds(pid), time.process_time(), time.perf_counter()
            worker.submit(scenario.source_file, text, EMPTY_DIFF).result(timeout=120)
            latency.append(time.perf_counter() - started)
            main_cpu.append(time.process_time() - started_cpu)
            worker_cpu.append(process_cpu_seconds(pid) - worker_started)

        # all at once, awaited on an event loop as the scorers await them
        async def all_at_once() -> None:
            await asyncio.gather(*(worker.grade(scenario.source_file, text, EMPTY_DIFF) for text in texts[2:]))

        started = time.perf_counter()
        asyncio.run(all_at_once())
        worker_all = time.perf_counter() - started
        worker_rss = rss_mb(pid)
        if worker.pid != pid:
            raise RuntimeError("the grading worker was restarted during the benchmark")
    finally:
        worker.close()

    ms = lambda seconds: seconds * 1000  # noqa: E731
    inline_ms = ms(statistics.median(inline_cpu))
    print(f"{plans} plans of {len(texts[2].encode())} bytes ({scenario.id}); a grade pickles to {reply_bytes:,} bytes; "
          f"load average {load:.1f} -> {load_average():.1f}", flush=True)
    worker_cpu_text = (f"{ms(sum(worker_cpu) / len(worker_cpu)):.2f} ms mean (the OS counts CPU in 10 ms ticks)"
                       if sum(worker_cpu) else "under the OS's 10 ms tick")
    return [
        Row("3 grading worker", "start-up: start to the first answer (interpreter start + the graders' imports)",
            f"{ms(to_imports):.0f} ms wall", "0 (inline: imported with the scorers)"),
        Row("3 grading worker", "start-up: start to the first grade of the plan (imports, scenario, repo facts)",
            f"{ms(to_first_grade):.0f} ms wall", f"{ms(inline_first):.0f} ms: first grade inline"),
        Row("3 grading worker", f"memory: the worker's RSS once started / after {plans} plans",
            f"{idle_rss:.0f} / {worker_rss:.0f} MB", f"{inline_rss:+.0f} MB: what grading them inline added to this process"),
        Row("3 grading worker", "per plan, one at a time: wall time until the grade is back",
            f"{ms(statistics.median(latency)):.2f} ms median", f"{inline_ms:.2f} ms: inline CPU, median",
            statistics.median(latency) * 1000 / inline_ms),
        Row("3 grading worker", "per plan, one at a time: this process's CPU (pickling, pipe, threads)",
            f"{ms(statistics.median(main_cpu)):.2f} ms median", f"{inline_ms:.2f} ms: inline CPU, median",
            statistics.median(main_cpu) * 1000 / inline_ms),
        Row("3 grading worker", "per plan, one at a time: the worker's CPU", worker_cpu_text,
            f"{inline_ms:.2f} ms: inline CPU, median"),
        Row("3 grading worker", f"{plans} plans sent at once: plans per second",
            f"{plans / worker_all:.0f} /s", f"{plans / inline_all:.0f} /s: inline, one after another",
            inline_all / worker_all),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="notifications", help="scenario whose rubric and repo grade the plan")
    parser.add_argument("--kilobytes", type=int, default=20)
    parser.add_argument("--plans", type=int, default=200)
    add_json_flag(parser)
    args = parser.parse_args(argv)
    emit(measure(args.scenario, args.kilobytes, args.plans), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
