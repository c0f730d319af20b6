"""Harness overhead per agent turn, against inspect's own tool loop with the same scripted provider.

Every configuration runs the same in-process scripted model (no latency, so only CPU is
measured), the same samples (every scenario × `--epochs`, the baseline prompt as system
message) and the same number of model calls per sample (`--turns`):

- harness: archbench's `architect` task as `archbench run` runs it (its garbage-collector
  settings, `archbench.core.collector`, logging options, `RunSpec.log_options`, and its grading
  worker, `grading_worker()` from graders/worker.py): the agent's tool loop in a copy-on-write
  workspace (the model calls list_dir / glob / grep / read_file, one per turn, then answers
  with a plan), the repo diff, the five deterministic graders (in the worker process) and the
  response cache (on by default; pointed at an empty folder, so every call is a miss and a
  write). Two CPU figures: this process's (what competes with the model connections) and
  this process's plus the worker's (read from the OS for the worker's pid, over the same
  interval). Each timed run gets a fresh worker, warmed off the clock with every scenario's
  reference plan (its repo-facts caches filled, as this process's are for inline grading).
- harness, grading inline: the same with the graders on the event loop (how `grade`,
  `rescore` and tests grade, and how `archbench run` graded before the worker).
- agent loop: the same without the graders (`eval(score=False)`).
- inspect tools (the floor of issue 19): inspect's own tool loop with twins of the tools the
  agent is offered (archbench's six, and Bash where it can run), each call answered at once
  with what archbench's tool answered for it on the sample's repo (recorded before the clock
  starts), inspect's response cache on, with
  `archbench run`'s settings: the agent loop's transcript at the least a cached tool-using agent
  costs inspect (the agent loop minus this is archbench's tools, workspace and agent loop). Until
  session 6 the floor answered "ok" through `ToolDef`s, which inspect re-describes (deep-copying
  their schemas) on every call: a floor about 15 % too high, with transcripts far smaller than
  the agent's.
- inspect tools + scores: the same with archbench's five scorers, each handed the grade of the
  sample's plan computed before the run instead of grading: what inspect costs
  to record five scores with archbench's explanations and metadata, the least the scoring of a
  sample costs this process whoever grades.
- bare: a solver that calls `generate` `--turns` times (the model answers in text, a
  "continue" user message between calls); no tools, no scorer, no cache; inspect's default
  logging and CPython's default collector settings (the floor of the issue before); the same
  again with `archbench run`'s settings.

Each final answer is the scenario's reference plan plus a line naming the call, so no two
samples share a plan and the graders' per-sample cache cannot hide grading cost. The
clock covers `eval()` (task objects are built before it starts, and one-sample runs warm
imports first); configurations alternate, their order rotated by one each repeat (so none
always follows the same other), and the median of `--repeats` counts; each repeat's own
ratio to the floor is printed beside it, to show the spread. Ratios are of process CPU time,
which other work on a shared machine does not inflate the way it inflates wall time (both
are printed).

`--pairs N` then runs N sets of (agent loop, harness, floor) back to back, their order rotated,
and reports the median of each set's own ratio with a 95% bootstrap interval: on a shared host
the repeats' ratios spread widely, and a set's runs share its drift.

A last row times archbench's tools alone: the same exploring calls on a fresh workspace per
sample, called directly without inspect: the real work (listing, reading and searching the
repo) that the floor's recorded answers skip.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import inspect
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from inspect_ai.tool import Tool, ToolCall, ToolChoice, ToolDef, ToolInfo, tool  # noqa: E402

from archbench.core.prompts import BASELINE_PROMPT, load_prompts  # noqa: E402
from archbench.core.scenarios import load_scenarios  # noqa: E402
from archbench.evals.architect import architect  # noqa: E402
from archbench.evals.tools import DEFAULT_MAX_OUTPUT, READ_TOOLS  # noqa: E402
from archbench.evals.toolset import architect_tools, offered_tools  # noqa: E402
from archbench.evals.workspace import RepoWorkspace  # noqa: E402
from archbench.graders.scorers import architect_scorers  # noqa: E402
from benchmarks.run_all import (  # noqa: E402
    Row,
    add_json_flag,
    as_archbench_runs,
    emit,
    grading,
    load_average,
    median_interval,
    process_cpu_seconds,
)

# the agent's exploring turns, in order; the concurrency benchmark replays them too
EXPLORING_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_dir", {"path": "."}),
    ("glob", {"pattern": "**/models.py"}),
    ("grep", {"pattern": r"class \w+\(models\.Model\)", "include": "**/*.py"}),
    ("read_file", {"path": "README.md"}),
]


TARGET_AGENT_LOOP = 1.10  # agent turn without grading, against inspect's own tool loop (issue 19)
TARGET_WITH_GRADING = 1.3  # agent turn including grading, against the same floor
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
def recorded_tool_loop() -> Solver:
    """inspect's own tool loop with archbench's tool definitions and the response cache, each call
    answered at once with what archbench's tool returned for it on the sample's repo (recorded before
    the clock starts, `record_tool_answers`): the agent loop's transcript, without the workspace or
    the tools' work."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.tools = RECORDED_TOOLS[str(state.sample_id)]
        return await generate(state, tool_calls="loop", cache=True)

    return solve


