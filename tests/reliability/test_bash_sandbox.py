"""The Bash tool: runs only inside bubblewrap, sees only the sample's copy, never the network.

Every sandbox property is checked from outside (host files, a listening socket on the
host, the process table), not by trusting the command's own output.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest
from inspect_ai.tool import ToolError

from archbench.core.prompts import load_prompt
from archbench.evals import bash_tool
from archbench.evals.bash_tool import MAX_FILE_BYTES, bash, bash_available
from archbench.evals.toolset import architect_tools, offered_tools
from archbench.evals.workspace import RepoWorkspace
from tests.reliability.support import FIXTURES, tree_hash

pytestmark = pytest.mark.anyio
CANARY = "sk-canary-bash-0123456789abcdef"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini_repo", copy)
    outside = tmp_path / "secret.txt"
    outside.write_text(f"API_KEY={CANARY}")
    (copy / "backend" / "escape_link.txt").symlink_to(outside)
    os.link(outside, copy / "backend" / "hardlinked.txt")
    return copy


@pytest.fixture
def sandboxed(repo: Path):
    status = bash_available()
    if not status:
        pytest.skip(f"no bubblewrap sandbox on this machine: {status.reason}")
    workspace = RepoWorkspace(repo)
    yield workspace, bash(workspace, max_output=4_000)
    workspace.close()


@pytest.fixture
def without_sandbox(monkeypatch, tmp_path: Path):
    """Make bash_available() probe again, with `bwrap` resolved from a folder we control."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    monkeypatch.setenv("PATH", str(fake_bin))
    bash_available.cache_clear()
    yield fake_bin
    bash_available.cache_clear()


def fake_bwrap(folder: Path, script: str) -> None:
    path = folder / "bwrap"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


# -- unavailable: reported, never run unsandboxed ------------------------------------------


@pytest.mark.parametrize(
    "script, reason",
    [
        pytest.param(None, "not installed", id="bwrap-missing"),
        pytest.param(
            "echo 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow "
            "non-privileged user namespaces' >&2; exit 1",
            "cannot create a sandbox here: bwrap: No permissions to creating new namespace",
            id="no-user-namespaces",
        ),
        pytest.param("echo 'not ok'", "cannot create a sandbox here", id="probe-output-wrong"),
    ],
)
async def test_bash_is_reported_unavailable_and_never_runs_unsandboxed(without_sandbox, repo, tmp_path, script, reason):
    if script is not None:
        fake_bwrap(without_sandbox, script)
    status = bash_available()
    assert not status and reason in status.reason

    prompt_file = tmp_path / "shell.md"
    prompt_file.write_text("---\nname: shell\ndescription: d\ntools: Read, Bash\n---\nPlan.\n")
    tools, warnings = offered_tools(load_prompt(prompt_file))
    assert tools == ("read_file",)
    assert [warning for warning in warnings if "Bash unavailable: " in warning and reason in warning]

    marker = tmp_path / "ran-unsandboxed"
    with RepoWorkspace(repo) as workspace:
        with pytest.raises(ToolError, match="Bash unavailable"):
            await bash(workspace)(command=f"touch {marker}")
    assert not marker.exists()


def test_prompts_get_bash_as_in_claude_code(tmp_path, sandboxed):
    """Named (bare or as Bash(pattern)) or no `tools` key at all (Claude Code's default: every tool): Bash.
    Removed by disallowedTools or permissionMode plan: no Bash."""
    asks = tmp_path / "asks.md"
    asks.write_text("---\nname: asks\ndescription: d\ntools: Read, Bash(git log:*)\n---\nPlan.\n")
    silent = tmp_path / "silent.md"
    silent.write_text("---\nname: silent\ndescription: d\n---\nPlan.\n")
    denied = tmp_path / "denied.md"
    denied.write_text("---\nname: denied\ndescription: d\ntools: Read, Bash\ndisallowedTools: Bash\n---\nPlan.\n")
    planning = tmp_path / "planning.md"
    planning.write_text("---\nname: planning\ndescription: d\npermissionMode: plan\n---\nPlan.\n")
    assert offered_tools(load_prompt(asks)) == (("read_file", "bash"), ())
    assert load_prompt(asks).bash_allow == ("git log:*",)
    assert offered_tools(load_prompt(silent))[0][-1] == "bash"
    assert load_prompt(denied).tools == ("read_file",)
    assert "bash" not in load_prompt(planning).tools


