"""The gold question set: load it, check it against the transcripts, find its evidence.

Each line of ``gold.jsonl`` is one hand-written question with short acceptable
answers and the verbatim transcript substrings that support them::

    {"id": "q001", "question": "...", "answers": ["..."], "evidence": ["..."],
     "answerable": true, "type": "factoid", "split": "dev", "doc": "1913-Wilson-1"}

``doc`` is optional: in a corpus of several transcripts it names the one the evidence
comes from (the document id, i.e. the file name without its suffix; ``""`` for none).

    >>> from eval.gold import DEFAULT_GOLD, load_gold, validate_gold
    >>> items = load_gold(DEFAULT_GOLD)                              # doctest: +SKIP
    >>> text = open("seeds/000_8a7bd6b9c703a622.txt", encoding="utf-8", newline="").read()
    >>> validate_gold(items, {"000_8a7bd6b9c703a622": text})      # doctest: +SKIP
    []
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from index.errors import InvalidInputError

__all__ = [
    "ABSTAIN_TYPES",
    "DEFAULT_GOLD",
    "GOLD_TYPES",
    "SPLITS",
    "GoldFormatError",
    "GoldItem",
    "filter_gold",
    "gold_counts",
    "load_gold",
    "locate_evidence",
    "validate_gold",
]

DEFAULT_GOLD = Path(__file__).with_name("gold.jsonl")
GOLD_TYPES = (
    "factoid", "list", "numeric", "date", "who", "why",
    "multi_hop", "speaker", "unanswerable", "out_of_scope",
)
# Questions the bot should decline: the transcript does not say, or is not about it.
ABSTAIN_TYPES = frozenset({"unanswerable", "out_of_scope"})
SPLITS = ("dev", "test")
_FIELDS: dict[str, type] = {
    "id": str, "question": str, "answers": list, "evidence": list,
    "answerable": bool, "type": str, "split": str,
}
_OPTIONAL: dict[str, type] = {"doc": str}


class GoldFormatError(InvalidInputError):
    """A gold file that cannot be read as gold items; the message names file and line."""


@dataclass(frozen=True)
class GoldItem:
    """One gold question; ``evidence`` strings are verbatim substrings of a transcript."""

    id: str
    question: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]
    answerable: bool
    type: str
    split: str
    doc: str = ""

    @property
    def should_abstain(self) -> bool:
        """True when the right response is "the transcript does not say"."""
        return not self.answerable

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one gold line."""
        return {
            "id": self.id, "question": self.question, "answers": list(self.answers),
            "evidence": list(self.evidence), "answerable": self.answerable,
            "type": self.type, "split": self.split, **({"doc": self.doc} if self.doc else {}),
        }


def _item_from_json(obj: Any, where: str) -> GoldItem:
    if not isinstance(obj, dict):
        raise GoldFormatError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    missing = [k for k in _FIELDS if k not in obj]
    if missing:
        raise GoldFormatError(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(obj) - set(_FIELDS) - set(_OPTIONAL))
    if unknown:
        allowed = ", ".join([*_FIELDS, *_OPTIONAL])
        raise GoldFormatError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {allowed}")
    for key, kind in {**_FIELDS, **_OPTIONAL}.items():
        if key in obj and not isinstance(obj[key], kind):
            raise GoldFormatError(
                f"{where}: field {key!r} must be {kind.__name__}, got {type(obj[key]).__name__}"
            )
    for key in ("answers", "evidence"):
        if not all(isinstance(v, str) for v in obj[key]):
            raise GoldFormatError(f"{where}: field {key!r} must be a list of strings")
    if obj["type"] not in GOLD_TYPES:
        raise GoldFormatError(
            f"{where}: unknown type {obj['type']!r}; use one of {', '.join(GOLD_TYPES)}"
        )
    return GoldItem(
        id=obj["id"], question=obj["question"], answers=tuple(obj["answers"]),
        evidence=tuple(obj["evidence"]), answerable=obj["answerable"],
        type=obj["type"], split=obj["split"], doc=obj.get("doc", ""),
    )


