"""Ctrl-C or a CI cancel (SIGINT, SIGTERM) during `archbench run` and `archbench nightly`:
exit 130, say how to resume, never report success; rerunning the same command finishes the run.

Each run is a subprocess against the scripted server (slow answers, so the signal lands while
samples are in flight), with `--display plain` so that whatever inspect prints is seen.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.reliability.conftest import isolated_env, run_args
from tests.reliability.support import FIXTURES, PROJECT_ROOT
from tests.support.openai_server import ScriptedOpenAIServer, explore_then_answer

RESUME_HINT = "interrupted; rerun the same command to resume"
TIMEOUT = 120


def _answers() -> ScriptedOpenAIServer:
    plan = (FIXTURES / "scenarios" / "references" / "mini-tags.md").read_text()
    return ScriptedOpenAIServer(explore_then_answer(plan, [("list_dir", {"path": "."})]), latency=0.4)


def _interrupt(argv: list[str], root: Path, server: ScriptedOpenAIServer, signum: int) -> subprocess.CompletedProcess:
    """Start the command, signal it once the server has answered a few calls, wait for it to end."""
    process = subprocess.Popen(argv, cwd=root, env=isolated_env(root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    while len(server.requests) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


def _rerun(argv: list[str], root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=root, env=isolated_env(root), capture_output=True, text=True, timeout=TIMEOUT)


def _assert_interrupted(result: subprocess.CompletedProcess) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 130, output[-3000:]
    assert RESUME_HINT in result.stderr, output[-3000:]
    assert "successfully" not in output and "eval-retry" not in output, output[-3000:]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_run_exits_130_and_the_same_command_resumes_it(signum, tmp_path):
    with _answers() as server:
        args = run_args(server.base_url, tmp_path / "logs")
        argv = [sys.executable, "-m", "archbench.app.cli", *args[: args.index("--display")], "--display", "plain"]
        _assert_interrupted(_interrupt(argv, tmp_path, server, signum))
        assert not (tmp_path / "logs" / "report").exists()  # no report of a run that did not finish
        if signum == signal.SIGINT:  # how the run stopped does not change how it resumes: checked once
            resumed = _rerun(argv, tmp_path)
            assert resumed.returncode == 0, (resumed.stdout + resumed.stderr)[-3000:]
            assert (tmp_path / "logs" / "report" / "summary.json").is_file()


def test_interrupted_nightly_exits_130_and_writes_no_job_summary(tmp_path):
    with _answers() as server:
        config = tmp_path / "nightly.yaml"
        config.write_text(yaml.safe_dump({
            "name": "nightly",
            "prompts": [str(PROJECT_ROOT / "prompts" / "backend-architect.md")],
            "models": [{"name": "openai/scripted-architect", "base_url": server.base_url, "args": {"responses_api": False}}],
            "scenarios": {"dir": str(FIXTURES / "scenarios")},
            "epochs": 4,
            "max_connections": 2,
            "log_dir": "logs",
        }))
        summary = tmp_path / "job-summary.md"
        argv = [sys.executable, "-m", "archbench.app.cli", "nightly", str(config), "--summary-out", str(summary), "--display", "plain"]
        _assert_interrupted(_interrupt(argv, tmp_path, server, signal.SIGINT))
        assert not summary.exists()
        assert not list((tmp_path / "logs").glob("*/report"))
