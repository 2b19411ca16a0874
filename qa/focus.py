"""What a question asks about (its focus), and whether a sentence speaks of it.

"How many ships sailed the route?" asks about ships: a sentence whose number
counts something else ("two consecutive years") does not answer it, however
close its topic. "Which airlines fly there?" cannot be answered by a transcript
that never mentions an airline. These checks are how an on-topic question the
transcript does not answer shows itself.

    >>> sorted(focus_words("How many ships sailed the Northern Sea Route?"))
    ['ship']
    >>> counts_focus(focus_words("How many ships sailed?"), "Two ships sailed in 2024.")
    True
    >>> counts_focus(focus_words("How many ships sailed?"), "It sailed for two years.")
    False
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa.candidates import content_words
from qa.intent import CARDINALS, new_dates

__all__ = [
    "corpus_vocabulary",
    "counts_focus",
    "dated_near",
    "focus_head",
    "focus_words",
    "mentions_focus",
    "titled_focus",
    "unknown_names",
    "with_synonyms",
]

_AUX = frozenset(
    """is are was were do does did will would can could has have had be been should shall
    may might must""".split()  # noqa: SIM905
)
# Words that say what sort of answer is wanted rather than what it is about.
_GENERIC = frozenset(
    """kind type sort share number percentage part proportion amount date day year time
    calendar exactly money funding sum exact other one ones main key""".split()  # noqa: SIM905
)
_STOP = frozenset(
    """a an the of to in on at for by with from and or as into about than that this these
    those it its their his her our your my not no so if who whom whose which where when
    why how""".split()  # noqa: SIM905
)
_TITLE_HEAD = (
    re.compile(r"\b(?:name|title) of (?:the |a |an )?(?P<rest>.+)", re.I),
    re.compile(r"^\s*who (?:is|was) (?:the |a |an )?(?P<rest>.+)", re.I),
)
_HEAD = (
    *_TITLE_HEAD,
    re.compile(r"^\s*who (?:are|were) (?:the |a |an )?(?P<rest>.+)", re.I),
    re.compile(r"\bhow (?:many|much)\s+(?P<rest>.+)", re.I),
    re.compile(r"^\s*(?:in |for |of |to |at |on |from )?(?:which|what|whose)\s+(?P<rest>.+)", re.I),
)
_TOKEN = re.compile(r"[\w’'+-]+")
_NUMBER = re.compile(
    rf"\b(\d[\d,.]*|{CARDINALS}|hundred|thousand|million|billion|dozens?)\b", re.I
)
_PLURALS = frozenset({"people", "children", "men", "women", "staff", "personnel"})
_BEFORE, _AFTER = 2, 3  # words either side of a number that say what it counts
_DATE_WINDOW = 5  # words either side of a date that say what it dates
_SYNONYMS = (content_words("country countries state states nation nations"),)
_possessive = re.compile(r"['’]s$")
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w’'-]*[a-z][\w’'-]*")


def _plural(token: str) -> bool:
    low = token.lower().rstrip("'’")
    if low in _PLURALS:
        return True
    return low.endswith("s") and not low.endswith(("ss", "us", "is", "ics")) and len(low) > 3


def _head_tokens(rest: str) -> list[str]:
    """The noun phrase a wh-phrase asks about: words up to the verb, a function word or
    the first plural ("how many Chinese students are …" → Chinese students)."""
    out: list[str] = []
    for token in _TOKEN.findall(rest):
        low = token.lower().replace("’", "'").removesuffix("'s")
        if low in _AUX or low in _STOP or len(out) == 3:
            break
        if low != token.lower().replace("’", "'"):  # "Russia's ambassador": not the owner
            continue
        out.append(token)
        if _plural(token):
            break
    return [t for t in out if t.lower() not in _GENERIC]


def _head_phrase(question: str) -> list[str]:
    for pattern in _HEAD:
        found = pattern.search(question)
        if found is None:
            continue
        rest = found.group("rest")
        first = _TOKEN.match(rest.strip())
        if first is not None and first.group(0).lower() in _AUX:
            continue  # "what is …", "which did …": no noun right after the wh-word
        return _head_tokens(rest)
    return []


def titled_focus(question: str) -> frozenset[str]:
    """The focus of a question that asks for a name by what it is called or does.

    "What is the name of the deputy who asked …" and "Who is Russia's ambassador …"
    are answered by a sentence that says "deputy" or "ambassador" beside the name.

        >>> sorted(titled_focus("Who is Russia's ambassador to Moldova?"))
        ['ambas']
        >>> titled_focus("Who spoke first?")
        frozenset()
    """
    if any(p.search(question) for p in _TITLE_HEAD):
        return focus_words(question)
    return frozenset()


def focus_words(question: str) -> frozenset[str]:
    """The content words (stemmed) of the thing a question asks about; empty if unclear.

    >>> sorted(focus_words("Who is Russia's ambassador to Moldova?"))
    ['ambas']
    >>> focus_words("What did Lavrov say about it?")
    frozenset()
    """
    return content_words(" ".join(_head_phrase(question)))


def focus_head(question: str) -> frozenset[str]:
    """The head noun of the focus ("Chinese students" → students), stemmed; empty if none.

    >>> sorted(focus_head("Which Syrian ports host Russian ships?"))
    ['port']
    """
    phrase = _head_phrase(question)
    return content_words(phrase[-1]) if phrase else frozenset()


def mentions_focus(focus: frozenset[str], text: str) -> float:
    """Share of the focus words that ``text`` holds (1.0 when there is no focus)."""
    if not focus:
        return 1.0
    return len(focus & content_words(text)) / len(focus)


def with_synonyms(stems: frozenset[str]) -> frozenset[str]:
    """The stems with their near-synonyms (a count of states answers "how many countries")."""
    out = set(stems)
    for group in _SYNONYMS:
        if stems & group:
            out |= group
    return frozenset(out)


def counts_focus(focus: frozenset[str], sentence: str) -> bool:
    """Whether a number in ``sentence`` stands next to a focus word (counts the thing asked).

    English puts the counted noun just after the number ("35 states") or just before
    it ("delegations from 35 states"); a focus word further off belongs to something else.
    """
    if not focus:
        return bool(_NUMBER.search(sentence))
    wanted = with_synonyms(focus)
    words = _TOKEN.findall(sentence)
    for i, word in enumerate(words):
        if _NUMBER.fullmatch(word):
            near = " ".join(words[max(0, i - _BEFORE) : i + _AFTER + 1])
            if wanted & content_words(near):
                return True
    return False


def dated_near(question: str, sentence: str) -> bool:
    """Whether a date the question lacks stands next to something the question names.

    "When did the Duma ratify the treaty?" is not answered by "… signed it during a
    visit to that country in the summer of 2024": the date belongs to the visit.

        >>> dated_near("When was the agreement signed?", "It was signed back in 1996.")
        True
        >>> dated_near("When did the Duma ratify it?", "It came during a visit in June 2024.")
        False
    """
    wanted = content_words(question)
    for start, end in new_dates(question, sentence):
        before = sentence[:start].split()[-_DATE_WINDOW:]
        after = sentence[end:].split()[:_DATE_WINDOW]
        if wanted & content_words(" ".join(before + after)):
            return True
    return False


def corpus_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Every content word of a corpus, for :func:`unknown_names` (compute once per corpus).

        >>> sorted(corpus_vocabulary(["Lavrov met Rubio.", "In Riyadh."]))
        ['met', 'riyad', 'rubio']
    """
    return frozenset().union(*(content_words(t) for t in texts))


def unknown_names(question: str, vocabulary: frozenset[str]) -> int:
    """How many capitalised words inside the question the corpus never uses.

    "What did Lavrov say about Greenland?" names a place the transcript never
    mentions: it cannot say anything about it.

        >>> unknown_names("What about Greenland and Moscow?", frozenset({"mosco"}))
        1
    """
    names = {_possessive.sub("", m.group(0)) for m in _NAME.finditer(question.strip())}
    return sum(1 for n in names if not content_words(n) <= vocabulary)
