"""Documents and speaker turns, read from transcript files exactly as stored.

Every offset in this project indexes ``Document.text``: the file's bytes decoded
as UTF-8 with no newline translation.

    >>> from index.documents import read_corpus
    >>> docs = read_corpus("seeds")              # doctest: +SKIP
    >>> docs[0].turns[0].role                    # doctest: +SKIP
    'speech'
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath

from index.errors import SourceError

__all__ = [
    "SUFFIXES",
    "Cue",
    "Document",
    "Skipped",
    "Turn",
    "decode_text",
    "iter_source_files",
    "max_file_bytes",
    "read_corpus",
    "read_corpus_report",
    "read_document",
]

log = logging.getLogger(__name__)
# every suffix a reader exists for (index.readers.READERS); kept here for callers
SUFFIXES = (".txt", ".md", ".srt", ".vtt", ".json", ".docx", ".pdf")
# A transcript is text; anything far larger is a mistake (a dump, a log) that would
# stall indexing, so it is refused with a message instead. QA_MAX_FILE_MB overrides.
DEFAULT_MAX_FILE_MB = 50.0


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted stretch: ``doc.text[start:end]`` is what was said.

    ``label_start`` is where the speaker label ("Question:") begins; ``exchange_id``
    groups a question with the answer to it, and ``question_turn`` points an answer
    at the turn it answers.
    """

    doc_id: str
    index: int
    speaker: str
    role: str  # "speech", "question", "answer", "statement", "chair" or "unknown"
    start: int
    end: int
    label_start: int
    exchange_id: int | None = None
    question_turn: int | None = None


@dataclass(frozen=True)
class Cue:
    """A timed stretch of a document: ``doc.text[start:end]`` was said from ``start_time``
    to ``end_time`` (seconds from the start of the recording; ``end_time`` None if unknown).
    """

    start: int
    end: int
    start_time: float
    end_time: float | None = None


