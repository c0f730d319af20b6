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
graders, and bare inspect (plain generate calls, no tools, graders or cache). The two
archbench configurations run with the garbage-collector settings (`evals.collector`) and
logging options (`RunSpec.log_options`) `archbench run` uses; bare inspect is timed with
inspect's and CPython's defaults (the floor) and with those settings. Last, the same
conversations through `openai.AsyncOpenAI` alone, with no inspect: what the server and
the SDK allow. Configurations alternate, `--repeats` times; the median wall time counts.
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

from benchmarks.harness_overhead import EXPLORING_CALLS, bare_task  # noqa: E402
from benchmarks.run_all import Row, add_json_flag, as_archbench_runs, emit  # noqa: E402
from tests.support.openai_server import ScriptedOpenAIServer, tool_call_message  # noqa: E402

TARGET_EFFICIENCY = 0.85


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


def openai_eval(task, base_url: str, log_dir: str, epochs: int, connections: int, score: bool = True, as_run: bool = False):
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


def timed_run(
    make_task, scenarios: list, epochs: int, turns: int, latency: float, connections: int, score: bool, as_run: bool
) -> tuple[float, int]:
    """Wall time of one eval against a fresh server, after a one-sample warm-up run in the same process
    (imports and first-use setup, a one-off cost per process, stay off the clock); and the calls the
    timed run made."""
    with server_process(reference_plans(scenarios), turns, latency) as (base_url, counter), tempfile.TemporaryDirectory(
        prefix="bench-concurrency-"
    ) as scratch:
        os.environ["INSPECT_CACHE_DIR"] = str(Path(scratch) / "warmup-cache")
        warmup = openai_eval(make_task(scenarios[:1]), base_url, str(Path(scratch) / "warmup"), 1, connections, score, as_run)
        check_succeeded(warmup)
        warmup_calls = counter.value
        os.environ["INSPECT_CACHE_DIR"] = str(Path(scratch) / "cache")
        started = time.perf_counter()
        log = openai_eval(make_task(scenarios), base_url, str(Path(scratch) / "logs"), epochs, connections, score, as_run)
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


def measure(samples: int, turns: int, latency: float, connections: int, repeats: int) -> list[Row]:
    from archbench.evals.architect import architect

    from archbench.core.scenarios import load_scenarios

    every = load_scenarios()
    count, epochs = split(samples, len(every))
    chosen = every[:count]
    ideal = samples * turns * latency / connections
    harness = lambda scenarios: architect(scenario_ids=[scenario.id for scenario in scenarios])  # noqa: E731
    bare = lambda scenarios: bare_task(scenarios, turns)  # noqa: E731

    def through_inspect(make_task, score: bool, as_run: bool) -> Callable[[], tuple[float, int]]:
        return lambda: timed_run(make_task, chosen, epochs, turns, latency, connections, score, as_run)

    configurations: dict[str, Callable[[], tuple[float, int]]] = {
        "harness": through_inspect(harness, True, True),
        "harness without graders": through_inspect(harness, False, True),
        "bare": through_inspect(bare, True, False),
        "bare, as archbench runs": through_inspect(bare, True, True),
        "openai SDK alone": lambda: raw_client_run(chosen, epochs, turns, latency, connections),
    }
    runs: dict[str, list[float]] = {name: [] for name in configurations}
    for repeat in range(repeats):  # alternated, so drifting load on a shared machine hits every configuration alike
        for name, run in configurations.items():
            wall, calls = run()
            if calls != samples * turns:
                raise RuntimeError(f"{name}: expected {samples * turns} model calls, the server saw {calls}")
            runs[name].append(wall)
            print(f"repeat {repeat + 1}, {name}: {samples} samples ({count} scenarios × {epochs} epochs), {calls} calls, "
                  f"wall {wall:.2f} s, ideal {ideal:.2f} s", flush=True)
    walls = {name: statistics.median(values) for name, values in runs.items()}
    raw_wall = walls["openai SDK alone"]
    efficiency = ideal / walls["harness"]
    setting = (f"{samples} samples × {turns} turns, {latency:g} s latency, {connections} connections, openai provider; "
               f"median of {repeats}")
    return [
        Row(
            "2 concurrency",
            f"archbench task: {setting}",
            f"{walls['harness']:.2f} s wall",
            f"{ideal:.2f} s ideal",
            efficiency,
            f"ideal/measured >= {TARGET_EFFICIENCY}",
            efficiency >= TARGET_EFFICIENCY,
        ),
        Row("2 concurrency", "same without the graders (agent loop only)", f"{walls['harness without graders']:.2f} s wall",
            f"{ideal:.2f} s ideal", ideal / walls["harness without graders"]),
        Row(
            "2 concurrency",
            "bare inspect, same server and turns (no tools, graders, cache): what inspect alone reaches here",
            f"{walls['bare']:.2f} s wall",
            f"{ideal:.2f} s ideal",
            ideal / walls["bare"],
        ),
        Row("2 concurrency", "bare inspect with archbench run's collector and logging settings",
            f"{walls['bare, as archbench runs']:.2f} s wall", f"{ideal:.2f} s ideal",
            ideal / walls["bare, as archbench runs"]),
        Row("2 concurrency", "the openai SDK alone (AsyncOpenAI, same calls and server; no inspect): what the server allows",
            f"{raw_wall:.2f} s wall", f"{ideal:.2f} s ideal", ideal / raw_wall),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds the server waits before answering")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each configuration; the median counts (default 3)")
    add_json_flag(parser)
    args = parser.parse_args(argv)
    emit(measure(args.samples, args.turns, args.latency, args.connections, args.repeats), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
