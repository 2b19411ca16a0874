"""The index in Milvus (embedded Milvus Lite): same answers as the local store, reopened
without embedding, built incrementally, and never seen half-written."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED
from fakes import CountingEmbedder

import qa
from bench.sotu import write_sotu
from eval.gold import load_gold, locate_evidence
from eval.metrics_retrieval import evidence_recall
from index.chunk import ChunkSettings
from index.documents import read_corpus
from index.embed import HashingEmbedder
from index.milvus_build import open_milvus_index
from index.milvus_conn import MilvusConfig, connect
from index.milvus_meta import committed

QUESTIONS = ["the tariff and the revenue", "army and navy", "national debt", "Indian tribes"]


@pytest.fixture(scope="module")
def sotu(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sotu(tmp_path_factory.mktemp("sotu") / "all", limit=6)


def _corpus(tmp_path: Path, sotu: Path, names: list[str]) -> Path:
    folder = tmp_path / "corpus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name in names:
        shutil.copy(sotu / name, folder / name)
    return folder


def _load(corpus: Path, folder: Path, emb: Any = None, **kw: Any) -> qa.Bot:
    return qa.load(corpus, index_dir=folder, embedder=emb or HashingEmbedder(), store="milvus",
                   milvus_uri=str(folder.parent / "milvus.db"), **kw)


def _top(bot: qa.Bot, retriever: str, k: int = 8, **kw: Any) -> list[list[tuple[float, str, int]]]:
    """Passages by score, document and offset; equal scores may come in either order, so
    ties are sorted and the last score (maybe tied with passages below the cut) left out."""
    out = []
    for q in QUESTIONS:
        hits = [(-round(p.score, 4), p.doc_id, p.start)
                for p in bot.retrieve(q, k, retriever=retriever, **kw)]
        out.append(sorted(h for h in hits if h[0] != hits[-1][0]))
    return out


def _found(bot: qa.Bot, retriever: str, k: int = 8) -> list[set[tuple[str, int]]]:
    return [{(p.doc_id, p.start) for p in bot.retrieve(q, k, retriever=retriever)[:-1]}
            for q in QUESTIONS]


def _overlap(a: list[set[tuple[str, int]]], b: list[set[tuple[str, int]]]) -> float:
    return sum(len(x & y) / max(1, len(y)) for x, y in zip(a, b, strict=True)) / len(b)


def _rows(bot: qa.Bot) -> dict[str, list[tuple[int, int]]]:
    """Each document's chunk offsets as a reader of the bot's generation sees them."""
    out: dict[str, list[tuple[int, int]]] = {}
    for c in bot.searcher.stored.chunks:
        out.setdefault(c.doc_id, []).append((c.start, c.end))
    return out


def _pks(bot: qa.Bot) -> dict[str, list[int]]:
    """Each document's Milvus row keys: a row rewritten gets a new key."""
    stored = bot.searcher.stored
    out: dict[str, list[int]] = {}
    for c, pk in zip(stored.chunks, stored.vectors._pks.tolist(), strict=True):  # type: ignore[attr-defined]
        out.setdefault(c.doc_id, []).append(pk)
    return out


def test_milvus_matches_the_local_store_and_reopens_without_embedding(
    tmp_path: Path, sotu: Path
) -> None:
    local = qa.load(sotu, index_dir=tmp_path / "local", embedder=HashingEmbedder())
    emb = CountingEmbedder()
    milvus = _load(sotu, tmp_path / "m", emb)
    assert milvus.searcher.stored.chunks == local.searcher.stored.chunks
    assert milvus.searcher.stored.manifest["store"] == "milvus"
    for r in ("dense", "lexical", "hybrid"):
        assert _top(milvus, r) == _top(local, r), r
    # fused ranks move by one where BM25 ties are ordered otherwise: the same passages
    assert _found(milvus, "rrf") == _found(local, "rrf")
    some = [local.documents[1].doc_id]
    assert _top(milvus, "hybrid", doc_ids=some) == _top(local, "hybrid", doc_ids=some)
    q = "What did the president say about the national debt?"
    assert milvus.ask(q).to_dict() == local.ask(q).to_dict()
    qa.load(sotu, index_dir=tmp_path / "m", embedder=HashingEmbedder())  # local, same folder
    emb.seen.clear()
    again = _load(sotu, tmp_path / "m", emb, build=False)
    assert again.build_report is None and emb.seen == []
    assert _top(again, "hybrid") == _top(local, "hybrid")