# scenario id -> tools answering with archbench's recorded results; filled by `record_tool_answers`
RECORDED_TOOLS: dict[str, list[Tool]] = {}


def record_tool_answers(scenarios: list) -> None:
    """Run the exploring calls once per scenario with archbench's real tools and keep, per scenario,
    twins of the tools the agent is offered that give back those answers."""

    # the tools the agent is offered here (Bash too where it can run): each one's schema goes with every model call
    offered = offered_tools(load_prompts([BASELINE_PROMPT])[0])[0]

    async def record(scenario) -> None:
        with RepoWorkspace(scenario.repo_path, scenario.repo_config.frontend_dirs, hidden=scenario.hidden_repo_files) as workspace:
            real = architect_tools(workspace, offered, DEFAULT_MAX_OUTPUT)
            by_name = {ToolDef(tool).name: tool for tool in real}
            answers = {
                (name, _key(by_name[name], arguments)): await by_name[name](**arguments) for name, arguments in EXPLORING_CALLS
            }
        RECORDED_TOOLS[scenario.id] = [answering_from(tool, answers) for tool in real]

    async def record_all() -> None:
        for scenario in scenarios:
            if scenario.id not in RECORDED_TOOLS:
                await record(scenario)

    asyncio.run(record_all())


def _key(real: Tool, arguments: dict[str, Any]) -> str:
    """The call's arguments with the tool's defaults filled in (inspect passes them, the script does not)."""
    bound = inspect.signature(real).bind(**arguments)
    bound.apply_defaults()
    return json.dumps(bound.arguments, sort_keys=True)


def answering_from(real: Tool, answers: dict[tuple[str, str], str]) -> Tool:
    """A `@tool` with `real`'s name, signature and docstring that answers from `answers` by name and
    arguments (a call not recorded fails the sample, and so the benchmark). Declared as archbench's
    tools are, so inspect reads its schema once: a `ToolDef` with explicit parameters (this floor's
    tools until session 6, which answered "ok") is re-described on every model call, and inspect
    deep-copies its parameter schema each time, about 1.3 s of profiled CPU over 52 samples."""
    definition = ToolDef(real)

    @tool(name=definition.name, parallel=definition.parallel)
    def twin() -> Tool:
        async def execute(**arguments: object) -> str:
            key = (definition.name, _key(real, arguments))
            if key not in answers:
                raise RuntimeError(f"no recorded answer for {key}")
            return answers[key]

        execute.__signature__ = inspect.signature(real)  # type: ignore[attr-defined]
        execute.__doc__ = real.__doc__
        execute.__annotations__ = dict(real.__annotations__)
        return execute

    return twin()


