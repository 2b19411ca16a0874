"""Generated answers in the chat: the model's words stream in, checked as they arrive, a stop
button ends them, and the final message shows only verified quotes and says who answered.

    >>> import qa, ui                                             # doctest: +SKIP
    >>> bot = qa.load(llm_url="http://127.0.0.1:8080/v1")          # doctest: +SKIP
    >>> app = ui.build_app(bot)  # streams, with a stop button  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import gradio as gr

import qa
from index.documents import Document
from ui.render import (
    anchor_id,
    describe_turn,
    escape_text,
    format_answer,
    format_quote,
    quote_time,
)
from ui.transcript import render_passages

if TYPE_CHECKING:
    from ui.chat import ChatService

__all__ = [
    "STOPPED",
    "add_stop_button",
    "backend_note",
    "format_reply",
    "mark_stopped",
    "stream_reply",
]

Outputs = tuple[list[dict[str, Any]], Any, Any]
STOPPED = "Stopped: the answer above is unfinished; its quotes were checked."
# seconds between updates of an answer being written: each one re-draws the message
REDRAW_EVERY = 0.1
_WRITING = "is writing · quotes are checked as they arrive"


def _note(text: str) -> str:
    return f"<sub>{escape_text(text)}</sub>"


def backend_note(bot: qa.Bot) -> str:
    """A line for the page's introduction saying which model writes the answers ("" none)."""
    generator = getattr(bot, "generator", None)
    if generator is None:
        return ""
    return (f" Answers are written by **{escape_text(generator.label)}** from the closest "
            "passages; every quote in them is checked against the transcript, and when the "
            "model fails you get the extractive answer.")


def _numbered(docs: Sequence[Document], k: int, c: qa.Citation) -> str:
    """Quote ``[k]`` of a generated answer: its words, who said them, where."""
    index = next((i for i, d in enumerate(docs) if d.doc_id == c.doc_id), 0)
    who = describe_turn(docs[index], c.turn, c.speaker) if docs else c.speaker
    when = quote_time(c, docs[index] if docs else None)
    return format_quote(c.quote, f"[{k}] {who}", anchor_id(index, c.start, c.end), when)


def format_reply(answer: qa.Answer, docs: Sequence[Document]) -> str:
    """The chat reply when a model is configured: a generated answer's text (escaped: no
    markup of the model's runs) and its numbered quotes, or the extractive answer with the
    notice saying why; last, what answered."""
    if answer.generated and not answer.abstained:
        parts = [escape_text(answer.text)]
        parts += [_numbered(docs, k, c) for k, c in enumerate(answer.citations, 1)]
    else:
        parts = [format_answer(answer, docs)]
    if answer.notice:
        parts.append(_note(answer.notice))
    parts.append(_note(
        f"Written by {answer.backend}; every quote checked against the transcript."
        if answer.generated else "Answered by the extractive answerer (quotes picked from "
        "the transcript)."
    ))
    return "\n\n".join(parts)


def _message(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def stream_reply(
    service: ChatService,
    history: list[dict[str, Any]],
    extractive: qa.Answer,
    choice: str | None,
) -> Iterator[Outputs]:
    """The chat as the model writes the answer to the last question, then the final reply
    with the transcript panel and passages. Closing it (the stop button) stops the model."""
    generator = service.bot.generator
    assert generator is not None, "stream_reply needs a bot with a model"
    head = _note(f"{generator.label} {_WRITING}")
    events = generator.stream(extractive, service.questions(history[:-1]), every=REDRAW_EVERY)
    final, shown = extractive, ""
    try:
        for event in events:
            if isinstance(event, qa.Answer):
                final = event
            elif event != shown:
                shown = event
                yield [*history, _message(f"{head}\n\n{escape_text(event)}")], gr.skip(), \
                    gr.skip()
    finally:
        events.close()
    reply = [*history, _message(format_reply(final, service.docs))]
    yield reply, service.panel(reply, choice), render_passages(final.passages, service.docs)


def mark_stopped(history: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """After stop: the unfinished answer says it is unfinished, and no longer "is writing"."""
    history = list(history or [])
    last = history[-1] if history else None
    if isinstance(last, dict) and last.get("role") == "assistant":
        content = str(last.get("content", ""))
        if _WRITING in content:
            body = content.split("\n\n", 1)[1] if "\n\n" in content else ""
            history[-1] = _message(f"{body}\n\n{_note(STOPPED)}".strip())
    return history


def add_stop_button(box: gr.Textbox, chat: gr.Chatbot, answering: Sequence[Any]) -> None:
    """While an answer is written, the question box's button stops it (cancels
    ``answering``, the events that answer)."""
    quiet: dict[str, Any] = {"queue": False, "api_visibility": "private"}

    def writing() -> gr.Textbox:
        return gr.Textbox(submit_btn=False, stop_btn="Stop")

    def idle() -> gr.Textbox:
        return gr.Textbox(submit_btn="Ask", stop_btn=False)

    for event in answering:
        event.then(idle, None, [box], **quiet)
    for trigger in (box.submit, chat.example_select, chat.retry):
        trigger(writing, None, [box], **quiet)
    box.stop(None, None, None, cancels=list(answering), **quiet).then(
        mark_stopped, [chat], [chat], **quiet).then(idle, None, [box], **quiet)
