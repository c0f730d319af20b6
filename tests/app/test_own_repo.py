"""From a Django project nobody here wrote to a first report, offline, with the commands of
docs/own-repo.md: repo init → scenario new → rubric draft → rubric check → run → report (issue 17).

The repo is the vendored django-styleguide-example, copied without archbench's conventions file, as
a user would bring it; the conventions file is drafted outside it. The reference plan
(tests/fixtures/own_repo/user-data-export.md) was written against the repo before the drafter ran.
"""

import json
import shutil
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log

from archbench.app.cli import main
from archbench.core.repo_config import CONVENTIONS_FILE, load_repo_config
from archbench.core.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "tests" / "fixtures" / "real_repos" / "django-styleguide-example"
PLAN = ROOT / "tests" / "fixtures" / "own_repo" / "user-data-export.md"
REQUEST = "Users need to export their own data: they ask for an export, we build a file in the background and email them a download link."


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("own-repo")
    repo = work / "django-styleguide-example"
    shutil.copytree(VENDORED, repo)
    (repo / CONVENTIONS_FILE).unlink()  # a user's repo has no archbench file
    return work


def run(capsys, *argv) -> tuple[int, str]:
    code = main([str(arg) for arg in argv])
    return code, capsys.readouterr().out


def test_repo_init_then_scenario_rubric_run_report(workdir, capsys, monkeypatch):
    monkeypatch.chdir(workdir)
    repo = Path("django-styleguide-example")

    code, out = run(capsys, "repo", "init", repo)
    conventions = Path("conventions/django-styleguide-example.yaml")
    assert code == 0, out
    assert conventions.is_file() and not (repo / CONVENTIONS_FILE).exists()
    config = load_repo_config(repo.resolve(), conventions.resolve())
    rules = {rule.check: rule.value for rule in config.conventions}
    assert rules["pk_type"] == "bigint" and rules["api_prefix"] == "/api/" and rules["service_layer"] == "services.py"
    assert rules["pagination"] == "LimitOffsetPagination" and rules["permission_class"] == "ApiAuthMixin"
    assert "# evidence: config/django/base.py:173 DEFAULT_AUTO_FIELD" in conventions.read_text()
    assert run(capsys, "repo", "init", repo)[0] == 2  # never overwrites without --force

    code, out = run(capsys, "repo", "check", repo, "--conventions", conventions)
    assert code in (0, 1) and "models (" in out and "LimitOffsetPagination" in out

    code, out = run(capsys, "scenario", "new", "--repo", repo, "--request", REQUEST, "--id", "user-data-export")
    assert code == 0, out
    scenario_file, reference = Path("scenarios/user-data-export.yaml"), Path("scenarios/references/user-data-export.md")
    assert "conventions: ../conventions/django-styleguide-example.yaml" in scenario_file.read_text()
    shutil.copyfile(PLAN, reference)  # the user writes the reference plan

    code, out = run(capsys, "rubric", "draft", reference, "--scenario", "user-data-export", "--scenarios", "scenarios", "--write")
    assert code == 0, out
    scenario = load_scenario(scenario_file.resolve())
    rubric = scenario.rubric
    assert [model.name for model in rubric.models] == ["DataExport"]
    fields = {field.name: field.type for field in rubric.models[0].fields}
    assert fields["user"] == "ForeignKey" and fields["expires_at"] == "DateTimeField"
    assert ["status", "expires_at"] in rubric.models[0].indexes
    endpoints = {(endpoint.method, endpoint.path): endpoint for endpoint in rubric.endpoints}
    assert endpoints[("POST", "/api/exports/create/")].status_codes == [201, 401, 409]
    assert 410 in endpoints[("GET", "/api/exports/<int:export_id>/download/")].status_codes
    tasks = {task.name: task for task in rubric.tasks}
    assert tasks["data_export_build"].retry and tasks["data_export_build"].idempotent and tasks["data_export_build"].failure_handling
    assert rubric.edge_cases and rubric.decisions

    code, out = run(capsys, "rubric", "check", "--scenario", "user-data-export", "--scenarios", "scenarios")
    assert code == 0, out
    assert "completeness of the reference plan against its own rubric: 1.000" in out

    code, out = run(
        capsys, "run", "--scenarios", "scenarios", "--model", "archbench/reference", "--model", "archbench/template",
        "--log-dir", "logs", "--display", "none",
    )
    assert code == 0, out
    code, out = run(capsys, "report", "logs", "--out", "report")
    assert code == 0, out
    summary = json.loads(Path("report/summary.json").read_text())
    by_model = {row["model"]: row for row in summary["variants"]}
    reference, template = by_model["archbench/reference"], by_model["archbench/template"]
    assert reference["completeness"] == 1.0
    assert template["overall"]["mean"] <= 0.2 and template["completeness"] <= 0.2
    assert reference["overall"]["mean"] > 0.8

    # the reference architect read files the repo has (none of its tool calls failed)
    log = next(read_eval_log(str(path)) for path in Path("logs").glob("*.eval") if "reference" in read_eval_log(str(path), header_only=True).eval.model)
    calls = [message for sample in log.samples for message in sample.messages if message.role == "tool"]
    reads = [message for message in calls if message.function == "read_file"]
    assert reads and all(message.error is None for message in calls)
    assert all(not message.text.startswith("[") for message in reads)


def test_bad_input_exits_2_with_a_message(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-django").mkdir()
    assert main(["repo", "init", "not-django"]) == 2
    assert "no manage.py found" in capsys.readouterr().err
    assert main(["scenario", "new", "--repo", "not-django", "--request", "Add tags"]) == 2
    assert "archbench repo init not-django" in capsys.readouterr().err  # no conventions file yet: says how to get one
    assert main(["rubric", "draft", "plan.md", "--scenario", "nope", "--scenarios", "."]) == 2
    assert main(["rubric", "check", "--scenario", "nope", "--scenarios", "."]) == 2
