"""Questions about a whole transcript ("Summarize this", "What is this about?") and
the structured overview that answers them: who speaks, the topics, and the exchanges
(who asked what, and who answered), every quote verbatim with offsets made by code.

The intent is read from the question's shape: a summary verb or noun, or "what is …
about" / "what was discussed" with nothing left over but words for the transcript
itself ("this", "the call", "the whole hearing"). A question that names a topic
("What did she say about tariffs?") is not an overview question.

    >>> wants_overview("Summarize this"), wants_overview("What is this about?")
    (True, True)
    >>> wants_overview("What did the minister say about the treaty?")
    False
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from index.documents import Document, Turn
from index.linguistics import Linguistics
from index.sentvec import SentenceTable
from qa.citations import make_citation
from qa.types import Answer, Citation, Passage

__all__ = ["BACKEND", "Exchange", "Overview", "build_overview", "overview_answer",
           "wants_overview"]

BACKEND = "overview"  # Answer.backend of an overview, so renderers can lay it out
_ASKS = (
    r"(?:summari[sz]e|sum\s+up|recap|outline|overview|tl;?dr|brief\s+me(?:\s+on)?)\b",
    r"(?:give|show|tell|provide|write)\s+(?:me|us)?\s*(?:a|an|the)?\s*(?:short\s+|brief\s+|quick\s+"
    r"|general\s+|high[- ]level\s+)?(?:summary|overview|rundown|recap|gist|outline|synopsis)"
    r"(?:\s+of)?\b",
    r"(?:a|an|the)?\s*(?:short\s+|brief\s+|quick\s+)?(?:summary|overview|rundown|recap|gist|"
    r"synopsis|tl;?dr)(?:\s+of|\s+please)?\b",
    r"what(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:it|this|that|all\s+this|everything)?"
    r"\s*(?:all\s+)?about\b",
    r"what\s+(?:is|was|are|were)\s+(?P<mid>(?:\w+\s+){0,3}?)(?:about|discussed|covered|said|"
    r"talked\s+about)\b",
    r"what\s+(?:(?:main|key|major)\s+)?(?:topics|subjects|themes|issues|points|questions)\s+"
    r"(?:are|were|did|does|do)\s+(?P<mid>(?:\w+\s+){0,3}?)(?:discussed|covered|raised|asked|addressed|"
    r"come\s+up|cover|discuss|raise|address|talk\s+about)\b",
    r"what\s+(?:are|were)\s+the\s+(?:(?:main|key|major)\s+)?(?:topics|subjects|themes|issues|"
    r"points|takeaways|highlights)\b",
    r"who\s+(?:are|were)\s+the\s+(?:speakers|participants)\b",
)
_POLITE = re.compile(r"^\s*(?:(?:please|ok|okay|so|now)\b[\s,]*|(?:can|could|would|will)\s+you\s+"
                     r"(?:please\s+)?|i\s+(?:want|would\s+like|need)\s+(?:to\s+(?:get|see|have)\s+)?)+",
                     re.I)
_ASK_RE = tuple(re.compile(rf"^\s*{a}", re.I) for a in _ASKS)
# words that may stand for the transcript itself, or fill out the request
_WHOLE = frozenset(
    """
    this that it the a an whole entire full all everything of in on for me us please briefly quickly
    transcript transcripts document documents text file recording talk speech speeches hearing
    conversation meeting session conference call interview discussion debate episode podcast video
    event lecture address q&a here so far main key overall points content discussed covered raised
    addressed mentioned talked about said
    """.split()  # noqa: SIM905 (a word list reads best as words)
)
_WORD = re.compile(r"[\w&]+")
_TOPIC_LABELS = frozenset({"ORG", "GPE", "NORP", "LOC", "EVENT", "LAW", "FAC", "PRODUCT",
                           "WORK_OF_ART", "PERSON", "LANGUAGE"})
_MAX_TOPICS = 10
_MAX_EXCHANGES = 40
_MAX_DOCS = 3
_MIN_WORDS = 6


def wants_overview(question: str) -> bool:
    """Whether ``question`` asks about the whole transcript rather than something in it."""
    asked = _POLITE.sub("", question)
    for pattern in _ASK_RE:
        if (m := pattern.match(asked)) is not None:
            rest = _WORD.findall(f"{m.groupdict().get('mid') or ''} {asked[m.end():]}".lower())
            if all(w in _WHOLE for w in rest):
                return True
    return False


@dataclass(frozen=True)
class Exchange:
    """A question turn and the turn that answered it (``answer`` is None when none did)."""

    asker: str
    question: Citation
    answerer: str | None
    answer: Citation | None


@dataclass(frozen=True)
class Overview:
    """One document's overview; every citation is ``doc.text[start:end]``."""

    doc_id: str
    title: str
    speakers: tuple[tuple[str, str], ...]  # (name, what they did: "opening address, 16 answers")
    topics: tuple[tuple[str, int, Citation], ...]  # (topic, sentences naming it, first mention)
    exchanges: tuple[Exchange, ...]
    opening: Citation | None


