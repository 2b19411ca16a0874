"""Answers written by the user's own model from the passages the bot retrieved.

The model reads the question, the earlier questions and the evidence sentences
(:mod:`qa.prompt`); what it writes is checked (:mod:`qa.grounding`): each citation number
becomes a :class:`~qa.types.Citation` made from offsets by code, quotes not in the
transcript are removed, uncited sentences left out. When the model fails (down, an
HTTP error, a reply that is not JSON, too slow) or cites nothing valid, the extractive
answer is returned with a short ``notice``; nothing raises.

    >>> import qa                                                           # doctest: +SKIP
    >>> bot = qa.load(llm_url="http://127.0.0.1:8080/v1", llm_model="gemma")  # doctest: +SKIP
    >>> ans = bot.ask("Why was the bridge closed?")                            # doctest: +SKIP
    >>> ans.generated, ans.backend, ans.text                                  # doctest: +SKIP
    (True, 'gemma (127.0.0.1:8080)', 'Because … [1].')
"""

from __future__ import annotations

import collections.abc
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from index.documents import Document
from qa.citations import make_citation
from qa.grounding import Grounded, Grounder
from qa.llm import LLMClient, LLMConfig, LLMError
from qa.prompt import build_messages, evidence_sentences
from qa.types import Answer

if TYPE_CHECKING:
    from qa.api import Bot

__all__ = [
    "MODEL_ABSTAIN_TEXT", "Generator", "Written", "make_generator", "stream_answer", "with_notice",
]

MODEL_ABSTAIN_TEXT = (
    "The transcript does not say: the model found no answer in the closest passages, "
    "shown below."
)


def with_notice(answer: Answer, notice: str) -> Answer:
    """``answer`` (the extractive one) with ``notice`` saying why the model's is not shown."""
    return replace(answer, notice=notice)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _checked_notice(g: Grounded) -> str:
    """What checking took out of the model's answer, in words ("" when nothing)."""
    parts = []
    if g.removed_quotes:
        parts.append(_plural(g.removed_quotes, "quote", "quotes") + " not in the transcript "
                     + ("was" if g.removed_quotes == 1 else "were") + " removed")
    if g.dropped:
        parts.append(_plural(g.dropped, "sentence", "sentences") + " citing nothing valid "
                     + ("was" if g.dropped == 1 else "were") + " left out")
    if g.bad_numbers:
        parts.append(_plural(g.bad_numbers, "citation", "citations")
                     + " of evidence never given " + ("was" if g.bad_numbers == 1 else "were")
                     + " dropped")
    return ("Checked against the transcript: " + "; ".join(parts) + ".") if parts else ""


@dataclass(frozen=True)
class Written:
    """One :meth:`Generator.write`: the answer shown, and what checking the model's text
    found (``checked`` is ``None`` when the model gave no text: it failed or was not asked)."""

    answer: Answer
    checked: Grounded | None


