"""Concurrency efficiency: does the harness keep every connection to a slow provider busy?

archbench's `architect` task runs `--samples` samples of `--turns` model calls each
through inspect's real `openai` provider (chat completions) against the scripted
OpenAI-compatible server of tests/support, which answers every request after `--latency`
seconds. With `--connections` connections the floor is

    ideal wall time = samples × turns × latency / connections

and the figure is ideal / measured (1.0 = no connection ever idle). The server runs in
its own process, so its JSON work does not compete with the harness for the GIL. The
model explores with one tool call per turn (list_dir, glob, grep, read_file) and answers
with the scenario's reference plan plus a line naming the request, so every sample's
plan is distinct and really graded. The response cache is on, as by default, in an empty
folder (every call a miss). Each configuration gets a fresh server and a one-sample
warm-up run in the same process first (imports and first-use setup are a one-off per
process). Two more configurations say where the time goes: the same task without its
graders, inspect's own tool loop (the same tool calls, answered instantly with what archbench's
tools answered for them: benchmark 1's floor) and
bare inspect (plain generate calls, no tools, graders or cache). The archbench
configurations run with the garbage-collector settings (`archbench.core.collector`) and
logging options (`RunSpec.log_options`) `archbench run` uses, and grade as it does: in a
grading worker process (`grading_worker()`, graders/worker.py, started before the warm-up
run and closed after the timed run, as `archbench run` starts one per run); the same task
grading inline, on the event loop, shows what the worker buys. Bare inspect is timed with
inspect's and CPython's defaults (the floor) and with those settings. Last, the same
conversations through `openai.AsyncOpenAI` alone, with no inspect: what the server and
the SDK allow. Configurations alternate, `--repeats` times; the median wall time counts.
`--configurations` picks some (the 2 s run of run_all.py skips bare inspect). The archbench
configurations run `max_samples` as `archbench run` does (archbench/app/sample_limits.py: 2 ×
connections on the native runner); "one-per-connection" runs the task at inspect's default
(`max_samples` = connections), where a sample whose plan is being graded, or whose tools run,
holds a sample slot but no connection, so its connection idles meanwhile.
`--max-samples-factors 1,1.5,2,3` adds, for each factor, the task and inspect's own tool loop
with `max_samples` = factor × connections, alternated with the rest: the task next to its
floor at the same setting. Peak RSS of this process during each timed run is printed (Python
keeps freed memory, so only the first configuration in a fresh process is a clean figure).

Targets (issue 19): at 2 s latency the archbench task reaches >= 0.95 of ideal
(`--target-ideal 0.95`); at 0.5 s, >= 0.85 of the openai SDK's figure (`--target-sdk 0.85`, the
default when neither is given).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness_overhead import EXPLORING_CALLS, bare_task, record_tool_answers, recorded_tool_loop  # noqa: E402
from benchmarks.run_all import Row, add_json_flag, as_archbench_runs, emit, grading, load_average  # noqa: E402
from tests.support.openai_server import ScriptedOpenAIServer, tool_call_message  # noqa: E402

CONFIGURATIONS = ("harness", "one-per-connection", "inline", "no-graders", "inspect-tools", "bare", "bare-as-run", "sdk")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def explore_then_plan(plans: dict[str, str], turns: int, counter: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """`turns - 1` exploring tool calls (text replies when no tools are offered), then the request's plan."""

    def respond(request: dict[str, Any]) -> dict[str, Any]:
        with counter.get_lock():
            counter.value += 1
            number = counter.value
        messages = request.get("messages", [])
        turn = sum(1 for message in messages if message.get("role") == "assistant")
        if turn < turns - 1:
            if not request.get("tools"):
                return {"role": "assistant", "content": "Noted; looking further."}
            name, arguments = EXPLORING_CALLS[turn % len(EXPLORING_CALLS)]
            return tool_call_message(name, arguments, f"call_{turn}")
        user = next(_text(message.get("content")) for message in messages if message.get("role") == "user")
        return {"role": "assistant", "content": plans[user.strip()] + f"\n\nPlan revision {number}.\n"}

    return respond


def _serve(responder, latency: float, ready: Any, stop: Any) -> None:
    with ScriptedOpenAIServer(responder, latency=latency) as server:
        ready.send(server.base_url)
        stop.wait()


