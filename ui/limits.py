"""Limits that keep one client from starving the others: a cap on request bodies, a
per-client rate (a token bucket in front of every question) and a bound on the queue.

    >>> limits = Limits.from_env({"QA_RATE_LIMIT": "30/min", "QA_MAX_BODY": "256k"})
    >>> limits.rate, limits.max_body_bytes
    (Rate(requests=30, seconds=60.0), 262144)
    >>> bucket = RateLimiter(Rate(2, 60.0))
    >>> [bucket.allow("a"), bucket.allow("a"), bucket.allow("a"), bucket.allow("b")]
    [True, True, False, True]

Clients are told apart by address; on loopback (the app itself, or a reverse proxy on the
same machine) every request shares one address, so there the browser session counts.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BodyLimit",
    "Limits",
    "Rate",
    "RateLimiter",
    "client_key",
    "parse_rate",
    "parse_size",
    "rate_message",
]

_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0,
          "h": 3600.0, "hour": 3600.0}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/\s*([a-z]+?)s?)?\s*$", re.I)
_SIZE = re.compile(r"^\s*(\d+)\s*(b|k|kb|kib|m|mb|mib)?\s*$", re.I)
_LOOPBACK_HOSTS = ("127.", "::1", "localhost")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class Rate:
    """At most ``requests`` in any ``seconds`` (a burst of ``requests``, then a steady trickle)."""

    requests: int
    seconds: float


def parse_rate(text: str) -> Rate | None:
    """``"60/min"``, ``"2/s"``, ``"500/hour"`` (a bare number: per minute); ``"off"``: none.

    >>> parse_rate("2/s"), parse_rate("off")
    (Rate(requests=2, seconds=1.0), None)
    """
    if text.strip().lower() in ("off", "none", "0", "0/min", "0/s"):
        return None
    m = _RATE.match(text)
    unit = (m[2] or "min").lower() if m else ""
    if m is None or unit not in _UNITS or int(m[1]) < 1:
        raise ValueError(f"{text!r} is not a rate; write it like 60/min, 2/s or off")
    return Rate(int(m[1]), _UNITS[unit])


def parse_size(text: str) -> int:
    """A byte count: ``"1048576"``, ``"256k"``, ``"1mb"``.

    >>> parse_size("1mb"), parse_size("512")
    (1048576, 512)
    """
    m = _SIZE.match(text)
    if m is None or int(m[1]) < 1:
        raise ValueError(f"{text!r} is not a size; write it like 1mb, 256k or 65536")
    scale = {"k": 1024, "m": 1024 * 1024}.get((m[2] or "b")[0].lower(), 1)
    return int(m[1]) * scale


@dataclass(frozen=True)
class Limits:
    """What one client may ask of the server. The defaults suit a chat and a script alike."""

    rate: Rate | None = field(default_factory=lambda: Rate(60, 60.0))
    max_body_bytes: int = 1024 * 1024
    queue_size: int = 256

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        """Defaults, overridden by ``QA_RATE_LIMIT``, ``QA_MAX_BODY`` and ``QA_QUEUE_SIZE``."""
        base = cls()
        rate = env.get("QA_RATE_LIMIT")
        body = env.get("QA_MAX_BODY")
        queue = env.get("QA_QUEUE_SIZE")
        if queue is not None and not (queue.strip().isdigit() and int(queue) > 0):
            raise ValueError(f"QA_QUEUE_SIZE={queue!r} is not a positive whole number")
        return cls(
            rate=base.rate if rate is None else parse_rate(rate),
            max_body_bytes=base.max_body_bytes if body is None else parse_size(body),
            queue_size=base.queue_size if queue is None else int(queue),
        )


def rate_message(wait: float) -> str:
    """What a client that asked too often is told (no numbers that look like paths).

    >>> rate_message(2.2)
    'Too many questions in a short time: please wait about 3 seconds and ask again.'
    """
    seconds = max(1, math.ceil(wait))
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many questions in a short time: please wait about {seconds} {unit} and ask again."


class RateLimiter:
    """A token bucket per client key, safe to share between threads; remembers at most
    ``max_clients`` keys (the longest idle are forgotten, which only ever lets them ask)."""

    def __init__(self, rate: Rate, *, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_time(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if it may go ahead, else the seconds until it may."""
        per_second = self.rate.requests / self.rate.seconds
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.pop(key, (float(self.rate.requests), now))
            tokens = min(float(self.rate.requests), tokens + (now - then) * per_second)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / per_second
            self._buckets[key] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    def allow(self, key: str) -> bool:
        """Whether ``key`` may ask now (taking a token if so)."""
        return self.wait_time(key) == 0.0

    def __len__(self) -> int:
        return len(self._buckets)


def client_key(request: Any) -> str:
    """Who is asking: ``ip:<address>``, or on loopback ``session:<browser session>``.

    >>> from types import SimpleNamespace as NS
    >>> client_key(NS(client=NS(host="203.0.113.9"), session_hash="s1"))
    'ip:203.0.113.9'
    >>> client_key(NS(client=NS(host="127.0.0.1"), session_hash="s1"))
    'session:s1'
    """
    client = getattr(request, "client", None)
    host = str(getattr(client, "host", "") or "")
    if host and not host.startswith(_LOOPBACK_HOSTS):
        return f"ip:{host}"
    return f"session:{getattr(request, 'session_hash', None) or 'none'}"


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets a 413 before the app sees it.

    The body is read (and dropped past the limit, up to ``drain_bytes``) so the client
    gets a clean answer instead of a broken connection; memory stays at ``max_bytes``.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], *,
                 max_bytes: int, drain_bytes: int = 64 * 1024 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = drain_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.drain_bytes:
            await self._refuse(send)
            return
        kept: list[Message] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            size += len(message.get("body", b""))
            if size <= self.max_bytes:
                kept.append(message)
            elif size > self.drain_bytes:
                break
            if not message.get("more_body"):
                break
        if size > self.max_bytes:
            await self._refuse(send)
            return
        await self.app(scope, _replay(kept, receive), send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"error": f"The request is too large: keep it under "
                           f"{self.max_bytes:,} bytes (ask a shorter question)."}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _replay(kept: list[Message], receive: Receive) -> Receive:
    pending = list(kept)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
