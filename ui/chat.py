"""The chat's behaviour, apart from its layout: answer the last question of a conversation,
progressively, and never let one failed request show a stack trace or stop the app.

    >>> import qa                                                 # doctest: +SKIP
    >>> service = ChatService(qa.load())                          # doctest: +SKIP
    >>> history = [user_message("Who will chair the new committee?")]   # doctest: +SKIP
    >>> *_, (final, transcript, passages) = service.respond(history, ALL_DOCS)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

import qa
from index.documents import Document
from qa.query import clean_question
from ui.limits import RateLimiter, client_key, rate_message
from ui.render import escape_text, stream_steps, unescape_text
from ui.stream import stream_reply
from ui.transcript import marks_in, render_documents, render_passages

__all__ = [
    "ALL_DOCS",
    "FRIENDLY_ERROR",
    "ChatService",
    "message_text",
    "user_message",
]

log = logging.getLogger("ui")
ALL_DOCS = "__all__"
FRIENDLY_ERROR = (
    "Sorry — something went wrong while answering this question. "
    "It has been logged; please try again, or ask it another way."
)
Outputs = tuple[list[dict[str, Any]], Any, Any]


def message_text(message: object) -> str:
    """The text of a chat message, whether its content is a string or Gradio 6's part list."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", "")) for part in content if isinstance(part, dict)
        )
    return ""


def user_message(question: str) -> dict[str, Any]:
    """A user turn for the chat history; the text is escaped so nothing in it is rendered."""
    return {"role": "user", "content": escape_text(question)}


