"""The inspect scorers end to end: scripted plans through eval(), errors for broken scenarios, rescoring."""

import hashlib
from pathlib import Path

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.log import read_eval_log, write_eval_log
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import includes
from inspect_ai.solver import Generate, TaskState, solver

import archbench.graders.grade as grade_module
import archbench.graders.scorers as scorers_module
from archbench.core.strict_yaml import InputError
from archbench.graders.rescore import rescore_logs, rescored_path
from archbench.graders.scorers import SCORER_NAMES, architect_scorers
from archbench.graders.verdicts import ItemVerdict

FIXTURES = Path(__file__).parent / "fixtures"
SCENARIO_FILE = FIXTURES / "bell_scenarios" / "bell-alerts.yaml"
REFERENCE = (FIXTURES / "bell_scenarios" / "references" / "bell-alerts.md").read_text()
NO_CHANGES = {"created": [], "modified": [], "deleted": [], "frontend": [], "backend": []}
FRONTEND_WRITE = {**NO_CHANGES, "created": ["frontend/app/components/Bell.vue"], "frontend": ["frontend/app/components/Bell.vue"]}


class FakeGrounding:
    score = 0.5
    items = [ItemVerdict("alert-model-exists", "grounding", True, "`Alert`", 3, "the plan's Alert is the repo's")]
    explanation = "1/1 references resolve"
    references = 1


@pytest.fixture(autouse=True)
def fixed_conventions_and_grounding(monkeypatch):
    """Those graders have their own tests; the scorers only have to carry their results."""
    monkeypatch.setattr(grade_module, "_real_conventions", lambda plan, scenario: [])
    monkeypatch.setattr(grade_module, "_real_grounding", lambda plan, scenario: FakeGrounding())
    scorers_module._grades.clear()


