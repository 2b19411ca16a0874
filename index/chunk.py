"""Token-aware chunks with character offsets.

The default ``"sentences"`` chunker packs whole sentences of one speaker turn
into chunks of at most ``size`` tiktoken tokens, repeating up to ``overlap``
tokens of trailing sentences at the start of the next chunk. It never crosses
a turn, and it splits any chunk further that exceeds the embedder's window
(``fits``). ``"chars"`` is the common tutorial splitter (fixed characters with
overlap), kept as a baseline to compare against.

    >>> from index.parse import parse_document
    >>> text = "Ann Lee: One. Two.\\nBo Li: Three."
    >>> doc = parse_document(doc_id="d", text=text, path="", sha256="")
    >>> [c.text for c in chunk_document(doc, ChunkSettings(size=50, overlap=0))]
    ['One. Two.', 'Three.']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from index.documents import Document, Turn
from index.errors import InvalidInputError
from index.sentences import sentence_spans
from index.tokens import count_tokens

__all__ = ["CHUNKERS", "Chunk", "ChunkSettings", "chunk_corpus", "chunk_document"]

Span = tuple[int, int]
Fits = Callable[[str], bool]


@dataclass(frozen=True)
class Chunk:
    """A stretch of one document: ``doc.text[start:end] == text``."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    turn: int
    speaker: str
    role: str
    exchange_id: int | None = None
    context: str = ""  # the question an answer chunk responds to; indexed, never quoted

    @property
    def index_text(self) -> str:
        """What is embedded and searched: the context (if any), then the chunk's text."""
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass(frozen=True)
class ChunkSettings:
    """How to chunk: the strategy's name, its size and overlap (tokens, or chars for "chars")."""

    chunker: str = "sentences"
    size: int = 100
    overlap: int = 25
    context: bool = True  # give answer chunks their question's opening sentence

    def __post_init__(self) -> None:
        if self.chunker not in CHUNKERS:
            raise InvalidInputError(
                f"unknown chunker {self.chunker!r}; use one of {sorted(CHUNKERS)}"
            )
        if self.size < 8 or not 0 <= self.overlap < self.size:
            raise InvalidInputError(
                f"chunk size must be ≥ 8 and 0 ≤ overlap < size (got {self.size}/{self.overlap})"
            )

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _word_pieces(text: str, span: Span, size: int) -> list[Span]:
    """Split an over-long sentence at spaces into pieces of ≤ ``size`` tokens."""
    start, end = span
    pieces: list[Span] = []
    cut = start
    while cut < end:
        stop = end
        while stop > cut and count_tokens(text[cut:stop]) > size:
            space = text.rfind(" ", cut + 1, stop - 1)
            stop = space if space > cut else cut + max(1, (stop - cut) // 2)
        pieces.append((cut, stop))
        cut = stop
        while cut < end and text[cut].isspace():
            cut += 1
    return pieces


def _pack(text: str, sents: list[Span], size: int, overlap: int) -> list[Span]:
    units = [p for s in sents for p in _word_pieces(text, s, size)]
    # each unit counted with the white space before it, as it sits inside a chunk
    tokens = [count_tokens(text[units[i - 1][1] if i else s : e]) for i, (s, e) in enumerate(units)]
    chunks: list[Span] = []
    i = 0
    while i < len(units):
        j, total = i + 1, count_tokens(text[units[i][0] : units[i][1]])
        while j < len(units) and total + tokens[j] <= size:
            total += tokens[j]
            j += 1
        while j - 1 > i and count_tokens(text[units[i][0] : units[j - 1][1]]) > size:
            j -= 1  # BPE merges across a boundary can add a token; the exact count decides
        chunks.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        back, carried = j, 0
        while back - 1 > i and carried + tokens[back - 1] <= overlap:
            back -= 1
            carried += tokens[back]
        i = back
    return chunks


def _fit(text: str, span: Span, fits: Fits) -> list[Span]:
    """Halve a chunk at a sentence (or space) until each part fits the window."""
    start, end = span
    if fits(text[start:end]):
        return [span]
    sents = sentence_spans(text, start, end)
    if len(sents) > 1:
        mid = sents[len(sents) // 2][0]
    else:
        mid = text.rfind(" ", start, (start + end) // 2 + 1)
        mid = mid if mid > start else (start + end) // 2
    left = (start, mid)
    right = (mid + (1 if text[mid : mid + 1].isspace() else 0), end)
    return _fit(text, left, fits) + _fit(text, right, fits)


def _sentence_chunks(doc: Document, turn: Turn, s: ChunkSettings, fits: Fits) -> list[Span]:
    sents = sentence_spans(doc.text, turn.start, turn.end)
    spans = _pack(doc.text, sents, s.size, s.overlap)
    return [part for span in spans for part in _fit(doc.text, span, fits)]


def _by_sentences(doc: Document, s: ChunkSettings, fits: Fits) -> list[Span]:
    return [span for t in doc.turns for span in _sentence_chunks(doc, t, s, fits)]


def _char_chunks(doc: Document, s: ChunkSettings, _fits: Fits) -> list[Span]:
    """Fixed-size character windows ending at white space, like the usual tutorial splitter."""
    text, pos, spans = doc.text, doc.body_start, []
    end_all = len(text.rstrip())
    while pos < end_all:
        end = min(pos + s.size, end_all)
        if end < end_all:
            space = max(text.rfind(" ", pos, end), text.rfind("\n", pos, end))
            end = space if space > pos + s.overlap else end
        spans.append((pos, end))
        if end >= end_all:
            break
        nxt = max(end - s.overlap, pos + 1)
        while nxt < end and not text[nxt - 1].isspace():
            nxt += 1
        pos = nxt
    return spans


def _make(doc: Document, n: int, span: Span) -> Chunk:
    turn = doc.turn_at(span[0]) or Turn(doc.doc_id, 0, "unknown", "unknown", 0, 0, 0)
    s, e = span
    return Chunk(
        f"{doc.doc_id}#{n}",
        doc.doc_id,
        s,
        e,
        doc.text[s:e],
        turn.index,
        turn.speaker,
        turn.role,
        turn.exchange_id,
    )


def question_context(doc: Document, turn: Turn) -> str:
    """The opening sentence of the question that ``turn`` answers ("" for other turns)."""
    if turn.question_turn is None:
        return ""
    asked = doc.turns[turn.question_turn]
    sents = sentence_spans(doc.text, asked.start, asked.end)
    return doc.text[sents[0][0] : sents[0][1]] if sents else ""


def _with_context(doc: Document, chunk: Chunk, fits: Fits) -> Chunk:
    context = question_context(doc, doc.turns[chunk.turn]) if doc.turns else ""
    with_context = replace(chunk, context=context)
    # the context must never push the chunk past the embedder's window
    return with_context if context and fits(with_context.index_text) else chunk


def chunk_document(doc: Document, settings: ChunkSettings, fits: Fits | None = None) -> list[Chunk]:
    """Chunk one document; ``fits(text)`` says whether a chunk fits the embedder's window."""
    check = fits or (lambda _text: True)
    spans = CHUNKERS[settings.chunker](doc, settings, check)
    spans = [(s, e) for s, e in spans if doc.text[s:e].strip()]
    chunks = [_make(doc, n, span) for n, span in enumerate(spans)]
    if settings.context and settings.chunker == "sentences":
        chunks = [_with_context(doc, c, check) for c in chunks]
    return chunks


def chunk_corpus(
    docs: list[Document], settings: ChunkSettings, fits: Fits | None = None
) -> list[Chunk]:
    """Chunk every document, in order."""
    return [c for d in docs for c in chunk_document(d, settings, fits)]


CHUNKERS: dict[str, Callable[[Document, ChunkSettings, Fits], list[Span]]] = {
    "sentences": _by_sentences,
    "chars": _char_chunks,
}
