"""BM25 lexical search over chunks, by ``bm25s`` with English stemming.

>>> lex = LexicalIndex.build(["the cat sat", "a dog ran"])
>>> lex.search("cats", k=1)[0].tolist()
[0]
"""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

__all__ = ["LexicalIndex"]

_STEMMER = Stemmer.Stemmer("english")
logging.getLogger("bm25s").setLevel(logging.ERROR)


def _tokenize(texts: list[str]) -> bm25s.tokenization.Tokenized:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER.stemWords, show_progress=False)


class LexicalIndex:
    """A BM25 index whose document ids are chunk positions."""

    def __init__(self, retriever: bm25s.BM25 | None, size: int) -> None:
        self._retriever = retriever  # None when no text had a searchable word
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        tokens = _tokenize(texts)
        if not tokens.vocab:
            return cls(None, len(texts))
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        if self._retriever is not None:
            self._retriever.save(str(folder), show_progress=False)
        (folder / "size.txt").write_text(str(self.size), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        size = int((folder / "size.txt").read_text(encoding="utf-8"))
        if not (folder / "params.index.json").exists():
            return cls(None, size)
        return cls(bm25s.BM25.load(str(folder), show_progress=False), size)

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and BM25 scores of the ``k`` best chunks (zero scores dropped)."""
        tokens = _tokenize([query])
        if self._retriever is None or not tokens.ids or not tokens.ids[0] or self.size == 0:
            return np.zeros(0, dtype="int64"), np.zeros(0, dtype="float32")
        k = min(k, self.size)
        ids, scores = self._retriever.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        keep = scores[0] > 0
        return ids[0][keep].astype("int64"), scores[0][keep].astype("float32")
