"""The `bash` tool (Claude Code's Bash), run only inside a bubblewrap sandbox.

Each call gets a fresh private copy of the sample's repo (`RepoWorkspace.materialized`)
mounted read-write at /repo; everything else it can see is the host's system folders,
read-only. The sandbox has its own empty network namespace (no network, not even the
host's loopback), its own PID/IPC/UTS namespaces, an unprivileged user with no
capabilities, an empty environment (no API keys), a wall-clock timeout, a cap on the
output returned and on the size of any file written. Changes in the copy are folded back
into the workspace, so the graders see what bash did like any other edit.

Where bubblewrap is missing or cannot create namespaces (some containers), the tool is
unavailable: `bash_available()` is falsy with the reason, prompts asking for Bash are
warned and run without it, and the tool itself refuses. It never runs unsandboxed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import anyio
from inspect_ai.tool import Tool, ToolError, tool

from archbench.core.bash_rules import refusal
from archbench.evals.tools import DEFAULT_MAX_OUTPUT, cap
from archbench.evals.workspace import RepoWorkspace

DEFAULT_TIMEOUT = 60
MAX_TIMEOUT = 300
MAX_FILE_BYTES = 50_000_000
SANDBOX_ROOT = "/repo"
SANDBOX_USER = "65534"  # nobody: files it writes map back to the host user that runs archbench
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
# merged-/usr systems have these as symlinks into /usr, older ones as real folders
SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64")
READ_ONLY_EXTRAS = ("/etc/alternatives", "/etc/ld.so.cache")


@dataclass(frozen=True)
class BashStatus:
    """Whether the sandboxed bash can run here; falsy when not, with the reason."""

    available: bool
    reason: str

    def __bool__(self) -> bool:
        return self.available


def system_binds(extras: tuple[str, ...]) -> list[str]:
    """bwrap arguments that show the host's system folders read-only (merged-/usr symlinks kept as
    symlinks) and `extras` where they exist."""
    argv: list[str] = []
    for directory in SYSTEM_DIRS:
        path = Path(directory)
        if path.is_symlink():
            argv += ["--symlink", str(path.readlink()), directory]
        elif path.is_dir():
            argv += ["--ro-bind", directory, directory]
    for extra in extras:
        argv += ["--ro-bind-try", extra, extra]
    return argv


def sandbox_argv(copy: Path, command: str) -> list[str]:
    """The bwrap command line running `command` with `copy` as the only writable folder."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError("bwrap")
    argv = [
        bwrap,
        "--unshare-all",  # user, pid, ipc, uts, cgroup and network namespaces
        "--die-with-parent",
        "--new-session",
        "--cap-drop", "ALL",
        "--uid", SANDBOX_USER,
        "--gid", SANDBOX_USER,
        "--ro-bind", "/usr", "/usr",
    ]
    argv += system_binds(READ_ONLY_EXTRAS)
    argv += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--tmpfs", "/tmp",
        "--bind", str(copy), SANDBOX_ROOT,
        "--chdir", SANDBOX_ROOT,
        "--clearenv",
        "--setenv", "PATH", SANDBOX_PATH,
        "--setenv", "HOME", "/tmp",
        "--setenv", "LANG", "C.UTF-8",
        "--",
        "/bin/bash", "--noprofile", "--norc", "-c",
        # bash's ulimit sets the soft and the hard limit: the command cannot raise it again;
        # stderr joins stdout, in order, as in a terminal
        f"ulimit -f {MAX_FILE_BYTES // 1024} && exec /bin/bash --noprofile --norc -c \"$0\" 2>&1",
        command,
    ]
    return argv


@dataclass(frozen=True)
class CommandResult:
    exit_code: int | None  # None: killed at the timeout
    output: bytes  # the first `limit` bytes of stdout and stderr
    total_bytes: int


async def run_sandboxed(copy: Path, command: str, timeout: float, limit: int) -> CommandResult:
    """Run `command` in the sandbox; keep the head of its output, drain the rest, kill it at `timeout`."""
    kept = bytearray()
    total = 0
    exit_code: int | None = None
    process = await anyio.open_process(sandbox_argv(copy, command), stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        with anyio.move_on_after(timeout):
            assert process.stdout is not None
            async for chunk in process.stdout:
                total += len(chunk)
                kept.extend(chunk[: max(0, limit - len(kept))])
            exit_code = await process.wait()
    finally:
        if process.returncode is None:  # timed out or cancelled: --die-with-parent takes the sandbox down with bwrap
            process.kill()
            with anyio.CancelScope(shield=True):
                await process.wait()
        await process.aclose()
    return CommandResult(exit_code, bytes(kept), total)


@cache
def bash_available() -> BashStatus:
    """Probe once per process: can bubblewrap create the sandbox on this machine?"""
    if shutil.which("bwrap") is None:
        return BashStatus(False, "bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)")
    with tempfile.TemporaryDirectory(prefix="archbench-probe-") as probe:
        try:
            result = subprocess.run(
                sandbox_argv(Path(probe), "echo ok > probe && cat probe"),
                capture_output=True, text=True, timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return BashStatus(False, f"bwrap could not be started: {error}")
    if result.returncode != 0 or result.stdout.strip() != "ok":
        detail = (result.stderr.strip() or result.stdout.strip() or f"exit code {result.returncode}").splitlines()[-1]
        return BashStatus(False, f"bwrap cannot create a sandbox here: {detail}")
    return BashStatus(True, "bubblewrap sandbox")


@tool(name="bash")
def bash(
    workspace: RepoWorkspace, max_output: int = DEFAULT_MAX_OUTPUT, allow: tuple[str, ...] = (), deny: tuple[str, ...] = ()
) -> Tool:
    """`allow`: the agent file's `Bash(pattern)` specifiers (empty: every command); `deny`: those of
    its disallowedTools. A refused command is answered with a tool error naming the allowed patterns."""

    async def execute(command: str, timeout: int = DEFAULT_TIMEOUT) -> str:
        """Run a bash command in a sandboxed copy of the repository (the working folder is the repo root).

        There is no network. Only the repository copy is writable, and changes there count as edits.

        Args:
            command: The bash command to run.
            timeout: Seconds before the command is killed (at most 300).
        """
        status = bash_available()
        if not status:
            raise ToolError(f"Bash unavailable: {status.reason}")
        refused = refusal(command, allow, deny)
        if refused is not None:
            raise ToolError(f"command refused: {refused}")
        seconds = max(1, min(int(timeout), MAX_TIMEOUT))
        with workspace.materialized() as copy:
            result = await run_sandboxed(copy, command, seconds, max_output)
        if result.exit_code is None:
            raise ToolError(f"command timed out after {seconds} seconds and was killed")
        output = result.output.decode("utf-8", errors="replace")
        if result.total_bytes > len(result.output):
            output += f"\n[output truncated: {result.total_bytes - len(result.output)} more bytes; narrow the command]"
        return cap(output + f"\n[exit code {result.exit_code}]", max_output + 200)

    return execute
