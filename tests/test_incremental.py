"""Incremental builds keep what is unchanged and give the same index as a fresh build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bm25s
import numpy as np
import pytest
from fakes import CountingEmbedder

import qa
from bench.sotu import write_sotu
from index import lexical, store
from index.embed import HashingEmbedder
from index.lexical import LexicalIndex, Tokens, VectorisedBM25
from index.store import load_index
from index.vectors import VectorSpec

QUESTIONS = ["the tariff and the revenue", "army and navy", "national debt", "Indian tribes"]


@pytest.fixture(scope="module")
def sotu(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sotu(tmp_path_factory.mktemp("sotu") / "all", limit=8)


def _corpus(tmp_path: Path, sotu: Path, names: list[str]) -> Path:
    folder = tmp_path / "corpus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name in names:
        shutil.copy(sotu / name, folder / name)
    return folder


def _results(bot: qa.Bot) -> list[list[tuple[float, str, int]]]:
    """Every retriever's passages for the questions, by document and offset (rows differ).

    Equal scores are ordered by row, and rows are in another order after an
    incremental build: so ties are sorted, and the last score (maybe tied with
    passages just below the cut) is left out.
    """
    out = []
    for q in QUESTIONS:
        for r in ("dense", "lexical", "hybrid"):
            found = bot.retrieve(q, 8, retriever=r)
            hits = [(-round(p.score, 4), p.doc_id, p.start) for p in found]
            out.append(sorted(h for h in hits if h[0] != hits[-1][0]))
    return out


def test_add_update_remove_match_a_fresh_build(tmp_path: Path, sotu: Path) -> None:
    names = sorted(p.name for p in sotu.glob("*.txt"))
    corpus = _corpus(tmp_path, sotu, names[:-1])
    emb = CountingEmbedder()
    qa.load(corpus, index_dir=tmp_path / "inc", embedder=emb)
    shutil.copy(sotu / names[-1], corpus / names[-1])  # add
    edited = corpus / names[2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA lunar embassy.\n", "utf-8")
    (corpus / names[0]).unlink()  # remove
    emb.seen.clear()
    inc = qa.load(corpus, index_dir=tmp_path / "inc", embedder=emb)
    report = inc.build_report
    assert report is not None and report.added == (names[-1].removesuffix(".txt"),)
    assert report.updated == (names[2].removesuffix(".txt"),) and len(report.removed) == 1
    fresh = qa.load(corpus, index_dir=tmp_path / "fresh", embedder=HashingEmbedder())
    assert _results(inc) == _results(fresh)
    assert sorted(inc.searcher.stored.chunks, key=lambda c: (c.doc_id, c.start)) == sorted(
        fresh.searcher.stored.chunks, key=lambda c: (c.doc_id, c.start))
    again = load_index(tmp_path / "inc")
    assert again.chunks == inc.searcher.stored.chunks
    assert again.sentences.spans == inc.searcher.stored.sentences.spans


def test_an_added_document_is_appended_and_only_it_is_tokenised(
    tmp_path: Path, sotu: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = sorted(p.name for p in sotu.glob("*.txt"))
    corpus = _corpus(tmp_path, sotu, names[:4] + names[5:])
    emb = CountingEmbedder()
    before = qa.load(corpus, index_dir=tmp_path / "i", embedder=emb).searcher.stored
    tokenised: list[str] = []
    real = lexical._tokenize

    def counting(texts: list[str]) -> bm25s.tokenization.Tokenized:
        tokenised.extend(texts)
        return real(texts)

    monkeypatch.setattr(lexical, "_tokenize", counting)
    shutil.copy(sotu / names[4], corpus / names[4])
    emb.seen.clear()
    after = qa.load(corpus, index_dir=tmp_path / "i", embedder=emb).searcher.stored
    n = len(before.chunks)
    added = [c for c in after.chunks if c.doc_id == names[4].removesuffix(".txt")]
    assert after.chunks[:n] == before.chunks and after.chunks[n:] == added
    assert np.array_equal(after.vectors.vectors(list(range(n))), before.vectors.vectors())
    assert after.sentences.spans[: len(before.sentences)] == before.sentences.spans
    assert sorted(tokenised) == sorted(c.index_text for c in added)  # queries not yet asked
    text = (corpus / names[4]).read_text(encoding="utf-8")
    assert emb.seen and all(t in text for t in emb.seen)


def test_hnsw_store_is_appended_to_and_finds_the_new_document(
    tmp_path: Path, sotu: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import incremental
    from index.build import open_index
    from index.chunk import ChunkSettings
    from index.documents import read_corpus

    names = sorted(p.name for p in sotu.glob("*.txt"))
    corpus = _corpus(tmp_path, sotu, names[:-1])
    spec, emb, folder = VectorSpec("hnsw", ef_search=64), HashingEmbedder(), tmp_path / "i"
    old, _ = open_index(read_corpus(corpus), emb, ChunkSettings(), folder, vector_spec=spec)
    shutil.copy(sotu / names[-1], corpus / names[-1])

    def no_rebuild(*_: object) -> None:
        raise AssertionError("the graph was rebuilt instead of appended to")

    monkeypatch.setattr(incremental, "build_store", no_rebuild)
    new, report = open_index(read_corpus(corpus), emb, ChunkSettings(), folder, vector_spec=spec)
    assert report is not None and report.added and new.vectors.spec.kind == "hnsw"
    own = [i for i, c in enumerate(new.chunks) if c.doc_id == names[-1].removesuffix(".txt")]
    assert own == list(range(len(old.chunks), len(new.chunks)))
    _, ids = new.vectors.search(new.vectors.vectors(own[:5]), 1)
    assert ids[:, 0].tolist() == own[:5]


@pytest.mark.parametrize("radix_vocab", [2**16, 0])  # 0: the path for vocabularies > 65,536
def test_vectorised_bm25_scores_equal_bm25s(
    sotu: Path, radix_vocab: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexical, "_RADIX_VOCAB", radix_vocab)
    texts = [t[i : i + 500] for p in sorted(sotu.glob("*.txt"))[:3]
             for t in [p.read_text(encoding="utf-8")] for i in range(0, len(t), 500)]
    texts += ["", "the of and"]  # no searchable word at all
    ours = LexicalIndex.build(texts)
    reference = bm25s.BM25()
    reference.index(lexical._tokenize(texts), show_progress=False)
    for query in QUESTIONS:
        words = bm25s.tokenization.convert_tokenized_to_string_list(lexical._tokenize([query]))[0]
        assert ours._retriever is not None
        np.testing.assert_allclose(
            ours._retriever.get_scores(words), reference.get_scores(words), rtol=1e-6, atol=1e-7
        )
    assert isinstance(ours._retriever, VectorisedBM25)


def test_tokens_take_and_extend_keep_rows() -> None:
    tokens = Tokens().extend(["cats sat", "dogs ran far", "cats ran"])
    picked = tokens.take(np.array([2, 0]))
    assert [picked.row(0), picked.row(1)] == [tokens.row(2), tokens.row(0)]
    grown = picked.extend(["birds flew"])
    assert grown.row(0) == tokens.row(2) and len(grown.row(2)) == 2
    assert grown.vocab["cat"] == tokens.vocab["cat"] and "bird" in grown.vocab


def test_removing_a_document_prunes_the_vocabulary_to_a_fresh_builds(
    tmp_path: Path, sotu: Path
) -> None:
    names = sorted(p.name for p in sotu.glob("*.txt"))[:2]
    corpus = _corpus(tmp_path, sotu, names)
    emb = HashingEmbedder()
    before = qa.load(corpus, index_dir=tmp_path / "inc", embedder=emb).searcher.stored
    (corpus / names[0]).unlink()
    inc = qa.load(corpus, index_dir=tmp_path / "inc", embedder=emb)
    fresh = qa.load(corpus, index_dir=tmp_path / "fresh", embedder=emb)
    assert inc.build_report is not None and len(inc.build_report.removed) == 1
    got, want = inc.searcher.stored.lexical.tokens, fresh.searcher.stored.lexical.tokens
    assert set(got.vocab) == set(want.vocab) < set(before.lexical.tokens.vocab)
    assert sorted(got.vocab.values()) == list(range(len(want.vocab)))  # ids re-numbered
    stems = [{i: s for s, i in t.vocab.items()} for t in (got, want)]
    assert [[stems[0][i] for i in got.row(r)] for r in range(len(got))] == [
        [stems[1][i] for i in want.row(r)] for r in range(len(want))]
    assert _results(inc) == _results(fresh)
    # read back from disk: the BM25 files hold the pruned vocabulary too
    again = load_index(tmp_path / "inc").lexical
    assert again.tokens.vocab == got.vocab
    for q in QUESTIONS:
        found, scores = again.search(q, 8)
        expected, expected_scores = fresh.searcher.stored.lexical.search(q, 8)
        assert found.tolist() == expected.tolist()
        np.testing.assert_allclose(scores, expected_scores, rtol=1e-6)


def test_tokens_compact_keeps_rows_and_renumbers() -> None:
    tokens = Tokens().extend(["cats sat", "dogs ran far", "cats ran"])
    kept = tokens.take(np.array([1])).compact()
    assert set(kept.vocab) == {"dog", "ran", "far"} and sorted(kept.vocab.values()) == [0, 1, 2]
    back = {i: s for s, i in kept.vocab.items()}
    forth = {i: s for s, i in tokens.vocab.items()}
    assert [back[i] for i in kept.row(0)] == [forth[i] for i in tokens.row(1)]
    assert tokens.compact() is tokens  # nothing to prune
    assert Tokens().compact().vocab == {}


def _as_format_1(folder: Path) -> None:
    """Rewrite a format-2 index the way format 1 stored it (sentences.jsonl, no keys, tokens)."""
    spans = np.load(folder / "sentence_spans.npy")
    docs = json.loads((folder / "sentence_docs.json").read_text(encoding="utf-8"))
    keys = np.load(folder / "sentence_keys.npy").tolist()
    with (folder / "sentences.jsonl").open("w", encoding="utf-8") as out:
        for (d, s, e), k in zip(spans.tolist(), keys, strict=True):
            out.write(json.dumps([docs[d], s, e, k.decode()]) + "\n")
    for name in ("sentence_spans.npy", "sentence_docs.json", "sentence_keys.npy",
                 "chunk_keys.npy", "lexical/tokens.npy", "lexical/token_offsets.npy"):
        (folder / name).unlink()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format_version": 1}), "utf-8")


def test_an_old_format_index_is_named_and_upgraded_without_re_embedding(
    tmp_path: Path, seed_path: Path
) -> None:
    emb, folder = CountingEmbedder(), tmp_path / "i"
    first = qa.load(seed_path, index_dir=folder, embedder=emb)
    _as_format_1(folder)
    with pytest.raises(qa.StaleIndexError, match=r"index format 1 .*qa index"):
        qa.load(seed_path, index_dir=folder, embedder=emb, build=False)
    with pytest.raises(qa.StaleIndexError, match="older transcript-qa"):
        load_index(folder)
    emb.seen.clear()
    upgraded = qa.load(seed_path, index_dir=folder, embedder=emb)
    assert emb.seen == [] and upgraded.build_report is not None
    assert upgraded.searcher.stored.chunks == first.searcher.stored.chunks
    assert load_index(folder).manifest["format_version"] == store.FORMAT_VERSION
    question = "Which embassies will open in Africa?"
    assert upgraded.ask(question).to_dict() == first.ask(question).to_dict()


def test_qa_index_reports_what_it_did_with_progress_and_throughput(
    tmp_path: Path, sotu: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from qa import api
    from qa.cli import main

    monkeypatch.setattr(api, "make_embedder", lambda *a, **k: HashingEmbedder())  # no model
    names = sorted(p.name for p in sotu.glob("*.txt"))
    corpus = _corpus(tmp_path, sotu, names[:4])
    command = ["index", str(corpus), "--index-dir", str(tmp_path / "i")]
    assert main(command) == 0
    out, err = capsys.readouterr()
    assert out.startswith("4 added, 0 updated, 0 removed, 0 unchanged; ") and "chunking" in err
    assert " texts/s, " in out and "B/s\n" in out and "index: " in out
    shutil.copy(sotu / names[4], corpus / names[4])
    (corpus / names[0]).unlink()
    (corpus / names[1]).write_text("Ann Lee: A new text.\n", encoding="utf-8")
    assert main(command) == 0
    assert capsys.readouterr().out.startswith("1 added, 1 updated, 1 removed, 2 unchanged; ")
    assert main(command) == 0
    assert capsys.readouterr().out.startswith(
        "0 added, 0 updated, 0 removed, 4 unchanged; the index is up to date")
