"""Read one committed generation of a Milvus index, and search it.

:func:`open_generation` reads the chunk rows a generation shows (texts and
offsets, not vectors) into the :class:`index.store.StoredIndex` that retrieval
reads; dense search (:class:`MilvusVectors`, a :class:`index.vectors.VectorStore`),
BM25 search (:class:`MilvusLexical`) and their fusion by reciprocal rank
(:meth:`MilvusVectors.fused`) run in Milvus, each under the generation's filter.
Positions are row numbers of ``stored.chunks``, as with the local store.

The per-sentence table the answerer reads (spans and vectors) and the sentences'
stored analyses (``linguistics.jsonl``) stay local, in ``<index folder>/milvus-gen-<G>/``,
written by the build that made G.

    >>> stems(["The cats were running"])
    ['cat were run']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

from index.chunk import Chunk
from index.errors import CorruptIndexError, StaleIndexError
from index.lexical import LexicalIndex, Tokens
from index.linguistics import Linguistics
from index.milvus_conn import MilvusConfig, from_milvus, unavailable
from index.milvus_meta import Generation
from index.milvus_schema import BM25_PARAMS, chunk_fields, ensure_loaded
from index.milvus_side import side_folder
from index.sentvec import KEY_DTYPE, SentenceTable
from index.store import StoredIndex
from index.vectors import VectorSpec

__all__ = ["MilvusLexical", "MilvusVectors", "open_generation", "query_all", "stems"]

_STEMMER = Stemmer.Stemmer("english")
_PAGE = 4096  # rows a query iterator page
_PK_FILTER = 2_000  # a filter naming more chunk rows than this names their documents instead


def stems(texts: Sequence[str]) -> list[str]:
    """Each text's words as the local BM25 index sees them: stop-worded, stemmed, joined."""
    tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=_STEMMER.stemWords,
                            return_ids=False, show_progress=False)
    return [" ".join(t) for t in tokens]


