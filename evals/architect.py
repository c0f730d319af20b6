"""archbench: architect agents planning backend features on sample repos.

Samples are scenarios × prompts. Each sample's agent gets the prompt body as its system
message and the scenario's request as the user message, explores a private copy of the
scenario repo with tools, and answers with a plan; the graders score the plan and the
agent's edits to its copy.

    inspect eval evals/architect.py --model archbench/reference
    inspect eval evals/architect.py --model anthropic/claude-sonnet-4-5 -T prompts=prompts/backend-architect.md
    inspect eval evals/architect.py --model openai/gpt-5 -T scenario_ids=notifications,nested-task-feed
    inspect view
"""

from __future__ import annotations

import os
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser

from archbench.core.model_aliases import ModelAliases, load_aliases
from archbench.core.prompts import BASELINE_PROMPT, Prompt, load_prompts
from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, Scenario, load_scenarios
from archbench.core.strict_yaml import InputError
from archbench.evals.agent import architect_agent
from archbench.evals.claude_code import RUNNERS, claude_code_agent
from archbench.evals.tools import DEFAULT_MAX_OUTPUT
from archbench.evals.toolset import offered_tools
from archbench.graders.scorers import architect_scorers

# Bump when a change here could change results (prompting, tools, limits).
TASK_VERSION = 2  # 2: Claude Code's tool defaults (Bash when `tools` is omitted), permissionMode, skills
DEFAULT_MESSAGE_LIMIT = 80


