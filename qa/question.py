"""A question read once: what it asks for, about what, and of whom.

spaCy parses the question (the same packaged pipeline as the index); from the
parse come the wh-word and the noun it asks about, the kind of answer wanted
(as the entity labels that can answer it), whether it asks for a list, a yes or
a no, a total, or who said or asked something. Every later step reads this
:class:`QuestionAnalysis` instead of looking at the question's text again.

    >>> q = analyse("Which coastal countries will get new plants?")
    >>> q.kind, q.is_list, q.focus
    (<Kind.PLACE: 'place'>, True, 'countries')
    >>> analyse("When was it signed?").kind, analyse("Who asked about the harbour?").asks
    (<Kind.DATE: 'date'>, 'asker')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from index.nlp import nlp
from index.terms import stem, terms

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["LABELS", "Kind", "QuestionAnalysis", "analyse"]


class Kind(StrEnum):
    """The kind of thing an answer must hold."""

    PERSON = "person"
    PLACE = "place"
    ORG = "organisation"
    DATE = "date"
    NUMBER = "number"
    MONEY = "money"
    PERCENT = "percent"
    NAME = "name"
    REASON = "reason"
    THING = "thing"  # no particular kind: "What did she say about the plan?"


# spaCy entity labels that bring each kind
LABELS: dict[Kind, frozenset[str]] = {
    Kind.PERSON: frozenset({"PERSON", "ORG", "NORP"}),
    Kind.PLACE: frozenset({"GPE", "LOC", "FAC"}),
    Kind.ORG: frozenset({"ORG", "NORP"}),
    Kind.DATE: frozenset({"DATE", "TIME"}),
    Kind.NUMBER: frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY"}),
    Kind.MONEY: frozenset({"MONEY"}),
    Kind.PERCENT: frozenset({"PERCENT"}),
    Kind.NAME: frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT",
                          "WORK_OF_ART", "LAW", "NORP", "LANGUAGE"}),
}
# the kind a noun asks for when a wh-word points at it ("which countries", "what year")
_NOUN_KINDS: dict[Kind, str] = {
    Kind.PLACE: "country nation state city town region place area capital province continent "
                "port island district territory village location site destination",
    Kind.PERSON: "person people man woman leader president minister official ambassador "
                 "executive officer chairman chair spokesman analyst member head chief "
                 "founder author speaker king queen general director manager",
    Kind.ORG: "organisation organization company firm agency body group bank department "
              "ministry institution party committee council union alliance bloc bureau "
              "university school team association",
    Kind.DATE: "year month day date time decade century period season week",
    Kind.MONEY: "cost price budget money fund funding sum spending investment revenue salary",
    Kind.PERCENT: "percentage percent share proportion rate",
    Kind.NUMBER: "number amount count total figure quantity",
    Kind.NAME: "name title film movie book program programme project product treaty "
               "agreement law act doctrine initiative event festival conference song",
}
_NOUN_KIND = {stem(w): k for k, ws in _NOUN_KINDS.items() for w in ws.split()}
# verbs of saying: "who said …" asks for a speaker, "who asked …" for a questioner
_ASKING = frozenset(stem(w) for w in ["ask", "question", "inquire", "enquire", "query"])
_SAYING = frozenset(stem(w) for w in [
    "say", "tell", "propose", "suggest", "mention", "raise", "claim", "describe", "argue",
    "note", "state", "complain", "urge", "insist", "compare", "praise", "criticise",
    "criticize", "warn", "thank", "invite", "quote", "remark", "recall", "emphasise",
    "emphasize", "stress", "accuse", "announce", "remind", "object", "call", "speak",
    "talk", "answer", "reply", "respond", "explain", "promise", "admit", "acknowledge",
    "predict", "express", "introduce", "joke", "confirm", "deny", "point", "declare",
    "refer", "add", "name", "cite", "list",
])
_HOW = {"many": Kind.NUMBER, "much": Kind.NUMBER, "long": Kind.DATE, "often": Kind.DATE,
        "far": Kind.NUMBER, "large": Kind.NUMBER, "big": Kind.NUMBER, "old": Kind.NUMBER}
_TOTAL = frozenset(["total", "all", "altogether", "combined", "counting", "overall", "together"])
_EXACT = frozenset({"date", "day"})


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question asks: kind, focus, terms, shape. Made by :func:`analyse`."""

    text: str
    kind: Kind = Kind.THING
    focus: str = ""  # the noun the wh-phrase asks about ("countries"), as written
    focus_stems: frozenset[str] = frozenset()  # the focus noun and its modifiers
    terms: frozenset[str] = frozenset()  # content stems of the whole question
    verb: str = ""  # stem of the main verb ("ratifi" in "When was it ratified?")
    is_list: bool = False
    polar: bool = False  # a yes/no question
    total: bool = False  # "how many … in all"
    exact: bool = False  # "on what date": a day, not a year
    asks: str = ""  # "speaker" (who said …), "asker" (who asked …), "asked" (what was asked)
    subject: str = ""  # whose words it is about: "the CFO" in "What did the CFO say …"
    names: tuple[tuple[str, str], ...] = ()  # entities named in the question (text, label)

    @property
    def labels(self) -> frozenset[str]:
        """The entity labels that bring the wanted kind (none for reasons and things)."""
        return LABELS.get(self.kind, frozenset())

    @property
    def wants_thing(self) -> bool:
        """Whether an answer must hold a particular thing (a date, a number, a name …)."""
        return self.kind not in (Kind.THING, Kind.REASON) or self.is_list


