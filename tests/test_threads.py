"""A single query's encode runs torch on one thread; bulk work keeps every thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np
import pytest
import torch

import qa
from index.embed import HashingEmbedder
from index.threads import single_threaded


@pytest.fixture
def two_threads() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_nested_blocks_restore_and_other_threads_are_untouched(two_threads: None) -> None:
    seen: dict[str, int] = {}
    entered, release = threading.Barrier(2), threading.Event()

    def other() -> None:  # another thread's setting is its own (OpenMP's is per thread)
        torch.get_num_threads()  # torch copies its last global setting on a thread's first use
        torch.set_num_threads(2)
        entered.wait()
        release.wait()
        seen["other"] = torch.get_num_threads()

    worker = threading.Thread(target=other)
    worker.start()
    with single_threaded():
        entered.wait()
        with single_threaded():
            seen["nested"] = torch.get_num_threads()
        seen["outer"] = torch.get_num_threads()
        release.set()
        worker.join()
    assert seen == {"nested": 1, "outer": 1, "other": 2} and torch.get_num_threads() == 2


class ThreadRecordingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.threads: list[tuple[int, int]] = []

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.threads.append((len(texts), torch.get_num_threads()))
        return super().encode(texts, progress=progress)


def test_questions_encode_on_one_thread_and_builds_on_all(
    two_threads: None, seed_path: object, tmp_path: object
) -> None:
    emb = ThreadRecordingEmbedder()
    bot = qa.load(seed_path, index_dir=f"{tmp_path}/i", embedder=emb)  # type: ignore[arg-type]
    assert emb.threads and all(n == 2 for _, n in emb.threads)  # the build
    emb.threads.clear()
    bot.ask("Which embassies will open in Africa?")
    assert emb.threads and all(n == 1 for _, n in emb.threads)
    assert torch.get_num_threads() == 2
