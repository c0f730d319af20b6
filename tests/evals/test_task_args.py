"""`inspect eval evals/architect.py -T prompts=...`: relative paths are the user's, not evals/'s (issue 18, item 7)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from inspect_ai.log import list_eval_logs, read_eval_log

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "tests" / "fixtures" / "scenarios"


def inspect_eval(cwd: Path, *task_args: str) -> subprocess.CompletedProcess:
    """The README's command, run the way a shell runs it (PWD is the shell's directory)."""
    argv = [sys.executable, "-m", "inspect_ai", "eval", os.path.relpath(REPO / "evals" / "architect.py", cwd), "--model", "archbench/reference",
            "--log-dir", str(cwd / "logs"), "--display", "none"]
    for arg in task_args:
        argv += ["-T", arg]
    return subprocess.run(argv, cwd=cwd, env={**os.environ, "PWD": str(cwd)}, capture_output=True, text=True, timeout=300)


def test_relative_task_arg_paths_resolve_against_the_directory_the_command_ran_in(tmp_path):
    (tmp_path / "prompts").mkdir()
    shutil.copy(REPO / "prompts" / "backend-architect.md", tmp_path / "prompts" / "mine.md")
    shutil.copytree(SCENARIOS.parent, tmp_path / "fixtures")  # the scenarios and the repo they name
    result = inspect_eval(tmp_path, "prompts=prompts/mine.md", "scenarios=fixtures/scenarios")
    assert result.returncode == 0, result.stderr[-2000:]
    (info,) = list_eval_logs(str(tmp_path / "logs"))
    log = read_eval_log(info.name)
    assert log.status == "success"
    assert {Path(sample.metadata["prompt_file"]) for sample in log.samples} == {tmp_path / "prompts" / "mine.md"}
    assert {Path(sample.metadata["scenario_file"]).parent for sample in log.samples} == {tmp_path / "fixtures" / "scenarios"}


def test_a_missing_task_arg_path_names_the_path_tried(tmp_path):
    result = inspect_eval(tmp_path, "prompts=prompts/missing.md")
    assert result.returncode != 0
    assert f"tried {tmp_path / 'prompts' / 'missing.md'}" in result.stderr
