"""Side by side with the stack people build instead, same model, same run.

LangChain's ``RecursiveCharacterTextSplitter`` (1,000 / 200 characters) +
``HuggingFaceEmbeddings`` + ``FAISS``, top 4 — from ``langchain-community`` and
``langchain-text-splitters`` (the ``bench`` extra). Both sides get an already
loaded model, so build figures compare the pipelines, not the model load.
Quality: the share of answerable gold questions whose evidence lies whole in
one of the 4 passages returned (same rule for both).

    >>> found("a  b", ["x a b y"])
    True
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import Figure, Stat
from bench.seed import SEEDS, gold
from index.embed import Embedder

__all__ = ["found", "run_stack"]

K = 4
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def found(evidence: str, texts: Sequence[str]) -> bool:
    """Whether ``evidence`` lies whole in one of ``texts`` (whitespace and case aside)."""
    wanted = _norm(evidence)
    return any(wanted in _norm(t) for t in texts)


def _hit_rate(search: Callable[[str], list[str]], items: list[dict[str, Any]]) -> float:
    hits = [any(found(e, search(g["question"])) for e in g["evidence"]) for g in items]
    return sum(hits) / len(hits) if hits else float("nan")


def _langchain(corpus: Path, model_path: str) -> tuple[Any, float]:
    """The LangChain store over ``corpus`` and its build seconds (model loaded first)."""
    import warnings

    from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with warnings.catch_warnings():  # the class is deprecated in favour of a package we avoid
        warnings.simplefilter("ignore")
        from langchain_community.embeddings import HuggingFaceEmbeddings

        embeddings = HuggingFaceEmbeddings(
            model_name=model_path, model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True})
    embeddings.embed_query("warm up")
    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    docs = splitter.create_documents(texts)
    store = FAISS.from_documents(docs, embeddings)
    return store, time.perf_counter() - started


def _latency(fn: Callable[[str], object], questions: list[str]) -> Stat:
    times = []
    for q in questions:
        started = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - started)
    return Stat.of(times).scaled(1000)


def _ours(corpus: Path, embedder: Embedder) -> tuple[Any, float]:
    import qa

    embedder.encode(["warm up"])
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        bot = qa.load(corpus, index_dir=Path(tmp) / "i", embedder=embedder)
        return bot, time.perf_counter() - started


def run_stack(embedder: Embedder, model_path: str, *, corpus: Path = SEEDS,
              log: Callable[[str], None] = print) -> list[Figure]:
    """Build time, query latency and evidence hit@4 of both stacks, with ratios."""
    items = [g for g in gold() if g.get("answerable")]
    questions = [g["question"] for g in items]
    log("stack: building ours and LangChain's ...")
    bot, ours_s = _ours(corpus, embedder)
    lc, lc_s = _langchain(corpus, model_path)
    getattr(bot.searcher.embedder, "_cache", {}).clear()
    ask = _latency(bot.ask, questions)
    getattr(bot.searcher.embedder, "_cache", {}).clear()
    retrieve = _latency(lambda q: bot.retrieve(q, k=K), questions)
    lc_q = _latency(lambda q: lc.similarity_search(q, k=K), questions)
    ours_hit = _hit_rate(lambda q: [p.text for p in bot.retrieve(q, k=K)], items)
    lc_hit = _hit_rate(lambda q: [d.page_content for d in lc.similarity_search(q, k=K)], items)
    cite_hit = _hit_rate(lambda q: [c.quote for c in bot.ask(q).citations], items)
    build_ratio = ours_s / lc_s
    return [
        Figure("stack build ours", Stat.of([ours_s]), "s", extra={"questions": len(items)}),
        Figure("stack build langchain", Stat.of([lc_s]), "s"),
        Figure("stack build ratio ours/langchain", Stat.of([build_ratio]), "×", "≤ 1",
               build_ratio <= 1, note="ours also embeds every sentence and builds BM25"),
        Figure("stack ask ours (answer)", ask, "ms"),
        Figure("stack retrieve ours", retrieve, "ms"),
        Figure("stack query langchain", lc_q, "ms"),
        Figure("stack query ratio ours/langchain", Stat.of([retrieve.median / lc_q.median]),
               "×", "≤ 1", retrieve.median <= lc_q.median),
        Figure("stack evidence hit@4 ours", Stat.of([ours_hit]), "", "> langchain",
               ours_hit > lc_hit),
        Figure("stack evidence hit@4 langchain", Stat.of([lc_hit]), ""),
        Figure("stack answer quotes hit evidence (ours)", Stat.of([cite_hit]), ""),
    ]
