"""The one word analyser: tokens, stop words and stems shared by every lexical comparison.

BM25 (:mod:`index.lexical`), the answerer's word overlap and its focus checks
all compare words through :func:`terms`: Snowball English stems (PyStemmer, as
bm25s uses) of the words outside spaCy's English stop list.

    >>> sorted(terms("Which plants will open in Ohio?"))
    ['ohio', 'open', 'plant']
    >>> stem("Countries")
    'countri'
"""

from __future__ import annotations

import functools
import re

import Stemmer

from index.spacy_import import import_spacy

import_spacy()  # before spaCy's stop list, so that torch stays out of the process
from spacy.lang.en.stop_words import STOP_WORDS  # noqa: E402

__all__ = ["STEMMER", "STOPWORDS", "stem", "terms", "words"]

STEMMER = Stemmer.Stemmer("english")
STOPWORDS = frozenset(w.lower() for w in STOP_WORDS) | {"'s", "’s"}
_WORD = re.compile(r"[\w’']+(?:[+-][\w’']+)*")


def words(text: str) -> list[str]:
    """The lower-cased words of ``text`` ("3+3" and "well-being" stay one word)."""
    return [w.lower().replace("’", "'").removesuffix("'s") for w in _WORD.findall(text)]


def stem(word: str) -> str:
    """The stem of one word."""
    return str(STEMMER.stemWord(word.lower().replace("’", "'").removesuffix("'s")))


@functools.lru_cache(maxsize=65536)
def terms(text: str) -> frozenset[str]:
    """Stems of the words of ``text`` that carry meaning (cached: sentences recur)."""
    kept = [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return frozenset(STEMMER.stemWords(kept))
