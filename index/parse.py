"""Parse a transcript into speaker turns with offsets true to the file.

A line that starts with a speaker label ("Question:", "Ann Lee:") opens a
turn; unlabelled lines continue the current one. Text before the first label
(an opening address) belongs to the principal speaker: the one who answers the
questions. A scraped "Source:" header is kept out of the answerable body.

    >>> text = "Question: Why?\\nAnn Lee: Because."
    >>> doc = parse_document(doc_id="d", text=text, path="", sha256="")
    >>> [(t.speaker, t.role, t.exchange_id) for t in doc.turns]
    [('Questioner', 'question', 1), ('Ann Lee', 'answer', 1)]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from index.documents import Document, Turn
from index.frontmatter import read_front_matter
from index.roles import infer_exchanges

__all__ = [
    "PARSER_VERSION", "QUESTION_LABELS", "RawTurn", "assign_turns", "find_body_start",
    "find_labels", "parse_document",
]

# bumped when the same text parses into other turns: indexes built before are stale
PARSER_VERSION = 5

QUESTION_LABELS = frozenset({"question", "q", "questions", "audience", "journalist", "reporter"})
_LABEL = re.compile(r"^(?P<label>[A-Z][\w.'’\- ]{0,48}?):[ \t]+(?=\S)", re.MULTILINE)
# the same after a newline: a literal first character lets re skip ahead instead of
# trying "^" at every position (a tenth of parsing a large corpus)
_NEXT_LABEL = re.compile(r"\n" + _LABEL.pattern[1:])
_HEADER_SOURCE = re.compile(
    r"\A(?P<pre>(?:[^\n]{0,80}\n){0,3}?)Source:[ \t]*\n?[ \t]*"
    r"(?P<src>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})"
)
# Who asks depends on the setting, read from how the opening names the audience:
# "addressing the <Proper Name> <role nouns>" asks as one of those roles, a press
# conference's askers are journalists. Only the first lines are read: the setting.
_AUDIENCE = re.compile(
    r"\b(?i:address(?:ing|ed|es)?(?:\s+to)?|meet(?:ing|s)?(?:\s+with)?|met(?:\s+with)?"
    r"|before|questions\s+from)\s+(?i:the\s+|all\s+|our\s+|fellow\s+)?"
    r"(?:[A-Z][\w'’.-]*\s+){1,4}(?P<role>[a-z]{3,}s)\b"
)
_PRESS = re.compile(r"(?i:\bpress\s+conference\b)")
_SETTING_CHARS = 3000
_ES_PLURAL = ("sses", "shes", "ches", "xes")


@dataclass(frozen=True)
class _Label:
    name: str
    line_start: int
    text_start: int


def find_body_start(text: str) -> tuple[int, str | None]:
    """Where the answerable body starts, and the source named by a scraped header."""
    match = _HEADER_SOURCE.match(text)
    if not match:
        return 0, None
    end = match.end()
    while end < len(text) and text[end] in " \t\r\n":
        end += 1
    return end, match.group("src")


def _is_label(name: str, counts: Counter[str]) -> bool:
    words = name.split()
    if name.lower() in QUESTION_LABELS:
        return True
    if len(words) > 5 or not all(w[0].isupper() for w in words if w[0].isalpha()):
        return False
    return len(words) >= 2 or counts[name] >= 2


def find_labels(text: str, body_start: int = 0) -> list[_Label]:
    """Line-start speaker labels in ``text[body_start:]``."""
    first = _LABEL.match(text, body_start)  # only if body_start begins a line
    found = [(m.group("label").strip(), m.start(), m.end()) for m in [first] if m]
    found += [(m.group("label").strip(), m.start() + 1, m.end())
              for m in _NEXT_LABEL.finditer(text, body_start)]
    counts = Counter(name for name, _, _ in found)
    return [_Label(*f) for f in found if _is_label(f[0], counts)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _singular(plural: str) -> str:
    """ "parties" -> "Party", "members" -> "Member", "witnesses" -> "Witness"."""
    word = plural.lower()
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith(_ES_PLURAL):
        word = word[:-2]
    else:  # "-ss" words ("business") are no plural: _questioner never passes them
        word = word[:-1]
    return word.capitalize()


def _questioner(text: str) -> str:
    """The label of an unnamed asker, from the setting the opening describes."""
    setting = text[:_SETTING_CHARS]
    found = _AUDIENCE.search(setting)
    if found and not found.group("role").endswith("ss"):
        return _singular(found.group("role"))
    return "Journalist" if _PRESS.search(setting) else "Questioner"


def _principal(labels: list[_Label]) -> str:
    answerers = Counter(lb.name for lb in labels if lb.name.lower() not in QUESTION_LABELS)
    return answerers.most_common(1)[0][0] if answerers else "unknown"


def _raw_turns(
    text: str, body_start: int, labels: list[_Label]
) -> list[tuple[str | None, int, int, int]]:
    """(label or None, label_start, text_start, text_end) in document order."""
    raw: list[tuple[str | None, int, int, int]] = []
    first = labels[0].line_start if labels else len(text)
    if text[body_start:first].strip():
        raw.append((None, body_start, *_trim(text, body_start, first)))
    for i, lb in enumerate(labels):
        nxt = labels[i + 1].line_start if i + 1 < len(labels) else len(text)
        s, e = _trim(text, lb.text_start, nxt)
        if e > s:
            raw.append((lb.name, lb.line_start, s, e))
    return raw


RawTurn = tuple[str | None, int, int, int]


def _build_turns(doc_id: str, text: str, body_start: int) -> tuple[Turn, ...]:
    labels = find_labels(text, body_start)
    return assign_turns(doc_id, text, _raw_turns(text, body_start, labels), _principal(labels))


def assign_turns(doc_id: str, text: str, raw: list[RawTurn], principal: str) -> tuple[Turn, ...]:
    """Turns of ``raw`` (label or None, label_start, start, end), with roles and exchanges.

    Unlabelled text is the ``principal``'s speech, or ``"unknown"`` when that is.
    """
    asker = _questioner(text)
    turns: list[Turn] = []
    exchange = 0
    question: int | None = None
    for i, (label, label_start, s, e) in enumerate(raw):
        if label is None:
            speaker = principal if principal != "unknown" else "unknown"
            role = "speech" if principal != "unknown" else "unknown"
            turns.append(Turn(doc_id, i, speaker, role, s, e, label_start))
            continue
        if label.lower() in QUESTION_LABELS:
            if question is None or turns[-1].role != "question":
                exchange += 1
            question = i
            turns.append(Turn(doc_id, i, asker, "question", s, e, label_start, exchange))
        elif question is not None:
            turns.append(Turn(doc_id, i, label, "answer", s, e, label_start, exchange, question))
        else:
            turns.append(Turn(doc_id, i, label, "statement", s, e, label_start))
    return infer_exchanges(tuple(turns), text)


def parse_document(*, doc_id: str, text: str, path: str, sha256: str) -> Document:
    """Parse ``text`` into a :class:`Document` with speaker turns."""
    front, metadata = read_front_matter(text)
    body_start, source = find_body_start(text)
    body_start = max(body_start, front)
    turns = _build_turns(doc_id, text, body_start)
    title = dict(metadata).get("title") or _title(doc_id, path, source, turns)
    return Document(
        doc_id=doc_id,
        text=text,
        path=path,
        sha256=sha256,
        title=title,
        source=source or dict(metadata).get("source") or None,
        body_start=body_start,
        turns=turns,
        metadata=metadata,
    )


def _title(doc_id: str, path: str, source: str | None, turns: tuple[Turn, ...]) -> str:
    stem = Path(path).stem if path else doc_id.rsplit("/", 1)[-1]
    # Scraped files are often named by a hash; the principal speaker names them better.
    if re.search(r"[0-9a-f]{12,}", stem) and turns and turns[0].role == "speech":
        where = f" ({source})" if source else ""
        return f"{turns[0].speaker}{where}"
    return stem.replace("_", " ")
