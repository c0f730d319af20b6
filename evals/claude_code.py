"""The Claude Code runner: the agent file runs inside the real Claude Code, model calls go through inspect.

`archbench run --runner claude-code`. Each sample gets

- its own copy of the scenario repo (`RepoWorkspace.materialized`, so the conventions file is not
  in it and every change is folded back into the workspace: `store["repo_diff"]` is recorded
  exactly as for the native runner), with the agent file at `.claude/agents/<name>.md`;
- a folder of its own under the run's folder (`workdir`) holding the copy and the proxy's socket,
  removed when the sample ends (and, after a SIGKILL, by the next run of the same folder);
- the Claude Code binary bundled in the pinned `claude-agent-sdk` wheel (version recorded per sample);
- by default a bubblewrap sandbox: no network (its own network namespace), a read-only system,
  an unprivileged user, the copy bound writable at /repo, HOME and Claude Code's temporary folder
  on a tmpfs that disappears with the sandbox, `--die-with-parent`. Unsandboxed only on request
  (`sandbox=False`), and then without Bash, whose background processes could outlive a kill;
- a proxy in this process, on a unix socket in the sample's folder, that turns Claude Code's
  Anthropic Messages requests into `model.generate` calls with inspect's own converter
  (`inspect_anthropic_api_request`, the in-process agent bridge). So the eval's model answers
  whatever Claude Code asks, with inspect's retries, response cache, usage accounting, budget
  and transcript (one `model` event per request).

Why not inspect-swe's `claude_code()`: it cannot run an agent file as the main thread (`--agent`),
fixes its proxy port per sample (3001: concurrent local samples collide), relays requests through
a 2-second polling service and an injected binary, and turns off Claude Code's experimental betas,
so the model would see a different tool surface than a user's Claude Code (21 tools instead of 12).
The research prototype measured 3.8 s vs 29.5 s for the same 2-request sample (docs/runners.md).

Modes: `main` (default) runs `claude --agent <name>`: the file's body is the main thread's system
prompt and its front-matter tools are the tools. `delegated` runs Claude Code's default main
thread, asks it to use the agent, and takes the agent's own last answer as the plan (not the main
thread's summary of it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelOutput, get_model
from inspect_ai.model._model import (
    GenerateInput,
    sample_model_usage,  # no public accessor for per-model sample usage yet
)
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.tool import ToolChoice, ToolInfo
from inspect_ai.util import LimitExceededError

from archbench.core.prompts import load_prompt
from archbench.core.scenarios import load_scenario_cached
from archbench.evals.agent import (
    ACTIVE_SCENARIO,
    record_sample_end,
)
from archbench.evals.bash_tool import READ_ONLY_EXTRAS, SANDBOX_PATH, SANDBOX_USER, bash_available, system_binds
from archbench.evals.budget import SampleCharges, active_budget
from archbench.evals.claude_code_launcher import die_with_parent
from archbench.evals.interrupts import watch_interrupts
from archbench.evals.reachability import check_reachable
from archbench.evals.workspace import RepoWorkspace, _remove_tree

RUNNERS = ("native", "claude-code")
MODES = ("main", "delegated")
PINNED_SDK = "0.2.190"  # pyproject's claude-code extra pins the same wheel
PINNED_CLAUDE_CODE = "2.1.337"  # the Claude Code version that wheel bundles
INSTALL_HINT = 'pip install "archbench[claude-code]"'
METADATA_KEY = "claude_code"  # sample metadata: version, mode, sandbox, tools the model saw, request sizes
DEFAULT_TIMEOUT = 1800  # seconds of Claude Code per sample before it is killed
DELEGATION_PROMPT = "Use the {name} agent for this request and give me its plan.\n\n{request}"
BILLING_HEADER = "x-anthropic-billing-header:"
# inside the sandbox: fixed paths, so the environment block Claude Code sends (cwd) is the same for
# every sample and every run, and the response cache can serve reruns
SANDBOX_REPO, SANDBOX_HOME, SANDBOX_TMP = "/repo", "/tmp/home", "/tmp/claude"
SANDBOX_BINARY_DIR, SANDBOX_LAUNCHER, SANDBOX_SOCKET_DIR = "/opt/claude-code", "/opt/archbench/launcher.py", "/run/archbench"
SOCKET_NAME = "api.sock"
# files of /etc Claude Code reads (user lookup, time zone); nothing else of /etc is visible
ETC_FILES = ("/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/localtime")


@dataclass(frozen=True)
class ClaudeCodeInstall:
    """The bundled Claude Code binary and its version; falsy with the reason when not installed."""

    binary: Path | None
    version: str | None
    reason: str

    def __bool__(self) -> bool:
        return self.binary is not None


@cache
def claude_code_install() -> ClaudeCodeInstall:
    try:
        import claude_agent_sdk
        from claude_agent_sdk._cli_version import __cli_version__
    except ImportError:
        return ClaudeCodeInstall(None, None, f"Claude Code is not installed; install it with: {INSTALL_HINT}")
    binary = Path(claude_agent_sdk.__file__).parent / "_bundled" / "claude"
    if not binary.is_file() or not os.access(binary, os.X_OK):
        return ClaudeCodeInstall(
            None, None, f"claude-agent-sdk is installed without its bundled Claude Code binary ({binary}); reinstall with: {INSTALL_HINT}"
        )
    return ClaudeCodeInstall(binary, str(__cli_version__), f"Claude Code {__cli_version__}")


@dataclass(frozen=True)
class ClaudeCodeSample:
    """What the offline baselines need to know about the Claude Code run they answer."""

    agent: str  # the agent's name (front matter)
    mode: str
    body: str  # the agent file's body, to tell the architect's thread from the main thread


# Set per sample task (like ACTIVE_SCENARIO) and seen by the proxy's requests.
ACTIVE_CLAUDE_CODE: ContextVar[ClaudeCodeSample | None] = ContextVar("archbench_active_claude_code", default=None)


# -- requests in, messages out ---------------------------------------------------------------
def prepare_request(body: dict[str, Any]) -> dict[str, Any]:
    """What of Claude Code's request reaches the model.

    Dropped: `metadata` (a random device and session id each run: it would go to the provider as
    an extra body field and make every cache key unique), tools with `defer_loading` (a "never
    call this tool" placeholder for tools Claude Code loads on demand) and the billing-header
    system block (request metadata for Anthropic's API, not an instruction).
    """
    body = {key: value for key, value in body.items() if key != "metadata"}
    if isinstance(body.get("tools"), list):
        body["tools"] = [tool for tool in body["tools"] if not (isinstance(tool, dict) and tool.get("defer_loading"))]
    system = body.get("system")
    if isinstance(system, list):
        body["system"] = [
            block for block in system
            if not (isinstance(block, dict) and str(block.get("text", "")).startswith(BILLING_HEADER))
        ]
    elif isinstance(system, str) and system.startswith(BILLING_HEADER):
        body["system"] = system.partition("\n")[2]
    return body


def request_facts(body: dict[str, Any]) -> dict[str, Any]:
    """Sizes of one request as sent to the model (after `prepare_request`), in characters of JSON."""
    system = body.get("system") or []
    system_text = system if isinstance(system, str) else "".join(str(block.get("text", "")) for block in system if isinstance(block, dict))
    tools = body.get("tools") or []
    return {
        "body_chars": len(json.dumps(body)),
        "system_chars": len(system_text),
        "tools_chars": len(json.dumps(tools)),
        "tools": [tool.get("name") for tool in tools if isinstance(tool, dict)],
        "messages": len(body.get("messages") or []),
    }


def sse_events(message: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Replay a complete Anthropic Message as the stream Claude Code asks for (`stream: true`)."""
    head = dict(message, content=[], stop_reason=None, stop_sequence=None)
    yield "message_start", {"type": "message_start", "message": head}
    for index, block in enumerate(message.get("content") or []):
        kind = block.get("type")
        if kind == "text":
            start, delta = {"type": "text", "text": ""}, {"type": "text_delta", "text": block.get("text", "")}
        elif kind == "tool_use":
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block.get("input") or {})}
        elif kind == "thinking":
            start, delta = {"type": "thinking", "thinking": "", "signature": ""}, {"type": "thinking_delta", "thinking": block.get("thinking", "")}
        else:  # redacted thinking, server tool blocks: whole
            start, delta = block, None
        yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": start}
        if delta is not None:
            yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        if kind == "thinking" and block.get("signature"):
            yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "signature_delta", "signature": block["signature"]}}
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield "message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": message.get("stop_reason"), "stop_sequence": message.get("stop_sequence")},
        "usage": {"output_tokens": (message.get("usage") or {}).get("output_tokens", 0)},
    }
    yield "message_stop", {"type": "message_stop"}


