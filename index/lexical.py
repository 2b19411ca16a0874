"""BM25 lexical search over chunks, by ``bm25s`` with English stemming.

Each chunk's stemmed token ids are stored with the index (:class:`Tokens`), so a
build that adds or changes documents tokenises only their chunks. The BM25
matrix itself is recomputed from all token ids every build (a new document
changes every term's IDF and the average length), in a few vectorised numpy
steps instead of bm25s's per-document Python loop (:class:`VectorisedBM25`).

>>> lex = LexicalIndex.build(["the cat sat", "a dog ran"])
>>> lex.search("cats", k=1)[0].tolist()
[0]
>>> len(lex.tokens.extend(["cats and dogs"]).row(2))   # stems "cat" and "dog"
2
>>> sorted(lex.tokens.take([1]).compact().vocab)       # the stems row 1 still uses
['dog', 'ran']
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

__all__ = ["LexicalIndex", "Tokens", "VectorisedBM25"]

_STEMMER = Stemmer.Stemmer("english")
_RADIX_VOCAB = 2**16  # term ids that fit 16 bits are sorted by radix
_EMPTY = ""  # bm25s's placeholder token for queries with no known word; never a real token
logging.getLogger("bm25s").setLevel(logging.ERROR)


def _tokenize(texts: list[str]) -> bm25s.tokenization.Tokenized:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER.stemWords, show_progress=False)


@dataclass(frozen=True)
class Tokens:
    """Stemmed token ids of each chunk: row ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.

    ``vocab`` maps a stem to its id; it is the BM25 index's vocabulary too.
    """

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, "int32"))
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, "int64"))
    vocab: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row(self, i: int) -> list[int]:
        """Token ids of chunk ``i``."""
        return [int(x) for x in self.ids[self.offsets[i] : self.offsets[i + 1]]]

    def take(self, rows: np.ndarray) -> Tokens:
        """The token rows ``rows`` (in that order), sharing the vocabulary."""
        rows = np.asarray(rows, dtype="int64")
        if len(rows) == len(self) and np.array_equal(rows, np.arange(len(self))):
            return self
        lengths = np.diff(self.offsets)[rows]
        offsets = np.zeros(len(rows) + 1, dtype="int64")
        np.cumsum(lengths, out=offsets[1:])
        # position j of the result comes from starts[row] + (j - offsets[row])
        shift = np.repeat(self.offsets[:-1][rows] - offsets[:-1], lengths)
        picked = self.ids[np.arange(offsets[-1], dtype="int64") + shift]
        return Tokens(picked.astype("int32"), offsets, self.vocab)

    def compact(self) -> Tokens:
        """These rows with the vocabulary cut to the stems they use, ids renumbered ``0..n-1``.

        Stems of dropped rows would otherwise stay in the vocabulary (and the BM25
        matrix) until a full rebuild; surviving ids keep their relative order.
        """
        used = np.unique(np.asarray(self.ids))  # sorted
        if len(used) == len(self.vocab):
            return self
        top = max(self.vocab.values(), default=-1)
        renumber = np.full(max(top, int(used[-1]) if len(used) else -1) + 1, -1, dtype="int64")
        renumber[used] = np.arange(len(used))
        vocab = {stem: int(renumber[i]) for stem, i in self.vocab.items() if renumber[i] >= 0}
        return Tokens(renumber[self.ids].astype("int32"), self.offsets, vocab)

    def extend(self, texts: Sequence[str]) -> Tokens:
        """These rows followed by the tokens of ``texts`` (new stems join the vocabulary)."""
        if not texts:
            return self
        fresh = _tokenize(list(texts))
        vocab = dict(self.vocab)
        mapping = np.zeros(len(fresh.vocab), dtype="int32")
        for stem, i in fresh.vocab.items():
            mapping[i] = vocab.setdefault(stem, len(vocab))
        lengths = np.fromiter(map(len, fresh.ids), dtype="int64", count=len(fresh.ids))
        flat = np.fromiter(itertools.chain.from_iterable(fresh.ids), "int64", int(lengths.sum()))
        offsets = np.concatenate([self.offsets, self.offsets[-1] + np.cumsum(lengths)])
        ids = np.concatenate([self.ids, mapping[flat]]).astype("int32")
        return Tokens(ids, offsets, vocab)

    def save(self, folder: Path) -> None:
        np.save(folder / "tokens.npy", self.ids, allow_pickle=False)
        np.save(folder / "token_offsets.npy", self.offsets, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, vocab: dict[str, int]) -> Tokens:
        # mapped: a served index never reads them; a build reads them once
        ids = np.load(folder / "tokens.npy", mmap_mode="r", allow_pickle=False)
        offsets = np.load(folder / "token_offsets.npy", allow_pickle=False)
        return cls(ids, offsets, vocab)


class VectorisedBM25(bm25s.BM25):
    """``bm25s.BM25`` whose index is built from token ids with whole-array numpy.

    Same scores as bm25s's own build (its ``build_index_from_ids`` is the
    documented place to change how the index is built); other methods than
    ``"lucene"`` fall back to bm25s's loop.
    """

    def build_index_from_ids(
        self, unique_token_ids: list[int], corpus_token_ids: Sequence[Sequence[int]],
        show_progress: bool = True, leave_progress: bool = False,
    ) -> dict[str, Any]:
        if self.method != "lucene" or self.idf_method != "lucene":
            return dict(super().build_index_from_ids(
                unique_token_ids, list(map(list, corpus_token_ids)), show_progress, leave_progress
            ))
        self.nonoccurrence_array = None  # only BM25L and BM25+ use it
        lengths = np.fromiter(map(len, corpus_token_ids), "int64", len(corpus_token_ids))
        ids = np.concatenate([np.zeros(0, "int64"), *map(np.asarray, corpus_token_ids)])
        return _lucene_scores(ids.astype("int64"), lengths, len(unique_token_ids), self)


def _term_counts(
    ids: np.ndarray, lengths: np.ndarray, n_vocab: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term, chunk, count) of every term in every chunk, ordered by term then chunk."""
    n = len(lengths)
    chunk = np.repeat(np.arange(n, dtype="int64"), lengths)
    if n_vocab > _RADIX_VOCAB:  # one key per (term, chunk) pair; sorted, it is CSC order
        pairs, tf = np.unique(ids * max(n, 1) + chunk, return_counts=True)
        term, row = np.divmod(pairs, max(n, 1))
        return term, row, tf
    # a stable sort of 16-bit keys is numpy's radix sort (linear), and keeps chunk order
    order = np.argsort(ids.astype("uint16"), kind="stable")
    term, row = ids[order], chunk[order]
    first = np.ones(len(term), dtype=bool)
    first[1:] = (term[1:] != term[:-1]) | (row[1:] != row[:-1])
    starts = np.flatnonzero(first)
    return term[starts], row[starts], np.diff(np.append(starts, len(term)))