@contextmanager
def server_process(plans: dict[str, str], turns: int, latency: float) -> Iterator[tuple[str, Any]]:
    """The scripted server in a child process; yields its base URL and a shared request counter."""
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    receive, send = context.Pipe(duplex=False)
    stop = context.Event()
    process = context.Process(target=_serve, args=(explore_then_plan(plans, turns, counter), latency, send, stop), daemon=True)
    process.start()
    try:
        if not receive.poll(30):
            raise RuntimeError("scripted server did not start")
        yield receive.recv(), counter
    finally:
        stop.set()
        process.join(10)


def reference_plans(scenarios: list) -> dict[str, str]:
    return {scenario.request.strip(): scenario.reference_plan_text() for scenario in scenarios}


def openai_eval(
    task, base_url: str, log_dir: str, epochs: int, connections: int, score: bool = True, as_run: bool = False,
    max_samples: int | None = None,
):
    """One eval through inspect's `openai` provider, named as `archbench run` names it; `as_run`: with
    the collector and logging settings `archbench run` uses, else inspect's and CPython's defaults."""
    from inspect_ai import eval

    with as_archbench_runs(as_run) as options:
        (log,) = eval(
            task,
            model="openai/scripted",
            model_base_url=base_url,
            model_args={"api_key": "sk-local-benchmark", "responses_api": False},
            epochs=epochs,
            max_connections=connections,
            max_samples=max_samples,
            log_dir=log_dir,
            display="none",
            score=score,
            **options,
        )
    return log


def check_succeeded(log) -> None:
    """Fail unless the run and all its samples succeeded (reads every sample back: keep it off the clock)."""
    if log.status != "success":
        raise RuntimeError(f"run failed: {log.error.message if log.error else log.status}")
    errors = [sample.error.message for sample in log.samples or [] if sample.error]
    if errors:
        raise RuntimeError(f"{len(errors)} samples errored, e.g. {errors[0]}")


def split(samples: int, available: int) -> tuple[int, int]:
    """(scenarios, epochs) with scenarios × epochs == samples, as many scenarios as available."""
    for scenarios in range(min(samples, available), 0, -1):
        if samples % scenarios == 0:
            return scenarios, samples // scenarios
    raise ValueError(samples)


PEAK_RSS_MB: list[float] = []  # peak resident memory of this process during each timed run, in order


@contextmanager
def peak_rss() -> Iterator[None]:
    """Appends to PEAK_RSS_MB this process's peak VmRSS while the block runs (sampled every 50 ms)."""
    import threading

    def rss_mb() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    peak = [rss_mb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], rss_mb())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        PEAK_RSS_MB.append(max(peak[0], rss_mb()))


def timed_run(
    make_task, scenarios: list, epochs: int, turns: int, latency: float, connections: int, score: bool, as_run: bool,
    grading_mode: str = "none", max_samples: int | None = None,
) -> tuple[float, int]:
    """Wall time of one eval against a fresh server, after a one-sample warm-up run in the same process
    (imports and first-use setup, a one-off cost per process, stay off the clock); and the calls the
    timed run made. `grading_mode` "worker": both runs grade in one grading worker, as `archbench run`
    grades (its start-up overlaps the warm-up run); "inline": on the event loop."""
    with server_process(reference_plans(scenarios), turns, latency) as (base_url, counter), tempfile.TemporaryDirectory(
        prefix="bench-concurrency-"
    ) as scratch, grading(grading_mode):
        os.environ["INSPECT_CACHE_DIR"] = str(Path(scratch) / "warmup-cache")
        warmup = openai_eval(make_task(scenarios[:1]), base_url, str(Path(scratch) / "warmup"), 1, connections, score, as_run)
        check_succeeded(warmup)
        warmup_calls = counter.value
        os.environ["INSPECT_CACHE_DIR"] = str(Path(scratch) / "cache")
        with peak_rss():
            started = time.perf_counter()
            log = openai_eval(
                make_task(scenarios), base_url, str(Path(scratch) / "logs"), epochs, connections, score, as_run, max_samples
            )
            measured = time.perf_counter() - started
        check_succeeded(log)
        return measured, counter.value - warmup_calls


def raw_client_run(scenarios: list, epochs: int, turns: int, latency: float, connections: int) -> tuple[float, int]:
    """The same conversations with `openai.AsyncOpenAI` alone, `connections` at a time: the server's floor."""
    import asyncio

    import openai

    async def run_all(base_url: str) -> None:
        client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-local-benchmark", max_retries=0)
        slots = asyncio.Semaphore(connections)

        async def conversation(request: str) -> None:
            messages = [{"role": "user", "content": request}]
            async with slots:
                for _ in range(turns):
                    reply = await client.chat.completions.create(model="scripted", messages=messages)
                    messages += [{"role": "assistant", "content": reply.choices[0].message.content or ""},
                                 {"role": "user", "content": "continue"}]

        await asyncio.gather(*(conversation(scenario.request) for scenario in scenarios for _ in range(epochs)))
        await client.close()

    with server_process(reference_plans(scenarios), turns, latency) as (base_url, counter):
        started = time.perf_counter()
        asyncio.run(run_all(base_url))
        return time.perf_counter() - started, counter.value


