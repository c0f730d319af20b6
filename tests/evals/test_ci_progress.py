"""Runs without a terminal (CI logs): a line per finished sample, whole log paths, the config once (issue 18, item 11)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from inspect_ai.log import list_eval_logs

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


def test_progress_lines_when_stdout_is_not_a_terminal(tmp_path):
    log_dir = tmp_path / "a-log-folder-with-a-name-long-enough-to-wrap-at-eighty-columns"
    env = {key: value for key, value in os.environ.items() if key not in ("INSPECT_DISPLAY", "COLUMNS")}
    result = subprocess.run(
        [sys.executable, "-m", "archbench", "run", "--scenarios", str(FIXTURES), "--model", "archbench/reference",
         "--model", "archbench/template", "--log-dir", str(log_dir)],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    for model in ("archbench/reference", "archbench/template"):
        sample = next(i for i, line in enumerate(lines) if re.match(rf"\[1/1\] architect × {model} mini-tags:\S+ epoch 1: overall \d\.\d\d", line))
        end = next(i for i, line in enumerate(lines) if line.startswith(f"task architect × {model} success: 1/1 samples; log: "))
        assert sample < end  # the sample's line comes when it finishes, not with the task's summary
    paths = {Path(info.name.removeprefix("file://")) for info in list_eval_logs(str(log_dir), recursive=False)}
    assert len(paths) == 2 and all(sum(line.endswith(f"log: {path}") for line in lines) == 1 for path in paths)
    assert sum(line.startswith("archbench: 1 prompt(s) × 2 model(s)") for line in lines) == 1
    assert "retry_on_error" not in result.stdout + result.stderr  # no per-task dump of the whole config
    assert "hooks enabled" not in result.stdout + result.stderr
