"""Speech-to-text JSON: Whisper's ``segments`` and diarizers' ``utterances`` lists.

Each item has ``start``, ``end`` (seconds; whole numbers in an ``utterances`` list are
milliseconds, as AssemblyAI writes them) and ``text``, with an optional ``speaker``
(a name, or a number or letter a diarizer gave: "Speaker 1", "Speaker A").
A top-level ``media``/``audio_url``/``url`` names the recording.

    >>> data = '{"segments": [{"start": 0.5, "end": 2.0, "text": " Hi.", "speaker": "Ann"}]}'
    >>> segs, media = json_segments(data, "t.json")
    >>> [(s.speaker, s.text, s.start_time, s.end_time) for s in segs], media
    ([('Ann', 'Hi.', 0.5, 2.0)], None)
"""

from __future__ import annotations

import json
from typing import Any

from index.errors import SourceError
from index.readers.segments import Segment, clean_words

__all__ = ["json_segments"]

_LISTS = ("segments", "utterances")
_MEDIA_KEYS = ("media", "audio_url", "video_url", "url")


def _speaker(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) or (isinstance(value, str) and len(value) <= 2):
        return f"Speaker {value}"  # a diarizer's number or letter: the file's own name
    return clean_words(str(value)) or None


def _number(item: dict[str, Any], key: str, where: str) -> float | int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SourceError(f"{where}: {key!r} must be a number of seconds ≥ 0 (got {value!r})")
    return value


def _items(data: Any, name: str) -> tuple[str, list[Any]]:
    if isinstance(data, list):
        return "segments", data
    if isinstance(data, dict):
        for key in _LISTS:
            if isinstance(data.get(key), list):
                return key, data[key]
    raise SourceError(f"{name}: no 'segments' or 'utterances' list; give speech-to-text JSON "
                      "(Whisper's, or a diarizer's with a speaker per segment)")


def _segment(item: Any, where: str, millis: bool) -> Segment:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise SourceError(f"{where}: each segment needs 'start', 'end' and 'text'")
    start, end = _number(item, "start", where), _number(item, "end", where)
    scale = 1000.0 if millis else 1.0
    return Segment(_speaker(item.get("speaker")), clean_words(item["text"]),
                   start / scale, end / scale)


def json_segments(text: str, name: str) -> tuple[list[Segment], str | None]:
    """The segments of a speech-to-text JSON file, and its recording's URL if it names one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{name}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    key, items = _items(data, name)
    millis = key == "utterances" and all(
        isinstance(i, dict) and isinstance(i.get("start"), int) for i in items
    )
    segments = [_segment(item, f"{name}: {key}[{i}]", millis) for i, item in enumerate(items)]
    media = next((data[k] for k in _MEDIA_KEYS if isinstance(data, dict)
                  and isinstance(data.get(k), str) and data[k]), None)
    return segments, media
