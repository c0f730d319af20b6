"""A model server nobody answers at fails the sample at once, naming the address and the reason.

With nothing listening at a model's base URL, inspect retries the connection with backoff
for minutes and prints nothing. Before a sample's first call the agent opens (and closes) a
TCP connection to the base URL's host and port; when that fails, the sample ends with an error
such as "cannot reach the model server at http://127.0.0.1:8000/v1: connection refused", which
the log, the report and the console (`archbench run` probes once before the run) all show.
Results are kept for a few seconds, so a run probes each server about once per interval,
not once per sample. Only explicit base URLs are probed, and not through a proxy (the
provider's client would reach the server through it, a direct connection may not).
"""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from urllib.parse import urlsplit

PROBE_TIMEOUT = 5.0  # seconds to wait for a TCP connection
REMEMBER = 5.0  # seconds a probe's answer is reused

_results: dict[str, tuple[float, str | None]] = {}
_lock = threading.Lock()


class ModelServerUnreachable(RuntimeError):
    pass


def _proxied() -> bool:
    return any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"))


def _reason(error: OSError) -> str:
    if isinstance(error, ConnectionRefusedError) or error.errno == errno.ECONNREFUSED:
        return "connection refused (is the server running, on this port?)"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return f"no answer within {PROBE_TIMEOUT:.0f} s"
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    return error.strerror or str(error)


def probe(base_url: str) -> str | None:
    """Why nothing can connect to `base_url`'s host and port; None when something answers."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=PROBE_TIMEOUT):
            return None
    except OSError as error:
        return _reason(error)


def unreachable(base_url: str | None) -> str | None:
    """The remembered (or a fresh) probe of `base_url`; None for no explicit URL or behind a proxy."""
    if not base_url or _proxied():
        return None
    now = time.monotonic()
    with _lock:
        known = _results.get(base_url)
    if known is not None and now - known[0] < REMEMBER:
        return known[1]
    reason = probe(base_url)
    with _lock:
        _results[base_url] = (time.monotonic(), reason)
    return reason


def check_reachable(model: str, base_url: str | None) -> None:
    reason = unreachable(base_url)
    if reason is not None:
        raise ModelServerUnreachable(f"cannot reach the model server for {model} at {base_url}: {reason}")
