"""How many samples `archbench run` lets run at once (inspect's `max_samples`), per runner.

inspect's default is one sample per connection (`max_samples = max_connections`). A sample
that is running its tools, waiting for its grade or writing its log holds its sample slot
but no connection, so with one slot per connection that connection idles meanwhile. The
native runner therefore runs `NATIVE_SAMPLES_PER_CONNECTION` samples per connection when
the connections are given (`--max-connections`, a config's `max_connections`): at 2 s
latency that reached 0.76 of ideal against 0.68 at one, and 1.5 and 3 did no better; a native
sample in flight holds its transcript (~0.13 MB each in that benchmark) and no disk unless its
agent writes (benchmarks/README.md, issue 19). Without a connection count inspect's adaptive
connection controller is in charge and its sample limiter follows it (the controller's
current concurrency plus 5); archbench leaves that alone.

The Claude Code runner runs a Claude Code process of ~500 MB per sample (docs/runners.md),
so its default is set by memory, not by connections: half of the memory available when
the run starts, `CLAUDE_CODE_SAMPLE_MB` a sample, at least one.

Under a budget (`max_usd`, `max_tokens`) both keep to one sample per connection, at most: the
budget is checked as each call completes, and a sample's next call may already be queued for a
connection by then, so a run overshoots by at most one call per sample in flight, which this
keeps at one call per connection (docs/workflows.md, Cost control).

`--max-samples` (a config's `max_samples`) overrides all of these, as `inspect eval --max-samples` does.
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


def default_max_samples(
    runner: str, max_connections: int | None, memory_mb: float | None = None, budgeted: bool = False
) -> int | None:
    """Samples at once for a run on `runner` with `max_connections` (None: inspect's adaptive
    connections); None leaves it to inspect. `memory_mb`: available memory (default: now);
    `budgeted`: the run has a `max_usd` or `max_tokens` cap."""
    if runner == "claude-code":
        memory = available_memory_mb() if memory_mb is None else memory_mb
        by_memory = max(1, int(memory * CLAUDE_CODE_MEMORY_SHARE // CLAUDE_CODE_SAMPLE_MB))
        return min(by_memory, max_connections) if budgeted and max_connections is not None else by_memory
    if max_connections is None:
        return None
    return max_connections if budgeted else NATIVE_SAMPLES_PER_CONNECTION * max_connections
