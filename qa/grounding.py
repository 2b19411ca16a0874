"""Check a model's answer against the transcript: keep only what can be verified.

Whatever the model wrote, the result holds:

- quoted text only where it is verbatim in the transcript, replaced by the source's exact
  characters (a quote found nowhere is removed, and the place marked);
- citation numbers only for evidence sentences the model was given, renumbered 1, 2, …
  in order of first use (a number never given is dropped);
- sentences only when they cite something valid or quote verified text; the others are
  left out, except a plain "cannot tell" (then the answer is an abstention).

    >>> from index.parse import parse_document
    >>> doc = parse_document(doc_id="d", text="Ann Lee: We met in May. It rained.",
    ...                      path="d.txt", sha256="")
    >>> from qa.prompt import evidence_sentences
    >>> from qa.types import Passage
    >>> ev = evidence_sentences([Passage("d", 9, 34, doc.text[9:34], 1.0, "Ann")], {"d": doc})
    >>> g = Grounder(ev, {"d": doc}).ground('They met in May [1]. Ann said "it snowed" [2]. '
    ...                                      'It was sunny [7].')
    >>> g.text, g.sources, g.removed_quotes, g.dropped
    ('They met in May [1]. Ann said [quote removed: not in the transcript] [2].', \
(('d', 9, 23), ('d', 24, 34)), 1, 1)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.documents import Document
from index.sentences import sentence_spans
from qa.prompt import Evidence

__all__ = ["REMOVED", "Grounded", "Grounder", "Source", "says_cannot_tell"]

REMOVED = "[quote removed: not in the transcript]"
Source = tuple[str, int, int]  # doc_id, start, end: a span of doc.text
_FOLD = {"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
         "—": "-", "–": "-", "‑": "-", "\u00a0": " "}
# a quote not closed by the end of its line runs to there: it is checked all the same
_QUOTE = re.compile(
    r"“(?P<a>[^”\n]*)(?:”|$|(?=\n))|\"(?P<b>[^\"\n]*)(?:\"|$|(?=\n))"
    r"|«(?P<c>[^»\n]*)(?:»|$|(?=\n))|‘(?P<d>[^’\n]*?)(?:’(?![A-Za-z])|$|(?=\n))"
    r"|(?<![\w'])'(?P<e>[^'\n]*?\w[^'\n]*?)'(?![\w'])"
)
_CLOSERS = "”\"»’'"
_STRAY = re.compile("[“”\"«»‘„]")  # a quote mark left over is no quote: it is not shown
_MARKER = re.compile(r"\[\s*(?:S|#|sentence\s*)?\d+(?:\s*[,;\-–]\s*(?:S|#)?\d+)*\s*\]", re.I)
# markers a sentence splitter put at the head of the next sentence, with the stop after them
_MARKERS = re.compile(rf"(?:\s*{_MARKER.pattern})+[.!?;:,]*", re.I)
_NUMBER = re.compile(r"\d+")
_RANGE = re.compile(r"(\d+)\s*[\-–]\s*(\d+)")
_ELLIPSIS = re.compile(r"\s*(?:\.{3}|…|\[\s*(?:\.{3}|…)\s*\])\s*")
_TRIM = " \t\n.,;:!?…-–—"
_PARTIAL_TAIL = re.compile(r"\[[^\]\n]{0,20}$")
_CANNOT_TELL = re.compile(
    r"\b(?:cannot|can ?not|can't|unable to|could not|couldn't)\s+(?:tell|say|answer|determine"
    r"|find|be determined)\b|\b(?:does not|doesn't|do not|don't)\s+(?:say|mention|state|answer"
    r"|contain|specify|tell|know)\b|\bnot (?:mentioned|stated|specified|said|answered)\b"
    r"|\bno (?:information|mention)\b",
    re.I,
)


def says_cannot_tell(text: str) -> bool:
    """Whether ``text`` says the transcript (or the model) cannot answer.

    >>> says_cannot_tell("I cannot tell from the transcript."), says_cannot_tell("Yes [1].")
    (True, False)
    """
    return bool(_CANNOT_TELL.search(text))


@dataclass(frozen=True)
class Grounded:
    """A checked answer: ``text`` whose ``[k]`` is ``sources[k - 1]``."""

    text: str
    sources: tuple[Source, ...]
    cannot_tell: bool = False
    removed_quotes: int = 0
    dropped: int = 0  # sentences left out: nothing valid cited
    bad_numbers: int = 0  # citations of numbers that were never given
    quotes: int = 0  # quotes the model wrote (verified: quotes - removed_quotes)


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` with quotes, dashes and case folded and white space runs as one space,
    and where each of its characters came from."""
    out: list[str] = []
    where: list[int] = []
    space = True
    for i, ch in enumerate(text):
        f = _FOLD.get(ch, ch)
        if f.isspace():
            if space:
                continue
            f, space = " ", True
        else:
            low = f.lower()
            f, space = (low if len(low) == 1 else f), False
        out.append(f)
        where.append(i)
    return "".join(out), where