def measure(
    samples: int, turns: int, latency: float, connections: int, repeats: int, chosen_configurations: list[str],
    target_ideal: float | None, target_sdk: float | None, factors: list[float] | None = None,
) -> list[Row]:
    from archbench.core.scenarios import load_scenarios
    from archbench.evals.architect import architect

    every = load_scenarios()
    count, epochs = split(samples, len(every))
    chosen = every[:count]
    record_tool_answers(chosen)  # the floor's tools answer what archbench's tools answered, recorded off the clock
    ideal = samples * turns * latency / connections
    harness = lambda scenarios: architect(scenario_ids=[scenario.id for scenario in scenarios])  # noqa: E731
    bare = lambda scenarios: bare_task(scenarios, turns)  # noqa: E731
    tools = lambda scenarios: bare_task(scenarios, turns, recorded_tool_loop())  # noqa: E731

    def through_inspect(
        make_task, score: bool, as_run: bool, mode: str = "none", max_samples: int | None = None
    ) -> Callable[[], tuple[float, int]]:
        return lambda: timed_run(make_task, chosen, epochs, turns, latency, connections, score, as_run, mode, max_samples)

    from archbench.app.sample_limits import default_max_samples

    as_run_samples = default_max_samples("native", connections)  # what `archbench run --max-connections N` runs
    every_configuration: dict[str, tuple[str, Callable[[], tuple[float, int]]]] = {
        "harness": ("archbench task, graded in the worker", through_inspect(harness, True, True, "worker", as_run_samples)),
        "one-per-connection": ("archbench task, graded in the worker, max_samples = connections (inspect's default)",
                               through_inspect(harness, True, True, "worker", connections)),
        "inline": ("archbench task, graded inline", through_inspect(harness, True, True, "inline", as_run_samples)),
        "no-graders": ("archbench task without graders", through_inspect(harness, False, True, "none", as_run_samples)),
        "inspect-tools": ("inspect's own tool loop", through_inspect(tools, True, True)),
        "bare": ("bare inspect", through_inspect(bare, True, False)),
        "bare-as-run": ("bare inspect, as archbench runs", through_inspect(bare, True, True)),
        "sdk": ("openai SDK alone", lambda: raw_client_run(chosen, epochs, turns, latency, connections)),
    }
    configurations = {key: every_configuration[key] for key in CONFIGURATIONS if key in chosen_configurations}
    for factor in factors or []:  # the task and its floor, side by side, at each max_samples
        slots = max_samples_for(factor, connections)
        configurations[f"harness x{factor:g}"] = (
            f"archbench task, graded in the worker, max_samples = {factor:g} × connections ({slots})",
            through_inspect(harness, True, True, "worker", slots))
        configurations[f"inspect-tools x{factor:g}"] = (
            f"inspect's own tool loop, max_samples = {factor:g} × connections ({slots})",
            through_inspect(tools, True, True, "none", slots))
    runs: dict[str, list[float]] = {key: [] for key in configurations}
    memory: dict[str, list[float]] = {key: [] for key in configurations}
    loads = [load_average()]
    for repeat in range(repeats):  # alternated, so drifting load on a shared machine hits every configuration alike
        for key, (name, run) in configurations.items():
            wall, calls = run()
            if calls != samples * turns:
                raise RuntimeError(f"{name}: expected {samples * turns} model calls, the server saw {calls}")
            runs[key].append(wall)
            memory[key].append(PEAK_RSS_MB.pop() if key != "sdk" else 0.0)
            loads.append(load_average())
            print(f"repeat {repeat + 1}, {name}: {samples} samples ({count} scenarios × {epochs} epochs), {calls} calls, "
                  f"wall {wall:.2f} s, ideal {ideal:.2f} s, peak RSS {memory[key][-1]:.0f} MB (load average {loads[-1]:.1f})",
                  flush=True)
    walls = {key: statistics.median(values) for key, values in runs.items()}
    print(f"load average during the runs: {min(loads):.1f}-{max(loads):.1f}", flush=True)
    setting = (f"{samples} samples × {turns} turns, {latency:g} s latency, {connections} connections, openai provider; "
               f"median of {repeats}")
    ideal_text = f"{ideal:.2f} s ideal"
    rows = []
    if "harness" in walls:
        efficiency = ideal / walls["harness"]
        rows.append(Row(
            "2 concurrency", f"archbench task as `archbench run` runs it, graded in the worker: {setting}",
            f"{walls['harness']:.2f} s wall", ideal_text, efficiency,
            "" if target_ideal is None else f"ideal/measured >= {target_ideal}",
            None if target_ideal is None else efficiency >= target_ideal,
        ))
        if "sdk" in walls:
            of_sdk = walls["sdk"] / walls["harness"]
            rows.append(Row(
                "2 concurrency", "same, against the openai SDK alone's figure (its wall time / the task's)",
                f"{walls['harness']:.2f} s wall", f"{walls['sdk']:.2f} s (openai SDK alone)", of_sdk,
                "" if target_sdk is None else f">= {target_sdk} of the SDK's",
                None if target_sdk is None else of_sdk >= target_sdk,
            ))
    described = {
        "one-per-connection": "same with max_samples = connections (inspect's default, archbench run's before issue 19's "
                              "change): a sample being graded or running tools holds its slot but no connection",
        "inline": "same, grading inline on the event loop (archbench run before the worker)",
        "no-graders": "same without the graders (agent loop only)",
        "inspect-tools": "inspect's own tool loop: the same tool calls and answers (recorded), cache on, archbench run's settings "
                         "(no archbench code; benchmark 1's floor)",
        "bare": "bare inspect, same server and turns (no tools, graders, cache): what inspect alone reaches here",
        "bare-as-run": "bare inspect with archbench run's collector and logging settings",
        "sdk": "the openai SDK alone (AsyncOpenAI, same calls and server; no inspect): what the server allows",
    }
    for key, text in described.items():
        if key in walls:
            figure = text if "harness" in walls or key != "inline" else f"{text}; {setting}"
            rows.append(Row("2 concurrency", figure, f"{walls[key]:.2f} s wall", ideal_text, ideal / walls[key]))
    for factor in factors or []:
        slots = max_samples_for(factor, connections)
        task, floor = walls[f"harness x{factor:g}"], walls[f"inspect-tools x{factor:g}"]
        rows.append(Row(
            "2 concurrency", f"max_samples = {factor:g} × connections ({slots}): archbench task graded in the worker "
            f"against inspect's own tool loop at the same max_samples (the floor); {setting}",
            f"{task:.2f} s wall ({ideal / task:.2f} of ideal; peak RSS {statistics.median(memory[f'harness x{factor:g}']):.0f} MB)",
            f"{floor:.2f} s wall ({ideal / floor:.2f} of ideal): inspect's tool loop", floor / task,
            "" if target_ideal is None else f"ideal/measured >= {target_ideal}",
            None if target_ideal is None else ideal / task >= target_ideal,
        ))
    return rows


