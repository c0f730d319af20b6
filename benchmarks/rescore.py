"""Rescore speed: re-grading `--samples` logged samples with `archbench.graders.rescore.rescore_logs`, no model calls.

The logs are real archbench logs, grown to size: one offline run of the `architect`
task over every scenario with the four baseline architects (reference, template,
code-dumper, frontend-meddler; real tool transcripts, diffs and scores), then each log's
samples repeated over more epochs until the logs hold `--samples` in all. Every copy's
plan gets its own last line, so each of the samples is really graded (the scorers' grade
cache keys on the plan text).

Figure: samples per second of `rescore_logs` (read, grade, write), against the floor of
the same work done directly: reading and writing the logs with inspect (timed on the
smallest log, scaled by size), plus `grade_plan` alone on each sample
(timed on `--grade-sample` samples taken evenly from the logs, scaled).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run_all import Row, add_json_flag, emit  # noqa: E402


def baseline_logs(log_dir: Path) -> list[Path]:
    """One offline run: every scenario × the four baseline architects (one log each)."""
    from inspect_ai import eval

    from archbench.app.run import OFFLINE_BASELINES
    from archbench.evals.architect import architect

    logs = eval(architect(cache=False), model=list(OFFLINE_BASELINES), log_dir=str(log_dir), display="none")
    for log in logs:
        if log.status != "success":
            raise RuntimeError(f"baseline run failed: {log.error.message if log.error else log.status}")
    return sorted(log_dir.glob("*.eval"))


def grown(source: Path, samples: int, target: Path) -> None:
    """Write `source` with its samples repeated over epochs to `samples` samples, each plan distinct."""
    import shortuuid
    from inspect_ai.log import read_eval_log, write_eval_log

    log = read_eval_log(str(source))
    originals = list(log.samples or [])
    copies = []
    for index in range(samples):
        original = originals[index % len(originals)]
        message = original.output.choices[0].message
        message = message.model_copy(update={"content": f"{message.text}\n\nPlan revision {index}.\n"})
        choice = original.output.choices[0].model_copy(update={"message": message})
        messages = list(original.messages)
        if messages and messages[-1].role == "assistant":
            messages[-1] = message
        # shallow copies: the transcript is shared between copies, which is all the writer needs
        copies.append(
            original.model_copy(
                update={
                    "epoch": index // len(originals) + 1,
                    "uuid": shortuuid.uuid(),
                    "output": original.output.model_copy(update={"choices": [choice]}),
                    "messages": messages,
                }
            )
        )
    log.samples = copies
    log.eval.config.epochs = copies[-1].epoch
    if log.results is not None:
        log.results.total_samples = samples
        log.results.completed_samples = samples
    write_eval_log(log, str(target))


def io_floor(path: Path, scratch: Path) -> float:
    """Seconds to read one log and write it back unchanged (scaled by the caller, by size)."""
    from inspect_ai.log import read_eval_log, write_eval_log

    started = time.perf_counter()
    write_eval_log(read_eval_log(str(path)), str(scratch / path.name))
    return time.perf_counter() - started


def grading_floor(paths: list[Path], count: int) -> float:
    """Seconds per sample of `grade_plan` alone, on `count` samples taken evenly from the logs."""
    from inspect_ai.log import read_eval_log

    from archbench.core.scenarios import load_scenario_cached
    from archbench.graders.grade import grade_plan

    elapsed, graded = 0.0, 0
    for path in paths:
        for sample in (read_eval_log(str(path)).samples or [])[: count // len(paths)]:
            scenario = load_scenario_cached(Path(sample.metadata["scenario_file"]))
            started = time.perf_counter()
            grade_plan(sample.output.completion, scenario, sample.store.get("repo_diff"))
            elapsed += time.perf_counter() - started
            graded += 1
    return elapsed / graded


def measure(samples: int, grade_sample: int) -> list[Row]:
    from archbench.graders.rescore import rescore_logs

    with tempfile.TemporaryDirectory(prefix="bench-rescore-") as scratch_dir:
        scratch = Path(scratch_dir)
        sources = baseline_logs(scratch / "baseline")
        logs_dir = scratch / "logs"
        logs_dir.mkdir()
        per_log = [samples // len(sources) + (1 if index < samples % len(sources) else 0) for index in range(len(sources))]
        started = time.perf_counter()
        for source, count in zip(sources, per_log):
            grown(source, count, logs_dir / source.name)
        paths = sorted(logs_dir.glob("*.eval"))
        size_mb = sum(path.stat().st_size for path in paths) / 1e6
        print(f"{samples} samples in {len(paths)} logs ({size_mb:.0f} MB) written in {time.perf_counter() - started:.0f} s", flush=True)

        smallest = min(paths, key=lambda path: path.stat().st_size)
        io_seconds = io_floor(smallest, scratch) * size_mb * 1e6 / smallest.stat().st_size
        grade_seconds = grading_floor(paths, grade_sample) * samples
        print(f"floor: read+write {io_seconds:.1f} s (scaled by size from the smallest log), grade_plan alone {grade_seconds:.1f} s "
              f"(scaled from {grade_sample} samples)", flush=True)

        started, started_cpu = time.perf_counter(), time.process_time()
        written = rescore_logs([logs_dir])
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"rescore_logs: {seconds:.1f} s wall, {cpu:.1f} s CPU, {len(written)} logs written; "
              f"peak memory of the process {peak_mb:.0f} MB", flush=True)
        shutil.rmtree(written[0].parent, ignore_errors=True)

    floor = io_seconds + grade_seconds
    return [
        Row(
            "5 rescore",
            f"re-grade {samples:,} logged samples ({len(paths)} logs, {size_mb:.0f} MB), no model calls; "
            f"peak memory of the process {peak_mb:,.0f} MB (building the logs included)",
            f"{samples / seconds:.0f} samples/s ({seconds:.0f} s)",
            f"{samples / floor:.0f} samples/s ({floor:.0f} s): read+write logs + grade_plan alone",
            seconds / floor,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--grade-sample", type=int, default=500, help="samples timed for the grade_plan floor")
    add_json_flag(parser)
    args = parser.parse_args(argv)
    emit(measure(args.samples, min(args.grade_sample, args.samples)), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
