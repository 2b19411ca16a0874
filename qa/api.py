"""The public API: load a corpus into a :class:`Bot`, then ask it questions.

>>> import qa
>>> bot = qa.load()                                       # doctest: +SKIP
>>> ans = bot.ask("Which plants will open this year?")  # doctest: +SKIP
>>> ans.citations[0].quote in bot.document(ans.citations[0].doc_id).text  # doctest: +SKIP
True
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.chunk import Chunk, ChunkSettings
from index.documents import Document, Skipped, read_corpus_report
from index.embed import Embedder, make_embedder
from index.errors import CorruptIndexError
from index.progress import OnProgress, reporting
from index.stores import open_store
from qa.bot import Bot
from qa.generate import Generator, make_generator
from qa.presets import PRESETS, chunk_settings, options_of
from qa.retrieve import Searcher
from qa.upload import read_uploads

__all__ = ["PRESETS", "Bot", "default_corpus", "load"]


def _mismatch(chunks: Sequence[Chunk], docs: Sequence[Document]) -> str | None:
    """Why the stored chunks do not fit the documents' text, or ``None`` when they do."""
    texts = {d.doc_id: d.text for d in docs}
    for c in chunks:
        if texts.get(c.doc_id, "")[c.start : c.end] != c.text:
            return f"chunk {c.chunk_id} no longer matches its source text"
    return None


def default_corpus() -> Path:
    """``$QA_CORPUS``, else ``./seeds``, else the ``seeds/`` shipped beside the packages."""
    if env := os.environ.get("QA_CORPUS"):
        return Path(env)
    here = Path("seeds")
    return here if here.exists() else Path(__file__).resolve().parents[1] / "seeds"


def _index_dir(corpus: Path, embedder: Embedder, settings: ChunkSettings) -> Path:
    root = Path(os.environ.get("QA_INDEX_ROOT", ".qa-index"))
    key = f"{corpus.resolve()}|{embedder.name}|{sorted(settings.to_dict().items())}"
    return root / f"{corpus.stem or 'corpus'}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def load(
    path: str | Path | None = None,
    *,
    index_dir: str | Path | None = None,
    embedder: Embedder | None = None,
    embed_backend: str | None = None,
    preset: str | None = None,
    build: bool = True,
    rebuild: bool = False,
    progress: bool = False,
    store: str | None = None,
    milvus_uri: str | None = None,
    milvus_token: str | None = None,
    llm_url: str | None = None, llm_model: str | None = None,
    llm_api_key: str | None = None, llm_timeout: float | None = None,
    on_progress: OnProgress | None = None,
    **options: Any,
) -> Bot:
    """Load (building when missing or stale) the index of a transcript file or folder.

    Options: ``chunker``, ``chunk_size``, ``chunk_overlap``, ``retriever``, ``top_k``,
    ``answer_settings``; ``preset`` names a set of them from :data:`PRESETS`.
    Without an ``embedder``, the packaged model runs on ``embed_backend``
    (``"auto"``, ``"onnx"`` or ``"torch"``; default ``$QA_EMBED_BACKEND`` or auto).
    A chunk file that no longer matches its sources is rebuilt (or, with
    ``build=False``, reported). ``store`` is ``"local"`` (the index folder) or
    ``"milvus"`` (default ``$QA_STORE``, else local); ``milvus_uri`` a Lite file or
    ``http://host:19530`` (default ``$QA_MILVUS_URI``, else ``<index folder>-milvus/milvus.db``),
    ``milvus_token`` its token (default ``$QA_MILVUS_TOKEN``). ``llm_url`` (else
    ``$QA_LLM_URL``): an OpenAI-compatible server whose model writes the answers (qa.generate).
    ``on_progress`` receives the build's :class:`index.progress.Progress` (texts embedded,
    rate, ETA) as it goes.
    """
    opts = options_of(preset, options)
    corpus = Path(path) if path is not None else default_corpus()
    docs, skipped = read_corpus_report(corpus)
    generator = make_generator(docs, llm_url, llm_model, api_key=llm_api_key, timeout=llm_timeout)
    embedder = embedder or make_embedder(embed_backend)
    settings = chunk_settings(opts)
    folder = Path(index_dir) if index_dir is not None else _index_dir(corpus, embedder, settings)
    where = {"milvus_uri": milvus_uri, "milvus_token": milvus_token, "store": store,
             "progress": progress, "on_progress": on_progress}
    opened = functools.partial(_open, embedder=embedder, settings=settings, folder=folder,
                               opts=opts, generator=generator, where=where)
    return opened(docs + read_uploads(folder), build=build, rebuild=rebuild, skipped=skipped)


def _open(docs: list[Document], *, embedder: Embedder, settings: ChunkSettings, folder: Path,
          opts: dict[str, Any], generator: Generator | None, where: dict[str, Any],
          build: bool = True, rebuild: bool = False, skipped: Sequence[Skipped] = ()) -> Bot:
    """The bot over ``docs``, its index at ``folder`` opened (built, or updated, as needed);
    ``bot.reopen(docs)`` makes the same over other documents (qa.upload)."""
    store, progress, on_progress = where["store"], where["progress"], where["on_progress"]
    conn = {"milvus_uri": where["milvus_uri"], "milvus_token": where["milvus_token"]}
    with reporting(on_progress):
        stored, report = open_store(
            store, docs, embedder, settings, folder, build=build, rebuild=rebuild,
            progress=progress, **conn,
        )
        if (problem := _mismatch(stored.chunks, docs)) is not None:
            if not build:
                raise CorruptIndexError(f"{folder}: {problem}; rebuild it with `qa index`")
            stored, report = open_store(
                store, docs, embedder, settings, folder, rebuild=True, progress=progress, **conn
            )
    bot = Bot(
        Searcher(stored, embedder, {d.doc_id: d for d in docs}),
        docs,
        retriever=opts.get("retriever", "hybrid"),
        top_k=opts.get("top_k", 5),
        answer_settings=opts.get("answer_settings"),
        index_dir=folder,
        build_report=replace(report, skipped=tuple(map(str, skipped))) if report else None,
        generator=generator,
        skipped=skipped,
    )
    bot.reopen = functools.partial(_open, embedder=embedder, settings=settings, folder=folder,
                                   opts=opts, generator=generator, where=where, skipped=skipped)
    return bot
