"""Timed, attributed segments (cues, utterances) laid out as a readable transcript.

Every reader of a captioned or speech-to-text format yields :class:`Segment` values;
:func:`timed_document` writes them as paragraphs ("Name: what was said"), one per run
of a speaker, and keeps each segment's time as a :class:`~index.documents.Cue` over
its words, so ``doc.text`` holds no cue numbers, timing lines, tags or JSON.

    >>> segs = [Segment("Ann Lee", "Hello all.", 1.0, 2.0),
    ...         Segment("Ann Lee", "Welcome.", 2.0, 3.0), Segment("Bo", "Thanks.", 3.5, 4.0)]
    >>> doc = timed_document(segs, doc_id="d", path="d.srt", sha256="")
    >>> print(doc.text)
    Ann Lee: Hello all. Welcome.
    <BLANKLINE>
    Bo: Thanks.
    >>> [(t.speaker, doc.text[t.start:t.end]) for t in doc.turns]
    [('Ann Lee', 'Hello all. Welcome.'), ('Bo', 'Thanks.')]
    >>> doc.times(doc.text.index("Welcome"), doc.turns[0].end)
    (2.0, 3.0)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index.documents import Cue, Document
from index.parse import RawTurn, assign_turns

__all__ = ["PARAGRAPH_CHARS", "Segment", "clean_words", "display_names", "timed_document"]

# a long run of one speaker is cut into paragraphs of about this many characters (at a
# segment's end, the label repeated) so the transcript panel stays readable
PARAGRAPH_CHARS = 900
_SPACE = re.compile(r"\s+")
_LETTERS = re.compile(r"[A-Z.'’\-]+")
_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9&]+\b")  # a word written in capitals in the text


@dataclass(frozen=True)
class Segment:
    """What one cue or utterance says, who said it (None: the file does not say) and when."""

    speaker: str | None
    text: str
    start_time: float
    end_time: float | None = None


def clean_words(text: str) -> str:
    """``text`` on one line, runs of white space made one space."""
    return _SPACE.sub(" ", text).strip()


def _shown(name: str, acronyms: set[str]) -> str:
    """Each word of letters in title case; acronyms and ids ("SPEAKER_01") as written."""
    words = name.split()
    return " ".join(w.title() if _LETTERS.fullmatch(w) and w.strip(".’'") not in acronyms
                    else w for w in words)


def display_names(segments: Sequence[Segment]) -> list[Segment]:
    """Speakers written in capitals ("ANN LEE:", as captions do) in their usual case.

    The file's own mixed-case spelling of the name wins where it has one; a word the
    file's text also writes in capitals ("the CFO said") is an acronym and stays.

    >>> segs = [Segment("ANN O'NEIL", "Hi.", 0.0), Segment("CFO", "The CFO agrees.", 1.0),
    ...         Segment("BO MCKAY", "Yes.", 2.0), Segment("Bo McKay", "Sure.", 3.0)]
    >>> [s.speaker for s in display_names(segs)]
    ["Ann O'Neil", 'CFO', 'Bo McKay', 'Bo McKay']
    """
    names = {s.speaker for s in segments if s.speaker}
    mixed = {n.casefold(): n for n in names if not n.isupper()}
    acronyms = set(_CAPITALS.findall(" ".join(s.text for s in segments)))
    shown = {n: mixed.get(n.casefold()) or _shown(n, acronyms) for n in names if n.isupper()}
    return [replace(s, speaker=shown[s.speaker]) if s.speaker in shown else s for s in segments]


def _paragraphs(segments: Sequence[Segment]) -> list[list[Segment]]:
    runs: list[list[Segment]] = []
    size = 0
    for seg in segments:
        if runs and runs[-1][0].speaker == seg.speaker and size + len(seg.text) < PARAGRAPH_CHARS:
            runs[-1].append(seg)
            size += len(seg.text) + 1
        else:
            runs.append([seg])
            size = len(seg.text)
    return runs


def _layout(segments: Sequence[Segment]) -> tuple[str, list[RawTurn], list[Cue]]:
    parts: list[str] = []
    raw: list[RawTurn] = []
    cues: list[Cue] = []
    at = 0
    for run in _paragraphs(segments):
        if parts:
            parts.append("\n\n")
            at += 2
        label_start = at
        if run[0].speaker:
            parts.append(f"{run[0].speaker}: ")
            at += len(run[0].speaker) + 2
        start = at
        for i, seg in enumerate(run):
            if i:
                parts.append(" ")
                at += 1
            parts.append(seg.text)
            cues.append(Cue(at, at + len(seg.text), seg.start_time, seg.end_time))
            at += len(seg.text)
        raw.append((run[0].speaker, label_start, start, at))
    return "".join(parts), raw, cues


def timed_document(
    segments: Sequence[Segment], *, doc_id: str, path: str, sha256: str,
    media: str | None = None, title: str | None = None,
) -> Document:
    """The readable :class:`Document` of ``segments`` (empty ones dropped), with their times;
    its title is ``title`` (a header the file gives), else the file's name."""
    kept = display_names([s for s in segments if s.text])
    text, raw, cues = _layout(kept)
    # the speakers are the file's own labels; unlabelled text stays "unknown", never guessed
    turns = assign_turns(doc_id, text, raw, "unknown")
    return Document(
        doc_id=doc_id,
        text=text,
        path=path,
        sha256=sha256,
        title=title or (Path(path).stem if path else doc_id.rsplit("/", 1)[-1]).replace("_", " "),
        turns=turns,
        cues=tuple(cues),
        media=media,
    )
