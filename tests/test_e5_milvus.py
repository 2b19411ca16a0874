"""Another embedder of the same width never reuses a Milvus index's vectors: asked with
it, the collection is refused (no build) or rewritten with its own vectors only. (Two
384-dim models now exist: MiniLM and multilingual E5.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import SEED

import qa
from index.embed import HashingEmbedder


class OtherModel(HashingEmbedder):
    """Another model of the same width: other vectors, another name."""

    def __init__(self) -> None:
        super().__init__(dim=256)
        self.name = "other-256"

    def _features(self, text: str) -> list[str]:
        return ["x" + f for f in super()._features(text)]


def _load(folder: Path, emb: HashingEmbedder, **kw: object) -> qa.Bot:
    return qa.load(SEED, index_dir=folder, embedder=emb, store="milvus",
                   milvus_uri=str(folder.parent / "milvus.db"), **kw)  # type: ignore[arg-type]


def test_milvus_keeps_no_vector_of_another_model(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    first = _load(folder, HashingEmbedder(dim=256))
    assert first.searcher.stored.manifest["model"] == "hashing-256"
    other = OtherModel()
    with pytest.raises(qa.StaleIndexError, match="model 'hashing-256' → 'other-256'"):
        _load(folder, other, build=False)
    rebuilt = _load(folder, other)
    stored = rebuilt.searcher.stored
    assert stored.manifest["model"] == "other-256"
    texts = [c.index_text for c in stored.chunks]
    assert np.allclose(stored.vectors.vectors(list(range(len(texts)))), other.encode(texts),
                       atol=1e-5)
    assert np.allclose(stored.sentences.vectors, other.encode(
        [rebuilt.document(d).text[s:e] for d, s, e in stored.sentences.spans]), atol=2e-3)