_CAUSING = frozenset(stem(w) for w in [
    "cause", "prompt", "motivate", "explain", "lead", "drive", "trigger",
])
_NAMING = frozenset({"name", "list", "identify", "enumerate"})


def _wh(doc: Doc) -> Token | None:
    """The question word; not a relative pronoun ("the member who raised …, why …")."""
    found = [t for t in doc if t.tag_ in ("WDT", "WP", "WP$", "WRB")]
    asking = [t for t in found if t.i == 0 or t.head.dep_ not in ("relcl", "acl")]
    chosen = asking or found
    return chosen[0] if chosen else None


def _noun(token: Token | None) -> Token | None:
    """The token if a noun, read through compounds ("member countries": countries)."""
    while token is not None and token.dep_ == "compound" and token.head.i > token.i:
        token = token.head
    return token if token is not None and token.pos_ in ("NOUN", "PROPN") else None


def _focus(doc: Doc, wh: Token | None) -> Token | None:
    """The noun the question asks about: "countries" in "Which countries …", "ships" in
    "How many ships …", "ambassador" in "Who is the ambassador …", "states" in "Name the
    states …"."""
    if wh is not None and wh.lower_ == "how" and wh.i + 1 < len(doc):
        quantity = doc[wh.i + 1]
        if quantity.lower_ in ("many", "much"):
            return _noun(quantity.head) or _noun(next(
                (t for t in doc[quantity.i + 1 :] if t.pos_ in ("NOUN", "PROPN")), None))
        return None
    if wh is not None and (wh.dep_ == "det" or wh.tag_ == "WDT"):
        # "Which coastal countries": the first noun of the wh-phrase (parsers vary on "det")
        after = (t for t in doc[wh.i + 1 : wh.i + 5] if t.pos_ in ("NOUN", "PROPN"))
        found = _noun(wh.head) if wh.dep_ == "det" else next(after, None)
        if found is not None:
            return found
    of = wh is not None and wh.i + 2 < len(doc) and doc[wh.i + 1].lower_ == "of"
    if of and wh is not None and wh.lower_ in ("what", "which", "who"):  # "which of the …"
        return next((t for t in doc[wh.i + 2 :] if t.pos_ in ("NOUN", "PROPN")), None)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    if wh is None and root.lower_ in _NAMING:
        return next((_noun(c) for c in root.children if c.dep_ == "dobj"), None)
    if (wh is not None and root.lemma_ == "be") or (root.lower_ in ("is", "are", "was", "were")):
        # "Who is the ambassador …", "What is the name of …": the noun beside the wh-word
        return next((_noun(c) for c in root.children
                     if c.dep_ in ("attr", "nsubj") and c.i != getattr(wh, "i", -1)), None)
    return None


def _topic(root: Token) -> Token | None:
    """What a question about speakers is about: "the crane" in "Who asked about the crane?"."""
    preps = [c for c in root.children
             if c.dep_ == "prep" and c.lower_ in ("about", "on", "regarding")]
    return next((_noun(p) for prep in preps for p in prep.children if p.dep_ == "pobj"), None)


def _kind(doc: Doc, wh: Token | None, focus: Token | None) -> tuple[Kind, bool]:
    """The kind of answer wanted, and whether it is a list of them."""
    word = wh.lower_ if wh is not None else ""
    root = next((t for t in doc if t.dep_ == "ROOT"), doc[0])
    plural = focus is not None and focus.tag_ in ("NNS", "NNPS")
    named = _NOUN_KIND.get(stem(focus.text)) if focus is not None else None
    if word == "why" or stem(focus.text if focus is not None else "") == "reason":
        return Kind.REASON, False
    if word == "what" and stem(root.lemma_ or root.text) in _CAUSING:
        return Kind.REASON, False
    if word == "when":
        return Kind.DATE, False
    if word == "where":  # "where did the money come from" asks for a source, not a place
        ends = [t.lower_ for t in doc if not t.is_punct][-1:]
        return (Kind.THING if ends == ["from"] else Kind.PLACE), False
    if word == "how" and wh is not None and wh.i + 1 < len(doc):
        how = _HOW.get(doc[wh.i + 1].lower_)
        if (how is Kind.NUMBER and named is Kind.MONEY) or _money_verb(doc):
            return Kind.MONEY, False
        return (how, False) if how is not None else (Kind.THING, False)
    listing = plural and (word in ("which", "what", "who") or root.lower_ in _NAMING)
    if word in ("who", "whom", "whose"):
        return (Kind.NAME if plural else Kind.PERSON), plural
    if named is not None:
        return named, listing and named not in (Kind.NUMBER, Kind.PERCENT, Kind.MONEY)
    if focus is not None and word in ("which", "what") and wh is not None and wh.tag_ == "WDT":
        return Kind.NAME, listing
    return Kind.THING, listing


