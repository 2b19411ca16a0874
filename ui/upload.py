"""Adding a transcript from the browser: a file button and a drop zone beside the
question box, a type and size check with a clear message, a progress bar while it is
indexed, and the new transcript searchable at once (no restart).

The file is checked and indexed by :func:`qa.upload.add_transcript` (incremental, atomic,
kept beside the index); the chat's bot is swapped only when that succeeded, so a refused
or failed upload loses nothing: the conversation and the old transcripts stay as they were.

    >>> accepted_types()[:1]
    ['.txt']
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import gradio as gr

import qa
from index.documents import max_file_bytes
from qa.upload import add_transcript, check_upload, supported_suffixes
from ui.chat import ALL_DOCS, ChatService
from ui.render import escape_text

__all__ = ["accepted_types", "add_upload_controls", "doc_choices", "upload_file"]

log = logging.getLogger("ui")
_UPLOADING = threading.Lock()  # one index update at a time; questions go on meanwhile


def accepted_types() -> list[str]:
    """The suffixes the file chooser offers: those the readers accept."""
    return list(supported_suffixes())


def doc_choices(service: ChatService) -> list[tuple[str, str]]:
    """The "Ask about" dropdown's choices for the service's documents."""
    return [("All transcripts", ALL_DOCS)] + [
        (f"{d.title or d.doc_id} ({d.doc_id})", d.doc_id) for d in service.docs
    ]


def _name_of(file: Any) -> tuple[Path, str]:
    """The uploaded file's path on the server and the name the person gave it."""
    path = Path(file if isinstance(file, str) else getattr(file, "name", "") or "")
    original = getattr(file, "orig_name", None) or path.name
    return path, str(original)


def upload_file(service: ChatService, file: Any, progress: Any = None) -> tuple[str, str | None]:
    """Index ``file`` into ``service``'s bot: the message to show, and the new doc id
    (``None`` when it was refused or failed; nothing changed then)."""
    if not file:
        return "", None
    path, name = _name_of(file)
    step = progress or (lambda *_a, **_k: None)
    try:
        step(0.05, desc=f"Checking {name}…")
        check_upload(name, path.stat().st_size if path.is_file() else 0)
        if not _UPLOADING.acquire(blocking=False):
            return "**Another transcript is being added; try again in a moment.**", None
        try:
            step(0.2, desc=f"Indexing {name} (only the new transcript is read and embedded)…")
            bot, doc = add_transcript(service.bot, path, name=name)
            step(0.95, desc="Ready")
            with service._lock:  # swap between questions, never during one
                service.bot, service.docs = bot, list(bot.documents)
        finally:
            _UPLOADING.release()
    except qa.InvalidInputError as exc:
        return f"**Not added:** {escape_text(str(exc))}", None
    except qa.QAError as exc:
        log.warning("upload of %r failed: %s", name, exc)
        return f"**Not added:** {escape_text(str(exc))}", None
    except Exception:
        log.exception("upload of %r failed", name)
        return "**Not added:** something went wrong while indexing it; it has been logged.", None
    turns = len(doc.turns)
    return (f"**Added “{escape_text(doc.title or doc.doc_id)}”** ({turns} speaker turns): "
            "ask about it now; choose it in “Ask about” to ask only about it."), doc.doc_id


def add_upload_controls() -> dict[str, Any]:
    """The upload button, drop zone and status line (inside the chat column)."""
    types = accepted_types()
    with gr.Row(elem_id="tqa-upload-row"):
        button = gr.UploadButton("Add a transcript", file_types=types, file_count="single",
                                 size="sm", elem_id="tqa-upload", scale=0, min_width=160)
        # no floating label: on a phone it covered the zone's own "Drop File Here" text
        drop = gr.File(label=f"Drop a transcript here ({', '.join(types)})", show_label=False,
                       file_types=types, file_count="single", height=110, elem_id="tqa-drop")
    status = gr.Markdown(f"Accepted: {', '.join(types)}, up to {max_file_bytes() / 2**20:g} MB.",
                         elem_id="tqa-upload-status")
    return {"upload": button, "drop": drop, "upload_status": status}


def wire_uploads(service: ChatService, c: dict[str, Any]) -> None:
    """Both controls index the file, then refresh the dropdown and the transcript panel."""

    def handle(file: Any, history: list[dict[str, Any]] | None,
               progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        message, doc_id = upload_file(service, file, progress)
        if doc_id is None:
            return message, gr.skip(), gr.skip(), None
        shown = [i for i, d in enumerate(service.docs) if d.doc_id == doc_id]
        from ui.transcript import render_documents

        panel = render_documents(service.docs, shown, [])
        pick = gr.update(choices=doc_choices(service), visible=True)
        return message, pick, panel, None

    outputs = [c["upload_status"], c["choice"], c["transcript"], c["drop"]]
    common: dict[str, Any] = {"api_visibility": "private", "concurrency_limit": 1,
                              "concurrency_id": "qa-upload", "show_progress": "full",
                              "show_progress_on": [c["upload_status"]]}
    c["upload"].upload(handle, [c["upload"], c["chat"]], outputs, **common)
    c["drop"].upload(handle, [c["drop"], c["chat"]], outputs, **common)
