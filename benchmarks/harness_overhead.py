"""Harness overhead per agent turn, against bare inspect with the same scripted provider.

Every configuration runs the same in-process scripted model (no latency, so only CPU is
measured), the same samples (every scenario × `--epochs`, the baseline prompt as system
message) and the same number of model calls per sample (`--turns`):

- harness: archbench's `architect` task as `archbench run` runs it (its garbage-collector
  settings, `evals.collector`, and logging options, `RunSpec.log_options`): the agent's
  tool loop in a copy-on-write workspace (the model calls list_dir / glob / grep /
  read_file, one per turn, then answers with a plan), the repo diff, the five
  deterministic graders and the response cache (on by default; pointed at an empty
  folder, so every call is a miss and a write).
- agent loop: the same without the graders (`eval(score=False)`).
- inspect tools: inspect's own tool loop with archbench's six tool definitions, every
  call answered "ok", inspect's response cache on, with `archbench run`'s settings: the
  least a cached tool-using agent costs inspect (the agent loop minus this is archbench's
  tools and workspace).
- floor (bare): a solver that calls `generate` `--turns` times (the model answers in text,
  a "continue" user message between calls); no tools, no scorer, no cache; inspect's
  default logging and CPython's default collector settings. The same again with `archbench
  run`'s settings is printed too, so the share of the ratio those settings make is in
  plain sight.

Each final answer is the scenario's reference plan plus a line naming the call, so no two
samples share a plan and the graders' per-sample cache cannot hide grading cost. The
clock covers `eval()` (task objects are built before it starts, and one-sample runs warm
imports first); configurations alternate and the median of `--repeats` counts. Ratios
are of process CPU time, which other work on a shared machine does not inflate the way
it inflates wall time (both are printed).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archbench.evals.architect import architect  # noqa: E402
from archbench.evals.tools import DEFAULT_MAX_OUTPUT, READ_TOOLS, WRITE_TOOLS  # noqa: E402
from archbench.evals.toolset import architect_tools  # noqa: E402
from archbench.evals.workspace import RepoWorkspace  # noqa: E402
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
from inspect_ai.tool import ToolCall, ToolChoice, ToolDef, ToolInfo  # noqa: E402

from archbench.core.prompts import BASELINE_PROMPT, load_prompts  # noqa: E402
from archbench.core.scenarios import load_scenarios  # noqa: E402
from benchmarks.run_all import Row, add_json_flag, as_archbench_runs, emit  # noqa: E402

# the agent's exploring turns, in order; the concurrency benchmark replays them too
EXPLORING_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_dir", {"path": "."}),
    ("glob", {"pattern": "**/models.py"}),
    ("grep", {"pattern": r"class \w+\(models\.Model\)", "include": "**/*.py"}),
    ("read_file", {"path": "README.md"}),
]


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


@solver
def constant_tool_loop() -> Solver:
    """inspect's own tool loop with archbench's tool definitions and the response cache, every
    call answered 'ok': what a cached tool-using agent costs inspect, without the workspace,
    real tools or graders."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.tools = constant_tools()
        return await generate(state, tool_calls="loop", cache=True)

    return solve


@functools.cache
def constant_tools() -> list[ToolDef]:
    async def constant(**_: object) -> str:
        return "ok"

    with RepoWorkspace(load_scenarios()[0].repo_path) as workspace:
        real = [ToolDef(tool) for tool in architect_tools(workspace, [*READ_TOOLS, *WRITE_TOOLS], DEFAULT_MAX_OUTPUT)]
    return [ToolDef(constant, name=tool.name, description=tool.description, parameters=tool.parameters) for tool in real]


def load_plans() -> list:
    scenarios = load_scenarios()
    PLANS.update({scenario.request: scenario.reference_plan_text() for scenario in scenarios})
    return scenarios


def bare_task(scenarios: list, turns: int, solver: Solver | None = None) -> Task:
    """The architect task's samples (baseline prompt, each request), with a plain solver and no scorer."""
    prompt = load_prompts([BASELINE_PROMPT])[0]
    samples = [
        Sample(id=scenario.id, input=[ChatMessageSystem(content=prompt.body), ChatMessageUser(content=scenario.request)])
        for scenario in scenarios
    ]
    return Task(dataset=MemoryDataset(samples), solver=solver or bare_turns(turns))