def _lucene_scores(ids: np.ndarray, lengths: np.ndarray, n_vocab: int, p: Any) -> dict[str, Any]:
    """The CSC matrix (terms × chunks) of BM25 "lucene" scores, as bm25s stores it."""
    n = len(lengths)
    term, row, tf = _term_counts(ids, lengths, n_vocab)
    df = np.bincount(term, minlength=n_vocab)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(p.dtype)
    length = lengths[row] / (lengths.mean() if n else 1.0)
    tfc = tf / (p.k1 * ((1 - p.b) + p.b * length) + tf)
    indptr = np.zeros(n_vocab + 1, dtype="int64")
    np.cumsum(df, out=indptr[1:])
    return {"data": (idf[term] * tfc).astype(p.dtype), "indices": row.astype(p.int_dtype),
            "indptr": indptr, "num_docs": n}


class LexicalIndex:
    """A BM25 index whose document ids are chunk positions, with each chunk's tokens."""

    def __init__(self, retriever: bm25s.BM25 | None, size: int, tokens: Tokens) -> None:
        self._retriever = retriever  # None when no text had a searchable word
        self.size = size
        self.tokens = tokens

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        """Tokenise ``texts`` and index them."""
        return cls.from_tokens(Tokens().extend(texts))

    @classmethod
    def from_tokens(cls, tokens: Tokens) -> LexicalIndex:
        """Index chunks already tokenised (kept from an earlier build, or fresh)."""
        if not tokens.vocab or not len(tokens.ids):
            return cls(None, len(tokens), tokens)
        vocab = {stem: i for stem, i in tokens.vocab.items() if stem != _EMPTY}
        rows = np.split(np.asarray(tokens.ids), tokens.offsets[1:-1])
        retriever = VectorisedBM25()
        # a copy: bm25s adds its "" placeholder to the dict it is given, which a loaded
        # index's vocabulary leaves out
        retriever.index((rows, dict(vocab)), show_progress=False)
        return cls(retriever, len(tokens), Tokens(tokens.ids, tokens.offsets, vocab))

    def save(self, folder: Path) -> None:
        if self._retriever is not None:
            self._retriever.save(str(folder), show_progress=False)
        self.tokens.save(folder)
        (folder / "size.txt").write_text(str(self.size), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        size = int((folder / "size.txt").read_text(encoding="utf-8"))
        if not (folder / "params.index.json").exists():
            return cls(None, size, Tokens.load(folder, {}))
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        vocab = {stem: i for stem, i in retriever.vocab_dict.items() if stem != _EMPTY}
        return cls(retriever, size, Tokens.load(folder, vocab))

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and BM25 scores of the ``k`` best chunks (zero scores dropped)."""
        tokens = _tokenize([query])
        if self._retriever is None or not tokens.ids or not tokens.ids[0] or self.size == 0:
            return np.zeros(0, dtype="int64"), np.zeros(0, dtype="float32")
        k = min(k, self.size)
        ids, scores = self._retriever.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        keep = scores[0] > 0
        return ids[0][keep].astype("int64"), scores[0][keep].astype("float32")
