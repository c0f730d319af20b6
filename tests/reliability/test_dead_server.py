"""Nothing listening at --model-base-url: the run ends within seconds, and the console, the log and
the report all name the address and say "connection refused" (it used to retry silently for minutes)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

from inspect_ai.log import list_eval_logs, read_eval_log

from tests.reliability.conftest import isolated_env
from tests.reliability.support import FIXTURES

DEADLINE = 60  # seconds, interpreter start-up included; the old behaviour ran for 300 s and more


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def test_a_dead_model_server_fails_fast_with_the_address_and_the_reason(tmp_path):
    base_url = f"http://127.0.0.1:{closed_port()}/v1"
    argv = [sys.executable, "-m", "archbench.app.cli", "run", "--scenarios", str(FIXTURES / "scenarios"),
            "--model", "openai/local-architect", "--model-base-url", base_url, "-M", "responses_api=false",
            "--log-dir", str(tmp_path / "logs"), "--display", "plain"]
    started = time.monotonic()
    result = subprocess.run(argv, cwd=tmp_path, env=isolated_env(tmp_path), capture_output=True, text=True, timeout=DEADLINE)
    elapsed = time.monotonic() - started
    assert result.returncode == 1, (result.stdout + result.stderr)[-3000:]
    assert elapsed < DEADLINE / 2, elapsed

    said = f"cannot reach the model server for openai/local-architect at {base_url}: connection refused"
    # before the run starts, in one line (after any warning about the prompt, e.g. Bash without a sandbox)
    assert any(said in line for line in result.stderr.splitlines()[:3]), result.stderr[:2000]
    (log,) = [read_eval_log(info) for info in list_eval_logs(str(tmp_path / "logs"))]
    assert all(said in sample.error.message for sample in log.samples)
    assert said in (tmp_path / "logs" / "report" / "report.md").read_text()