async def test_bash_patterns_are_an_allow_list_the_sandboxed_tool_enforces(sandboxed, repo, tmp_path):
    """`Bash(git log:*)`-style entries: matching commands run; others, and compound commands that
    smuggle another command in, are refused with a tool error naming the allowed patterns."""
    workspace, _ = sandboxed
    (run,) = architect_tools(workspace, ["bash"], max_output=4_000, bash_allow=("ls", "cat:*", "echo *"))
    assert "backend" in await run(command="ls")
    assert "[exit code 0]" in await run(command="cat backend/notes/models.py | cat")
    assert "a;b" in await run(command="echo 'a;b'")
    marker = "backend/refused-marker.txt"
    for command in (f"ls -la; touch {marker}", f"ls && touch {marker}", f"cat x || touch {marker}", f"cat x | tee {marker}",
                    f"echo $(touch {marker})", f"echo `touch {marker}`", f"touch {marker}", f"ls\ntouch {marker}",
                    f'echo "$(touch {marker})"', "ls -la"):
        with pytest.raises(ToolError, match=r"Bash\(ls\), Bash\(cat:\*\), Bash\(echo \*\)"):
            await run(command=command)
    assert marker not in workspace.diff().created
    (free,) = architect_tools(workspace, ["bash"], max_output=4_000, bash_deny=("rm:*",))
    with pytest.raises(ToolError, match=r"denied by Bash\(rm:\*\)"):
        await free(command="ls; rm backend/notes/models.py")
    assert workspace.exists("backend/notes/models.py")


# -- inside the sandbox ----------------------------------------------------------------------


async def test_bash_works_on_a_copy_and_its_changes_become_the_diff(sandboxed, repo):
    workspace, run = sandboxed
    before = tree_hash(repo)
    output = await run(
        command="pwd && ls backend/notes && echo 'def archive(): ...' > backend/notes/services.py "
        "&& sed -i 's/max_length=200/max_length=300/' backend/notes/models.py && rm backend/notes/views.py "
        "&& mkdir -p frontend/app/components && echo '<template/>' > frontend/app/components/Bell.vue "
        "&& mkdir -p backend/notes/__pycache__ && echo junk > backend/notes/__pycache__/models.pyc "
        "&& ln -s /etc/hostname backend/link_made_in_sandbox"
    )
    assert output.startswith("/repo\n") and "models.py" in output and "[exit code 0]" in output
    assert tree_hash(repo) == before
    diff = workspace.diff()
    assert diff.created == ["backend/notes/services.py", "frontend/app/components/Bell.vue"]
    assert diff.modified == ["backend/notes/models.py"]
    assert diff.deleted == ["backend/notes/views.py"]
    assert diff.frontend == ["frontend/app/components/Bell.vue"]
    assert "max_length=300" in workspace.read_bytes("backend/notes/models.py").decode()
    assert not workspace.exists("backend/notes/views.py")
    # the next call sees the state the first left, file tools' edits included
    workspace.write_text("backend/notes/tasks.py", "from celery import shared_task\n")
    output = await run(command="ls backend/notes; cat backend/notes/tasks.py")
    assert "views.py" not in output and "services.py" in output and "shared_task" in output
    assert tree_hash(repo) == before


async def test_the_sandbox_has_no_network(sandboxed):
    _, run = sandboxed
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        output = await run(command=f"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected; getent hosts pypi.org || echo no-dns")
        with pytest.raises(socket.timeout):
            listener.accept()  # nothing from the sandbox reached the host's loopback
    finally:
        listener.close()
    assert "connected" not in output.replace("[exit code", "") and "no-dns" in output


