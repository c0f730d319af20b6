"""Architect prompts: Claude Code agent files (Markdown body, YAML front matter).

A prompt's `tools` (a comma-separated string or a YAML list of Claude Code tool names)
decides which harness tools the agent gets; absent `tools` means every tool, as in
Claude Code. Names with no harness counterpart produce a warning, not an error. `Bash`
maps to the sandboxed `bash` tool; where bubblewrap cannot run, the task leaves it out with a
"Bash unavailable: …" warning (evals/toolset.py). It is never in the default set.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archbench.core.strict_yaml import InputError, parse_yaml, read_text

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BASELINE_PROMPT = PROJECT_ROOT / "prompts" / "backend-architect.md"

# harness tool names (evals/tools.py) in the order they are offered
HARNESS_TOOLS = ("read_file", "list_dir", "glob", "grep", "write_file", "edit_file")
OPT_IN_TOOLS = ("bash",)  # only for prompts that name them
CLAUDE_TOOL_MAP: dict[str, tuple[str, ...]] = {
    "Read": ("read_file",),
    "LS": ("list_dir",),
    "Glob": ("glob",),
    "Grep": ("grep",),
    "Write": ("write_file",),
    "Edit": ("edit_file",),
    "MultiEdit": ("edit_file",),
    "Bash": ("bash",),
}
KNOWN_FRONT_MATTER = {"name", "description", "model", "color", "tools", "disallowedTools"}
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<yaml>.*?)(?:\r?\n)?^---[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    """One architect prompt, ready to run."""

    name: str
    path: Path
    body: str
    description: str = ""
    model: str | None = None
    tools: tuple[str, ...] = HARNESS_TOOLS
    front_matter: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()[:12]


def _tool_names(value: Any, key: str, path: Path, line: int | None) -> list[str]:
    if isinstance(value, str):
        names = [name.strip() for name in value.split(",")]
    elif isinstance(value, list) and all(isinstance(name, str) for name in value):
        names = [name.strip() for name in value]
    else:
        raise InputError(f"'{key}' must be a comma-separated string or a list of tool names", path, line)
    # `Bash(git:*)`-style permission patterns name the tool before the parenthesis
    return [re.sub(r"\(.*\)$", "", name).strip() for name in names if name]


def _map_tools(names: list[str], path: Path) -> tuple[set[str], list[str]]:
    mapped: set[str] = set()
    warnings: list[str] = []
    for name in names:
        if name in CLAUDE_TOOL_MAP:
            mapped.update(CLAUDE_TOOL_MAP[name])
        elif name in HARNESS_TOOLS + OPT_IN_TOOLS:
            mapped.add(name)
        else:
            warnings.append(f"{path}: tool '{name}' has no archbench counterpart; the agent runs without it")
    return mapped, warnings


def load_prompt(path: str | Path) -> Prompt:
    """Load and validate one agent file."""
    path = Path(path)
    text = read_text(path)
    match = _FRONT_MATTER.match(text)
    if not match:
        raise InputError(
            "no YAML front matter: an agent file starts with a '---' line, then name/description/..., then '---'",
            path,
            1,
        )
    data, lines = parse_yaml(match.group("yaml"), path, first_line=2)
    if not isinstance(data, dict):
        raise InputError("front matter must be a mapping of keys to values", path, 2)
    body = text[match.end() :].strip()
    if not body:
        raise InputError("empty body: the Markdown after the front matter is the system prompt", path)
    name = data.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise InputError(
            "front matter needs 'name' (letters, digits, '-', '_', '.'), e.g. name: backend-architect",
            path,
            lines.get(("name",), 2),
        )
    warnings: list[str] = []
    tools: set[str] = set(HARNESS_TOOLS)
    if "tools" in data and data["tools"] is not None:
        tools, unmapped = _map_tools(_tool_names(data["tools"], "tools", path, lines.get(("tools",))), path)
        warnings += unmapped
    if data.get("disallowedTools") is not None:
        denied, unmapped = _map_tools(
            _tool_names(data["disallowedTools"], "disallowedTools", path, lines.get(("disallowedTools",))), path
        )
        tools -= denied
        warnings += unmapped
    model = data.get("model")
    return Prompt(
        name=name,
        path=path.resolve(),
        body=body,
        description=str(data.get("description") or ""),
        model=None if model in (None, "inherit") else str(model),
        tools=tuple(tool for tool in HARNESS_TOOLS + OPT_IN_TOOLS if tool in tools),
        front_matter=data,
        warnings=tuple(warnings),
    )


def load_prompts(paths: list[str | Path]) -> list[Prompt]:
    """Load several prompts. Their names name the variants, so they must be distinct:
    two files sharing a front-matter name (an edited copy, say) are told apart by file stem."""
    prompts = [load_prompt(path) for path in paths]
    names = [prompt.name for prompt in prompts]
    prompts = [
        replace(prompt, name=f"{prompt.name}@{prompt.path.stem}") if names.count(prompt.name) > 1 else prompt
        for prompt in prompts
    ]
    seen: dict[str, Path] = {}
    for prompt in prompts:
        if prompt.name in seen:
            raise InputError(f"prompt '{prompt.name}' is given twice (also {seen[prompt.name]})", prompt.path)
        seen[prompt.name] = prompt.path
    return prompts
