"""How many samples `archbench run` runs at once: the default per runner is what the README says,
reaches inspect's eval set, and `--max-samples` / a config's `max_samples` override it."""

import re
from pathlib import Path

import pytest

from archbench.app import run as run_module
from archbench.app.cli import _spec_from, build_parser
from archbench.app.config import load_config
from archbench.app.sample_limits import CLAUDE_CODE_SAMPLE_MB, NATIVE_SAMPLES_PER_CONNECTION, default_max_samples

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_states_the_defaults_the_code_applies():
    native = re.search(r"native runner the default is \*\*(\d+) samples per connection\*\*", README)
    claude = re.search(r"half the memory available when the run starts, \*\*(\d+) MB a sample\*\*", README)
    assert native and claude, "README.md no longer states the defaults of --max-samples"
    assert int(native.group(1)) == NATIVE_SAMPLES_PER_CONNECTION
    assert int(claude.group(1)) == CLAUDE_CODE_SAMPLE_MB
    assert default_max_samples("native", 7) == int(native.group(1)) * 7
    assert default_max_samples("native", None) is None  # inspect's adaptive connections decide
    assert default_max_samples("claude-code", 50, memory_mb=8 * int(claude.group(1))) == 4  # memory, not connections
    assert default_max_samples("claude-code", None, memory_mb=100) == 1
    one = re.search(r"Under a budget \(`max_usd`, `max_tokens`\) both runners keep to \*\*one sample per connection\*\*", README)
    assert one, "README.md no longer states the default under a budget"
    assert default_max_samples("native", 7, budgeted=True) == 7
    assert default_max_samples("claude-code", 3, memory_mb=8 * CLAUDE_CODE_SAMPLE_MB, budgeted=True) == 3


def eval_set_max_samples(monkeypatch, tmp_path, spec) -> object:
    seen = {}

    def fake_eval_set(**kwargs):
        seen.update(kwargs)
        raise RuntimeError("stop here")

    monkeypatch.setattr(run_module, "eval_set", fake_eval_set)
    with pytest.raises(RuntimeError, match="stop here"):
        run_module.run_matrix(spec, display="none")
    return seen["max_samples"]


@pytest.mark.parametrize(("max_connections", "max_samples", "expected", "budget"), [
    (5, None, 5 * NATIVE_SAMPLES_PER_CONNECTION, None),  # the default
    (5, 3, 3, None),  # --max-samples wins
    (None, None, None, None),  # no connection count: left to inspect
    (5, None, 5, {"max_tokens": 1000}),  # a budget keeps one sample per connection
    (5, 8, 8, {"max_tokens": 1000}),
])
def test_run_matrix_hands_the_eval_set_its_max_samples(monkeypatch, tmp_path, max_connections, max_samples, expected, budget):
    spec = run_module.RunSpec(models=["archbench/reference"], scenario_ids=["notifications"], log_dir=tmp_path / "logs",
                              max_connections=max_connections, max_samples=max_samples, **(budget or {}))
    assert eval_set_max_samples(monkeypatch, tmp_path, spec) == expected


def test_max_samples_from_the_flag_and_from_a_config(tmp_path):
    (tmp_path / "prompt.md").write_text((ROOT / "prompts" / "backend-architect.md").read_text())
    config = tmp_path / "experiment.yaml"
    config.write_text("name: limits\nprompts: [prompt.md]\nmodels: [archbench/reference]\nmax_connections: 4\nmax_samples: 6\n")
    assert load_config(config)[1].max_samples == 6
    assert _spec_from(build_parser().parse_args(["run", "--config", str(config)])).max_samples == 6
    assert _spec_from(build_parser().parse_args(["run", "--config", str(config), "--max-samples", "9"])).max_samples == 9
    assert _spec_from(build_parser().parse_args(["run"])).max_samples is None
    with pytest.raises(Exception, match="max-samples must be at least 1"):
        run_module.RunSpec(max_samples=0).validate()
