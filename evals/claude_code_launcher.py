"""Start Claude Code with a local Anthropic endpoint that leads to archbench's proxy (stdlib only).

    python3 claude_code_launcher.py SOCKET -- CLAUDE_ARGV...

archbench serves each sample's model calls on a unix socket in the sample's folder. Inside a
bubblewrap sandbox with no network (its own network namespace, loopback only) Claude Code still
needs an http:// base URL, so this launcher listens on 127.0.0.1 (a free port of that namespace),
forwards every connection byte for byte to the socket, sets ANTHROPIC_BASE_URL, and runs Claude
Code as its child. It binds before starting the child: no race between listener and client.
It exits with Claude Code's exit code. The same launcher runs outside a sandbox (then the port is
one of the host's loopback ports, chosen by the kernel).

Runs with the system Python inside the sandbox, so it imports nothing outside the standard library.
A socket path may exceed the 107-byte limit of sun_path (deep log folders): the launcher connects
through /proc/self/fd/<fd of the folder>/<name>, which is always short.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child before exec: SIGKILL when the process that started it dies (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main(socket_path: str, argv: list[str]) -> int:
    folder = os.open(os.path.dirname(socket_path) or ".", os.O_PATH)
    target = f"/proc/self/fd/{folder}/{os.path.basename(socket_path)}"

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    server = await asyncio.start_server(forward, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    env = dict(os.environ, ANTHROPIC_BASE_URL=f"http://127.0.0.1:{port}")
    child = await asyncio.create_subprocess_exec(*argv, env=env, stdin=asyncio.subprocess.DEVNULL, preexec_fn=die_with_parent)
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, child.kill)
    code = await child.wait()
    server.close()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    die_with_parent()
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print("usage: claude_code_launcher.py SOCKET -- CLAUDE_ARGV...", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[3:])))
