"""Named configurations of :func:`qa.load` (``qa eval --compare``, experiments) and the
checking of its options."""

from __future__ import annotations

from typing import Any

from index.chunk import ChunkSettings
from index.errors import InvalidInputError
from qa.answer import AnswerSettings

__all__ = ["PRESETS", "chunk_settings", "options_of"]

PRESETS: dict[str, dict[str, Any]] = {
    "hybrid": {},
    "dense": {"retriever": "dense"},
    "lexical": {"retriever": "lexical"},
    "rrf": {"retriever": "rrf"},
    # hybrid without ordering its passages by their best answer sentence
    "rerank": {"retriever": "rerank"},
    # the default that always answers: what abstention costs and saves
    "never-abstain": {"answer_settings": AnswerSettings(threshold=0.0)},
    # the default quoting only its main sentence and neighbour: what extra quotes bring
    "one-quote": {"answer_settings": AnswerSettings(max_quotes=1)},
    "tutorial": {
        "chunker": "chars",
        "chunk_size": 1000,
        "chunk_overlap": 200,
        "retriever": "dense",
        "top_k": 4,
    },
}
_OPTIONS = frozenset(
    {"chunker", "chunk_size", "chunk_overlap", "retriever", "top_k", "answer_settings"}
)


def options_of(preset: str | None, options: dict[str, Any]) -> dict[str, Any]:
    """The preset's options overridden by the explicit ones, checked."""
    if preset is not None and preset not in PRESETS:
        raise InvalidInputError(f"unknown preset {preset!r}; use one of {sorted(PRESETS)}")
    opts = {**PRESETS.get(preset or "hybrid", {}), **options}
    if unknown := set(opts) - _OPTIONS:
        raise InvalidInputError(f"unknown option(s) {sorted(unknown)}; use {sorted(_OPTIONS)}")
    return opts


def chunk_settings(opts: dict[str, Any]) -> ChunkSettings:
    defaults = ChunkSettings()
    return ChunkSettings(
        chunker=opts.get("chunker", defaults.chunker),
        size=opts.get("chunk_size", defaults.size),
        overlap=opts.get("chunk_overlap", defaults.overlap),
    )
