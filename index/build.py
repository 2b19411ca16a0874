"""Build an index for a corpus, or open the one on disk when it is still fresh.

Only chunks whose text is new are embedded; vectors of unchanged chunk texts
are taken from the previous index, so editing one file re-embeds only it.

    >>> from index.embed import HashingEmbedder
    >>> docs = read_corpus("seeds")                                     # doctest: +SKIP
    >>> stored, report = open_index(docs, HashingEmbedder(), ChunkSettings(),
    ...                             Path(".qa-index/demo"))              # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.chunk import ChunkSettings, chunk_document
from index.documents import Document
from index.embed import Embedder
from index.errors import CorruptIndexError, StaleIndexError
from index.incremental import Fresh, VectorCache, assemble, kept_rows, previous_index
from index.linguistics import Linguistics
from index.nlp import pipeline_name
from index.parse import PARSER_VERSION
from index.pipeline import EmbedPipeline
from index.sentences import prepare
from index.sentvec import SentenceTable, corpus_sentences
from index.store import FORMAT_VERSION, StoredIndex, build_lock, load_index, write_index
from index.tokens import DEFAULT_ENCODING
from index.vectors import VectorSpec

__all__ = ["BuildReport", "build_index", "manifest_diff", "manifest_for", "open_index"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a build did, per source document, chunk and sentence.

    ``embedded`` counts chunk texts sent to the model, ``sentences_embedded`` the
    sentence texts; ``text_bytes`` is the size of the documents (re)processed.

        >>> print(BuildReport(added=("a",), chunks=4, embedded=4, sentences=9,
        ...                   sentences_embedded=9, text_bytes=2_000_000, seconds=2.0).summary())
        1 added, 0 updated, 0 removed, 0 unchanged; 4 chunks (4 embedded, 0 reused), 9 sentences (9 embedded) in 2.0 s: 6 texts/s, 1.00 MB/s
        >>> BuildReport(text_bytes=55_000, seconds=18.0).summary().rsplit(": ", 1)[1]
        '0 texts/s, 3.1 kB/s'
    """  # noqa: E501

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    sentences: int = 0
    sentences_embedded: int = 0
    text_bytes: int = 0
    skipped: tuple[str, ...] = ()  # "path: reason" of each file of the folder not indexed

    def summary(self) -> str:
        """One line for people: what changed, what was embedded, and how fast."""
        seconds = max(self.seconds, 1e-9)
        rate = (self.embedded + self.sentences_embedded) / seconds
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged; {self.chunks} chunks ({self.embedded} embedded, "
            f"{self.reused} reused), {self.sentences} sentences ({self.sentences_embedded} "
            f"embedded) in {self.seconds:.1f} s: {rate:.0f} texts/s, "
            f"{_per_second(self.text_bytes / seconds)}"
        )


def _per_second(size: float) -> str:
    """Bytes a second in words: ``3.1 kB/s``, ``1.20 MB/s``."""
    return f"{size / 1e6:.2f} MB/s" if size >= 1e6 else f"{size / 1e3:.1f} kB/s"


def manifest_for(
    docs: list[Document], embedder: Embedder, settings: ChunkSettings
) -> dict[str, Any]:
    """The manifest an index of ``docs`` built with these settings has."""
    return {
        "format_version": FORMAT_VERSION,
        "model": embedder.name,
        "dims": embedder.dim,
        "max_tokens": embedder.max_tokens,
        "encoding": DEFAULT_ENCODING,
        "nlp": pipeline_name(),
        "parser": PARSER_VERSION,
        "chunk_settings": settings.to_dict(),
        "sources": {d.doc_id: {"path": d.path, "sha256": d.sha256} for d in docs},
    }


