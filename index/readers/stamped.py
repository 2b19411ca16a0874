r"""Timestamped text: "[hh:mm:ss] Name: text", "Name (hh:mm:ss): text", and exports
that give "Name  m:ss" on a line with the paragraph below it.

A file is read this way when its first line (after an optional "Media: URL" header)
and at least one more carry such a time; any other text is a plain transcript
(index.parse), read exactly as before. Lines without a time continue the segment
above; a segment ends when the next begins.

    >>> text = "Media: talk.mp3\n[00:01:02] Ann: Hi.\n[00:01:05] Bo: Yes.\nOn."
    >>> segs, media = stamped_segments(text)
    >>> [(s.speaker, s.text, s.start_time, s.end_time) for s in segs], media
    ([('Ann', 'Hi.', 62.0, 65.0), ('Bo', 'Yes. On.', 65.0, None)], 'talk.mp3')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.errors import SourceError
from index.readers.segments import Segment, clean_words

__all__ = ["is_stamped", "parse_clock", "stamped_segments"]

_NAME = r"(?P<name>[A-Z][\w.'’\-]*(?: [\w.'’\-]+){0,4}?)"
_CLOCK = r"(?P<clock>(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?)"
_FORMS = (
    re.compile(rf"^\[{_CLOCK}\][ \t]*(?:{_NAME}:[ \t]*)?(?P<text>.*)$"),
    re.compile(rf"^{_NAME}[ \t]*\({_CLOCK}\):[ \t]*(?P<text>.*)$"),
    re.compile(rf"^{_NAME}[ \t]+{_CLOCK}[ \t]*$"),  # the paragraph follows on the next lines
)
_MEDIA = re.compile(r"^media:[ \t]*(?P<url>\S+)[ \t]*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Stamp:
    line: int
    speaker: str | None
    clock: str
    text: str


def parse_clock(clock: str, where: str = "") -> float:
    """Seconds of "h:mm:ss", "m:ss" or "mm:ss.mmm".

    >>> parse_clock("1:02:03.5"), parse_clock("4:05")
    (3723.5, 245.0)
    """
    *rest, seconds = clock.replace(",", ".").split(":")
    value = float(seconds)
    if value >= 60 or (len(rest) == 2 and int(rest[1]) >= 60):
        raise SourceError(f"{where}: {clock!r} is not a time (minutes and seconds go up to 59)")
    total = 0.0
    for part in rest:
        total = total * 60 + int(part)
    return total * 60 + value


def _match(line: str) -> re.Match[str] | None:
    stripped = line.strip()
    return next((m for form in _FORMS if (m := form.match(stripped))), None)


def _body(lines: list[str]) -> tuple[int, str | None]:
    """Where the body starts, past blank lines and a "Media:" header, and the media URL."""
    at, media = 0, None
    while at < len(lines) and not lines[at].strip():
        at += 1
    if at < len(lines) and (found := _MEDIA.match(lines[at].strip())):
        media, at = found.group("url"), at + 1
        while at < len(lines) and not lines[at].strip():
            at += 1
    return at, media


def is_stamped(text: str) -> bool:
    """Whether ``text`` is timestamped: its first body line and one more carry a time."""
    lines = text.splitlines()
    at, _ = _body(lines)
    if at >= len(lines) or _match(lines[at]) is None:
        return False
    return sum(1 for line in lines[at + 1:] if _match(line)) >= 1


def _stamps(lines: list[str], at: int, name: str) -> list[_Stamp]:
    stamps: list[_Stamp] = []
    for number in range(at, len(lines)):
        line = lines[number]
        found = _match(line)
        if found is not None:
            text = found.groupdict().get("text") or ""
            stamps.append(_Stamp(number + 1, found.group("name"), found.group("clock"), text))
        elif line.strip() and stamps:
            last = stamps[-1]
            stamps[-1] = _Stamp(last.line, last.speaker, last.clock, f"{last.text} {line}")
    return stamps


def stamped_segments(text: str, name: str = "<text>") -> tuple[list[Segment], str | None]:
    """The segments of timestamped text (speakers carried), and its "Media:" URL."""
    lines = text.splitlines()
    at, media = _body(lines)
    stamps = _stamps(lines, at, name)
    times = [parse_clock(s.clock, f"{name}:{s.line}") for s in stamps]
    segments: list[Segment] = []
    speaker: str | None = None
    for i, stamp in enumerate(stamps):
        speaker = stamp.speaker or speaker
        end = times[i + 1] if i + 1 < len(times) else None
        segments.append(Segment(speaker, clean_words(stamp.text), times[i], end))
    return segments, media
