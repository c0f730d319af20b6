"""Grading in the run's worker process gives exactly what inline grading gives, and a worker that
fails makes the sample error with a reason instead of scoring it (graders/worker.py)."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archbench.graders.calibrate import load_gold
from archbench.graders.grade import grade_plan
from archbench.graders.worker import GradingWorker, GradingWorkerError, active_worker, grading_worker

ROOT = Path(__file__).resolve().parents[2]
REPO_DIFF = {"created": ["backend/app/new.py"], "modified": [], "deleted": [], "frontend": [], "backend": ["backend/app/new.py"]}


def gold_cases():
    return load_gold(ROOT / "gold", ROOT / "scenarios").cases


def test_worker_grades_every_gold_plan_exactly_as_inline_grading_does():
    cases = gold_cases()
    assert len(cases) >= 100

    async def through_worker(worker):
        return await asyncio.gather(*(worker.grade(case.scenario.source_file, case.plan_text, REPO_DIFF) for case in cases))

    with grading_worker() as worker:
        assert active_worker() is worker
        graded = asyncio.run(through_worker(worker))
    assert active_worker() is None
    for case, remote in zip(cases, graded):
        inline = grade_plan(case.plan_text, case.scenario, REPO_DIFF)
        assert remote == inline, case.id
        assert json.dumps(remote.to_json(), sort_keys=True) == json.dumps(inline.to_json(), sort_keys=True), case.id


def test_a_grading_error_in_the_worker_is_an_error_with_its_reason(tmp_path):
    worker = GradingWorker()
    try:
        future = worker.submit(tmp_path / "missing.yaml", "# Plan", None)
        with pytest.raises(GradingWorkerError, match="grading failed: .*missing.yaml"):
            future.result(timeout=60)
        # the worker survives a failed plan
        case = gold_cases()[0]
        assert worker.submit(case.scenario.source_file, case.plan_text, None).result(timeout=60).scenario == case.scenario.id
    finally:
        worker.close()


def test_a_worker_that_dies_fails_its_pending_plans_and_the_next_plan_starts_a_new_one():
    cases = gold_cases()
    worker = GradingWorker()
    try:
        worker.start()
        first = worker.pid
        # seconds of grading queued, then the worker is killed under it: what it had not answered fails
        pending = [worker.submit(case.scenario.source_file, case.plan_text, None) for case in cases]
        os.kill(first, signal.SIGKILL)
        failures = []
        for future in pending:
            try:
                future.result(timeout=60)
            except GradingWorkerError as error:
                failures.append(str(error))
        assert failures and all("exited" in failure for failure in failures), failures[:3]
        case = cases[0]
        assert worker.submit(case.scenario.source_file, case.plan_text, None).result(timeout=60).scenario == case.scenario.id
        assert worker.pid != first
    finally:
        worker.close()
    assert worker.pid is None


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    """multiprocessing's spawn and forkserver would import the user's script again in the worker."""
    marker = tmp_path / "ran.txt"
    case = gold_cases()[0]
    script = tmp_path / "embed.py"
    script.write_text(textwrap.dedent(f"""
        from pathlib import Path
        from archbench.graders.worker import grading_worker
        with open({str(marker)!r}, "a") as out:
            out.write("ran\\n")
        with grading_worker() as worker:
            grade = worker.submit(Path({str(case.scenario.source_file)!r}), {case.plan_text!r}, None).result(timeout=120)
        print(grade.scenario)
    """))
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == case.scenario.id
    assert marker.read_text() == "ran\n"


def test_the_worker_exits_when_its_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        from archbench.graders.worker import GradingWorker
        worker = GradingWorker()
        worker.start()
        print(worker.pid, flush=True)
        time.sleep(600)
    """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        if Path(f"/proc/{child}/status").is_file() and "zombie" in Path(f"/proc/{child}/status").read_text():
            return
        asyncio.run(asyncio.sleep(0.1))
    pytest.fail(f"grading worker {child} outlived its parent")


@pytest.mark.parametrize("use_worker", [True, False])
def test_archbench_run_grades_in_a_worker_unless_told_not_to(monkeypatch, tmp_path, use_worker):
    """`run_matrix` wraps the eval set in `grading_worker()`; `RunSpec(grading_worker=False)` grades inline."""
    from archbench.app import run as run_module

    seen = []

    def fake_eval_set(**_):
        seen.append(active_worker())
        raise RuntimeError("stop here")

    monkeypatch.setattr(run_module, "eval_set", fake_eval_set)
    spec = run_module.RunSpec(models=["archbench/reference"], scenario_ids=["notifications"], log_dir=tmp_path,
                              grading_worker=use_worker)
    with pytest.raises(RuntimeError, match="stop here"):
        run_module.run_matrix(spec, display="none")
    assert len(seen) == 1 and (seen[0] is not None) == use_worker
    assert active_worker() is None
