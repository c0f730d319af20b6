"""Which run folder a command resumes: the one holding the same matrix (prompt contents, scenario
versions, models, runner), never a folder of stale samples; `--fresh` always starts a new one."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from archbench.app.cli import main
from archbench.app.run import RUN_FILE, RunSpec
from archbench.core.prompts import load_prompt
from archbench.core.strict_yaml import InputError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


def _config(tmp_path: Path, prompt: Path) -> Path:
    config = tmp_path / "nightly.yaml"
    config.write_text(f"name: night\nprompts: [{prompt}]\nmodels: [archbench/reference]\nscenarios: {{dir: {FIXTURES}}}\nlog_dir: logs\n")
    return config


def _prompt_shas(folder: Path) -> set[str]:
    return set(pd.read_parquet(folder / "report" / "samples.parquet")["prompt_sha"])


def test_same_day_nightly_after_a_prompt_body_change_starts_a_new_folder(tmp_path):
    prompt = tmp_path / "backend-architect.md"
    shutil.copy(ROOT / "prompts" / "backend-architect.md", prompt)
    config = _config(tmp_path, prompt)
    assert main(["nightly", str(config), "--display", "none"]) == 0
    (first,) = (tmp_path / "logs").iterdir()
    old_sha = load_prompt(prompt).sha

    prompt.write_text(prompt.read_text() + "\nAlways name the migration you add.\n")  # same `name`, new body
    new_sha = load_prompt(prompt).sha
    assert main(["nightly", str(config), "--display", "none"]) == 0
    second = tmp_path / "logs" / f"{first.name}-2"
    assert _prompt_shas(first) == {old_sha}
    assert _prompt_shas(second) == {new_sha}  # the rerun's samples are the new prompt's, none kept from the old one

    assert main(["nightly", str(config), "--display", "none"]) == 0  # unchanged: resumes its own folder
    assert sorted(path.name for path in (tmp_path / "logs").iterdir()) == [first.name, second.name]
    assert main(["nightly", str(config), "--display", "none", "--fresh"]) == 0
    assert (tmp_path / "logs" / f"{first.name}-3" / "report" / "summary.json").is_file()


def test_run_fresh_starts_a_new_folder_beside_the_resumable_one(tmp_path):
    argv = ["run", "--model", "archbench/reference", "--scenarios", str(FIXTURES), "--display", "none"]
    spec = RunSpec(models=["archbench/reference"], scenarios_dir=FIXTURES, log_root=tmp_path / "logs")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert main(argv) == 0
        assert main([*argv, "--fresh"]) == 0
    folders = sorted(path.name for path in (tmp_path / "logs").iterdir())
    assert folders == [f"run-{spec.fingerprint()}", f"run-{spec.fingerprint()}-2"]
    recorded = json.loads((tmp_path / "logs" / folders[1] / RUN_FILE).read_text())
    assert recorded["fingerprint"] == spec.fingerprint() and recorded["matrix"]["runner"] == "native"


def test_fingerprint_covers_prompt_content_scenario_versions_and_runner(tmp_path):
    prompt = tmp_path / "p.md"
    shutil.copy(ROOT / "prompts" / "backend-architect.md", prompt)
    scenarios = tmp_path / "scenarios"
    shutil.copytree(FIXTURES, scenarios)
    shutil.copytree(FIXTURES.parent / "mini_repo", tmp_path / "mini_repo")
    spec = RunSpec(prompts=[prompt], scenarios_dir=scenarios)
    before = spec.fingerprint()
    prompt.write_text(prompt.read_text() + "\nOne more rule.\n")
    after_prompt = spec.fingerprint()
    scenario_file = next(scenarios.glob("*.yaml"))
    text = scenario_file.read_text()
    assert "version: 1" in text
    scenario_file.write_text(text.replace("version: 1", "version: 2"))
    after_scenario = spec.fingerprint()
    spec.runner = "claude-code"
    after_runner = spec.fingerprint()
    assert len({before, after_prompt, after_scenario, after_runner}) == 4
    assert spec.matrix()["runner"] == "claude-code"
    spec.runner = "bogus"
    with pytest.raises(InputError, match="--runner must be one of native, claude-code"):
        spec.validate()


def test_log_dir_holding_another_matrix_is_refused(tmp_path, capsys):
    prompt = tmp_path / "p.md"
    shutil.copy(ROOT / "prompts" / "backend-architect.md", prompt)
    argv = ["run", "--prompt", str(prompt), "--model", "archbench/reference", "--scenarios", str(FIXTURES),
            "--log-dir", str(tmp_path / "logs"), "--display", "none"]
    assert main(argv) == 0
    prompt.write_text(prompt.read_text() + "\nOne more rule.\n")
    assert main(argv) == 2
    assert "different matrix (prompts changed)" in capsys.readouterr().err
    assert main([*argv, "--fresh"]) == 2


def test_the_recorded_matrix_holds_no_credentials():
    spec = RunSpec(models=["openai/gpt-5"], scenarios_dir=FIXTURES, model_args={"api_key": "sk-secret-1", "responses_api": False, "max_tokens": 5})
    matrix = spec.matrix()
    assert matrix["model_args"] == {"responses_api": False, "max_tokens": 5}
    assert "sk-secret-1" not in json.dumps(matrix)
    before = spec.fingerprint()
    spec.model_args["api_key"] = "sk-secret-2"  # another key computes the same samples
    assert spec.fingerprint() == before
