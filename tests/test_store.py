from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from fakes import trace_disk

import qa
from index import store
from index.build import open_index
from index.chunk import ChunkSettings
from index.documents import read_corpus
from index.embed import HashingEmbedder
from index.errors import CorruptIndexError, IndexLockedError, StaleIndexError
from index.store import build_lock, load_index


@pytest.fixture()
def corpus(tmp_path: Path, seed_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(seed_path, folder / "lavrov.txt")
    (folder / "other.md").write_text("Ann Lee: The budget grows by 5 percent.\n", encoding="utf-8")
    return folder


def test_manifest_round_trip(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    stored, report = open_index(read_corpus(corpus), HashingEmbedder(), ChunkSettings(), folder)
    assert report is not None and set(report.added) == {"lavrov", "other"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["model"] == "hashing-256" and manifest["dims"] == 256
    assert manifest["chunk_settings"] == {
        "chunker": "sentences", "size": 100, "overlap": 25, "context": True}
    assert set(manifest["sources"]) == {"lavrov", "other"}
    again = load_index(folder)
    assert again.chunks == stored.chunks and again.vectors.ntotal == len(stored.chunks)
    assert sorted(p.name for p in folder.iterdir()) == [
        "chunk_keys.npy", "chunks.jsonl", "lexical", "linguistics.jsonl", "manifest.json",
        "sentence_docs.json",
        "sentence_keys.npy", "sentence_spans.npy", "sentences.npy", "vectors.faiss"]
    assert {"tokens.npy", "token_offsets.npy"} <= {p.name for p in (folder / "lexical").iterdir()}
    assert len(again.sentences) > len(again.chunks)
    assert again.sentences.spans == stored.sentences.spans
    assert np.array_equal(again.sentences.keys, stored.sentences.keys)
    assert np.array_equal(again.sentences.vectors, stored.sentences.vectors)
    assert np.array_equal(again.chunk_keys, stored.chunk_keys)
    assert np.array_equal(again.lexical.tokens.ids, stored.lexical.tokens.ids)


def test_changed_source_is_detected_and_rebuilt_incrementally(corpus: Path, tmp_path: Path) -> None:
    folder, emb = tmp_path / "idx", HashingEmbedder()
    open_index(read_corpus(corpus), emb, ChunkSettings(), folder)
    (corpus / "other.md").write_text("Ann Lee: The budget shrinks.\n", encoding="utf-8")
    with pytest.raises(StaleIndexError, match="changed source other"):
        open_index(read_corpus(corpus), emb, ChunkSettings(), folder, build=False)
    _, report = open_index(read_corpus(corpus), emb, ChunkSettings(), folder)
    assert report is not None and report.updated == ("other",) and report.unchanged == ("lavrov",)
    assert report.embedded == 1 and report.reused == report.chunks - 1
    stored = load_index(folder)
    other = next(d for d in read_corpus(corpus) if d.doc_id == "other")
    rows = stored.sentences.within("other", 0, len(other.text))
    assert [other.text[s:e] for _, s, e in (stored.sentences.spans[r] for r in rows)] == [
        "The budget shrinks."]


def test_changed_settings_are_stale(corpus: Path, tmp_path: Path) -> None:
    folder, emb = tmp_path / "idx", HashingEmbedder()
    open_index(read_corpus(corpus), emb, ChunkSettings(), folder)
    with pytest.raises(StaleIndexError, match="chunk_settings"):
        open_index(read_corpus(corpus), emb, ChunkSettings(size=60), folder, build=False)
    with pytest.raises(StaleIndexError, match="no index"):
        open_index(read_corpus(corpus), emb, ChunkSettings(), tmp_path / "none", build=False)


def test_corrupt_files_are_detected_and_rebuilt(corpus: Path, tmp_path: Path) -> None:
    folder, emb = tmp_path / "idx", HashingEmbedder()
    open_index(read_corpus(corpus), emb, ChunkSettings(), folder)
    vectors = folder / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(CorruptIndexError, match="qa index"):
        load_index(folder)
    with pytest.raises(CorruptIndexError):
        open_index(read_corpus(corpus), emb, ChunkSettings(), folder, build=False)
    stored, report = open_index(read_corpus(corpus), emb, ChunkSettings(), folder)
    assert report is not None and stored.vectors.ntotal == len(stored.chunks)


def test_failed_write_leaves_the_previous_index(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, emb = tmp_path / "idx", HashingEmbedder()
    before, _ = open_index(read_corpus(corpus), emb, ChunkSettings(), folder)

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store.faiss, "write_index", boom)
    with pytest.raises(OSError, match="disk full"):
        open_index(read_corpus(corpus), emb, ChunkSettings(size=60), folder)
    assert load_index(folder).chunks == before.chunks
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_build_lock_excludes_a_second_builder(tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    entered = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with build_lock(folder):
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    entered.wait(5)
    try:
        with (
            pytest.raises(IndexLockedError, match="another process"),
            build_lock(folder, timeout=0.3),
        ):
            pass
    finally:
        release.set()
        worker.join()


def test_unreadable_files_are_skipped_with_the_rest_indexed(corpus: Path, tmp_path: Path) -> None:
    (corpus / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (corpus / "empty.txt").write_text("   \n")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    bot = qa.load(corpus, index_dir=tmp_path / "idx", embedder=HashingEmbedder())
    assert sorted(d.doc_id for d in bot.documents) == ["lavrov", "other"]
    with pytest.raises(qa.SourceError, match="not UTF-8"):
        qa.load(corpus / "latin1.txt", index_dir=tmp_path / "x", embedder=HashingEmbedder())
    empty = tmp_path / "nothing"
    empty.mkdir()
    with pytest.raises(qa.SourceError, match="no readable"):
        qa.load(empty, index_dir=tmp_path / "y", embedder=HashingEmbedder())


def test_index_is_on_disk_before_it_is_renamed_into_place(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = trace_disk(monkeypatch)
    folder = tmp_path / "index"
    qa.load(corpus, index_dir=folder, embedder=HashingEmbedder())
    published = events.index(("rename", str(folder)))
    synced = {Path(path).name for what, path in events[:published] if what == "fsync"}
    assert {"manifest.json", "chunks.jsonl"} <= synced
    assert ("fsync", str(folder.parent)) in events[published + 1 :]  # then the rename itself
