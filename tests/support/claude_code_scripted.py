"""A scripted inspect model for the Claude Code runner's tests, and a run a test can SIGKILL.

`scripted_architect(steps, seen)` answers Claude Code's requests with the tool calls in `steps`
(one per turn, paths under `{cwd}` resolved from Claude Code's environment block), then with
`PLAN`; it records every request's tools and system text in `seen`. Every output carries `usage`
(without it mockllm counts tokens with tiktoken, which downloads an encoding: offline failure).

    python -m tests.support.claude_code_scripted WORKDIR LOGDIR MARKER

runs one Claude Code sample whose model starts a background `sleep MARKER` through Bash and then
never answers again, so a test can kill this process and look for leftovers.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from inspect_ai.model import ChatMessageSystem, ModelOutput, ModelUsage, get_model

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PLAN = (FIXTURES / "scenarios" / "references" / "mini-tags.md").read_text(encoding="utf-8")


def _cwd(messages) -> str:  # type: ignore[no-untyped-def]
    for message in messages:
        found = re.search(r"Primary working directory: (\S+)", message.text or "")
        if found:
            return found.group(1)
    raise AssertionError("no environment block in the request")


def _with_usage(output: ModelOutput) -> ModelOutput:
    output.usage = ModelUsage(input_tokens=100, output_tokens=10, total_tokens=110)
    return output


def scripted_architect(steps: list[tuple[str, dict]], seen: list[dict], answer: str = PLAN) -> Callable:
    def outputs(messages, tools, tool_choice, config):  # type: ignore[no-untyped-def]
        seen.append({
            "tools": [tool.name for tool in tools],
            "system": "\n".join(message.text for message in messages if isinstance(message, ChatMessageSystem)),
            "tool_results": [(message.function, message.text, message.error is not None) for message in messages if message.role == "tool"],
        })
        turn = sum(1 for message in messages if message.role == "assistant")
        if turn < len(steps):
            name, arguments = steps[turn]
            filled = json.loads(json.dumps(arguments).replace("{cwd}", _cwd(messages)))
            return _with_usage(ModelOutput.for_tool_call("mockllm/model", name, filled))
        return _with_usage(ModelOutput.from_content("mockllm/model", answer))

    return outputs


def scripted_model(steps: list[tuple[str, dict]], seen: list[dict], answer: str = PLAN):  # type: ignore[no-untyped-def]
    return get_model("mockllm/model", custom_outputs=scripted_architect(steps, seen, answer))


def _hanging(marker: str) -> Callable:
    async def outputs(messages, tools, tool_choice, config):  # type: ignore[no-untyped-def]
        if not any(message.role == "tool" for message in messages):
            command = f"python3 -c 'import time; time.sleep(3600)' {marker} > /dev/null 2>&1 &"
            return _with_usage(ModelOutput.for_tool_call("mockllm/model", "Bash", {"command": command, "description": "start a process that outlives the command"}))
        print("HANGING", flush=True)
        await asyncio.sleep(3600)
        raise AssertionError("not killed")

    return outputs


def main(workdir: str, log_dir: str, marker: str) -> None:
    from inspect_ai import eval

    from archbench.evals.architect import architect

    Path(log_dir).mkdir(parents=True, exist_ok=True)
    agent = Path(log_dir) / "hang-agent.md"
    agent.write_text("---\nname: hang-agent\ndescription: waits\ntools: Bash, Read\n---\nYou wait.\n", encoding="utf-8")
    task = architect(prompts=str(agent), scenarios=str(FIXTURES / "scenarios"), runner="claude-code", claude_code_workdir=workdir, cache=False)
    eval(task, model=get_model("mockllm/model", custom_outputs=_hanging(marker)), log_dir=log_dir, display="none")


if __name__ == "__main__":
    main(*sys.argv[1:4])
