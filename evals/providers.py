"""Offline baseline architects: `--model archbench/<name>` with no key and no network.

They exercise the whole pipeline (tool calls, workspace, diff, graders, reports) and
calibrate the graders from both ends:

- `reference`: explores the repo with real tool calls, then answers with the scenario's
  reference plan (the ceiling a rubric should award).
- `template`: a generic plan built from the request's words, without exploring (a rubric
  that this satisfies is too loose).
- `code-dumper`: writes backend files through the write tool and answers with
  implementation code (must fail scope).
- `frontend-meddler`: edits a file under the frontend and proposes Vue/TypeScript code
  (must fail scope).

Under the Claude Code runner (evals/claude_code.py) the model is offered Claude Code's own tools
(`Read`, `Grep`, `Glob`, `Write`, `Edit`, `LS`, `Bash`, `Agent`, ...). The same scripts then speak
them: absolute paths under the working directory named in Claude Code's environment block, `Bash`
(`ls`, `find`) where `LS` or `Glob` are not offered, and in delegated mode the main thread hands the
request to the agent with the `Agent` tool before the agent's own thread runs the script.

Token counts are estimates (characters / 4): inspect's default counter downloads a
tiktoken encoding at run time, which an offline provider must not do.
"""

from __future__ import annotations

import re
import shlex
import uuid
from collections.abc import Callable
from pathlib import PurePosixPath

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageTool,
    ChatMessageUser,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo

from archbench.core.prompts import CLAUDE_TOOL_MAP
from archbench.core.scenarios import Scenario
from archbench.evals.agent import ACTIVE_SCENARIO
from archbench.evals.claude_code import ACTIVE_CLAUDE_CODE, DELEGATION_PROMPT, ClaudeCodeSample

STOPWORDS = {
    "a", "an", "and", "the", "to", "of", "for", "with", "i", "we", "need", "needs", "should", "use", "or",
    "in", "on", "is", "be", "it", "our", "that", "this", "can", "you", "please", "want", "add", "new",
    "would", "like", "could", "so", "as", "are", "do", "does", "what", "how", "just", "me", "my", "from",
}


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _text_of(message: ChatMessage) -> str:
    return message.text if isinstance(message.text, str) else ""


def _request(messages: list[ChatMessage]) -> str:
    """The first user message, without the `<system-reminder>` blocks Claude Code adds to it."""
    users = [message for message in messages if isinstance(message, ChatMessageUser)]
    return re.sub(r"<system-reminder>.*?</system-reminder>\s*", "", _text_of(users[0]), flags=re.DOTALL).strip() if users else ""


def _keywords(request: str, limit: int = 3) -> list[str]:
    words = [word.lower() for word in re.findall(r"[A-Za-z][A-Za-z-]+", request)]
    seen: list[str] = []
    for word in words:
        if word not in STOPWORDS and len(word) > 3 and word not in seen:
            seen.append(word)
    return seen[:limit] or ["feature"]


def _tool_results(messages: list[ChatMessage]) -> list[ChatMessageTool]:
    return [message for message in messages if isinstance(message, ChatMessageTool)]


class Script:
    """One turn of a scripted architect: tool calls to make, or the final answer."""

    def __init__(self, calls: list[tuple[str, dict[str, object]]] | None = None, answer: str | None = None):
        self.calls = calls or []
        self.answer = answer


READ_FIRST = (
    (lambda path: "settings" in path.rsplit("/", 1)[-1] or "/settings/" in path),
    (lambda path: path.endswith("/models.py") or "/models/" in path),
    (lambda path: path.endswith("/urls.py")),
    (lambda path: path.endswith("/tasks.py")),
)
READS = 4


def _repo_relative(path: str, messages: list[ChatMessage]) -> str:
    """Claude Code's Glob answers with absolute paths under its working directory; scripts use repo-relative ones."""
    if not path.startswith("/"):
        return path
    try:
        cwd = working_directory(messages)
    except RuntimeError:
        return path
    return path[len(cwd) + 1 :] if path.startswith(cwd + "/") else path