def manifest_diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between a stored manifest and the one wanted, in words."""
    changes = [
        f"{key} {old.get(key)!r} → {new[key]!r}"
        for key in ("model", "dims", "encoding", "nlp", "parser", "chunk_settings")
        if old.get(key) != new[key]
    ]
    if old.get("format_version") != new["format_version"]:
        changes.insert(0, f"index format {old.get('format_version')} → {new['format_version']} "
                          "(written by another version of transcript-qa)")
    before, after = old.get("sources", {}), new["sources"]
    changes += [f"new source {d}" for d in after if d not in before]
    changes += [f"removed source {d}" for d in before if d not in after]
    changes += [
        f"changed source {d}"
        for d in after
        if d in before and before[d].get("sha256") != after[d]["sha256"]
    ]
    return changes


def _fresh_rows(
    docs: list[Document], settings: ChunkSettings, embedder: Embedder,
    cache: VectorCache, progress: bool,
) -> tuple[Fresh, int, int]:
    """Chunk, split and embed ``docs``: the rows, and chunk and sentence texts embedded.

    Sentences embed in the background while the documents are chunked (and their
    chunks' tokens counted), then the chunks follow (:mod:`index.pipeline`).
    """
    def fits(text: str) -> bool:
        return embedder.count_tokens(text) <= embedder.max_tokens

    spans = corpus_sentences(docs)
    texts = {d.doc_id: d.text for d in docs}
    with EmbedPipeline(embedder, cache, progress=progress) as pipe:
        sentence_job = pipe.submit([texts[d][s:e] for d, s, e in spans])
        chunks = [c for d in _bar(docs, progress, "chunking") for c in
                  chunk_document(d, settings, fits)]
        chunk_job = pipe.submit([c.index_text for c in chunks])
        sentence_vectors, sentence_keys, sentences_done = sentence_job.result()
        vectors, keys, chunks_done = chunk_job.result()
    table = SentenceTable(spans, sentence_vectors, sentence_keys)
    # a text that is both (a one-sentence chunk) counts as a chunk embedded, as before
    done = sentences_done | chunks_done
    chunk_keys = set(keys.tolist())
    fresh = Fresh(chunks, vectors, keys, table)
    return fresh, len(done & chunk_keys), len(done - chunk_keys)


def _bar(docs: list[Document], progress: bool, what: str) -> Iterable[Document]:
    """``docs``, with a progress bar (documents done, docs/s) when asked and worth it."""
    if not progress or len(docs) < 2:
        return docs
    from tqdm.auto import tqdm

    return tqdm(docs, desc=what, unit="doc", leave=False)


def _report(old: dict[str, Any], new: dict[str, Any], **counts: Any) -> BuildReport:
    before, after = old.get("sources", {}), new["sources"]
    return BuildReport(
        added=tuple(d for d in after if d not in before),
        updated=tuple(
            d for d in after if d in before and before[d]["sha256"] != after[d]["sha256"]
        ),
        removed=tuple(d for d in before if d not in after),
        unchanged=tuple(
            d for d in after if d in before and before[d]["sha256"] == after[d]["sha256"]
        ),
        **counts,
    )


def build_index(
    docs: list[Document],
    embedder: Embedder,
    settings: ChunkSettings,
    folder: Path,
    *,
    progress: bool = False,
    vector_spec: VectorSpec | None = None,
) -> tuple[StoredIndex, BuildReport]:
    """Chunk, embed and write ``docs`` to ``folder`` (the caller holds the build lock).

    The vector index is of ``vector_spec``'s kind, else chosen by corpus size
    (:func:`index.vectors.auto_spec`).
    """
    started = time.perf_counter()
    old_manifest = _read_manifest(folder)
    manifest = manifest_for(docs, embedder, settings)
    old = previous_index(folder, manifest) if old_manifest else None
    kept = kept_rows(docs, old, manifest)
    todo = [d for d in docs if d.doc_id not in kept.doc_ids]
    cache = (VectorCache.of(old, folder) if old_manifest else VectorCache([], [])).with_disk(
        embedder)
    # one bulk parse of the new text: the chunker and sentence table then read its cache
    prepare((d.text, t.start, t.end) for d in todo for t in d.turns)
    fresh, embedded, sentences_embedded = _fresh_rows(todo, settings, embedder, cache, progress)
    del cache
    rows = assemble(old, kept, fresh, vector_spec)
    linguistics = Linguistics.build(
        rows.sentences, {d.doc_id: d for d in docs}, old.linguistics if old else None
    )
    del old
    manifest |= {
        "n_chunks": len(rows.chunks),
        "lexical": "bm25s",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    stored = write_index(
        folder, manifest, rows.chunks, rows.vectors, rows.sentences,
        lexical=rows.lexical, chunk_keys=rows.keys, chunk_lines=rows.lines,
        linguistics=linguistics,
    )
    report = _report(
        old_manifest or {}, manifest, chunks=len(rows.chunks), embedded=embedded,
        reused=len(rows.chunks) - embedded, sentences=len(rows.sentences),
        sentences_embedded=sentences_embedded, seconds=time.perf_counter() - started,
        text_bytes=sum(len(d.text.encode("utf-8")) for d in todo),
    )
    return stored, report


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fresh(folder: Path, wanted: dict[str, Any]) -> StoredIndex | None:
    stored = _read_manifest(folder)
    if stored is None or manifest_diff(stored, wanted):
        return None
    try:
        return load_index(folder)
    except CorruptIndexError as exc:
        log.warning("%s", exc)
        return None


def open_index(
    docs: list[Document],
    embedder: Embedder,
    settings: ChunkSettings,
    folder: Path,
    *,
    build: bool = True,
    rebuild: bool = False,
    progress: bool = False,
    vector_spec: VectorSpec | None = None,
) -> tuple[StoredIndex, BuildReport | None]:
    """The index of ``docs`` at ``folder``: loaded when fresh, else (re)built.

    With ``build=False`` a missing, stale or damaged index raises instead,
    saying what changed. ``vector_spec`` forces a vector index kind on a build.
    """
    wanted = manifest_for(docs, embedder, settings)
    if not rebuild and (ready := _fresh(folder, wanted)) is not None:
        return ready, None
    if not build:
        raise _not_usable(folder, wanted)
    with build_lock(folder):
        # another process may have built it while we waited for the lock
        if not rebuild and (ready := _fresh(folder, wanted)) is not None:
            return ready, None
        return build_index(
            docs, embedder, settings, folder, progress=progress, vector_spec=vector_spec
        )


def _not_usable(folder: Path, wanted: dict[str, Any]) -> Exception:
    stored = _read_manifest(folder)
    if stored is None:
        return StaleIndexError(
            f"no index at {folder}; build it with `qa index` (or drop --no-build)"
        )
    changes = manifest_diff(stored, wanted)
    if not changes:
        return CorruptIndexError(f"the index at {folder} is damaged; rebuild it with `qa index`")
    return StaleIndexError(
        f"the index at {folder} is stale ({'; '.join(changes)}); rebuild it with `qa index`"
    )
