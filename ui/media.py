"""The recording behind a timed transcript, in the chat: a player in the transcript panel,
and quote times that open the recording at their moment.

A recording is known by its URL (a ``Media:`` header, a JSON ``audio_url``) or as a
same-named file beside the transcript (``call.mp3`` beside ``call.srt``). A file is served
by Gradio's file route, and only the exact files found beside the corpus's transcripts are
allowed (:func:`media_files` is what ``ui.launch`` passes as ``allowed_paths``), never a
folder.

    >>> from index.documents import Document
    >>> doc = Document("d", "Hi", "", "", "d", media="https://x.org/a (1).mp3")
    >>> media_url(doc)
    'https://x.org/a%20%281%29.mp3'
    >>> player(doc)
    '<audio class="tqa-player" controls preload="metadata" src="https://x.org/a%20%281%29.mp3"></audio>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from index.documents import Document

__all__ = ["FILE_ROUTE", "clock", "media_files", "media_url", "player", "turn_time"]

FILE_ROUTE = "/gradio_api/file="  # Gradio's route for files it is allowed to serve
_VIDEO = (".mp4", ".m4v", ".webm", ".mkv", ".mov")
_SAFE = ":/?&=%.-_~+,;@!"


def clock(seconds: float) -> str:
    """m:ss (h:mm:ss past an hour).

    >>> clock(83.4), clock(3725)
    ('1:23', '1:02:05')
    """
    whole = int(seconds)
    hours, minutes, secs = whole // 3600, whole // 60 % 60, whole % 60
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def turn_time(doc: Document, start: int, end: int) -> str:
    """The time a stretch of the transcript starts, as HTML: a link that seeks the panel's
    player (or opens the recording) when there is one; "" for an untimed transcript."""
    begins, _ = doc.times(start, end) if doc.cues else (None, None)
    if begins is None:
        return ""
    url = media_url(doc)
    if url is None:
        return html.escape(clock(begins))
    return (f'<a class="tqa-seek" data-t="{begins:g}" href="{html.escape(url)}#t={int(begins)}" '
            f'target="_blank">{html.escape(clock(begins))}</a>')


def _local(doc: Document) -> Path | None:
    """The recording file beside the transcript, if the document names one that exists."""
    if not doc.media or re.match(r"https?://", doc.media, re.I) or not doc.path:
        return None
    path = (Path(doc.path).parent / doc.media).resolve()
    return path if path.is_file() else None


def media_url(doc: Document | None) -> str | None:
    """Where the browser finds the document's recording, or None."""
    if doc is None or not doc.media:
        return None
    if re.match(r"https?://", doc.media, re.I):
        return quote(doc.media, safe=_SAFE)
    local = _local(doc)
    return FILE_ROUTE + quote(str(local), safe="/") if local else None


def media_files(docs: Sequence[Document]) -> list[str]:
    """The recording files beside the transcripts, as exact paths Gradio may serve."""
    return sorted({str(p) for d in docs if (p := _local(d)) is not None})


def player(doc: Document) -> str:
    """An audio or video player for the document's recording ("" if it has none)."""
    url = media_url(doc)
    if url is None:
        return ""
    tag = "video" if (doc.media or "").lower().endswith(_VIDEO) else "audio"
    return (f'<{tag} class="tqa-player" controls preload="metadata" '
            f'src="{html.escape(url)}"></{tag}>')
