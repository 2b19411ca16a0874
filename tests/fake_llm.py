"""A real OpenAI-compatible HTTP server on 127.0.0.1, in a thread, scripted per test.

It answers ``POST /v1/chat/completions`` plainly or as server-sent events (as the
request's ``stream`` asks) and ``GET /v1/models``; ``reply`` decides what it says, from
the request body: text, an HTTP error, a body that is not JSON, or silence for a while.
Every request body is kept in ``requests``.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeLLM", "Reply", "evidence_of", "fake_llm", "refused_url"]

MODEL = "fake-model"


@dataclass(frozen=True)
class Reply:
    """What the fake server does with one request."""

    text: str = ""
    status: int = 200
    body: bytes | None = None  # sent as is, instead of a completion (e.g. not JSON)
    delay: float = 0.0  # seconds of silence before the response starts
    chunk_delay: float = 0.0  # seconds between streamed pieces
    chunk_size: int = 3  # characters a streamed piece


def evidence_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence lines the project sent in a request, parsed back from JSON."""
    user = body["messages"][-1]["content"]
    block = re.search(r"<evidence>\n(.*?)\n?</evidence>", user, re.S)
    return [json.loads(line) for line in block.group(1).splitlines()] if block else []


class FakeLLM:
    """The server's state: the script and what it was sent."""

    def __init__(self) -> None:
        self.reply: Callable[[dict[str, Any]], Reply] = lambda body: Reply("Hello [1].")
        self.requests: list[dict[str, Any]] = []
        self.disconnects = 0  # streams the client closed before the end
        self.stopping = threading.Event()
        self.url = ""

    def say(self, reply: Reply | Callable[[dict[str, Any]], Reply]) -> None:
        """Answer every request from now on with ``reply`` (or what it computes)."""
        self.reply = reply if callable(reply) else (lambda body: reply)

    def wait(self, seconds: float) -> None:
        self.stopping.wait(seconds)


def _chunk(piece: dict[str, Any], finish: str | None = None) -> bytes:
    data = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": MODEL,
            "choices": [{"index": 0, "delta": piece, "finish_reason": finish}]}
    return f"data: {json.dumps(data)}\n\n".encode()


def _completion(text: str) -> bytes:
    return json.dumps({
        "id": "c1", "object": "chat.completion", "created": 0, "model": MODEL,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }).encode()


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:  # the client gave up first (it timed out)
                fake.disconnects += 1

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send(200, json.dumps({"object": "list", "data": [
                    {"id": MODEL, "object": "model", "created": 0, "owned_by": "test"}]}).encode())
            else:
                self._send(404, b'{"error": {"message": "not found"}}')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append(body)
            reply = fake.reply(body)
            fake.wait(reply.delay)
            if reply.status != 200:
                self._send(reply.status, b'{"error": {"message": "scripted failure"}}')
            elif reply.body is not None:
                self._send(200, reply.body)
            elif body.get("stream"):
                self._stream(reply)
            else:
                self._send(200, _completion(reply.text))

        def _stream(self, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            text, size = reply.text, max(1, reply.chunk_size)
            try:
                self.wfile.write(_chunk({"role": "assistant", "content": ""}))
                for i in range(0, len(text), size):
                    fake.wait(reply.chunk_delay)
                    self.wfile.write(_chunk({"content": text[i : i + size]}))
                    self.wfile.flush()
                self.wfile.write(_chunk({}, "stop") + b"data: [DONE]\n\n")
                self.wfile.flush()
            except OSError:  # the client went away: it stopped the answer, or timed out
                fake.disconnects += 1
            self.close_connection = True

    return Handler


@contextmanager
def fake_llm() -> Iterator[FakeLLM]:
    """A running fake server; ``fake.url`` is its ``/v1`` base address."""
    fake = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.stopping.set()  # ends scripted silences at once
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def refused_url() -> str:
    """The address of a port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    time.sleep(0.01)
    return f"http://127.0.0.1:{port}/v1"