def _sentence(doc: Document, table: SentenceTable, lo: int, hi: int,
              *, asking: bool = False) -> Citation | None:
    """The sentence that stands for ``doc.text[lo:hi]``: its first question when ``asking``,
    else its first sentence of some length (greetings and thanks say little), else its first."""
    spans = [(max(s, lo), min(e, hi)) for _, s, e in
             (table.spans[r] for r in table.within(doc.doc_id, lo, hi))]
    spans = [(s, e) for s, e in spans if doc.text[s:e].strip()]
    if not spans:
        body = doc.text[lo:hi].strip()
        start = lo + doc.text[lo:hi].find(body)
        return make_citation(doc, start, start + len(body)) if body else None
    def said(span: tuple[int, int]) -> str:
        return doc.text[span[0] : span[1]].strip()
    asked = [sp for sp in spans if asking and said(sp).endswith("?")]
    full = [sp for sp in spans if len(_WORD.findall(said(sp))) >= _MIN_WORDS]
    return make_citation(doc, *(asked or full or spans)[0])


def _asks(doc: Document, turn: Turn) -> bool:
    return turn.role == "question" or doc.text[turn.start : turn.end].rstrip().endswith("?")


def _exchanges(doc: Document, table: SentenceTable) -> list[Exchange]:
    """Question turns and who answered each: the turn metadata's question/answer links,
    else (a transcript without them) a turn ending in a question and the next speaker's."""
    turns = doc.turns
    linked = {t.question_turn: t for t in turns if t.question_turn is not None}
    out: list[Exchange] = []
    for i, turn in enumerate(turns):
        if not _asks(doc, turn):
            continue
        reply = linked.get(turn.index)
        if reply is None and not linked and i + 1 < len(turns):
            nxt = turns[i + 1]
            reply = nxt if nxt.speaker != turn.speaker else None
        question = _sentence(doc, table, turn.start, turn.end, asking=True)
        if question is None:
            continue
        answer = _sentence(doc, table, reply.start, reply.end) if reply else None
        out.append(Exchange(turn.speaker, question, reply.speaker if reply else None, answer))
    return out[:_MAX_EXCHANGES]


def _speakers(doc: Document, exchanges: Sequence[Exchange]) -> list[tuple[str, str]]:
    """Each speaker, in order of first appearance, with what they did."""
    roles: dict[str, Counter[str]] = {}
    for t in doc.turns:
        roles.setdefault(t.speaker, Counter())[t.role] += 1
    asked = Counter(e.asker for e in exchanges)
    answered = Counter(e.answerer for e in exchanges if e.answerer)
    out = []
    for name, counts in roles.items():
        parts = []
        if counts["speech"]:
            parts.append("opening address" if doc.turns[0].speaker == name else "speech")
        for what, n in (("question", asked[name]), ("answer", answered[name])):
            if n:
                parts.append(f"{n} {what}{'s' if n > 1 else ''}")
        if not parts:
            n = sum(counts.values())
            parts.append(f"{n} turn{'s' if n > 1 else ''}")
        out.append((name, ", ".join(parts)))
    return out