class Generator:
    """Writes answers with ``client``'s model; every quote and citation checked in ``docs``."""

    def __init__(self, client: LLMClient, docs: Mapping[str, Document]) -> None:
        self.client = client
        self.docs = docs

    @property
    def label(self) -> str:
        """Which model writes the answers: ``"name (host:port)"``."""
        return self.client.label

    def answer(self, extractive: Answer, history: Sequence[str] = ()) -> Answer:
        """The model's checked answer to ``extractive.question`` from its passages, or
        ``extractive`` with a notice when the model fails or cites nothing valid."""
        return self.write(extractive, history).answer

    def write(self, extractive: Answer, history: Sequence[str] = ()) -> Written:
        """:meth:`answer`, with what checking found (how many quotes the model wrote,
        how many were not in the transcript): the eval's verified-quote rate."""
        evidence = evidence_sentences(extractive.passages, self.docs)
        if not evidence:
            return Written(self._fallback(extractive, "was not asked: no passage came close"),
                           None)
        grounder = Grounder(evidence, self.docs)
        try:
            text = self.client.complete(build_messages(extractive.question, evidence, history))
        except LLMError as exc:
            return Written(self._fallback(extractive, exc.reason), None)
        checked = grounder.ground(text)
        return Written(self._final(extractive, text, checked), checked)

    def stream(
        self, extractive: Answer, history: Sequence[str] = (), *, every: float = 0.0
    ) -> collections.abc.Generator[str | Answer]:
        """The answer as it is written: the checked text so far (quotes verified, an
        unfinished quote held back), then the final :class:`Answer` (as :meth:`answer`).

        With ``every`` (seconds), the text so far is checked and given at most that often
        (the pieces in between are gathered). Closing the iterator early stops the model.
        """
        return self._events(extractive, history, every=every)

    def _fallback(self, extractive: Answer, reason: str) -> Answer:
        return with_notice(extractive, f"The model {self.label} {reason}; "
                                       "this is the extractive answer.")

    def _events(
        self, extractive: Answer, history: Sequence[str], *, every: float = 0.0
    ) -> collections.abc.Generator[str | Answer]:
        evidence = evidence_sentences(extractive.passages, self.docs)
        if not evidence:
            yield self._fallback(extractive, "was not asked: no passage came close")
            return
        grounder = Grounder(evidence, self.docs)
        messages = build_messages(extractive.question, evidence, history)
        text, shown_at = "", 0.0
        pieces = self.client.stream(messages)
        try:
            for piece in pieces:
                text += piece
                # checking the whole text again for every token would cost the
                # server (and a browser re-drawing it) time quadratic in its length
                if time.monotonic() - shown_at >= every:
                    shown_at = time.monotonic()
                    yield grounder.ground(text, partial=True).text
        except LLMError as exc:
            yield self._fallback(extractive, exc.reason)
            return
        finally:
            pieces.close()  # stopped early: close the connection, the server stops
        yield self._final(extractive, text, grounder.ground(text))

    def _final(self, extractive: Answer, text: str, g: Grounded) -> Answer:
        if g.cannot_tell:
            return replace(extractive, text=MODEL_ABSTAIN_TEXT, abstained=True, citations=[],
                           short=None, generated=True, backend=self.label, notice="")
        if not g.sources:
            why = "cited nothing that could be checked" if text.strip() else "wrote nothing"
            return self._fallback(extractive, why)
        if 2 * g.removed_quotes > g.quotes:  # mostly invented: what is left is not to be trusted
            return self._fallback(extractive, f"misquoted the transcript ({g.removed_quotes} of "
                                              f"{g.quotes} quotes are not in it)")
        return Answer(
            question=extractive.question,
            text=g.text,
            abstained=False,
            # the model gives none: the extractive answerer's estimate for the same evidence
            confidence=extractive.confidence,
            citations=[make_citation(self.docs[d], s, e) for d, s, e in g.sources],
            passages=extractive.passages,
            generated=True,
            backend=self.label,
            notice=_checked_notice(g),
        )


def make_generator(
    docs: Sequence[Document],
    url: str | None = None,
    model: str | None = None,
    *,
    api_key: str | None = None,
    timeout: float | str | None = None,
    env: Mapping[str, str] | None = None,
) -> Generator | None:
    """The generator for these options, else ``QA_LLM_*`` in ``env`` (default: the process
    environment); ``None`` without a URL."""
    env = os.environ if env is None else env
    config = LLMConfig.resolve(url, model, api_key=api_key, timeout=timeout, env=env)
    if config is None:
        return None
    return Generator(LLMClient(config), {d.doc_id: d for d in docs})


def stream_answer(bot: Bot, question: str, **options: Any) -> Iterator[str | Answer]:
    """``bot.ask(question, **options)`` as the model writes it: the checked answer so far
    (``str``: quotes verified, an unfinished one held back), then the final :class:`Answer`.
    Without a model, just the answer. Closing the iterator early stops the model.

        >>> for event in bot.ask_stream("Which embassies will open?"):     # doctest: +SKIP
        ...     print(event if isinstance(event, str) else event.citations)
    """
    answer = bot.ask(question, **options, generate=False)
    if bot.generator is None or answer.backend == "overview":  # an overview is not rewritten
        yield answer
        return
    yield from bot.generator.stream(answer, options.get("history") or ())
