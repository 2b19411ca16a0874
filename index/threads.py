"""Run a single query's model work on one thread.

torch splits even a one-question encode over its intra-op threads (one per
core). On a machine whose cores are busy with other work, a descheduled
thread stalls the others at every operator's barrier: warm ``ask`` on the seed
measured p50 632 ms / p95 1052 ms with two threads at load 6, and p50 64 ms /
p95 95 ms with one (BENCHMARKS.md). Bulk encoding during a build keeps every
thread: there the split pays.

    >>> with single_threaded():
    ...     pass
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

__all__ = ["single_threaded"]

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
