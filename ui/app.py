"""The Gradio app: a chat beside the transcript, and an ``/ask`` endpoint for programs.

    >>> import qa, ui
    >>> app = ui.build_app(qa.load())                         # doctest: +SKIP
    >>> launch(app, port=7860)                                # doctest: +SKIP

Nothing leaves the machine: analytics are off, no share link, no web fonts.
"""

from __future__ import annotations

import logging
import os
import re
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported, always

import gradio as gr
from starlette.middleware import Middleware

import qa
from index.documents import Document
from ui.chat import ALL_DOCS, ChatService, message_text, user_message
from ui.limits import BodyLimit, Limits, RateLimiter
from ui.media import media_files
from ui.render import unescape_text
from ui.stream import add_stop_button, backend_note
from ui.transcript import EMPTY_PASSAGES
from ui.upload import add_upload_controls, doc_choices, wire_uploads

__all__ = ["LOOPBACK", "build_app", "default_examples", "launch"]

log = logging.getLogger("ui")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_HERE = Path(__file__).resolve().parent
_GENERIC_EXAMPLES = ["What is this transcript about?", "Who speaks in it?"]
# a whole question sentence: one that starts a turn or follows another sentence's end
_QUESTION = re.compile(r"(?:(?<=\A)|(?<=[.?!]\s)|(?<=\n))[A-Z][^.?!\n]{10,90}\?")


def default_examples(docs: Sequence[Document]) -> list[str]:
    """Questions to start from: the corpus's own askers' questions, else an overview.

    A corpus's curated questions are given with ``qa serve --example`` instead.
    """
    found: list[str] = []
    for doc in docs[:20]:
        for turn in doc.turns:
            if turn.role == "question":
                found += _QUESTION.findall(doc.text[turn.start : turn.end])
    return list(dict.fromkeys(found))[:4] or list(_GENERIC_EXAMPLES)


def _intro(docs: Sequence[Document]) -> str:
    from ui.render import escape_text

    subject = (
        f"**{escape_text(docs[0].title or docs[0].doc_id)}**"
        if len(docs) == 1
        else f"**{len(docs)} transcripts**"
    )
    return (
        f"# Transcript QA\nAsk about {subject}. Every answer quotes the transcript word for "
        "word and says who spoke; click *show in transcript* to see the exact place. "
        "Follow-up questions (“And what about the budget?”) are read in context."
    )


def _accept(message: str, history: list[dict[str, Any]]) -> tuple[Any, Any]:
    if not (message or "").strip():
        return gr.skip(), gr.skip()
    return "", [*(history or []), user_message(message)]


def _accept_example(history: list[dict[str, Any]], event: gr.SelectData) -> Any:
    value = event.value
    text = value.get("text", "") if isinstance(value, dict) else str(value or "")
    return [*(history or []), user_message(text)] if text.strip() else gr.skip()


def _retry(history: list[dict[str, Any]], event: gr.RetryData) -> list[dict[str, Any]]:
    index = event.index if isinstance(event.index, int) else event.index[0]
    return list(history or [])[: index + 1]


def _undo(history: list[dict[str, Any]], event: gr.UndoData) -> tuple[Any, str]:
    index = event.index if isinstance(event.index, int) else event.index[0]
    history = list(history or [])
    return history[:index], unescape_text(message_text(history[index]))


def _api_endpoint(service: ChatService) -> None:
    def ask(
        question: str, request: gr.Request, doc_ids: list[str] | None = None
    ) -> dict[str, Any]:
        """Answer one question about the transcript(s), or only about ``doc_ids``.

        Returns the JSON of `qa ask --json`: question, text, abstained, confidence,
        citations (verbatim quotes with character offsets, each with its document's
        title and source) and passages.
        """
        return service.ask_json(question, request, doc_ids=doc_ids)

    ask.__annotations__ = typing.get_type_hints(ask)  # real types, for the API schema
    gr.api(ask, api_name="ask", concurrency_limit=4, concurrency_id="qa-api")


def _layout(service: ChatService, examples: Sequence[str]) -> dict[str, Any]:
    docs = service.docs
    gr.Markdown(_intro(docs) + backend_note(service.bot), elem_id="tqa-intro")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=360):
            choice = gr.Dropdown(
                doc_choices(service), value=ALL_DOCS, label="Ask about", visible=len(docs) > 1,
                filterable=True,
            )
            chat = gr.Chatbot(
                label="Conversation",
                show_label=False,  # a floating label sat over the messages on narrow screens
                elem_id="tqa-chat",
                height=640,
                buttons=["copy", "copy_all"],
                latex_delimiters=[],
                sanitize_html=True,
                allow_tags=False,
                placeholder="**Ask a question about the transcript**, or start from an example:",
                examples=[{"text": q} for q in examples],
            )
            box = gr.Textbox(
                placeholder="Ask about the transcript… (Enter to send)",
                show_label=False,
                elem_id="tqa-question",
                submit_btn="Ask",
                max_lines=4,
                max_length=2000,
                autofocus=True,
            )
            uploads = add_upload_controls()
        with gr.Column(scale=4, min_width=320):
            gr.Markdown("### Transcript", elem_id="tqa-transcript-head")
            transcript = gr.HTML(service.panel([]), elem_id="tqa-transcript-panel", js_on_load=None)
            with gr.Accordion("Retrieved passages and scores", open=False, elem_id="tqa-passages"):
                passages = gr.HTML(EMPTY_PASSAGES, js_on_load=None)
    return {"choice": choice, "chat": chat, "box": box, "transcript": transcript,
            "passages": passages, **uploads}