def _money_verb(doc: Doc) -> bool:
    spent = {stem(w) for w in ("cost", "spend", "pay", "invest", "fund", "earn", "raise")}
    return any(stem(t.text) in spent for t in doc)


def _focus_kind(doc: Doc, wh: Token) -> Kind | None:
    focus = _focus(doc, wh)
    return _NOUN_KIND.get(stem(focus.text)) if focus is not None else None


def _attributed(doc: Doc) -> str:
    """Whose account a question asks for: "the senator" in "According to the senator, …",
    "the chair" in "In the chair's view, …"."""
    for t in doc:
        if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            obj = next((c for c in doc[t.i + 1].children if c.dep_ == "pobj"), None)
            if obj is not None:
                return " ".join(w.text for w in obj.subtree)
        if t.lower_ in ("view", "opinion", "words", "account", "telling") and t.i > 0:
            owner = next((c for c in t.children if c.dep_ == "poss"), None)
            if owner is not None and owner.pos_ != "PRON":
                return " ".join(w.text for w in owner.subtree).removesuffix(" 's")
    return ""


def _asks(doc: Doc, wh: Token | None, root: Token) -> tuple[str, str]:
    """Whether it asks who spoke ("speaker"), who asked ("asker") or what was asked
    ("asked"), and whose words it is about ("the CFO" in "What did the CFO say …")."""
    verb = stem(root.lemma_ or root.text)
    wanting = root.lemma_ in ("want", "wish", "like", "seek")
    if wanting and any(c.dep_ == "xcomp" and c.lemma_ in ("know", "ask", "understand", "learn")
                       for c in root.children):
        verb = stem("ask")  # "Which analyst wanted to know …" asks who asked
    word = wh.lower_ if wh is not None else ""
    if doc[0].pos_ == "AUX" and any(t.lower_ == "or" for t in doc):
        # "Did the minister or a senator propose …", "Was it A or B who said …"
        said = {stem(t.lemma_ or t.text) for t in doc if t.pos_ == "VERB"}
        if said & _ASKING:
            return "asker", ""
        if said & _SAYING:
            return "speaker", ""
    if verb not in _ASKING and verb not in _SAYING:
        return "", ""
    person = word in ("who", "whom") or (
        wh is not None and wh.tag_ == "WDT" and _focus_kind(doc, wh) is Kind.PERSON
    )
    if person:
        return ("asker" if verb in _ASKING else "speaker"), ""
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and wh is not None and wh.i in {t.i for t in subject.subtree}:
        return "", ""  # "How many analysts asked …" counts them
    named = ""
    if subject is not None and subject.pos_ != "PRON" and (wh is None or subject.i != wh.i):
        named = " ".join(t.text for t in subject.subtree)
    return ("asked" if verb in _ASKING else ""), named


@functools.lru_cache(maxsize=4096)
def analyse(question: str) -> QuestionAnalysis:
    """Read ``question`` (cached: a conversation asks the same things again)."""
    doc = nlp(lemmas=True)(question)
    wh = _wh(doc)
    root = next((t for t in doc if t.dep_ == "ROOT"), doc[0])
    focus_tok = _focus(doc, wh)
    kind, is_list = _kind(doc, wh, focus_tok)
    verb = root if root.pos_ in ("VERB", "AUX") else root.head
    if verb.pos_ == "AUX":  # "When was the deal signed?" may hang the participle under "was"
        verb = next((c for c in verb.children if c.pos_ == "VERB"), verb)
    asks, subject = _asks(doc, wh, root)
    if asks and focus_tok is None:
        focus_tok = _topic(root)
    subject = subject or _attributed(doc)
    focus_stems = terms(" ".join(t.text for t in focus_tok.subtree)) if focus_tok else frozenset()
    words = {t.lower_ for t in doc}
    return QuestionAnalysis(
        text=question,
        kind=kind,
        focus=focus_tok.text if focus_tok is not None else "",
        focus_stems=focus_stems,
        terms=terms(question),
        verb=stem(verb.lemma_ or verb.text) if verb.pos_ == "VERB" else "",
        is_list=is_list,
        polar=doc[0].pos_ == "AUX" and (wh is None or wh.head.dep_ == "relcl"),
        total=kind in (Kind.NUMBER, Kind.MONEY) and bool(words & _TOTAL),
        exact=kind == Kind.DATE and bool(words & _EXACT) and "year" not in words,
        asks=asks,
        subject=subject,
        names=tuple((e.text, e.label_) for e in doc.ents),
    )
