"""Nightly regression runs and baselines, offline: a scripted model whose answers get worse must fail the night."""

import shutil
from pathlib import Path

from evals.cli import main
from evals.scenarios import DEFAULT_SCENARIOS_DIR, load_scenarios
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
