"""Small stand-ins shared by several test modules (no model, no files)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from index.embed import HashingEmbedder

__all__ = ["Cite", "CountingEmbedder", "trace_disk"]


@dataclass(frozen=True)
class Cite:
    """A citation-like span, as the metrics accept any object with these fields."""

    doc_id: str
    start: int
    end: int
    quote: str = ""


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.seen += list(texts)
        return super().encode(texts, progress=progress)


def trace_disk(monkeypatch: pytest.MonkeyPatch, rename: str = "rename") -> list[tuple[str, str]]:
    """Record ("fsync", path) and ("rename", destination) in the order they happen.

    ``rename`` names the ``os`` function the code under test publishes with
    (``rename`` or ``replace``); both still do their real work.
    """
    events: list[tuple[str, str]] = []
    real_fsync, real_rename = os.fsync, getattr(os, rename)

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def renamed(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(("rename", os.fspath(dst)))
        real_rename(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, rename, renamed)
    return events