def _files_to_read(messages: list[ChatMessage]) -> list[str]:
    """Up to READS files the repo has, from the paths the last glob (else the last listing) returned:
    a settings module, models, urls, tasks, in that order of interest."""
    results = [message for message in _tool_results(messages) if message.function in LISTING_RESULTS and not message.error]
    if not results:
        return []
    paths = [_repo_relative(line.strip(), messages) for line in results[-1].text.splitlines() if line.strip() and not line.startswith("[")]
    files = [path for path in paths if not path.endswith("/")]
    chosen: list[str] = []
    for wanted in READ_FIRST:
        chosen += [path for path in files if wanted(path) and path not in chosen][:1]
    chosen += [path for path in files if path.endswith(".py") and path not in chosen]
    return chosen[:READS]


def reference_turn(turn: int, messages: list[ChatMessage], tools: set[str], scenario: Scenario | None) -> Script:
    """List the repo, glob its backend's Python files, read a few of those that exist, then answer."""
    if scenario is None:
        raise RuntimeError("archbench/reference answers only inside archbench's architect task (it needs the scenario)")
    backend = scenario.repo_config.backend_dir
    steps: list[Callable[[], list[tuple[str, dict[str, object]]]]] = []
    if "list_dir" in tools:
        steps.append(lambda: [("list_dir", {"path": "."})])
    if "glob" in tools:
        steps.append(lambda: [("glob", {"pattern": "**/*.py", "path": backend})])
    if "read_file" in tools:
        steps.append(lambda: [("read_file", {"path": path}) for path in _files_to_read(messages)])
    calls = steps[turn]() if turn < len(steps) else []
    if calls:
        return Script(calls=calls)
    return Script(answer=scenario.reference_plan_text())


def template_turn(turn: int, messages: list[ChatMessage], tools: set[str], scenario: Scenario | None) -> Script:
    request = _request(messages)
    words = _keywords(request)
    subject = words[0]
    model = "".join(word.capitalize() for word in subject.split("-"))
    slug = subject.replace("-", "_")
    topics = ", ".join(words)
    return Script(
        answer=f"""# Plan: {request.strip().splitlines()[0][:120]}

## Summary
This plan covers {topics}. It follows the usual Django, DRF and Celery structure.

## Data model
- `{model}` model with `id`, `name` (CharField), `status` (CharField), `created_at` and `updated_at` (DateTimeField).
- Add a database index on `status`.

## API
| Method | URL | Description |
|---|---|---|
| GET | `/api/{slug}s/` | List {subject} items (paginated) — 200 |
| POST | `/api/{slug}s/` | Create a {subject} item — 201, 400 on validation errors |
| GET | `/api/{slug}s/{{id}}/` | Retrieve one item — 200, 404 |

## Background processing
- A Celery task `process_{slug}` runs after creation, with retries on failure.

## Migrations
- Run `python manage.py makemigrations` and `python manage.py migrate`.

## Edge cases
- Invalid input returns 400.
- Unauthenticated requests return 401.
""",
    )


CODE_DUMP = '''Here is the implementation, ready to paste:

```python
from celery import shared_task
from django.db import models, transaction


class {model}(models.Model):
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=32, default="pending")

    def mark_done(self):
        self.status = "done"
        self.save(update_fields=["status"])


@shared_task(bind=True, max_retries=3)
def process_{slug}(self, pk):
    item = {model}.objects.select_related().get(pk=pk)
    with transaction.atomic():
        item.mark_done()
```

And the view:

```python
from rest_framework import viewsets


class {model}ViewSet(viewsets.ModelViewSet):
    queryset = {model}.objects.all()

    def perform_create(self, serializer):
        instance = serializer.save()
        process_{slug}.delay(instance.pk)
```
'''


def code_dumper_turn(turn: int, messages: list[ChatMessage], tools: set[str], scenario: Scenario | None) -> Script:
    words = _keywords(_request(messages))
    model = "".join(word.capitalize() for word in words[0].split("-"))
    slug = words[0].replace("-", "_")
    code = CODE_DUMP.format(model=model, slug=slug)
    backend = scenario.repo_config.backend_dir if scenario else "backend"
    if turn == 0 and "write_file" in tools:
        body = code.split("```python\n")[1].split("```")[0]
        return Script(calls=[("write_file", {"path": f"{backend}/{slug}/services.py", "content": body})])
    return Script(answer=code)


