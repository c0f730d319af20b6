"""Architect prompts: Claude Code agent files (YAML front matter, Markdown body), read with Claude Code's semantics.

What each front-matter key does here, and the Claude Code behaviour it mirrors
(https://code.claude.com/docs/en/sub-agents; sources per statement in
tests/fixtures/agent_files/CLAUDE_CODE_SEMANTICS.md), is documented in README.md, "Prompts".
In short: `tools` omitted means every tool archbench has (Bash included; evals/toolset.py drops it
where no sandbox can run, with a warning); `Bash(pattern)` entries restrict Bash to matching
commands; `permissionMode: plan` keeps the read-only tools; `skills` are inlined into the system
prompt and hashed into its identity; `model` is recorded (and run with `--model from-prompt`).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archbench.core import front_matter
from archbench.core.bash_rules import is_unrestricted
from archbench.core.strict_yaml import InputError, read_text

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BASELINE_PROMPT = PROJECT_ROOT / "prompts" / "backend-architect.md"

# harness tool names (evals/tools.py) in the order they are offered
HARNESS_TOOLS = ("read_file", "list_dir", "glob", "grep", "write_file", "edit_file")
ALL_TOOLS = HARNESS_TOOLS + ("bash",)  # Claude Code's default when `tools` is omitted: every tool
READ_ONLY_TOOLS = ("read_file", "list_dir", "glob", "grep")  # what `permissionMode: plan` keeps
CLAUDE_TOOL_MAP: dict[str, str] = {
    "Read": "read_file",
    "Glob": "glob",
    "Grep": "grep",
    "Write": "write_file",
    "Edit": "edit_file",
    "Bash": "bash",
}
# Claude Code's current tool names (https://code.claude.com/docs/en/tools-reference); `Task` is the
# old name of `Agent`, which Claude Code still accepts. MCP tools (`mcp__server__tool`) are recognised too.
CLAUDE_CODE_TOOLS = frozenset({
    "Agent", "Artifact", "AskUserQuestion", "Bash", "CronCreate", "CronDelete", "CronList", "Edit", "EnterPlanMode",
    "EnterWorktree", "ExitPlanMode", "ExitWorktree", "Glob", "Grep", "ListMcpResourcesTool", "LSP", "NotebookEdit",
    "PowerShell", "Read", "ReadMcpResourceTool", "Skill", "Task", "TaskCreate", "TaskGet", "TaskList", "TaskOutput",
    "TaskStop", "TaskUpdate", "TodoWrite", "ToolSearch", "WebFetch", "WebSearch", "Write",
})
RETIRED_TOOLS = {  # names of 2025 Claude Code versions, no longer in its tool list
    "LS": "list folders with Glob or Bash",
    "MultiEdit": "Edit does what it did",
    "NotebookRead": "Read reads notebooks",
    "TodoRead": "TodoWrite replaced it",
    "BashOutput": "now TaskOutput",
    "KillBash": "now TaskStop",
    "KillShell": "now TaskStop",
}
PERMISSION_MODES = ("default", "acceptEdits", "auto", "dontAsk", "bypassPermissions", "plan")
# the keys Claude Code documents for subagents (CLAUDE_CODE_SEMANTICS.md §2)
KNOWN_FRONT_MATTER = frozenset({
    "name", "description", "tools", "disallowedTools", "model", "permissionMode", "maxTurns", "skills",
    "mcpServers", "hooks", "memory", "background", "effort", "isolation", "color", "initialPrompt",
})
NOT_APPLIED = {  # known keys archbench records but does not act on, and why
    "maxTurns": "the run's --message-limit bounds the agent instead",
    "mcpServers": "archbench runs no MCP servers",
    "hooks": "archbench runs no hooks",
    "memory": "archbench keeps no memory between samples",
    "background": "samples always run to their end",
    "effort": "pass model settings with -M instead",
    "isolation": "every sample already works in a private copy of its repo",
    "initialPrompt": "the scenario's request is the first user message",
}
KEY_HINTS = {
    "allowed-tools": "a key of skills and slash commands, not of agents; agents use 'tools'",
    "allowedTools": "agents use 'tools'",
}
_ENTRY = re.compile(r"(?P<tool>[^()\s][^()]*?)\s*(?:\((?P<spec>.*)\))?")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Skill:
    """A skill the agent file preloads: SKILL.md's text, as Claude Code injects it."""

    name: str
    path: Path
    text: str