def _wire(service: ChatService, c: dict[str, Any]) -> None:
    chat, choice, box = c["chat"], c["choice"], c["box"]
    panels = [c["transcript"], c["passages"]]
    quiet: dict[str, Any] = {"queue": False, "api_visibility": "private"}
    answer: dict[str, Any] = {
        "fn": service.respond,
        "inputs": [chat, choice],
        "outputs": [chat, *panels],
        "api_visibility": "private",
        "concurrency_limit": 8,
        "concurrency_id": "qa-chat",
        "show_progress": "minimal",
        "show_progress_on": [chat],
    }
    reveal: dict[str, Any] = {
        "fn": None,
        "js": "() => { if (window.tqaShowLatest) window.tqaShowLatest(); }",
        "api_visibility": "private",
    }
    answering = [
        box.submit(_accept, [box, chat], [box, chat], **quiet).then(**answer),
        chat.example_select(_accept_example, [chat], [chat], **quiet).then(**answer),
        chat.retry(_retry, [chat], [chat], **quiet).then(**answer),
    ]
    for event in answering:
        event.then(**reveal)
    if getattr(service.bot, "generator", None) is not None:  # a model writes: it can be stopped
        add_stop_button(box, chat, answering)

    def refresh(history: list[dict[str, Any]], picked: str | None) -> tuple[str, str]:
        return service.panel(history or [], picked), EMPTY_PASSAGES

    chat.undo(_undo, [chat], [chat, box], **quiet).then(refresh, [chat, choice], panels, **quiet)
    chat.clear(refresh, [chat, choice], panels, **quiet)
    choice.change(refresh, [chat, choice], panels, **quiet)
    wire_uploads(service, c)


def build_app(
    bot: qa.Bot | ChatService,
    *,
    examples: Sequence[str] | None = None,
    title: str = "Transcript QA",
    limits: Limits | None = None,
) -> gr.Blocks:
    """The chat app for ``bot`` (not launched: see :func:`launch`).

    ``limits`` (default :class:`~ui.limits.Limits`) sets each client's rate and the
    queue's bound; a ``ChatService`` passed in keeps its own limiter.
    """
    limits = limits or Limits()
    if isinstance(bot, ChatService):
        service = bot
    else:
        limiter = RateLimiter(limits.rate) if limits.rate else None
        service = ChatService(bot, limiter=limiter)
    with gr.Blocks(title=title, analytics_enabled=False, fill_width=True) as app:
        parts = _layout(service, default_examples(service.docs) if examples is None else examples)
        _wire(service, parts)
        _api_endpoint(service)
    app.queue(default_concurrency_limit=4, max_size=limits.queue_size)
    setattr(app, _MEDIA, media_files(service.docs))  # read by launch: files it may serve
    return app


_MEDIA = "_tqa_media_files"


def _assets() -> dict[str, Any]:
    css = (_HERE / "app.css").read_text(encoding="utf-8")
    script = (_HERE / "app.js").read_text(encoding="utf-8")
    theme = gr.themes.Soft(primary_hue="indigo", secondary_hue="amber", neutral_hue="slate")
    return {"css": css, "head": f"<script>{script}</script>", "theme": theme}


def launch(
    app: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
    auth: Sequence[tuple[str, str]] | None = None,
    limits: Limits | None = None,
) -> gr.Blocks:
    """Serve ``app`` on ``host:port`` (loopback by default); never a public share link.

    ``auth`` lists the ``(user, password)`` pairs that may log in (none: no login);
    request bodies over ``limits.max_body_bytes`` are refused with a 413.
    With ``prevent_thread_lock=True`` it returns at once; stop it with ``app.close()``.
    """
    max_body = (limits or Limits()).max_body_bytes
    if host not in LOOPBACK:
        log.warning("serving on %s: anyone who can reach this address can %s", host,
                    "try to log in" if auth else "use the app")
    app.launch(
        auth=list(auth) if auth else None,
        auth_message="Log in to ask about the transcripts." if auth else None,
        max_file_size=max_body,
        app_kwargs={"middleware": [Middleware(BodyLimit, max_bytes=max_body)]},
        server_name=host,
        server_port=port,
        share=False,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        show_error=False,
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        enable_monitoring=False,
        footer_links=["api"],
        # exactly the recordings found beside the transcripts (players, quote times)
        allowed_paths=list(getattr(app, _MEDIA, [])),
        **_assets(),
    )
    return app
