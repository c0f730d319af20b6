"""The tools one sample's agent is offered: a prompt's tool names, checked against this machine
and bound to the sample's workspace. Kept apart from tools.py because the sandboxed bash tool
builds on tools.py's output cap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from inspect_ai.tool import Tool

from archbench.core.prompts import Prompt
from archbench.evals.bash_tool import bash, bash_available
from archbench.evals.tools import READ_TOOLS, WRITE_TOOLS
from archbench.evals.workspace import RepoWorkspace

_SAMPLE_WORKSPACE: ContextVar[RepoWorkspace | None] = ContextVar("archbench_sample_workspace", default=None)


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


class _CurrentSampleWorkspace:
    """Stands for the workspace of the sample whose task is running (`sample_workspace`), so that one set
    of tool functions serves every sample. inspect reads a tool function's signature and docstring once
    per function object; fresh closures per sample cost ~1.5 ms of parsing a sample for six tools."""

    def __getattr__(self, name: str) -> Any:
        # AttributeErrors, so that inspect's look at a tool's arguments while the tools are built (its
        # registry attributes, `getattr(x, "name", None)`) sees a plain object
        if name.startswith("_"):
            raise AttributeError(name)
        workspace = _SAMPLE_WORKSPACE.get()
        if workspace is None:
            raise AttributeError(f"'{name}': no sample workspace is set (shared architect tools run inside `sample_workspace()`)")
        return getattr(workspace, name)


def shared_architect_tools(
    names: tuple[str, ...], max_output: int, bash_allow: tuple[str, ...] = (), bash_deny: tuple[str, ...] = ()
) -> list[Tool]:
    """`architect_tools` built once per process for each set of arguments, each acting on the workspace
    `sample_workspace` sets for the running sample (concurrent samples each see their own: a
    context variable is per task, and tools run inside the sample's task). A new list each call, of
    the same functions, so a solver that changes its sample's tool list changes no other sample's."""
    return list(_shared_tools(names, max_output, bash_allow, bash_deny))


@cache
def _shared_tools(names: tuple[str, ...], max_output: int, bash_allow: tuple[str, ...], bash_deny: tuple[str, ...]) -> tuple[Tool, ...]:
    return tuple(architect_tools(_CurrentSampleWorkspace(), names, max_output, bash_allow, bash_deny))  # type: ignore[arg-type]


@contextmanager
def sample_workspace(workspace: RepoWorkspace) -> Iterator[RepoWorkspace]:
    """Inside: the shared tools act on `workspace`."""
    token = _SAMPLE_WORKSPACE.set(workspace)
    try:
        yield workspace
    finally:
        _SAMPLE_WORKSPACE.reset(token)
