"""The client for the user's own model: OpenAI Chat Completions, in bounded time.

Any OpenAI-compatible server works (llama.cpp's, Ollama, vLLM, LM Studio, a hosted
API). Every call ends within ``timeout`` seconds, whatever the server does; a server
that is down, answers 4xx/5xx, sends something unreadable or is too slow raises
:class:`LLMError`, whose ``reason`` is a few words for a person.

    >>> cfg = LLMConfig.resolve(env={"QA_LLM_URL": "http://127.0.0.1:8080", "QA_LLM_MODEL": "m"})
    >>> cfg.base_url, cfg.model, cfg.timeout, cfg.label
    ('http://127.0.0.1:8080/v1', 'm', 30.0, 'm (127.0.0.1:8080)')
    >>> LLMConfig.resolve(env={}) is None            # no URL: no model, the extractive answerer
    True
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from index.errors import InvalidInputError, QAError

__all__ = ["DEFAULT_TIMEOUT", "LLMClient", "LLMConfig", "LLMError", "Message"]

DEFAULT_TIMEOUT = 30.0
_MAX_TIMEOUT = 600.0
Message = dict[str, str]
_DONE = object()


class LLMError(QAError):
    """The model gave no usable answer; ``reason`` says why, e.g. ``"timed out after 30 s"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _base_url(url: str) -> str:
    """``url`` checked, with ``/v1`` added when it names only the server."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            f"--llm-url {url!r} is not an http(s) address; use e.g. http://127.0.0.1:8080/v1"
        )
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _timeout(value: object) -> float:
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= _MAX_TIMEOUT:
        raise InvalidInputError(
            f"the model timeout must be a number of seconds above 0 and at most {_MAX_TIMEOUT:g}"
            f" (got {value!r}); set --llm-timeout or QA_LLM_TIMEOUT"
        )
    return seconds


@dataclass(frozen=True)
class LLMConfig:
    """Where the model is and how long it may take (``timeout``: the whole answer's bound).

    An empty ``model`` is the first one the server lists.
    """

    base_url: str
    model: str = ""
    api_key: str = field(default="", repr=False)
    timeout: float = DEFAULT_TIMEOUT
    max_tokens: int = 512

    @classmethod
    def resolve(
        cls,
        url: str | None = None,
        model: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> LLMConfig | None:
        """The options given, else ``QA_LLM_URL``/``_MODEL``/``_API_KEY``/``_TIMEOUT`` from
        ``env``; ``None`` when there is no URL (answers stay extractive)."""
        env = env if env is not None else {}
        url = url or env.get("QA_LLM_URL") or None
        if url is None:
            return None
        return cls(
            base_url=_base_url(url),
            model=(model or env.get("QA_LLM_MODEL") or "").strip(),
            api_key=api_key or env.get("QA_LLM_API_KEY") or "",
            timeout=_timeout(timeout or env.get("QA_LLM_TIMEOUT") or DEFAULT_TIMEOUT),
        )

    @property
    def host(self) -> str:
        """The server's ``host:port``, never its credentials."""
        parts = urlsplit(self.base_url)
        return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)

    @property
    def label(self) -> str:
        """Which model answered, for people: ``"name (host:port)"``."""
        return f"{self.model or 'the model'} ({self.host})"