def _error(kind: str, text: str, status: int):  # type: ignore[no-untyped-def]
    from aiohttp import web

    return web.json_response({"type": "error", "error": {"type": kind, "message": text}}, status=status)


def bind_unix_socket(path: Path) -> socket.socket:
    """A listening unix socket at `path`, however long (sun_path holds 107 bytes): bound through
    /proc/self/fd/<fd of its folder>."""
    folder = os.open(path.parent, os.O_PATH)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(f"/proc/self/fd/{folder}/{path.name}")
    except OSError:
        sock.close()
        raise
    finally:
        os.close(folder)
    sock.listen(16)
    sock.setblocking(False)
    return sock


class Proxy:
    """Anthropic Messages API on a unix socket, answered by the eval's model through inspect."""

    def __init__(self, bridge: Any, charges: SampleCharges | None = None) -> None:
        self.bridge = bridge
        self.charges = charges  # the run's budget, charged and checked as each call completes (as natively)
        self.requests: list[dict[str, Any]] = []
        self.error: BaseException | None = None  # the first failure of a model call (or limit): the sample's
        self._runner: Any = None

    async def start(self, socket_path: Path) -> None:
        from aiohttp import web

        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.SockSite(self._runner, bind_unix_socket(socket_path)).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _unknown(self, request: Any):  # type: ignore[no-untyped-def]
        return _error("not_found_error", f"archbench's proxy serves only POST /v1/messages, not {request.method} {request.path}", 404)

    async def _messages(self, request: Any):  # type: ignore[no-untyped-def]
        from aiohttp import web
        from inspect_ai.agent._bridge.anthropic_api import inspect_anthropic_api_request

        body = prepare_request(await request.json())
        self.requests.append(request_facts(body))
        if self.error is not None:
            return _error("api_error", f"an earlier model call failed: {self.error}", 500)
        try:
            message = await inspect_anthropic_api_request(body, None, None, None, self.bridge)
            if self.charges:
                self.charges.charge(sample_model_usage())
                self.charges.budget.check()
        except Exception as error:  # raised in the solver once Claude Code has stopped: an error, or a limit
            # (inspect's message, token or time limit, checked by model.generate), which ends the sample as natively
            self.error = error
            return _error("api_error", f"{type(error).__name__}: {error}", 500)
        data = message.model_dump(mode="json", exclude_none=True)
        if not body.get("stream"):
            return web.json_response(data)
        response = web.StreamResponse(headers={"content-type": "text/event-stream", "cache-control": "no-cache"})
        await response.prepare(request)
        for event, payload in sse_events(data):
            await response.write(f"event: {event}\ndata: {json.dumps(payload)}\n\n".encode())
        await response.write_eof()
        return response


