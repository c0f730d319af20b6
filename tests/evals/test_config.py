"""Experiment configs: strict validation with file:line, paths relative to the file, flags override."""

from pathlib import Path

import pytest
import yaml

from archbench.app.cli import build_parser
from archbench.app.config import load_config
from archbench.core.strict_yaml import InputError

ROOT = Path(__file__).resolve().parents[2]
GOOD = """name: tuning
prompts: [../prompts/backend-architect.md]
models:
  - archbench/reference
  - name: openai/gpt-5
    generate: {temperature: 0.2, max_tokens: 4000}
    args: {responses_api: false}
scenarios: {dir: ../scenarios, ids: [notifications], categories: []}
epochs: 3
budget: {max_usd: 5, max_tokens: 200000}
log_dir: ../logs/tuning
"""


def write(tmp_path: Path, text: str) -> Path:
    configs = tmp_path / "configs"
    configs.mkdir(exist_ok=True)
    (tmp_path / "prompts").mkdir(exist_ok=True)
    (tmp_path / "prompts" / "backend-architect.md").write_text((ROOT / "prompts" / "backend-architect.md").read_text())
    path = configs / "experiment.yaml"
    path.write_text(text)
    return path


def test_good_config_becomes_a_run_spec(tmp_path):
    config, spec = load_config(write(tmp_path, GOOD))
    assert spec.models == ["archbench/reference", "openai/gpt-5"]
    assert spec.model_settings["openai/gpt-5"].generate == {"temperature": 0.2, "max_tokens": 4000}
    assert spec.prompts == [(tmp_path / "prompts" / "backend-architect.md").resolve()]
    assert spec.scenarios_dir.resolve() == (tmp_path / "scenarios").resolve()
    assert spec.log_dir is None and spec.log_root == (tmp_path / "logs" / "tuning").resolve()
    assert (spec.epochs, spec.max_usd, spec.max_tokens) == (3, 5, 200000)
    assert config.regression.alpha == 0.05
    assert spec.log_options() == {"log_realtime": False, "log_model_api": False}


def test_logging_options_from_the_file_and_from_flags(tmp_path):
    path = write(tmp_path, GOOD + "log_realtime: true\n")
    assert load_config(path)[1].log_options() == {"log_realtime": True, "log_model_api": False}
    from archbench.app.cli import _spec_from

    args = build_parser().parse_args(["run", "--config", str(path), "--log-model-api"])
    assert _spec_from(args).log_options() == {"log_realtime": True, "log_model_api": True}
    args = build_parser().parse_args(["run", "--config", str(path)])
    assert _spec_from(args).log_options() == {"log_realtime": True, "log_model_api": False}  # no flag keeps the file's


def test_skills_dir_and_alias_table_are_relative_to_the_config(tmp_path):
    spec = load_config(write(tmp_path, GOOD + "skills_dir: ../team-skills\nmodel_aliases: aliases.yaml\n"))[1]
    assert spec.skills_dir == (tmp_path / "team-skills").resolve()
    assert spec.model_aliases == (tmp_path / "configs" / "aliases.yaml").resolve()


@pytest.mark.parametrize(
    "edit, message, line",
    [
        pytest.param(("epochs: 3", "epochs: 3\nepoch: 2"), "unknown key 'epoch'", 10, id="unknown-key"),
        pytest.param(("epochs: 3", "epochs: 3\nepochs: 2"), "duplicate key 'epochs'", 10, id="duplicate-key"),
        pytest.param(("epochs: 3", "epochs: 0"), "epochs: Input should be greater than or equal to 1", 9, id="bad-epochs"),
        pytest.param(("temperature: 0.2", "temprature: 0.2"), "unknown generation setting(s) ['temprature']", 6, id="bad-generate"),
        pytest.param(("- archbench/reference", "- reference"), "models.0.name", 4, id="model-without-provider"),
        pytest.param(("max_usd: 5", "max_usd: -1"), "budget.max_usd", 10, id="negative-budget"),
        pytest.param(("epochs: 3", "epochs: 3\nlog_realtime: 1"), "log_realtime: Input should be a valid boolean", 10,
                     id="realtime-not-a-boolean"),
        pytest.param(("../prompts/backend-architect.md", "../prompts/missing.md"), "prompt file", None, id="missing-prompt"),
    ],
)
def test_bad_configs_name_file_and_line(tmp_path, edit, message, line):
    path = write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    if line is not None:
        assert caught.value.line == line


def test_shipped_configs_are_valid():
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        load_config(path)


def test_github_workflow_runs_the_real_nightly_command():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "nightly.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as True
    assert "schedule" in triggers
    steps = workflow["jobs"]["nightly"]["steps"]
    run_steps = [step for step in steps if "archbench nightly" in step.get("run", "")]
    assert len(run_steps) == 1
    step = run_steps[0]
    assert step["env"]["ANTHROPIC_API_KEY"] == "${{ secrets.ANTHROPIC_API_KEY }}"
    argv = step["run"].split()[1:]
    argv = [arg.replace('"$GITHUB_STEP_SUMMARY"', "summary.md") for arg in argv]
    args = build_parser().parse_args(argv)
    load_config(ROOT / args.config)
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)