def timed_eval(
    task: Task, turns: int, epochs: int, cache_dir: Path | None, score: bool = True, as_run: bool = False
) -> tuple[float, float]:
    """(wall, CPU) seconds of one eval; CPU is this process's, all threads. `as_run`: with the collector
    and logging settings `archbench run` uses, else inspect's and CPython's defaults."""
    if cache_dir is not None:
        os.environ["INSPECT_CACHE_DIR"] = str(cache_dir)
    with tempfile.TemporaryDirectory(prefix="bench-logs-") as log_dir:
        model = get_model("benchturns/scripted", turns=turns)
        started, started_cpu = time.perf_counter(), time.process_time()
        with as_archbench_runs(as_run) as options:
            (log,) = eval(
                task, model=model, epochs=epochs, log_dir=log_dir, display="none", max_connections=50, score=score,
                **options,
            )
        elapsed = time.perf_counter() - started, time.process_time() - started_cpu
        if log.status != "success":
            raise RuntimeError(f"run failed: {log.error.message if log.error else log.status}")
        errors = [sample.error for sample in log.samples or [] if sample.error]  # samples load lazily from log_dir
        if errors:
            raise RuntimeError(f"{len(errors)} samples errored, e.g. {errors[0].message}")
    return elapsed


def measure(epochs: int, turns: int, repeats: int) -> list[Row]:
    scenarios = load_plans()
    total_turns = len(scenarios) * epochs * turns
    # name -> (task, whether scorers run, whether the response cache is on, archbench run's settings)
    configurations = {
        "harness": (architect(), True, True, True),
        "agent loop": (architect(), False, True, True),
        "inspect tools": (bare_task(scenarios, turns, constant_tool_loop()), True, True, True),
        "bare": (bare_task(scenarios, turns), True, False, False),
        "bare, as archbench runs": (bare_task(scenarios, turns), True, False, True),
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in configurations}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache_root:
        timed_eval(architect(scenario_ids=[scenarios[0].id]), turns, 1, Path(cache_root) / "warmup")
        timed_eval(bare_task(scenarios[:1], turns, constant_tool_loop()), turns, 1, Path(cache_root) / "warmup-tools")
        for repeat in range(repeats):
            for name, (task, score, cache, as_run) in configurations.items():
                cache_dir = Path(cache_root) / f"{name}-{repeat}" if cache else None
                runs[name].append(timed_eval(task, turns, epochs, cache_dir, score, as_run))
            print(f"repeat {repeat + 1}: " + ", ".join(
                f"{name} {runs[name][-1][0]:.2f} s wall / {runs[name][-1][1]:.2f} s CPU" for name in configurations
            ), flush=True)

    def per_turn_ms(name: str, which: int) -> float:
        return statistics.median(run[which] for run in runs[name]) / total_turns * 1000

    def figure(name: str) -> str:
        return f"{per_turn_ms(name, 1):.2f} ms ({per_turn_ms(name, 0):.2f} ms wall)"

    floor = f"{figure('bare')}: bare inspect, same provider and turns"
    size = f"{len(scenarios) * epochs} samples × {turns} turns"
    ratios = {name: per_turn_ms(name, 1) / per_turn_ms("bare", 1) for name in configurations}
    return [
        Row("1 harness overhead", f"CPU per agent turn, archbench task ({size}; tools, workspace, cache, graders)",
            figure("harness"), floor, ratios["harness"], f"<= {TARGET_RATIO}", ratios["harness"] <= TARGET_RATIO),
        Row("1 harness overhead", "same without the graders (agent loop: tools, workspace, cache)",
            figure("agent loop"), floor, ratios["agent loop"], f"<= {TARGET_RATIO}", ratios["agent loop"] <= TARGET_RATIO),
        Row("1 harness overhead", "inspect alone: the same tool calls answered 'ok', response cache on, archbench run's "
            "settings (no archbench code: the least a cached tool-using agent costs)",
            figure("inspect tools"), floor, ratios["inspect tools"]),
        Row("1 harness overhead", "bare inspect with archbench run's collector and logging settings (what they save inspect alone)",
            figure("bare, as archbench runs"), floor, ratios["bare, as archbench runs"]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=4, help="epochs over every scenario (default 4)")
    parser.add_argument("--turns", type=int, default=5, help="model calls per sample (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each side; the median counts (default 3)")
    add_json_flag(parser)
    args = parser.parse_args(argv)
    emit(measure(args.epochs, args.turns, args.repeats), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
