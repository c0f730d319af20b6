"""Benchmark: `build_report` against `inspect_ai.analysis.samples_df` reading the same logs.

    python benchmarks/report_build.py                      # 10,000 and 100,000 samples
    python benchmarks/report_build.py --sizes 10000 --keep /tmp/bench

Logs come from benchmarks/synth_logs.py (one log per prompt × model, as `archbench run`
writes them). Their samples carry a request, a plan and full score evidence, but no
events: real logs are larger per sample, which slows the summary reads of both very little
and build_report's evidence read (each sample's JSON parsed, or past 96 KB streamed up to
`scores`) more.

Each measurement runs in a fresh process, after one untimed read that warms the OS file
cache, and reports wall time and the process's peak resident memory. The two are run
alternately `--repeat` times and the fastest run of each is shown (the least disturbed by
other work on the machine).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.synth_logs import Variant, simulated_scenarios, write_simulated_logs  # noqa: E402

MODELS = ("anthropic/claude-sonnet-4-5", "anthropic/claude-haiku-4-5", "openai/gpt-5", "openai/gpt-5-mini", "anthropic/claude-opus-4-5")
EPOCHS = 5
PROMPTS = 10


def layout(samples: int) -> tuple[int, int, int]:
    """(prompts, models, scenarios): 50 logs (10 prompts × 5 models) at every size, as the issue
    measures both 10,000 and 100,000 samples "over 50 logs" (200 and 2,000 samples per log)."""
    scenarios = samples // (PROMPTS * len(MODELS) * EPOCHS)
    return PROMPTS, len(MODELS), scenarios


def _write_part(args: tuple[str, list[Variant], int, int]) -> int:
    directory, variants, scenario_count, seed = args
    write_simulated_logs(Path(directory), variants, simulated_scenarios(scenario_count, seed=1), EPOCHS, seed=seed)
    return len(variants)


def generate(directory: Path, samples: int) -> None:
    prompts, models, scenario_count = layout(samples)
    variants = [
        Variant(f"prompt-{p}", MODELS[m], quality=0.45 + 0.03 * p + 0.02 * m, violation_rate=0.05 + 0.01 * (p % 3))
        for p in range(prompts)
        for m in range(models)
    ]
    halves = [(str(directory), variants[i::2], scenario_count, 100 * i) for i in range(2)]
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_write_part, halves))


def measure(what: str, directory: str, out: str) -> None:
    """Run in a child process: time one operation and print JSON with seconds and peak RSS."""
    from inspect_ai.analysis import samples_df

    from archbench.reports.build import build_report

    logs = sorted(str(p) for p in Path(directory).glob("*.eval"))
    samples_df(logs[:1], quiet=True)  # import and first-read costs are paid by both sides alike
    started = time.perf_counter()
    if what == "samples_df":
        rows = len(samples_df(logs, quiet=True))
        extra = {}
    else:
        summary = build_report([Path(directory)], Path(out))
        rows = summary["n_samples"]
        extra = {"variants": len(summary["variants"]), "comparisons": len(summary["comparisons"])}
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": rows, **extra}))


def run_child(what: str, directory: Path, out: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--measure", what, str(directory), str(out)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=2, help="alternate runs of each measurement; the fastest counts")
    parser.add_argument("--keep", type=Path, help="generate logs here (reused when present) instead of a temp dir")
    parser.add_argument("--measure", nargs=3, metavar=("WHAT", "LOGDIR", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        base = args.keep or Path(scratch)
        for size in args.sizes:
            prompts, models, _ = layout(size)
            directory = base / f"logs-{size}-in-{prompts * models}"
            if not any(directory.glob("*.eval")):
                started = time.perf_counter()
                generate(directory, size)
                print(f"generated {size:,} samples in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            runs = []
            for _ in range(args.repeat):
                runs.append((run_child("samples_df", directory, base / f"report-{size}"), run_child("build_report", directory, base / f"report-{size}")))
                reference, report = runs[-1]
                print(f"{size:,} samples: samples_df {reference['seconds']:.2f} s {reference['peak_mb']:.0f} MB, "
                      f"build_report {report['seconds']:.2f} s {report['peak_mb']:.0f} MB, ratio {report['seconds'] / reference['seconds']:.2f}",
                      file=sys.stderr)
            reference = min((r for r, _ in runs), key=lambda r: r["seconds"])
            report = min((b for _, b in runs), key=lambda b: b["seconds"])
            rows.append((size, len(list(directory.glob("*.eval"))), reference, report))

    print(f"{'samples':>9} {'logs':>5} {'samples_df s':>13} {'build_report s':>15} {'ratio':>6} {'samples_df MB':>14} {'build MB':>9} {'variants':>9} {'comparisons':>12}")
    for size, logs, reference, report in rows:
        ratio = report["seconds"] / reference["seconds"]
        print(
            f"{size:>9,} {logs:>5} {reference['seconds']:>13.1f} {report['seconds']:>15.1f} {ratio:>6.2f} "
            f"{reference['peak_mb']:>14.0f} {report['peak_mb']:>9.0f} {report['variants']:>9} {report['comparisons']:>12}"
        )


if __name__ == "__main__":
    main()