@dataclass
class _Quote:
    start: int  # the quote marks included
    end: int
    shown: str  # what the answer shows instead
    spans: tuple[Source, ...]  # verified source spans ((): removed)


class Grounder:
    """Checks answers against ``evidence`` (and, for quotes, the documents it is from)."""

    def __init__(self, evidence: Sequence[Evidence], docs: Mapping[str, Document]) -> None:
        self.evidence = list(evidence)
        self.docs = docs
        self._regions = [(r, *_fold(docs[r[0]].text[r[1] : r[2]])) for r in self._merged()]
        self._folded: dict[str, tuple[str, list[int]]] = {}

    def _merged(self) -> list[Source]:
        """The evidence as runs of adjacent sentences (a quote may span two of them)."""
        runs: list[Source] = []
        for e in sorted(self.evidence, key=lambda e: (e.doc_id, e.start)):
            if runs and runs[-1][0] == e.doc_id and \
                    not self.docs[e.doc_id].text[runs[-1][2] : e.start].strip():
                runs[-1] = (e.doc_id, runs[-1][1], max(runs[-1][2], e.end))
            else:
                runs.append((e.doc_id, e.start, e.end))
        order = {e.doc_id: i for i, e in reversed(list(enumerate(self.evidence)))}
        return sorted(runs, key=lambda r: order[r[0]])

    def _find(self, fragment: str) -> Source | None:
        """Where ``fragment`` is verbatim: in the evidence first, else in its documents."""
        needle, _ = _fold(fragment)
        if not needle:
            return None
        for (doc_id, start, _end), hay, where in self._regions:
            if (i := hay.find(needle)) >= 0:
                return doc_id, start + where[i], start + where[i + len(needle) - 1] + 1
        for doc_id in dict.fromkeys(e.doc_id for e in self.evidence):
            hay, where = self._folded.get(doc_id) or _fold(self.docs[doc_id].text)
            self._folded[doc_id] = (hay, where)
            if (i := hay.find(needle)) >= 0:
                return doc_id, where[i], where[i + len(needle) - 1] + 1
        return None

    def _verify(self, inner: str) -> tuple[str, tuple[Source, ...]]:
        """The source's exact words for a quote (parts cut by "…" each found), or REMOVED."""
        parts = [p.strip(_TRIM) for p in _ELLIPSIS.split(inner)]
        parts = [p for p in parts if p]
        if not parts or not any(ch.isalnum() for p in parts for ch in p):
            return REMOVED, ()
        spans = [self._find(p) for p in parts]
        if any(s is None for s in spans):
            return REMOVED, ()
        found = tuple(s for s in spans if s is not None)
        words = " … ".join(self.docs[d].text[a:b] for d, a, b in found)
        return f"“{words}”", found

    def _quotes(self, text: str, partial: bool) -> list[_Quote]:
        quotes = []
        for m in _QUOTE.finditer(text):
            inner = next(g for g in m.groups() if g is not None)
            whole = m.group()
            closed = len(whole) > 1 and whole[-1] in _CLOSERS
            if partial and not closed and m.end() == len(text):
                quotes.append(_Quote(m.start(), m.end(), "“…", ()))  # still being written
                continue
            shown, spans = self._verify(inner)
            quotes.append(_Quote(m.start(), m.end(), shown, spans))
        return quotes

    def _claims(self, text: str, quotes: Sequence[_Quote]) -> list[tuple[int, int]]:
        """Sentence spans of the answer, never cutting a quote, markers kept with the
        sentence before them."""
        spans: list[list[int]] = []
        for s, e in sentence_spans(text):
            inside = any(q.start < s < q.end for q in quotes)
            lead = _MARKERS.match(text, s)
            if spans and (inside or lead):
                cut = lead.end() if lead and not inside else e
                spans[-1][1] = max(spans[-1][1], cut)
                if cut < e and text[cut:e].strip():
                    spans.append([cut + len(text[cut:e]) - len(text[cut:e].lstrip()), e])
                continue
            spans.append([s, e])
        return [(s, e) for s, e in spans]

    def numbers(self, marker: str) -> list[int]:
        """The sentence numbers a marker cites: ``[2]``, ``[1, 3]``, ``[2-4]``, ``[S5]``."""
        out: list[int] = []
        for a, b in _RANGE.findall(marker):
            out += range(int(a), min(int(b), int(a) + 20) + 1)
        out += [int(n) for n in _NUMBER.findall(_RANGE.sub("", marker))]
        return list(dict.fromkeys(out))

    def sources_of(self, span: Source) -> list[Source]:
        """The evidence sentences a verified span lies in (cited whole), else the span."""
        doc_id, start, end = span
        found = [(e.doc_id, e.start, e.end) for e in self.evidence
                 if e.doc_id == doc_id and e.start < end and start < e.end]
        return sorted(found) or [span]

    def ground(self, raw: str, *, partial: bool = False) -> Grounded:
        """Check ``raw``; with ``partial`` (an answer still streaming) nothing is left out
        yet, and an unclosed quote or marker at the end is held back."""
        text = raw.strip()
        if partial:
            text = _PARTIAL_TAIL.sub("", text)
        quotes = self._quotes(text, partial)
        state = _Build(self, text, quotes)
        claims = self._claims(text, quotes)
        for i, (start, end) in enumerate(claims):
            after = text[end : claims[i + 1][0]] if i + 1 < len(claims) else ""
            state.claim(start, end, "\n" if "\n" in after else " ", keep_all=partial)
        return state.result()


