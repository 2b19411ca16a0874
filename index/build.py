"""Build an index for a corpus, or open the one on disk when it is still fresh.

Only chunks whose text is new are embedded; vectors of unchanged chunk texts
are taken from the previous index, so editing one file re-embeds only it.

    >>> from index.embed import HashingEmbedder
    >>> docs = read_corpus("seeds")                                     # doctest: +SKIP
    >>> stored, report = open_index(docs, HashingEmbedder(), ChunkSettings(),
    ...                             Path(".qa-index/demo"))              # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.chunk import Chunk, ChunkSettings, chunk_document
from index.documents import Document
from index.embed import Embedder
from index.errors import CorruptIndexError, StaleIndexError
from index.sentvec import SentenceTable, corpus_sentences, text_key
from index.store import FORMAT_VERSION, StoredIndex, build_lock, load_index, write_index
from index.tokens import DEFAULT_ENCODING
from index.vectors import VectorSpec, build_store

__all__ = ["BuildReport", "build_index", "manifest_diff", "manifest_for", "open_index"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a build did, per source document and per chunk."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for people: ``3 added, 1 updated, ... in 2.1 s``."""
        rate = self.embedded / self.seconds if self.seconds > 0 else 0.0
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged; {self.chunks} chunks ({self.embedded} embedded, "
            f"{self.reused} reused) in {self.seconds:.1f} s ({rate:.0f} chunks/s)"
        )


def manifest_for(
    docs: list[Document], embedder: Embedder, settings: ChunkSettings
) -> dict[str, Any]:
    """The manifest an index of ``docs`` built with these settings has."""
    return {
        "format_version": FORMAT_VERSION,
        "model": embedder.name,
        "dims": embedder.dim,
        "max_tokens": embedder.max_tokens,
        "encoding": DEFAULT_ENCODING,
        "chunk_settings": settings.to_dict(),
        "sources": {d.doc_id: {"path": d.path, "sha256": d.sha256} for d in docs},
    }


def manifest_diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between a stored manifest and the one wanted, in words."""
    changes = [
        f"{key} {old.get(key)!r} → {new[key]!r}"
        for key in ("format_version", "model", "dims", "encoding", "chunk_settings")
        if old.get(key) != new[key]
    ]
    before, after = old.get("sources", {}), new["sources"]
    changes += [f"new source {d}" for d in after if d not in before]
    changes += [f"removed source {d}" for d in before if d not in after]
    changes += [
        f"changed source {d}"
        for d in after
        if d in before and before[d].get("sha256") != after[d]["sha256"]
    ]
    return changes


def _previous(folder: Path, manifest: dict[str, Any]) -> StoredIndex | None:
    """The index already at ``folder`` when it was built with ``manifest``'s model."""
    try:
        old = load_index(folder)
    except CorruptIndexError:
        return None
    if any(old.manifest.get(k) != manifest[k] for k in ("model", "dims")) or not old.chunks:
        return None
    return old


def _previous_vectors(old: StoredIndex | None) -> dict[str, np.ndarray]:
    """Vectors of the previous index, by the content hash of what they embed."""
    if old is None:
        return {}
    rows = old.vectors.vectors()
    known = {text_key(c.index_text): rows[i] for i, c in enumerate(old.chunks)}
    known.update(zip(old.sentences.keys, old.sentences.vectors, strict=True))
    return known


def _chunks(
    docs: list[Document], settings: ChunkSettings, fits: Callable[[str], bool],
    old: StoredIndex | None, settings_of: dict[str, Any],
) -> list[Chunk]:
    """Chunks of ``docs``; an unchanged document keeps its previous chunks (no re-tokenising)."""
    same: dict[str, list[Chunk]] = {}
    keys = ("encoding", "chunk_settings")
    if old is not None and all(old.manifest.get(k) == settings_of[k] for k in keys):
        before = old.manifest.get("sources", {})
        unchanged = {d.doc_id for d in docs if before.get(d.doc_id, {}).get("sha256") == d.sha256}
        for c in old.chunks:
            if c.doc_id in unchanged:
                same.setdefault(c.doc_id, []).append(c)
    return [c for d in docs for c in (_valid(same.get(d.doc_id), d) or
                                      chunk_document(d, settings, fits))]


def _valid(chunks: list[Chunk] | None, doc: Document) -> list[Chunk] | None:
    """``chunks`` when each still quotes ``doc`` exactly (a damaged file is re-chunked)."""
    if chunks and all(doc.text[c.start : c.end] == c.text for c in chunks):
        return chunks
    return None


