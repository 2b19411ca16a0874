"""The Milvus store beside the local one: build, query p50/p95, and recall against exact search.

Two parts, each measured side by side in one run:

- ``sotu``: the State of the Union archive built into both stores (or reopened:
  ``--milvus-uri`` with a collection already built, ``--sotu-index`` for the local
  folder), then the archive questions asked of each: dense and hybrid retrieval
  latency, and how many of the local store's top 5 Milvus returns;
- ``vectors``: ``n`` synthetic sentence-like vectors (:func:`bench.ann.clustered_vectors`)
  in a Milvus collection and in FAISS, the same index kind in both (HNSW above
  the exact limit, as locally, or ``kind``): insert/build seconds, query
  p50/p95 one query at a time, recall@10 against exact search.

    >>> [f.name for f in run_vectors(500, log=lambda _: None)][:2]
    ['500 vectors milvus insert + index', '500 vectors milvus query']
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.ann import LATENCY_QUERIES, RECALL_QUERIES, clustered_vectors
from bench.common import Figure, Stat
from bench.sotu import SOTU_QUESTIONS, write_sotu
from index import milvus_conn  # noqa: F401  (quiets Milvus Lite's logs of unimplemented calls)
from index.embed import Embedder
from index.vectors import LARGE, VectorSpec, auto_spec, build_store

__all__ = ["run_milvus_sotu", "run_vectors", "vector_spec"]

Log = Callable[[str], None]
INSERT_BATCH = 20_000  # rows an insert call: 30 MB of vectors, well inside gRPC's 256 MB
RECALL_BATCH = 100  # queries a search call when only the ids count
IVF_NLIST = 1024  # one Lite segment holds about 150,000 rows: ~150 a list there
IVF_NPROBE = 96  # ~9% of the rows: clustered 384-d vectors need a wide probe (BENCHMARKS.md)


def _timed_load(corpus: Path, index_dir: Path, embedder: Embedder, **kw: Any) -> tuple[Any, float]:
    import qa

    started = time.perf_counter()
    bot = qa.load(corpus, index_dir=index_dir, embedder=embedder, **kw)
    return bot, time.perf_counter() - started


def _latency(bot: Any, retriever: str, repeats: int) -> Stat:
    times = []
    for _ in range(repeats):
        for q in SOTU_QUESTIONS:
            started = time.perf_counter()
            bot.retrieve(q, 5, retriever=retriever)
            times.append(time.perf_counter() - started)
    return Stat.of(times).scaled(1000)


def _overlap(a: Any, b: Any, retriever: str) -> float:
    shares = []
    for q in SOTU_QUESTIONS:
        x = {(p.doc_id, p.start) for p in a.retrieve(q, 5, retriever=retriever)}
        y = {(p.doc_id, p.start) for p in b.retrieve(q, 5, retriever=retriever)}
        shares.append(len(x & y) / max(1, len(y)))
    return float(np.mean(shares))


def run_milvus_sotu(embedder: Embedder, *, repeats: int, limit: int | None = None,
                    milvus_uri: str | None = None, reuse: Path | None = None,
                    log: Log = print) -> list[Figure]:
    """Both stores over the archive: build (unless reused) and questions."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_sotu(Path(tmp) / "sotu", limit=limit)
        local_dir = Path(tmp) / "index"
        if reuse is not None:
            shutil.copytree(reuse, local_dir)
        embedder.encode(["warm up"])
        n = len(list(corpus.glob("*.txt")))
        log(f"milvus: local store over {n} addresses ...")
        local, local_s = _timed_load(corpus, local_dir, embedder)
        log(f"milvus: Milvus store over {n} addresses ({milvus_uri or 'Milvus Lite'}) ...")
        uri = milvus_uri or str(Path(tmp) / "milvus.db")
        milvus, milvus_s = _timed_load(corpus, local_dir, embedder, store="milvus",
                                       milvus_uri=uri)
        built = milvus.build_report is not None
        extra = {"documents": n, "chunks": len(milvus.searcher.stored.chunks),
                 "uri": "Milvus Lite (temp file)" if milvus_uri is None else milvus_uri,
                 "dense_top5_overlap": _overlap(milvus, local, "dense"),
                 "hybrid_top5_overlap": _overlap(milvus, local, "hybrid")}
        figures = [
            Figure("milvus sotu build" if built else "milvus sotu open", Stat.of([milvus_s]),
                   "s", extra=extra),
            Figure("local sotu build" if local.build_report else "local sotu open",
                   Stat.of([local_s]), "s"),
        ]
        for retriever in ("dense", "hybrid"):
            for name, bot in (("milvus", milvus), ("local", local)):
                figures.append(Figure(f"{name} sotu {retriever} retrieve",
                                      _latency(bot, retriever, repeats), "ms"))
    return figures