def _reason(exc: BaseException, timeout: float) -> str:
    """A few words on why a call failed (the openai package's errors, or anything else)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, openai.APIConnectionError):
        return "could not be reached"
    if isinstance(exc, openai.APIStatusError):
        return f"answered HTTP {exc.status_code}"
    if isinstance(exc, openai.APIResponseValidationError | ValueError | KeyError | TypeError):
        return "sent a reply that is not a chat completion (invalid JSON)"
    return f"failed ({type(exc).__name__})"


def _choice_text(reply: Any, *, delta: bool) -> str:
    """The text of a completion (or a streamed chunk); a reply of another shape is invalid."""
    choices = getattr(reply, "choices", None)
    if not isinstance(choices, list):
        raise ValueError("no choices")
    if not choices:
        return ""
    part = getattr(choices[0], "delta" if delta else "message", None)
    text = getattr(part, "content", None)
    return text if isinstance(text, str) else ""


class LLMClient:
    """Chat completions from one server; every call bounded by ``config.timeout``.

        >>> client = LLMClient(LLMConfig("http://127.0.0.1:8080/v1", "m"))   # doctest: +SKIP
        >>> client.complete([{"role": "user", "content": "Hi"}])            # doctest: +SKIP
        'Hello!'
    """

    def __init__(self, config: LLMConfig) -> None:
        import openai

        self.config = config
        t = config.timeout
        self._openai = openai.OpenAI(
            base_url=config.base_url,
            api_key=config.api_key or "not-needed",
            timeout=openai.Timeout(t, connect=min(5.0, t)),
            max_retries=0,  # a retry would double the time a person waits for the fallback
        )
        self._model = config.model

    @property
    def label(self) -> str:
        """Which model answers, with the name the server gave when none was configured."""
        return f"{self._model or 'the model'} ({self.config.host})"

    def complete(self, messages: Sequence[Message]) -> str:
        """The whole reply to ``messages`` (raises :class:`LLMError`)."""
        return "".join(self._bounded(messages, streaming=False))

    def stream(self, messages: Sequence[Message]) -> Generator[str]:
        """The reply to ``messages`` piece by piece, as the server streams it (SSE).

        Closing the iterator (a person pressed stop) closes the connection, so the
        server stops writing too.
        """
        return self._bounded(messages, streaming=True)

    def _model_name(self) -> str:
        if not self._model:  # the server's first model; llama.cpp and Ollama list theirs
            models = self._openai.models.list().data
            if not models:
                raise ValueError("the server lists no model; set --llm-model")
            self._model = str(models[0].id)
        return self._model

    def _request(self, messages: Sequence[Message], streaming: bool) -> Any:
        return self._openai.chat.completions.create(
            model=self._model_name(), messages=list(messages),  # type: ignore[arg-type]
            stream=streaming, temperature=0.0, max_tokens=self.config.max_tokens,
        )

    def _produce(
        self, messages: Sequence[Message], streaming: bool, out: queue.Queue[Any],
        cancel: threading.Event, live: list[Any],
    ) -> None:
        """Runs in a worker thread: puts text pieces, then ``_DONE`` or an :class:`LLMError`."""
        try:
            reply = self._request(messages, streaming)
            if not streaming:
                out.put(_choice_text(reply, delta=False))
            else:
                live.append(reply)
                events = 0
                for chunk in reply:
                    events += 1
                    if cancel.is_set():
                        break
                    out.put(_choice_text(chunk, delta=True))
                if not events:  # a body with no event in it (HTML, plain JSON) is no stream
                    raise ValueError("no chat completion events")
            out.put(_DONE)
        except Exception as exc:  # whatever went wrong, the waiting side gets a reason
            out.put(LLMError(_reason(exc, self.config.timeout)))

    def _bounded(self, messages: Sequence[Message], *, streaming: bool) -> Generator[str]:
        # The call runs in a thread so that the deadline holds even while the server
        # trickles bytes (the HTTP timeouts bound each read, not the whole reply).
        out: queue.Queue[Any] = queue.Queue()
        cancel, live = threading.Event(), list[Any]()  # live: the open stream, to close
        worker = threading.Thread(
            target=self._produce, args=(messages, streaming, out, cancel, live),
            name="qa-llm", daemon=True,
        )
        deadline = time.monotonic() + self.config.timeout
        worker.start()
        try:
            while True:
                left = deadline - time.monotonic()
                try:
                    item = out.get(timeout=max(left, 0.0)) if left > 0 else out.get_nowait()
                except queue.Empty:
                    raise LLMError(f"timed out after {self.config.timeout:g} s") from None
                if item is _DONE:
                    return
                if isinstance(item, LLMError):
                    raise item
                if item:
                    yield item
        finally:
            cancel.set()
            _close(live)


def _close(live: list[Any]) -> None:
    """Close a stream still open (stopped or timed out), so the server stops writing."""
    for stream in live:
        with contextlib.suppress(Exception):  # a connection that is already failing
            stream.close()