def max_samples_for(factor: float, connections: int) -> int:
    """Samples in flight for `factor` × connections (rounded, at least one)."""
    return max(1, round(factor * connections))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds the server waits before answering")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each configuration; the median counts (default 3)")
    parser.add_argument("--configurations", default=",".join(CONFIGURATIONS),
                        help=f"comma-separated, from {', '.join(CONFIGURATIONS)} (default: all)")
    parser.add_argument("--target-ideal", type=float, help="target: the task's ideal/measured at least this")
    parser.add_argument("--target-sdk", type=float, help="target: the task's figure at least this share of the SDK's")
    parser.add_argument("--max-samples-factors", default="",
                        help="comma-separated factors, e.g. 1,1.5,2,3: for each, the task (graded in the worker) and "
                             "inspect's own tool loop, alternated with the rest, with max_samples = factor × connections")
    add_json_flag(parser)
    args = parser.parse_args(argv)
    factors = [float(factor) for factor in args.max_samples_factors.split(",") if factor.strip()]
    chosen = [key.strip() for key in args.configurations.split(",") if key.strip()]
    unknown = sorted(set(chosen) - set(CONFIGURATIONS))
    if unknown:
        parser.error(f"unknown configurations {unknown}; choose from {', '.join(CONFIGURATIONS)}")
    target_sdk = 0.85 if args.target_ideal is None and args.target_sdk is None else args.target_sdk
    emit(measure(args.samples, args.turns, args.latency, args.connections, args.repeats, chosen, args.target_ideal, target_sdk,
                 factors),
         args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
