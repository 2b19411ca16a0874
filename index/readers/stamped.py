r"""Timestamped text: "[hh:mm:ss] Name: text", "Name (hh:mm:ss): text", and exports
that give "Name  m:ss" on a line with the paragraph below it.

A file is read this way when its first body line and at least one more carry such a
time. The body may follow a short header of up to three lines: a "Media: URL" line and
title lines ("Budget hearing, 3 May"), which become the document's title. Any other
text is a plain transcript (index.parse), read exactly as before. Lines without a time
continue the segment above; a segment ends when the next begins.

    >>> text = "Media: talk.mp3\n[00:01:02] Ann: Hi.\n[00:01:05] Bo: Yes.\nOn."
    >>> segs, media = stamped_segments(text)
    >>> [(s.speaker, s.text, s.start_time, s.end_time) for s in segs], media
    ([('Ann', 'Hi.', 62.0, 65.0), ('Bo', 'Yes. On.', 65.0, None)], 'talk.mp3')
    >>> read_stamped("Harbour board, May 3\n[0:05] Ann: Hi.\n[0:09] Bo: Yes.\n[0:12] Ann: Go.")[2]
    'Harbour board, May 3'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.errors import SourceError
from index.readers.segments import Segment, clean_words

__all__ = ["is_stamped", "parse_clock", "read_stamped", "stamped_segments"]

_NAME = r"(?P<name>[A-Z][\w.'’\-]*(?: [\w.'’\-]+){0,4}?)"
_CLOCK = r"(?P<clock>(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?)"
_FORMS = (
    re.compile(rf"^\[{_CLOCK}\][ \t]*(?:{_NAME}:[ \t]*)?(?P<text>.*)$"),
    re.compile(rf"^{_NAME}[ \t]*\({_CLOCK}\):[ \t]*(?P<text>.*)$"),
    re.compile(rf"^{_NAME}[ \t]+{_CLOCK}[ \t]*$"),  # the paragraph follows on the next lines
)
_MEDIA = re.compile(r"^media:[ \t]*(?P<url>\S+)[ \t]*$", re.IGNORECASE)
_HEADER_LINES = 3  # a title, a date line, a "Media:" line; more is a transcript's text
_TITLE_CHARS = 160


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


@dataclass(frozen=True)
class _Header:
    at: int  # the first body line
    media: str | None
    title: str | None


def _skip_blank(lines: list[str], at: int) -> int:
    while at < len(lines) and not lines[at].strip():
        at += 1
    return at


def _header(lines: list[str]) -> _Header:
    """The body's first line past a short header ("Media:" and title lines), its parts.

    A header line is short and carries no time; without a timed line right after the
    header, the file has no such header (``at`` 0): it is then read as plain text.
    """
    at, media, titles = _skip_blank(lines, 0), None, []
    for _ in range(_HEADER_LINES):
        if at >= len(lines) or _match(lines[at]) is not None:
            break
        line = lines[at].strip()
        if found := _MEDIA.match(line):
            media = found.group("url")
        elif len(line) <= _TITLE_CHARS:
            titles.append(line)
        else:
            break
        at = _skip_blank(lines, at + 1)
    if at < len(lines) and _match(lines[at]) is not None:
        return _Header(at, media, " · ".join(titles) or None)
    return _Header(_skip_blank(lines, 0), None, None)


def _stamped(lines: list[str], header: _Header) -> bool:
    if header.at >= len(lines) or _match(lines[header.at]) is None:
        return False
    # below a title, one more timed line could be chance ("John 3:16"): two are asked
    wanted = 2 if header.title else 1
    return sum(1 for line in lines[header.at + 1:] if _match(line)) >= wanted


def is_stamped(text: str) -> bool:
    """Whether ``text`` is timestamped: its first body line (below a short header) and
    one more carry a time."""
    lines = text.splitlines()
    return _stamped(lines, _header(lines))


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


def _segments(lines: list[str], header: _Header, name: str) -> list[Segment]:
    stamps = _stamps(lines, header.at, name)
    times = [parse_clock(s.clock, f"{name}:{s.line}") for s in stamps]
    segments: list[Segment] = []
    speaker: str | None = None
    for i, stamp in enumerate(stamps):
        speaker = stamp.speaker or speaker
        end = times[i + 1] if i + 1 < len(times) else None
        segments.append(Segment(speaker, clean_words(stamp.text), times[i], end))
    return segments


def stamped_segments(text: str, name: str = "<text>") -> tuple[list[Segment], str | None]:
    """The segments of timestamped text (speakers carried), and its "Media:" URL."""
    lines = text.splitlines()
    header = _header(lines)
    return _segments(lines, header, name), header.media


def read_stamped(
    text: str, name: str = "<text>"
) -> tuple[list[Segment], str | None, str | None] | None:
    """Segments, "Media:" URL and title of timestamped text, or None when it is not
    (the text split and its header read once)."""
    lines = text.splitlines()
    header = _header(lines)
    if not _stamped(lines, header):
        return None
    return _segments(lines, header, name), header.media, header.title