VUE_DUMP = '''I built the UI part as well. Add this component:

```vue
<template>
  <div class="{slug}-panel">
    <h2>{title}</h2>
    <ul><li v-for="item in items" :key="item.id">{{{{ item.name }}}}</li></ul>
  </div>
</template>

<script setup lang="ts">
const {{ data: items }} = await useFetch<{model}[]>('/api/{slug}s/')
</script>

<style scoped>
.{slug}-panel {{ padding: 1rem; }}
</style>
```

and a type in `app/types/{slug}.ts`:

```ts
export interface {model} {{
  id: number
  name: string
  createdAt: string
}}
```

Backend: a `{model}` model with `name` and `created_at`, and `GET /api/{slug}s/` returning 200.
'''


def frontend_meddler_turn(
    turn: int, messages: list[ChatMessage], tools: set[str], scenario: Scenario | None
) -> Script:
    words = _keywords(_request(messages))
    model = "".join(word.capitalize() for word in words[0].split("-"))
    slug = words[0].replace("-", "_")
    answer = VUE_DUMP.format(model=model, slug=slug, title=model)
    frontend = scenario.repo_config.frontend_dir if scenario else "frontend"
    if turn == 0 and "write_file" in tools:
        component = answer.split("```vue\n")[1].split("```")[0]
        path = str(PurePosixPath(frontend) / "app" / "components" / f"{model}Panel.vue")
        return Script(calls=[("write_file", {"path": path, "content": component})])
    return Script(answer=answer)


# -- Claude Code's tools -----------------------------------------------------------------------
# Claude Code's file tools the scripts can speak: the prompt loader's map without Bash (scripts emulate
# listing and globbing with it), plus LS, which older Claude Code versions still offer
CLAUDE_CODE_FILE_TOOLS = {**{name: tool for name, tool in CLAUDE_TOOL_MAP.items() if tool != "bash"}, "LS": "list_dir"}
# where a file search's or a listing's result comes back (under Claude Code, Bash: `find`, `ls`)
LISTING_RESULTS = {"glob", "list_dir", "Glob", "LS", "Bash"}


def speaks_claude_code(tools: set[str]) -> bool:
    return bool(tools & (set(CLAUDE_CODE_FILE_TOOLS) | {"Bash", "Agent"}))


def working_directory(messages: list[ChatMessage]) -> str:
    """The cwd Claude Code states in its environment block (a system message)."""
    for message in messages:
        found = re.search(r"Primary working directory: (\S+)", _text_of(message))
        if found:
            return found.group(1)
    raise RuntimeError("no 'Primary working directory' in the conversation: not a Claude Code request")


def script_tools(tools: set[str]) -> set[str]:
    """The harness tool names a script may use, given Claude Code's offered tools."""
    names = {CLAUDE_CODE_FILE_TOOLS[name] for name in tools if name in CLAUDE_CODE_FILE_TOOLS}
    if "Bash" in tools:
        names |= {"list_dir", "glob"}  # emulated with ls and find
    return names


def claude_code_call(name: str, arguments: dict[str, object], tools: set[str], cwd: str) -> tuple[str, dict[str, object]]:
    """A harness tool call (paths relative to the repo root) as the Claude Code tool call that does the same."""
    def absolute(key: str = "path") -> str:
        relative = str(arguments.get(key) or ".").strip("/")
        return cwd if relative in ("", ".") else f"{cwd}/{relative}"

    if name == "read_file":
        return "Read", {"file_path": absolute()}
    if name in ("write_file", "edit_file"):
        rest = {key: value for key, value in arguments.items() if key != "path"}
        return ("Write" if name == "write_file" else "Edit"), {"file_path": absolute(), **rest}
    if name == "grep":
        return "Grep", {"pattern": arguments["pattern"], "path": absolute(), "output_mode": "content"}
    if name == "list_dir":
        if "LS" in tools:
            return "LS", {"path": absolute()}
        return "Bash", {"command": f"ls -p {shlex.quote(absolute())}", "description": "List the folder"}
    if name == "glob":
        if "Glob" in tools:
            return "Glob", {"pattern": arguments["pattern"], "path": absolute()}
        filename = str(arguments["pattern"]).rsplit("/", 1)[-1]
        under = str(arguments.get("path") or ".")
        command = f"cd {shlex.quote(cwd)} && find {shlex.quote(under)} -type f -name {shlex.quote(filename)} | sort"
        return "Bash", {"command": command, "description": "Find files"}
    raise ValueError(f"no Claude Code tool for '{name}'")


