"""Ctrl-C and SIGTERM during a run: inspect cancels the run and keeps what finished; archbench
must then say so (exit 130, "rerun the same command to resume"), never report success.

inspect's event loop (asyncio) handles SIGINT itself when it finds Python's default handler:
the first SIGINT cancels the run, which writes its logs as "cancelled". It then reports the
run as completed successfully. `RunInterrupts` records that a signal arrived, so the run can
be called interrupted, without taking the signal away from inspect:

- SIGTERM (a CI job cancelled, `kill`) is passed on as a SIGINT to whichever SIGINT handler
  is current, so it cancels the run the same way;
- the SIGINT handler inspect's loop installs is wrapped, from inside the loop (`watch`, called
  as each sample starts), by one that first records the interrupt;
- once interrupted, the console is silenced so that no success message follows.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

import rich


class RunInterrupts:
    """Armed for the length of one run (`with RunInterrupts() as interrupts:`)."""

    def __init__(self) -> None:
        self.interrupted = False
        self._previous_term: Any = None
        self._previous_int: Any = None
        self._console_quiet = False

    def record(self) -> None:
        if not self.interrupted:
            self.interrupted = True
            console = rich.get_console()
            self._console_quiet = console.quiet
            console.quiet = True  # inspect's closing "Completed all tasks … successfully" must not print

    def _on_term(self, signum: int, frame: FrameType | None) -> None:
        self.record()
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):
            handler(signal.SIGINT, frame)  # inspect's loop cancels the run (or KeyboardInterrupt outside it)
        else:
            raise KeyboardInterrupt

    def watch(self) -> None:
        """Wrap the current SIGINT handler (inspect's loop's) so that it records the interrupt first."""
        if threading.current_thread() is not threading.main_thread():
            return
        handler = signal.getsignal(signal.SIGINT)
        if getattr(handler, "archbench_records", None) is self or not callable(handler):
            return

        def recording(signum: int, frame: FrameType | None) -> None:
            self.record()
            handler(signum, frame)

        recording.archbench_records = self  # type: ignore[attr-defined]
        signal.signal(signal.SIGINT, recording)

    def __enter__(self) -> "RunInterrupts":
        global _active
        _active = self
        if threading.current_thread() is threading.main_thread():
            self._previous_int = signal.getsignal(signal.SIGINT)
            self._previous_term = signal.signal(signal.SIGTERM, self._on_term)
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = None
        if threading.current_thread() is threading.main_thread():
            if self._previous_term is not None:
                signal.signal(signal.SIGTERM, self._previous_term)
            if getattr(signal.getsignal(signal.SIGINT), "archbench_records", None) is self:
                signal.signal(signal.SIGINT, self._previous_int)
        if self.interrupted:
            rich.get_console().quiet = self._console_quiet
        if exc and isinstance(exc[1], KeyboardInterrupt):
            self.interrupted = True


_active: RunInterrupts | None = None


def watch_interrupts() -> None:
    """Called by the agent as each sample starts, inside inspect's event loop (no-op outside a run)."""
    if _active is not None:
        _active.watch()
