"""Vector stores: exact or approximate nearest-neighbour search behind one small interface.

Retrieval talks to a :class:`VectorStore` only, so another engine can replace
FAISS without touching it. Kinds, chosen by :func:`auto_spec` from the corpus size:

- ``flat``: exact inner-product search (``IndexFlatIP``). One query scans every
  vector, ~2.5 ms per 20,000 × 384 on one of these cores, so it is the choice up to
  :data:`EXACT_LIMIT` vectors, where it stays within the retrieval budget.
- ``hnsw``: a graph (``IndexHNSWFlat``); sub-millisecond queries at a million
  vectors, recall set by ``ef_search``. Chosen above :data:`EXACT_LIMIT`.
- ``ivf``: inverted lists (``IndexIVFFlat``), recall set by ``nprobe``; builds far
  faster than HNSW and memory-maps well: offered for often rebuilt corpora.

Every kind reconstructs vectors cheaply (HNSW from its flat storage, IVF by a
direct id map): that serves ``vectors(ids)``, the build's embedding cache and
exact search in small filtered subsets, so no second copy is kept. Large files
are memory-mapped. Recall is measured, never assumed: :func:`measure_recall`.

    >>> import numpy as np
    >>> x = np.eye(4, dtype="float32")
    >>> store = make_store(VectorSpec("flat"), 4)
    >>> store.add(x)
    >>> store.search(x[:1], 2)[1][0].tolist()[0]
    0
    >>> auto_spec(1_000_000).kind
    'hnsw'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

__all__ = [
    "EXACT_LIMIT",
    "EXACT_SUBSET",
    "KINDS",
    "LARGE",
    "MMAP_BYTES",
    "FaissStore",
    "VectorSpec",
    "VectorStore",
    "auto_spec",
    "build_store",
    "load_store",
    "make_store",
    "measure_recall",
]

EXACT_LIMIT = 50_000  # a flat scan of 50,000 × 384 takes ~6 ms a query on one core here
LARGE = 500_000  # from here HNSW searches wider (see auto_spec)
EXACT_SUBSET = 50_000  # a filter allowing at most this many ids is searched exactly
MMAP_BYTES = 256 * 2**20  # index files larger than this are memory-mapped, not read
_INDEX = "vectors.faiss"
_BATCH = 20  # FAISS's own switch from per-query scans to BLAS


@dataclass(frozen=True)
class VectorSpec:
    """Which index to build and how: stored in ``manifest.json`` as ``vector_index``.

    >>> VectorSpec("ivf", nlist=1024).to_dict()["nprobe"]
    32
    """

    kind: str = "flat"
    m: int = 32  # hnsw: neighbours per node
    ef_construction: int = 80
    ef_search: int = 128
    nlist: int = 0  # ivf: lists; 0 = 4·√n at build time
    nprobe: int = 32

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_manifest(cls, value: Any) -> VectorSpec:
        """The spec of a manifest entry (old indexes say just ``"flat-ip"``)."""
        if isinstance(value, dict):
            known = {k: v for k, v in value.items() if k in cls.__dataclass_fields__}
            return cls(**known)
        return cls("flat")


KINDS = ("flat", "hnsw", "ivf")


def auto_spec(n: int) -> VectorSpec:
    """The index for ``n`` vectors: exact while that is fast enough, else HNSW.

    A bigger graph needs a wider search for the same recall: on a million
    synthetic sentence-like vectors efSearch 128, 256, 384 reached recall@10
    0.84, 0.94, 0.97 at 1.8, 4.2, 5.0 ms, so large stores get 320 (BENCHMARKS.md).
    """
    if n <= EXACT_LIMIT:
        return VectorSpec("flat")
    return VectorSpec("hnsw", ef_search=128 if n < LARGE else 320)


class VectorStore(Protocol):
    """What retrieval needs from a vector engine; ids are row numbers from 0."""

    spec: VectorSpec

    @property
    def ntotal(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None: ...

    def search(  # scores and ids (n_queries, k), best first, -1 pads; ids restricts
        self, queries: np.ndarray, k: int, *, ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def vectors(self, ids: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Stored vectors of ``ids`` (all when ``None``)."""

    def save(self, folder: Path) -> None: ...


def _factory(spec: VectorSpec, dim: int) -> Any:  # faiss's stubs lack the subclasses
    if spec.kind == "flat":
        return faiss.IndexFlatIP(dim)
    if spec.kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, spec.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = spec.ef_construction
        return index
    if spec.kind == "ivf":
        quantizer = faiss.IndexFlatIP(dim)
        return faiss.IndexIVFFlat(quantizer, dim, max(spec.nlist, 1), faiss.METRIC_INNER_PRODUCT)
    raise ValueError(f"unknown vector index kind {spec.kind!r}; use one of {KINDS}")


