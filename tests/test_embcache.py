"""The embedding cache: a text embedded once is never embedded again; builds report progress
and stop safely when interrupted, keeping what they embedded."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from fakes import CountingEmbedder

import qa
from index.embcache import EmbeddingCache, cache_for
from index.embed import HashingEmbedder
from index.progress import Progress, ProgressBar
from index.store import load_index
from qa.cli import main

TEXT = (
    "Ann Lee: The new embassy in Niger opens in March. Our trade with India grew by a third. "
    "We will send more teachers abroad. The budget for schools rises again.\n\n"
    "Question: What about the Arctic Council?\n\n"
    "Ann Lee: The Arctic Council is paralysed. We work with the northern regions directly. "
    "Fishing quotas are agreed each year. The ice road opens in winter.\n"
)


class Cached(CountingEmbedder):
    """The hashing embedder with a cache identity, as the real models have."""

    cache_id = "hashing-test-v1"


class Slow(Cached):
    """Takes its time, so that a build can be interrupted half-way."""

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        time.sleep(0.01 * len(texts))
        return super().encode(texts, progress=progress)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QA_EMBED_CACHE", raising=False)
    return tmp_path / "cache"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def test_only_embedders_with_an_identity_are_cached(private_cache: Path) -> None:
    assert cache_for(HashingEmbedder()) is None
    assert cache_for(Cached(), env={"QA_EMBED_CACHE": "off"}) is None
    cache = cache_for(Cached())
    assert cache is not None and cache.path.parent == private_cache / "embeddings"


def test_rebuilds_renames_and_new_folders_embed_nothing_again(
    corpus: Path, tmp_path: Path
) -> None:
    emb = Cached()
    cold = qa.load(corpus, index_dir=tmp_path / "i1", embedder=emb)
    assert emb.seen and cold.build_report is not None and cold.build_report.embedded > 0
    emb.seen.clear()
    again = qa.load(corpus, index_dir=tmp_path / "i2", embedder=emb, rebuild=True)
    assert emb.seen == [] and again.build_report is not None
    assert again.build_report.embedded == 0 and again.build_report.sentences_embedded == 0
    a, b = load_index(tmp_path / "i1"), load_index(tmp_path / "i2")
    assert np.array_equal(a.vectors.vectors(), b.vectors.vectors())  # exactly a cold build
    assert np.array_equal(a.sentences.vectors, b.sentences.vectors)
    (corpus / "a.txt").rename(corpus / "renamed.txt")
    qa.load(corpus, index_dir=tmp_path / "i1", embedder=emb)
    assert emb.seen == []


def test_new_chunk_settings_embed_only_new_chunk_texts(corpus: Path, tmp_path: Path) -> None:
    emb = Cached()
    before = qa.load(corpus, index_dir=tmp_path / "i1", embedder=emb)
    old = {c.index_text for c in before.searcher.stored.chunks}
    sentences = {TEXT[s:e] for _, s, e in before.searcher.stored.sentences.spans}
    emb.seen.clear()
    after = qa.load(corpus, index_dir=tmp_path / "i2", embedder=emb, chunk_size=20,
                    chunk_overlap=0)
    new = {c.index_text for c in after.searcher.stored.chunks}
    assert new != old and emb.seen
    assert set(emb.seen) <= new - old - sentences  # no sentence, no known chunk again
    assert after.build_report is not None and after.build_report.sentences_embedded == 0


def test_progress_reaches_the_end_with_a_rate(corpus: Path, tmp_path: Path) -> None:
    events: list[Progress] = []
    qa.load(corpus, index_dir=tmp_path / "i", embedder=Cached(), on_progress=events.append)
    assert events and events[-1].finished and events[-1].done == events[-1].total > 0
    assert [e.done for e in events] == sorted(e.done for e in events)
    assert events[-1].rate > 0 and events[-1].eta == 0 and events[-1].fraction == 1.0
    events.clear()
    qa.load(corpus, index_dir=tmp_path / "i2", embedder=Cached(), on_progress=events.append)
    assert events == []  # everything came from the cache: nothing to show


def test_the_bar_shows_rate_and_eta(capsys: pytest.CaptureFixture[str]) -> None:
    bar = ProgressBar(delay=0, mininterval=0)
    bar(Progress(done=100, total=400, seconds=2.0, work_done=1_000, work_total=4_000))
    bar(Progress(done=400, total=400, seconds=8.0, work_done=4_000, work_total=4_000,
                 finished=True))
    err = capsys.readouterr().err
    assert "100/400 texts, 50 texts/s" in err and "<" in err


def _grow(corpus: Path, files: int) -> None:
    """Files of sentences found nowhere else: enough texts to be stopped half-way."""
    for n in range(files):
        lines = " ".join(f"Item {n}-{i} of the plan costs {i * 7 + n} dollars." for i in range(30))
        (corpus / f"more{n}.txt").write_text(f"Ann Lee: {lines}\n", encoding="utf-8")


def _interrupt_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, signal.raise_signal, (signal.SIGINT,))
    timer.start()
    return timer


def _interrupt_while_embedding(emb: CountingEmbedder, seconds: float) -> threading.Thread:
    """Ctrl-C ``seconds`` after ``emb`` got its first texts (a build parses before it embeds,
    and how long parsing takes depends on the machine)."""
    def wait_then_interrupt() -> None:
        deadline = time.monotonic() + 120
        while not emb.seen and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(seconds)
        signal.raise_signal(signal.SIGINT)

    thread = threading.Thread(target=wait_then_interrupt, daemon=True)
    thread.start()
    return thread


def test_an_interrupted_build_changes_nothing_and_keeps_its_vectors(
    corpus: Path, tmp_path: Path, private_cache: Path
) -> None:
    _grow(corpus, 8)
    emb = Slow()
    timer = _interrupt_while_embedding(emb, 0.3)
    with pytest.raises(KeyboardInterrupt):
        qa.load(corpus, index_dir=tmp_path / "i", embedder=emb)
    timer.join()
    assert not (tmp_path / "i").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".i.tmp")] == []
    first = set(emb.seen)
    kept = cache_for(emb)
    assert kept is not None and len(kept) == len(first) > 0  # every finished batch was kept
    emb.seen.clear()
    bot = qa.load(corpus, index_dir=tmp_path / "i", embedder=emb)
    assert bot.build_report is not None and emb.seen  # the rest ...
    assert not set(emb.seen) & first  # ... and nothing embedded before


def test_qa_index_interrupted_exits_130_and_leaves_the_old_index(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("qa.api.make_embedder", lambda backend=None: Slow())
    index_dir = tmp_path / "i"
    assert main(["index", str(corpus), "--index-dir", str(index_dir)]) == 0
    before = load_index(index_dir).manifest
    _grow(corpus, 6)
    timer = _interrupt_after(0.5)
    assert main(["index", str(corpus), "--index-dir", str(index_dir)]) == 130
    timer.join()
    assert "interrupted" in capsys.readouterr().err
    assert load_index(index_dir).manifest == before


def test_a_damaged_cache_file_is_skipped_with_a_warning(
    corpus: Path, tmp_path: Path, private_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = cache_for(Cached())
    assert cache is not None
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="index.embcache"):
        bot = qa.load(corpus, index_dir=tmp_path / "i", embedder=Cached())
    assert bot.ask("When does the embassy in Niger open?").citations
    assert "unusable" in caplog.text


def test_the_cache_keeps_to_its_size(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "v.sqlite", dim=64, max_bytes=200_000)
    rows = np.ones((100, 64), dtype="float32")
    for batch in range(10):
        cache.put([f"{batch}-{i}".encode() for i in range(100)], rows)
    assert 0 < len(cache) < 1000
    assert cache.get([b"9-99"]) and not cache.get([b"0-0"])  # the oldest went first
