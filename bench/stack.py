"""Side by side with the stack people build instead, on every eval corpus, same model, same run.

LangChain's ``RecursiveCharacterTextSplitter`` (1,000 / 200 characters) +
``HuggingFaceEmbeddings`` + ``FAISS``, top 4 — from ``langchain-community`` and
``langchain-text-splitters`` (the ``bench`` extra). For each corpus of ``eval/corpora``
both stacks index the same document texts (model already loaded, so build figures
compare the pipelines); on the corpus's **test** split ours is scored by the eval
(answers, citations, abstention, retrieval) and both by the eval's own evidence rule:
a question's evidence is *fully found* when the passages returned cover ≥ 80 % of every
evidence string's characters (full-evidence recall@k). Issue 14's targets are then
checked per corpus (:mod:`bench.targets`).

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
from bench.seed import warm_ask
from eval.corpus import EvalCorpus
from index.embed import Embedder
from index.errors import InvalidInputError

__all__ = ["K", "corpus_figures", "found", "lc_scores", "run_stack"]

K = 4
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def found(evidence: str, texts: Sequence[str]) -> bool:
    """Whether ``evidence`` lies whole in one of ``texts`` (whitespace and case aside)."""
    wanted = _norm(evidence)
    return any(wanted in _norm(t) for t in texts)


def lc_embeddings(model_path: str) -> Any:
    """LangChain's embeddings of the packaged model, loaded and warmed up."""
    import warnings

    with warnings.catch_warnings():  # the class is deprecated in favour of a package we avoid
        warnings.simplefilter("ignore")
        try:
            from langchain_community.embeddings import HuggingFaceEmbeddings
        except ImportError as exc:
            raise InvalidInputError(
                "the LangChain side needs the bench extra: pip install -e '.[bench]'") from exc

        embeddings = HuggingFaceEmbeddings(
            model_name=model_path, model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True})
    embeddings.embed_query("warm up")
    return embeddings


def _langchain(texts: dict[str, str], embeddings: Any) -> tuple[Any, float]:
    """LangChain's store over ``texts`` (doc_id -> text) and its build seconds."""
    from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200,
                                              add_start_index=True)
    docs = splitter.create_documents(list(texts.values()),
                                     metadatas=[{"doc_id": d} for d in texts])
    store = FAISS.from_documents(docs, embeddings)
    return store, time.perf_counter() - started


def _span(doc: Any, texts: dict[str, str]) -> tuple[str, int, int]:
    """Where a LangChain passage lies in its document (its start index, checked)."""
    doc_id, text = doc.metadata["doc_id"], doc.page_content
    start = int(doc.metadata.get("start_index", -1))
    if texts[doc_id][start : start + len(text)] != text:
        start = texts[doc_id].find(text)
    return doc_id, start, start + len(text)


def lc_scores(store: Any, items: Sequence[Any], texts: dict[str, str], k: int = K
              ) -> dict[str, float | None]:
    """Full-evidence recall@k and mean context characters of LangChain's top k."""
    from eval.gold import locate_evidence
    from eval.metrics import context_chars, evidence_recall

    full, chars = [], []
    for item in (i for i in items if i.evidence):
        spans = [_span(d, texts) for d in store.similarity_search(item.question, k=k)]
        full.append(float(evidence_recall(spans, locate_evidence(item, texts), k=k).full))
        chars.append(float(context_chars(spans, k)))
    return {f"full@{k}": sum(full) / len(full) if full else None,
            f"context@{k}": sum(chars) / len(chars) if chars else None}


def _latency(fn: Callable[[str], object], questions: list[str]) -> Stat:
    times = []
    for q in questions:
        started = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - started)
    return Stat.of(times).scaled(1000)


def _ours(corpus: Path, embedder: Embedder, folder: Path) -> tuple[Any, float]:
    import qa

    embedder.encode(["warm up"])
    started = time.perf_counter()
    bot = qa.load(corpus, index_dir=folder, embedder=embedder)
    return bot, time.perf_counter() - started


def _builds(corpus: EvalCorpus, embedder: Embedder, embeddings: Any, folder: Path,
            times: int) -> tuple[Any, Any, Stat, Stat]:
    """Both stacks built ``times`` times, alternating (load hits both alike): the last of
    each and the build seconds."""
    ours_s, lc_s = [], []
    for i in range(times):
        bot, seconds = _ours(corpus.transcripts, embedder, folder / f"i{i}")
        ours_s.append(seconds)
        lc, seconds = _langchain({d.doc_id: d.text for d in bot.documents}, embeddings)
        lc_s.append(seconds)
    return bot, lc, Stat.of(ours_s), Stat.of(lc_s)


def corpus_figures(corpus: EvalCorpus, embedder: Embedder, embeddings: Any, *,
                   repeats: int = 3, log: Callable[[str], None] = print) -> list[Figure]:
    """Both stacks on one corpus's test split: the measured values, then the targets.

    The corpus whose build has a target (the seed) is built ``repeats`` times, the others
    once: a build's first run in a process also pays for imports and warm-up."""
    from bench.failures import misses
    from bench.targets import BUILD_CORPUS, measured, target_figures
    from eval.gold import filter_gold, load_gold
    from eval.runner import run

    items = filter_gold(load_gold(corpus.gold), split="test")
    times = repeats if corpus.name == BUILD_CORPUS else 1
    log(f"stack {corpus.name}: building ours and LangChain's ({times}x) ...")
    with tempfile.TemporaryDirectory() as tmp:
        bot, lc, ours_s, lc_s = _builds(corpus, embedder, embeddings, Path(tmp), times)
        texts = {d.doc_id: d.text for d in bot.documents}
        log(f"stack {corpus.name}: {len(items)} test questions ...")
        report = run(bot, items, ks=(K, 5), name="hybrid", progress=False)
        questions = [i.question for i in items]
        ask = warm_ask(bot, questions, repeats)
        retrieve = _latency(lambda q: bot.retrieve(q, k=K), questions)
        lc_q = _latency(lambda q: lc.similarity_search(q, k=K), questions)
        theirs = lc_scores(lc, items, texts)
    values = measured(report, theirs, ask, ours_s.median, lc_s.median)
    info = {"corpus": corpus.name, "questions": len(items)}
    return [
        Figure(f"stack {corpus.name}: build ours", ours_s, "s",
               extra={**info, "values": values, "misses": misses(report)}),
        Figure(f"stack {corpus.name}: build langchain", lc_s, "s", extra=info),
        Figure(f"stack {corpus.name}: ask ours (warm)", ask, "ms", extra=info),
        Figure(f"stack {corpus.name}: retrieve ours k={K}", retrieve, "ms", extra=info),
        Figure(f"stack {corpus.name}: query langchain k={K}", lc_q, "ms", extra=info),
        *target_figures(corpus.name, values),
    ]


def run_stack(embedder: Embedder, model_path: str, *,
              corpora: Sequence[EvalCorpus] | None = None, repeats: int = 3,
              log: Callable[[str], None] = print) -> list[Figure]:
    """Every corpus (default: all of ``eval/corpora``) with both stacks, one model load."""
    from eval.corpus import all_corpora

    embeddings = lc_embeddings(model_path)
    figures: list[Figure] = []
    for corpus in corpora if corpora is not None else all_corpora():
        figures += corpus_figures(corpus, embedder, embeddings, repeats=repeats, log=log)
    return figures
