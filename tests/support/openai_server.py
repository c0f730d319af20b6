"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests and benchmarks.

Inspect's real `openai` provider talks to it through `model_base_url`, so the live path
(HTTP, JSON, tool calls, retries) is exercised without the internet or a key.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[dict[str, Any]], dict[str, Any]]


def tool_call_message(name: str, arguments: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}],
    }


def explore_then_answer(answer: str, calls: list[tuple[str, dict[str, Any]]]) -> Responder:
    """Make the scripted tool calls one per turn (counted from the request), then answer."""

    def respond(request: dict[str, Any]) -> dict[str, Any]:
        turn = sum(1 for message in request.get("messages", []) if message.get("role") == "assistant")
        if turn < len(calls):
            name, arguments = calls[turn]
            return tool_call_message(name, arguments, f"call_{turn}")
        return {"role": "assistant", "content": answer}

    return respond


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops the SYNs of 50 clients connecting at once,
    # and each dropped one waits a second to retry
    request_queue_size = 256


class ScriptedOpenAIServer:
    """`with ScriptedOpenAIServer(responder) as server:` then use `server.base_url`."""

    def __init__(self, responder: Responder, latency: float = 0.0):
        self.responder = responder
        self.latency = latency
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes; with Nagle on, the body waits for the
            # client's delayed ACK (~40 ms a response), a delay no real provider adds
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with server._lock:
                    server.requests.append(body)
                if server.latency:
                    time.sleep(server.latency)
                message = server.responder(body)
                payload = json.dumps(
                    {
                        "id": f"chatcmpl-{len(server.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "scripted"),
                        "choices": [
                            {
                                "index": 0,
                                "message": message,
                                "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "ScriptedOpenAIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