@dataclass(frozen=True)
class Document:
    """A transcript: its exact text, where it came from and its speaker turns.

    ``cues`` (in text order) give the times of a captioned or speech-to-text source;
    ``media`` is the recording's URL or file name when known.
    """

    doc_id: str
    text: str
    path: str
    sha256: str
    title: str
    source: str | None = None
    body_start: int = 0
    turns: tuple[Turn, ...] = field(default=(), repr=False)
    cues: tuple[Cue, ...] = field(default=(), repr=False)
    media: str | None = None
    # the front matter's (key, value) pairs: title, speaker, date, speakers …
    metadata: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @cached_property
    def _cue_ends(self) -> list[int]:
        return [c.end for c in self.cues]

    def times(self, start: int, end: int) -> tuple[float | None, float | None]:
        """When ``text[start:end]`` was said: its first cue's start, its last cue's end.

        >>> doc = Document(doc_id="d", text="A: one two", path="", sha256="", title="d",
        ...                cues=(Cue(3, 6, 1.0, 2.0), Cue(7, 10, 2.5, 4.0)))
        >>> doc.times(3, 10), doc.times(7, 10), Document("e", "x", "", "", "e").times(0, 1)
        ((1.0, 4.0), (2.5, 4.0), (None, None))
        """
        if not self.cues:
            return None, None
        first = min(bisect.bisect_right(self._cue_ends, start), len(self.cues) - 1)
        last = max(min(bisect.bisect_left(self._cue_ends, end), len(self.cues) - 1), first)
        while last > first and self.cues[last].start >= end:
            last -= 1
        return self.cues[first].start_time, self.cues[last].end_time

    @property
    def origin(self) -> str:
        """Where the transcript came from: its scraped "Source:" header, else its file's
        name within the corpus (never the server's full path, which citations would show).

        >>> Document(doc_id="2024/d", text="", path="/srv/qa/talks/2024/d.txt", sha256="",
        ...          title="D").origin
        '2024/d.txt'
        """
        return self.source or f"{self.doc_id}{PurePath(self.path).suffix}"

    def turn_at(self, offset: int) -> Turn | None:
        """The turn whose span (label included) holds ``offset``, if any."""
        for turn in self.turns:
            if turn.label_start <= offset < max(turn.end, turn.label_start + 1):
                return turn
        return None


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 bytes exactly, or raise a :class:`SourceError` naming the file."""
    if b"\x00" in data[:8192]:
        raise SourceError(f"{name}: looks like a binary file (NUL bytes); give a UTF-8 text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{name}: not UTF-8 (byte {exc.start}); re-save it as UTF-8 text"
        ) from exc


def iter_source_files(path: Path, *, every: bool = False) -> Iterator[Path]:
    """The transcript files under ``path`` (suffixes in :data:`SUFFIXES`; ``every``: any
    file, so a folder's reader can say why it skips one), hidden folders skipped.

    Broken links are yielded too, so that reading them reports the problem.
    """
    if path.is_file():
        yield path
        return
    for item in sorted(path.rglob("*")):
        rel = item.relative_to(path)
        if any(part.startswith(".") for part in rel.parts):
            continue
        usable = item.is_file() or (item.is_symlink() and not item.exists())
        if usable and (every or item.suffix.lower() in SUFFIXES):
            yield item


def max_file_bytes() -> int:
    """The largest transcript file accepted, in bytes (``$QA_MAX_FILE_MB``, default 50)."""
    try:
        megabytes = float(os.environ.get("QA_MAX_FILE_MB", DEFAULT_MAX_FILE_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_FILE_MB
    return int(megabytes * 1024 * 1024)


def read_document(path: Path, doc_id: str) -> Document:
    """Read and parse one transcript file, by the reader of its suffix (index.readers)."""
    from index.readers import read_source

    reader = _reader(path)
    try:
        size = path.stat().st_size
        if size > max_file_bytes():
            raise SourceError(
                f"{path}: {size / 2**20:.1f} MB is too large for a transcript (limit "
                f"{max_file_bytes() / 2**20:.1f} MB; set QA_MAX_FILE_MB to raise it)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if not data.strip():
        raise SourceError(f"{path}: the file is empty; nothing to index")
    digest = hashlib.sha256(data).hexdigest()
    return read_source(reader, data, path=path, doc_id=doc_id, sha256=digest)


def _reader(path: Path) -> str:
    from index.readers import reader_name

    return reader_name(path)


def _doc_id(root: Path, file: Path) -> str:
    if root.is_file():
        return file.stem
    return file.relative_to(root).with_suffix("").as_posix()


@dataclass(frozen=True)
class Skipped:
    """A file of a folder that was not indexed, and why (for people: ``str()``)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _reason(message: str, name: str) -> str:
    """A file's error without its name: "line 3: …" where it names a line."""
    rest = message.removeprefix(name)
    line, colon, after = rest.removeprefix(":").partition(":")
    if rest.startswith(":") and colon and line.isdigit():
        return f"line {line}:{after}"
    return rest.removeprefix(":").strip()


def read_corpus(path: str | Path, *, strict: bool = False) -> list[Document]:
    """Read every transcript under ``path`` (a file or a folder).

    Files that cannot be used are reported in the log and skipped, so one bad
    file never stops the others; ``strict=True`` raises on the first instead.
    A corpus with nothing usable raises :class:`SourceError`.
    """
    return read_corpus_report(path, strict=strict)[0]


def read_corpus_report(
    path: str | Path, *, strict: bool = False
) -> tuple[list[Document], tuple[Skipped, ...]]:
    """:func:`read_corpus`, and the files skipped with the reason for each."""
    from index.readers import skip_reason

    root = Path(path)
    if not root.exists():
        raise SourceError(f"{root}: no such file or folder; give a transcript file or a folder")
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for file in iter_source_files(root, every=True):
        if not root.is_file() and (reason := skip_reason(file)) is not None:
            skipped.append(Skipped(str(file), reason))
            continue
        try:
            docs.append(read_document(file, _doc_id(root, file)))
        except SourceError as exc:
            if strict or root.is_file():
                raise
            log.warning("skipped %s", exc)
            skipped.append(Skipped(str(file), _reason(str(exc), str(file))))
    if not docs:
        detail = f" ({'; '.join(map(str, skipped))})" if skipped else ""
        raise SourceError(f"{root}: found no readable transcript to index{detail}")
    return docs, tuple(skipped)