@dataclass(frozen=True)
class Prompt:
    """One architect prompt, ready to run."""

    name: str  # the variant label: the front-matter name, or name@<folder> / name@<hash> when two files share it
    path: Path
    body: str  # the system prompt: the file's body, then each skill's text
    description: str = ""
    model: str = "inherit"  # as declared; `inherit` (Claude Code's default) when absent
    tools: tuple[str, ...] = ALL_TOOLS
    tools_declared: bool = False  # False: no `tools` key, Claude Code's default (every tool)
    bash_allow: tuple[str, ...] = ()  # Bash(pattern) specifiers; empty: every command (when bash is a tool)
    bash_deny: tuple[str, ...] = ()  # Bash(pattern) entries of disallowedTools
    permission_mode: str = "default"
    skills: tuple[Skill, ...] = ()
    unrecognised_tools: tuple[str, ...] = ()  # entries Claude Code drops
    unknown_keys: tuple[str, ...] = ()
    declared_name: str = ""  # the front-matter name (the file stem when it has none)
    front_matter: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    sha: str = ""  # of the file's bytes and, when it has skills, of each skill's bytes

    @property
    def tools_note(self) -> str:
        source = "declared in `tools`" if self.tools_declared else "no `tools` key: Claude Code's default, every tool"
        if self.permission_mode == "plan":
            source += "; permissionMode plan keeps the read-only ones"
        return source


def _entries(value: Any, key: str, path: Path, line: int | None) -> list[str]:
    """A `tools`-style value as a list of entries: a comma-separated string (commas inside
    parentheses belong to the entry) or a YAML list of strings."""
    if isinstance(value, str):
        entries, depth, current = [], 0, ""
        for char in value:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "," and depth == 0:
                entries.append(current)
                current = ""
            else:
                current += char
        entries.append(current)
    elif isinstance(value, list) and all(isinstance(entry, str) for entry in value):
        entries = list(value)
    else:
        raise InputError(f"'{key}' must be a comma-separated string or a list of names", path, line)
    return [entry.strip() for entry in entries if entry.strip()]


def _parse_entry(entry: str) -> tuple[str, str | None]:
    match = _ENTRY.fullmatch(entry)
    if not match:
        return entry, None
    return match.group("tool").strip(), match.group("spec")


def _recognised(tool: str) -> bool:
    return tool in CLAUDE_CODE_TOOLS or (tool.startswith("mcp__") and tool.count("__") >= 2 and not tool.endswith("*"))


@dataclass
class _Tools:
    harness: set[str]
    allow: list[str]
    unrecognised: list[str]
    warnings: list[str]


def _read_tools(entries: list[str], path: Path, key: str) -> _Tools:
    found = _Tools(set(), [], [], [])
    unrestricted_bash = False
    for entry in entries:
        tool, spec = _parse_entry(entry)
        if not _recognised(tool):
            found.unrecognised.append(tool)
            retired = RETIRED_TOOLS.get(tool)
            why = f"a retired Claude Code tool name ({retired})" if retired else "not a Claude Code tool name"
            found.warnings.append(f"{path}: {key}: '{entry}' is {why}; Claude Code drops it, and so does archbench")
            continue
        harness = CLAUDE_TOOL_MAP.get(tool)
        if harness is None:
            found.warnings.append(f"{path}: {key}: '{tool}' has no archbench counterpart; the agent runs without it")
            continue
        found.harness.add(harness)
        if tool == "Bash":
            if is_unrestricted(spec):
                unrestricted_bash = True
            else:
                found.allow.append(spec.strip())
    if unrestricted_bash:
        found.allow = []
    return found


def _skill_dirs(path: Path, skills_dir: Path | None) -> list[Path]:
    """Where a skill is looked for: --skills-dir, then the `skills` folder beside the nearest `agents`
    folder above the file (<project>/.claude/agents/x.md → <project>/.claude/skills; a plugin's
    agents/ → its skills/)."""
    dirs = [skills_dir] if skills_dir is not None else []
    for parent in path.parents:
        if parent.name == "agents":
            dirs.append(parent.parent / "skills")
            break
    return dirs