def delegating_turn(turn: int, messages: list[ChatMessage], claude_code: ClaudeCodeSample) -> Script:
    """Claude Code's main thread in delegated mode: hand the request to the agent, then report back."""
    if turn == 0:
        text = _request(messages)
        prefix = DELEGATION_PROMPT.split("{request}")[0].format(name=claude_code.agent)
        request = text[len(prefix):] if text.startswith(prefix) else text
        call = {"description": "Plan the feature", "prompt": request, "subagent_type": claude_code.agent, "run_in_background": False}
        return Script(calls=[("Agent", call)])
    return Script(answer=f"The {claude_code.agent} agent's plan is above.")


def is_agent_thread(messages: list[ChatMessage], claude_code: ClaudeCodeSample) -> bool:
    """The conversation whose system prompt holds the agent file's body (main thread or subagent)."""
    return any(claude_code.body.strip()[:500] in _text_of(message) for message in messages if message.role == "system")


BASELINES: dict[str, Callable[[int, list[ChatMessage], set[str], Scenario | None], Script]] = {
    "reference": reference_turn,
    "template": template_turn,
    "code-dumper": code_dumper_turn,
    "frontend-meddler": frontend_meddler_turn,
}


class OfflineArchitect(ModelAPI):
    """A scripted architect; which script is the model name (`archbench/<name>`)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        **model_args: object,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if model_name not in BASELINES:
            raise ValueError(f"unknown offline architect 'archbench/{model_name}'; choose one of {sorted(BASELINES)}")
        self.script = BASELINES[model_name]

    async def count_text_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def max_connections(self) -> int:
        return 64

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        turn = sum(1 for message in input if isinstance(message, ChatMessageAssistant))
        offered = {tool.name for tool in tools}
        claude_code = ACTIVE_CLAUDE_CODE.get()
        if claude_code is not None and speaks_claude_code(offered):
            if claude_code.mode == "delegated" and not is_agent_thread(input, claude_code):
                step = delegating_turn(turn, input, claude_code)
            else:
                cwd = working_directory(input)
                step = self.script(turn, input, script_tools(offered), ACTIVE_SCENARIO.get())
                step.calls = [claude_code_call(name, arguments, offered, cwd) for name, arguments in step.calls]
        else:
            step = self.script(turn, input, offered, ACTIVE_SCENARIO.get())
        if step.calls:
            message = ChatMessageAssistant(
                content="",
                model=self.model_name,
                source="generate",
                tool_calls=[
                    # Claude Code keeps tool call ids across its threads (delegated mode): unique ones there
                    ToolCall(id=f"toolu_{uuid.uuid4().hex[:20]}" if claude_code else f"call_{turn}_{index}", function=name, arguments=dict(arguments))
                    for index, (name, arguments) in enumerate(step.calls)
                ],
            )
            stop_reason = "tool_calls"
        else:
            message = ChatMessageAssistant(content=step.answer or "", model=self.model_name, source="generate")
            stop_reason = "stop"
        input_tokens = sum(estimate_tokens(_text_of(item)) for item in input)
        output_tokens = estimate_tokens(step.answer or str(step.calls))
        return ModelOutput(
            model=self.model_name,
            choices=[ChatCompletionChoice(message=message, stop_reason=stop_reason)],
            usage=ModelUsage(
                input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=input_tokens + output_tokens
            ),
        )
