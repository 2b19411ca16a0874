"""Values that cross module boundaries: passages, citations and answers.

All are frozen dataclasses with explicit ``start``/``end`` character offsets
into ``bot.document(doc_id).text``; change them with ``dataclasses.replace``.

    >>> p = Passage(doc_id="d", start=0, end=5, text="Hello", score=1.0, speaker="A",
    ...             title="Greetings", source="talks/d.txt")
    >>> p.end - p.start == len(p.text), p.to_dict()["source"]
    (True, 'talks/d.txt')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Answer", "Citation", "Passage"]


@dataclass(frozen=True)
class Passage:
    """A retrieved stretch of a document: ``doc.text[start:end] == text``."""

    doc_id: str
    start: int
    end: int
    text: str
    score: float
    speaker: str
    chunk_id: str = ""
    turn: int = 0
    role: str = "unknown"
    exchange_id: int | None = None
    dense_score: float | None = None
    lexical_score: float | None = None
    title: str = ""
    source: str = ""  # the document's origin: its "Source:" header, else its file in the corpus
    # seconds from the start of the recording (its first cue's start, its last cue's end);
    # None where the source has no times
    start_time: float | None = None
    end_time: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict, keys named as the attributes."""
        return asdict(self)


@dataclass(frozen=True)
class Citation:
    """A verbatim quote: ``doc.text[start:end] == quote``, checked before it is returned."""

    doc_id: str
    start: int
    end: int
    quote: str
    speaker: str
    turn: int = 0
    role: str = "unknown"
    exchange_id: int | None = None
    title: str = ""
    source: str = ""  # the document's origin: its "Source:" header, else its file in the corpus
    # seconds from the start of the recording (its first cue's start, its last cue's end);
    # None where the source has no times
    start_time: float | None = None
    end_time: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict, keys named as the attributes."""
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """What ``Bot.ask`` returns: a short answer with its evidence, or an abstention.

    ``confidence`` is in [0, 1]: the chance the answer is right; for an abstention, the
    chance the answer it held back would have been (the question answerable, and the
    guess right). ``abstained`` answers carry no citations but keep the nearest
    ``passages`` so a person can look for themselves. A ``generated`` answer's text is
    the model's, with ``[k]`` marking ``citations[k - 1]``; ``backend`` names what
    answered.
    """

    question: str
    text: str
    abstained: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # the number, sum or date asked for, as a verbatim span inside the main quote
    short: Citation | None = None
    # written by the user's model (qa.generate), its quotes and citations checked
    generated: bool = False
    backend: str = "extractive"  # what answered: "extractive", or "model (host:port)"
    notice: str = ""  # e.g. why the model's answer is not the one shown
    # for an abstention, what the transcript does say ("It gives a date for what was
    # signed (1996), but none for the question's “ratify”."); "" when nothing useful
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``qa ask --json`` and the UI's ``/ask`` endpoint."""
        return {
            "question": self.question,
            "text": self.text,
            "short": self.short.to_dict() if self.short else None,
            "abstained": self.abstained,
            "reason": self.reason,
            "confidence": self.confidence,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "generated": self.generated,
            "backend": self.backend,
            "notice": self.notice,
        }
