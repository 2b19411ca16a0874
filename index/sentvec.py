"""Precomputed sentence embeddings, so questions are matched to single sentences fast.

The table holds every sentence of every turn with its offsets and its vector;
``within(doc_id, start, end)`` finds the sentences inside a passage.

    >>> import numpy as np
    >>> table = SentenceTable([("d", 0, 3), ("d", 4, 9)], np.eye(2, dtype="float32"))
    >>> table.within("d", 0, 9)
    [0, 1]
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

__all__ = ["SentenceTable", "corpus_sentences", "text_key"]

SentSpan = tuple[str, int, int]


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
    """Sentence spans and their normalised vectors (row ``i`` is sentence ``i``)."""

    def __init__(
        self, spans: Sequence[SentSpan], vectors: np.ndarray, keys: Sequence[str] = ()
    ) -> None:
        if len(spans) != len(vectors) or (keys and len(keys) != len(spans)):
            raise ValueError(f"{len(spans)} sentence spans but {len(vectors)} vectors")
        self.spans = list(spans)
        self.keys = list(keys)  # text_key of each sentence, for the embedding cache
        self.vectors = np.ascontiguousarray(vectors, dtype="float32")
        self._starts: dict[str, list[int]] = {}
        self._rows: dict[str, list[int]] = {}
        for row, (doc_id, start, _end) in enumerate(self.spans):
            self._starts.setdefault(doc_id, []).append(start)
            self._rows.setdefault(doc_id, []).append(row)

    def __len__(self) -> int:
        return len(self.spans)

    def within(self, doc_id: str, start: int, end: int) -> list[int]:
        """Rows of the sentences that lie inside ``[start, end)`` of ``doc_id``."""
        starts = self._starts.get(doc_id, [])
        rows = self._rows.get(doc_id, [])
        first = bisect.bisect_left(starts, start)
        out = []
        for i in range(first, len(starts)):
            if starts[i] >= end:
                break
            if self.spans[rows[i]][2] <= end:
                out.append(rows[i])
        return out

    def save(self, folder: Path) -> None:
        with (folder / "sentences.jsonl").open("w", encoding="utf-8") as out:
            for span, key in zip(self.spans, self.keys or [""] * len(self.spans), strict=True):
                out.write(json.dumps([*span, key], ensure_ascii=False) + "\n")
        # half precision halves the file; cosine ranking is unaffected at this scale
        np.save(folder / "sentences.npy", self.vectors.astype("float16"), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> SentenceTable:
        with (folder / "sentences.jsonl").open(encoding="utf-8") as lines:
            rows = [json.loads(line) for line in lines]
        spans = [(str(r[0]), int(r[1]), int(r[2])) for r in rows]
        vectors = np.load(folder / "sentences.npy", allow_pickle=False).astype("float32")
        return cls(spans, vectors.reshape(len(spans), -1), [str(r[3]) for r in rows])