def _analyses(bot: qa.Bot) -> list[list[Any]]:
    """Every stored sentence's analysis (entities, item lists, marks), in table order."""
    stored = bot.searcher.stored
    return [stored.linguistics.get(key, end - start).to_row()
            for (_, start, end), key in zip(stored.sentences.spans, stored.sentences.keys,
                                            strict=True)]


def test_the_answerer_reads_the_same_linguistics_and_answers_alike_on_the_seed(
    tmp_path: Path
) -> None:
    local = qa.load(SEED, index_dir=tmp_path / "local", embedder=HashingEmbedder())
    milvus = _load(SEED, tmp_path / "m")
    assert len(milvus.searcher.stored.linguistics) == len(local.searcher.stored.linguistics) > 0
    assert _analyses(milvus) == _analyses(local)
    questions = [item.question for item in load_gold()[::10]]  # every kind, a spread of topics
    for q in questions:
        assert milvus.ask(q).to_dict() == local.ask(q).to_dict(), q
    again = _load(SEED, tmp_path / "m", build=False)  # reopened: the side is read back whole
    assert _analyses(again) == _analyses(local)


def test_adding_changing_removing_touches_only_those_rows(tmp_path: Path, sotu: Path) -> None:
    names = sorted(p.name for p in sotu.glob("*.txt"))
    corpus = _corpus(tmp_path, sotu, names[:-1])
    emb = CountingEmbedder()
    before = _load(corpus, tmp_path / "m", emb)
    qa.load(corpus, index_dir=tmp_path / "local", embedder=HashingEmbedder())
    pks = _pks(before)
    shutil.copy(sotu / names[-1], corpus / names[-1])  # add
    edited = corpus / names[2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA lunar embassy.\n", "utf-8")
    (corpus / names[0]).unlink()  # remove
    emb.seen.clear()
    inc = _load(corpus, tmp_path / "m", emb)
    report = inc.build_report
    assert report is not None and report.added == (names[-1].removesuffix(".txt"),)
    assert report.updated == (names[2].removesuffix(".txt"),) and len(report.removed) == 1
    added, changed = (corpus / names[-1]).read_text("utf-8"), edited.read_text("utf-8")
    assert emb.seen and all(t in added or t in changed for t in emb.seen)
    after = _pks(inc)
    untouched = {n.removesuffix(".txt") for n in names[1:2] + names[3:-1]}
    assert untouched and {d: pks[d] for d in untouched} == {d: after[d] for d in untouched}
    assert not set(after[names[2][:-4]]) & set(pks[names[2][:-4]])  # rewritten
    fresh = qa.load(corpus, index_dir=tmp_path / "local", embedder=HashingEmbedder())
    assert _rows(inc) == _rows(fresh)
    # both updated alike: kept analyses and the new text parsed (a sentence text met in
    # two places keeps the first parse, so only same-order builds compare exactly)
    assert _analyses(inc) == _analyses(fresh)
    assert _top(inc, "dense") == _top(fresh, "dense")
    # Milvus Lite scores BM25 with each segment's own statistics (README): the rows an
    # update added are a segment of their own, so fused lists may differ at the margin
    assert _overlap(_found(inc, "hybrid"), _found(fresh, "hybrid")) >= 0.8


def test_a_reader_never_sees_half_a_document_and_a_dead_build_changes_nothing(
    tmp_path: Path, sotu: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import milvus_build

    monkeypatch.setattr(milvus_build, "BATCH", 16)  # a build of several inserts
    names = sorted(p.name for p in sotu.glob("*.txt"))
    corpus = _corpus(tmp_path, sotu, names[:3])
    old = _load(corpus, tmp_path / "m", HashingEmbedder())
    served = _rows(old)
    answers = _top(old, "hybrid")
    edited = corpus / names[1]
    edited.write_text(edited.read_text(encoding="utf-8").replace(".", ". Indeed,"), "utf-8")
    shutil.copy(sotu / names[3], corpus / names[3])
    seen_mid_build: list[dict[str, list[tuple[int, int]]]] = []

    def interrupt(done: int, total: int) -> None:
        # a reader opening now sees the previous generation whole
        seen_mid_build.append(_rows(_reader(tmp_path)))
        if done >= total // 2:
            raise KeyboardInterrupt  # the build dies half-way through its rows

    docs = read_corpus(corpus)
    config = MilvusConfig.resolve(str(tmp_path / "milvus.db"))
    with pytest.raises(KeyboardInterrupt):
        open_milvus_index(docs, HashingEmbedder(), ChunkSettings(), tmp_path / "m-milvus", config,
                          on_batch=interrupt, vector_spec=None)
    assert seen_mid_build and all(rows == served for rows in seen_mid_build)
    assert _rows(old) == served and _top(old, "hybrid") == answers  # the old reader still serves
    after_death = _reader(tmp_path)
    assert _rows(after_death) == served  # nothing of the dead build is seen
    assert (tmp_path / "m-milvus" / "milvus-gen-1").is_dir()  # and no local file was lost
    new = _load(corpus, tmp_path / "m")
    fresh = qa.load(corpus, index_dir=tmp_path / "local", embedder=HashingEmbedder())
    assert _rows(new) == _rows(fresh) and _top(new, "dense") == _top(fresh, "dense")
    assert _rows(old) == served  # a reader of the previous generation still sees it whole
    client = connect(config)
    gen = committed(client, new.searcher.stored.vectors.name)  # type: ignore[attr-defined]
    assert gen is not None and gen.number == 2
    # the dead build's rows were deleted: only the live rows and generation 1's old
    # copies of the changed document remain
    total = client.query(new.searcher.stored.vectors.name, filter="born >= 0",  # type: ignore[attr-defined]
                         output_fields=["pk"])
    changed = sum(1 for c in old.searcher.stored.chunks if c.doc_id == names[1][:-4])
    assert len(total) == len(new.searcher.stored.chunks) + changed


def _reader(tmp_path: Path) -> qa.Bot:
    """A reader opening the index as it is committed now, whatever the files say."""
    from index.milvus_store import open_generation
    from qa.retrieve import Searcher

    config = MilvusConfig.resolve(str(tmp_path / "milvus.db"))
    client = connect(config)
    name = next(n for n in client.list_collections() if not n.endswith("__meta"))
    gen = committed(client, name)
    assert gen is not None
    stored = open_generation(client, config, name, gen, tmp_path / "m-milvus")
    docs = read_corpus(tmp_path / "corpus")
    return qa.Bot(Searcher(stored, HashingEmbedder(), {d.doc_id: d for d in docs}), docs)


@pytest.mark.model
def test_real_model_dense_top5_and_hybrid_recall_match_the_local_store(
    real_bot: qa.Bot, tmp_path: Path
) -> None:
    emb = real_bot.searcher.embedder
    milvus = qa.load(SEED, index_dir=tmp_path / "m", embedder=emb, store="milvus")
    items = load_gold()
    texts = {d.doc_id: d.text for d in real_bot.documents}
    overlap, recall = [], {"local": [], "milvus": []}  # type: ignore[var-annotated]
    for item in items:
        a = {(p.doc_id, p.start) for p in real_bot.retrieve(item.question, 5, retriever="dense")}
        b = {(p.doc_id, p.start) for p in milvus.retrieve(item.question, 5, retriever="dense")}
        overlap.append(len(a & b) / max(1, len(a)))
        if not item.answerable:
            continue
        evidence = locate_evidence(item, texts)
        for name, bot in (("local", real_bot), ("milvus", milvus)):
            found = [(p.doc_id, p.start, p.end) for p in bot.retrieve(item.question, 5)]
            recall[name].append(evidence_recall(found, evidence, 5).full)
    assert sum(overlap) / len(overlap) >= 0.95
    means = {n: sum(v) / len(v) for n, v in recall.items()}
    assert abs(means["local"] - means["milvus"]) <= 0.01, means


def test_moving_a_local_index_to_milvus_embeds_nothing(tmp_path: Path, sotu: Path) -> None:
    local = qa.load(sotu, index_dir=tmp_path / "i", embedder=HashingEmbedder())
    emb = CountingEmbedder()
    milvus = _load(sotu, tmp_path / "i", emb)
    report = milvus.build_report
    assert report is not None and report.embedded == 0 and report.sentences_embedded == 0
    assert emb.seen == []
    assert milvus.searcher.stored.sentences.spans == local.searcher.stored.sentences.spans
    assert _top(milvus, "dense") == _top(local, "dense")
