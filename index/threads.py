"""Run a single query's model work on one thread.

torch splits even a one-question encode over its intra-op threads (one per
core). On a machine whose cores are busy with other work, a descheduled
thread stalls the others at every operator's barrier: warm ``ask`` on the seed
measured p50 632 ms / p95 1052 ms with two threads at load 6, and p50 64 ms /
p95 95 ms with one (BENCHMARKS.md). Bulk encoding during a build keeps every
thread: there the split pays.

Bulk ONNX encoding works the other way round (:func:`embed_workers`): one worker
thread per core, each running whole batches on a one-thread session. Workers share
no barrier, so a core taken by another process slows one batch, not every operator,
and a third runnable thread (the build's chunking) only time-shares.

    >>> with single_threaded():
    ...     pass
    >>> embed_workers({"QA_EMBED_THREADS": "3"})
    3
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Mapping

__all__ = ["embed_workers", "single_threaded"]

# torch's setting is OpenMP's, which belongs to the calling thread: so is this state
_local = threading.local()


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """torch on one intra-op thread within the block (a no-op when torch is not loaded).

    The setting is per calling thread (as OpenMP's is), so concurrent questions in
    other threads and builds elsewhere are unaffected; nested blocks restore once.
    """
    torch = sys.modules.get("torch")
    if torch is None or getattr(_local, "inside", False):
        yield
        return
    before = torch.get_num_threads()
    _local.inside = True
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        _local.inside = False
        if before != 1:
            torch.set_num_threads(before)


def embed_workers(env: Mapping[str, str] | None = None) -> int:
    """Worker threads for bulk embedding: ``$QA_EMBED_THREADS``, else the usable cores."""
    value = (os.environ if env is None else env).get("QA_EMBED_THREADS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            from index.errors import InvalidInputError

            raise InvalidInputError(
                f"QA_EMBED_THREADS must be a whole number, not {value!r}") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)
