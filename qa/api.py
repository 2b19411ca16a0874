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
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.build import BuildReport
from index.chunk import Chunk, ChunkSettings
from index.documents import Document, Skipped, read_corpus_report
from index.embed import Embedder, make_embedder
from index.errors import CorruptIndexError, InvalidInputError
from index.progress import OnProgress, reporting
from index.stores import open_store
from qa.abstain import corpus_vocabulary
from qa.answer import AnswerContext, AnswerSettings, extract_answer
from qa.generate import Generator, make_generator, stream_answer
from qa.multipart import interleave, join_answers, part_queries
from qa.overview import BACKEND as OVERVIEW
from qa.overview import overview_answer, wants_overview
from qa.presets import PRESETS, chunk_settings, options_of
from qa.query import clean_question, followup_query
from qa.question import analyse
from qa.retrieve import Searcher
from qa.routing import Router
from qa.types import Answer, Passage
from qa.upload import read_uploads

__all__ = ["PRESETS", "Bot", "default_corpus", "load"]

_MAX_K = 100


class Bot:
    """Answers questions about an indexed corpus. Make one with :func:`load`."""

    def __init__(
        self,
        searcher: Searcher,
        documents: Sequence[Document],
        *,
        retriever: str = "hybrid",
        top_k: int = 5,
        answer_settings: AnswerSettings | None = None,
        index_dir: Path | None = None,
        build_report: BuildReport | None = None,
        generator: Generator | None = None,
        skipped: Sequence[Skipped] = (),
    ) -> None:
        self.searcher = searcher
        self._docs = {d.doc_id: d for d in documents}
        self.router = Router.of(documents)
        # the corpus's words and its documents' names, made once: a question naming
        # others is not answered here
        self._vocabulary = corpus_vocabulary([*(d.text for d in documents), self.router.vocabulary])
        self.retriever = retriever
        self.top_k = _check_k(top_k)
        self.answer_settings = answer_settings or AnswerSettings()
        self.index_dir = index_dir
        self.build_report = build_report
        self.skipped = tuple(skipped)  # the corpus folder's files not indexed, and why
        self.generator = generator  # the user's model (qa.generate); None: extractive only
        # the same bot over other documents, its index updated (set by qa.load; qa.upload)
        self.reopen: Callable[[list[Document]], Bot] | None = None

    @property
    def documents_by_id(self) -> dict[str, Document]:
        """The indexed documents by id."""
        return dict(self._docs)

    @property
    def documents(self) -> list[Document]:
        """The indexed documents, in corpus order."""
        return list(self._docs.values())

    def document(self, doc_id: str) -> Document:
        """The document ``doc_id``; its ``text`` is what every offset indexes."""
        try:
            return self._docs[doc_id]
        except KeyError:
            raise InvalidInputError(
                f"no document {doc_id!r}; known: {sorted(self._docs)}"
            ) from None

    def _doc_filter(self, doc_ids: Collection[str] | None, question: str = "") -> set[str] | None:
        """The documents to search: those asked for, else those the question names."""
        if doc_ids is None:
            return self.router.route(question) if question else None
        if isinstance(doc_ids, str):  # a lone id would otherwise be read letter by letter
            doc_ids = [doc_ids]
        unknown = [d for d in doc_ids if d not in self._docs]
        if unknown:
            known = sorted(self._docs)
            more = f" and {len(known) - 10} more (`qa docs` lists them)" if len(known) > 10 else ""
            raise InvalidInputError(
                f"unknown document(s) {unknown[:10]}; known: {', '.join(known[:10])}{more}"
            )
        if not doc_ids:
            raise InvalidInputError("doc_ids is empty; pass None to ask every document")
        return set(doc_ids)

    def retrieve(
        self,
        question: str,
        k: int = 5,
        *,
        retriever: str | None = None,
        doc_ids: Collection[str] | None = None,
    ) -> list[Passage]:
        """The ``k`` passages most relevant to ``question``, best first.

        A question that asks two things gets the best passages for each part in turn.
        """
        query = clean_question(question)
        search = (_check_k(k), retriever or self.retriever, self._doc_filter(doc_ids, query))
        parts = part_queries(query)
        if len(parts) == 1:
            return self.searcher.search(query, *search)
        return interleave([self.searcher.search(q, *search) for _, q in parts], search[0])

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        retriever: str | None = None,
        doc_ids: Collection[str] | None = None,
        history: Sequence[str] | None = None,
        generate: bool = True,
    ) -> Answer:
        """Answer ``question`` with verbatim citations, or abstain when the corpus does not say.

        ``history`` holds earlier questions of the conversation, so that a follow-up
        ("And what about Texas?") is understood in their context. A model configured
        (``qa.load(llm_url=...)``) writes the answer unless ``generate`` is false (qa.generate).
        """
        ans = self._extractive(question, k, retriever, doc_ids, history)
        if not generate or self.generator is None or ans.backend == OVERVIEW:
            return ans
        return self.generator.answer(ans, history or ())

    def ask_stream(self, question: str, **options: Any) -> Iterator[str | Answer]:
        """:meth:`ask` as the model writes it: see :func:`qa.generate.stream_answer`."""
        return stream_answer(self, question, **options)

    def _extractive(self, question: str, k: int | None, retriever: str | None,
                    doc_ids: Collection[str] | None, history: Sequence[str] | None) -> Answer:
        cleaned = clean_question(question)
        if wants_overview(cleaned):  # about the whole transcript: speakers, topics, exchanges
            chosen = self._doc_filter(doc_ids)
            stored = self.searcher.stored
            return overview_answer(cleaned, [d for i, d in self._docs.items()
                                             if chosen is None or i in chosen],
                                   stored.sentences, stored.linguistics)
        query = followup_query(cleaned, history or ())
        depth, strategy = _check_k(k or self.top_k), retriever or self.retriever
        parts = part_queries(cleaned)
        if len(parts) == 1:
            return self._answer(cleaned, query, depth, strategy, self._doc_filter(doc_ids, query))
        earlier = history or ()
        queries = [(p, followup_query(q, earlier)) for p, q in parts]
        answers = [self._answer(p, q, depth, strategy, self._doc_filter(doc_ids, q))
                   for p, q in queries]
        return join_answers(cleaned, answers)

    def answer_context(
        self, question: str, passages: Sequence[Passage], query: str | None = None
    ) -> AnswerContext:
        """What the answerer reads for ``question`` from ``passages`` (``query``, the text
        searched for, when it is not the question itself): for tuning and inspection,
        e.g. ``qa.answer.evidence(bot.answer_context(q, bot.retrieve(q)))``."""
        qvec = self.searcher.query_vector(query or question)
        stored = self.searcher.stored
        return AnswerContext(analyse(question), qvec, tuple(passages), self._docs,
                             stored.sentences, stored.linguistics, self._vocabulary)

    def _answer(
        self, question: str, query: str, k: int, retriever: str, doc_filter: set[str] | None
    ) -> Answer:
        passages = self.searcher.search(query, k, retriever, doc_filter)
        ctx = self.answer_context(question, passages, query)
        return extract_answer(ctx, self.answer_settings)


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= _MAX_K:
        raise InvalidInputError(f"k must be a whole number from 1 to {_MAX_K} (got {k!r})")
    return k


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