def load_plans() -> list:
    scenarios = load_scenarios()
    PLANS.update({scenario.request: scenario.reference_plan_text() for scenario in scenarios})
    return scenarios


@contextlib.contextmanager
def canned_grades(scenarios: list) -> Iterator[None]:
    """Inside: archbench's scorers get the grade of each sample's plan computed beforehand (the floor's
    samples are named by scenario) instead of grading it: what the scores record is what grading
    would give, evidence of each plan's own size included."""
    from archbench.graders import scorers
    from archbench.graders.grade import grade_plan

    grades = {scenario.id: grade_plan(scenario.reference_plan_text(), scenario, None) for scenario in scenarios}

    async def canned(state: TaskState, scenarios_dir: str | None = None):
        return grades[str(state.sample_id)]

    original, scorers.plan_grade = scorers.plan_grade, canned
    try:
        yield
    finally:
        scorers.plan_grade = original


def bare_task(scenarios: list, turns: int, solver: Solver | None = None, scorer: list | None = None) -> Task:
    """The architect task's samples (baseline prompt, each request), with a plain solver and no scorer."""
    prompt = load_prompts([BASELINE_PROMPT])[0]
    samples = [
        Sample(id=scenario.id, input=[ChatMessageSystem(content=prompt.body), ChatMessageUser(content=scenario.request)])
        for scenario in scenarios
    ]
    return Task(dataset=MemoryDataset(samples), solver=solver or bare_turns(turns), scorer=scorer)


def warm_worker(worker, scenarios: list) -> None:
    """Grade every scenario's reference plan in the worker, off the clock: its imports done and its
    per-repo caches filled, as this process's are for inline grading after the warm-up runs."""
    futures = [worker.submit(scenario.source_file, scenario.reference_plan_text(), None) for scenario in scenarios]
    for future in futures:
        future.result(timeout=300)


def timed_eval(
    task: Task, turns: int, epochs: int, cache_dir: Path | None, score: bool = True, as_run: bool = False,
    grading_mode: str = "inline", scenarios: list | None = None, canned: bool = False,
) -> tuple[float, float, float]:
    """(wall, CPU, worker CPU) seconds of one eval; CPU is this process's, all threads; worker CPU the
    grading worker's over the same interval (0 without one). `as_run`: with the collector and logging
    settings `archbench run` uses, else inspect's and CPython's defaults. `grading_mode`: "worker" grades
    in a grading worker exactly as `archbench run` does, "inline" on the event loop."""
    if cache_dir is not None:
        os.environ["INSPECT_CACHE_DIR"] = str(cache_dir)
    with tempfile.TemporaryDirectory(prefix="bench-logs-") as log_dir, grading(grading_mode) as worker, (
        canned_grades(scenarios or []) if canned else contextlib.nullcontext()
    ):
        if worker is not None:
            warm_worker(worker, scenarios or [])
        pid = worker.pid if worker is not None else None
        model = get_model("benchturns/scripted", turns=turns)
        worker_started = process_cpu_seconds(pid)
        started, started_cpu = time.perf_counter(), time.process_time()
        with as_archbench_runs(as_run) as options:
            (log,) = eval(
                task, model=model, epochs=epochs, log_dir=log_dir, display="none", max_connections=50, score=score,
                **options,
            )
        elapsed = time.perf_counter() - started, time.process_time() - started_cpu, process_cpu_seconds(pid) - worker_started
        if worker is not None and worker.pid != pid:
            raise RuntimeError("the grading worker was restarted during the run")
        if log.status != "success":
            raise RuntimeError(f"run failed: {log.error.message if log.error else log.status}")
        errors = [sample.error for sample in log.samples or [] if sample.error]  # samples load lazily from log_dir
        if errors:
            raise RuntimeError(f"{len(errors)} samples errored, e.g. {errors[0].message}")
    return elapsed