class _Build:
    """The answer being rebuilt, claim by claim, with its sources numbered on first use."""

    def __init__(self, grounder: Grounder, text: str, quotes: Sequence[_Quote]) -> None:
        self.g, self.text, self.quotes = grounder, text, list(quotes)
        self.sources: list[Source] = []
        self.out: list[tuple[str, str]] = []  # sentences kept, each with what follows it
        self.hedges: list[str] = []
        self.dropped = self.bad = 0
        self.removed = sum(1 for q in quotes if q.shown == REMOVED)

    def _ref(self, source: Source) -> int:
        if source not in self.sources:
            self.sources.append(source)
        return self.sources.index(source) + 1

    def _evidence(self, n: int) -> Source | None:
        if 1 <= n <= len(self.g.evidence):
            e = self.g.evidence[n - 1]
            return e.doc_id, e.start, e.end
        return None

    def claim(self, start: int, end: int, sep: str, *, keep_all: bool) -> None:
        """Rebuild the answer's ``text[start:end]``: checked quotes, renumbered citations."""
        pieces: list[str] = []
        cited: list[Source] = []
        cursor, pending = start, []  # a quote's sources, cited by the marker right after it
        for s, e, item in self._events(start, end):
            pieces.append(_STRAY.sub("", self.text[cursor:s]))
            cursor = e
            if isinstance(item, _Quote):
                pending = [src for span in item.spans for src in self.g.sources_of(span)]
                cited += pending
                pieces.append(item.shown)
                if not _MARKERS.match(self.text, e):
                    pieces.append(self._refs(pending, lead=" "))
                    pending = []
                continue
            found = [self._evidence(n) for n in self.g.numbers(item.group())]
            self.bad += sum(1 for f in found if f is None)
            good = [f for f in found if f is not None]
            cited += good
            pieces.append(self._refs([*pending, *good]))
            pending = []
        pieces.append(_STRAY.sub("", self.text[cursor:end]) + self._refs(pending, lead=" "))
        self._keep("".join(pieces), sep, bool(cited), keep_all)

    def _events(self, start: int, end: int) -> list[tuple[int, int, _Quote | re.Match[str]]]:
        """The quotes and citation markers of ``text[start:end]``, in order."""
        found: list[tuple[int, int, _Quote | re.Match[str]]] = [
            (q.start, q.end, q) for q in self.quotes if start <= q.start < end]
        found += [(m.start(), m.end(), m) for m in _MARKER.finditer(self.text, start, end)
                  if not any(q.start <= m.start() < q.end for q in self.quotes)]
        return sorted(found, key=lambda x: x[0])

    def _refs(self, sources: Sequence[Source], lead: str = "") -> str:
        refs = "".join(f"[{self._ref(src)}]" for src in dict.fromkeys(sources))
        return lead + refs if refs else ""

    def _keep(self, sentence: str, sep: str, supported: bool, keep_all: bool) -> None:
        sentence = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", sentence)).strip()
        if supported or keep_all:
            if all(sentence != kept for kept, _ in self.out):  # a repeat says nothing new
                self.out.append((sentence, sep))
        elif says_cannot_tell(sentence):
            self.hedges.append(sentence)
        else:
            self.dropped += 1

    def result(self) -> Grounded:
        cannot_tell = not self.sources and bool(self.hedges)
        kept = "".join(s + sep for s, sep in self.out)
        text = kept if self.sources or self.out else " ".join(self.hedges)
        return Grounded(text=text.strip(), sources=tuple(self.sources), cannot_tell=cannot_tell,
                        removed_quotes=self.removed, dropped=self.dropped, bad_numbers=self.bad,
                        quotes=sum(1 for q in self.quotes if q.shown != "“…"))

