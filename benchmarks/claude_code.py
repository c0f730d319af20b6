"""Claude Code runner against the native runner: per-sample time, CPU and memory, and concurrency.

Each configuration runs in a fresh child process: `eval()` of the `architect` task on one
scenario (`--scenario`, default notifications) with the offline `archbench/reference` model,
`--epochs` samples, `max_samples` = the concurrency. Measured from outside the child
(the child's imports, ~1.5 s of CPU, are in the CPU figures):

- wall time of the eval (imports and task construction excluded: the child times `eval()` itself);
- CPU time of the child and every process it started (Claude Code, bwrap, the launcher): the
  larger of `os.wait4`'s figure and the sum of each process's utime + stime sampled from /proc
  every 0.1 s (CPU used inside bwrap's PID namespace does not reach wait4);
- peak memory of the whole process tree: the sum of VmRSS over the child and its descendants,
  sampled every 0.1 s (shared pages are counted once per process, so this is an upper bound).

Configurations: native; claude-code main (sandboxed); claude-code delegated (sandboxed); then
claude-code main at concurrency 1, 2, 4, 8 (`--concurrency`) with 2 samples per slot, for the
throughput curve. The 1-minute load average is printed at the start of each run: the machine
is shared and its load moves every figure here.

    python benchmarks/claude_code.py [--epochs 3] [--concurrency 1,2,4,8] [--scenario notifications]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
from inspect_ai import eval
from archbench.evals.architect import architect
runner, mode, epochs, concurrency, scenario, log_dir, workdir = sys.argv[1:8]
task = architect(scenario_ids=scenario, runner=runner, claude_code_mode=mode, claude_code_workdir=workdir)
started = time.perf_counter()
logs = eval(task, model="archbench/reference", epochs=int(epochs), max_samples=int(concurrency), log_dir=log_dir, display="none")
wall = time.perf_counter() - started
samples = logs[0].samples
print(json.dumps({
    "wall": wall, "status": logs[0].status, "samples": len(samples),
    "errors": sum(1 for s in samples if s.error),
    "overall": sorted({s.scores["overall"].value for s in samples if s.scores}),
    "claude_code_seconds": [s.metadata.get("claude_code", {}).get("seconds") for s in samples],
    "first_request": next((s.metadata["claude_code"].get("first_request") for s in samples if s.metadata.get("claude_code")), None),
    "requests": [s.metadata.get("claude_code", {}).get("requests") for s in samples],
}))
"""


def _tree(root: int, cpu_ticks: dict[int, int]) -> int:
    """VmRSS (kB) summed over `root` and its descendants now; records each one's CPU ticks in `cpu_ticks`."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(name), int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
        try:
            stat = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = int(stat[11]) + int(stat[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            pass
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        if pid in ticks:
            cpu_ticks[pid] = max(cpu_ticks.get(pid, 0), ticks[pid])
        stack.extend(children.get(pid, []))
    return total


def measure(runner: str, mode: str, epochs: int, concurrency: int, scenario: str) -> dict:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="archbench-bench-cc-") as scratch:
        env = dict(os.environ, INSPECT_CACHE_DIR=str(Path(scratch) / "cache"))
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD, runner, mode, str(epochs), str(concurrency), scenario, f"{scratch}/logs", f"{scratch}/work"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        peak = 0
        cpu_ticks: dict[int, int] = {}
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree(process.pid, cpu_ticks))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    result = json.loads(out.strip().splitlines()[-1]) if process.returncode == 0 else {"error": f"exit {process.returncode}"}
    return {
        "runner": runner if runner == "native" else f"claude-code {mode}", "concurrency": concurrency, "epochs": epochs,
        "load_1min": round(load, 2),
        # a sandboxed process's CPU does not reach wait4 (bwrap's PID namespace): take the larger of
        # wait4 and the per-process figures sampled every 0.1 s (which miss a process's last 0.1 s)
        "cpu_s": round(max(usage.ru_utime + usage.ru_stime, sum(cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")), 2), "peak_tree_rss_mb": round(peak / 1024, 1),
        **result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="samples per side-by-side configuration")
    parser.add_argument("--concurrency", default="1,2,4,8,12", help="claude-code concurrency levels (2 samples per slot)")
    parser.add_argument("--scenario", default="notifications")
    args = parser.parse_args()
    rows = [measure("native", "main", args.epochs, 1, args.scenario), measure("claude-code", "main", args.epochs, 1, args.scenario),
            measure("claude-code", "delegated", args.epochs, 1, args.scenario)]
    print(f"## Side by side: {args.epochs} samples of {args.scenario}, one at a time, archbench/reference\n")
    print("| runner | load (1 min) | wall per sample | CPU per sample (tree) | peak tree RSS | Claude Code s per sample | requests per sample | first request (chars: body / system / tools) | overall | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if "error" in row:
            print(f"| {row['runner']} | {row['load_1min']} | {row['error']} | | | | | | | |")
            continue
        n = row["samples"]
        seconds = [s for s in row["claude_code_seconds"] if s is not None]
        first = row["first_request"]
        cc_seconds = f"{sum(seconds) / len(seconds):.2f}" if seconds else "-"
        cc_requests = f"{sum(row['requests']) / n:.1f}" if seconds else "-"
        sizes = f"{first['body_chars']:,} / {first['system_chars']:,} / {first['tools_chars']:,}" if first else "-"
        print(
            f"| {row['runner']} | {row['load_1min']} | {row['wall'] / n:.2f} s | {row['cpu_s'] / n:.2f} s | {row['peak_tree_rss_mb']:.0f} MB | "
            f"{cc_seconds} | {cc_requests} | "
            f"{sizes} | {row['overall']} | {row['errors']} |"
        )
    print("\n## Claude Code runner (main), concurrency on this machine (2 samples per slot)\n")
    print("| concurrency | load (1 min) | samples | wall | samples per minute | CPU (tree) | peak tree RSS | mean Claude Code s per sample | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for level in [int(item) for item in args.concurrency.split(",")]:
        row = measure("claude-code", "main", 2 * level, level, args.scenario)
        if "error" in row:
            print(f"| {level} | {row['load_1min']} | {row['error']} | | | | | | |")
            continue
        seconds = [s for s in row["claude_code_seconds"] if s is not None]
        print(
            f"| {level} | {row['load_1min']} | {row['samples']} | {row['wall']:.1f} s | {60 * row['samples'] / row['wall']:.1f} | "
            f"{row['cpu_s']:.1f} s | {row['peak_tree_rss_mb']:.0f} MB | {sum(seconds) / max(1, len(seconds)):.2f} | {row['errors']} |"
        )


if __name__ == "__main__":
    main()
