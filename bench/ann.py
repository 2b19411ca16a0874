"""Synthetic vectors: build time, memory, query latency and recall@10 of every index kind.

The vectors imitate sentence embeddings: unit vectors around many topic centres,
with a within-topic spread like MiniLM's (a point's cosine to its centre ≈ 0.7,
to a topic neighbour ≈ 0.5). Neighbours inside a topic are then nearly as hard
to tell apart as in real data; uniform random vectors would be harder still,
tight clusters far easier. Queries are fresh draws from the same distribution.

    >>> x = clustered_vectors(100, 16, seed=1)
    >>> x.shape, round(float((x * x).sum(axis=1).mean()), 3)
    ((100, 16), 1.0)
"""

from __future__ import annotations

import gc
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Figure, Stat, rss_mb
from index.vectors import (
    FaissStore,
    VectorSpec,
    auto_spec,
    load_store,
    make_store,
    measure_recall,
)

__all__ = ["clustered_vectors", "run_ann"]

LATENCY_QUERIES = 200  # one at a time, as a chatbot asks
RECALL_QUERIES = 1000


def clustered_vectors(
    n: int, dim: int, *, seed: int, topics: int = 4096, rank: int = 48
) -> np.ndarray:
    """``n`` unit vectors around ``topics`` random centres (built in blocks: frugal).

    The spread around a centre has ``rank`` directions (sentence embeddings vary
    along far fewer directions than their 384 dimensions), with norm ≈ 1.
    """
    fixed = np.random.default_rng(12345)
    centres = fixed.standard_normal((topics, dim)).astype("float32")
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    spread = fixed.standard_normal((rank, dim)).astype("float32") / np.sqrt(rank * dim)
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype="float32")
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        labels = rng.integers(0, topics, stop - start)
        noise = rng.standard_normal((stop - start, rank), dtype="float32") @ spread
        block = centres[labels] + noise * np.sqrt(dim)
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def _latency(store: FaissStore, queries: np.ndarray, k: int) -> Stat:
    times = []
    for q in queries[:LATENCY_QUERIES]:
        started = time.perf_counter()
        store.search(q[None, :], k)
        times.append(time.perf_counter() - started)
    return Stat.of(times).scaled(1000)


def _build(spec: VectorSpec, data: np.ndarray) -> tuple[FaissStore, float, float]:
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    store = make_store(spec, data.shape[1])
    store.add(data)
    return store, time.perf_counter() - started, rss_mb() - before


def _sweep(store: FaissStore, exact: FaissStore, queries: np.ndarray) -> list[dict[str, Any]]:
    """Recall and latency at several search widths (efSearch or nprobe)."""
    knob = {"hnsw": "ef_search", "ivf": "nprobe"}.get(store.spec.kind)
    if knob is None:
        return []
    base = store.spec
    points = []
    for value in (64, 128, 256, 320, 384, 512):
        store.spec = VectorSpec(**{**base.to_dict(), knob: value})
        store._tune()
        points.append({knob: value, "recall@10": measure_recall(store, exact, queries, 10),
                       "ms_p50": _latency(store, queries, 10).median})
    store.spec = base
    store._tune()
    return points


def _mapped(store: FaissStore, queries: np.ndarray) -> dict[str, float]:
    """Save, load memory-mapped, and measure resident memory and latency."""
    with tempfile.TemporaryDirectory() as tmp:
        store.save(Path(tmp))
        size = (Path(tmp) / "vectors.faiss").stat().st_size / 2**20
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        mapped = load_store(Path(tmp), store.spec, mmap=True)
        load_s = time.perf_counter() - started
        resident = rss_mb() - before
        first = _latency(mapped, queries[:20], 10).median
        warm = _latency(mapped, queries, 10).median
        del mapped
    return {"file_mib": size, "mmap_load_s": load_s, "mmap_rss_mib": resident,
            "mmap_first_ms_p50": first, "mmap_warm_ms_p50": warm}


def _one_kind(
    built: tuple[FaissStore, float, float], data: np.ndarray, queries: np.ndarray,
    exact: FaissStore, chosen: bool,
) -> list[Figure]:
    store, build_s, mem = built
    spec = store.spec
    recall = measure_recall(store, exact, queries[:RECALL_QUERIES], 10)
    lat = _latency(store, queries, 10)
    chosen = chosen and len(data) >= 1_000_000  # the target is set for a million vectors
    target = "recall ≥ 0.95 at ≤ 5 ms" if chosen else ""
    met = (recall >= 0.95 and lat.median <= 5) if chosen else None
    extra: dict[str, Any] = {"spec": store.spec.to_dict(), "build_s": build_s, "memory_mib": mem,
                             "recall@10": recall, "sweep": _sweep(store, exact, queries)}
    if spec.kind != "flat":
        extra |= _mapped(store, queries)
    name = f"{len(data):,} vectors {spec.kind}{' (auto)' if chosen else ''}"
    del store
    gc.collect()
    return [
        Figure(f"{name} build", Stat.of([build_s]), "s", extra=extra),
        Figure(f"{name} memory", Stat.of([mem]), "MiB"),
        Figure(f"{name} recall@10", Stat.of([recall]), "", target if chosen else "", met),
        Figure(f"{name} query", lat, "ms", "≤ 5 ms" if chosen else "",
               lat.median <= 5 if chosen else None),
    ]


def run_ann(n: int, *, dim: int = 384, kinds: tuple[str, ...] = ("flat", "hnsw", "ivf"),
            log: Any = print) -> list[Figure]:
    """Every index kind over ``n`` synthetic vectors, recall measured against exact search."""
    data = clustered_vectors(n, dim, seed=0)
    queries = clustered_vectors(max(LATENCY_QUERIES, min(RECALL_QUERIES, n)), dim, seed=1)
    exact_built = _build(VectorSpec("flat"), data)
    exact = exact_built[0]
    auto = auto_spec(n)
    figures: list[Figure] = []
    for kind in kinds:
        log(f"ann: {n:,} × {dim} {kind} ...")
        spec = auto if kind == auto.kind else VectorSpec(kind)
        built = exact_built if kind == "flat" else _build(spec, data)
        figures += _one_kind(built, data, queries, exact, kind == auto.kind)
        del built
    return figures
