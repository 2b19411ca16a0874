"""An overview answer (``qa.overview``) laid out for the chat: its lines as markdown,
each ``[k]`` a link that shows ``citations[k - 1]`` in the transcript panel.

    >>> import qa
    >>> c = qa.Citation(doc_id="d", start=0, end=2, quote="Hi", speaker="A")
    >>> ans = qa.Answer("Summarize", "Overview of “D”: 1 speakers.\\nOpening: “Hi” [1]", False,
    ...                 1.0, [c], backend="overview")
    >>> from index.documents import Document
    >>> doc = Document(doc_id="d", text="Hi", path="", sha256="", title="D")
    >>> print(format_overview(ans, [doc]))
    **Overview of “D”: 1 speakers.**
    <BLANKLINE>
    **Opening:** “Hi” [\\[1\\]](#tqa-c0-0-2)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import qa
from index.documents import Document
from ui.render import anchor_id, escape_text

__all__ = ["format_overview"]

_MARK = re.compile(r"\\\[(\d+)\\\]")
_ITEM = re.compile(r"\d+\. ")


def _linked(line: str, answer: qa.Answer, index: dict[str, int]) -> str:
    def link(m: re.Match[str]) -> str:
        k = int(m[1])
        if not 1 <= k <= len(answer.citations):
            return m[0]
        c = answer.citations[k - 1]
        return f"[\\[{k}\\]](#{anchor_id(index.get(c.doc_id, 0), c.start, c.end)})"

    return _MARK.sub(link, escape_text(line))


def format_overview(answer: qa.Answer, docs: Sequence[Document]) -> str:
    """The overview as chat markdown: a bold headline per document, then its sections."""
    index = {d.doc_id: i for i, d in enumerate(docs)}
    blocks: list[str] = []
    for line in answer.text.splitlines():
        text = _linked(line, answer, index)
        if line.startswith("Overview of "):
            blocks.append(f"**{text}**")
        elif _ITEM.match(line) and blocks and _ITEM.match(blocks[-1].rsplit("\n", 1)[-1]):
            blocks[-1] += "\n" + text  # one markdown list per document's exchanges
        else:
            head, sep, rest = text.partition(":")
            blocks.append(f"**{head}:**{rest}" if sep and head in (
                "Opening", "Speakers", "Topics", "Exchanges") else text)
    return "\n\n".join(blocks)
