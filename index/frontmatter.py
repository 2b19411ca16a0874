"""A transcript's front matter: the "key: value" lines between two "---" lines at its top.

They name the document (title, speaker, date, the speakers and their roles) and
are not part of what was said: the answerable body starts after them, and the
values go to :attr:`index.documents.Document.metadata`, where routing and
speaker matching read them.

    >>> end, meta = read_front_matter("---\\ntitle: Q3 call\\ndate: 2025-10-30\\n---\\n\\nAnn: Hi.")
    >>> meta, "---\\ntitle: Q3 call\\ndate: 2025-10-30\\n---\\n\\nAnn: Hi."[end:]
    ((('title', 'Q3 call'), ('date', '2025-10-30')), 'Ann: Hi.')
    >>> read_front_matter("Ann: no front matter here.")
    (0, ())
"""

from __future__ import annotations

import re

__all__ = ["read_front_matter"]

_MAX_LINES = 60  # a longer block is not front matter but text that happens to open with ---
_FRONT = re.compile(
    rf"\A\ufeff?---[ \t]*\r?\n(?P<block>(?:[^\n]*\n){{0,{_MAX_LINES}}}?)---[ \t]*(?:\r?\n|\Z)"
)
_FIELD = re.compile(r"^(?P<key>[A-Za-z][\w -]{0,40}?)[ \t]*:[ \t]*(?P<value>.*?)\s*$")


def read_front_matter(text: str) -> tuple[int, tuple[tuple[str, str], ...]]:
    """Where the body starts after the front matter, and its (key, value) pairs (keys in
    lower case); ``(0, ())`` when the text has none. Every line of the block must be a
    field, a blank or a comment, or the block is read as text."""
    match = _FRONT.match(text)
    if not match:
        return 0, ()
    pairs: list[tuple[str, str]] = []
    for line in match.group("block").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        field = _FIELD.match(line)
        if field is None:
            return 0, ()
        pairs.append((field.group("key").strip().lower(), field.group("value").strip("\"' ")))
    end = match.end()
    while end < len(text) and text[end] in " \t\r\n":
        end += 1
    return end, tuple(pairs)
