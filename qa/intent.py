"""What kind of answer a question wants, and whether a sentence brings it.

A "when" question wants a date, "how many" a number, "who" a name, "which
countries" a list, "why" a reason. A sentence answers better when it holds
such a thing *that the question did not already say*.

    >>> answer_kind("When was the agreement signed?")
    'date'
    >>> brings_kind("date", "When was it signed?", "It was signed in 1996.")
    True
    >>> brings_kind("number", "How many died in the 2024 floods?", "Floods hit in 2024.")
    False
"""

from __future__ import annotations

import re

__all__ = [
    "CARDINALS",
    "MONTHS",
    "YEAR",
    "answer_kind",
    "asks_about_questioner",
    "asks_who_said",
    "brings_kind",
    "new_dates",
]

_KINDS = (
    (
        "speaker",
        re.compile(
            r"^\s*(who|which (deputy|side|speaker))\b.*\b(said|say|says|asked|ask|asks|called|"
            r"calls|told|tells|proposed|proposes|suggested|mentioned|raised|claimed|described|"
            r"argued|noted|stated|complained|urged|insisted|compared|praised|criticised|"
            r"criticized|warned|thanked|invited|quoted|brought up|pointed out|remarked|recalled|"
            r"emphasised|emphasized|stressed|accused|announced|reminded|objected)\b"
            r"|^\s*(did|was it) (lavrov|the minister|sergey lavrov|a deputy|the deputy)\b.*\bor\b",
            re.I,
        ),
    ),
    (
        "money",
        re.compile(
            r"\b(how much (money|funding|did \w+ cost|does \w+ cost|will \w+ cost)|"
            r"what (budget|sum|amount of money)|what is \S+ budget|what is the budget|"
            r"how much .*\b(budget|cost|spend|"
            r"spent|fund\w*|invest\w*|paid|pay)\b)",
            re.I,
        ),
    ),
    (
        "exact_date",
        re.compile(
            r"\b(on what date|on which date|what (calendar )?date|which date|"
            r"what day|which day|when exactly|exact date)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"^\s*(when|what year|what date|which year|which date|since when|"
            r"by when|in (what|which) (year|month)|(what|which) month|on which date|"
            r"on what date)\b",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            r"\b(how many|how much|what number|what share|what percentage|"
            r"how large|how big|how long|how far|how often)\b",
            re.I,
        ),
    ),
    # "who are the members of …" asks for a list of countries or bodies, not a person
    ("list", re.compile(r"^\s*who (are|were|will be) the (members|participants|parties)\b", re.I)),
    ("person", re.compile(r"^\s*(who|whom|whose)\b", re.I)),
    (
        "reason",
        re.compile(
            r"^\s*(why|how come|for what reason|what is the reason|what reason)\b|"
            r"^\s*what\b.*\b(motivates?|prompted|caused|causes|led to|blames?d?|explains?)\b",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"^\s*(which|what|name|list)\s+(\w+\s+){0,2}(countries|states|nations|"
            r"cities|organisations|organizations|communities|events|areas|fields|"
            r"regions|parties|members|leaders|people|groups|topics|sectors|steps|"
            r"measures|projects|institutions|observers|partners)\b",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"\b(what is (it|the \w+) called|what is the (name|title)|title of|"
            r"name of|which city|what city|which country|what country|which treaty|"
            r"what organisation|which organisation|called\?)",
            re.I,
        ),
    ),
)
# number words as a regex alternation (shared with the focus and short-answer rules)
CARDINALS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
)
_NUMBER_WORDS = (
    rf"{CARDINALS.removeprefix('one|')}|hundred|thousand|million|billion|dozens?|half|"
    r"annually|once|twice|every year|each year|per cent|percent"
)
# "one" counts, but not in "no one", "day one", "one of them" or "one another"
_COUNTED_ONE = (
    r"(?<!\bno )(?<!\bday )(?<!\bany )(?<!\bthe )(?<!\bthis )(?<!\bthat )"
    r"\bone\b(?! (?:of|another|day)\b)"
)
# month names as a regex alternation (the short answers pick dates with it too)
MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|"
    r"December"
)
_PATTERNS = {
    "money": re.compile(
        r"(\$|€|£|\b(roubles?|rubles?|dollars?|euros?|yuan|budget of|"
        r"funding of)\b)",
        re.I,
    ),
    "exact_date": re.compile(
        rf"\b(({MONTHS}) \d{{1,2}}|\d{{1,2}} ({MONTHS})|"
        r"\d{1,2}(st|nd|rd|th)(?! [Cc]entur)|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b"
    ),
    "date": re.compile(
        # "as of today" means "now": it dates no event
        rf"\b(1[89]\d\d|20\d\d|{MONTHS}|yesterday|(?<!as of )today|tomorrow|"
        r"next (week|month|year)|last (week|month|year)|\d+(st|nd|rd|th))\b",
        re.I,
    ),
    "number": re.compile(rf"(\b\d[\d,.]*\b|{_COUNTED_ONE}|\b({_NUMBER_WORDS})\b)", re.I),
    "person": re.compile(
        r"\b((?:President|Minister|Secretary|Adviser|Advisor|Envoy|Ambassador|Aide|Chairman|"
        r"Speaker|Patriarch|Pope|King|Prince|Mr|Ms|Mrs|Dr|Director|Governor|Mayor|Premier)"
        r"(?: [A-Z][\w’'-]+)*|[Pp]residents?|[Mm]inisters?|[Ll]eaders?|[Hh]ead of|"
        r"[Aa]mbassadors?|[Dd]eputy|[Dd]eputies|[Dd]elegation led by|[Ee]nvoys?|"
        r"administration|[Dd]epartment|[Mm]inistry|[Ee]mbass(?:y|ies)|[Cc]onsulates?|"
        r"[Gg]overnment|[Cc]ommittees?|[Cc]ouncils?|[Aa]gency|[Ss]ervice)\b"
    ),
    "name": re.compile(r"\b[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)*\b"),
    "list": re.compile(r"\b[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)*\b"),
    "reason": re.compile(
        r"(\b(because|since|due to|owing to|as a result|therefore|reason|"
        r"in order to|so that|given that|caused|led to|aimed at|thus|hence|"
        r"the fact that|stems from|root cause|that is why|this is why|"
        r"results? in|resulted in|the aim|the purpose|driven by|attributed to|explained by|"
        r"motivated by|(connected|linked)(,[^,]{1,30},)? (with|to))\b|"
        # "following the" is a cause only opening a clause ("blindly following the
        # directives" is not); ", as stated/noted/well as" does not give one
        r"(^|[,–—] )following the\b|"
        r", as\b(?! (?:stated|noted|mentioned|said|well|part|such)\b))",
        re.I,
    ),
}
# a bare year: it dates a thing, it does not count it (the short answers use it too)
YEAR = re.compile(r"(19|20)\d\d")
_LEAD_IN = re.compile(
    r"^\s*(according to|in|from|by|for|as far as)\b[^,?]{1,40},\s*(?=(why|when|who|whom|whose|"
    r"what|which|how|where)\b)",
    re.I,
)
_ABOUT_ASKER = re.compile(
    r"\b(ask|asked|asking|deputy|deputies|questioner|question|raised)\b", re.I
)


