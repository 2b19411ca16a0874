"""Run the gold questions through a bot and score everything: ``eval.run(bot, gold)``.

    >>> import qa, eval
    >>> bot = qa.load()                                      # doctest: +SKIP
    >>> report = eval.run(bot, "eval/gold.jsonl", ks=(1, 5))  # doctest: +SKIP
    >>> report.summary["full@5"], report.summary["right"]     # doctest: +SKIP
    (0.97, 0.8)

``run_configs`` evaluates several named configurations (presets of ``qa.PRESETS``)
side by side, with the common tutorial setup as the baseline.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from eval.gold import GoldItem, load_gold, validate_gold
from eval.results import ItemResult, Report
from eval.scoring import score_item
from eval.summary import check_targets, per_type, reliability, summarize
from index.embed import Embedder
from index.errors import InvalidInputError
from qa.api import PRESETS, Bot, load
from qa.generate import make_generator
from qa.overview import BACKEND as OVERVIEW

__all__ = ["BASELINE", "DEFAULT_KS", "check_ks", "config_names", "run", "run_configs", "run_splits"]

DEFAULT_KS = (1, 3, 5, 10)
BASELINE = "tutorial"
_ALIASES = {"default": "hybrid"}
_CHUNK_KEYS = ("chunker", "chunk_size", "chunk_overlap")
_WARMUP = "What is this transcript about?"  # not a gold question: it caches no gold query


def check_ks(ks: Sequence[int]) -> tuple[int, ...]:
    """Sorted distinct cut-offs, each a whole number from 1 to 100.

        >>> check_ks([5, 1, 5])
        (1, 5)
    """
    if not ks or any(isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 100
                     for k in ks):
        raise InvalidInputError(f"--k needs whole numbers from 1 to 100 (got {list(ks)!r})")
    return tuple(sorted(set(ks)))


def _gold_items(bot: Bot, gold: str | Path | Sequence[GoldItem]) -> list[GoldItem]:
    items = load_gold(gold) if isinstance(gold, str | Path) else list(gold)
    if not items:
        raise InvalidInputError("the gold set has no items to evaluate (check --split)")
    problems = validate_gold(items, {d.doc_id: d.text for d in bot.documents})
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InvalidInputError(
            "the gold set does not fit this corpus: " + "; ".join(problems[:3]) + more
        )
    return items


def _settings(bot: Bot) -> dict[str, Any]:
    manifest = getattr(getattr(bot.searcher, "stored", None), "manifest", {}) or {}
    return {
        "retriever": bot.retriever,
        "top_k": bot.top_k,
        "threshold": bot.answer_settings.threshold,
        "model": manifest.get("model"),
        "chunks": manifest.get("n_chunks"),
        **{f"chunk_{k}": v for k, v in manifest.get("chunk_settings", {}).items()},
    }


def _score_one(bot: Bot, item: GoldItem, texts: dict[str, str], ks: tuple[int, ...]) -> ItemResult:
    # Ask first, so the timed call pays for embedding the question itself.
    start = time.perf_counter()
    answer, written = bot.ask(item.question, generate=False), None
    if bot.generator is not None and answer.backend != OVERVIEW:
        # as bot.ask does, keeping what checking the model's text found
        written = bot.generator.write(answer)
        answer = written.answer
    latency_ms = (time.perf_counter() - start) * 1000
    # each cut-off as a caller asking for that many passages gets them
    at_k = {k: bot.retrieve(item.question, k=k) for k in ks}
    result = score_item(item, at_k[max(ks)], answer, latency_ms, texts, ks, at_k)
    if written is None:
        return result
    checked = written.checked
    quotes = checked.quotes if checked else 0
    return replace(result, generated=answer.generated, model_quotes=quotes,
                   verified_quotes=quotes - checked.removed_quotes if checked else 0)


def run(
    bot: Bot,
    gold: str | Path | Sequence[GoldItem],
    *,
    ks: Sequence[int] = DEFAULT_KS,
    name: str = "hybrid",
    progress: bool = True,
) -> Report:
    """Ask every gold question (a file or items, checked against the bot's corpus), score it.

    Items are scored in gold order and nothing is random, so two runs give the same
    numbers except latency.
    """
    cut = check_ks(ks)
    items = _gold_items(bot, gold)
    texts = {d.doc_id: d.text for d in bot.documents}
    bot.ask(_WARMUP)  # model loading is no question's latency
    results = tuple(
        _score_one(bot, item, texts, cut)
        for item in tqdm(items, desc=f"eval {name}", unit="q", disable=not progress, leave=False)
    )
    summary, types = summarize(results, cut), per_type(results, cut)
    return Report(
        name=name, settings=_settings(bot), ks=cut, threshold=bot.answer_settings.threshold,
        items=results, summary=summary, per_type=types,
        targets=check_targets(summary, types=types), reliability=reliability(results),
    )


def config_names(compare: Sequence[str] | None, *, baseline: bool = True) -> list[str]:
    """The configurations to run, in order, without repeats, baseline last.

        >>> config_names(["default", "dense"])
        ['hybrid', 'dense', 'tutorial']
    """
    names = [_ALIASES.get(c, c) for c in (compare or ["hybrid"])]
    unknown = sorted({n for n in names if n not in PRESETS})
    if unknown:
        known = ", ".join(["default", *sorted(PRESETS)])
        raise InvalidInputError(f"unknown configuration(s) {', '.join(unknown)}; use {known}")
    if baseline:
        names.append(BASELINE)
    return list(dict.fromkeys(names))


def _index_folder(root: Path | None, config: str) -> Path | None:
    """One folder per chunking under an explicit root; else qa.load picks its own."""
    if root is None:
        return None
    chunking = [str(PRESETS[config][k]) for k in _CHUNK_KEYS if k in PRESETS[config]]
    return root / ("-".join(chunking) or "default")


def run_splits(
    configs: Sequence[str],
    groups: Mapping[str, Sequence[GoldItem]],
    *,
    corpus: str | Path | None = None,
    index_root: str | Path | None = None,
    embedder: Embedder | None = None,
    embed_backend: str | None = None,
    ks: Sequence[int] = DEFAULT_KS,
    progress: bool = True,
    llm: Mapping[str, Any] | None = None,
) -> dict[str, list[Report]]:
    """For each group of gold items (e.g. ``{"dev": [...], "test": [...]}``), one
    :class:`Report` per preset name in ``configs``; each configuration's index is
    loaded (built when missing) once and serves every group.

    Each configuration gets its own embedder of the packaged model (on ``embed_backend``,
    see :func:`index.embed.make_embedder`) unless ``embedder`` is given. With ``llm``
    (``url``, ``model``, ``timeout``: the user's model, else ``$QA_LLM_*``), each
    configuration ``C`` runs again as ``C+llm``, the model writing the answers from the
    same passages.
    """
    from index.embed import make_embedder

    root = Path(index_root) if index_root is not None else None
    out: dict[str, list[Report]] = {g: [] for g in groups}
    for name in configs:
        # A fresh real embedder per configuration: its query cache must not make the
        # later configurations look faster than the first.
        bot = load(corpus, preset=name, embedder=embedder or make_embedder(embed_backend),
                   progress=progress, index_dir=_index_folder(root, name))
        bot.generator = None  # extractive answers first; the model's, if any, as C+llm
        generator = None if llm is None else make_generator(
            bot.documents, llm.get("url"), llm.get("model"), timeout=llm.get("timeout"))
        for group, items in groups.items():
            out[group].append(run(bot, items, ks=ks, name=name, progress=progress))
            if generator is not None:
                bot.generator = generator
                out[group].append(run(bot, items, ks=ks, name=f"{name}+llm", progress=progress))
                bot.generator = None
    return out


def run_configs(
    configs: Sequence[str],
    gold: str | Path | Sequence[GoldItem],
    *,
    corpus: str | Path | None = None,
    index_root: str | Path | None = None,
    embedder: Embedder | None = None,
    embed_backend: str | None = None,
    ks: Sequence[int] = DEFAULT_KS,
    progress: bool = True,
) -> list[Report]:
    """One :class:`Report` per preset name in ``configs`` (see :func:`config_names`) on
    one gold set; see :func:`run_splits`."""
    items = load_gold(gold) if isinstance(gold, str | Path) else list(gold)
    return run_splits(configs, {"gold": items}, corpus=corpus, index_root=index_root,
                      embedder=embedder, embed_backend=embed_backend, ks=ks,
                      progress=progress)["gold"]