def plans_parse_seconds(scenarios: list, epochs: int) -> float:
    """CPU seconds of markdown-it's parse (CommonMark + tables, grading.py's floor) of every plan the
    run grades: each scenario's reference plan with its revision line, `epochs` times."""
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark").enable("table")
    texts = [PLANS[scenario.request] + f"\n\nPlan revision {index}.\n" for index, scenario in enumerate(scenarios * epochs)]
    # under the collector settings every run above has: with CPython's defaults the first full collection
    # after the runs (each unfreezes what `run_collector` froze) fell inside this loop once, after
    # --pairs 40: 17.9 ms a turn against 0.7 (reproduced: 5.5 against 0.65 ms after five freeze rounds)
    with as_archbench_runs():
        started = time.process_time()
        for text in texts:
            markdown.parse(text)
        return time.process_time() - started


def tool_work_seconds(scenarios: list, epochs: int, turns: int) -> float:
    """CPU seconds of the exploring calls the scripted model makes, on a fresh workspace per sample
    as the agent makes it, the tools called directly: what archbench's tools themselves cost."""

    async def explore() -> None:
        for scenario in scenarios * epochs:
            with RepoWorkspace(scenario.repo_path, scenario.repo_config.frontend_dirs, hidden=scenario.hidden_repo_files) as workspace:
                tools = dict(zip([*READ_TOOLS], architect_tools(workspace, [*READ_TOOLS], DEFAULT_MAX_OUTPUT)))
                for turn in range(turns - 1):
                    name, arguments = EXPLORING_CALLS[turn % len(EXPLORING_CALLS)]
                    await tools[name](**arguments)

    started = time.process_time()
    asyncio.run(explore())
    return time.process_time() - started


def set_ratios(scenarios: list, epochs: int, turns: int, pairs: int, cache_root: Path) -> dict[str, list[float]]:
    """The agent loop's CPU and the harness's (graded in the worker: this process's, and with the worker's)
    over the floor's, the three run back to back (their order rotated each time): drift on a shared
    machine between the repeats of the main table moves every run of a set alike."""
    agent, harness, floor = architect(), architect(), bare_task(scenarios, turns, recorded_tool_loop())
    sides = [("agent loop", agent, False, "none"), ("harness", harness, True, "worker"), ("inspect tools", floor, True, "none")]
    ratios: dict[str, list[float]] = {"agent loop": [], "harness": [], "harness total": []}
    for name, task, score, mode in sides:  # a task object's first run pays one-off costs (up to 3× a later one's CPU)
        timed_eval(task, turns, 1, cache_root / f"set-warmup-{name}", score, True, mode, scenarios)
    for index in range(pairs):
        runs = {
            name: timed_eval(task, turns, epochs, cache_root / f"set-{name}-{index}", score, True, mode, scenarios)
            for name, task, score, mode in sides[index % 3 :] + sides[: index % 3]
        }
        floor_cpu = runs["inspect tools"][1]
        ratios["agent loop"].append(runs["agent loop"][1] / floor_cpu)
        ratios["harness"].append(runs["harness"][1] / floor_cpu)
        ratios["harness total"].append((runs["harness"][1] + runs["harness"][2]) / floor_cpu)
    return ratios


PAIRED_FIGURES = {
    "agent loop": "agent turn, no grading",
    "harness": "agent turn including grading, graded in the worker: this process's CPU",
    "harness total": "same, total CPU (this process's + the worker's)",
}


def paired_row(name: str, ratios: list[float], target: float) -> Row:
    median, (low, high) = statistics.median(ratios), median_interval(ratios)
    return Row(
        "1 harness overhead",
        f"{PAIRED_FIGURES[name]}: {len(ratios)} sets (agent loop, harness, floor) run back to back, their order rotated; "
        f"median of each set's ratio (range {min(ratios):.2f}–{max(ratios):.2f}; 95% bootstrap interval of the median "
        f"{low:.2f}–{high:.2f})",
        f"{median:.2f}", "the floor, in the same set", median, f"<= {target:.2f}", median <= target,
    )