def answer_kind(question: str) -> str | None:
    """``speaker``, ``money``, ``exact_date``, ``date``, ``number``, ``person``, ``reason``,
    ``list``, ``name`` or None. A lead-in ("In Lavrov's view, why …") does not hide the kind.

        >>> answer_kind("According to Rubio, why did the talks go well?")
        'reason'
    """
    asked = _LEAD_IN.sub("", question, count=1)
    for kind, pattern in _KINDS:
        if pattern.search(asked):
            return kind
    return None


def _novel(matches: list[str], question: str) -> list[str]:
    asked = question.lower()
    return [m for m in matches if m and m.lower() not in asked]


def brings_kind(kind: str, question: str, sentence: str) -> bool:
    """Whether ``sentence`` holds something of the wanted ``kind`` the question lacks."""
    pattern = _PATTERNS.get(kind)
    if pattern is None:
        return False
    found = [m.group(0) for m in pattern.finditer(sentence)]
    if kind == "reason":
        return bool(found)
    if kind in ("name", "list"):  # a sentence's first word is capitalised anyway
        found = [f for f in found if not sentence.startswith(f)]
    if kind == "number":  # "in 2024" dates a thing, it does not count it
        found = [f for f in found if not YEAR.fullmatch(f)]
    novel = _novel(found, question)
    return len(novel) >= 2 if kind == "list" else bool(novel)


def new_dates(question: str, sentence: str) -> list[tuple[int, int]]:
    """Offsets of the dates in ``sentence`` that the question does not give itself.

        >>> new_dates("What happened in 2024?", "In 2024 and in March 2025.")
        [(15, 20), (21, 25)]
    """
    found = _PATTERNS["date"].finditer(sentence)
    return [m.span() for m in found if m.group(0).lower() not in question.lower()]


def asks_about_questioner(question: str) -> bool:
    """Whether the question is about what was asked rather than what was answered."""
    return bool(_ABOUT_ASKER.search(question))


def asks_who_said(question: str) -> bool:
    """Whether the question asks who said or asked something."""
    return answer_kind(question) == "speaker"
