"""Whole offline runs through inspect: every sample scored, originals untouched, resume works."""

import hashlib
import json
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.event import ModelEvent
from inspect_ai.log import list_eval_logs, read_eval_log

from archbench.app.cli import main
from archbench.app.run import OFFLINE_BASELINES, RunSpec, run_matrix
from archbench.evals.architect import architect
from tests.support.openai_server import ScriptedOpenAIServer, explore_then_answer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCENARIOS = FIXTURES / "scenarios"
SCORERS = {"scope", "completeness", "conventions", "grounding", "overall"}


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_offline_baselines_run_end_to_end(tmp_path):
    before = tree_hash(FIXTURES / "mini_repo")
    logs = eval(architect(scenarios=str(SCENARIOS)), model=list(OFFLINE_BASELINES), log_dir=str(tmp_path), display="none")
    assert tree_hash(FIXTURES / "mini_repo") == before
    by_model = {log.eval.model: log for log in logs}
    for log in logs:
        assert log.status == "success"
        for sample in log.samples:
            assert sample.error is None
            assert set(sample.scores) == SCORERS, sample.scores.keys()
            assert all(score.explanation for score in sample.scores.values())
    reference = by_model["archbench/reference"].samples[0]
    tool_calls = [call.function for message in reference.messages if message.role == "assistant" for call in message.tool_calls or []]
    assert {"list_dir", "read_file", "glob"} <= set(tool_calls)
    assert reference.scores["scope"].value == 1.0
    dumper = by_model["archbench/code-dumper"].samples[0]
    assert dumper.store["repo_diff"]["backend"] and dumper.scores["scope"].value == 0.0
    meddler = by_model["archbench/frontend-meddler"].samples[0]
    assert meddler.store["repo_diff"]["frontend"] and meddler.scores["scope"].value == 0.0
    assert reference.scores["overall"].value > by_model["archbench/template"].samples[0].scores["overall"].value


def test_prompt_without_write_tools_gets_no_write_tools(tmp_path):
    read_only = tmp_path / "read-only.md"
    read_only.write_text("---\nname: read-only\ndescription: plans\ntools: Read, Grep, Glob\n---\nYou plan.\n")
    (log,) = eval(
        architect(prompts=str(read_only), scenarios=str(SCENARIOS)), model="archbench/code-dumper", log_dir=str(tmp_path), display="none"
    )
    sample = log.samples[0]
    assert sample.metadata["tools"] == ["read_file", "glob", "grep"]
    assert sample.store["repo_diff"]["created"] == []  # the dumper had no write tool to call


def test_rerunning_the_same_command_resumes_without_redoing_samples(tmp_path):
    spec = RunSpec(models=["archbench/reference", "archbench/template"], scenarios_dir=SCENARIOS, log_dir=tmp_path / "logs")
    success, log_dir = run_matrix(spec, display="none")
    assert success
    first = {info.name: info.mtime for info in list_eval_logs(str(log_dir))}
    assert len(first) == 2
    success, _ = run_matrix(spec, display="none")
    assert success
    assert {info.name: info.mtime for info in list_eval_logs(str(log_dir))} == first  # nothing rerun, nothing rewritten


def test_run_facts_in_the_header_agree_with_the_transcripts(tmp_path):
    """The header's call counts come from the sample summaries; they must equal a count over every transcript."""
    spec = RunSpec(models=["archbench/reference"], scenarios_dir=SCENARIOS, log_dir=tmp_path / "logs", epochs=2)
    success, log_dir = run_matrix(spec, display="none")
    assert success
    (info,) = list_eval_logs(str(log_dir))
    log = read_eval_log(info.name)
    events = [event for sample in log.samples for event in sample.events if isinstance(event, ModelEvent)]
    assert len(log.samples) == 2 and len(events) >= 4  # the reference explores with tools before answering
    facts = log.eval.metadata["archbench"]
    assert (facts["model_calls"], facts["cache_hits"], facts["retries"]) == (len(events), 0, 0)
    assert sum(sample.metadata["archbench_calls"]["model_calls"] for sample in log.samples) == len(events)
    assert all(sample.scores and sample.messages for sample in log.samples)  # the header-only rewrite kept the samples