def measure(epochs: int, turns: int, repeats: int, pairs: int = 0) -> list[Row]:
    scenarios = load_plans()
    record_tool_answers(scenarios)
    total_turns = len(scenarios) * epochs * turns
    # name -> (task, whether scorers run, whether the response cache is on, archbench run's settings, grading)
    configurations = {
        "harness": (architect(), True, True, True, "worker"),
        "harness, grading inline": (architect(), True, True, True, "inline"),
        "agent loop": (architect(), False, True, True, "none"),
        "inspect tools": (bare_task(scenarios, turns, recorded_tool_loop()), True, True, True, "none"),
        "inspect tools + scores": (
            bare_task(scenarios, turns, recorded_tool_loop(), architect_scorers()), True, True, True, "canned"
        ),
        "bare": (bare_task(scenarios, turns), True, False, False, "none"),
        "bare, as archbench runs": (bare_task(scenarios, turns), True, False, True, "none"),
    }
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in configurations}
    tools_alone: list[float] = []
    loads = [load_average()]
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache_root:
        timed_eval(architect(scenario_ids=[scenarios[0].id]), turns, 1, Path(cache_root) / "warmup")
        timed_eval(architect(scenario_ids=[scenarios[0].id]), turns, 1, Path(cache_root) / "warmup-worker",
                   grading_mode="worker", scenarios=scenarios[:1])
        timed_eval(bare_task(scenarios[:1], turns, recorded_tool_loop()), turns, 1, Path(cache_root) / "warmup-tools")
        names = list(configurations)
        for repeat in range(repeats):
            # rotated each repeat, so no configuration always runs right after the same other one
            for name in names[repeat % len(names) :] + names[: repeat % len(names)]:
                task, score, cache, as_run, mode = configurations[name]
                cache_dir = Path(cache_root) / f"{name}-{repeat}" if cache else None
                runs[name].append(timed_eval(task, turns, epochs, cache_dir, score, as_run, "none" if mode == "canned" else mode,
                                             scenarios, canned=mode == "canned"))
            tools_alone.append(tool_work_seconds(scenarios, epochs, turns))
            loads.append(load_average())
            print(f"repeat {repeat + 1} (load average {loads[-1]:.1f}): " + ", ".join(
                f"{name} {runs[name][-1][0]:.2f} s wall / {runs[name][-1][1]:.2f} s CPU"
                + (f" + {runs[name][-1][2]:.2f} s worker CPU" if runs[name][-1][2] else "")
                for name in configurations
            ), flush=True)
        ratios_by_side = set_ratios(scenarios, epochs, turns, pairs, Path(cache_root)) if pairs else {}

    def per_turn_ms(name: str, which: int) -> float:
        return statistics.median(run[which] for run in runs[name]) / total_turns * 1000

    def total_ms(name: str) -> float:
        return statistics.median(run[1] + run[2] for run in runs[name]) / total_turns * 1000

    def figure(name: str) -> str:
        return f"{per_turn_ms(name, 1):.2f} ms ({per_turn_ms(name, 0):.2f} ms wall)"

    floor_ms = per_turn_ms("inspect tools", 1)
    floor = f"{figure('inspect tools')}: inspect's own tool loop, same calls and answers (recorded), cache on, archbench run's settings"
    bare_floor = f"{figure('bare')}: bare inspect, same provider and turns"
    size = f"{len(scenarios) * epochs} samples × {turns} turns, median of {repeats}"
    agent = per_turn_ms("agent loop", 1) / floor_ms
    main_cpu = per_turn_ms("harness", 1) / floor_ms
    total_cpu = total_ms("harness") / floor_ms
    inline = per_turn_ms("harness, grading inline", 1) / floor_ms
    def per_repeat(name: str) -> str:
        return " / ".join(f"{run[1] / base[1]:.2f}" for run, base in zip(runs[name], runs["inspect tools"]))

    tools_ms = statistics.median(tools_alone) / total_turns * 1000
    parse_ms = plans_parse_seconds(scenarios, epochs) / total_turns * 1000
    print(f"load average during the runs: {min(loads):.1f}-{max(loads):.1f}", flush=True)
    return [
        Row("1 harness overhead", f"agent turn, no grading: archbench's agent loop (tools, workspace, cache; {size}; "
            f"each repeat's ratio {per_repeat('agent loop')})",
            figure("agent loop"), floor, agent, f"<= {TARGET_AGENT_LOOP:.2f}", agent <= TARGET_AGENT_LOOP),
        *[paired_row(name, ratios_by_side[name], target) for name, target in (
            ("agent loop", TARGET_AGENT_LOOP), ("harness", TARGET_WITH_GRADING), ("harness total", TARGET_WITH_GRADING),
        ) if ratios_by_side],
        Row("1 harness overhead", "the tools' own work: the same exploring calls on a fresh workspace per sample, "
            "called directly (no inspect); the agent loop's excess over the floor for comparison",
            f"{tools_ms:.2f} ms", f"{per_turn_ms('agent loop', 1) - floor_ms:.2f} ms: agent loop minus the floor",
            tools_ms / excess if (excess := per_turn_ms("agent loop", 1) - floor_ms) > 0 else None),
        Row("1 harness overhead", "agent turn including grading, graded in the worker as `archbench run` does: "
            "this process's CPU (what competes with the connections)",
            figure("harness"), floor, main_cpu, f"<= {TARGET_WITH_GRADING}", main_cpu <= TARGET_WITH_GRADING),
        Row("1 harness overhead", f"same, total CPU: this process's plus the grading worker's (each repeat's ratio of this "
            f"process's CPU {per_repeat('harness')})",
            f"{total_ms('harness'):.2f} ms ({per_turn_ms('harness', 2):.2f} ms of it in the worker)", floor, total_cpu,
            f"<= {TARGET_WITH_GRADING}", total_cpu <= TARGET_WITH_GRADING),
        Row("1 harness overhead", "same with grading inline, on the event loop (grade, rescore, tests; archbench run before the worker)",
            figure("harness, grading inline"), floor, inline, f"<= {TARGET_WITH_GRADING}", inline <= TARGET_WITH_GRADING),
        Row("1 harness overhead", "inspect's tool loop (the floor) + archbench's five scorers handed a precomputed grade: "
            "what recording five scores costs inspect, whoever grades",
            figure("inspect tools + scores"), floor, per_turn_ms("inspect tools + scores", 1) / floor_ms),
        Row("1 harness overhead", "markdown-it parse of the plans graded (grading's own floor, benchmark 3), per turn; "
            "with the five scores recorded (the row above), what grading at 1× / 3× parse would make the total",
            f"{parse_ms:.2f} ms", floor,
            (per_turn_ms("inspect tools + scores", 1) + parse_ms) / floor_ms,
            f"3×: {(per_turn_ms('inspect tools + scores', 1) + 3 * parse_ms) / floor_ms:.2f}"),
        Row("1 harness overhead", "inspect's own tool loop (the floor above) against bare inspect with inspect's defaults",
            figure("inspect tools"), bare_floor, floor_ms / per_turn_ms("bare", 1)),
        Row("1 harness overhead", "bare inspect with archbench run's collector and logging settings (what they save inspect alone)",
            figure("bare, as archbench runs"), bare_floor, per_turn_ms("bare, as archbench runs", 1) / per_turn_ms("bare", 1)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=4, help="epochs over every scenario (default 4)")
    parser.add_argument("--turns", type=int, default=5, help="model calls per sample (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each side; the median counts (default 3)")
    parser.add_argument("--pairs", type=int, default=0,
                        help="then this many sets (agent loop, harness, floor) back to back; prints the median of their ratios")
    add_json_flag(parser)
    args = parser.parse_args(argv)
    emit(measure(args.epochs, args.turns, args.repeats, args.pairs), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
