"""Vectors a Milvus build need not embed again, found by the content hash of their text.

From three places: the previous generation's sentence table, the stored rows of
the documents being rewritten, and a local index of the same corpus and model
when there is one (so moving an index from the local store to Milvus embeds
nothing).

    >>> import numpy as np
    >>> rows = Chained([np.zeros((2, 3), "float32"), np.ones((1, 3), "float32")])
    >>> len(rows), rows[2].tolist()
    (3, [1.0, 1.0, 1.0])
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.documents import Document
from index.incremental import VectorCache, previous_index
from index.milvus_meta import Generation
from index.milvus_store import query_all
from index.sentvec import SentenceTable
from index.vectors import VectorStore

__all__ = ["Chained", "vector_cache"]


class Chained(Sequence[np.ndarray]):
    """Rows of several row sources, one after another; a store is read one row at a time."""

    def __init__(self, parts: Sequence[Any]) -> None:
        self._parts = [p for p in parts if _length(p)]
        self._ends = np.cumsum([_length(p) for p in self._parts]).tolist()

    def __len__(self) -> int:
        return int(self._ends[-1]) if self._ends else 0

    def __getitem__(self, i: Any) -> Any:
        part = int(np.searchsorted(self._ends, i, side="right"))
        start = self._ends[part - 1] if part else 0
        source = self._parts[part]
        if isinstance(source, np.ndarray):
            return source[i - start].astype("float32")
        return source.vectors([i - start])[0]


def _length(part: Any) -> int:
    return len(part) if isinstance(part, np.ndarray) else int(part.ntotal)


def _local(folder: Path | None, manifest: dict[str, Any] | None) -> tuple[list[bytes], list[Any]]:
    """Keys and row sources of the local index at ``folder`` (same model), if any."""
    if folder is None or manifest is None or not (folder / "manifest.json").exists():
        return [], []
    old = previous_index(folder, manifest)
    if old is None:
        return [], []
    store: VectorStore = old.vectors
    return [*old.chunk_keys.tolist(), *old.sentences.keys.tolist()], [store, old.sentences.vectors]


def vector_cache(
    client: Any, name: str, prev: Generation | None, docs: Sequence[Document],
    old: SentenceTable | None, local: tuple[Path, dict[str, Any]] | None = None,
) -> VectorCache:
    """The cache for a build that rewrites ``docs`` after generation ``prev``.

    ``local`` is a local index folder and the manifest wanted of it (model and dims).
    """
    keys, parts = _local(*(local or (None, None)))
    if old is not None:
        keys += old.keys.tolist()
        parts.append(old.vectors)
    before = set(prev.manifest["sources"]) if prev else set()
    ids = [d.doc_id for d in docs if d.doc_id in before]
    if prev is not None and ids:
        rows = query_all(client, name, f"{prev.filter} and doc_id in {json.dumps(ids)}",
                         ["key", "vector"])
        keys += [r["key"].encode() for r in rows]
        parts.append(np.asarray([r["vector"] for r in rows], dtype="float32"))
    return VectorCache(keys, Chained(parts))
