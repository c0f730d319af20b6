"""Run budgets against the scripted OpenAI server: priced from the report's price table, checked
as each model call completes (a run overshoots by at most one call per connection), an unpriced
model under `max_usd` refused before the run, stopped samples reported as budget-stopped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from archbench.app.cli import main
from tests.reliability.support import FIXTURES, PROJECT_ROOT
from tests.support.openai_server import ScriptedOpenAIServer, explore_then_answer

MODEL = "openai/scripted-architect"
TOKENS_PER_CALL = 120  # the scripted server's usage: 100 prompt + 20 completion tokens
USD_PER_CALL = 0.12  # at the test's price, $1000 per million tokens either way
EXPLORE = [("list_dir", {"path": "."}), ("read_file", {"path": "backend/notes/models.py"}), ("list_dir", {"path": "backend"}), ("list_dir", {"path": "backend/notes"})]
CALLS_PER_SAMPLE = len(EXPLORE) + 1
EPOCHS = 4


@pytest.fixture
def server():
    plan = (FIXTURES / "scenarios" / "references" / "mini-tags.md").read_text()
    with ScriptedOpenAIServer(explore_then_answer(plan, EXPLORE), latency=0.05) as running:
        yield running


def _config(tmp_path: Path, base_url: str, budget: dict, model: str = MODEL) -> Path:
    prices = tmp_path / "prices.yaml"
    prices.write_text(yaml.safe_dump({"models": {MODEL: {"input": 1000, "output": 1000}}}))
    config = tmp_path / "budget.yaml"
    config.write_text(yaml.safe_dump({
        "name": "budget",
        "prompts": [str(PROJECT_ROOT / "prompts" / "backend-architect.md")],
        "models": [{"name": model, "base_url": base_url, "args": {"api_key": "sk-test-local", "responses_api": False}}],
        "scenarios": {"dir": str(FIXTURES / "scenarios")},
        "epochs": EPOCHS,
        "budget": budget,
        "prices": str(prices),
        "log_dir": "logs",
    }))
    return config


def _summary(tmp_path: Path) -> dict:
    (run_dir,) = (tmp_path / "logs").glob("run-*")
    return json.loads((run_dir / "report" / "summary.json").read_text())


@pytest.mark.parametrize("connections", [1, 2])
def test_max_usd_stops_the_run_within_one_call_per_connection(tmp_path, server, connections):
    cap = 0.5  # 4.2 calls' worth: the fifth call reaches it
    config = _config(tmp_path, server.base_url, {"max_usd": cap})
    assert main(["run", "--config", str(config), "--max-connections", str(connections), "--display", "none"]) == 1
    spent = len(server.requests) * USD_PER_CALL
    assert cap <= spent <= cap + connections * USD_PER_CALL, (len(server.requests), spent)
    assert len(server.requests) < EPOCHS * CALLS_PER_SAMPLE
    summary = _summary(tmp_path)
    assert summary["run"]["cost_usd"] == pytest.approx(spent)  # the report prices the same calls the same way
    assert summary["run"]["budget_stopped"] >= 1
    assert summary["run"]["retries"] == 0  # the server never failed: stopped samples are not retries
    assert "Stopped by the budget" in (tmp_path / "logs").joinpath(Path(summary["logs"][0]).parent.name, "report", "report.md").read_text()


def test_max_tokens_is_checked_as_each_call_completes(tmp_path, server):
    cap = 300  # reached by the third call, long before the first sample's five calls end
    config = _config(tmp_path, server.base_url, {"max_tokens": cap})
    assert main(["run", "--config", str(config), "--max-connections", "1", "--display", "none"]) == 1
    spent = len(server.requests) * TOKENS_PER_CALL
    assert cap <= spent <= cap + TOKENS_PER_CALL, spent
    assert _summary(tmp_path)["run"]["budget_stopped"] == EPOCHS


def test_an_unpriced_model_under_max_usd_is_refused_before_the_run_and_offline_models_are_free(tmp_path, server, capsys):
    refused = tmp_path / "refused"
    refused.mkdir()
    config = _config(refused, server.base_url, {"max_usd": 1.0}, model="openai/unpriced-architect")
    assert main(["run", "--config", str(config), "--display", "none"]) == 2
    assert "openai/unpriced-architect has none" in capsys.readouterr().err
    assert server.requests == [] and not (refused / "logs").exists()

    offline = tmp_path / "offline.yaml"  # archbench/* models are priced at 0 and run under any budget
    offline.write_text(yaml.safe_dump({
        "name": "offline", "prompts": [str(PROJECT_ROOT / "prompts" / "backend-architect.md")], "models": ["archbench/reference"],
        "scenarios": {"dir": str(FIXTURES / "scenarios")}, "budget": {"max_usd": 0.01}, "log_dir": "logs",
    }))
    assert main(["run", "--config", str(offline), "--display", "none"]) == 0
    assert _summary(tmp_path)["run"]["cost_usd"] == 0
