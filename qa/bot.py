"""The :class:`Bot`: questions in, answers with verbatim citations out (made by :func:`qa.load`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from index.build import BuildReport
from index.documents import Document, Skipped
from index.errors import InvalidInputError
from qa.abstain import corpus_vocabulary
from qa.answer import AnswerContext, AnswerSettings, extract_answer
from qa.generate import Generator, stream_answer
from qa.multipart import interleave, join_answers, part_queries
from qa.overview import BACKEND as OVERVIEW
from qa.overview import overview_answer, wants_overview
from qa.query import clean_question, followup_query
from qa.question import analyse
from qa.retrieve import Searcher
from qa.routing import Router
from qa.types import Answer, Passage

__all__ = ["Bot", "check_k"]

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
        self.top_k = check_k(top_k)
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
        search = (check_k(k), retriever or self.retriever, self._doc_filter(doc_ids, query))
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
        depth, strategy = check_k(k or self.top_k), retriever or self.retriever
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


def check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= _MAX_K:
        raise InvalidInputError(f"k must be a whole number from 1 to {_MAX_K} (got {k!r})")
    return k
