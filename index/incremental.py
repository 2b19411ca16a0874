"""Incremental builds: keep the rows of unchanged documents, append the rest.

A document whose file hash and chunk settings are unchanged keeps its chunks,
chunk vectors, stemmed BM25 tokens and sentence rows exactly as stored; only
added or changed documents are chunked, split, tokenised and embedded, and
their rows go after the kept ones. The BM25 vocabulary keeps only the stems
that rows still use, as a full rebuild would. When no row was dropped the
vector store is appended to (HNSW and IVF too), else rebuilt from the kept
vectors.
Texts to embed are first looked up by content hash among every vector of the
previous index (and of a format-1 index being upgraded).

    >>> kept = Kept.nothing()
    >>> len(kept.chunk_rows), kept.doc_ids
    (0, frozenset())
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.chunk import Chunk
from index.documents import Document
from index.embcache import EmbeddingCache, cache_for
from index.embed import Embedder
from index.errors import CorruptIndexError, StaleIndexError
from index.lexical import LexicalIndex, Tokens
from index.sentvec import KEY_DTYPE, SentenceTable, text_key
from index.store import StoredIndex, chunk_lines, encode_chunk, load_index
from index.vectors import FaissStore, VectorSpec, VectorStore, auto_spec, build_store, load_store

__all__ = [
    "Fresh", "Kept", "Rows", "VectorCache", "assemble", "kept_rows", "previous_index",
]

log = logging.getLogger(__name__)
_SETTINGS = ("encoding", "nlp", "parser", "chunk_settings")


def previous_index(folder: Path, manifest: dict[str, Any]) -> StoredIndex | None:
    """The index at ``folder`` when its rows can be reused for ``manifest`` (same model).

    Read into memory (never mapped), so that its vector store can be appended to.
    """
    try:
        old = load_index(folder, mmap=False)
    except (CorruptIndexError, StaleIndexError):
        return None
    if any(old.manifest.get(k) != manifest[k] for k in ("model", "dims")) or not old.chunks:
        return None
    return old


@dataclass(frozen=True)
class Kept:
    """Rows of the previous index that the new one keeps, in their stored order."""

    chunk_rows: np.ndarray
    sentence_rows: np.ndarray
    doc_ids: frozenset[str]

    @classmethod
    def nothing(cls) -> Kept:
        empty = np.zeros(0, dtype="int64")
        return cls(empty, empty, frozenset())


def kept_rows(docs: Sequence[Document], old: StoredIndex | None, manifest: dict[str, Any]) -> Kept:
    """Which documents keep their rows: same file hash, same chunking, chunks still quoting it."""
    if old is None or any(old.manifest.get(k) != manifest[k] for k in _SETTINGS):
        return Kept.nothing()
    before = old.manifest.get("sources", {})
    same = {d.doc_id: d for d in docs if before.get(d.doc_id, {}).get("sha256") == d.sha256}
    rows: dict[str, list[int]] = {}
    for i, c in enumerate(old.chunks):
        if c.doc_id in same:
            rows.setdefault(c.doc_id, []).append(i)
    # a damaged chunk file is not trusted: that document is chunked afresh
    good = frozenset(
        d for d, r in rows.items() if all(_quotes(same[d], old.chunks[i]) for i in r)
    )
    chunk_rows = [i for d, r in rows.items() if d in good for i in r]
    sentence_rows = [i for i, (d, _, _) in enumerate(old.sentences.spans) if d in good]
    return Kept(np.asarray(sorted(chunk_rows), "int64"), np.asarray(sentence_rows, "int64"), good)


def _quotes(doc: Document, chunk: Chunk) -> bool:
    return doc.text[chunk.start : chunk.end] == chunk.text


class VectorCache:
    """Vectors already computed, by the content hash of their text.

    Looks in three places, in order: every chunk and sentence vector of the previous
    index (so a renamed or partly edited document re-embeds only what is new), the
    vectors this build has made so far (a one-sentence chunk is its sentence), and the
    disk cache of the embedder's variant (:mod:`index.embcache`: every text this
    machine has embedded with it, in any corpus). Lookups and additions come from one
    thread at a time (the build's embedding job).
    """

    def __init__(self, keys: Sequence[bytes], vectors: Sequence[np.ndarray],
                 disk: EmbeddingCache | None = None) -> None:
        self._rows = dict(zip(keys, range(len(keys)), strict=True))
        self._vectors = vectors  # stacked lazily: most builds look up a few hundred keys
        self._fresh: dict[bytes, np.ndarray] = {}
        self.disk = disk
        self.from_disk = 0

    @classmethod
    def of(cls, old: StoredIndex | None, folder: Path) -> VectorCache:
        """The cache of ``old``; without one, of a format-1 index at ``folder`` if any."""
        if old is None:
            return _legacy_cache(folder)
        keys = [*old.chunk_keys.tolist(), *old.sentences.keys.tolist()]
        return cls(keys, _Rows(old.vectors, old.sentences.vectors))

    def with_disk(self, embedder: Embedder) -> VectorCache:
        """This cache, also reading and writing the disk cache of ``embedder``'s vectors."""
        self.disk = cache_for(embedder)
        return self

    def missing(self, texts: Sequence[str]) -> tuple[np.ndarray, dict[bytes, str]]:
        """The keys of ``texts``, and the texts (by key, once each) found nowhere."""
        keys = np.array([text_key(t) for t in texts], dtype=KEY_DTYPE)
        todo = {k: t for k, t in zip(keys.tolist(), texts, strict=True)
                if k not in self._rows and k not in self._fresh}
        if todo and self.disk is not None:
            found = self.disk.get(list(todo))
            self._fresh.update(found)
            self.from_disk += len(found)
            todo = {k: t for k, t in todo.items() if k not in found}
        return keys, todo

    def add(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Vectors just embedded: kept for this build, and written to the disk cache."""
        rows = np.asarray(vectors, dtype="float32")
        self._fresh.update(zip(keys, rows, strict=True))
        if self.disk is not None:
            self.disk.put(list(keys), rows)

    def rows(self, keys: np.ndarray, dim: int | None = None) -> np.ndarray:
        """The float32 vectors of ``keys`` (each found or added before)."""
        rows = [self._fresh[k] if k in self._fresh else self._vectors[self._rows[k]]
                for k in keys.tolist()]
        if rows:
            return np.stack(rows).astype("float32", copy=False)
        return np.zeros((0, dim or 0), "float32")

    def embed(
        self, texts: Sequence[str], embedder: Embedder, *, progress: bool = False
    ) -> tuple[np.ndarray, np.ndarray, set[bytes]]:
        """Vectors and keys of ``texts``, and the keys that had to be embedded."""
        from index.pipeline import EmbedPipeline

        if self.disk is None:
            self.with_disk(embedder)
        with EmbedPipeline(embedder, self, progress=progress) as pipe:
            job = pipe.submit(texts)
        return job.result()


class _Rows(Sequence[np.ndarray]):
    """Chunk vectors (from the store, one at a time) followed by sentence vectors."""

    def __init__(self, store: VectorStore, sentences: np.ndarray) -> None:
        self._store, self._sentences, self._n = store, sentences, store.ntotal

    def __len__(self) -> int:
        return self._n + len(self._sentences)

    def __getitem__(self, i: Any) -> Any:
        return self._store.vectors([i])[0] if i < self._n else self._sentences[i - self._n]


def _legacy_cache(folder: Path) -> VectorCache:
    """The vectors of a format-1 index (the last one without stored keys), to upgrade it."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format_version") != 1:
            return VectorCache([], [])
        chunks = [json.loads(line) for line in (folder / "chunks.jsonl").open(encoding="utf-8")]
        texts = [f"{c['context']}\n{c['text']}" if c.get("context") else c["text"] for c in chunks]
        store = load_store(folder, VectorSpec.from_manifest(manifest.get("vector_index")))
        lines = (folder / "sentences.jsonl").open(encoding="utf-8")
        sentence_keys = [str(json.loads(line)[3]).encode() for line in lines]
        sentences = np.load(folder / "sentences.npy", allow_pickle=False).astype("float32")
        keys = [text_key(t).encode() for t in texts] + sentence_keys
        log.info("upgrading a format-1 index at %s, reusing its embeddings", folder)
        return VectorCache(keys, _Rows(store, sentences.reshape(len(sentence_keys), -1)))
    except (OSError, ValueError, KeyError, IndexError, RuntimeError) as exc:
        log.info("no reusable vectors at %s (%s)", folder, exc)
        return VectorCache([], [])


@dataclass(frozen=True)
class Fresh:
    """What a build made for the added and changed documents."""

    chunks: list[Chunk]
    vectors: np.ndarray
    keys: np.ndarray
    sentences: SentenceTable


@dataclass(frozen=True)
class Rows:
    """Everything :func:`index.store.write_index` writes besides the manifest."""

    chunks: list[Chunk]
    vectors: VectorStore
    lexical: LexicalIndex
    sentences: SentenceTable
    keys: np.ndarray
    lines: list[str]  # chunks.jsonl, kept lines copied as they were


def assemble(old: StoredIndex | None, kept: Kept, fresh: Fresh, spec: VectorSpec | None) -> Rows:
    """The new index: the kept rows of ``old`` (in their order), then ``fresh``'s."""
    fresh_lines = [encode_chunk(c) for c in fresh.chunks]
    if old is None:
        tokens = Tokens().extend([c.index_text for c in fresh.chunks])
        store = build_store(fresh.vectors, spec)
        return Rows(fresh.chunks, store, LexicalIndex.from_tokens(tokens), fresh.sentences,
                    fresh.keys, fresh_lines)
    rows = kept.chunk_rows.tolist()
    old_lines = chunk_lines(old.path)
    # compact: the stems only removed or replaced rows used leave the vocabulary, as a
    # full rebuild would leave them out
    kept_tokens = old.lexical.tokens.take(kept.chunk_rows).compact()
    tokens = kept_tokens.extend([c.index_text for c in fresh.chunks])
    return Rows(
        chunks=[old.chunks[i] for i in rows] + fresh.chunks,
        vectors=_vectors(old.vectors, kept.chunk_rows, fresh.vectors, spec),
        lexical=LexicalIndex.from_tokens(tokens),
        sentences=old.sentences.take(kept.sentence_rows).extend(fresh.sentences),
        keys=np.concatenate([old.chunk_keys[kept.chunk_rows], fresh.keys]),
        lines=[old_lines[i] for i in rows] + fresh_lines,
    )


def _vectors(
    old: VectorStore, rows: np.ndarray, fresh: np.ndarray, spec: VectorSpec | None
) -> VectorStore:
    """Append to ``old`` when it keeps every row and stays the right kind, else rebuild."""
    wanted = spec or auto_spec(len(rows) + len(fresh))
    same = _appendable(old.spec, wanted)
    if same is not None and len(rows) == old.ntotal and isinstance(old, FaissStore):
        store = FaissStore(same, old.index)  # the new spec's search width, same graph
        store.add(fresh)
        return store
    kept = old.vectors(rows)
    return build_store(np.concatenate([kept, fresh]) if len(fresh) else kept, wanted)


def _appendable(old: VectorSpec, wanted: VectorSpec) -> VectorSpec | None:
    """The spec of ``old`` grown with ``wanted``'s search width, if it is the same structure."""
    if old.kind != wanted.kind:
        return None
    if old.kind == "hnsw" and (old.m, old.ef_construction) != (wanted.m, wanted.ef_construction):
        return None
    if old.kind == "ivf" and wanted.nlist not in (0, old.nlist):
        return None
    return replace(old, ef_search=wanted.ef_search, nprobe=wanted.nprobe)
