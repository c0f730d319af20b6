"""Batch mode: `batch:` per model in a config reaches inspect's GenerateConfig, and the report prices
the calls a sample sent through a batch API at the price table's batch rate (validated strictly)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from inspect_ai.model import BatchConfig

from archbench.app.config import load_config
from archbench.app.run import models
from archbench.core.strict_yaml import InputError
from archbench.reports.build import build_report
from archbench.reports.costs import load_prices
from benchmarks.synth_logs import SampleSpec

ROOT = Path(__file__).resolve().parents[2]
MODEL = "openai/batchable"
PRICE = {"input": 2.0, "output": 8.0, "batch": 0.5}
TOKENS = {"input_tokens": 10_000, "output_tokens": 1_000}
LIST_USD = (10_000 * 2.0 + 1_000 * 8.0) / 1e6


def _prices(tmp_path: Path, price: dict) -> Path:
    path = tmp_path / "prices.yaml"
    path.write_text(yaml.safe_dump({"models": {MODEL: price}}))
    return path


def _sample(scenario: str, batched: bool) -> SampleSpec:
    calls = {"model_calls": 3, "cache_hits": 0, "batched_usage": {MODEL: TOKENS} if batched else {}}
    return SampleSpec(scenario, overall=0.7, input_tokens=TOKENS["input_tokens"], output_tokens=TOKENS["output_tokens"], calls=calls)


def test_batched_calls_are_priced_at_the_batch_rate(write, tmp_path):
    write("night", "seed", MODEL, [_sample("a", batched=True), _sample("b", batched=False)])
    summary = build_report([tmp_path / "logs"], tmp_path / "out", prices=_prices(tmp_path, PRICE))
    (variant,) = summary["variants"]
    assert variant["cost_usd"] == pytest.approx(LIST_USD * 0.5 + LIST_USD)
    assert variant["tokens"] == 2 * 11_000  # the batch record repeats tokens already counted: not twice


def test_without_a_batch_rate_batched_calls_stay_at_list_price_and_the_report_says_so(write, tmp_path):
    write("night", "seed", MODEL, [_sample("a", batched=True)])
    summary = build_report([tmp_path / "logs"], tmp_path / "out", prices=_prices(tmp_path, {"input": 2.0, "output": 8.0}))
    assert summary["variants"][0]["cost_usd"] == pytest.approx(LIST_USD)
    assert any(f"No batch rate for {MODEL}" in note for note in summary["notes"])


def test_batch_rate_is_validated_strictly(tmp_path):
    assert load_prices(_prices(tmp_path, PRICE)).price_of(MODEL).batch == 0.5
    for batch in (0, 1.5, "half"):
        with pytest.raises(InputError):
            load_prices(_prices(tmp_path, {"input": 2.0, "output": 8.0, "batch": batch}))


def _config(tmp_path: Path, batch) -> Path:
    config = tmp_path / "night.yaml"
    config.write_text(yaml.safe_dump({
        "name": "night", "prompts": [str(ROOT / "prompts" / "backend-architect.md")],
        "models": [{"name": "openai/gpt-5", "batch": batch, "args": {"api_key": "sk-test-local"}}],
    }))
    return config


@pytest.mark.parametrize("batch", [True, 200, {"size": 50, "send_delay": 30}], ids=["on", "size", "settings"])
def test_config_batch_reaches_inspects_generate_config(tmp_path, batch):
    _, spec = load_config(_config(tmp_path, batch))
    (model,) = models(spec)
    assert model.config.batch == (BatchConfig(**batch) if isinstance(batch, dict) else batch)


def test_config_batch_is_validated_strictly(tmp_path):
    assert load_config(_config(tmp_path, True))[0].models[0].batch is True
    for batch in ({"sise": 50}, 0, "yes"):
        with pytest.raises(InputError):
            load_config(_config(tmp_path, batch))


def test_batch_under_generate_is_refused(tmp_path):
    config = tmp_path / "night.yaml"
    config.write_text(yaml.safe_dump({
        "name": "night", "prompts": [str(ROOT / "prompts" / "backend-architect.md")],
        "models": [{"name": "openai/gpt-5", "generate": {"batch": True}}],
    }))
    with pytest.raises(InputError, match="own `batch:` key"):
        load_config(config)


def test_a_batched_models_calls_are_recorded_and_priced_at_the_batch_rate_end_to_end(tmp_path):
    """archbench/reference (offline, it reports token usage) run with `batch: true`: every call the agent
    made is recorded as batched, and the report's cost is the batch fraction of the list price."""
    from archbench.app.config import ModelEntry
    from archbench.app.run import RunSpec, run_logs, run_matrix

    model = "archbench/reference"
    prices = tmp_path / "prices.yaml"
    prices.write_text(yaml.safe_dump({"models": {model: {"input": 1.0, "output": 1.0, "batch": 0.5}}}))
    costs = {}
    for batch in (False, True):
        spec = RunSpec(models=[model], model_settings={model: ModelEntry(name=model, batch=batch)},
                       scenarios_dir=ROOT / "tests" / "fixtures" / "scenarios", log_dir=tmp_path / f"batch-{batch}")
        assert run_matrix(spec, display="none")[0]
        summary = build_report(run_logs(spec.log_dir), tmp_path / f"report-{batch}", prices=prices)
        (variant,) = summary["variants"]
        costs[batch] = variant["cost_usd"]
        assert variant["tokens"] > 0
    assert costs[False] > 0 and costs[True] == pytest.approx(costs[False] * 0.5)
