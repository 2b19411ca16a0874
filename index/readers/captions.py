"""Caption files: SubRip (.srt, read by ``srt``) and WebVTT (.vtt, read by ``webvtt-py``).

A cue that opens with a speaker label ("ANN LEE:", "Bo:") names who speaks it and the
cues after it, until the next label; WebVTT's ``<v Name>`` voice tags name the cue's
speaker too. Markup (``<i>``, ``{\\an8}``, ``<c.x>``) never reaches the text.

    >>> srt_text = ("1\\n00:00:01,000 --> 00:00:02,500\\nANN: Hello.\\n\\n"
    ...             "2\\n00:00:03,000 --> 00:00:04,000\\nAgain.\\n")
    >>> [(s.speaker, s.text, s.start_time) for s in srt_segments(srt_text, "x.srt")]
    [('ANN', 'Hello.', 1.0), ('ANN', 'Again.', 3.0)]
"""

from __future__ import annotations

import io
import re

from index.errors import SourceError
from index.readers.segments import Segment, clean_words

__all__ = ["SPEAKER_PREFIX", "attributed", "srt_segments", "vtt_segments"]

# "NAME:" / "Ann Lee:" / ">> Ann:" at a cue's start: a capitalised name of ≤ 5 words
SPEAKER_PREFIX = re.compile(
    r"^(?:>>\s*|-\s*)?(?P<name>[A-Z][\w.'’\-]*(?: [A-Z][\w.'’\-]*){0,4}):\s+"
)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|\{\\[^}]*\}")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+?)\s*>")


def attributed(text: str, current: str | None) -> tuple[str | None, str]:
    """The speaker of a cue's ``text`` (its label, else ``current``) and its words."""
    words = clean_words(_TAG.sub("", text))
    match = SPEAKER_PREFIX.match(words)
    if match and not match.group("name").isdigit():
        return match.group("name"), words[match.end():]
    return current, words


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


def srt_segments(text: str, name: str) -> list[Segment]:
    """The cues of a SubRip file, speakers carried from label to label."""
    import srt

    segments: list[Segment] = []
    speaker: str | None = None
    try:
        for sub in srt.parse(text):
            speaker, words = attributed(sub.content, speaker)
            segments.append(Segment(speaker, words, sub.start.total_seconds(),
                                    sub.end.total_seconds()))
    except srt.SRTParseError as exc:
        line = _line_of(text, exc.expected_start)
        raise SourceError(f"{name}:{line}: not a SubRip cue (a number, then a "
                          "'00:00:01,000 --> 00:00:02,000' line, then its text)") from exc
    except ValueError as exc:  # a timestamp srt could split but not read
        raise SourceError(f"{name}: a SubRip timestamp cannot be read ({exc})") from exc
    return segments


def _vtt_error(text: str, name: str, exc: Exception) -> SourceError:
    detail = str(exc)
    found = re.search(r"line (\d+)", detail)
    where = f"{name}:{found.group(1)}" if found else name
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        where, detail = f"{name}:1", "a WebVTT file starts with a 'WEBVTT' line"
    return SourceError(f"{where}: not a readable WebVTT file ({detail})")


def vtt_segments(text: str, name: str) -> list[Segment]:
    """The cues of a WebVTT file: ``<v Name>`` tags, else labels, give the speakers."""
    import webvtt

    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except Exception as exc:  # webvtt raises its own MalformedFileError and plain ValueErrors
        raise _vtt_error(text, name, exc) from exc
    segments: list[Segment] = []
    speaker: str | None = None
    for cap in captions:
        raw = cap.raw_text
        voice = _VOICE.search(raw)
        if voice:
            speaker = clean_words(voice.group("name"))
        speaker, words = attributed(raw, speaker)
        segments.append(Segment(speaker, words, cap.start_in_seconds + _millis(cap.start),
                                cap.end_in_seconds + _millis(cap.end)))
    return segments


def _millis(stamp: str) -> float:
    """The fraction of a second that webvtt-py's whole ``*_in_seconds`` drop."""
    frac = stamp.rsplit(".", 1)[1] if "." in stamp else "0"
    return int(frac) / 10 ** len(frac)
