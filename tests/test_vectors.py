"""Vector stores: each kind finds the exact neighbours, round-trips, filters, is chosen by size."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import qa
from index.build import open_index
from index.chunk import ChunkSettings
from index.documents import read_corpus
from index.embed import HashingEmbedder
from index.store import load_index
from index.vectors import (
    EXACT_LIMIT,
    EXACT_SUBSET,
    VectorSpec,
    auto_spec,
    build_store,
    load_store,
    measure_recall,
)


def _data(n: int = 3000, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((30, dim))
    x = centres[rng.integers(0, 30, n)] + 0.5 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype("float32")


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return _data()


@pytest.mark.parametrize("spec", [
    VectorSpec("flat"), VectorSpec("hnsw", m=16, ef_search=128), VectorSpec("ivf", nprobe=16),
])
def test_every_kind_finds_the_exact_neighbours(data: np.ndarray, spec: VectorSpec) -> None:
    exact, store = build_store(data, VectorSpec("flat")), build_store(data, spec)
    queries = _data(100, seed=1)
    recall = measure_recall(store, exact, queries, 10)
    assert recall >= (1.0 if spec.kind == "flat" else 0.9)
    scores, ids = store.search(data[:5], 1)
    assert ids[:, 0].tolist() == [0, 1, 2, 3, 4]  # each stored vector is its own nearest
    assert np.allclose(scores[:, 0], 1.0, atol=1e-4)
    assert np.allclose(store.vectors([7, 3]), data[[7, 3]], atol=1e-6)
    assert store.ntotal == len(data)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
@pytest.mark.parametrize("mmap", [False, True])
def test_save_load_round_trip(data: np.ndarray, tmp_path: Path, kind: str, mmap: bool) -> None:
    store = build_store(data, VectorSpec(kind))
    store.save(tmp_path)
    again = load_store(tmp_path, store.spec, mmap=mmap)
    assert again.ntotal == store.ntotal and again.spec == store.spec
    queries = _data(20, seed=2)
    assert np.array_equal(again.search(queries, 5)[1], store.search(queries, 5)[1])
    assert np.allclose(again.vectors(), data, atol=1e-6)


def test_automatic_choice_follows_the_corpus_size() -> None:
    assert auto_spec(0).kind == auto_spec(EXACT_LIMIT).kind == "flat"
    assert auto_spec(EXACT_LIMIT + 1).kind == "hnsw"
    big, medium = auto_spec(1_000_000), auto_spec(EXACT_LIMIT + 1)
    assert big.kind == "hnsw" and big.ef_search > medium.ef_search  # wider search, same recall
    assert VectorSpec.from_manifest("flat-ip") == VectorSpec("flat")  # indexes before the choice
    spec = VectorSpec("ivf", nlist=64, nprobe=8)
    assert VectorSpec.from_manifest(spec.to_dict()) == spec


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_id_filter_returns_only_allowed_ids_best_first(data: np.ndarray, kind: str) -> None:
    store, exact = build_store(data, VectorSpec(kind)), build_store(data, VectorSpec("flat"))
    allowed = np.arange(1, len(data), 7)
    scores, ids = store.search(data[:3], 5, ids=allowed)
    assert set(ids.ravel().tolist()) <= set(allowed.tolist())
    assert (np.diff(scores, axis=1) <= 1e-6).all()
    _, truth = exact.search(data[:3], 5, ids=allowed)  # exact in any case: a small subset
    assert np.array_equal(ids, truth)
    few = store.search(data[:1], 5, ids=np.array([4, 9]))[1][0].tolist()
    assert sorted(few[:2]) == [4, 9] and few[2:] == [-1, -1, -1]


def test_a_large_filter_uses_the_approximate_index(monkeypatch: pytest.MonkeyPatch) -> None:
    import index.vectors as vectors

    monkeypatch.setattr(vectors, "EXACT_SUBSET", 10)  # force FAISS's own id selector
    data = _data(500)
    store = build_store(data, VectorSpec("hnsw", m=16))
    allowed = np.arange(0, 500, 2)
    ids = store.search(data[:4], 5, ids=allowed)[1]
    assert set(ids.ravel().tolist()) <= set(allowed.tolist()) and (ids >= 0).all()
    assert EXACT_SUBSET > 10


@pytest.fixture()
def corpus(tmp_path: Path, seed_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(seed_path, folder / "lavrov.txt")
    (folder / "budget.md").write_text(
        "Ann Lee: The budget for embassies in Africa grows by 5 percent next year.\n"
        "Bob Ray: Embassies in Africa will get new staff.\n", encoding="utf-8")
    return folder


def test_hnsw_index_on_disk_answers_and_filters_by_document(corpus: Path, tmp_path: Path) -> None:
    folder, emb = tmp_path / "idx", HashingEmbedder()
    spec = VectorSpec("hnsw", m=16)
    open_index(read_corpus(corpus), emb, ChunkSettings(), folder, vector_spec=spec)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["vector_index"]["kind"] == "hnsw" and manifest["vector_index"]["m"] == 16
    assert load_index(folder).vectors.spec.kind == "hnsw"
    bot = qa.load(corpus, index_dir=folder, embedder=emb, build=False)
    question = "Which embassies will open in Africa?"
    only = bot.retrieve(question, k=5, doc_ids=["budget"])
    assert only and {p.doc_id for p in only} == {"budget"}
    assert all(p.title for p in only)
    lavrov = bot.retrieve(question, k=5, doc_ids=["lavrov"])
    assert len(lavrov) == 5 and {p.doc_id for p in lavrov} == {"lavrov"}
    answer = bot.ask(question, doc_ids=["budget"])
    assert all(c.doc_id == "budget" for c in answer.citations)


def test_module_examples_run() -> None:
    import doctest

    import index.vectors

    assert doctest.testmod(index.vectors).failed == 0