class MilvusVectors:
    """Dense search over one generation's chunk rows, with positions for ids."""

    def __init__(self, client: Any, config: MilvusConfig, name: str, gen: Generation,
                 pks: np.ndarray, chunks: Sequence[Chunk], spec: VectorSpec) -> None:
        self.client, self.config, self.name, self.gen = client, config, name, gen
        self.spec = spec
        self._pks = pks
        self._position = {int(pk): i for i, pk in enumerate(pks.tolist())}
        self._docs = [c.doc_id for c in chunks]
        self._doc_rows: dict[str, int] = {}
        for d in self._docs:
            self._doc_rows[d] = self._doc_rows.get(d, 0) + 1

    @property
    def ntotal(self) -> int:
        return len(self._pks)

    def describe(self) -> str:
        """Where the rows are, for people: ``milvus: collection … at …, generation …``."""
        return f"milvus: collection {self.name} at {self.config.uri}, generation {self.gen.number}"

    def add(self, vectors: np.ndarray) -> None:
        raise TypeError("a Milvus index changes through index.milvus_build, not row by row")

    def save(self, folder: Path) -> None:  # the rows live in Milvus; nothing local to write
        return None

    def filter(self, ids: np.ndarray | None) -> str:
        """The generation's filter, narrowed to the chunk positions ``ids``."""
        base = self.gen.filter
        if ids is None:
            return base
        picked = np.asarray(ids, dtype="int64")
        docs = sorted({self._docs[i] for i in picked.tolist()})
        if len(picked) > _PK_FILTER and sum(self._doc_rows[d] for d in docs) == len(picked):
            return f"{base} and doc_id in {_quoted(docs)}"
        return f"{base} and pk in {self._pks[picked].tolist()}"

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``client.<method>(...)``, a failing Milvus reported with its URI."""
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except Exception as exc:
            if not from_milvus(exc):
                raise
            raise unavailable(self.config, exc) from exc

    def call_with(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(client, name, *args)``, a failing Milvus reported with its URI."""
        try:
            return function(self.client, self.name, *args)
        except Exception as exc:
            if not from_milvus(exc):
                raise
            raise unavailable(self.config, exc) from exc

    def _hits(self, hits: Any, k: int, *, negate: bool = False) -> tuple[list[float], list[int]]:
        pairs = [(abs(float(h["distance"])) if negate else float(h["distance"]),
                  self._position.get(_pk(h), -1)) for h in hits]
        pairs = [(s, i) for s, i in pairs if i >= 0][:k]
        scores = [s for s, _ in pairs] + [-np.inf] * (k - len(pairs))
        return scores, [i for _, i in pairs] + [-1] * (k - len(pairs))

    def search(
        self, queries: np.ndarray, k: int, *, ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        q = np.ascontiguousarray(queries, dtype="float32").reshape(len(queries), -1)
        k = max(1, k)
        found = self.call("search", self.name, data=list(q), anns_field="vector", limit=k,
                          filter=self.filter(ids), search_params=_dense_params(self.spec))
        rows = [self._hits(hits, k) for hits in found]
        scores = np.array([r[0] for r in rows], dtype="float32").reshape(len(q), k)
        return scores, np.array([r[1] for r in rows], dtype="int64").reshape(len(q), k)

    def vectors(self, ids: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        wanted = np.arange(self.ntotal) if ids is None else np.asarray(ids, dtype="int64")
        if not len(wanted):
            return np.zeros((0, int(self.gen.manifest["dims"])), "float32")
        pks = self._pks[wanted].tolist()
        rows = self.call("get", self.name, ids=pks, output_fields=["vector"])
        by_pk = {int(r["pk"]): r["vector"] for r in rows}
        missing = [pk for pk in pks if pk not in by_pk]
        if missing:
            raise CorruptIndexError(f"Milvus collection {self.name}: rows {missing[:5]} are gone; "
                                    "reload the index (a later build removed them)")
        return np.asarray([by_pk[pk] for pk in pks], dtype="float32")

    def fused(self, qv: np.ndarray, query: str, depth: int, deep: int,
              ids: np.ndarray | None, rrf_k: int) -> list[tuple[int, float]]:
        """Dense and BM25 top ``deep`` fused by reciprocal rank, in Milvus: top ``depth``."""
        from pymilvus import AnnSearchRequest, RRFRanker

        terms = stems([query])[0]
        where = self.filter(ids)
        dense = AnnSearchRequest(data=[qv.astype("float32")], anns_field="vector",
                                 param=_dense_params(self.spec), limit=deep, expr=where)
        if not terms:  # no searchable word: the dense ranking alone, fused as local does
            return [(i, 1.0 / (rrf_k + r)) for r, i in enumerate(
                self.search(qv[None, :], deep, ids=ids)[1][0].tolist(), 1) if i >= 0][:depth]
        lexical = AnnSearchRequest(data=[terms], anns_field="bm25", param={}, limit=deep,
                                   expr=where)
        found = self.call("hybrid_search", self.name, [dense, lexical],
                          ranker=RRFRanker(rrf_k), limit=depth)
        scores, positions = self._hits(found[0], depth)
        return [(i, s) for s, i in zip(scores, positions, strict=True) if i >= 0]


def _pk(hit: Any) -> int:
    """A hit's primary key (pymilvus names it ``id`` or after the field)."""
    return int(hit["pk"] if "pk" in hit else hit["id"])


def _dense_params(spec: VectorSpec) -> dict[str, Any]:
    if spec.kind == "hnsw":
        return {"metric_type": "IP", "params": {"ef": spec.ef_search}}
    return {"metric_type": "IP"}


def _quoted(values: Sequence[str]) -> str:
    return json.dumps(list(values))


class MilvusLexical(LexicalIndex):
    """BM25 over the chunks' stems, by Milvus's built-in full-text search."""

    def __init__(self, vectors: MilvusVectors) -> None:
        super().__init__(None, vectors.ntotal, Tokens())
        self._store = vectors

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.search_within(query, k, None)

    def search_within(
        self, query: str, k: int, ids: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions and BM25 scores of the ``k`` best chunks among ``ids`` (all: None)."""
        terms = stems([query])[0]
        if not terms or self.size == 0:
            return np.zeros(0, dtype="int64"), np.zeros(0, dtype="float32")
        store = self._store
        k = min(k, self.size)
        found = store.call("search", store.name, data=[terms], anns_field="bm25", limit=k,
                           filter=store.filter(ids))
        scores, positions = store._hits(found[0], k, negate=True)  # Lite reports -BM25
        # Milvus scales BM25 by (k1 + 1), bm25s does not: divided, the scores are the local ones
        scale = 1.0 + BM25_PARAMS["bm25_k1"]
        keep = [(i, s / scale) for s, i in zip(scores, positions, strict=True) if i >= 0 and s > 0]
        return (np.array([i for i, _ in keep], dtype="int64"),
                np.array([s for _, s in keep], dtype="float32"))


def query_all(client: Any, name: str, where: str, fields: Sequence[str]) -> list[dict[str, Any]]:
    """Every row of ``name`` matching ``where``, in pages (a server caps one query's rows)."""
    iterator = client.query_iterator(name, batch_size=_PAGE, filter=where,
                                     output_fields=list(fields))
    rows: list[dict[str, Any]] = []
    try:
        while page := iterator.next():
            rows += page
    finally:
        iterator.close()
    return rows


def _read_rows(store: MilvusVectors) -> list[dict[str, Any]]:
    """Every row the generation shows, without vectors."""
    names = ["pk", "seq", "key", *(f.name for f in chunk_fields())]
    return list(store.call_with(query_all, store.gen.filter, names))


def open_generation(
    client: Any, config: MilvusConfig, name: str, gen: Generation, folder: Path
) -> StoredIndex:
    """The index as generation ``gen`` of collection ``name`` shows it (no embedding)."""
    spec = VectorSpec.from_manifest(gen.manifest.get("vector_index"))
    probe = MilvusVectors(client, config, name, gen, np.zeros(0, "int64"), [], spec)
    probe.call_with(ensure_loaded)
    order = {d: i for i, d in enumerate(gen.manifest["sources"])}
    rows = sorted(_read_rows(probe), key=lambda r: (order.get(r["doc_id"], len(order)), r["seq"]))
    if len(rows) != gen.manifest.get("n_chunks"):
        raise CorruptIndexError(f"Milvus collection {name}: generation {gen.number} shows "
                                f"{len(rows)} of its {gen.manifest.get('n_chunks')} chunks; "
                                "rebuild it with `qa index --store milvus --rebuild`")
    names = [f.name for f in chunk_fields()]
    chunks = [Chunk(**{n: r[n] for n in names}) for r in rows]
    pks = np.array([int(r["pk"]) for r in rows], dtype="int64")
    vectors = MilvusVectors(client, config, name, gen, pks, chunks, spec)
    side = side_folder(folder, gen.number)
    try:
        sentences, linguistics = SentenceTable.load(side), Linguistics.load(side)
    except (OSError, ValueError) as exc:
        raise StaleIndexError(
            f"no sentence table or linguistics of generation {gen.number} at {side} ({exc}); "
            "run `qa index --store milvus` here, or copy that folder from the machine that "
            "built it"
        ) from exc
    keys = np.array([r["key"] for r in rows], dtype=KEY_DTYPE)
    return StoredIndex(dict(gen.manifest), chunks, vectors, MilvusLexical(vectors), side,
                       sentences, keys, linguistics)
