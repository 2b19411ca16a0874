"""The stored analysis of every indexed sentence, looked up by its content hash.

``linguistics.jsonl`` holds one line per distinct sentence text: its
:func:`index.sentvec.text_key` and its :class:`index.nlp.SentenceInfo` (offsets
relative to the sentence). The answerer reads entities, item lists and reason
marks from here instead of parsing at question time; an incremental build keeps
the lines of sentences it keeps and parses only new text.

    >>> from index.parse import parse_document
    >>> doc = parse_document(doc_id="d", text="Ann Lee: We met in 1996.", path="", sha256="")
    >>> table = SentenceTable([("d", 9, 24)], np.zeros((1, 2)), [text_key("We met in 1996.")])
    >>> ling = Linguistics.build(table, {"d": doc})
    >>> ling.get(table.keys[0], 15).entities[0].label
    'DATE'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from index.documents import Document
from index.nlp import SentenceInfo
from index.sentences import sentence_infos
from index.sentvec import SentenceTable, text_key

__all__ = ["FILE", "Linguistics"]

FILE = "linguistics.jsonl"


def _key(key: str | bytes | np.bytes_) -> str:
    return key.decode() if isinstance(key, bytes) else str(key)


class Linguistics:
    """Sentence analyses by content hash (``text_key`` of the sentence text)."""

    def __init__(self, rows: Mapping[str, list[Any]] | None = None) -> None:
        self._rows: dict[str, list[Any]] = dict(rows or {})

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: str | bytes, length: int) -> SentenceInfo:
        """The analysis of the sentence with content hash ``key`` and ``length`` characters;
        an empty one when it was never analysed (an index written before this existed)."""
        row = self._rows.get(_key(key))
        return SentenceInfo.from_row(row, length) if row else SentenceInfo(0, length)

    @classmethod
    def build(
        cls,
        table: SentenceTable,
        docs: Mapping[str, Document],
        previous: Linguistics | None = None,
    ) -> Linguistics:
        """The analyses of ``table``'s sentences: from ``previous`` where it has them,
        else from the parse (:func:`index.sentences.sentence_infos`)."""
        old = previous._rows if previous is not None else {}
        rows: dict[str, list[Any]] = {}
        fresh: dict[tuple[str, int], SentenceInfo] = {}
        for (doc_id, start, end), raw in zip(table.spans, table.keys.tolist(), strict=True):
            key = _key(raw) or text_key(docs[doc_id].text[start:end])
            if key in rows:
                continue
            if key in old:
                rows[key] = old[key]
                continue
            if (doc_id, start) not in fresh:
                fresh.update(_parsed(docs[doc_id], start))
            info = fresh.get((doc_id, start))
            if info is not None and info.end == end:
                rows[key] = info.to_row()
        return cls(rows)

    def save(self, folder: Path) -> None:
        """Write ``linguistics.jsonl`` into ``folder``."""
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        with (folder / FILE).open("w", encoding="utf-8") as out:
            out.writelines(encode([k, row]) + "\n" for k, row in self._rows.items())

    @classmethod
    def load(cls, folder: Path) -> Linguistics:
        """Read ``linguistics.jsonl`` from ``folder``."""
        decode = json.JSONDecoder().decode
        rows: dict[str, list[Any]] = {}
        with (folder / FILE).open(encoding="utf-8") as lines:
            for line in lines:
                key, row = decode(line)
                rows[key] = row
        return cls(rows)


def _parsed(doc: Document, offset: int) -> dict[tuple[str, int], SentenceInfo]:
    """The analysed sentences of the turn holding ``offset``, by (doc, start)."""
    turn = doc.turn_at(offset)
    start, end = (turn.start, turn.end) if turn else (0, len(doc.text))
    return {(doc.doc_id, i.start): i for i in sentence_infos(doc.text, start, end)}