def _assistant(text: str, **metadata: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if metadata:
        message["metadata"] = metadata
    return message


def _doc_list(doc_ids: object) -> list[str] | None:
    """``doc_ids`` from a web client as a list of ids (``None``: every document)."""
    if doc_ids is None or doc_ids == [] or doc_ids == "":
        return None
    if isinstance(doc_ids, str):
        return [doc_ids]
    if isinstance(doc_ids, list | tuple) and all(isinstance(d, str) for d in doc_ids):
        return list(doc_ids)
    raise qa.InvalidInputError("doc_ids must be a list of document ids (strings)")


def _usable(question: str) -> bool:
    try:
        clean_question(question)
    except qa.InvalidInputError:
        return False
    return True


def _role(message: object) -> str:
    return str(message.get("role", "")) if isinstance(message, dict) else ""


class ChatService:
    """Answers chat turns and ``/ask`` calls with one bot, one question at a time.

    Calls into the bot are serialised; checking questions, rendering and streaming run
    in parallel. With a ``limiter``, each client (see :func:`ui.limits.client_key`) may
    only ask so often; the others are served meanwhile.
    """

    def __init__(
        self, bot: qa.Bot, *, stream_delay: float = 0.03, limiter: RateLimiter | None = None
    ) -> None:
        self.bot = bot
        self.docs: list[Document] = list(bot.documents)
        self.stream_delay = stream_delay
        self.limiter = limiter
        self._lock = threading.Lock()

    def refusal(self, request: gr.Request | None) -> str | None:
        """The message for a client that asked too often (``None``: go ahead)."""
        if self.limiter is None or request is None:
            return None
        wait = self.limiter.wait_time(client_key(request))
        return rate_message(wait) if wait > 0 else None

    def doc_ids(self, choice: str | None) -> list[str] | None:
        """The ``doc_ids=`` for a dropdown choice (``None``: every document)."""
        if not choice or choice == ALL_DOCS:
            return None
        return [choice]

    def ask(
        self, question: str, *, history: Sequence[str] = (), doc_ids: list[str] | None = None,
        generate: bool = True,
    ) -> qa.Answer:
        """``bot.ask``, serialised; a bad question is refused before waiting for the bot.

        A model configured writes the answer (unless ``generate`` is false) outside the
        lock: others' questions are served while it writes.
        """
        clean_question(question)
        usable = [q for q in history if _usable(q)]  # refused questions give no context
        generator = getattr(self.bot, "generator", None)
        with self._lock:
            if generator is None:
                return self.bot.ask(question, history=usable, doc_ids=doc_ids)
            answer = self.bot.ask(question, history=usable, doc_ids=doc_ids, generate=False)
        return generator.answer(answer, usable) if generate else answer

    def ask_json(
        self, question: str, request: gr.Request | None = None, *,
        doc_ids: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """The ``/ask`` endpoint: the answer as ``Answer.to_dict()``, or a friendly error.

        ``doc_ids`` restricts the answer to those documents (``None`` or empty: all).
        """
        refused = self.refusal(request)
        if refused:
            raise gr.Error(refused, print_exception=False)
        try:
            return self.ask(question, doc_ids=_doc_list(doc_ids)).to_dict()
        except qa.InvalidInputError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception:
            log.exception("/ask failed for question %r", str(question)[:200])
            raise gr.Error(FRIENDLY_ERROR, print_exception=False) from None

    @staticmethod
    def questions(history: Sequence[object]) -> list[str]:
        """What the person asked so far, as typed."""
        return [unescape_text(message_text(m)) for m in history if _role(m) == "user"]

    def panel(self, history: Sequence[object], choice: str | None = None) -> str:
        """The transcript panel for a conversation: cited documents, newest first."""
        replies = [message_text(m) for m in history if _role(m) == "assistant"]
        marks = marks_in(replies, self.docs)
        shown = [m.doc_index for m in reversed(marks)]
        ids = self.doc_ids(choice)
        if not shown and ids:
            shown = [i for i, d in enumerate(self.docs) if d.doc_id in ids]
        return render_documents(self.docs, shown, marks)

    def _answer(self, history: list[dict[str, Any]], choice: str | None) -> qa.Answer | str:
        """The answer to the last question, or the message to show instead."""
        question = unescape_text(message_text(history[-1]))
        try:
            return self.ask(  # a model's answer is streamed by respond()
                question, history=self.questions(history[:-1]), doc_ids=self.doc_ids(choice),
                generate=False,
            )
        except qa.InvalidInputError as exc:
            text = str(exc)
            return f"**{escape_text(text[:1].upper() + text[1:])}**"
        except Exception:
            log.exception("answering %r failed", question[:200])
            return FRIENDLY_ERROR

    def respond(
        self,
        history: list[dict[str, Any]] | None,
        choice: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[Outputs]:
        """Answer the conversation's last (unanswered) question, yielding the chat as it grows.

        Yields ``(history, transcript_html, passages_html)``; the panels only change
        at the end (``gr.skip()`` before).
        """
        history = list(history or [])
        if not history or _role(history[-1]) != "user":
            yield history, gr.skip(), gr.skip()
            return
        working = _assistant(
            "Looking for the passages that answer it…",
            title="Searching the transcript",
            status="pending",
        )
        yield [*history, working], gr.skip(), gr.skip()
        result = self.refusal(request) or self._answer(history, choice)
        if isinstance(result, str):
            yield [*history, _assistant(result)], gr.skip(), gr.skip()
            return
        if getattr(self.bot, "generator", None) is not None:
            yield from stream_reply(self, history, result, choice)
            return
        yield from self._stream(history, result, choice)

    def _stream(
        self, history: list[dict[str, Any]], answer: qa.Answer, choice: str | None
    ) -> Iterator[Outputs]:
        try:
            steps = stream_steps(answer, self.docs)
            for step in steps[:-1]:
                yield [*history, _assistant(step)], gr.skip(), gr.skip()
                time.sleep(self.stream_delay)
            final = [*history, _assistant(steps[-1])]
            panel = self.panel(final, choice)
            passages = render_passages(answer.passages, self.docs)
        except Exception:
            log.exception("showing the answer to %r failed", answer.question[:200])
            yield [*history, _assistant(FRIENDLY_ERROR)], gr.skip(), gr.skip()
            return
        yield final, panel, passages
