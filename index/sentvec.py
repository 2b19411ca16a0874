"""Precomputed sentence embeddings, so questions are matched to single sentences fast.

The table holds every sentence of every turn with its offsets and its vector;
``within(doc_id, start, end)`` finds the sentences inside a passage.

    >>> import numpy as np
    >>> table = SentenceTable([("d", 0, 3), ("d", 4, 9)], np.eye(2, dtype="float32"))
    >>> table.within("d", 0, 9)
    [0, 1]
    >>> other = SentenceTable([("e", 0, 2)], np.eye(2, dtype="float32")[:1])
    >>> table.take([1]).extend(other).spans
    [('d', 4, 9), ('e', 0, 2)]
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.documents import Document
from index.sentences import sentence_spans

__all__ = ["KEY_DTYPE", "SentenceTable", "corpus_sentences", "text_key"]

SentSpan = tuple[str, int, int]
KEY_DTYPE = "S24"  # a text_key as stored: 24 hex digits


def text_key(text: str) -> str:
    """A short content hash: the key of the embedding cache."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def corpus_sentences(docs: Sequence[Document]) -> list[SentSpan]:
    """Every sentence of every turn, in document order."""
    return [
        (d.doc_id, s, e)
        for d in docs
        for t in d.turns
        for s, e in sentence_spans(d.text, t.start, t.end)
    ]


class SentenceTable:
    """Sentence spans and their normalised vectors (row ``i`` is sentence ``i``).

    Vectors are kept in half precision, as stored: half the memory, and cosine
    ranking is unaffected at this scale (products are computed in float32).

    A document's sentences are consecutive rows in text order (the answerer
    looks at a sentence's neighbours); ``keys`` are their :func:`text_key`
    hashes, so a later build can reuse the vectors.
    """

    def __init__(
        self, spans: Sequence[SentSpan], vectors: np.ndarray, keys: Sequence[str] | np.ndarray = ()
    ) -> None:
        if len(spans) != len(vectors) or (len(keys) and len(keys) != len(spans)):
            raise ValueError(f"{len(spans)} sentence spans but {len(vectors)} vectors")
        self.spans = list(spans)
        self.keys = np.asarray(keys if len(keys) else [""] * len(spans), dtype=KEY_DTYPE)
        vectors = np.ascontiguousarray(vectors, dtype="float16")
        self.vectors = vectors if vectors.ndim == 2 else vectors.reshape(len(self.spans), -1)
        self._by_doc: dict[str, tuple[list[int], list[int]]] | None = None

    def __len__(self) -> int:
        return len(self.spans)

    def _index(self) -> dict[str, tuple[list[int], list[int]]]:
        # built on first use: a build never needs it, and it costs ~0.1 s a 100,000 rows
        if self._by_doc is None:
            by_doc: dict[str, tuple[list[int], list[int]]] = {}
            for row, (doc_id, start, _end) in enumerate(self.spans):
                starts, rows = by_doc.setdefault(doc_id, ([], []))
                starts.append(start)
                rows.append(row)
            self._by_doc = by_doc
        return self._by_doc

    def within(self, doc_id: str, start: int, end: int) -> list[int]:
        """Rows of the sentences that lie inside ``[start, end)`` of ``doc_id``."""
        starts, rows = self._index().get(doc_id, ([], []))
        first = bisect.bisect_left(starts, start)
        out = []
        for i in range(first, len(starts)):
            if starts[i] >= end:
                break
            if self.spans[rows[i]][2] <= end:
                out.append(rows[i])
        return out

    def take(self, rows: Sequence[int] | np.ndarray) -> SentenceTable:
        """The rows ``rows``, in that order."""
        picked = np.asarray(rows, dtype="int64")
        if len(picked) == len(self) and np.array_equal(picked, np.arange(len(self))):
            return self
        return SentenceTable(
            [self.spans[i] for i in picked.tolist()], self.vectors[picked], self.keys[picked]
        )

    def extend(self, other: SentenceTable) -> SentenceTable:
        """These rows, then ``other``'s."""
        if not len(other):
            return self
        return SentenceTable(
            self.spans + other.spans,
            np.concatenate([self.vectors, other.vectors]),
            np.concatenate([self.keys, other.keys]),
        )

    def save(self, folder: Path) -> None:
        """Write ``sentences.npy`` (vectors), ``sentence_spans.npy``, ``sentence_keys.npy``
        and ``sentence_docs.json`` (the document of each span's first column)."""
        doc_ids = list(dict.fromkeys(d for d, _, _ in self.spans))
        number = {d: i for i, d in enumerate(doc_ids)}
        table = np.array([(number[d], s, e) for d, s, e in self.spans], dtype="int64")
        (folder / "sentence_docs.json").write_text(json.dumps(doc_ids), encoding="utf-8")
        np.save(folder / "sentence_spans.npy", table.reshape(-1, 3), allow_pickle=False)
        np.save(folder / "sentence_keys.npy", self.keys, allow_pickle=False)
        np.save(folder / "sentences.npy", self.vectors, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> SentenceTable:
        doc_ids = json.loads((folder / "sentence_docs.json").read_text(encoding="utf-8"))
        table = np.load(folder / "sentence_spans.npy", allow_pickle=False).reshape(-1, 3)
        keys = np.load(folder / "sentence_keys.npy", allow_pickle=False)
        vectors = np.load(folder / "sentences.npy", allow_pickle=False)
        docs, starts, ends = (table[:, i].tolist() for i in range(3))
        spans = [(doc_ids[d], s, e) for d, s, e in zip(docs, starts, ends, strict=True)]
        return cls(spans, vectors.reshape(len(spans), -1) if spans else vectors, keys)
