"""Nightly regression runs and baselines, offline: a scripted model whose answers get worse must fail the night."""

import json
import shutil
from pathlib import Path

from inspect_ai.log import list_eval_logs, read_eval_log

from archbench.app.cli import main
from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, load_scenarios
from tests.support.openai_server import ScriptedOpenAIServer

GENERIC_PLAN = """# Plan
## Data model
- A new model with `id`, `name`, `status`, `created_at`.
## API
- `GET /api/items/` returns 200.
## Migrations
Run `python manage.py makemigrations`.
"""


def answers(good: bool):
    """Reference plans for every scenario (good) or one generic plan (bad), keyed by the request."""
    scenarios = load_scenarios(DEFAULT_SCENARIOS_DIR)
    by_request = {scenario.request.strip(): scenario.reference_plan_text() for scenario in scenarios}

    def respond(request: dict) -> dict:
        user = next(message for message in request["messages"] if message["role"] == "user")
        text = user["content"] if isinstance(user["content"], str) else user["content"][0]["text"]
        return {"role": "assistant", "content": by_request[text.strip()] if good else GENERIC_PLAN}

    return respond


def write_config(tmp_path: Path, base_url: str) -> Path:
    prompt = Path(__file__).resolve().parents[2] / "prompts" / "backend-architect.md"
    config = tmp_path / "nightly.yaml"
    config.write_text(
        f"""name: nightly-test
prompts: [{prompt}]
models:
  - name: openai/scripted-architect
    base_url: {base_url}
    args: {{api_key: sk-test-local, responses_api: false}}
scenarios: {{dir: {DEFAULT_SCENARIOS_DIR}}}
log_dir: logs
baseline: baseline
regression: {{alpha: 0.05, min_effect: 0.02}}
"""
    )
    return config


def run_night(tmp_path: Path, monkeypatch, good: bool, cache_name: str) -> int:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / cache_name))  # a new night, a new provider answer
    with ScriptedOpenAIServer(answers(good)) as server:
        config = write_config(tmp_path, server.base_url)
        return main(["nightly", str(config), "--display", "none", "--summary-out", str(tmp_path / "summary.md")])


def test_nightly_fails_on_a_significant_regression_and_passes_otherwise(tmp_path, monkeypatch, capsys):
    assert run_night(tmp_path, monkeypatch, good=True, cache_name="c1") == 0  # no baseline yet: nothing to regress
    night_dirs = sorted((tmp_path / "logs").iterdir())
    assert main(["baseline", "promote", str(night_dirs[0]), "--config", str(tmp_path / "nightly.yaml")]) == 0
    assert (tmp_path / "baseline" / "summary.json").is_file() and (tmp_path / "baseline" / "PROVENANCE.json").is_file()

    for day in night_dirs:  # the next night writes into the same dated dir; start it clean
        shutil.rmtree(day)
    assert run_night(tmp_path, monkeypatch, good=False, cache_name="c2") == 1
    err = capsys.readouterr().err
    assert "REGRESSION backend-architect × openai/scripted-architect" in err
    assert "Regress" in (tmp_path / "summary.md").read_text() or "regress" in (tmp_path / "summary.md").read_text()

    for day in sorted((tmp_path / "logs").iterdir()):
        shutil.rmtree(day)
    assert run_night(tmp_path, monkeypatch, good=True, cache_name="c3") == 0


def test_promote_refuses_a_missing_log_dir(tmp_path, capsys):
    assert main(["baseline", "promote", str(tmp_path / "nope"), "--to", str(tmp_path / "b")]) == 2
    assert "log dir not found" in capsys.readouterr().err


def test_compare_two_prompts_gives_a_verdict_and_a_comparison_report(tmp_path, monkeypatch, capsys):
    """Prompt B (answers with reference plans) vs prompt A (generic plans), one scripted model."""
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    good, bad = answers(True), answers(False)

    def respond(request: dict) -> dict:
        system = next(message for message in request["messages"] if message["role"] in ("system", "developer"))
        text = system["content"] if isinstance(system["content"], str) else system["content"][0]["text"]
        return good(request) if "VARIANT B" in text else bad(request)

    prompt_a, prompt_b = tmp_path / "a.md", tmp_path / "b.md"
    prompt_a.write_text("---\nname: arch-a\ndescription: a\n---\nYou are an architect. VARIANT A\n")
    prompt_b.write_text("---\nname: arch-b\ndescription: b\n---\nYou are an architect. VARIANT B\n")
    with ScriptedOpenAIServer(respond) as server:
        code = main(
            ["compare", "--prompt", str(prompt_a), "--prompt", str(prompt_b), "--model", "openai/scripted-architect",
             "--model-base-url", server.base_url, "-M", "api_key=sk-test-local", "-M", "responses_api=false",
             "--log-dir", str(tmp_path / "logs"), "--display", "none"]
        )
    assert code == 0
    out = capsys.readouterr().out
    assert "A = arch-a, B = arch-b" in out
    verdict = "On openai/scripted-architect: B (arch-b) is better than A on"
    assert verdict in out and "completeness" in out.split(verdict)[1].split(";")[0]
    (comparison,) = json.loads((tmp_path / "logs" / "report" / "comparison.json").read_text())["comparisons"]
    overall = next(row for row in comparison["dimensions"] if row["dimension"] == "overall")
    assert overall["difference"] > 0 and overall["significant"] and overall["ci_low"] > 0
    assert comparison["side_by_side"] and comparison["side_by_side"][0]["plan_b"] != comparison["side_by_side"][0]["plan_a"]
    assert "| dimension |" in (tmp_path / "logs" / "report" / "comparison.md").read_text()