def test_cli_run_writes_logs_and_report(tmp_path, capsys):
    """The Quickstart's default: the four offline baselines (regression: diff violations without evidence text broke the report)."""
    code = main(["run", "--scenarios", str(SCENARIOS), "--log-dir", str(tmp_path / "logs"), "--display", "none"])
    assert code == 0
    summary = json.loads((tmp_path / "logs" / "report" / "summary.json").read_text())
    assert sorted(variant["model"] for variant in summary["variants"]) == sorted(OFFLINE_BASELINES)
    assert (tmp_path / "logs" / "report" / "report.html").is_file()


@pytest.mark.parametrize(
    "argv, message",
    [
        pytest.param(["run", "--scenarios", "/nonexistent"], "scenario folder not found", id="missing-scenarios"),
        pytest.param(["run", "--scenarios", str(SCENARIOS), "--scenario", "nope"], "unknown scenario id", id="unknown-scenario"),
        pytest.param(["run", "--scenarios", str(SCENARIOS), "--epochs", "0"], "--epochs must be at least 1", id="bad-epochs"),
        pytest.param(["run", "--prompt", "/nonexistent.md"], "file not found", id="missing-prompt"),
        pytest.param(["run", "--model", "gpt-5"], "must be provider/name", id="model-without-provider"),
        pytest.param(["run", "-M", "novalue"], "expects KEY=VALUE", id="bad-model-arg"),
        pytest.param(["frobnicate"], "invalid choice", id="unknown-command"),
    ],
)
def test_cli_bad_input_exits_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("flags", [[], ["--log-realtime", "--log-model-api"]], ids=["defaults", "both-on"])
def test_what_the_log_keeps_besides_the_transcript(tmp_path, flags):
    """By default no raw provider payloads and no live event stream; the flags turn each on."""
    plan = (SCENARIOS / "references" / "mini-tags.md").read_text()
    responder = explore_then_answer(plan, [("list_dir", {"path": "."})])
    with ScriptedOpenAIServer(responder) as server:
        code = main(["run", "--scenarios", str(SCENARIOS), "--model", "openai/gpt-4o-mini", "--model-base-url",
                     server.base_url, "-M", "api_key=sk-test-local", "-M", "responses_api=false",
                     "--log-dir", str(tmp_path / "logs"), "--display", "none", *flags])
    assert code == 0
    (info,) = list_eval_logs(str(tmp_path / "logs"))
    log = read_eval_log(info.name)
    events = [event for sample in log.samples for event in sample.events if isinstance(event, ModelEvent)]
    assert len(events) == 2
    on = bool(flags)
    assert (log.eval.config.log_realtime, log.eval.config.log_model_api) == (on, on)
    assert all((event.call is not None) == on for event in events)
    if on:
        assert events[0].call.request["messages"][0]["role"] == "system"


def test_live_openai_provider_against_local_server(tmp_path):
    """inspect's real `openai` provider, tool calls included, against a server on 127.0.0.1."""
    plan = (SCENARIOS / "references" / "mini-tags.md").read_text()
    responder = explore_then_answer(plan, [("list_dir", {"path": "."}), ("read_file", {"path": "backend/notes/models.py"})])
    with ScriptedOpenAIServer(responder) as server:
        (log,) = eval(
            architect(scenarios=str(SCENARIOS)),
            model="openai/gpt-4o-mini",
            model_base_url=server.base_url,
            model_args={"api_key": "sk-test-local", "responses_api": False},
            log_dir=str(tmp_path),
            display="none",
        )
    assert log.status == "success", log.error
    sample = log.samples[0]
    assert sample.error is None and set(sample.scores) == SCORERS
    tool_results = [message for message in sample.messages if message.role == "tool"]
    assert [message.function for message in tool_results] == ["list_dir", "read_file"]
    assert "class Note(models.Model)" in tool_results[1].text
    assert len(server.requests) == 3 and server.requests[0]["tools"]
    assert sample.output.completion.strip() == plan.strip()
