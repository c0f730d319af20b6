"""Cache: an identical second run must make no model calls, and should take little time.

`archbench.app.run.run_matrix` (what `archbench run` calls) runs the baseline prompt on every
scenario × `--epochs` through inspect's real `openai` provider against the scripted
server of tests/support (each request answered after `--latency` s; `--turns` calls per
sample: tool calls, then the reference plan). The server counts the requests it gets.
Then the same run again, twice:

- into the same log folder (rerunning the same command): the eval set finds its samples
  done;
- into a fresh log folder (e.g. after deleting the logs): only inspect's response cache
  (on by default; here in an empty `INSPECT_CACHE_DIR`) stands between it and the provider.

Both must make 0 calls. Wall time is compared with the first run's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.concurrency import reference_plans, server_process  # noqa: E402
from benchmarks.run_all import Row, add_json_flag, emit  # noqa: E402


def measure(epochs: int, turns: int, latency: float, connections: int) -> list[Row]:
    from archbench.app.run import RunSpec, run_matrix
    from archbench.core.scenarios import load_scenarios

    scenarios = load_scenarios()
    with server_process(reference_plans(scenarios), turns, latency) as (base_url, counter), tempfile.TemporaryDirectory(
        prefix="bench-cache-"
    ) as scratch:
        os.environ["INSPECT_CACHE_DIR"] = str(Path(scratch) / "cache")

        def run(log_dir: str) -> tuple[float, int]:
            spec = RunSpec(
                models=["openai/scripted"],
                model_base_url=base_url,
                model_args={"api_key": "sk-local-benchmark", "responses_api": False},
                epochs=epochs,
                max_connections=connections,
                log_dir=Path(scratch) / log_dir,
            )
            calls_before = counter.value
            started = time.perf_counter()
            success, _ = run_matrix(spec, display="none")
            if not success:
                raise RuntimeError(f"run into {log_dir} did not complete")
            return time.perf_counter() - started, counter.value - calls_before

        first, first_calls = run("first")
        same_dir, same_dir_calls = run("first")
        fresh_dir, fresh_dir_calls = run("second")
    samples = len(scenarios) * epochs
    print(f"{samples} samples; first run {first:.2f} s / {first_calls} calls; same folder {same_dir:.2f} s / "
          f"{same_dir_calls} calls; fresh folder {fresh_dir:.2f} s / {fresh_dir_calls} calls", flush=True)
    setting = f"{samples} samples × {turns} turns, openai provider, {latency:g} s latency"
    first_text = f"{first:.2f} s, {first_calls} calls: first run"
    return [
        Row("6 cache", f"identical rerun, same log folder ({setting})", f"{same_dir_calls} calls, {same_dir:.2f} s",
            first_text, same_dir / first, "0 calls", same_dir_calls == 0),
        Row("6 cache", "identical rerun, fresh log folder (response cache only)", f"{fresh_dir_calls} calls, {fresh_dir:.2f} s",
            first_text, fresh_dir / first, "0 calls", fresh_dir_calls == 0),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--connections", type=int, default=50)
    add_json_flag(parser)
    args = parser.parse_args(argv)
    emit(measure(args.epochs, args.turns, args.latency, args.connections), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