def _load_skills(names: list[str], path: Path, skills_dir: Path | None, line: int | None) -> tuple[Skill, ...]:
    dirs = _skill_dirs(path, skills_dir)
    skills, missing = [], []
    for name in names:
        short = name.split(":")[-1]  # `plugin:skill` names a plugin's skill
        found = next((d / short / "SKILL.md" for d in dirs if (d / short / "SKILL.md").is_file()), None)
        if found is None:
            missing.append(name)
            continue
        skills.append(Skill(name, found.resolve(), read_text(found)))
    if missing:
        looked = ", ".join(str(d / "<name>" / "SKILL.md") for d in dirs) or "nowhere: the file is not in an agents/ folder"
        raise InputError(
            f"skill(s) {', '.join(repr(n) for n in missing)} not found (looked in {looked}); Claude Code injects each "
            "listed skill's SKILL.md into the agent, so archbench will not run the agent without it: pass "
            "--skills-dir DIR with DIR/<name>/SKILL.md",
            path,
            line,
        )
    return tuple(skills)


def _skill_body(skill: Skill) -> str:
    try:
        _, body = front_matter.split(skill.text, skill.path)
    except InputError:
        body = skill.text
    return f"# Skill: {skill.name}\n\n{body.strip()}"


def _unknown_key_warning(key: str, path: Path, line: int | None) -> str:
    hint = KEY_HINTS.get(key)
    if hint is None:
        close = difflib.get_close_matches(key, KNOWN_FRONT_MATTER, n=1, cutoff=0.6)
        lowered = {known.lower(): known for known in KNOWN_FRONT_MATTER}.get(key.lower())
        hint = f"did you mean '{lowered or close[0]}'? keys are case-sensitive" if (lowered or close) else "not a Claude Code agent key"
    return f"{path}:{line}: unknown key '{key}' ({hint}); Claude Code ignores it, and so does archbench"


