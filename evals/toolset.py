"""The tools one sample's agent is offered: a prompt's tool names, checked against this machine
and bound to the sample's workspace. Kept apart from tools.py because the sandboxed bash tool
builds on tools.py's output cap."""

from __future__ import annotations

from inspect_ai.tool import Tool

from archbench.core.prompts import Prompt
from archbench.evals.bash_tool import bash, bash_available
from archbench.evals.tools import READ_TOOLS, WRITE_TOOLS
from archbench.evals.workspace import RepoWorkspace


def offered_tools(prompt: Prompt) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The prompt's tools that can run here, and a warning for each that cannot (Bash without a sandbox)."""
    if "bash" in prompt.tools and not (sandbox := bash_available()):
        kept = tuple(name for name in prompt.tools if name != "bash")
        return kept, (f"{prompt.path}: Bash unavailable: {sandbox.reason}; the agent runs without it",)
    return prompt.tools, ()


def architect_tools(
    workspace: RepoWorkspace,
    names: list[str] | tuple[str, ...],
    max_output: int,
    bash_allow: list[str] | tuple[str, ...] = (),
    bash_deny: list[str] | tuple[str, ...] = (),
) -> list[Tool]:
    """The tools a prompt allows, bound to this sample's workspace; Bash restricted to the prompt's
    `Bash(pattern)` entries when it has any."""
    tools: list[Tool] = []
    for name in names:
        if name == "bash":
            tools.append(bash(workspace, max_output, tuple(bash_allow), tuple(bash_deny)))
        elif name in READ_TOOLS:
            tools.append(READ_TOOLS[name](workspace, max_output))
        else:
            tools.append(WRITE_TOOLS[name](workspace))
    return tools