def _exact_ids(data: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return build_store(data, VectorSpec("flat")).search(queries, k)[1]


def _recall(got: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(g[g >= 0]) & set(t)) / len(t)
                          for g, t in zip(got, truth, strict=True)]))


def vector_spec(n: int, kind: str | None = None) -> VectorSpec:
    """The index both stores get for ``n`` vectors: the automatic choice unless ``kind``.

    An IVF gets ``IVF_NLIST`` lists in FAISS and in each Milvus segment alike, so
    both scan the same share of the rows (nprobe / nlist) a query.

    >>> vector_spec(1_000_000, "flat").kind, vector_spec(1_000_000).kind
    ('flat', 'hnsw')
    >>> vector_spec(1_000_000, "ivf").nlist
    1024
    """
    auto = auto_spec(n)
    if kind is None or kind == auto.kind:
        return auto
    if kind == "ivf":
        return VectorSpec("ivf", nlist=min(IVF_NLIST, max(1, n // 39)), nprobe=IVF_NPROBE)
    return VectorSpec(kind, ef_search=auto_spec(LARGE).ef_search if n >= LARGE else 128)


def _segments(folder: Path) -> int:
    """How many segments (data files) Lite keeps: each gets its own index and search."""
    return len(list(folder.glob("vectors.db/collections/*/partitions/*/data/data_*.parquet")))


def _milvus_collection(data: np.ndarray, spec: VectorSpec,
                       folder: Path) -> tuple[Any, float, float]:
    """A Lite collection holding ``data`` (ids = row numbers): insert and index seconds.

    The rows go in first, in large batches, with no index declared; the index is
    declared after the last flush, so each segment's index is built once
    (declared up front, Lite builds one per flushed segment while rows still
    arrive, and again for segments compaction merges).
    """
    from pymilvus import DataType, MilvusClient

    client = MilvusClient(str(folder / "vectors.db"))
    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=data.shape[1])
    client.create_collection("bench", schema=schema)
    started = time.perf_counter()
    for at in range(0, len(data), INSERT_BATCH):
        block = data[at : at + INSERT_BATCH]
        client.insert("bench", [{"pk": at + i, "vector": v} for i, v in enumerate(block)])
    client.flush("bench")
    inserted = time.perf_counter()
    params = client.prepare_index_params()
    if spec.kind == "hnsw":
        params.add_index("vector", index_type="HNSW", metric_type="IP",
                         params={"M": spec.m, "efConstruction": spec.ef_construction})
    elif spec.kind == "ivf":
        params.add_index("vector", index_type="IVF_FLAT", metric_type="IP",
                         params={"nlist": spec.nlist})
    else:
        params.add_index("vector", index_type="FLAT", metric_type="IP")
    _create_index(client, params)
    client.load_collection("bench")
    return client, inserted - started, time.perf_counter() - inserted


def _create_index(client: Any, params: Any) -> None:
    """Declare the index; a retry that finds it declared is the same success.

    Lite's gRPC server answers a long index build's keepalive pings with GOAWAY
    (too_many_pings); pymilvus then retries the call, and the retry finds the index
    the first call declared (seen at 100,000 HNSW vectors: 276 s, then this).
    """
    from pymilvus import MilvusException

    try:
        client.create_index("bench", params)
    except MilvusException as exc:
        if "already exists" not in str(exc):
            raise


def _hit_ids(hits: list[Any], k: int) -> np.ndarray:
    found = np.full(k, -1, dtype="int64")
    pks = [int(h["pk"] if "pk" in h else h["id"]) for h in hits][:k]
    found[: len(pks)] = pks
    return found


def _milvus_search(client: Any, spec: VectorSpec, queries: np.ndarray,
                   k: int) -> tuple[np.ndarray, list[float]]:
    """Latency of the first queries one at a time; ids of all, asked in batches.

    Each Lite search call walks every stored row in Python (deduplication by
    primary key, tombstones) before it searches the segments' indexes, so a
    batch pays that once; one at a time is what a chatbot does.
    """
    params: dict[str, Any] = {"metric_type": "IP"}
    if spec.kind == "hnsw":
        params["params"] = {"ef": spec.ef_search}
    elif spec.kind == "ivf":
        params["params"] = {"nprobe": spec.nprobe}
    times = []
    for q in queries[:LATENCY_QUERIES]:
        started = time.perf_counter()
        client.search("bench", data=[q], anns_field="vector", limit=k, search_params=params)
        times.append(time.perf_counter() - started)
    rows = []
    for at in range(0, len(queries), RECALL_BATCH):
        block = list(queries[at : at + RECALL_BATCH])
        found = client.search("bench", data=block, anns_field="vector", limit=k,
                              search_params=params)
        rows += [_hit_ids(hits, k) for hits in found]
    return np.stack(rows), times


def _milvus_figures(n: int, data: np.ndarray, queries: np.ndarray, truth: np.ndarray,
                    spec: VectorSpec, log: Log) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        log(f"milvus: {n:,} × {data.shape[1]} vectors into Milvus Lite ({spec.kind}) ...")
        client, insert_s, index_s = _milvus_collection(data, spec, Path(tmp))
        segments = _segments(Path(tmp))
        log(f"milvus: inserted in {insert_s:.0f} s ({segments} segments), "
            f"indexed in {index_s:.0f} s; querying ...")
        ids, times = _milvus_search(client, spec, queries, 10)
        client.close()
    recall = _recall(ids, truth)
    return [
        Figure(f"{n:,} vectors milvus insert + index", Stat.of([insert_s + index_s]), "s",
               extra={"spec": spec.to_dict(), "recall@10": recall, "insert_s": insert_s,
                      "index_s": index_s, "segments": segments}),
        Figure(f"{n:,} vectors milvus query", Stat.of(times).scaled(1000), "ms"),
        Figure(f"{n:,} vectors milvus recall@10", Stat.of([recall]), ""),
    ]


def run_vectors(n: int, *, dim: int = 384, kind: str | None = None,
                log: Log = print) -> list[Figure]:
    """``n`` synthetic vectors in Milvus Lite and in FAISS, same index kind, same queries."""
    data = clustered_vectors(n, dim, seed=0)
    queries = clustered_vectors(max(LATENCY_QUERIES, min(RECALL_QUERIES, n)), dim, seed=1)
    spec = vector_spec(n, kind)
    truth = _exact_ids(data, queries, 10)
    figures = _milvus_figures(n, data, queries, truth, spec, log)
    log(f"milvus: the same {n:,} vectors in FAISS ({spec.kind}) ...")
    started = time.perf_counter()
    store = build_store(data, spec)
    build_s = time.perf_counter() - started
    local_times = []
    for q in queries[:LATENCY_QUERIES]:
        started = time.perf_counter()
        store.search(q[None, :], 10)
        local_times.append(time.perf_counter() - started)
    local_recall = _recall(store.search(queries, 10)[1], truth)
    return [*figures,
            Figure(f"{n:,} vectors local build", Stat.of([build_s]), "s"),
            Figure(f"{n:,} vectors local query", Stat.of(local_times).scaled(1000), "ms"),
            Figure(f"{n:,} vectors local recall@10", Stat.of([local_recall]), "")]
