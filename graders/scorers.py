"""Inspect scorers: thin wrappers around `graders.grade.grade_plan`.

Each sample is graded once: the five scorers share a cache keyed by scenario file and
version, plan text and repo diff. The scenario comes from `state.metadata["scenario_file"]`
(or, for `archbench rescore --scenarios DIR`, from `DIR/<metadata["scenario"]>.yaml`).
A sample whose scenario cannot be loaded raises `ScenarioUnavailable`, so inspect records
it as an error instead of a score of 0.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, mean, metric, scorer, stderr
from inspect_ai.scorer._metric import Metric, SampleScore
from inspect_ai.solver import TaskState

from archbench.core.scenarios import Scenario, load_scenario
from archbench.core.strict_yaml import InputError
from archbench.graders.grade import PlanGrade, grade_plan
from archbench.graders.worker import active_worker

SCORER_NAMES = ("scope", "completeness", "conventions", "grounding", "overall")
GRADE_CACHE_SIZE = 256
_scenarios: dict[tuple[str, int], Scenario] = {}
_grades: OrderedDict[tuple[str, int, str, str], PlanGrade] = OrderedDict()


class ScenarioUnavailable(RuntimeError):
    """The sample's scenario cannot be loaded: a harness problem, not a plan to score."""


@metric
def violation_rate() -> Metric:
    """Share of samples (epochs averaged) with at least one scope violation."""

    def compute(scores: list[SampleScore]) -> float:
        if not scores:
            return 0.0
        return sum(1.0 - float(sample.score.as_float()) for sample in scores) / len(scores)

    return compute


def scenario_path(metadata: dict[str, Any], sample_id: object, scenarios_dir: str | Path | None = None) -> Path:
    """Where a sample's scenario file is: `metadata["scenario_file"]`, or `DIR/<metadata["scenario"]>.yaml`."""
    if scenarios_dir is not None:
        scenario_id = metadata.get("scenario")
        if not scenario_id:
            raise ScenarioUnavailable(f"sample {sample_id!r} has no 'scenario' id in its metadata")
        for suffix in (".yaml", ".yml"):
            candidate = Path(scenarios_dir) / f"{scenario_id}{suffix}"
            if candidate.is_file():
                return candidate
        raise ScenarioUnavailable(f"scenario '{scenario_id}' of sample {sample_id!r} not found in {scenarios_dir}")
    scenario_file = metadata.get("scenario_file")
    if not scenario_file:
        raise ScenarioUnavailable(f"sample {sample_id!r} has no 'scenario_file' in its metadata (see docs/formats.md)")
    return Path(scenario_file)


def load_sample_scenario(metadata: dict[str, Any], sample_id: object, scenarios_dir: str | Path | None = None) -> Scenario:
    """A sample's scenario, loaded once per file version; ScenarioUnavailable when it cannot be."""
    path = scenario_path(metadata, sample_id, scenarios_dir)
    try:
        key = (str(path.resolve()), path.stat().st_mtime_ns)
    except OSError as error:
        raise ScenarioUnavailable(f"scenario file {path} of sample {sample_id!r} cannot be read: {error.strerror}") from None
    if key not in _scenarios:
        try:
            _scenarios[key] = load_scenario(path)
        except InputError as error:
            raise ScenarioUnavailable(f"scenario of sample {sample_id!r} is invalid: {error}") from None
    return _scenarios[key]


async def plan_grade(state: TaskState, scenarios_dir: str | Path | None = None) -> PlanGrade:
    """The grade of this sample's plan, computed once and shared by all five scorers: in the run's
    grading worker when one is active (graders/worker.py), else inline."""
    scenario = load_sample_scenario(state.metadata or {}, state.sample_id, scenarios_dir)
    plan = state.output.completion if state.output else ""
    diff = state.store.get("repo_diff")
    if hasattr(diff, "model_dump"):
        diff = diff.model_dump()
    key = (
        str(scenario.source_file),
        scenario.version,
        hashlib.sha256(plan.encode("utf-8", "surrogatepass")).hexdigest(),
        json.dumps(diff, sort_keys=True, default=str),
    )
    grade = _grades.get(key)
    if grade is not None:
        _grades.move_to_end(key)
        return grade
    worker = active_worker()
    if worker is None:
        grade = grade_plan(plan, scenario, diff)
    else:
        grade = await worker.grade(scenario.source_file, plan, diff)  # GradingWorkerError: the sample errors
    _grades[key] = grade
    if len(_grades) > GRADE_CACHE_SIZE:
        _grades.popitem(last=False)
    return grade


