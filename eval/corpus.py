"""The eval's corpora: each a folder of transcripts with the gold questions written for them.

A corpus lives in ``eval/corpora/<name>/``; its ``corpus.json`` says where the
transcripts and the gold file are (paths relative to that folder) and where the
transcripts come from::

    {"name": "sotu", "title": "Ten State of the Union addresses, 1796-2016",
     "transcripts": "transcripts", "gold": "gold.jsonl",
     "source": "the sotu package, written by python -m eval.make_sotu"}

The seed corpus points at the shipped ``seeds/`` and ``eval/gold.jsonl``.

    >>> [c.name for c in all_corpora()]
    ['seed', 'sotu', 'talk']
    >>> get_corpus("seed").gold.name
    'gold.jsonl'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.gold import GoldItem
from index.errors import InvalidInputError

__all__ = ["CORPORA_DIR", "EvalCorpus", "all_corpora", "corpus_names", "get_corpus",
           "read_corpus_json", "split_digest"]

CORPORA_DIR = Path(__file__).with_name("corpora")
_REQUIRED = ("name", "title", "transcripts", "gold", "source")


@dataclass(frozen=True)
class EvalCorpus:
    """One corpus of the eval: its transcripts (a file or folder) and its gold file."""

    name: str
    title: str
    transcripts: Path
    gold: Path
    source: str
    folder: Path
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def texts(self) -> dict[str, str]:
        """``doc_id -> text`` of every transcript, as the index reads them."""
        from index.documents import read_corpus

        return {d.doc_id: d.text for d in read_corpus(self.transcripts, strict=True)}


def read_corpus_json(folder: Path) -> EvalCorpus:
    """The corpus described by ``folder/corpus.json``; a clear error if it is not one."""
    path = folder / "corpus.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path}: invalid JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path}: expected a JSON object with {', '.join(_REQUIRED)}")
    if missing := [k for k in _REQUIRED if k not in data]:
        raise InvalidInputError(f"{path}: missing field(s) {', '.join(missing)}")
    return EvalCorpus(
        name=str(data["name"]), title=str(data["title"]),
        transcripts=(folder / data["transcripts"]).resolve(),
        gold=(folder / data["gold"]).resolve(), source=str(data["source"]),
        folder=folder.resolve(),
        extra={k: v for k, v in data.items() if k not in _REQUIRED},
    )


def corpus_names(root: Path = CORPORA_DIR) -> list[str]:
    """The names of the corpora under ``root``, sorted."""
    return sorted(p.parent.name for p in root.glob("*/corpus.json"))


def all_corpora(root: Path = CORPORA_DIR) -> list[EvalCorpus]:
    """Every corpus under ``root``, by name."""
    return [read_corpus_json(root / name) for name in corpus_names(root)]


def get_corpus(name: str, root: Path = CORPORA_DIR) -> EvalCorpus:
    """The corpus called ``name``; an error listing the known ones otherwise."""
    if name not in corpus_names(root):
        known = ", ".join(corpus_names(root)) or "none"
        raise InvalidInputError(f"unknown eval corpus {name!r}; known: {known}")
    return read_corpus_json(root / name)


def split_digest(items: Iterable[GoldItem], split: str) -> str:
    """SHA-256 of one split's items (by id, as canonical JSON): a frozen split keeps it.

        >>> split_digest([], "test")[:12]
        'e3b0c44298fc'
    """
    chosen = sorted((i for i in items if i.split == split), key=lambda i: i.id)
    lines = (json.dumps(i.to_dict(), sort_keys=True, ensure_ascii=False) for i in chosen)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