async def test_only_the_copy_is_writable_and_nothing_of_the_host_is_visible(sandboxed, repo, tmp_path, monkeypatch):
    _, run = sandboxed
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    host_marker = Path("/tmp") / f"archbench-sandbox-marker-{os.getpid()}"
    output = await run(
        command=f"echo x > /usr/pwned; echo x > {host_marker}; ls {repo.parent} {Path.cwd()}; "
        "cat backend/escape_link.txt backend/hardlinked.txt; env; id -u"
    )
    assert "Read-only file system" in output
    assert not Path("/usr/pwned").exists() and not host_marker.exists()  # /tmp inside is a private tmpfs
    assert f"ls: cannot access '{repo.parent}'" in output and f"cannot access '{Path.cwd()}'" in output
    assert CANARY not in output  # neither the environment nor files reached through links
    assert "65534" in output  # an unprivileged user


async def test_timeouts_kill_the_whole_sandbox(sandboxed):
    _, run = sandboxed
    started = time.monotonic()
    with pytest.raises(ToolError, match="timed out after 1 seconds"):
        await run(command="sleep 47.5", timeout=1)
    output = await run(command="(sleep 48.5; echo late) > /dev/null 2>&1 & echo detached")
    assert "detached" in output
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    assert not [cmdline for cmdline in _process_cmdlines() if "sleep\x0047.5" in cmdline or "sleep\x0048.5" in cmdline]


async def test_output_and_file_sizes_are_capped(sandboxed):
    workspace, run = sandboxed
    output = await run(command="yes architect | head -c 2000000; echo done >&2")
    assert output.startswith("architect\narchitect\n") and len(output) < 4_300
    assert "[output truncated: 1996005 more bytes" in output  # stderr's "done" comes after the kept head and "[exit code 0]" in output
    output = await run(command=f"head -c {MAX_FILE_BYTES + 1_000_000} /dev/zero > big.bin; echo status=$?")
    assert "status=153" in output and "File size limit exceeded" in output  # 128 + SIGXFSZ
    assert len(workspace.read_bytes("big.bin")) <= MAX_FILE_BYTES


async def test_tool_is_registered_for_prompts_that_have_it(sandboxed, repo):
    workspace, _ = sandboxed
    (tool,) = architect_tools(workspace, ["bash"], max_output=1_000)
    listing = await tool(command="ls")
    assert "backend" in listing and "archbench.yaml" not in listing  # the answer key stays hidden


async def test_no_copy_is_left_behind_even_when_the_command_locks_it(sandboxed, monkeypatch, tmp_path):
    workspace, run = sandboxed
    temp_root = tmp_path / "temp"
    temp_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp_root))
    await run(command="mkdir -p locked/inner && echo x > locked/inner/f && chmod 000 locked/inner locked")
    with pytest.raises(ToolError, match="timed out"):
        await run(command="echo y > during-timeout.txt; sleep 30", timeout=1)
    # the overlay (made on the first write, so here) lives until the workspace closes; copies must not
    assert [path.name for path in temp_root.iterdir() if not path.name.startswith("archbench-ws-")] == []
    assert "locked/inner/f" in workspace.diff().created
    assert workspace.read_bytes("during-timeout.txt") == b"y\n"  # written before the kill: still an edit


def _process_cmdlines() -> list[str]:
    cmdlines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdlines.append((entry / "cmdline").read_bytes().decode(errors="replace"))
            except OSError:
                continue
    return cmdlines


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed: there is no sandbox command line to build")
def test_sandbox_argv_binds_only_the_copy_writable(tmp_path):
    argv = bash_tool.sandbox_argv(tmp_path, "true")
    writable = [argv[index + 1] for index, arg in enumerate(argv) if arg == "--bind"]
    assert writable == [str(tmp_path)]
    assert {"--unshare-all", "--die-with-parent", "--clearenv"} <= set(argv)