def _embed(
    texts: list[str], embedder: Embedder, known: dict[str, np.ndarray], progress: bool
) -> tuple[np.ndarray, list[str], int]:
    """Vectors and keys for ``texts``, embedding only what is not ``known`` (which gains them)."""
    keys = [text_key(t) for t in texts]
    todo = dict(zip(keys, texts, strict=True))
    todo = {k: t for k, t in todo.items() if k not in known}
    if todo:
        fresh = embedder.encode(list(todo.values()), progress=progress)
        known.update(zip(todo, fresh, strict=True))
    rows = [known[k] for k in keys]
    vectors = np.stack(rows, dtype="float32") if rows else np.zeros((0, embedder.dim), "float32")
    return vectors, keys, len(todo)


def _report(old: dict[str, Any], new: dict[str, Any], **counts: Any) -> BuildReport:
    before, after = old.get("sources", {}), new["sources"]
    return BuildReport(
        added=tuple(d for d in after if d not in before),
        updated=tuple(
            d for d in after if d in before and before[d]["sha256"] != after[d]["sha256"]
        ),
        removed=tuple(d for d in before if d not in after),
        unchanged=tuple(
            d for d in after if d in before and before[d]["sha256"] == after[d]["sha256"]
        ),
        **counts,
    )


def build_index(
    docs: list[Document],
    embedder: Embedder,
    settings: ChunkSettings,
    folder: Path,
    *,
    progress: bool = False,
    vector_spec: VectorSpec | None = None,
) -> tuple[StoredIndex, BuildReport]:
    """Chunk, embed and write ``docs`` to ``folder`` (the caller holds the build lock).

    The vector index is of ``vector_spec``'s kind, else chosen by corpus size
    (:func:`index.vectors.auto_spec`).
    """
    started = time.perf_counter()
    old_manifest = _read_manifest(folder)
    manifest = manifest_for(docs, embedder, settings)

    def fits(text: str) -> bool:
        return embedder.count_tokens(text) <= embedder.max_tokens

    old = _previous(folder, manifest) if old_manifest else None
    chunks = _chunks(docs, settings, fits, old, manifest)
    known = _previous_vectors(old)
    del old
    vectors, _, embedded = _embed([c.index_text for c in chunks], embedder, known, progress)
    spans = corpus_sentences(docs)
    texts = {d.doc_id: d.text for d in docs}
    sentence_texts = [texts[d][s:e] for d, s, e in spans]
    sent_vectors, keys, _ = _embed(sentence_texts, embedder, known, progress)
    manifest |= {
        "n_chunks": len(chunks),
        "lexical": "bm25s",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    store = build_store(vectors, vector_spec)
    stored = write_index(
        folder, manifest, chunks, store, SentenceTable(spans, sent_vectors, keys)
    )
    report = _report(
        old_manifest or {},
        manifest,
        chunks=len(chunks),
        embedded=embedded,
        reused=len(chunks) - embedded,
        seconds=time.perf_counter() - started,
    )
    return stored, report


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fresh(folder: Path, wanted: dict[str, Any]) -> StoredIndex | None:
    stored = _read_manifest(folder)
    if stored is None or manifest_diff(stored, wanted):
        return None
    try:
        return load_index(folder)
    except CorruptIndexError as exc:
        log.warning("%s", exc)
        return None


def open_index(
    docs: list[Document],
    embedder: Embedder,
    settings: ChunkSettings,
    folder: Path,
    *,
    build: bool = True,
    rebuild: bool = False,
    progress: bool = False,
    vector_spec: VectorSpec | None = None,
) -> tuple[StoredIndex, BuildReport | None]:
    """The index of ``docs`` at ``folder``: loaded when fresh, else (re)built.

    With ``build=False`` a missing, stale or damaged index raises instead,
    saying what changed. ``vector_spec`` forces a vector index kind on a build.
    """
    wanted = manifest_for(docs, embedder, settings)
    if not rebuild and (ready := _fresh(folder, wanted)) is not None:
        return ready, None
    if not build:
        raise _not_usable(folder, wanted)
    with build_lock(folder):
        # another process may have built it while we waited for the lock
        if not rebuild and (ready := _fresh(folder, wanted)) is not None:
            return ready, None
        return build_index(
            docs, embedder, settings, folder, progress=progress, vector_spec=vector_spec
        )


def _not_usable(folder: Path, wanted: dict[str, Any]) -> Exception:
    stored = _read_manifest(folder)
    if stored is None:
        return StaleIndexError(
            f"no index at {folder}; build it with `qa index` (or drop --no-build)"
        )
    changes = manifest_diff(stored, wanted)
    if not changes:
        return CorruptIndexError(f"the index at {folder} is damaged; rebuild it with `qa index`")
    return StaleIndexError(
        f"the index at {folder} is stale ({'; '.join(changes)}); rebuild it with `qa index`"
    )