def _context(state: TaskState, grade: PlanGrade) -> dict[str, Any]:
    """Which scenario version graded this sample; flags a rubric that changed since the run."""
    context: dict[str, Any] = {"scenario": grade.scenario, "scenario_version": grade.scenario_version}
    recorded = (state.metadata or {}).get("scenario_version")
    if recorded is not None and str(recorded) != str(grade.scenario_version):
        context["run_scenario_version"] = recorded
    if state.store.get("repo_diff") is None:
        context["repo_diff_recorded"] = False
    return context


def _items(grade: PlanGrade, dimension: str) -> list[dict[str, Any]]:
    return [item.to_json() for item in grade.items if item.dimension == dimension]


@scorer(metrics=[mean(), stderr(), violation_rate()])
def scope(scenarios_dir: str | None = None) -> Scorer:
    """1 when the plan has no implementation or frontend code and the agent wrote no file, else 0."""

    async def score(state: TaskState, target: Target) -> Score:
        grade = await plan_grade(state, scenarios_dir)
        explanation = grade.explanations()["scope"]
        if not grade.scope.passed:
            explanation += "\n" + "\n".join(
                f"- [{v.kind}] {'line ' + str(v.line) if v.line is not None else 'repo'}: {v.reason}: {v.evidence}"
                for v in grade.scope.violations
            )
        if state.store.get("repo_diff") is None:
            explanation += "\n(no repo diff recorded: file edits were not checked)"
        return Score(
            value=grade.scores["scope"],
            explanation=explanation,
            metadata={
                **_context(state, grade),
                "violations": [violation.to_json() for violation in grade.scope.violations],
                "violation_kinds": grade.scope.kinds(),
            },
        )

    return score


def _dimension_scorer(dimension: str, scenarios_dir: str | None) -> Scorer:
    async def score(state: TaskState, target: Target) -> Score:
        grade = await plan_grade(state, scenarios_dir)
        items = _items(grade, dimension)
        missing = [item["id"] for item in items if not item["met"]]
        explanation = grade.explanations()[dimension]
        if missing:
            explanation += "\nnot met: " + ", ".join(missing)
        metadata: dict[str, Any] = {**_context(state, grade), "items": items}
        if dimension in grade.not_applicable:
            metadata["not_applicable"] = True
        return Score(value=grade.scores[dimension], explanation=explanation, metadata=metadata)

    return score


@scorer(metrics=[mean(), stderr()])
def completeness(scenarios_dir: str | None = None) -> Scorer:
    """Share of the scenario's rubric the plan covers (each rubric entry weighs the same)."""
    return _dimension_scorer("completeness", scenarios_dir)


@scorer(metrics=[mean(), stderr()])
def conventions(scenarios_dir: str | None = None) -> Scorer:
    """Share of the repo's applicable conventions the plan follows."""
    return _dimension_scorer("conventions", scenarios_dir)


@scorer(metrics=[mean(), stderr()])
def grounding(scenarios_dir: str | None = None) -> Scorer:
    """How well the plan's references to existing code match the repo."""
    return _dimension_scorer("grounding", scenarios_dir)


@scorer(metrics=[mean(), stderr()])
def overall(scenarios_dir: str | None = None) -> Scorer:
    """Weighted mean of completeness, conventions and grounding (graders/weights.yaml), capped on a scope violation."""

    async def score(state: TaskState, target: Target) -> Score:
        grade = await plan_grade(state, scenarios_dir)
        return Score(
            value=grade.scores["overall"],
            explanation=grade.explanations()["overall"],
            metadata={
                **_context(state, grade),
                "scores": grade.scores,
                "weights": grade.weights,
                "applied_weights": grade.overall.applied_weights,
                "relevance": grade.overall.relevance,
                "scope_violation_cap": grade.scope_violation_cap,
                "uncapped": grade.overall.uncapped,
                "capped": grade.overall.capped,
                "not_applicable": grade.not_applicable,
            },
        )

    return score


def architect_scorers(scenarios_dir: str | None = None) -> list[Scorer]:
    """The five deterministic scorers of the architect task, in report order."""
    return [
        scope(scenarios_dir),
        completeness(scenarios_dir),
        conventions(scenarios_dir),
        grounding(scenarios_dir),
        overall(scenarios_dir),
    ]