# -- the process ------------------------------------------------------------------------------
def claude_model_name(model: str) -> str:
    """The model name Claude Code is told: a Claude model's own id (so Claude Code shapes its
    requests as for that model), any other model's inspect name (it says so in the prompt)."""
    provider, _, name = model.partition("/")
    return name if provider == "anthropic" or name.startswith("claude-") else model


def claude_argv(binary: str, prompt: str, agent: str, mode: str, model: str, sandboxed: bool) -> list[str]:
    argv = [binary, "-p", prompt, "--output-format", "stream-json", "--verbose", "--permission-mode", "acceptEdits", "--model", model]
    argv += ["--agent", agent] if mode == "main" else ["--forward-subagent-text"]
    # Bash, where the agent has it, runs every command inside the sandbox (as the native runner's bash
    # does) instead of refusing those print mode cannot ask about; unsandboxed it is withheld
    argv += ["--allowedTools", "Bash"] if sandboxed else ["--disallowedTools", "Bash"]
    return argv


def claude_env(home: str, tmp: str) -> dict[str, str]:
    """Claude Code's whole environment: nothing of archbench's (no API keys), no traffic but the
    model calls, no retries of its own (inspect retries), no auto memory (a fresh HOME has none)."""
    return {
        "PATH": SANDBOX_PATH,
        "HOME": home,
        "TERM": "dumb",
        "LANG": "C.UTF-8",
        "ANTHROPIC_API_KEY": "archbench-proxy",  # the proxy ignores it; the real key stays in archbench
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "CLAUDE_CODE_DISABLE_AUTO_MEMORY": "1",
        "CLAUDE_CODE_TMPDIR": tmp,
        "CLAUDE_CODE_MAX_RETRIES": "0",
        "API_TIMEOUT_MS": str(24 * 3600 * 1000),  # inspect's own timeouts govern
    }