def load_prompt(path: str | Path, skills_dir: str | Path | None = None) -> Prompt:
    """Load one agent file; `skills_dir` is where its skills are looked for first."""
    path = Path(path)
    text = read_text(path)
    parsed = front_matter.parse(text, path)
    data, lines = parsed.data, parsed.lines
    warnings: list[str] = list(parsed.repairs)
    body = parsed.body.strip()
    if not body:
        raise InputError("empty body: the Markdown after the front matter is the system prompt", path)

    name = data.get("name")
    if name is None or (isinstance(name, str) and not name.strip()):
        name = path.stem
        warnings.append(f"{path}: no 'name': the agent is named after its file, '{name}' (as Claude Code names plugin "
                        "agents; it skips a project agent without a name)")
    if not isinstance(name, str) or not _NAME.fullmatch(name.strip()):
        raise InputError(
            "'name' must be letters, digits, '-', '_' or '.', starting with a letter or digit, e.g. name: backend-architect",
            path,
            lines.get(("name",), front_matter.FIRST_YAML_LINE),
        )
    name = name.strip()
    if not data.get("description"):
        warnings.append(f"{path}: no 'description' (Claude Code requires one: it decides when to call the agent); loaded anyway")

    unknown = [key for key in data if key not in KNOWN_FRONT_MATTER]
    warnings += [_unknown_key_warning(str(key), path, lines.get((key,))) for key in unknown]
    for key, why in NOT_APPLIED.items():
        if data.get(key) not in (None, "", [], {}):
            warnings.append(f"{path}:{lines.get((key,))}: '{key}' is recorded but not applied: {why}")

    tools_declared = data.get("tools") is not None
    unrecognised: list[str] = []
    allow: list[str] = []
    tools = set(ALL_TOOLS)
    entries: list[str] = []
    if tools_declared:
        entries = _entries(data["tools"], "tools", path, lines.get(("tools",)))
        read = _read_tools(entries, path, "tools")
        tools, allow, unrecognised = read.harness, read.allow, read.unrecognised
        warnings += read.warnings
        if entries and len(unrecognised) == len(entries):
            raise InputError(
                f"no tool in 'tools' is a Claude Code tool ({', '.join(unrecognised)}); Claude Code refuses to run such an "
                "agent. Name tools such as Read, Grep, Glob, Bash",
                path,
                lines.get(("tools",)),
            )
        if not entries:
            warnings.append(f"{path}: 'tools' is empty: the agent runs with no tools, as in Claude Code")
    deny: list[str] = []
    if data.get("disallowedTools") is not None:
        denied = _entries(data["disallowedTools"], "disallowedTools", path, lines.get(("disallowedTools",)))
        for entry in denied:
            tool, spec = _parse_entry(entry)
            if tool == "Bash" and not is_unrestricted(spec):
                deny.append(spec.strip())
            elif tool in CLAUDE_TOOL_MAP:
                tools.discard(CLAUDE_TOOL_MAP[tool])
            elif not _recognised(tool):
                unrecognised.append(tool)
                warnings.append(f"{path}: disallowedTools: '{entry}' is not a Claude Code tool name; nothing to remove")

    mode = data.get("permissionMode", "default")
    if mode not in PERMISSION_MODES:
        warnings.append(f"{path}:{lines.get(('permissionMode',))}: permissionMode '{mode}' is not a Claude Code mode "
                        f"({', '.join(PERMISSION_MODES)}); the default mode applies")
        mode = "default"
    if mode == "plan":
        dropped = sorted(tools - set(READ_ONLY_TOOLS))
        tools &= set(READ_ONLY_TOOLS)
        if dropped:
            warnings.append(f"{path}: permissionMode plan: read-only, as in Claude Code; without {', '.join(dropped)}")
    if entries and not tools:
        warnings.append(f"{path}: none of the agent's tools exists in archbench: it answers without exploring the repo")
    if "bash" not in tools:
        allow, deny = [], []

    model = data.get("model")
    model = "inherit" if model is None or (isinstance(model, str) and not model.strip()) else str(model).strip()

    skill_names: list[str] = []
    if data.get("skills") is not None:
        skill_names = _entries(data["skills"], "skills", path, lines.get(("skills",)))
    skills = _load_skills(skill_names, path, Path(skills_dir) if skills_dir else None, lines.get(("skills",)))
    if skills:
        body = "\n\n".join([body, *(_skill_body(skill) for skill in skills)])

    digest = hashlib.sha256(path.read_bytes())
    for skill in skills:
        digest.update(b"\0skill\0" + skill.name.encode() + b"\0" + skill.path.read_bytes())

    return Prompt(
        name=name,
        path=path.resolve(),
        body=body,
        description=str(data.get("description") or ""),
        model=model,
        tools=tuple(tool for tool in ALL_TOOLS if tool in tools),
        tools_declared=tools_declared,
        bash_allow=tuple(allow),
        bash_deny=tuple(deny),
        permission_mode=mode,
        skills=skills,
        unrecognised_tools=tuple(unrecognised),
        unknown_keys=tuple(str(key) for key in unknown),
        declared_name=name,
        front_matter=data,
        warnings=tuple(warnings),
        sha=digest.hexdigest()[:12],
    )


def variant_labels(prompts: list[Prompt]) -> list[str]:
    """A short, stable label per prompt: its name, or, when files share a name, `name@<folder>`
    (the file's parent folder), or `name@<sha6>` (its content hash) when the folders match too."""
    labels = []
    for prompt in prompts:
        twins = [other for other in prompts if other.declared_name == prompt.declared_name]
        if len(twins) == 1:
            labels.append(prompt.declared_name)
        elif len({other.path.parent.name for other in twins}) == len(twins):
            labels.append(f"{prompt.declared_name}@{prompt.path.parent.name}")
        else:
            labels.append(f"{prompt.declared_name}@{prompt.sha[:6]}")
    return labels


def load_prompts(paths: list[str | Path], skills_dir: str | Path | None = None) -> list[Prompt]:
    """Load several prompts. Their labels name the variants; two files sharing a front-matter name
    (an edited copy, a downloaded version) both run, told apart by `variant_labels`."""
    prompts = [load_prompt(path, skills_dir) for path in paths]
    seen: dict[Path, int] = {}
    for index, prompt in enumerate(prompts):
        if prompt.path in seen:
            raise InputError("the same prompt file is given twice", prompt.path)
        seen[prompt.path] = index
    labels = variant_labels(prompts)
    if len(set(labels)) != len(labels):  # same folder name and same content: the same agent twice
        duplicate = next(label for label in labels if labels.count(label) > 1)
        raise InputError(f"two prompt files are identical variants '{duplicate}' (same name, folder name and content)")
    return [replace(prompt, name=label) for prompt, label in zip(prompts, labels)]
