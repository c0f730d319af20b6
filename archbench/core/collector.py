"""Garbage-collector settings: for the length of a run or a rescore, and while reports parse logs.

An eval allocates a stream of small objects (pydantic events, messages, JSON dicts), and
with CPython's default thresholds (700, 10, 10) the collector runs so often, and walks the
whole heap (every import included) so often, that it took about a quarter of a run's CPU.
For the run, objects that exist before it starts are frozen out of collection and the
collector runs after 50,000 new objects instead of 700 (`benchmarks/README.md`, "Where the
time goes", has the figures). Memory is still freed by reference counting as before; only
reference cycles wait longer. Both settings are restored when the run ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

RUN_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def run_collector(thresholds: tuple[int, int, int] = RUN_THRESHOLDS) -> Iterator[None]:
    """Collect less often inside the block; the process's own settings come back after it."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off inside the block, for work that allocates no reference cycles
    (reference counting still frees everything).

    Parsing logs with json.loads allocates dicts fast enough to trigger a collection every few
    hundred, and the oldest generation's passes walk every object loaded so far: with it on,
    loading 100,000 samples for a report took twice as long (26 s vs 14 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