def _as_list(value: str | list[str] | None) -> list[str] | None:
    """Task args arrive from `-T` as strings; accept 'a,b' as well as YAML lists."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item) for item in value]


def prompt_facts(prompt: Prompt, aliases: ModelAliases) -> dict:
    """What the report shows about a prompt: its file, declared model, permission mode, tools, skills."""
    return {
        "prompt_file": str(prompt.path),
        "prompt_name": prompt.declared_name,
        "prompt_sha": prompt.sha,
        "prompt_model": prompt.model,
        # the inspect model the declared one stands for (None: not in the alias table)
        "prompt_model_id": aliases.lookup(prompt.model),
        "permission_mode": prompt.permission_mode,
        "tools": list(offered_tools(prompt)[0]),
        "tools_declared": prompt.tools_declared,
        "bash_allow": list(prompt.bash_allow),
        "bash_deny": list(prompt.bash_deny),
        "skills": [skill.name for skill in prompt.skills],
    }


def invocation_dir() -> Path:
    """The directory the command was run in.

    `inspect eval evals/architect.py` creates the task with the working directory changed to
    the task file's folder (inspect's `chdir_python`), so `-T prompts=prompts/x.md` would be
    looked up in `evals/`. While the working directory is this file's folder, the shell's
    `PWD` (which a chdir inside the process does not change) says where the user was.
    """
    cwd = Path.cwd()
    shell = os.environ.get("PWD")
    if shell and cwd.resolve() == Path(__file__).resolve().parent and Path(shell).is_dir():
        return Path(shell)
    return cwd


def task_path(value: str | Path, what: str) -> Path:
    """A task-arg path: absolute as given, relative against the directory the command was run in."""
    path = Path(value).expanduser()
    if path.is_absolute():
        resolved = path
    else:
        resolved = invocation_dir() / path
    if not resolved.exists():
        raise InputError(f"{what} not found (tried {resolved}; relative paths are taken from the directory you ran the command in)", value)
    return resolved


def make_sample(scenario: Scenario, prompt: Prompt, aliases: ModelAliases | None = None) -> Sample:
    return Sample(
        id=f"{scenario.id}:{prompt.name}",
        input=[ChatMessageSystem(content=prompt.body), ChatMessageUser(content=scenario.request)],
        metadata={
            "scenario": scenario.id,
            "scenario_file": str(scenario.source_file),
            "scenario_version": scenario.version,
            "category": scenario.category,
            "repo": scenario.repo_name,
            "prompt": prompt.name,
            **prompt_facts(prompt, aliases or load_aliases()),
            "planted_instructions": [planted.model_dump() for planted in scenario.planted_instructions],
        },
    )


@task(name="architect")
def architect(
    prompts: str | list[str] | None = None,
    scenarios: str | None = None,
    scenario_ids: str | list[str] | None = None,
    categories: str | list[str] | None = None,
    max_output: int = DEFAULT_MAX_OUTPUT,
    message_limit: int = DEFAULT_MESSAGE_LIMIT,
    judge: str | None = None,
    cache: bool = True,
    skills_dir: str | None = None,
    model_aliases: str | None = None,
    only_model: str | None = None,
    runner: str = "native",
    claude_code_mode: str = "main",
    claude_code_sandbox: bool = True,
    claude_code_workdir: str | None = None,
) -> Task:
    """Architect prompts × scenarios.

    Args:
        prompts: Agent files (Markdown with YAML front matter); default: the baseline prompt.
            Relative paths are taken from the directory the command was run in.
        scenarios: Folder of scenario files; default: the bundled corpus (relative: as prompts).
        scenario_ids: Only these scenario ids.
        categories: Only scenarios of these categories.
        max_output: Cap, in characters, on each tool result.
        message_limit: Messages per sample before the agent is stopped.
        judge: Also grade with this LLM judge model (on top of the deterministic graders).
        cache: Serve identical model calls from inspect's response cache.
        skills_dir: Folder of skills (<name>/SKILL.md) looked in before the agent file's project.
        model_aliases: Alias table (YAML) mapping declared models to inspect models; default: archbench's.
        only_model: Keep only the prompts whose declared model resolves to this inspect model
            (`--model from-prompt` runs one such task per model; labels stay those of all the prompts).
        runner: "native" (archbench's own agent loop and tools) or "claude-code" (the agent file
            inside the real Claude Code; see docs/runners.md).
        claude_code_mode: "main" (the agent file is Claude Code's main thread) or "delegated".
        claude_code_sandbox: Run Claude Code inside bubblewrap (False: unsandboxed, without Bash).
        claude_code_workdir: Folder for the Claude Code samples' folders (default: system temp).
    """
    if runner not in RUNNERS:
        raise ValueError(f"runner must be one of {RUNNERS}, got '{runner}'")
    prompt_files = [task_path(prompt, "prompt file") for prompt in _as_list(prompts) or []]
    loaded_prompts = load_prompts(prompt_files or [BASELINE_PROMPT], skills_dir)
    aliases = load_aliases(model_aliases)
    if only_model is not None:
        loaded_prompts = [prompt for prompt in loaded_prompts if aliases.lookup(prompt.model) == only_model]
    loaded_scenarios = load_scenarios(
        task_path(scenarios, "scenario folder") if scenarios else DEFAULT_SCENARIOS_DIR, ids=_as_list(scenario_ids), categories=_as_list(categories)
    )
    scorers = architect_scorers()
    if judge:
        from archbench.graders.judge import judge as judge_scorer

        scorers.append(judge_scorer(judge))
    return Task(
        dataset=MemoryDataset(
            [make_sample(scenario, prompt, aliases) for scenario in loaded_scenarios for prompt in loaded_prompts],
            name="archbench",
        ),
        solver=architect_agent(max_output=max_output, cache=cache)
        if runner == "native"
        else claude_code_agent(
            mode=claude_code_mode, sandbox=claude_code_sandbox, cache=cache, workdir=claude_code_workdir
        ),
        scorer=scorers,
        message_limit=message_limit,
        version=TASK_VERSION,
        metadata={
            "prompts": {prompt.name: prompt_facts(prompt, aliases) for prompt in loaded_prompts},
            "scenario_versions": {scenario.id: scenario.version for scenario in loaded_scenarios},
        },
    )
