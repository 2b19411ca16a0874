"""Embedding in the background while the build goes on: sentences first, passages after.

A build submits its sentence texts, chunks its documents while they embed, then
submits the passages: tokenizing, chunking and BM25 stemming in the calling thread
overlap the model's work in the pipeline's thread (ONNX Runtime and torch release
the GIL while they compute). Each submitted job looks its texts up in the
:class:`~index.incremental.VectorCache` (the previous index, this build's earlier
jobs, the disk cache), embeds only what is missing, longest first, and stores each
batch in the disk cache as it comes, so an interrupted build keeps what it paid for.

Progress goes to a callback (:mod:`index.progress`). Leaving the ``with`` block by
an exception (Ctrl-C included) stops the job after the batches already running and
waits for it, so nothing is left half-written; the exception then goes on.

    >>> from index.embed import HashingEmbedder
    >>> from index.incremental import VectorCache
    >>> with EmbedPipeline(HashingEmbedder(dim=8), VectorCache([], [])) as pipe:
    ...     job = pipe.submit(["a cat", "a dog", "a cat"])
    >>> vectors, keys, embedded = job.result()
    >>> vectors.shape, len(embedded)
    ((3, 8), 2)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from types import TracebackType
from typing import Any

import numpy as np

from index.embed import Embedder
from index.progress import OnProgress, Progress, ProgressBar, current

__all__ = ["SLICE", "EmbedPipeline", "Embedded", "Job"]

Embedded = tuple[np.ndarray, np.ndarray, set[bytes]]  # vectors, keys, keys embedded now
SLICE = 64  # texts an encode call, for embedders that do not report batches
_STORE_EVERY = 512  # rows between disk-cache commits


class _Stopped(Exception):
    """Raised inside the job when the build is being left."""


class Job:
    """A submitted job; :meth:`result` waits for it, and Ctrl-C still gets through."""

    def __init__(self, future: Future[Embedded]) -> None:
        self._future = future

    def result(self) -> Embedded:
        # a signal may reach another thread, and a blocked wait would not notice it
        # until the job ends: wake often, so Python runs the handler in this thread
        while True:
            try:
                return self._future.result(timeout=0.1)
            except FutureTimeout:
                continue


class EmbedPipeline:
    """Jobs of texts embedded one after another in one background thread."""

    def __init__(self, embedder: Embedder, cache: Any, *, progress: bool = False,
                 on_progress: OnProgress | None = None) -> None:
        self.embedder, self.cache = embedder, cache
        self._report = on_progress or current() or (ProgressBar() if progress else None)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="qa-build-embed")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._started = time.perf_counter()
        self._counts = [0, 0, 0, 0]  # texts done, texts known, chars done, chars known

    def submit(self, texts: Sequence[str]) -> Job:
        """Start embedding ``texts`` after the jobs before; the job's result is what
        :meth:`index.incremental.VectorCache.embed` gives."""
        return Job(self._pool.submit(self._job, list(texts)))

    def __enter__(self) -> EmbedPipeline:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is not None:
            self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=kind is not None)
        if kind is None:
            self._emit(finished=True)

    def _job(self, texts: list[str]) -> Embedded:
        keys, todo = self.cache.missing(texts)
        with self._lock:
            self._counts[1] += len(todo)
            self._counts[3] += sum(map(len, todo.values()))
        if todo:
            self._embed(list(todo), list(todo.values()))
        return self.cache.rows(keys, self.embedder.dim), keys, set(todo)

    def _embed(self, keys: list[bytes], texts: list[str]) -> None:
        """Embed ``texts``, handing each batch to the cache as it is done."""
        waiting: list[tuple[list[int], np.ndarray]] = []

        def on_batch(rows: Sequence[int], vectors: np.ndarray) -> None:
            waiting.append((list(rows), vectors))
            if self._stop.is_set():
                raise _Stopped  # what is done is stored on the way out
            if sum(len(r) for r, _ in waiting) >= _STORE_EVERY:
                self._store(keys, texts, waiting)
            with self._lock:
                self._counts[0] += len(rows)
                self._counts[2] += sum(len(texts[i]) for i in rows)
            self._emit()

        try:
            _encode_batches(self.embedder, texts, on_batch)
        finally:
            self._store(keys, texts, waiting)  # even when stopped: what is done is kept

    def _store(self, keys: list[bytes], texts: list[str],
               waiting: list[tuple[list[int], np.ndarray]]) -> None:
        if waiting:
            rows = [i for r, _ in waiting for i in r]
            self.cache.add([keys[i] for i in rows], np.concatenate([v for _, v in waiting]))
            waiting.clear()

    def _emit(self, *, finished: bool = False) -> None:
        if self._report is None:
            return
        with self._lock:
            done, total, work, work_total = self._counts
        if finished and not total:
            return  # nothing was embedded: no bar to show or close
        self._report(Progress(done, total, time.perf_counter() - self._started, work,
                              work_total, finished))


def _encode_batches(embedder: Embedder, texts: list[str],
                    on_batch: Callable[[Sequence[int], np.ndarray], None]) -> None:
    """``on_batch(rows, vectors)`` for every batch of ``texts`` the embedder finishes.

    Embedders with ``encode_batches`` (ONNX) stream their own length-sorted batches;
    the others get slices of :data:`SLICE` texts of similar length, longest first.
    """
    stream = getattr(embedder, "encode_batches", None)
    if stream is not None:
        stream(texts, on_batch)
        return
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    for at in range(0, len(order), SLICE):
        rows = order[at : at + SLICE]
        on_batch(rows, embedder.encode([texts[i] for i in rows]))
