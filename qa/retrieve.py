"""Dense, lexical and hybrid retrieval over a stored index.

Strategies are chosen by name from :data:`RETRIEVERS`; hybrid fuses the dense
and lexical rankings with reciprocal rank fusion (:func:`rrf`). Dense search
goes through the index's :class:`index.vectors.VectorStore`, whatever its kind;
a document filter is applied inside each search, so restricted questions get
their full ``k`` passages from an approximate index too.

    >>> rrf([[1, 2, 3], [3, 1]])[0][0]
    1
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.documents import Document
from index.embed import Embedder
from index.errors import InvalidInputError
from index.store import StoredIndex
from index.threads import single_threaded
from qa.evidence import AnswerContext, score_candidates
from qa.question import analyse
from qa.types import Passage

__all__ = ["RETRIEVERS", "Searcher", "rrf"]

Hit = tuple[int, float]  # (chunk position, score)
Allowed = np.ndarray | None  # chunk positions a search may return (None: all)
RERANK = (0.7, 1.0, 0.3)  # best sentence, chunk, lexical: chosen on the dev split
# weight of the re-ranked order when the passages are ordered by their best answer
# sentence (dev MRR 0.866 at 0.05, 0.871 at 0.1, 0.869 at 0.2; about half the gain
# is lost with none or with 0.5)
ANSWER_ORDER_PRIOR = 0.1
# passages are ordered within consecutive groups of this many, so a call for fewer
# passages returns the start of a call for more, and the five the answerer reads are
# the five the re-rank chose (ordering across all ten brought confident wrong
# sentences into answers: dev right 0.833 -> 0.819, abstention 0.613 -> 0.562)
ANSWER_ORDER_BLOCK = 5


def rrf(
    rankings: Sequence[Sequence[int]], *, weights: Sequence[float] | None = None, k: int = 60
) -> list[Hit]:
    """Reciprocal rank fusion: items ordered by ``Σ w / (k + rank)`` over the rankings."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class Searcher:
    """Searches one stored index; positions refer to ``stored.chunks``."""

    stored: StoredIndex
    embedder: Embedder
    documents: dict[str, Document]
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    _positions: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def query_vector(self, query: str) -> np.ndarray:
        # one thread: on busy cores torch's thread hand-offs made asks 10× slower;
        # models trained with a query prefix (E5) embed questions apart from passages
        encode = getattr(self.embedder, "encode_query", self.embedder.encode)
        with single_threaded():
            return encode([query])[0]

    def dense(self, query: str, depth: int, allowed: Allowed = None) -> list[Hit]:
        store = self.stored.vectors
        depth = min(depth, store.ntotal if allowed is None else len(allowed))
        if depth == 0:
            return []
        scores, ids = store.search(self.query_vector(query)[None, :], depth, ids=allowed)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def lexical(self, query: str, depth: int, allowed: Allowed = None) -> list[Hit]:
        lexical = self.stored.lexical
        if allowed is not None and (within := getattr(lexical, "search_within", None)):
            ids, scores = within(query, depth, allowed)  # the engine filters (Milvus)
            return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True)]
        ids, scores = lexical.search(query, depth if allowed is None else lexical.size)
        hits = [(int(i), float(s)) for i, s in zip(ids, scores, strict=True)]
        if allowed is not None:
            keep = set(allowed.tolist())
            hits = [h for h in hits if h[0] in keep][:depth]
        return hits

    def fused(self, query: str, depth: int, allowed: Allowed = None) -> list[Hit]:
        """Reciprocal rank fusion of the dense and the lexical ranking."""
        deep = max(depth * 4, 50)
        engine = getattr(self.stored.vectors, "fused", None)  # Milvus fuses in the engine
        if engine is not None and self.dense_weight == self.lexical_weight:
            return list(engine(self.query_vector(query), query, depth, deep, allowed, self.rrf_k))
        rankings = [
            [i for i, _ in self.dense(query, deep, allowed)],
            [i for i, _ in self.lexical(query, deep, allowed)],
        ]
        return rrf(rankings, weights=[self.dense_weight, self.lexical_weight], k=self.rrf_k)[:depth]

    def hybrid(self, query: str, depth: int, allowed: Allowed = None) -> list[Hit]:
        """Fused candidates re-ranked by their best-matching sentence, then ordered as
        the answerer would rank them (:meth:`_answer_order`) within consecutive groups
        of :data:`ANSWER_ORDER_BLOCK`.

        A chunk's own vector averages its sentences; the one sentence that answers
        is a sharper signal. The re-rank score is best sentence cosine + chunk cosine
        + a share of the normalised BM25 score (weights chosen on the dev split).
        """
        qv = self.query_vector(query)
        block = ANSWER_ORDER_BLOCK
        hits = self._reranked(query, qv, -(-depth // block) * block, allowed)
        ordered = [
            h
            for at in range(0, len(hits), block)
            for h in self._answer_order(query, qv, hits[at : at + block])
        ]
        # a later group may score higher: no passage outscores one ranked above it
        scores = itertools.accumulate((s for _, s in ordered), min)
        return [(i, s) for (i, _), s in zip(ordered, scores, strict=True)][:depth]

    def reranked(self, query: str, depth: int, allowed: Allowed = None) -> list[Hit]:
        """Hybrid without the answer order: fused candidates re-ranked by their best
        sentence (``qa eval --compare hybrid rerank`` shows what the order adds)."""
        return self._reranked(query, self.query_vector(query), depth, allowed)

    def _answer_order(self, query: str, qv: np.ndarray, hits: Sequence[Hit]) -> list[Hit]:
        """``hits`` ordered by the answerer's score of the best sentence each holds.

        That score also weighs the question's words (an answer's words and, at half
        weight, those of the question it answers), the kind of answer wanted
        and whether a sentence is itself a question, which cosines miss: dev MRR
        0.832 -> 0.871. The set of passages is the one given; only the order changes.
        """
        passages = tuple(self._passage(i, s, 0.0) for i, s in hits)
        ctx = AnswerContext(analyse(query), qv, passages, self.documents, self.stored.sentences,
                            self.stored.linguistics)
        best: dict[int, float] = {}
        for c in score_candidates(ctx):  # best first: the first seen is a passage's best
            best.setdefault(c.passage_rank, c.score)
        scored = [
            (i, best.get(rank, 0.0) + ANSWER_ORDER_PRIOR / (1 + rank))
            for rank, (i, _) in enumerate(hits)
        ]
        return sorted(scored, key=lambda h: (-h[1], h[0]))

    def _reranked(self, query: str, qv: np.ndarray, depth: int, allowed: Allowed) -> list[Hit]:
        candidates = [i for i, _ in self.fused(query, max(depth * 6, 60), allowed)]
        if not candidates:
            return []
        lexical = dict(self.lexical(query, max(depth * 6, 60), allowed))
        top_lexical = max(lexical.values(), default=0.0) or 1.0
        table = self.stored.sentences
        chunk_cos = self.stored.vectors.vectors(candidates) @ qv
        scored = []
        for i, cos in zip(candidates, chunk_cos.tolist(), strict=True):
            c = self.stored.chunks[i]
            rows = table.within(c.doc_id, c.start, c.end)
            best = float((table.vectors[rows] @ qv).max()) if rows else 0.0
            lex = lexical.get(i, 0.0) / top_lexical
            scored.append((i, RERANK[0] * best + RERANK[1] * cos + RERANK[2] * lex))
        return sorted(scored, key=lambda h: (-h[1], h[0]))[:depth]

    def dense_scores(self, query: str, positions: Sequence[int]) -> list[float]:
        """Cosine similarity of the query to each chunk (for confidence features)."""
        if not positions:
            return []
        rows = self.stored.vectors.vectors(list(positions))
        return [float(x) for x in rows @ self.query_vector(query)]

    def allowed(self, doc_ids: Collection[str] | None) -> Allowed:
        """Chunk positions of ``doc_ids`` (``None``: no restriction)."""
        if doc_ids is None:
            return None
        if self._positions is None:
            by_doc: dict[str, list[int]] = {}
            for i, c in enumerate(self.stored.chunks):
                by_doc.setdefault(c.doc_id, []).append(i)
            self._positions = {d: np.asarray(p, dtype="int64") for d, p in by_doc.items()}
        parts = [self._positions[d] for d in doc_ids if d in self._positions]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype="int64")

    def search(
        self, query: str, k: int, strategy: str, doc_ids: Collection[str] | None = None
    ) -> list[Passage]:
        """The ``k`` best passages by ``strategy``, limited to ``doc_ids`` when given."""
        if strategy not in RETRIEVERS:
            raise InvalidInputError(
                f"unknown retriever {strategy!r}; use one of {sorted(RETRIEVERS)}"
            )
        hits = RETRIEVERS[strategy](self, query, k, self.allowed(doc_ids))[:k]
        dense = self.dense_scores(query, [i for i, _ in hits])
        return [self._passage(i, s, d) for (i, s), d in zip(hits, dense, strict=True)]

    def _passage(self, position: int, score: float, dense: float) -> Passage:
        c = self.stored.chunks[position]
        doc = self.documents.get(c.doc_id)
        start_time, end_time = doc.times(c.start, c.end) if doc else (None, None)
        return Passage(
            doc_id=c.doc_id,
            start=c.start,
            end=c.end,
            text=c.text,
            score=score,
            speaker=c.speaker,
            chunk_id=c.chunk_id,
            turn=c.turn,
            role=c.role,
            exchange_id=c.exchange_id,
            dense_score=dense,
            title=doc.title if doc else "",
            source=doc.origin if doc else "",
            start_time=start_time,
            end_time=end_time,
        )


RETRIEVERS: dict[str, Callable[[Searcher, str, int, Allowed], list[Hit]]] = {
    "dense": Searcher.dense,
    "lexical": Searcher.lexical,
    "rrf": Searcher.fused,
    "hybrid": Searcher.hybrid,
    "rerank": Searcher.reranked,
}