@solver
def record_diff():
    """Stands in for the architect agent's workspace: answer, then record the sample's repo diff."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state = await generate(state)
        state.store.set("repo_diff", state.metadata["diff"])
        return state

    return solve


def sample(sample_id, diff=NO_CHANGES, scenario_file=SCENARIO_FILE):
    metadata = {"scenario": "bell-alerts", "scenario_version": 1, "diff": diff}
    if scenario_file is not None:
        metadata["scenario_file"] = str(scenario_file)
    return Sample(id=sample_id, input="Users want to mark alerts as read.", target="AlertReceipt", metadata=metadata)


def scripted(plan):
    # usage given, so that mockllm does not download a tiktoken encoding to count tokens
    output = ModelOutput.from_content("mockllm/model", plan)
    output.usage = ModelUsage(input_tokens=10, output_tokens=len(plan) // 4, total_tokens=10 + len(plan) // 4)
    return output


def run(samples, plans, tmp_path, extra_scorers=()):
    model = get_model("mockllm/model", custom_outputs=[scripted(plan) for plan in plans])
    task = Task(dataset=MemoryDataset(samples), solver=[record_diff()], scorer=[*architect_scorers(), *extra_scorers])
    (log,) = eval(task, model=model, log_dir=str(tmp_path), display="none")
    return log


def test_scripted_plans_are_scored_with_explanations_and_evidence(tmp_path):
    samples = [sample("good"), sample("code"), sample("meddler", diff=FRONTEND_WRITE)]
    log = run(samples, [REFERENCE, "Here is the view:\n\ndef mark_read(request):\n    return None\n", REFERENCE], tmp_path)
    assert log.status == "success"
    scores = {s.id: s.scores for s in log.samples}
    for sample_scores in scores.values():
        assert set(sample_scores) == set(SCORER_NAMES)
        assert all(score.explanation for score in sample_scores.values())
    good, code, meddler = scores["good"], scores["code"], scores["meddler"]
    assert good["scope"].value == 1.0 and good["completeness"].value == 1.0
    assert good["completeness"].metadata["items"][0]["evidence"]
    assert good["overall"].value == pytest.approx((0.5 * 1.0 + 0.3 * 0.5) / 0.8)
    assert good["conventions"].metadata["not_applicable"] is True
    assert good["grounding"].metadata["items"][0]["id"] == "alert-model-exists"
    assert code["scope"].value == 0.0
    (violation,) = code["scope"].metadata["violations"]
    assert violation["kind"] == "implementation_code" and violation["line"] == 3
    assert "def mark_read" in violation["evidence"] and "line 3" in code["scope"].explanation
    assert meddler["scope"].metadata["violation_kinds"] == ["frontend_edit"]
    assert meddler["overall"].value == pytest.approx(0.3) and meddler["overall"].metadata["capped"] is True
    metrics = {score.name: score.metrics for score in log.results.scores}
    assert metrics["scope"]["violation_rate"].value == pytest.approx(2 / 3)
    assert set(metrics["completeness"]) >= {"mean", "stderr"}


def test_five_scorers_grade_each_plan_once(tmp_path, monkeypatch):
    calls = []
    real = scorers_module.grade_plan

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(scorers_module, "grade_plan", counting)
    run([sample("one"), sample("two")], [REFERENCE, "# other plan"], tmp_path)
    assert len(calls) == 2


@pytest.mark.parametrize(
    "scenario_file, message",
    [
        pytest.param(None, "no 'scenario_file'", id="missing-metadata"),
        pytest.param(FIXTURES / "bell_scenarios" / "gone.yaml", "cannot be read", id="missing-file"),
    ],
)
def test_unloadable_scenario_is_a_sample_error_not_a_zero(tmp_path, scenario_file, message):
    log = run([sample("broken", scenario_file=scenario_file)], [REFERENCE], tmp_path)
    (broken,) = log.samples
    assert broken.error is not None and message in broken.error.message
    assert not broken.scores


def test_rescore_writes_a_new_log_with_current_grades_and_keeps_other_scores(tmp_path):
    log = run([sample("good"), sample("code")], [REFERENCE, "import os\n"], tmp_path, extra_scorers=[includes()])
    original = Path(log.location)
    # pretend an older grader had scored the good plan badly
    stale = read_eval_log(str(original))
    stale_good = next(s for s in stale.samples if s.id == "good")
    stale_good.scores["completeness"].value = 0.1
    write_eval_log(stale, str(original))
    before = hashlib.sha256(original.read_bytes()).hexdigest()

    (written,) = rescore_logs([original], None)

    assert written == rescored_path(original) and written.parent.name == original.parent.name + "-rescored"
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before
    rescored = read_eval_log(str(written))
    by_id = {s.id: s.scores for s in rescored.samples}
    assert by_id["good"]["completeness"].value == 1.0
    assert by_id["code"]["scope"].value == 0.0
    assert set(by_id["good"]) == {*SCORER_NAMES, "includes"}
    assert by_id["good"]["includes"].value == stale_good.scores["includes"].value == "C"
    assert rescored.eval.metadata["archbench_rescored_from"] == str(original)
    assert {score.name for score in rescored.results.scores} == {*SCORER_NAMES, "includes"}


def test_rescore_by_scenario_id_when_scenario_files_moved(tmp_path):
    log = run([sample("good")], [REFERENCE], tmp_path)
    original = Path(log.location)
    moved = read_eval_log(str(original))
    moved.samples[0].metadata["scenario_file"] = "/nowhere/bell-alerts.yaml"
    write_eval_log(moved, str(original))
    with pytest.raises(InputError, match="--scenarios"):
        rescore_logs([original], None)
    (written,) = rescore_logs([tmp_path], FIXTURES / "bell_scenarios")
    assert read_eval_log(str(written)).samples[0].scores["completeness"].value == 1.0


def test_rescore_leaves_errored_samples_as_errors(tmp_path):
    log = run([sample("good"), sample("broken", scenario_file=None)], [REFERENCE, REFERENCE], tmp_path)
    (written,) = rescore_logs([Path(log.location)], FIXTURES / "bell_scenarios")
    rescored = {s.id: s for s in read_eval_log(str(written)).samples}
    assert rescored["broken"].error is not None and not rescored["broken"].scores
    assert rescored["good"].scores["scope"].value == 1.0


@pytest.mark.parametrize(
    "name, content",
    [pytest.param("notes.txt", "hi", id="not-a-log"), pytest.param("bad.json", "{", id="corrupt-log")],
)
def test_rescore_bad_input(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError):
        rescore_logs([path], None)
