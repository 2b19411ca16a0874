"""Document routing: a question that names a document's speaker, title or year is answered
from that document.

Each document is described by the names and years of its id, title and metadata
(``speaker: Woodrow Wilson``, ``date: 1913-12-02``, or a file named
``1913-Wilson-1.txt``). A question's cues are its capitalised words (stop words
aside) and its four-digit years. A year narrows the named documents when it fits
some of them, adds its own documents when it fits others, and alone routes to the
documents of that year. A question whose cues fit every document, or none, is not routed.

    >>> r = Router({"1913-Wilson-1": "1913 Woodrow Wilson", "1962-Kennedy-1": "1962 Kennedy"})
    >>> sorted(r.route("In his 1962 address, what did Kennedy say about jobs?") or [])
    ['1962-Kennedy-1']
    >>> r.route("What did the 1913 address say about tariffs?")
    {'1913-Wilson-1'}
    >>> r.route("What was said about tariffs?") is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from index.documents import Document
from index.terms import STOPWORDS

__all__ = ["Router", "describe"]

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_NAME = re.compile(r"[A-Z][A-Za-z’'-]{2,}")


def describe(doc: Document) -> str:
    """The words that name a document: its id, title and metadata values."""
    meta = getattr(doc, "metadata", ()) or ()
    pairs = meta.items() if isinstance(meta, dict) else meta
    values = " ".join(str(v) for k, v in pairs if k in ("title", "speaker", "speakers", "date"))
    return f"{doc.doc_id.replace('-', ' ').replace('_', ' ')} {doc.title} {values}"


def _names(text: str) -> set[str]:
    """Capitalised words that are not stop words (a question's "What", "Did" are)."""
    found = (m.group(0).lower().removesuffix("’s").removesuffix("'s") for m in _NAME.finditer(text))
    return {n for n in found if n not in STOPWORDS}


class Router:
    """Routes questions to the documents they name (built once per corpus)."""

    def __init__(self, descriptions: Mapping[str, str]) -> None:
        names = {d: _names(text) for d, text in descriptions.items()}
        # a word most documents share ("State", "Union", "Address") names none of them
        common = {w for w in set().union(*names.values())
                  if sum(w in n for n in names.values()) * 2 > len(names)}
        self._names = {d: n - common for d, n in names.items()}
        self._years = {d: set(_YEAR.findall(text)) for d, text in descriptions.items()}

    @classmethod
    def of(cls, docs: Iterable[Document]) -> Router:
        return cls({d.doc_id: describe(d) for d in docs})

    @property
    def vocabulary(self) -> str:
        """Every naming word of the corpus's documents (a question may use them freely)."""
        return " ".join(sorted(set().union(*self._names.values())))

    def route(self, question: str) -> set[str] | None:
        """The documents ``question`` names, or None when it names none (or all)."""
        if len(self._names) < 2:
            return None
        names = _names(question)
        years = set(_YEAR.findall(question))
        named = {d for d, n in self._names.items() if names & n}
        dated = {d for d, y in self._years.items() if years & y}
        # one name and one year: the year narrows the named documents when it fits some of
        # them; several cues may point at several documents ("Kennedy quoted … In that
        # president's own 1913 address, …"), so all of them are kept
        matched = {n for n in names if any(n in found for found in self._names.values())}
        several = len(years) > 1 or len(matched) > 1
        chosen = named | dated if several or not named & dated else named & dated
        if not chosen or len(chosen) == len(self._names):
            return None
        return chosen
