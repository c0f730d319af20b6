"""Grading off the event loop: one worker process per run grades plans while the run's event loop
keeps every model connection served.

Grading a plan costs about 20 ms of CPU; done inline in a scorer, it holds the event loop, and
while it grades no connection is served. `archbench run` starts a `GradingWorker` (a child
process running this module, `python -m archbench.graders.worker`) and the scorers send it each
plan, the path of its scenario file and the repo diff; the child loads each scenario once, grades
with the same `grade_plan`, and sends the `PlanGrade` back. Results are the objects inline grading
builds (tests/graders/test_worker.py compares them on every gold plan).

Why a plain child process and not `multiprocessing`: its spawn and forkserver start methods
import the parent's `__main__` again in the child, so a user's script without a
`if __name__ == "__main__":` guard would run twice; fork from inspect's threaded event loop
risks deadlocks. The child here imports archbench only. It exits when its input closes, so it
never outlives the run, even when the run is killed.

Frames on both pipes: an 8-byte big-endian length, then a pickle. Requests are
`(request_id, scenario_file, plan_text, repo_diff)`; replies `(request_id, ok, grade_or_error)`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from archbench.graders.grade import PlanGrade

_HEADER = struct.Struct(">Q")
_STDERR_TAIL = 2_000


class GradingWorkerError(RuntimeError):
    """The worker could not grade a plan (it died, or grading raised); the sample errors with this reason."""


def _write_frame(stream: IO[bytes], payload: Any) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class GradingWorker:
    """A child process that grades plans; `grade()` is awaitable from any event loop or thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._pending: dict[int, concurrent.futures.Future[PlanGrade]] = {}
        self._outbox: queue.Queue[Any] = queue.Queue()
        self._ids = itertools.count()
        self._closed = False

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        """Start the child (graders imported before the first plan arrives); idempotent."""
        with self._lock:
            if self._closed:
                raise GradingWorkerError("the grading worker was closed")
            if self._process is not None and self._process.poll() is None:
                return
            environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
            self._process = subprocess.Popen(
                [sys.executable, "-m", "archbench.graders.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environment,
                close_fds=True,
            )
            process = self._process
            # each process has its own queue and pending plans: a dead one fails only what it was sent
            self._outbox = queue.Queue()
            self._pending = {}
            threading.Thread(target=self._send_loop, args=(process, self._outbox), daemon=True, name="grading-send").start()
            threading.Thread(target=self._receive_loop, args=(process, self._pending), daemon=True, name="grading-receive").start()

    def close(self) -> None:
        """Close the child's input (it exits) and wait for it; pending grades fail."""
        with self._lock:
            self._closed = True
            process, self._process = self._process, None
        if process is None:
            return
        self._outbox.put(None)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._fail_pending(self._pending, GradingWorkerError("the grading worker was closed before it answered"))

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- grading ------------------------------------------------------------------------
    def submit(self, scenario_file: Path, plan_text: str, repo_diff: Any) -> concurrent.futures.Future[PlanGrade]:
        self.start()
        future: concurrent.futures.Future[PlanGrade] = concurrent.futures.Future()
        request_id = next(self._ids)
        with self._lock:
            self._pending[request_id] = future
            outbox = self._outbox
        outbox.put((request_id, str(scenario_file), plan_text, repo_diff))
        return future

    async def grade(self, scenario_file: Path, plan_text: str, repo_diff: Any) -> PlanGrade:
        return await asyncio.wrap_future(self.submit(scenario_file, plan_text, repo_diff))

    # -- threads ------------------------------------------------------------------------
    def _send_loop(self, process: subprocess.Popen[bytes], outbox: queue.Queue[Any]) -> None:
        assert process.stdin is not None
        while (request := outbox.get()) is not None:
            try:
                _write_frame(process.stdin, request)
            except (BrokenPipeError, OSError):
                break  # the receive loop reports the death
        try:
            process.stdin.close()
        except OSError:
            pass

    def _receive_loop(self, process: subprocess.Popen[bytes], pending: dict[int, concurrent.futures.Future[PlanGrade]]) -> None:
        assert process.stdout is not None
        while True:
            try:
                request_id, ok, result = _read_frame(process.stdout)
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            with self._lock:
                future = pending.pop(request_id, None)
            if future is None:
                continue
            if ok:
                future.set_result(result)
            else:
                future.set_exception(GradingWorkerError(result))
        code = process.wait()
        stderr = process.stderr.read().decode("utf-8", "replace")[-_STDERR_TAIL:] if process.stderr else ""
        self._fail_pending(pending, GradingWorkerError(f"the grading worker exited (code {code}) before answering: {stderr.strip()}"))

    def _fail_pending(self, pending: dict[int, concurrent.futures.Future[PlanGrade]], error: Exception) -> None:
        with self._lock:
            futures = list(pending.values())
            pending.clear()
        for future in futures:
            if not future.done():
                future.set_exception(error)


_active: GradingWorker | None = None


def active_worker() -> GradingWorker | None:
    """The worker the scorers send plans to; None means grade inline."""
    return _active


@contextmanager
def grading_worker() -> Iterator[GradingWorker]:
    """Grade in a worker process for the duration of the block (`archbench run` wraps its run in it)."""
    global _active
    worker = GradingWorker()
    worker.start()
    previous, _active = _active, worker
    try:
        yield worker
    finally:
        _active = previous
        worker.close()


# -- the child ----------------------------------------------------------------------------
def _serve(incoming: IO[bytes], outgoing: IO[bytes]) -> None:
    from archbench.core.scenarios import load_scenario_cached
    from archbench.graders.grade import grade_plan

    while True:
        try:
            request_id, scenario_file, plan_text, repo_diff = _read_frame(incoming)
        except EOFError:
            return
        try:
            reply = (request_id, True, grade_plan(plan_text, load_scenario_cached(Path(scenario_file)), repo_diff))
        except Exception as error:  # the parent turns this into a sample error with the reason
            reply = (request_id, False, f"grading failed: {type(error).__name__}: {error}")
        _write_frame(outgoing, reply)


if __name__ == "__main__":
    # warm the graders' imports before the first plan arrives
    import archbench.graders.conventions  # noqa: F401
    import archbench.graders.grounding  # noqa: F401

    # frames go to a private copy of stdout; anything printed while grading lands on stderr
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, replies)
