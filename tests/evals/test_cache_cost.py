"""The response cache never makes a model look free or fast: a cached rerun reports the same cost
and at least the latency of the calls it replayed, with the cache hits counted apart; `--no-cache`
and `cache:` turn the cache off, and a nightly run replays nothing unless its config says `cache: true`."""

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from archbench.app.cli import main
from archbench.app.workflows import nightly
from tests.support.openai_server import ScriptedOpenAIServer, explore_then_answer

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
MODEL = "openai/scripted-architect"
LATENCY = 0.3  # seconds the scripted server takes per call
CALLS_PER_SAMPLE = 2  # list_dir, then the plan


@pytest.fixture
def server():
    plan = (FIXTURES / "references" / "mini-tags.md").read_text()
    with ScriptedOpenAIServer(explore_then_answer(plan, [("list_dir", {"path": "."})]), latency=LATENCY) as running:
        yield running


@pytest.fixture
def prices(tmp_path) -> Path:
    path = tmp_path / "prices.yaml"
    path.write_text(yaml.safe_dump({"models": {MODEL: {"input": 1000, "output": 1000}}}))
    return path


def _variant(folder: Path) -> dict:
    (variant,) = json.loads((folder / "report" / "summary.json").read_text())["variants"]
    return variant


def test_cached_rerun_costs_and_takes_what_the_calls_it_replayed_did(tmp_path, monkeypatch, server, prices):
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    common = ["run", "--scenarios", str(FIXTURES), "--model", MODEL, "--model-base-url", server.base_url, "-M", "api_key=sk-test-local",
              "-M", "responses_api=false", "--prices", str(prices), "--epochs", "2", "--display", "none"]
    assert main([*common, "--log-dir", str(tmp_path / "first")]) == 0
    made = len(server.requests)
    assert made == 2 * CALLS_PER_SAMPLE
    assert main([*common, "--log-dir", str(tmp_path / "cached")]) == 0
    assert len(server.requests) == made  # every call of the rerun was answered by the cache

    first, cached = _variant(tmp_path / "first"), _variant(tmp_path / "cached")
    assert first["cost_usd"] == pytest.approx(made * 120 * 1000 / 1e6)
    assert cached["cost_usd"] == pytest.approx(first["cost_usd"])  # list price, not $0
    assert cached["latency_s"]["median"] >= CALLS_PER_SAMPLE * LATENCY  # the replayed calls' own time
    assert (first["cache_hits"], cached["cache_hits"]) == (0, made)
    markdown = (tmp_path / "cached" / "report" / "report.md").read_text()
    assert "answered by the response cache" in markdown and "| cache hits |" in markdown

    assert main([*common, "--log-dir", str(tmp_path / "uncached"), "--no-cache"]) == 0
    assert len(server.requests) == 2 * made  # --no-cache: every call went to the server again
    assert _variant(tmp_path / "uncached")["cache_hits"] == 0


def _night_config(tmp_path: Path, base_url: str, prices: Path, **extra) -> Path:
    config = tmp_path / "nightly.yaml"
    config.write_text(yaml.safe_dump({
        "name": "nightly", "prompts": [str(ROOT / "prompts" / "backend-architect.md")],
        "models": [{"name": MODEL, "base_url": base_url, "args": {"api_key": "sk-test-local", "responses_api": False}}],
        "scenarios": {"dir": str(FIXTURES)}, "prices": str(prices), "log_dir": "logs", **extra,
    }))
    return config


@pytest.mark.parametrize(("cache", "replayed"), [(None, False), (True, True)], ids=["default", "cache-true"])
def test_nightly_replays_last_nights_answers_only_when_the_config_says_so(tmp_path, monkeypatch, server, prices, cache, replayed):
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))  # one cache across nights, as the workflow restores it
    config = _night_config(tmp_path, server.base_url, prices, **({} if cache is None else {"cache": cache}))
    assert nightly(config, date=dt.date(2026, 12, 1), display="none").exit_code == 0
    made = len(server.requests)
    assert nightly(config, date=dt.date(2026, 12, 2), display="none").exit_code == 0
    assert len(server.requests) == (made if replayed else 2 * made)


def test_cache_key_in_config_turns_the_cache_off_for_run(tmp_path, monkeypatch, server, prices):
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    config = _night_config(tmp_path, server.base_url, prices, cache=False)
    assert main(["run", "--config", str(config), "--display", "none"]) == 0
    made = len(server.requests)
    assert main(["run", "--config", str(config), "--display", "none", "--log-dir", str(tmp_path / "again")]) == 0
    assert len(server.requests) == 2 * made