class FaissStore:
    """A FAISS index of one of :data:`KINDS`."""

    def __init__(self, spec: VectorSpec, index: Any) -> None:
        self.spec = spec
        self.index: Any = index
        self._tune()

    def _tune(self) -> None:
        if self.spec.kind == "hnsw":
            self.index.hnsw.efSearch = self.spec.ef_search
        elif self.spec.kind == "ivf":
            self.index.nprobe = self.spec.nprobe

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def add(self, vectors: np.ndarray) -> None:
        """Add rows (L2-normalised float32); IVF trains on the first batch."""
        x = np.ascontiguousarray(vectors, dtype="float32").reshape(-1, self.dim)
        if not len(x):
            return
        if self.spec.kind == "ivf" and not self.index.is_trained:
            self._train(x)
        self.index.add(x)

    def _train(self, x: np.ndarray) -> None:
        # 4·√n lists; k-means wants ≥ 39 training points a list
        nlist = max(1, min(self.spec.nlist or int(4 * np.sqrt(len(x))), len(x) // 39))
        self.spec = VectorSpec(**{**self.spec.to_dict(), "nlist": nlist})
        self.index = _factory(self.spec, self.dim)
        self.index.set_direct_map_type(faiss.DirectMap.Array)  # type: ignore[attr-defined]  # cheap reconstruct(id)
        limit = nlist * 64  # more training points only cost time
        pick = np.random.default_rng(0).choice(len(x), min(limit, len(x)), replace=False)
        sample = x if len(x) <= limit else x[np.sort(pick)]
        self.index.train(sample)
        self._tune()

    def vectors(self, ids: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        if ids is None:
            return self.index.reconstruct_n(0, self.ntotal)
        wanted = np.asarray(ids, dtype="int64")
        empty = np.zeros((0, self.dim), "float32")
        return self.index.reconstruct_batch(wanted) if len(wanted) else empty

    def search(
        self, queries: np.ndarray, k: int, *, ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        q = np.ascontiguousarray(queries, dtype="float32").reshape(-1, self.dim)
        k = max(1, k)
        with _threads(1 if len(q) < _BATCH else 0):
            return self._search(q, k, ids)

    def _search(
        self, q: np.ndarray, k: int, ids: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if ids is None:
            return self.index.search(q, k)
        wanted = np.asarray(ids, dtype="int64")
        if len(wanted) <= EXACT_SUBSET:
            return _subset_search(self, q, k, wanted)
        selector = faiss.IDSelectorBatch(wanted)  # kept alive until the search ends
        return self.index.search(q, k, params=self._params(selector))

    def _params(self, selector: Any) -> Any:
        """A large filter: FAISS skips the other ids while it searches."""
        params: Any
        if self.spec.kind == "hnsw":
            # filtered-out nodes still route the walk but fill no result slots: look wider
            params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
            params.efSearch = self.spec.ef_search * 2
        elif self.spec.kind == "ivf":
            params = faiss.SearchParametersIVF()
            params.nprobe = self.spec.nprobe * 2
        else:
            params = faiss.SearchParameters()
        params.sel = selector
        return params

    def save(self, folder: Path) -> None:
        faiss.write_index(self.index, str(folder / _INDEX))


@contextlib.contextmanager
def _threads(n: int) -> Iterator[None]:
    """Run FAISS on ``n`` threads (0: unchanged) within the block.

    OpenMP hand-offs made one 20,000-vector flat query 3× slower on 2 busy cores.
    """
    if n <= 0:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _subset_search(
    store: FaissStore, q: np.ndarray, k: int, ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exact search among ``ids`` only: right for any index kind, fast for small subsets."""
    scores = np.full((len(q), k), -np.inf, dtype="float32")
    out = np.full((len(q), k), -1, dtype="int64")
    if not len(ids):
        return scores, out
    sims = q @ store.vectors(ids).T
    top = min(k, len(ids))
    best = np.argsort(-sims, axis=1, kind="stable")[:, :top]
    scores[:, :top] = np.take_along_axis(sims, best, axis=1)
    out[:, :top] = ids[best]
    return scores, out


def make_store(spec: VectorSpec, dim: int) -> FaissStore:
    """An empty store of ``spec``'s kind."""
    return FaissStore(spec, _factory(spec, dim))


def load_store(folder: Path, spec: VectorSpec, *, mmap: bool | None = None) -> FaissStore:
    """The store saved in ``folder``; memory-mapped when ``mmap`` (default: when large).

    A mapped index pages vectors in as searches touch them: little resident memory.
    """
    path = folder / _INDEX
    if mmap is None:
        mmap = path.stat().st_size > MMAP_BYTES
    # IVF maps its inverted lists; flat and HNSW map their flat vector storage
    mapped = faiss.IO_FLAG_MMAP if spec.kind == "ivf" else faiss.IO_FLAG_MMAP_IFC
    flags = mapped | faiss.IO_FLAG_READ_ONLY if mmap else 0
    return FaissStore(spec, faiss.read_index(str(path), flags))


def build_store(vectors: np.ndarray, spec: VectorSpec | None = None) -> FaissStore:
    """A store holding ``vectors``, of ``spec``'s kind or the automatic one."""
    store = make_store(spec or auto_spec(len(vectors)), vectors.shape[1])
    store.add(vectors)
    return store


def measure_recall(
    store: VectorStore, exact: VectorStore, queries: np.ndarray, k: int = 10
) -> float:
    """Mean recall@k of ``store`` against ``exact`` search over the same vectors.

    >>> x = np.random.default_rng(0).standard_normal((50, 8)).astype("float32")
    >>> measure_recall(build_store(x), build_store(x), x[:5], 3)
    1.0
    """
    _, got = store.search(queries, k)
    _, truth = exact.search(queries, k)
    hits = [len(set(g[g >= 0]) & set(t[t >= 0])) / max(1, (t >= 0).sum())
            for g, t in zip(got, truth, strict=True)]
    return float(np.mean(hits)) if hits else 1.0

