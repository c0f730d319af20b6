"""A fault-injecting OpenAI-compatible server on 127.0.0.1: `ScriptedOpenAIServer` plus failures.

A seeded share of the calls fails, cycling through the kinds of failure a provider really
produces: 429 with `Retry-After`, 500, 529 "overloaded", a dropped connection, a response
that never comes (the client's timeout fires) and a 200 whose body is not JSON. The
others are answered by the scripted responder, exactly as `ScriptedOpenAIServer` does.
`server.faults` records every failure served, so a test can account for each one, and
`server.bearer_tokens` the API keys the client sent.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
from typing import Any

from tests.support.openai_server import Responder, ScriptedOpenAIServer

FAULT_KINDS = ("rate_limit", "server_error", "overloaded", "dropped", "timeout", "malformed_json")
_ERROR_RESPONSES = {
    "rate_limit": (429, "Too Many Requests", "rate_limit_exceeded", "Rate limit reached for requests"),
    "server_error": (500, "Internal Server Error", "server_error", "The server had an error processing your request"),
    "overloaded": (529, "Overloaded", "overloaded_error", "Overloaded"),
}


class FaultInjectingOpenAIServer(ScriptedOpenAIServer):
    """`with FaultInjectingOpenAIServer(responder, share=0.3) as server:` then `server.base_url`.

    Args:
        responder: Answers the calls that do not fail (see `ScriptedOpenAIServer`).
        share: Fraction of calls that fail, decided by a generator seeded with `seed`.
        kinds: Failures to serve, taken in turn so that each kind occurs.
        retry_after: Seconds announced in the 429's `Retry-After` header.
        latency: Seconds each answered call waits before answering.
        hang_seconds: How long a "timeout" call stays silent before the server gives up on it;
            set it above the client's timeout.
    """

    def __init__(
        self,
        responder: Responder,
        share: float = 0.3,
        kinds: tuple[str, ...] = FAULT_KINDS,
        seed: int = 7,
        retry_after: float = 0.1,
        hang_seconds: float = 5.0,
        latency: float = 0.0,
    ):
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown or not kinds:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        super().__init__(responder, latency=latency)
        self.share = share
        self.kinds = kinds
        self.retry_after = retry_after
        self.hang_seconds = hang_seconds
        self.faults: list[str] = []
        self.bearer_tokens: set[str] = set()
        self._random = random.Random(seed)
        self._stopping = threading.Event()
        server = self

        class FaultyHandler(self._httpd.RequestHandlerClass):  # type: ignore[name-defined,misc]
            def do_POST(self) -> None:
                server.bearer_tokens.add(self.headers.get("Authorization", "").removeprefix("Bearer "))
                kind = server._next_fault()
                if kind is None:
                    super().do_POST()
                    return
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server._serve_fault(self, kind)

        self._httpd.RequestHandlerClass = FaultyHandler
        # clients hang up on purpose here (timeouts, a killed run): not worth a traceback
        self._httpd.handle_error = lambda request, address: None

    def _next_fault(self) -> str | None:
        with self._lock:
            if self._random.random() >= self.share:
                return None
            kind = self.kinds[len(self.faults) % len(self.kinds)]
            self.faults.append(kind)
            return kind

    def _serve_fault(self, handler: Any, kind: str) -> None:
        handler.close_connection = True
        if kind in _ERROR_RESPONSES:
            status, reason, code, message = _ERROR_RESPONSES[kind]
            body = json.dumps({"error": {"message": message, "type": code, "code": code}}).encode()
            handler.send_response(status, reason)
            if kind == "rate_limit":
                handler.send_header("Retry-After", str(self.retry_after))
            self._send_body(handler, body)
        elif kind == "malformed_json":
            handler.send_response(200)
            self._send_body(handler, b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "mess')
        elif kind == "timeout":
            self._stopping.wait(self.hang_seconds)
            with contextlib.suppress(OSError):  # the client may have given up already
                handler.connection.shutdown(socket.SHUT_RDWR)
        else:  # dropped: close the socket with no status line at all
            handler.connection.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _send_body(handler: Any, body: bytes) -> None:
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()  # release hanging "timeout" calls so shutdown is quick
        super().__exit__(*exc)

    def fault_counts(self) -> dict[str, int]:
        return {kind: self.faults.count(kind) for kind in self.kinds if kind in self.faults}
