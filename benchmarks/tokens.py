"""Tokens: what the reference baseline's tool transcript costs in input, per scenario.

Runs the offline `archbench/reference` architect (it lists the repo, reads settings,
globs and reads the models, then answers) on every scenario with the baseline prompt,
and adds up, over each model call recorded in the log (`ModelEvent`), everything the
model is sent: the messages (system prompt, request, its tool calls, tool results) and
the tool definitions. Tokens are estimated as characters / 4, as the offline providers
count them: a fixed, offline ruler, so a change that bloats the context (a longer tool
description, a bigger result cap, line-number padding) moves the figure.

The floor is the last call's input alone: everything the agent saw, sent once. The
ratio to it is how often the transcript is re-sent across calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run_all import Row, add_json_flag, emit  # noqa: E402

CHARS_PER_TOKEN = 4


def message_chars(message) -> int:
    calls = getattr(message, "tool_calls", None) or []
    return len(message.text) + sum(len(call.function) + len(json.dumps(call.arguments)) for call in calls)


def tools_chars(tools) -> int:
    return len(json.dumps([tool.model_dump(exclude_none=True) for tool in tools]))


def transcript_tokens(sample) -> dict[str, int]:
    """Input tokens of every model call of one sample, split by what they carry."""
    from inspect_ai.event import ModelEvent

    calls = [event for event in sample.events if isinstance(event, ModelEvent)]
    split = {"calls": len(calls), "system": 0, "tool_results": 0, "tool_definitions": 0, "other": 0}
    for call in calls:
        split["tool_definitions"] += tools_chars(call.tools)
        for message in call.input:
            part = {"system": "system", "tool": "tool_results"}.get(message.role, "other")
            split[part] += message_chars(message)
    last = calls[-1]
    split["last_call"] = tools_chars(last.tools) + sum(message_chars(message) for message in last.input)
    return {key: value if key == "calls" else value // CHARS_PER_TOKEN for key, value in split.items()}


def measure() -> list[Row]:
    from inspect_ai import eval
    from inspect_ai.log import read_eval_log

    from archbench.evals.architect import architect

    with tempfile.TemporaryDirectory(prefix="bench-tokens-") as log_dir:
        (log,) = eval(architect(cache=False), model="archbench/reference", log_dir=log_dir, display="none")
        if log.status != "success":
            raise RuntimeError(f"reference run failed: {log.error.message if log.error else log.status}")
        full = read_eval_log(log.location, resolve_attachments=True)
        per_scenario = {sample.metadata["scenario"]: transcript_tokens(sample) for sample in full.samples}

    print(f"{'scenario':<34}{'calls':>6}{'input':>9}{'system':>9}{'tool defs':>10}{'results':>9}{'other':>8}{'last call':>10}")
    for scenario, split in sorted(per_scenario.items()):
        total = split["system"] + split["tool_results"] + split["tool_definitions"] + split["other"]
        print(f"{scenario:<34}{split['calls']:>6}{total:>9,}{split['system']:>9,}{split['tool_definitions']:>10,}"
              f"{split['tool_results']:>9,}{split['other']:>8,}{split['last_call']:>10,}")

    totals = {key: sum(split[key] for split in per_scenario.values()) for key in next(iter(per_scenario.values()))}
    inputs = [split["system"] + split["tool_results"] + split["tool_definitions"] + split["other"] for split in per_scenario.values()]
    scenarios = len(per_scenario)
    share = {key: totals[key] / sum(inputs) for key in ("system", "tool_definitions", "tool_results", "other")}
    return [
        Row(
            "7 tokens",
            f"reference baseline's input tokens per scenario (chars/4; {scenarios} scenarios, "
            f"{totals['calls'] / scenarios:.1f} calls each)",
            f"mean {statistics.mean(inputs):,.0f}, max {max(inputs):,}",
            f"mean {totals['last_call'] / scenarios:,.0f}: last call alone",
            sum(inputs) / totals["last_call"],
        ),
        Row(
            "7 tokens",
            "where the input goes",
            f"system prompt {share['system']:.0%}, tool definitions {share['tool_definitions']:.0%}, "
            f"tool results {share['tool_results']:.0%}, request + tool calls {share['other']:.0%}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_json_flag(parser)
    args = parser.parse_args(argv)
    emit(measure(), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
