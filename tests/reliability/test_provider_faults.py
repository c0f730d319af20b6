"""Provider faults: a run through inspect's real `openai` provider against a server that fails
a third of its calls (429 with Retry-After, 500, 529, dropped connections, timeouts,
malformed JSON) completes: every sample ends scored or errored with its reason, every
fault is accounted for as a retry or an error, and the report counts the same.
"""

from __future__ import annotations

import html
import json
import tempfile
import urllib.error
import urllib.request

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from archbench.app.config import ModelEntry
from archbench.app.run import RunSpec, run_matrix
from archbench.reports.build import build_report
from tests.reliability.support import FIXTURES, tree_hash
from tests.support.fault_server import FAULT_KINDS, FaultInjectingOpenAIServer
from tests.support.openai_server import explore_then_answer

SCENARIOS = FIXTURES / "scenarios"
SCORERS = {"scope", "completeness", "conventions", "grounding", "overall"}
MODEL = "openai/gpt-4o-mini"
EPOCHS = 6
CLIENT_TIMEOUT = 1.0  # seconds before the SDK gives up on a silent call (the "timeout" fault)


def _post(url: str) -> tuple[int | None, dict[str, str], bytes]:
    request = urllib.request.Request(f"{url}/chat/completions", data=b'{"messages": []}', method="POST")
    try:
        with urllib.request.urlopen(request, timeout=0.5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_is_what_it_claims(kind):
    with FaultInjectingOpenAIServer(lambda request: {"role": "assistant", "content": "ok"}, share=1.0, kinds=(kind,), hang_seconds=1.0) as server:
        if kind in ("dropped", "timeout"):
            with pytest.raises((OSError, urllib.error.URLError)):
                _post(server.base_url)
            return
        status, headers, body = _post(server.base_url)
    if kind == "malformed_json":
        assert status == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
        return
    assert status == {"rate_limit": 429, "server_error": 500, "overloaded": 529}[kind]
    assert json.loads(body)["error"]["type"]
    assert (headers.get("Retry-After") is not None) == (kind == "rate_limit")


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory):
    """One run of the fixture scenario × 6 epochs against the faulty server, and its report."""
    root = tmp_path_factory.mktemp("faults")
    plan = (SCENARIOS / "references" / "mini-tags.md").read_text()
    responder = explore_then_answer(plan, [("list_dir", {"path": "."}), ("read_file", {"path": "backend/notes/models.py"})])
    repo_before = tree_hash(FIXTURES / "mini_repo")
    with pytest.MonkeyPatch.context() as patch, FaultInjectingOpenAIServer(responder, share=0.3, seed=3, hang_seconds=3.0) as server:
        patch.setenv("INSPECT_CACHE_DIR", str(root / "cache"))
        (root / "tmp").mkdir()
        patch.setattr(tempfile, "tempdir", str(root / "tmp"))  # where the samples' workspaces go
        entry = ModelEntry(
            name=MODEL,
            # inspect's own retry loop (after the SDK's two quick retries): bounded, so a test cannot hang
            generate={"max_retries": 3, "timeout": 60},
            args={"api_key": "sk-test-faults", "responses_api": False, "client_timeout": CLIENT_TIMEOUT},
            base_url=server.base_url,
        )
        spec = RunSpec(
            models=[MODEL],
            scenarios_dir=SCENARIOS,
            epochs=EPOCHS,
            log_dir=root / "logs",
            model_settings={MODEL: entry},
            retry_on_error=0,  # every error stays in the log with its events, so each fault can be traced
        )
        success, log_dir = run_matrix(spec, display="none")
    (log,) = [read_eval_log(info) for info in list_eval_logs(str(log_dir))]
    summary = build_report([log_dir], root / "report")
    return {
        "success": success,
        "log": log,
        "faults": list(server.faults),
        "summary": summary,
        "report_dir": root / "report",
        "repo_unchanged": tree_hash(FIXTURES / "mini_repo") == repo_before,
        "temp_leftovers": sorted(path.name for path in (root / "tmp").iterdir()),
    }


def recorded_retries(log) -> int:
    """Retries the log records: the SDK's (ModelEvent.retries), inspect's (a failed ModelEvent per
    abandoned attempt) and whole-sample retries."""
    total = 0
    for sample in log.samples:
        for event in sample.events:
            if event.event == "model":
                total += (event.retries or 0) + (1 if event.error else 0)
        total += len(sample.error_retries or [])
    return total


def test_every_kind_of_fault_was_served(faulty_run):
    assert set(faulty_run["faults"]) == set(FAULT_KINDS), faulty_run["faults"]


def test_every_sample_ends_scored_or_errored_with_its_reason(faulty_run):
    log = faulty_run["log"]
    assert sorted((sample.id, sample.epoch) for sample in log.samples) == [("mini-tags:backend-architect", epoch) for epoch in range(1, EPOCHS + 1)]
    errored = [sample for sample in log.samples if sample.error is not None]
    for sample in log.samples:
        if sample.error is None:
            assert set(sample.scores) == SCORERS and all(score.explanation for score in sample.scores.values())
        else:
            assert sample.error.message.strip() and not sample.scores
    # a malformed body is not retryable: that sample is an error that names the cause, not a 0
    assert any("JSONDecodeError" in sample.error.message for sample in errored)
    # an errored sample leaves the task unfinished, so rerunning the command retries exactly it
    assert log.status == "error" and faulty_run["success"] is False
    assert faulty_run["repo_unchanged"]
    assert faulty_run["temp_leftovers"] == []  # every sample's workspace removed, the errored one's too


def test_every_fault_is_accounted_for_as_a_retry_or_an_error(faulty_run):
    assert recorded_retries(faulty_run["log"]) == len(faulty_run["faults"])


def test_report_counts_samples_and_errors_like_the_log(faulty_run):
    log, summary = faulty_run["log"], faulty_run["summary"]
    errored = [sample for sample in log.samples if sample.error is not None]
    (variant,) = summary["variants"]
    assert summary["n_samples"] == EPOCHS  # every sample attempted is in the report...
    assert summary["n_failed"] == len(errored) == variant["n_failed"]  # ...the errored ones as failed, not as 0
    assert variant["n_samples"] == EPOCHS - len(errored)  # scored samples
    page = html.unescape((faulty_run["report_dir"] / "report.html").read_text())
    for sample in errored:
        assert sample.error.message in page  # the failed-samples table gives each reason


def test_report_counts_retries(faulty_run):
    assert faulty_run["summary"]["run"]["retries"] == recorded_retries(faulty_run["log"])
