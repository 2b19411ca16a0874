"""Adding a transcript to a loaded bot: checked, copied beside the index, indexed
incrementally, and searchable at once.

An uploaded file goes to the index's managed uploads folder (``<index>-uploads/``,
beside the index folder, never inside a package or the user's corpus), and
:func:`qa.load` reads that folder with the corpus, so it is still there after a
restart. The index is rebuilt incrementally (only the new document is parsed and
embedded) into a temporary folder that replaces the old one in one rename; a file
that cannot be read or indexed leaves the bot, the index and the folder as they were.

    >>> check_upload("notes.xlsx", 10)           # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    index.errors.InvalidInputError: notes.xlsx: a .xlsx file cannot be indexed; upload ...
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from index import documents
from index.documents import Document, max_file_bytes, read_document
from index.errors import InvalidInputError, SourceError

if TYPE_CHECKING:
    from qa.api import Bot

__all__ = ["UPLOAD_PREFIX", "add_transcript", "check_upload", "read_uploads", "supported_suffixes",
           "uploads_dir"]

UPLOAD_PREFIX = "uploads/"  # doc ids of uploaded transcripts
_UNSAFE = re.compile(r"[^\w.\- ]+")


def supported_suffixes() -> tuple[str, ...]:
    """The file suffixes the readers accept (the index's own table, so it grows with it)."""
    return tuple(s.lower() for s in documents.SUFFIXES)


def uploads_dir(index_dir: Path) -> Path:
    """The managed uploads folder of the index at ``index_dir``: beside it, not inside."""
    return index_dir.parent / f"{index_dir.name}-uploads"


def read_uploads(index_dir: Path) -> list[Document]:
    """The transcripts uploaded to the index at ``index_dir`` (none when there are none)."""
    folder = uploads_dir(index_dir)
    if not folder.is_dir():
        return []
    return [read_document(f, UPLOAD_PREFIX + f.stem) for f in documents.iter_source_files(folder)
            if not f.name.startswith(".")]


def _safe_name(name: str) -> str:
    base = _UNSAFE.sub("_", Path(name).name).strip(" .")
    if not base or base.startswith("."):
        raise InvalidInputError(f"{name!r} is not a usable file name; rename the file")
    return base


def check_upload(name: str, size: int) -> str:
    """The file name an upload is kept under, or :class:`InvalidInputError` saying why not."""
    safe = _safe_name(name)
    suffix = Path(safe).suffix.lower()
    allowed = supported_suffixes()
    if suffix not in allowed:
        kind = f"a {suffix} file" if suffix else "a file without a suffix"
        raise InvalidInputError(
            f"{name}: {kind} cannot be indexed; upload one of {', '.join(allowed)}")
    if size <= 0:
        raise InvalidInputError(f"{name}: the file is empty; nothing to index")
    if size > (limit := max_file_bytes()):
        raise InvalidInputError(f"{name}: {size / 2**20:.1f} MB is over the "
                                f"{limit / 2**20:.1f} MB limit for a transcript")
    return safe


def add_transcript(bot: Bot, source: str | Path, *,
                   name: str | None = None) -> tuple[Bot, Document]:
    """A bot that also answers from the transcript at ``source`` (kept as ``name``), and
    the new document. The same name again replaces that upload (an update)."""
    path = Path(source)
    if bot.index_dir is None or bot.reopen is None:
        raise InvalidInputError("this bot was not made by qa.load; it cannot take uploads")
    safe = check_upload(name or path.name, path.stat().st_size if path.is_file() else 0)
    doc_id = UPLOAD_PREFIX + Path(safe).stem
    try:
        read_document(path, doc_id)  # refuse what cannot be read before anything changes
    except SourceError as exc:
        raise InvalidInputError(str(exc).replace(str(path), name or path.name)) from None
    folder = uploads_dir(bot.index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target, backup = folder / safe, folder / f".{safe}.previous"
    if target.exists():
        os.replace(target, backup)
    temp = folder / f".{safe}.part"
    shutil.copyfile(path, temp)
    os.replace(temp, target)
    try:
        doc = read_document(target, doc_id)
        docs = [d for d in bot.documents if d.doc_id != doc_id] + [doc]
        new = bot.reopen(docs)
    except BaseException:
        target.unlink(missing_ok=True)
        if backup.exists():
            os.replace(backup, target)
        raise
    backup.unlink(missing_ok=True)
    return new, doc