def sandbox_argv(repo: Path, socket_dir: Path, binary: Path, launcher: Path) -> list[str]:
    """bwrap around the launcher: the copy writable at /repo, the socket's folder and Claude Code
    read-only, HOME and the temporary folder on a tmpfs, no network, no capabilities."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError("bwrap")
    argv = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", SANDBOX_USER, "--gid", SANDBOX_USER, "--ro-bind", "/usr", "/usr"]
    argv += system_binds(READ_ONLY_EXTRAS + ETC_FILES)
    python = Path(os.path.realpath(sys.executable))
    if not python.is_relative_to("/usr"):
        argv += ["--ro-bind", sys.base_prefix, sys.base_prefix]
    argv += [
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", SANDBOX_HOME, "--dir", SANDBOX_TMP,
        "--ro-bind", str(binary.parent), SANDBOX_BINARY_DIR,
        "--ro-bind", str(launcher), SANDBOX_LAUNCHER,
        "--ro-bind", str(socket_dir), SANDBOX_SOCKET_DIR,
        "--bind", str(repo), SANDBOX_REPO,
        "--chdir", SANDBOX_REPO,
        "--", str(python), SANDBOX_LAUNCHER, f"{SANDBOX_SOCKET_DIR}/{SOCKET_NAME}", "--",
    ]
    return argv


@dataclass
class Outcome:
    exit_code: int | None  # None: killed at the timeout
    events: list[dict[str, Any]]
    stderr: str
    seconds: float


async def run_process(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> Outcome:
    """Run to the end or to `timeout`; on a timeout, an error or cancellation the whole process
    group is killed (in the sandbox, bwrap's death takes every process of the sandbox with it)."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, start_new_session=True, preexec_fn=die_with_parent,
        limit=64 * 1024 * 1024,
    )
    stdout, stderr = b"", b""
    timed_out = False
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        timed_out = True
    finally:
        if process.returncode is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await asyncio.shield(process.wait())
    events = []
    for line in stdout.decode("utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return Outcome(None if timed_out else process.returncode, events, stderr.decode("utf-8", errors="replace"), time.perf_counter() - started)


def extract_plan(events: list[dict[str, Any]], agent: str, mode: str) -> tuple[str, dict[str, Any]]:
    """The architect's own answer: the final result in main-thread mode; in delegated mode the last
    text of the thread Claude Code ran for the agent (its Agent tool call's `parent_tool_use_id`)."""
    result = next((event for event in reversed(events) if event.get("type") == "result"), None)
    if result is None:
        raise RuntimeError("Claude Code ended without a result")
    if mode == "main":
        return str(result.get("result") or ""), result
    calls = {
        event.get("tool_use_id") for event in events
        if event.get("type") == "system" and event.get("subtype") == "task_started" and event.get("subagent_type") == agent
    }
    texts = [
        block.get("text", "")
        for event in events
        if event.get("type") == "assistant" and event.get("parent_tool_use_id") in calls
        for block in (event.get("message") or {}).get("content") or []
        if block.get("type") == "text" and block.get("text", "").strip()
    ]
    return (texts[-1] if texts else ""), result


async def _cache_filter(model: Model, messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice | None, config: GenerateConfig) -> GenerateInput:
    return GenerateInput(messages, tools, tool_choice, config.merge(GenerateConfig(cache=True)))


def place_agent_file(repo: Path, name: str, text: str) -> Path:
    """Write `.claude/agents/<name>.md`; returns the path, to remove before the copy is folded back."""
    target = repo / ".claude" / "agents" / f"{name}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def remove_agent_file(repo: Path, target: Path, existed: set[Path]) -> None:
    """Undo `place_agent_file`: the file and the folders it needed, so the diff never shows them."""
    target.unlink(missing_ok=True)
    for folder in (target.parent, target.parent.parent):
        if folder not in existed and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def clear_workdir(workdir: Path) -> None:
    """Remove sample folders a killed run left behind (nothing of a live run: call before one)."""
    if workdir.is_dir():
        _remove_tree(workdir)


@solver
def claude_code_agent(
    mode: str = "main",
    sandbox: bool = True,
    cache: bool = True,
    workdir: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Solver:
    """Run the sample's agent file inside the real Claude Code.

    Args:
        mode: "main" (the agent file is the main thread) or "delegated" (Claude Code's main thread delegates to it).
        sandbox: Run inside bubblewrap (refuses to run where it cannot); False runs unsandboxed, without Bash.
        cache: Serve identical model calls from inspect's response cache.
        workdir: Folder for the samples' folders (default: the system's temporary folder).
        timeout: Seconds before Claude Code is killed.
    """
    if mode not in MODES:
        raise ValueError(f"Claude Code mode must be one of {MODES}, got '{mode}'")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        from inspect_ai.agent import AgentState
        from inspect_ai.agent._bridge.types import AgentBridge

        install = claude_code_install()
        if not install:
            raise RuntimeError(install.reason)
        if sandbox and not (status := bash_available()):
            raise RuntimeError(f"Claude Code runs only in a sandbox unless told otherwise: {status.reason} (or pass --unsandboxed-claude-code)")
        watch_interrupts()
        budget = active_budget()
        charges = SampleCharges(budget) if budget else None
        if budget:
            budget.check()
        # as the native agent does: a dead model server fails the sample at once, not after minutes of
        # inspect's retries behind the proxy while Claude Code waits
        check_reachable(str(state.model), get_model().api.base_url)
        scenario = load_scenario_cached(Path(state.metadata["scenario_file"]))
        prompt = load_prompt(state.metadata["prompt_file"])
        agent = str(prompt.front_matter["name"])
        root = Path(workdir).resolve() if workdir else None  # bwrap and Claude Code run elsewhere: absolute paths
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="cc-sample-", dir=root))
        # everything of the sample in its folder: a killed run leaves nothing elsewhere
        workspace = RepoWorkspace(
            scenario.repo_path, scenario.repo_config.frontend_dirs, hidden=scenario.hidden_repo_files, scratch=folder
        )
        offline = str(state.model).startswith("archbench/")
        bridge = AgentBridge(AgentState(messages=[]), filter=_cache_filter if cache and not offline else None)
        proxy = Proxy(bridge, charges)
        tokens = (ACTIVE_SCENARIO.set(scenario), ACTIVE_CLAUDE_CODE.set(ClaudeCodeSample(agent, mode, prompt.body)))
        facts: dict[str, Any] = {"version": install.version, "mode": mode, "sandboxed": sandbox}
        state.metadata[METADATA_KEY] = facts
        try:
            socket_dir = folder / "sock"
            socket_dir.mkdir()
            await proxy.start(socket_dir / SOCKET_NAME)
            with workspace.materialized(parent=folder) as repo:
                existed = {path for path in (repo / ".claude", repo / ".claude" / "agents") if path.is_dir()}
                placed = place_agent_file(repo, agent, prompt.path.read_text(encoding="utf-8"))
                try:
                    outcome = await _run_claude(state, install, repo, folder, socket_dir, agent, mode, sandbox, timeout)
                finally:
                    remove_agent_file(repo, placed, existed)
            facts.update(
                exit_code=outcome.exit_code, seconds=round(outcome.seconds, 3), requests=len(proxy.requests),
                tools=proxy.requests[0]["tools"] if proxy.requests else [],
                first_request=({k: v for k, v in proxy.requests[0].items() if k != "tools"} if proxy.requests else None),
                # per request: characters of system prompt and tool definitions (what every call pays), tools, messages
                request_sizes=[[facts["system_chars"], facts["tools_chars"], len(facts["tools"]), facts["messages"]] for facts in proxy.requests],
            )
            if bridge.state.messages:  # the transcript, also when a limit ended the run
                with contextlib.suppress(LimitExceededError):
                    state.messages = list(bridge.state.messages)
            if proxy.error is not None:
                raise proxy.error
            if outcome.exit_code is None:
                raise RuntimeError(f"Claude Code did not finish within {timeout:g} seconds and was killed")
            try:
                plan, result = extract_plan(outcome.events, agent, mode)
            except RuntimeError:
                raise RuntimeError(f"Claude Code exited with code {outcome.exit_code} without a result: {outcome.stderr.strip()[-1500:]}") from None
            if result.get("is_error"):
                raise RuntimeError(f"Claude Code reported an error (exit code {outcome.exit_code}): {str(result.get('result'))[:1500]}")
            facts.update(permission_denials=len(result.get("permission_denials") or []))
            state.output = ModelOutput.from_content(str(state.model), plan)
            return state
        finally:
            for var, token in zip((ACTIVE_SCENARIO, ACTIVE_CLAUDE_CODE), tokens):
                var.reset(token)
            try:
                await proxy.close()
            finally:
                record_sample_end(state, charges, workspace)
                _remove_tree(folder)

    return solve


async def _run_claude(
    state: TaskState, install: ClaudeCodeInstall, repo: Path, folder: Path, socket_dir: Path,
    agent: str, mode: str, sandboxed: bool, timeout: float,
) -> Outcome:
    assert install.binary is not None
    request = state.user_prompt.text
    prompt = request if mode == "main" else DELEGATION_PROMPT.format(name=agent, request=request)
    launcher = Path(__file__).with_name("claude_code_launcher.py")
    model = claude_model_name(str(state.model))
    if sandboxed:
        argv = sandbox_argv(repo, socket_dir, install.binary, launcher)
        argv += claude_argv(f"{SANDBOX_BINARY_DIR}/{install.binary.name}", prompt, agent, mode, model, True)
        env = claude_env(SANDBOX_HOME, SANDBOX_TMP)
    else:
        home, tmp = folder / "home", folder / "tmp"
        home.mkdir()
        tmp.mkdir()
        argv = [sys.executable, str(launcher), str(socket_dir / SOCKET_NAME), "--"]
        argv += claude_argv(str(install.binary), prompt, agent, mode, model, False)
        env = claude_env(str(home), str(tmp))
    return await run_process(argv, env, repo, timeout)