def _topic_key(text: str) -> str:
    words = re.sub(r"[’']s$", "", text.strip()).split()
    if words and words[0].lower() == "the":
        words = words[1:]
    return " ".join(words)


def _topics(doc: Document, table: SentenceTable, ling: Linguistics,
            speakers: Sequence[str]) -> list[tuple[str, int, Citation]]:
    """The names mentioned in most sentences (speakers aside), each with its first mention."""
    named = {s.lower() for s in speakers} | {w.lower() for s in speakers for w in s.split()}
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, int]] = {}
    for row in table.within(doc.doc_id, doc.body_start, len(doc.text)):
        _, start, end = table.spans[row]
        info = ling.get(table.keys[row], end - start)
        seen: set[str] = set()
        for e in info.entities:
            key = _topic_key(doc.text[start + e.start : start + e.end])
            if e.label in _TOPIC_LABELS and key and key.lower() not in named and key not in seen:
                seen.add(key)
                counts[key] += 1
                first.setdefault(key, (start + e.start, start + e.end))
    top = [k for k, n in counts.most_common() if n > 1][:_MAX_TOPICS]
    return [(k, counts[k], make_citation(doc, *first[k])) for k in top]


def build_overview(doc: Document, table: SentenceTable, ling: Linguistics) -> Overview:
    """The overview of ``doc`` from its turns and the stored sentence analyses."""
    exchanges = _exchanges(doc, table)
    speakers = _speakers(doc, exchanges)
    topics = _topics(doc, table, ling, [s for s, _ in speakers])
    opening = None
    if doc.turns and doc.turns[0].role == "speech":
        opening = _sentence(doc, table, doc.turns[0].start, doc.turns[0].end)
    return Overview(doc.doc_id, doc.title or doc.doc_id, tuple(speakers), tuple(topics),
                    tuple(exchanges), opening)


def _numbered(cites: list[Citation], c: Citation) -> str:
    if c not in cites:
        cites.append(c)
    return f"[{cites.index(c) + 1}]"


def _lines(ov: Overview, cites: list[Citation]) -> list[str]:
    lines = [f"Overview of “{ov.title}”: {len(ov.speakers)} speakers, "
             f"{len(ov.exchanges)} exchanges."]
    if ov.opening is not None:
        lines.append(f"Opening: “{ov.opening.quote}” {_numbered(cites, ov.opening)}")
    lines.append("Speakers: " + "; ".join(f"{n} ({what})" for n, what in ov.speakers) + ".")
    if ov.topics:
        lines.append("Topics: " + ", ".join(
            f"{t} ({n} mentions) {_numbered(cites, c)}" for t, n, c in ov.topics) + ".")
    if ov.exchanges:
        lines.append("Exchanges:")
    for i, e in enumerate(ov.exchanges, 1):
        asked = f"{i}. {e.asker}: “{e.question.quote}” {_numbered(cites, e.question)}"
        answered = (f" → {e.answerer} {_numbered(cites, e.answer)}" if e.answer and e.answerer
                    else " → no answer in the transcript")
        lines.append(asked + answered)
    return lines


def overview_answer(question: str, docs: Sequence[Document], table: SentenceTable,
                    ling: Linguistics, passages: Sequence[Passage] = ()) -> Answer:
    """The overview of ``docs`` (the first three) as an :class:`Answer`; ``[k]`` in its text
    marks ``citations[k - 1]``."""
    overviews = [build_overview(d, table, ling) for d in docs[:_MAX_DOCS]]
    cites: list[Citation] = []
    lines: list[str] = []
    for ov in overviews:
        lines += _lines(ov, cites)
    if len(docs) > _MAX_DOCS:
        lines.append(f"({len(docs) - _MAX_DOCS} more documents; choose one to see its overview.)")
    return Answer(question, "\n".join(lines), False, 1.0, cites, list(passages),
                  backend=BACKEND)

