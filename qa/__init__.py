"""transcript-qa: ask questions about long transcripts, get answers with verbatim quotes.

>>> import qa
>>> bot = qa.load()                                  # doctest: +SKIP
>>> bot.ask("Which plants will open this year?").text  # doctest: +SKIP
"""

from __future__ import annotations

from index.errors import (
    CorruptIndexError,
    IndexLockedError,
    InvalidInputError,
    QAError,
    SourceError,
    StaleIndexError,
    StoreUnavailableError,
)
from index.progress import Progress
from qa.api import PRESETS, Bot, default_corpus, load
from qa.types import Answer, Citation, Passage

__all__ = [
    "PRESETS",
    "Answer",
    "Bot",
    "Citation",
    "CorruptIndexError",
    "IndexLockedError",
    "InvalidInputError",
    "Passage",
    "Progress",
    "QAError",
    "SourceError",
    "StaleIndexError",
    "StoreUnavailableError",
    "default_corpus",
    "load",
]
