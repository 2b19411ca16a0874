"""Generations of a Milvus index: what is committed, and which rows a reader may see.

A build writes its rows with ``born = G`` (its generation), then commits G by
writing G's manifest in parts and, last, one commit row. Readers take the newest
committed generation R and see, through one filter on every search and query:

- rows born at or before R (a build still running, or one that died, is unseen);
- but not the old rows of documents that R changed or removed (``touched``):
  those are kept one generation for readers still on R - 1, and deleted when the
  next build starts.

So a document is seen whole in its old version or whole in its new one, never half.

    >>> visible(3, [])
    'born <= 3'
    >>> visible(3, ["a"])
    'born <= 3 and not (doc_id in ["a"] and born < 3)'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from index.errors import CorruptIndexError
from index.milvus_schema import META_SUFFIX, ensure_loaded

__all__ = ["Generation", "commit", "committed", "visible"]

_PART = 60_000  # characters of manifest JSON a meta row holds (its VARCHAR holds 65,535 bytes)
_PARTS = 10_000  # at most this many parts a generation: meta keys are gen * _PARTS + part


@dataclass(frozen=True)
class Generation:
    """A committed generation: its number, its manifest, and the documents it touched."""

    number: int
    manifest: dict[str, Any]
    touched: tuple[str, ...] = field(default=())

    @property
    def filter(self) -> str:
        """The Milvus filter of the rows a reader of this generation sees."""
        return visible(self.number, self.touched)


def visible(number: int, touched: Sequence[str]) -> str:
    """The filter of rows visible at generation ``number`` that changed ``touched``."""
    if not touched:
        return f"born <= {number}"
    return f"born <= {number} and not (doc_id in {json.dumps(list(touched))} and born < {number})"


def committed(client: Any, name: str) -> Generation | None:
    """The newest committed generation of the index ``name`` (None before the first)."""
    meta = name + META_SUFFIX
    if not client.has_collection(meta):
        return None
    ensure_loaded(client, meta)
    commits = client.query(meta, filter='kind == "commit"', output_fields=["gen", "body"])
    if not commits:
        return None
    newest = max(commits, key=lambda r: int(r["gen"]))
    number, parts = int(newest["gen"]), int(json.loads(newest["body"])["parts"])
    rows = client.query(meta, filter=f'gen == {number} and kind == "part"',
                        output_fields=["pk", "body"])
    if len(rows) != parts:
        raise CorruptIndexError(
            f"Milvus collection {meta}: generation {number} has {len(rows)} of its {parts} "
            "manifest parts; rebuild it with `qa index --rebuild`"
        )
    body = json.loads("".join(r["body"] for r in sorted(rows, key=lambda r: int(r["pk"]))))
    return Generation(number, body["manifest"], tuple(body["touched"]))


def commit(client: Any, name: str, generation: Generation) -> None:
    """Publish ``generation``: its manifest parts first, then the commit row that makes it
    the one readers open. Commits older than the previous one are dropped after."""
    meta = name + META_SUFFIX
    number = generation.number
    text = json.dumps({"manifest": generation.manifest, "touched": list(generation.touched)})
    parts = [text[i : i + _PART] for i in range(0, len(text), _PART)] or [""]
    if len(parts) >= _PARTS:
        raise CorruptIndexError(f"the manifest of {name} is too large for Milvus ({len(text)})")
    base = number * _PARTS
    # any rows a build of this number left before it died are replaced
    client.delete(meta, filter=f"gen == {number}")
    rows = [{"pk": base + 1 + i, "gen": number, "kind": "part", "body": p, "v": [0.0, 0.0]}
            for i, p in enumerate(parts)]
    client.insert(meta, rows)
    client.insert(meta, [{"pk": base, "gen": number, "kind": "commit",
                          "body": json.dumps({"parts": len(parts)}), "v": [0.0, 0.0]}])
    client.delete(meta, filter=f"gen < {number - 1}")
