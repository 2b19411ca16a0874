"""The seed transcript: cold index, load, warm and cold ``ask``, served memory, embedding rate.

Cold figures run in fresh interpreters (``python -m qa.cli ...``), so model
loading and imports count as a user sees them.

    >>> questions(limit=2)[0].startswith("According to")
    True
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Figure, Stat, repeat, rss_mb, run_python
from index.embed import Embedder

__all__ = [
    "HASHING", "ROOT", "SEEDS", "clear_query_cache", "gold", "questions", "run_seed", "warm_ask",
]

# Prefix for subprocesses of ``--quick`` runs: the hashing embedder stands in for the model.
HASHING = (
    "import qa.api, index.embed\n"
    "EMB = index.embed.HashingEmbedder()\n"
    "qa.api.SentenceTransformerEmbedder = index.embed.HashingEmbedder\n"
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def gold() -> list[dict[str, Any]]:
    """The gold set's items (questions, evidence) as plain dicts."""
    path = ROOT / "eval" / "gold.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def questions(limit: int = 100) -> list[str]:
    """Distinct questions to time (the gold set's, else a few fixed ones)."""
    found = [g["question"] for g in gold()] or [
        "Which embassies will open in Africa?", "What did Lavrov say about the Arctic Council?"]
    return found[:limit]


def clear_query_cache(embedder: Embedder) -> None:
    """Forget cached query vectors, so every timed question is embedded afresh."""
    cache = getattr(embedder, "_cache", None)
    if cache is not None:
        cache.clear()


def warm_ask(bot: Any, qs: list[str], repeats: int) -> Stat:
    """Milliseconds per ``bot.ask`` once loaded, each question embedded afresh."""
    bot.ask(qs[0])  # the first call loads the model
    times: list[float] = []
    for _ in range(repeats):
        clear_query_cache(bot.searcher.embedder)
        for q in qs:
            started = time.perf_counter()
            bot.ask(q)
            times.append(time.perf_counter() - started)
    return Stat.of(times).scaled(1000)


def _cli(args: str) -> str:
    return f"import sys; from qa.cli import main; sys.exit(main({args!r}.split('\\x1f')))"


def cold_index(corpus: Path, repeats: int, embedder_flag: str = "") -> Stat:
    """Seconds of a fresh ``qa index`` process building a new index (model load included)."""
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            code = _cli("\x1f".join(["index", str(corpus), "--index-dir", f"{tmp}/i"]))
            seconds, _ = run_python(embedder_flag + code)
            times.append(seconds)
    return Stat.of(times)


def cold_ask(corpus: Path, index_dir: Path, question: str, repeats: int,
             embedder_flag: str = "") -> Stat:
    """Seconds of a fresh ``qa ask`` process on an existing index."""
    args = "\x1f".join(["ask", question, str(corpus), "--index-dir", str(index_dir), "--no-build"])
    return Stat.of([run_python(embedder_flag + _cli(args))[0] for _ in range(repeats)])


def load_seconds(corpus: Path, index_dir: Path, repeats: int, embedder_flag: str = "") -> Stat:
    """Seconds for ``qa.load`` of an existing index in a fresh process (imports excluded)."""
    code = (embedder_flag + "import time, qa\nt = time.perf_counter()\n"
            f"qa.load({str(corpus)!r}, index_dir={str(index_dir)!r}, build=False"
            f"{', embedder=EMB' if embedder_flag else ''})\nprint(time.perf_counter() - t)")
    return Stat.of([float(run_python(code)[1].split()[-1]) for _ in range(repeats)])


def embedding_rate(bot: Any, repeats: int) -> tuple[Stat, Stat, int]:
    """Texts per second: bare ``SentenceTransformer.encode`` vs the index build, same texts."""
    from index.build import build_index
    from index.chunk import ChunkSettings, chunk_corpus
    from index.sentvec import corpus_sentences

    emb = bot.searcher.embedder
    docs = bot.documents
    chunks = chunk_corpus(docs, ChunkSettings(), lambda t: emb.count_tokens(t) <= emb.max_tokens)
    texts = {d.doc_id: d.text for d in docs}
    all_texts = list(dict.fromkeys(
        [c.index_text for c in chunks] + [texts[d][s:e] for d, s, e in corpus_sentences(docs)]))
    model = getattr(emb, "model", None)
    bare: Callable[[], object] = (
        (lambda: model.encode(all_texts, batch_size=32, normalize_embeddings=True))
        if model is not None else (lambda: emb.encode(all_texts)))
    bare_s = repeat(bare, repeats)
    pipe_s = []
    for _ in range(repeats):
        clear_query_cache(emb)  # else small batches come back from the embedder's cache
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            build_index(docs, emb, ChunkSettings(), Path(tmp) / "i")
            pipe_s.append(time.perf_counter() - started)
    n = len(all_texts)
    return Stat.of([n / s for s in bare_s]), Stat.of([n / s for s in pipe_s]), n


def served_memory(corpus: Path, index_dir: Path, qs: list[str], embedder_flag: str = "") -> float:
    """Peak RSS (MiB) of a process that loads the bot, builds the chat app and answers."""
    code = (embedder_flag + "import resource, qa\n"
            f"bot = qa.load({str(corpus)!r}, index_dir={str(index_dir)!r}, build=False"
            f"{', embedder=EMB' if embedder_flag else ''})\n"
            "try:\n    from ui.app import build_app\n    build_app(bot)\nexcept Exception:\n"
            "    pass\n"
            f"for q in {qs!r}:\n    bot.ask(q)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    return float(run_python(code)[1].split()[-1])


def run_seed(bot: Any, *, repeats: int, corpus: Path = SEEDS, embedder_flag: str = "",
             log: Callable[[str], None] = print) -> list[Figure]:
    """All seed figures; ``bot`` is loaded over ``corpus`` (its index is reused)."""
    qs = questions()
    index_dir = Path(bot.index_dir)
    log("seed: cold qa index ...")
    idx = cold_index(corpus, repeats, embedder_flag)
    log("seed: load, warm ask, cold ask ...")
    load = load_seconds(corpus, index_dir, repeats, embedder_flag)
    warm = warm_ask(bot, qs, repeats)
    cold = cold_ask(corpus, index_dir, qs[0], repeats, embedder_flag)
    log("seed: served memory, embedding rate ...")
    mem = served_memory(corpus, index_dir, qs[:20], embedder_flag)
    bare, pipe, n = embedding_rate(bot, repeats)
    ratio = pipe.median / bare.median
    return [
        Figure("seed cold qa index", idx, "s", "≤ 8 s", idx.median <= 8),
        Figure("seed load index", load, "s", "≤ 3 s", load.median <= 3),
        Figure("seed ask warm", warm, "ms", "p50 ≤ 25, p95 ≤ 50",
               warm.median <= 25 and warm.p95 <= 50),
        Figure("seed cold qa ask", cold, "s", "≤ 5 s", cold.median <= 5),
        Figure("seed served peak RSS", Stat.of([mem]), "MiB", "≤ 1024 MiB", mem <= 1024),
        Figure("embed bare encode", bare, "texts/s", extra={"texts": n}),
        Figure("embed index build", pipe, "texts/s", "≥ 90% of bare", ratio >= 0.9,
               note=f"build/bare = {ratio:.2f} (build includes chunking, BM25, writing)"),
        Figure("bench process RSS", Stat.of([rss_mb()]), "MiB"),
    ]

