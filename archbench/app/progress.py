"""Progress for logs that are not a terminal (CI): one plain line per finished sample.

Without a terminal, inspect's displays print nothing until a task ends, then a panel that
repeats the task's whole configuration, wrapped at 80 columns (log paths broken mid-name).
When the output is not a TTY and no display was asked for (`--display`, `INSPECT_DISPLAY`),
archbench turns inspect's display off and prints through inspect's hooks instead: the
matrix once, a one-line header per task, a line per finished sample with its overall score
or its error, and the log file of each task, each on one line that nothing wraps.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator, TextIO

from inspect_ai.hooks import Hooks, SampleEnd, TaskEnd, TaskStart, hooks

_active: ProgressLines | None = None


class ProgressLines:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.totals: dict[str, int] = {}  # eval_id -> samples this task runs
        self.done: dict[str, int] = {}
        self.names: dict[str, str] = {}  # eval_id -> "task × model"

    def line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def task_start(self, data: TaskStart) -> None:
        spec = data.spec
        epochs = spec.config.epochs or 1
        total = (spec.dataset.samples or 0) * epochs
        self.totals[data.eval_id], self.done[data.eval_id] = total, 0
        self.names[data.eval_id] = f"{spec.task.removeprefix('archbench/')} × {spec.model}"
        self.line(f"task {self.names[data.eval_id]}: {spec.dataset.samples} sample(s) × {epochs} epoch(s)")

    def sample_end(self, data: SampleEnd) -> None:
        sample = data.sample
        self.done[data.eval_id] = self.done.get(data.eval_id, 0) + 1
        count = f"[{self.done[data.eval_id]}/{self.totals.get(data.eval_id, '?')}]"
        if sample.error is not None:
            outcome = "error: " + " ".join(sample.error.message.split())[:200]
        else:
            overall = (sample.scores or {}).get("overall")
            value = overall.value if overall is not None else None
            outcome = f"overall {value:.2f}" if isinstance(value, (int, float)) else "no overall score"
            if sample.limit is not None:
                outcome += f" (stopped by the {sample.limit.type} limit)"
        seconds = f" in {sample.total_time:.0f} s" if sample.total_time is not None else ""
        self.line(f"{count} {self.names.get(data.eval_id, '')} {sample.id} epoch {sample.epoch}: {outcome}{seconds}")

    def task_end(self, data: TaskEnd) -> None:
        log = data.log
        results = log.results
        done = f"{results.completed_samples}/{results.total_samples} samples" if results else "no samples"
        self.line(f"task {self.names.get(data.eval_id, log.eval.task)} {log.status}: {done}; log: {log.location}")


class ProgressHooks(Hooks):
    def enabled(self) -> bool:
        return _active is not None

    async def on_task_start(self, data: TaskStart) -> None:
        if _active is not None:
            _active.task_start(data)

    async def on_sample_end(self, data: SampleEnd) -> None:
        if _active is not None:
            _active.sample_end(data)

    async def on_task_end(self, data: TaskEnd) -> None:
        if _active is not None:
            _active.task_end(data)


_registered = False


def _register() -> None:
    """Register the hooks the first time they are needed, after inspect has loaded the hooks it knows
    of: inspect announces the hooks it finds at that point ("inspect_ai vX - hooks enabled: 1", a
    wrapped banner), and a hook registered later still receives every event."""
    global _registered
    if _registered:
        return
    try:
        from inspect_ai.hooks._startup import init_hooks  # internal; without it the banner is the only cost
    except ImportError:
        pass
    else:
        init_hooks()
    hooks(name="archbench_progress", description="archbench: one line per finished sample when the output is not a terminal")(ProgressHooks)
    _registered = True


def wants_lines(display: str | None, stream: TextIO | None = None) -> bool:
    """Plain progress lines when nobody chose a display and the output is not a terminal."""
    stream = stream or sys.stdout
    return display is None and not os.environ.get("INSPECT_DISPLAY") and not stream.isatty()


@contextmanager
def progress_lines(display: str | None, summary: str) -> Iterator[str | None]:
    """The display to hand inspect; while it runs, print progress lines if `wants_lines(display)`.

    `summary` (the matrix, once) is printed first in that case."""
    global _active
    if not wants_lines(display):
        yield display
        return
    _register()
    _active = ProgressLines(sys.stdout)
    _active.line(summary)
    try:
        yield "none"
    finally:
        _active = None
