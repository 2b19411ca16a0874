"""Readers of transcript formats, chosen once by a file's suffix.

    ===============  =========  ==================================================
    suffix           reader     what it reads
    ===============  =========  ==================================================
    .txt .md         text       plain "Name: text" transcripts (index.parse), or
                                timestamped text (index.readers.stamped)
    .srt             srt        SubRip captions (index.readers.captions)
    .vtt             vtt        WebVTT captions with ``<v Name>`` voices
    .json            json       speech-to-text ``segments``/``utterances``
    .docx .pdf       docx, pdf  Word and PDF files, their text read as .txt
    ===============  =========  ==================================================

A timed document's ``media`` is its "Media:" header or JSON ``audio_url``, else a
recording of the same name beside it (``talk.mp3`` for ``talk.srt``).

    >>> reader_name(Path("talk.vtt")), skip_reason(Path("photo.png"))
    ('vtt', '.png is not a transcript format (readable: .docx .json .md .pdf .srt .txt .vtt)')
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from index.documents import Document, decode_text
from index.errors import SourceError
from index.parse import parse_document
from index.readers.captions import srt_segments, vtt_segments
from index.readers.office import docx_text, pdf_text
from index.readers.segments import Segment, timed_document
from index.readers.stamped import read_stamped
from index.readers.stt_json import json_segments

__all__ = ["MEDIA_SUFFIXES", "READERS", "SUFFIX_READERS", "read_source", "reader_name",
           "skip_reason"]

Timed = tuple[list[Segment], str | None, str | None]  # segments, media URL, title
Reader = Callable[[bytes, str], "str | Timed"]

MEDIA_SUFFIXES = (".mp3", ".m4a", ".wav", ".ogg", ".oga", ".opus", ".flac", ".aac",
                  ".mp4", ".m4v", ".webm", ".mkv", ".mov")


def _text(data: bytes, name: str) -> str:
    return decode_text(data, name).removeprefix("\ufeff")


def _plain_or_stamped(text: str, name: str) -> str | Timed:
    return read_stamped(text, name) or text


READERS: dict[str, Reader] = {
    "text": lambda data, name: _plain_or_stamped(decode_text(data, name), name),
    "srt": lambda data, name: (srt_segments(_text(data, name), name), None, None),
    "vtt": lambda data, name: (vtt_segments(_text(data, name), name), None, None),
    "json": lambda data, name: (*json_segments(_text(data, name), name), None),
    "docx": lambda data, name: _plain_or_stamped(docx_text(data, name), name),
    "pdf": lambda data, name: _plain_or_stamped(pdf_text(data, name), name),
}
SUFFIX_READERS = {".txt": "text", ".md": "text", ".srt": "srt", ".vtt": "vtt",
                  ".json": "json", ".docx": "docx", ".pdf": "pdf"}


def _readable() -> str:
    return " ".join(sorted(SUFFIX_READERS))


def skip_reason(path: Path) -> str | None:
    """Why a folder's ``path`` is not read as a transcript, or None when it is."""
    suffix = path.suffix.lower()
    if suffix in SUFFIX_READERS:
        return None
    if suffix in MEDIA_SUFFIXES:
        return "a recording, not a transcript (a transcript of the same name links to it)"
    kind = suffix or "a file without a suffix"
    return f"{kind} is not a transcript format (readable: {_readable()})"


def reader_name(path: Path) -> str:
    """The reader of ``path``'s suffix; an unsupported one raises :class:`SourceError`."""
    if (reason := skip_reason(path)) is not None:
        raise SourceError(f"{path}: {reason}")
    return SUFFIX_READERS[path.suffix.lower()]


def _media_beside(path: Path) -> str | None:
    return next((path.with_suffix(s).name for s in MEDIA_SUFFIXES
                 if path.with_suffix(s).is_file()), None)


def read_source(reader: str, data: bytes, *, path: Path, doc_id: str, sha256: str) -> Document:
    """The :class:`Document` of a file's ``data``, read by ``READERS[reader]``."""
    read = READERS[reader](data, str(path))
    if isinstance(read, str):
        if not read.strip():
            raise SourceError(f"{path}: the file is empty; nothing to index")
        return parse_document(doc_id=doc_id, text=read, path=str(path), sha256=sha256)
    segments, media, title = read
    if not any(s.text for s in segments):
        raise SourceError(f"{path}: no cue or segment with any words; nothing to index")
    return timed_document(segments, doc_id=doc_id, path=str(path), sha256=sha256,
                          media=media or _media_beside(path), title=title)
