"""Harness overhead per agent turn, against bare inspect with the same scripted provider.

Both sides run the same in-process scripted model (no latency, so only CPU is measured),
the same samples (every scenario × `--epochs`, the baseline prompt as system message) and
the same number of model calls per sample (`--turns`):

- harness: archbench's `architect` task as users run it: the agent's tool loop in a
  copy-on-write workspace (the model calls list_dir / glob / grep / read_file, one per
  turn, then answers with a plan), the repo diff, the five deterministic graders and the
  response cache (on by default; pointed at an empty folder, so every call is a miss and
  a write).
- floor: a bare inspect task: a solver that calls `generate` `--turns` times (the model
  answers in text, a "continue" user message between calls), no tools, no scorer, no cache.

Each final answer is the scenario's reference plan plus a line naming the call, so no two
samples share a plan and the graders' per-sample cache cannot hide grading cost. The
clock covers `eval()` (task objects are built before it starts, and a one-sample run of
each side warms imports first); runs alternate harness/floor and the median of
`--repeats` counts. The ratio is of process CPU time, which other work on a shared
machine does not inflate the way it inflates wall time (both are printed).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspect_ai import Task, eval  # noqa: E402
from inspect_ai.dataset import MemoryDataset, Sample  # noqa: E402
from inspect_ai.model import (  # noqa: E402
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    get_model,
    modelapi,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver  # noqa: E402
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo  # noqa: E402

from benchmarks.concurrency import EXPLORING_CALLS  # noqa: E402
from benchmarks.run_all import Row, add_json_flag, emit  # noqa: E402
from evals.architect import architect  # noqa: E402
from evals.prompts import BASELINE_PROMPT, load_prompts  # noqa: E402
from evals.scenarios import load_scenarios  # noqa: E402

TARGET_RATIO = 1.3
_answer_counter = itertools.count()
# request text -> reference plan; filled by `load_plans` before a run
PLANS: dict[str, str] = {}


class ScriptedTurns(ModelAPI):
    """Answers after `turns` calls; before that calls a tool when tools are offered, else says 'noted'."""

    def __init__(self, model_name: str, base_url=None, api_key=None, config: GenerateConfig = GenerateConfig(), turns: int = 5, **_):
        super().__init__(model_name, base_url, api_key, [], config)
        self.turns = int(turns)

    def max_connections(self) -> int:
        return 50

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        turn = sum(1 for message in input if isinstance(message, ChatMessageAssistant))
        if turn < self.turns - 1:
            if tools:
                name, arguments = EXPLORING_CALLS[turn % len(EXPLORING_CALLS)]
                message = ChatMessageAssistant(
                    content="", tool_calls=[ToolCall(id=f"call_{turn}", function=name, arguments=dict(arguments))]
                )
                stop = "tool_calls"
            else:
                message, stop = ChatMessageAssistant(content="Noted; looking further."), "stop"
        else:
            request = next(m.text for m in input if isinstance(m, ChatMessageUser))
            answer = PLANS[request] + f"\n\nPlan revision {next(_answer_counter)}.\n"
            message, stop = ChatMessageAssistant(content=answer), "stop"
        return ModelOutput(
            model=self.model_name,
            choices=[ChatCompletionChoice(message=message, stop_reason=stop)],
            usage=ModelUsage(input_tokens=100, output_tokens=20, total_tokens=120),
        )


@modelapi(name="benchturns")
def _bench_turns() -> type[ModelAPI]:
    return ScriptedTurns


@solver
def bare_turns(turns: int) -> Solver:
    """`turns` plain generate calls, nothing else."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        for turn in range(turns):
            state = await generate(state, tool_calls="none")
            if turn < turns - 1:
                state.messages.append(ChatMessageUser(content="continue"))
        return state

    return solve


def load_plans() -> list:
    scenarios = load_scenarios()
    PLANS.update({scenario.request: scenario.reference_plan_text() for scenario in scenarios})
    return scenarios


def bare_task(scenarios: list, turns: int) -> Task:
    prompt = load_prompts([BASELINE_PROMPT])[0]
    samples = [
        Sample(id=scenario.id, input=[ChatMessageSystem(content=prompt.body), ChatMessageUser(content=scenario.request)])
        for scenario in scenarios
    ]
    return Task(dataset=MemoryDataset(samples), solver=bare_turns(turns))


def timed_eval(task: Task, turns: int, epochs: int, cache_dir: Path | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one eval; CPU is this process's, all threads."""
    if cache_dir is not None:
        os.environ["INSPECT_CACHE_DIR"] = str(cache_dir)
    with tempfile.TemporaryDirectory(prefix="bench-logs-") as log_dir:
        model = get_model("benchturns/scripted", turns=turns)
        started, started_cpu = time.perf_counter(), time.process_time()
        (log,) = eval(task, model=model, epochs=epochs, log_dir=log_dir, display="none", max_connections=50)
        elapsed = time.perf_counter() - started, time.process_time() - started_cpu
        if log.status != "success":
            raise RuntimeError(f"run failed: {log.error.message if log.error else log.status}")
        errors = [sample.error for sample in log.samples or [] if sample.error]  # samples load lazily from log_dir
        if errors:
            raise RuntimeError(f"{len(errors)} samples errored, e.g. {errors[0].message}")
    return elapsed


def measure(epochs: int, turns: int, repeats: int) -> list[Row]:
    scenarios = load_plans()
    harness = architect()
    floor = bare_task(scenarios, turns)
    total_turns = len(scenarios) * epochs * turns
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache_root:
        timed_eval(architect(scenario_ids=[scenarios[0].id]), turns, 1, Path(cache_root) / "warmup")
        timed_eval(bare_task(scenarios[:1], turns), turns, 1, None)
        harness_runs, floor_runs = [], []
        for repeat in range(repeats):
            harness_runs.append(timed_eval(harness, turns, epochs, Path(cache_root) / f"run{repeat}"))
            floor_runs.append(timed_eval(floor, turns, epochs, None))
            print(
                f"repeat {repeat + 1}: harness {harness_runs[-1][0]:.2f} s wall / {harness_runs[-1][1]:.2f} s CPU, "
                f"bare inspect {floor_runs[-1][0]:.2f} s wall / {floor_runs[-1][1]:.2f} s CPU",
                flush=True,
            )

    def per_turn_ms(runs: list[tuple[float, float]], which: int) -> float:
        return statistics.median(run[which] for run in runs) / total_turns * 1000

    ratio = per_turn_ms(harness_runs, 1) / per_turn_ms(floor_runs, 1)
    size = f"{len(scenarios) * epochs} samples × {turns} turns"
    return [
        Row(
            "1 harness overhead",
            f"CPU time per agent turn ({size}; tools, workspace, graders, cache)",
            f"{per_turn_ms(harness_runs, 1):.2f} ms ({per_turn_ms(harness_runs, 0):.2f} ms wall)",
            f"{per_turn_ms(floor_runs, 1):.2f} ms ({per_turn_ms(floor_runs, 0):.2f} ms wall): bare inspect, same provider and turns",
            ratio,
            f"<= {TARGET_RATIO}",
            ratio <= TARGET_RATIO,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10, help="epochs over every scenario (default 10)")
    parser.add_argument("--turns", type=int, default=5, help="model calls per sample (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each side; the median counts (default 3)")
    add_json_flag(parser)
    args = parser.parse_args(argv)
    emit(measure(args.epochs, args.turns, args.repeats), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
