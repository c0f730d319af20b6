"""The Claude Code runner: the real Claude Code binary, offline, driven by scripted inspect models.

Checked from outside wherever possible: the files in the run's folders, the process table, the
scores and the repo diff in the log. Tests that run the binary skip, saying why, where the
claude-code extra or bubblewrap is missing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from inspect_ai import eval

from archbench.app.cli import main
from archbench.evals import claude_code
from archbench.evals.architect import architect
from archbench.evals.bash_tool import BashStatus, bash_available
from archbench.evals.claude_code import METADATA_KEY, claude_code_install, prepare_request
from tests.support.claude_code_scripted import FIXTURES, PLAN, scripted_model

SCENARIOS = FIXTURES / "scenarios"
ROOT = Path(__file__).resolve().parents[2]
needs_claude_code = pytest.mark.skipif(not claude_code_install(), reason=claude_code_install().reason)
needs_sandbox = pytest.mark.skipif(not bash_available(), reason=f"bubblewrap sandbox unavailable: {bash_available().reason}")


def tree_hash(root: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def agent_file(tmp_path: Path, tools: str = "Read, Grep, Glob, Write") -> Path:
    path = tmp_path / "planner.md"
    path.write_text(f"---\nname: planner\ndescription: plans features\ntools: {tools}\n---\nBODY-MARKER-7f3a. You plan; you never write code.\n")
    return path


def test_requests_lose_metadata_deferred_tools_and_the_billing_block():
    body = {
        "model": "m", "metadata": {"user_id": "random"}, "stream": True, "messages": [],
        "system": [{"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.337;"}, {"type": "text", "text": "BODY"}],
        "tools": [{"name": "Read", "input_schema": {}}, {"name": "DeferredToolPlaceholder", "defer_loading": True, "input_schema": {}}],
    }
    prepared = prepare_request(body)
    assert "metadata" not in prepared
    assert [tool["name"] for tool in prepared["tools"]] == ["Read"]
    assert prepared["system"] == [{"type": "text", "text": "BODY"}]
    assert body["metadata"] and len(body["tools"]) == 2  # the caller's request is not changed


def test_without_the_extra_the_runner_exits_2_saying_how_to_install(monkeypatch, capsys):
    missing = claude_code.ClaudeCodeInstall(None, None, f"Claude Code is not installed; install it with: {claude_code.INSTALL_HINT}")
    monkeypatch.setattr("archbench.app.run.claude_code_install", lambda: missing)
    code = main(["run", "--runner", "claude-code", "--model", "archbench/reference", "--scenarios", str(SCENARIOS), "--display", "none"])
    assert code == 2
    assert 'pip install "archbench[claude-code]"' in capsys.readouterr().err


@needs_claude_code
def test_without_a_sandbox_the_runner_refuses_unless_told(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("archbench.evals.bash_tool.bash_available", lambda: BashStatus(False, "bwrap is not installed"))
    code = main(["run", "--runner", "claude-code", "--model", "archbench/reference", "--scenarios", str(SCENARIOS),
                 "--log-dir", str(tmp_path / "logs"), "--display", "none"])
    assert code == 2
    err = capsys.readouterr().err
    assert "bwrap is not installed" in err and "--unsandboxed-claude-code" in err
    assert not (tmp_path / "logs").exists()


@needs_claude_code
@needs_sandbox
def test_main_thread_tools_run_in_the_copy_and_the_diff_is_recorded(tmp_path):
    before = tree_hash(FIXTURES / "mini_repo")
    seen: list[dict] = []
    steps = [
        ("Read", {"file_path": "{cwd}/backend/notes/models.py"}),
        ("Grep", {"pattern": "class Note", "path": "{cwd}", "output_mode": "content"}),
        ("Glob", {"pattern": "**/*", "path": "{cwd}"}),
        ("Read", {"file_path": "{cwd}/archbench.yaml"}),
        ("Write", {"file_path": "{cwd}/backend/notes/tags.py", "content": "TAGS = []\n"}),
        ("Write", {"file_path": "/usr/evil.txt", "content": "outside"}),
    ]
    workdir = tmp_path / "work"
    (log,) = eval(
        architect(prompts=str(agent_file(tmp_path)), scenarios=str(SCENARIOS), runner="claude-code", claude_code_workdir=str(workdir), cache=False),
        model=scripted_model(steps, seen), log_dir=str(tmp_path / "logs"), display="none",
    )
    assert log.status == "success", log.error
    sample = log.samples[0]
    facts = sample.metadata[METADATA_KEY]
    assert facts["version"] == claude_code_install().version and facts["mode"] == "main" and facts["sandboxed"]
    # the model saw Claude Code's own tools, exactly the agent file's, and the agent file's body
    assert sorted(seen[0]["tools"]) == ["Glob", "Grep", "Read", "Write"]
    assert "BODY-MARKER-7f3a" in seen[0]["system"] and "x-anthropic-billing-header" not in seen[0]["system"]
    assert len(seen) == len(steps) + 1 == facts["requests"]
    results = seen[-1]["tool_results"]
    assert results[0][0] == "Read" and "class Note(models.Model):" in results[0][1]  # cat -n numbered lines of the copy
    assert "backend/notes/models.py" in results[1][1]
    assert "backend/notes/views.py" in results[2][1] and "archbench.yaml" not in results[2][1]  # conventions hidden
    assert results[3][2] or "does not exist" in results[3][1].lower()
    assert results[5][2] or "denied" in results[5][1].lower() or "permission" in results[5][1].lower()
    # the write landed in the copy and is recorded like the native runner's; the plan is graded
    diff = sample.store["repo_diff"]
    assert diff["created"] == ["backend/notes/tags.py"] and diff["backend"] == ["backend/notes/tags.py"]
    assert sample.output.completion.strip() == PLAN.strip()
    assert sample.scores["scope"].value == 0.0  # it wrote backend code
    assert all(score.explanation for score in sample.scores.values())
    assert tree_hash(FIXTURES / "mini_repo") == before
    assert list(workdir.iterdir()) == []  # the sample's folder is gone


@needs_claude_code
@needs_sandbox
def test_reference_scores_as_in_the_native_runner_in_both_modes(tmp_path, capsys):
    (native,) = eval(architect(scenarios=str(SCENARIOS)), model="archbench/reference", log_dir=str(tmp_path / "native"), display="none")
    expected = native.samples[0].scores["overall"].value
    log_dir = tmp_path / "cc"
    code = main(["run", "--runner", "claude-code", "--model", "archbench/reference", "--scenarios", str(SCENARIOS),
                 "--log-dir", str(log_dir), "--display", "none"])
    assert code == 0
    report = (log_dir / "report" / "report.md").read_text()
    assert f"Runner: claude-code {claude_code_install().version} (main)." in report
    assert not (log_dir / "claude-code-samples").exists()
    (delegated,) = eval(
        architect(scenarios=str(SCENARIOS), runner="claude-code", claude_code_mode="delegated"),
        model="archbench/reference", log_dir=str(tmp_path / "delegated"), display="none",
    )
    from inspect_ai.log import list_eval_logs, read_eval_log

    (main_log,) = [read_eval_log(info.name) for info in list_eval_logs(str(log_dir))]
    for log, mode in ((main_log, "main"), (delegated, "delegated")):
        sample = log.samples[0]
        assert sample.error is None, sample.error
        assert sample.metadata[METADATA_KEY]["mode"] == mode
        assert {"Read", "Agent"} <= set(sample.metadata[METADATA_KEY]["tools"])  # Claude Code's default tools
        assert sample.output.completion.strip() == native.samples[0].output.completion.strip()
        assert sample.scores["overall"].value == expected
    body = (ROOT / "prompts" / "backend-architect.md").read_text().split("\n---\n", 1)[1].strip()[:300]
    assert any(body in message.text for message in main_log.samples[0].messages if message.role == "system")
    # delegated: the main thread called the Agent tool; the plan is the agent's, not the main thread's
    assert delegated.samples[0].metadata[METADATA_KEY]["requests"] > main_log.samples[0].metadata[METADATA_KEY]["requests"]


def _processes_with(marker: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline and str(os.getpid()) != pid:
                found.append(f"{pid}: {cmdline}")
    return found


@needs_claude_code
@needs_sandbox
def test_sigkill_leaves_no_process_and_resume_leaves_no_file(tmp_path):
    marker = str(900000 + os.getpid() % 99999)
    background = f"time.sleep(3600) {marker}"  # the command line of the process the model starts in the background
    log_dir = tmp_path / "logs"
    workdir = log_dir / "claude-code-samples"
    tmp_before = set(os.listdir("/tmp"))
    private_tmp = tmp_path / "tmp"  # the killed run's temporary files would land here (other sessions share /tmp)
    private_tmp.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.claude_code_scripted", str(workdir), str(tmp_path / "killed-logs"), marker],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ, TMPDIR=str(private_tmp)),
    )
    try:
        deadline = time.monotonic() + 240
        while not _processes_with(background):
            assert child.poll() is None, child.stdout.read()
            assert time.monotonic() < deadline, "the background process never started"
            time.sleep(0.5)
        assert _processes_with(str(workdir))  # the sandbox is running
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    deadline = time.monotonic() + 30
    while (_processes_with(background) or _processes_with(str(workdir))) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_with(background) == [] and _processes_with(str(workdir)) == []
    assert any(workdir.iterdir())  # the killed run could not clean up its sample folder ...
    from archbench.app.run import RunSpec, run_matrix

    success, _ = run_matrix(RunSpec(models=["archbench/template"], scenarios_dir=SCENARIOS, log_dir=log_dir, runner="claude-code"), display="none")
    assert success
    assert not workdir.exists()  # ... the next run of the same folder removes it
    assert list(private_tmp.iterdir()) == []
    assert {name for name in set(os.listdir("/tmp")) - tmp_before if "claude" in name or "cc-socks" in name} == set()


def test_the_runner_comes_from_the_config_or_the_flag_and_is_part_of_the_fingerprint(tmp_path):
    from archbench.app.cli import _spec_from, build_parser
    from archbench.app.config import load_config
    from archbench.app.run import RunSpec

    config = tmp_path / "experiment.yaml"
    config.write_text(f"name: cc\nprompts: [{ROOT / 'prompts' / 'backend-architect.md'}]\nmodels: [archbench/reference]\n"
                      "runner: claude-code\nclaude_code_mode: delegated\n")
    spec = load_config(config)[1]
    assert (spec.runner, spec.claude_code_mode) == ("claude-code", "delegated")
    flagged = _spec_from(build_parser().parse_args(["run", "--config", str(config), "--runner", "native"]))
    assert flagged.runner == "native"
    prints = {
        RunSpec(scenarios_dir=SCENARIOS, runner=runner, claude_code_mode=mode).fingerprint()
        for runner, mode in (("native", "main"), ("claude-code", "main"), ("claude-code", "delegated"))
    }
    assert len(prints) == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text(config.read_text().replace("runner: claude-code", "runner: claude"))
    with pytest.raises(Exception, match="runner"):
        load_config(bad)


@needs_claude_code
def test_unsandboxed_only_on_request_without_bash_and_nothing_left_in_tmp(tmp_path, monkeypatch):
    tmp_before = set(os.listdir("/tmp"))
    private_tmp = tmp_path / "tmp"  # archbench's own temporary files would land here (other sessions share /tmp)
    private_tmp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(private_tmp))
    log_dir = tmp_path / "logs"
    code = main(["run", "--runner", "claude-code", "--unsandboxed-claude-code", "--model", "archbench/reference",
                 "--scenarios", str(SCENARIOS), "--log-dir", str(log_dir), "--display", "none"])
    assert code == 0
    from inspect_ai.log import list_eval_logs, read_eval_log

    (info,) = list_eval_logs(str(log_dir), recursive=False)
    sample = read_eval_log(info.name).samples[0]
    facts = sample.metadata[METADATA_KEY]
    assert facts["sandboxed"] is False and "Bash" not in facts["tools"] and "Read" in facts["tools"]
    assert sample.error is None and sample.scores["overall"].value is not None
    assert "Runner: claude-code" in (log_dir / "report" / "report.md").read_text() and "unsandboxed" in (log_dir / "report" / "report.md").read_text()
    assert not (log_dir / "claude-code-samples").exists()
    assert list(private_tmp.iterdir()) == []
    assert {name for name in set(os.listdir("/tmp")) - tmp_before if "claude" in name or "cc-socks" in name} == set()


@needs_claude_code
@needs_sandbox
def test_the_response_cache_and_usage_work_through_claude_code(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[dict] = []
    runs = []
    for attempt in range(2):
        (log,) = eval(
            architect(prompts=str(agent_file(tmp_path)), scenarios=str(SCENARIOS), runner="claude-code", cache=True),
            model=scripted_model([], calls), log_dir=str(tmp_path / f"logs{attempt}"), display="none",
        )
        assert log.status == "success", log.error
        runs.append(log)
    first, second = (log.samples[0].metadata["archbench_calls"] for log in runs)
    counts = ("model_calls", "cache_hits", "retries")
    assert {key: first[key] for key in counts} == {"model_calls": 1, "cache_hits": 0, "retries": 0}
    # same request (cwd /repo): served from the cache
    assert {key: second[key] for key in counts} == {"model_calls": 1, "cache_hits": 1, "retries": 0}
    assert len(calls) == 1  # the model itself answered once
    assert runs[0].stats.model_usage["mockllm/model"].input_tokens == 100  # usage reaches inspect (budget, costs)
    assert runs[1].samples[0].output.completion.strip() == PLAN.strip()


@needs_claude_code
@needs_sandbox
def test_the_message_limit_ends_a_claude_code_sample_as_it_ends_a_native_one(tmp_path):
    logs = {}
    for runner in ("native", "claude-code"):
        (logs[runner],) = eval(architect(scenarios=str(SCENARIOS), runner=runner, message_limit=7), model="archbench/reference",
                               log_dir=str(tmp_path / runner), display="none")
    for log in logs.values():
        sample = log.samples[0]
        assert sample.error is None and sample.limit is not None and sample.limit.type == "message"
    assert {k: v.value for k, v in logs["native"].samples[0].scores.items()} == {k: v.value for k, v in logs["claude-code"].samples[0].scores.items()}


@needs_claude_code
@needs_sandbox
def test_a_relative_log_dir_works(tmp_path, monkeypatch):
    """The samples' folders live in the run's folder; bwrap and Claude Code run elsewhere, so a
    relative --log-dir (the default `logs/…`) must still give them absolute paths."""
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--runner", "claude-code", "--model", "archbench/reference", "--scenarios", str(SCENARIOS),
                 "--log-dir", "logs/relative", "--display", "none"])
    assert code == 0
    assert not (tmp_path / "logs" / "relative" / "claude-code-samples").exists() or not any(
        (tmp_path / "logs" / "relative" / "claude-code-samples").iterdir()
    )


@needs_claude_code
@needs_sandbox
def test_a_dead_model_server_fails_the_sample_at_once_naming_the_address(tmp_path, monkeypatch):
    """As in the native runner: no minutes of retries behind the proxy while Claude Code waits."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once the socket is closed
    base_url = f"http://127.0.0.1:{port}/v1"
    monkeypatch.setenv("OPENAI_API_KEY", "not-used-offline")
    started = time.monotonic()
    (log,) = eval(architect(scenarios=str(SCENARIOS), runner="claude-code"), model="openai/local-architect",
                  model_base_url=base_url, model_args={"responses_api": False}, log_dir=str(tmp_path / "logs"),
                  display="none")
    assert time.monotonic() - started < 60
    said = f"cannot reach the model server for openai/local-architect at {base_url}: connection refused"
    assert log.samples and all(said in sample.error.message for sample in log.samples)
