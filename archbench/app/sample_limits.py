"""How many samples `archbench run` lets run at once (inspect's `max_samples`), per runner.

inspect's default is one sample per connection (`max_samples = max_connections`). A sample
that is running its tools, waiting for its grade or writing its log holds its sample slot
but no connection, so with one slot per connection that connection idles meanwhile. The
native runner therefore runs `NATIVE_SAMPLES_PER_CONNECTION` samples per connection when
the connections are given (`--max-connections`, a config's `max_connections`): a native
sample in flight costs a few MB of memory and no disk unless its agent writes
(benchmarks/README.md, issue 19). Without a connection count inspect's adaptive
connection controller is in charge and its sample limiter follows it (the controller's
current concurrency plus 5); archbench leaves that alone.

The Claude Code runner runs a Claude Code process of ~500 MB per sample (docs/runners.md),
so its default is set by memory, not by connections: half of the memory available when
the run starts, `CLAUDE_CODE_SAMPLE_MB` a sample, at least one.

`--max-samples` (a config's `max_samples`) overrides both, as `inspect eval --max-samples` does.
"""

from __future__ import annotations

import os

NATIVE_SAMPLES_PER_CONNECTION = 2
CLAUDE_CODE_SAMPLE_MB = 500
CLAUDE_CODE_MEMORY_SHARE = 0.5


def available_memory_mb() -> float:
    """Memory available to new processes now, in MB (`MemAvailable`), or the physical memory where that is not known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20


def default_max_samples(runner: str, max_connections: int | None, memory_mb: float | None = None) -> int | None:
    """Samples at once for a run on `runner` with `max_connections` (None: inspect's adaptive
    connections); None leaves it to inspect. `memory_mb`: available memory (default: now)."""
    if runner == "claude-code":
        memory = available_memory_mb() if memory_mb is None else memory_mb
        return max(1, int(memory * CLAUDE_CODE_MEMORY_SHARE // CLAUDE_CODE_SAMPLE_MB))
    if max_connections is None:
        return None
    return NATIVE_SAMPLES_PER_CONNECTION * max_connections
