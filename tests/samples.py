"""Sample transcripts in every readable format, written by code from a few timed turns.

Each turn is split into two cues in the caption and speech-to-text formats, so that
a sentence spans cues; the readable text every timed format must give is
:data:`CLEAN_TEXT`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CLEAN_TEXT", "FORMATS", "TURNS", "SampleTurn", "cues", "write_sample"]


@dataclass(frozen=True)
class SampleTurn:
    speaker: str
    start: float
    end: float
    text: str


TURNS = (
    SampleTurn("Maria Lopez", 0.0, 4.0, "Welcome to the budget hearing of the city council."),
    SampleTurn("Maria Lopez", 4.0, 9.5, "The new river library opens in March."),
    SampleTurn("Tom Baker", 10.0, 15.0, "How much will the river library cost?"),
    SampleTurn("Maria Lopez", 75.5, 83.0, "It will cost four million dollars in total."),
)
CLEAN_TEXT = (
    "Maria Lopez: Welcome to the budget hearing of the city council. The new river library "
    "opens in March.\n\nTom Baker: How much will the river library cost?\n\n"
    "Maria Lopez: It will cost four million dollars in total."
)


def cues(turns: Sequence[SampleTurn] = TURNS) -> list[tuple[SampleTurn, str, float, float]]:
    """(turn, words, start, end): each turn cut in two at its middle word."""
    out = []
    for turn in turns:
        words = turn.text.split()
        half = len(words) // 2
        middle = turn.start + (turn.end - turn.start) / 2
        out.append((turn, " ".join(words[:half]), turn.start, middle))
        out.append((turn, " ".join(words[half:]), middle, turn.end))
    return out


def _clock(seconds: float, sep: str = ",", hours: bool = True) -> str:
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    h, m, s = whole // 3600, whole // 60 % 60, whole % 60
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{millis:03d}" if hours else f"{m}:{s:02d}"


def _labelled(turns: Sequence[SampleTurn]) -> list[tuple[str | None, str, float, float]]:
    """Cues with the speaker named only where it changes (labels carry)."""
    out, last = [], None
    for turn, words, start, end in cues(turns):
        out.append((turn.speaker if turn.speaker != last else None, words, start, end))
        last = turn.speaker
    return out


def srt_text(turns: Sequence[SampleTurn] = TURNS) -> str:
    blocks = [
        f"{i}\n{_clock(s)} --> {_clock(e)}\n{f'{who.upper()}: ' if who else ''}<i>{w}</i>\n"
        for i, (who, w, s, e) in enumerate(_labelled(turns), 1)
    ]
    return "\n".join(blocks)


def vtt_text(turns: Sequence[SampleTurn] = TURNS) -> str:
    blocks = [f"{n}\n{_clock(s, '.')} --> {_clock(e, '.')}\n<v {t.speaker}>{w}</v>\n"
              for n, (t, w, s, e) in enumerate(cues(turns), 1)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def whisper_json(turns: Sequence[SampleTurn] = TURNS) -> str:
    segments = [{"id": i, "start": s, "end": e, "text": f" {w}", "speaker": t.speaker}
                for i, (t, w, s, e) in enumerate(cues(turns))]
    return json.dumps({"text": " ".join(t.text for t in turns), "segments": segments}, indent=1)


def utterances_json(turns: Sequence[SampleTurn] = TURNS) -> str:
    items = [{"start": round(s * 1000), "end": round(e * 1000), "text": w, "speaker": t.speaker}
             for t, w, s, e in cues(turns)]
    return json.dumps({"audio_url": "https://media.example.org/hearing.mp3",
                       "utterances": items})


def bracket_text(turns: Sequence[SampleTurn] = TURNS) -> str:
    return "".join(f"[{_clock(t.start)[:8]}] {t.speaker}: {t.text}\n" for t in turns)


def paren_text(turns: Sequence[SampleTurn] = TURNS) -> str:
    return "Media: hearing.mp4\n\n" + "".join(
        f"{t.speaker} ({_clock(t.start)[:8]}): {t.text}\n" for t in turns)


def export_text(turns: Sequence[SampleTurn] = TURNS) -> str:
    """"Name  m:ss" then the paragraph, as meeting-notes tools export."""
    return "\n".join(f"{t.speaker}  {_clock(t.start, hours=False)}\n{t.text}\n" for t in turns)


def plain_text(turns: Sequence[SampleTurn] = TURNS) -> str:
    return "\n".join(f"{t.speaker}: {t.text}" for t in turns) + "\n"


def docx_bytes(path: Path, turns: Sequence[SampleTurn] = TURNS) -> None:
    import docx

    document = docx.Document()
    for t in turns:
        document.add_paragraph(f"{t.speaker}: {t.text}")
    document.save(str(path))


def pdf_bytes(path: Path, turns: Sequence[SampleTurn] = TURNS) -> None:
    """A one-page PDF with a text layer: one "Name: text" line each, made by hand."""
    lines = [f"{t.speaker}: {t.text}" for t in turns]
    ops = "BT /F1 11 Tf 14 TL 40 800 Td " + " ".join(
        f"({line}) Tj T*" for line in lines) + " ET"
    stream = zlib.compress(ops.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(bytes(out))


_TEXTS: dict[str, tuple[str, Callable[[Sequence[SampleTurn]], str]]] = {
    "srt": (".srt", srt_text),
    "vtt": (".vtt", vtt_text),
    "whisper": (".json", whisper_json),
    "utterances": (".json", utterances_json),
    "bracket": (".txt", bracket_text),
    "paren": (".txt", paren_text),
    "export": (".txt", export_text),
    "plain": (".txt", plain_text),
}
_FILES: dict[str, tuple[str, Callable[[Path, Sequence[SampleTurn]], None]]] = {
    "docx": (".docx", docx_bytes),
    "pdf": (".pdf", pdf_bytes),
}
FORMATS = tuple(_TEXTS) + tuple(_FILES)


def write_sample(folder: Path, kind: str, turns: Sequence[SampleTurn] = TURNS,
                 stem: str | None = None) -> Path:
    """Write the ``kind`` sample of ``turns`` into ``folder``; returns its path."""
    suffix, _ = _TEXTS.get(kind) or _FILES[kind]
    path = folder / f"{stem or kind}{suffix}"
    if kind in _TEXTS:
        path.write_text(_TEXTS[kind][1](turns), encoding="utf-8")
    else:
        _FILES[kind][1](path, turns)
    return path