def _run_cli(argv: list[str]) -> int:
    return main([*argv, "--display", "none"])


def test_identical_rerun_is_served_from_cache_and_the_report_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
    plan = (fixtures / "references" / "mini-tags.md").read_text()
    with ScriptedOpenAIServer(lambda request: {"role": "assistant", "content": plan}) as server:
        common = ["run", "--scenarios", str(fixtures), "--model", "openai/scripted-architect", "--model-base-url",
                  server.base_url, "-M", "api_key=sk-test-local", "-M", "responses_api=false"]
        assert _run_cli([*common, "--log-dir", str(tmp_path / "first")]) == 0
        calls_first = len(server.requests)
        assert calls_first > 0
        assert _run_cli([*common, "--log-dir", str(tmp_path / "second")]) == 0
        assert len(server.requests) == calls_first  # the identical rerun made no model call
    first = json.loads((tmp_path / "first" / "report" / "summary.json").read_text())["run"]
    second = json.loads((tmp_path / "second" / "report" / "summary.json").read_text())["run"]
    assert (first["model_calls"], first["cache_hits"]) == (calls_first, 0)
    assert second["model_calls"] == calls_first and second["cache_hits"] == calls_first
    assert f"{calls_first:,} served from cache" in (tmp_path / "second" / "report" / "report.md").read_text()


def test_budget_stops_new_samples_and_marks_the_report_partial(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    config = tmp_path / "budget.yaml"
    root = Path(__file__).resolve().parents[2]
    config.write_text(
        f"""name: budget-test
prompts: [{root / 'prompts' / 'backend-architect.md'}]
models: [archbench/reference]
scenarios: {{dir: {root / 'scenarios'}, ids: [notifications, nested-task-feed, websockets-vs-polling, task-priority]}}
budget: {{max_tokens: 1}}
log_dir: logs
max_connections: 1
"""
    )
    assert _run_cli(["run", "--config", str(config), "--max-connections", "1"]) == 1  # samples did not all complete
    (run_dir,) = (tmp_path / "logs").glob("run-*")  # the config's log_dir holds one folder per run
    summary = json.loads((run_dir / "report" / "summary.json").read_text())
    assert summary["partial"] is True
    assert any("budget" in reason for reason in summary["run"]["partial_reasons"])
    variant = summary["variants"][0]
    # the first model call spent the budget: its sample stopped after it, later ones never started
    assert variant["n_samples"] == 0 and summary["run"]["budget_stopped"] == 4

    def finished() -> dict:
        (log,) = [read_eval_log(info) for info in list_eval_logs(str(run_dir))]
        return {(sample.id, sample.epoch): sample.uuid for sample in log.samples if sample.error is None}

    done_before = finished()
    config.write_text(config.read_text().replace("budget: {max_tokens: 1}\n", ""))
    assert _run_cli(["run", "--config", str(config)]) == 0  # the rerun resumes with the budget lifted
    done_after = finished()
    assert len(done_after) == 4
    assert all(done_after[key] == uuid for key, uuid in done_before.items())  # finished samples were not redone
    assert json.loads((run_dir / "report" / "summary.json").read_text())["partial"] is False


def test_a_run_reports_only_its_own_logs_not_nightly_folders_below_it(tmp_path):
    """Regression: `run --config` wrote into the config's log_dir itself, with nightly's dated folders
    below it, and its report (and eval set) read those nested runs as its own."""
    root = Path(__file__).resolve().parents[2]
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
    config = tmp_path / "smoke.yaml"
    config.write_text(
        f"name: smoke\nprompts: [{root / 'prompts' / 'backend-architect.md'}]\nmodels: [archbench/reference, archbench/template]\n"
        f"scenarios: {{dir: {fixtures}}}\nlog_dir: logs\n"
    )
    assert _run_cli(["run", "--config", str(config)]) == 0
    assert _run_cli(["nightly", str(config)]) == 0
    assert _run_cli(["run", "--config", str(config)]) == 0  # the rerun resumes its own folder, untouched by the night
    (run_dir,) = (tmp_path / "logs").glob("run-*")
    scenarios = len(load_scenarios(fixtures))
    for folder in (run_dir, *[d for d in (tmp_path / "logs").iterdir() if d != run_dir]):
        summary = json.loads((folder / "report" / "summary.json").read_text())
        assert summary["n_samples"] == 2 * scenarios, folder
        assert all(Path(log).parent == folder for log in summary["logs"])
