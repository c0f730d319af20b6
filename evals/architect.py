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

from archbench.evals.agent import architect_agent
from archbench.evals.claude_code import RUNNERS, claude_code_agent
from archbench.evals.tools import DEFAULT_MAX_OUTPUT
from archbench.evals.toolset import offered_tools
from archbench.graders.scorers import architect_scorers
from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser

from archbench.core.prompts import BASELINE_PROMPT, Prompt, load_prompts
from archbench.core.scenarios import DEFAULT_SCENARIOS_DIR, Scenario, load_scenarios

# Bump when a change here could change results (prompting, tools, limits).
TASK_VERSION = 1
DEFAULT_MESSAGE_LIMIT = 80


def _as_list(value: str | list[str] | None) -> list[str] | None:
    """Task args arrive from `-T` as strings; accept 'a,b' as well as YAML lists."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item) for item in value]


def make_sample(scenario: Scenario, prompt: Prompt) -> Sample:
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
            "prompt_file": str(prompt.path),
            "prompt_sha": prompt.sha,
            "prompt_model": prompt.model,
            "tools": list(offered_tools(prompt)[0]),
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
    runner: str = "native",
    claude_code_mode: str = "main",
    claude_code_sandbox: bool = True,
    claude_code_workdir: str | None = None,
) -> Task:
    """Architect prompts × scenarios.

    Args:
        prompts: Agent files (Markdown with YAML front matter); default: the baseline prompt.
        scenarios: Folder of scenario files; default: the bundled corpus.
        scenario_ids: Only these scenario ids.
        categories: Only scenarios of these categories.
        max_output: Cap, in characters, on each tool result.
        message_limit: Messages per sample before the agent is stopped.
        judge: Also grade with this LLM judge model (on top of the deterministic graders).
        cache: Serve identical model calls from inspect's response cache.
        runner: "native" (archbench's own agent loop and tools) or "claude-code" (the agent file
            inside the real Claude Code; see docs/runners.md).
        claude_code_mode: "main" (the agent file is Claude Code's main thread) or "delegated".
        claude_code_sandbox: Run Claude Code inside bubblewrap (False: unsandboxed, without Bash).
        claude_code_workdir: Folder for the Claude Code samples' folders (default: system temp).
    """
    if runner not in RUNNERS:
        raise ValueError(f"runner must be one of {RUNNERS}, got '{runner}'")
    loaded_prompts = load_prompts(_as_list(prompts) or [BASELINE_PROMPT])
    loaded_scenarios = load_scenarios(
        scenarios or DEFAULT_SCENARIOS_DIR, ids=_as_list(scenario_ids), categories=_as_list(categories)
    )
    scorers = architect_scorers()
    if judge:
        from archbench.graders.judge import judge as judge_scorer

        scorers.append(judge_scorer(judge))
    return Task(
        dataset=MemoryDataset(
            [make_sample(scenario, prompt) for scenario in loaded_scenarios for prompt in loaded_prompts],
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
            "prompts": {prompt.name: {"file": str(prompt.path), "sha": prompt.sha} for prompt in loaded_prompts},
            "scenario_versions": {scenario.id: scenario.version for scenario in loaded_scenarios},
        },
    )
