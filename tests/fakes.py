"""Small stand-ins shared by several test modules (no model, no files)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embed import HashingEmbedder

__all__ = ["Cite", "CountingEmbedder"]


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
