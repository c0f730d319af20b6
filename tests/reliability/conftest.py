"""`archbench run` in a subprocess against a scripted server: killed with SIGKILL part-way,
rerun with the same command, and once more uninterrupted (in-process) for comparison.

The runs share one session fixture (they are the slowest part of the suite). The killed
and the resumed run use a canary API key and keep every directory they could write to
(HOME, XDG dirs, TMPDIR, the log and report folders) inside one temporary root, so
test_secrets.py can scan all of it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archbench.app.cli import main
from tests.reliability.support import FIXTURES, PROJECT_ROOT, tree_hash
from tests.support.fault_server import FaultInjectingOpenAIServer
from tests.support.openai_server import explore_then_answer

CANARY_KEY = "sk-canary-archbench-7f3a9c2e5b1d4086a4e2"
EPOCHS = 6
CALLS_PER_SAMPLE = 3  # list_dir, read_file, then the plan
RUN_TIMEOUT = 120


@dataclass
class CliRun:
    root: Path
    log_dir: Path
    outputs: list[str] = field(default_factory=list)  # stdout and stderr of every process
    returncodes: list[int] = field(default_factory=list)


@dataclass
class CrashAndResume:
    interrupted: CliRun
    uninterrupted: CliRun
    answered_before_kill: int
    answered_on_resume: int
    partial_samples: dict[tuple[str, int], str]  # (id, epoch) -> uuid, read from the killed run's log
    keys_sent: set[str]  # API keys the server saw
    repos_unchanged: bool


def isolated_env(root: Path) -> dict[str, str]:
    """The test process's environment without real keys, everything writable under `root`."""
    env = {key: value for key, value in os.environ.items() if not key.endswith(("_API_KEY", "_TOKEN"))}
    for name in ("home", "data", "cache", "config", "tmp"):
        (root / name).mkdir(parents=True, exist_ok=True)
    env.update(
        OPENAI_API_KEY=CANARY_KEY,
        HOME=str(root / "home"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_CONFIG_HOME=str(root / "config"),
        TMPDIR=str(root / "tmp"),
        PYTHONPATH=str(PROJECT_ROOT),
    )
    env.pop("INSPECT_CACHE_DIR", None)
    return env


def run_args(base_url: str, log_dir: Path) -> list[str]:
    """`archbench run …` against the scripted server, as the command line a user would type."""
    return [
        "run",
        "--scenarios", str(FIXTURES / "scenarios"),
        "--model", "openai/scripted-architect",
        "--model-base-url", base_url,
        "-M", "responses_api=false",
        "--epochs", str(EPOCHS),
        "--max-connections", "2",
        "--log-dir", str(log_dir),
        "--display", "none",
    ]


def _flushed_samples(log_dir: Path) -> int:
    """Samples already written into the log file(s); 0 while nothing readable is there yet."""
    count = 0
    for path in log_dir.glob("*.eval"):
        try:
            with zipfile.ZipFile(path) as archive:
                count += sum(1 for name in archive.namelist() if name.startswith("samples/"))
        except (zipfile.BadZipFile, OSError):
            continue
    return count


def _finish(process: subprocess.Popen, run: CliRun) -> None:
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    run.outputs += [stdout, stderr]
    run.returncodes.append(process.returncode)


@pytest.fixture(scope="session")
def crash_and_resume(tmp_path_factory) -> CrashAndResume:
    from inspect_ai.log import read_eval_log

    plan = (FIXTURES / "scenarios" / "references" / "mini-tags.md").read_text()
    responder = explore_then_answer(plan, [("list_dir", {"path": "."}), ("read_file", {"path": "backend/notes/models.py"})])
    repos_before = tree_hash(FIXTURES / "mini_repo")
    interrupted = CliRun(root := tmp_path_factory.mktemp("interrupted"), root / "logs")
    uninterrupted = CliRun(root := tmp_path_factory.mktemp("uninterrupted"), root / "logs")
    # a few retryable faults put provider errors and retries into the logs the secrets test scans
    with FaultInjectingOpenAIServer(
        responder, share=0.15, kinds=("rate_limit", "server_error", "dropped"), latency=0.2, seed=11
    ) as server:
        # everything inspect can record is on (off by default), so the secrets scan also covers the
        # live event buffer (.db) and the raw provider requests and responses
        argv = [sys.executable, "-m", "archbench.app.cli", *run_args(server.base_url, interrupted.log_dir), "--log-realtime", "--log-model-api"]
        env = isolated_env(interrupted.root)
        process = subprocess.Popen(argv, cwd=interrupted.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + RUN_TIMEOUT
        while _flushed_samples(interrupted.log_dir) == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        _finish(process, interrupted)
        answered_before_kill = len(server.requests)
        (partial_log,) = list(interrupted.log_dir.glob("*.eval"))
        partial = read_eval_log(str(partial_log))
        partial_samples = {(str(sample.id), sample.epoch): sample.uuid for sample in partial.samples or []}

        process = subprocess.Popen(argv, cwd=interrupted.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _finish(process, interrupted)
        answered_on_resume = len(server.requests) - answered_before_kill

        # the reference run goes in-process (same command, minus the interpreter start-up)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("OPENAI_API_KEY", CANARY_KEY)
            patch.setenv("INSPECT_CACHE_DIR", str(uninterrupted.root / "cache"))
            uninterrupted.returncodes.append(main(run_args(server.base_url, uninterrupted.log_dir)))
    return CrashAndResume(
        interrupted=interrupted,
        uninterrupted=uninterrupted,
        answered_before_kill=answered_before_kill,
        answered_on_resume=answered_on_resume,
        partial_samples=partial_samples,
        keys_sent=set(server.bearer_tokens),
        repos_unchanged=tree_hash(FIXTURES / "mini_repo") == repos_before,
    )
