"""Documents and speaker turns, read from transcript files exactly as stored.

Every offset in this project indexes ``Document.text``: the file's bytes decoded
as UTF-8 with no newline translation.

    >>> from index.documents import read_corpus
    >>> docs = read_corpus("seeds")              # doctest: +SKIP
    >>> docs[0].turns[1].speaker                 # doctest: +SKIP
    'Deputy'
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from index.errors import SourceError

__all__ = [
    "SUFFIXES",
    "Document",
    "Turn",
    "decode_text",
    "iter_source_files",
    "max_file_bytes",
    "read_corpus",
    "read_document",
]

log = logging.getLogger(__name__)
SUFFIXES = (".txt", ".md")
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
    role: str  # "speech", "question", "answer", "statement" or "unknown"
    start: int
    end: int
    label_start: int
    exchange_id: int | None = None
    question_turn: int | None = None


@dataclass(frozen=True)
class Document:
    """A transcript: its exact text, where it came from and its speaker turns."""

    doc_id: str
    text: str
    path: str
    sha256: str
    title: str
    source: str | None = None
    body_start: int = 0
    turns: tuple[Turn, ...] = field(default=(), repr=False)

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


def iter_source_files(path: Path) -> Iterator[Path]:
    """The transcript files under ``path`` (``.txt``/``.md``, hidden folders skipped).

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
        if usable and item.suffix.lower() in SUFFIXES:
            yield item


def max_file_bytes() -> int:
    """The largest transcript file accepted, in bytes (``$QA_MAX_FILE_MB``, default 50)."""
    try:
        megabytes = float(os.environ.get("QA_MAX_FILE_MB", DEFAULT_MAX_FILE_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_FILE_MB
    return int(megabytes * 1024 * 1024)


def read_document(path: Path, doc_id: str) -> Document:
    """Read and parse one transcript file."""
    from index.parse import parse_document

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
    text = decode_text(data, str(path))
    if not text.strip():
        raise SourceError(f"{path}: the file is empty; nothing to index")
    digest = hashlib.sha256(data).hexdigest()
    return parse_document(doc_id=doc_id, text=text, path=str(path), sha256=digest)


def _doc_id(root: Path, file: Path) -> str:
    if root.is_file():
        return file.stem
    return file.relative_to(root).with_suffix("").as_posix()


def read_corpus(path: str | Path, *, strict: bool = False) -> list[Document]:
    """Read every transcript under ``path`` (a file or a folder).

    Files that cannot be used are reported in the log and skipped, so one bad
    file never stops the others; ``strict=True`` raises on the first instead.
    A corpus with nothing usable raises :class:`SourceError`.
    """
    root = Path(path)
    if not root.exists():
        raise SourceError(f"{root}: no such file or folder; give a transcript file or a folder")
    docs: list[Document] = []
    problems: list[str] = []
    for file in iter_source_files(root):
        try:
            docs.append(read_document(file, _doc_id(root, file)))
        except SourceError as exc:
            if strict or root.is_file():
                raise
            log.warning("skipped %s", exc)
            problems.append(str(exc))
    if not docs:
        detail = f" ({'; '.join(problems)})" if problems else ""
        raise SourceError(f"{root}: found no readable .txt or .md transcript to index{detail}")
    return docs