def load_gold(path: str | Path = DEFAULT_GOLD) -> list[GoldItem]:
    """Read a gold JSONL file; blank lines are skipped.

    Raises :class:`GoldFormatError` naming the file and line for bad JSON, missing,
    unknown or wrongly typed fields, an unknown type, or a repeated id.

        >>> len(load_gold()) >= 100
        True
    """
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldFormatError(f"{file}: cannot read the gold file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise GoldFormatError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    items: list[GoldItem] = []
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{file}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            msg = f"{where}: invalid JSON ({exc.msg} at column {exc.colno})"
            raise GoldFormatError(msg) from exc
        item = _item_from_json(obj, where)
        if item.id in first_line:
            raise GoldFormatError(
                f"{where}: duplicate id {item.id!r} (first used on line {first_line[item.id]})"
            )
        first_line[item.id] = lineno
        items.append(item)
    return items


def _item_problems(item: GoldItem) -> list[str]:
    """Problems visible in the item alone, without the transcripts."""
    p: list[str] = []
    if not item.id.strip():
        p.append("empty id")
    if not item.question.strip():
        p.append("empty question")
    if item.type not in GOLD_TYPES:
        p.append(f"unknown type {item.type!r}")
    if item.split not in SPLITS:
        p.append(f"split {item.split!r} is not one of {', '.join(SPLITS)}")
    if item.answerable == (item.type in ABSTAIN_TYPES):
        p.append(f"type {item.type!r} does not fit answerable={item.answerable}")
    if item.answerable and not item.answers:
        p.append("answerable but has no answers")
    if item.answerable and not item.evidence:
        p.append("answerable but has no evidence")
    if not item.answerable and (item.answers or item.evidence):
        p.append("not answerable but has answers or evidence")
    if item.type == "multi_hop" and len(item.evidence) < 2:
        p.append(f"multi_hop needs at least 2 evidence strings, has {len(item.evidence)}")
    if any(not a.strip() for a in item.answers):
        p.append("an answer is empty")
    if len(set(item.evidence)) != len(item.evidence):
        p.append("the same evidence string is listed twice")
    return p


def _home_problems(item: GoldItem, texts: Mapping[str, str]) -> list[str]:
    """Evidence outside the item's ``doc``; a cross-document multi_hop starts in it."""
    if not item.doc:
        return []
    if item.doc not in texts:
        return [f"doc {item.doc!r} is not a document of this corpus"]
    home = item.evidence[:1] if item.type == "multi_hop" else item.evidence
    return [f"evidence not found in its doc {item.doc!r}: {ev[:60]!r}"
            for ev in home if ev.strip() and ev not in texts[item.doc]]


def _evidence_problems(item: GoldItem, texts: Mapping[str, str]) -> list[str]:
    p: list[str] = []
    for ev in item.evidence:
        if not ev.strip():
            p.append("an evidence string is empty")
            continue
        count = sum(text.count(ev) for text in texts.values())
        if count == 0:
            p.append(f"evidence not found verbatim in any document: {ev[:60]!r}")
        elif count > 1:
            p.append(f"evidence occurs {count} times, make it longer to be unique: {ev[:60]!r}")
    p += _home_problems(item, texts)
    if item.type == "multi_hop" and not p:
        spans = sorted(locate_evidence(item, texts))
        if any(a[0] == b[0] and b[1] < a[2] for a, b in pairwise(spans)):
            p.append("multi_hop evidence strings overlap; they must come from separate places")
    return p


def validate_gold(items: Iterable[GoldItem], texts: Mapping[str, str]) -> list[str]:
    """Every problem of ``items`` against the documents ``texts`` (doc_id → text).

    An empty list means the set is valid. Each problem starts with the item's id.

        >>> item = GoldItem("q1", "Who?", ("Ann",), ("Ann said",), True, "who", "dev")
        >>> validate_gold([item], {"d": "Ann said hi"})
        []
        >>> validate_gold([item], {"d": "Bob said hi"})[0][:40]
        'q1: evidence not found verbatim in any d'
    """
    problems: list[str] = []
    if not texts:
        problems.append("no document texts given to check the evidence against")
    seen: Counter[str] = Counter()
    for item in items:
        seen[item.id] += 1
        if seen[item.id] == 2:
            problems.append(f"{item.id}: duplicate id")
        found = _item_problems(item) + (_evidence_problems(item, texts) if texts else [])
        problems.extend(f"{item.id}: {msg}" for msg in found)
    return problems


def locate_evidence(item: GoldItem, texts: Mapping[str, str]) -> list[tuple[str, int, int]]:
    """``(doc_id, start, end)`` of each evidence string's first occurrence, in order.

    The item's ``doc`` is searched first, then the others in the mapping's order; a
    string found nowhere raises :class:`GoldFormatError` (run :func:`validate_gold` first).

        >>> item = GoldItem("q1", "Who?", ("Ann",), ("said",), True, "who", "dev")
        >>> locate_evidence(item, {"d": "Ann said hi"})
        [('d', 4, 8)]
    """
    spans: list[tuple[str, int, int]] = []
    order = sorted(texts, key=lambda d: d != item.doc)  # stable: the rest keep their order
    for ev in item.evidence:
        for doc_id in order:
            text = texts[doc_id]
            start = text.find(ev)
            if start >= 0:
                spans.append((doc_id, start, start + len(ev)))
                break
        else:
            raise GoldFormatError(f"{item.id}: evidence not found in any document: {ev[:60]!r}")
    return spans


def filter_gold(
    items: Iterable[GoldItem],
    *,
    split: str | None = None,
    types: Sequence[str] | None = None,
) -> list[GoldItem]:
    """Items of one split and/or some types, in file order.

        >>> dates = filter_gold(load_gold(), split="dev", types=["date"])
        >>> {(i.split, i.type) for i in dates}
        {('dev', 'date')}
    """
    if split is not None and split not in SPLITS:
        raise InvalidInputError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    unknown = sorted(set(types or ()) - set(GOLD_TYPES))
    if unknown:
        raise InvalidInputError(f"unknown type(s) {unknown}; use some of {', '.join(GOLD_TYPES)}")
    return [
        i for i in items
        if (split is None or i.split == split) and (types is None or i.type in types)
    ]


def gold_counts(items: Iterable[GoldItem]) -> dict[str, dict[str, int]]:
    """Item counts per type and split, e.g. ``{"factoid": {"dev": 14, "test": 13}, ...}``."""
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        per_split = counts.setdefault(item.type, dict.fromkeys(SPLITS, 0))
        per_split[item.split] = per_split.get(item.split, 0) + 1
    return counts
