"""Build or open an index in Milvus, one document version at a time.

A build is one new generation G (see :mod:`index.milvus_meta`): the rows of
added and changed documents are inserted with ``born = G``; unchanged documents
keep their rows as they are; G's sentence table and linguistics are written
locally; then G is committed. Until that commit, readers keep seeing the previous generation whole,
so an interrupted build changes nothing they see; the next build deletes what it
left. Texts are embedded only when their content hash is not already stored.

    >>> from index.embed import HashingEmbedder
    >>> config = MilvusConfig.resolve("/tmp/qa-demo/milvus.db")          # doctest: +SKIP
    >>> stored, report = open_milvus_index(docs, HashingEmbedder(), ChunkSettings(),
    ...                                    Path("/tmp/qa-demo"), config)   # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.build import BuildReport, manifest_diff, manifest_for
from index.chunk import Chunk, ChunkSettings, chunk_document
from index.documents import Document
from index.embed import Embedder
from index.errors import StaleIndexError
from index.incremental import VectorCache
from index.linguistics import Linguistics
from index.milvus_cache import vector_cache
from index.milvus_conn import MilvusConfig, collection_name, connect, from_milvus, unavailable
from index.milvus_meta import Generation, commit, committed
from index.milvus_schema import chunk_fields, create_collections, schema_tag
from index.milvus_side import (
    drop_old_sides,
    kept_sentences,
    previous_linguistics,
    previous_table,
    write_side,
)
from index.milvus_store import open_generation, stems
from index.sentences import prepare
from index.sentvec import SentenceTable, corpus_sentences
from index.store import StoredIndex, build_lock
from index.vectors import VectorSpec, auto_spec

__all__ = ["BATCH", "open_milvus_index"]

BATCH = 512  # rows an insert call
# manifest keys that decide how a document is split: when one differs, no row is kept
_SPLIT_BY = ("format_version", "encoding", "nlp", "parser", "chunk_settings")
OnBatch = Callable[[int, int], None]  # (rows inserted so far, rows to insert)
Local = tuple[Path, dict[str, Any]] | None  # a local index folder, and the manifest wanted


def _name(config: MilvusConfig, folder: Path, dims: int) -> str:
    return config.collection or f"{collection_name(folder.name, dims)}_{schema_tag(dims)}"


def open_milvus_index(
    docs: list[Document], embedder: Embedder, settings: ChunkSettings, folder: Path,
    config: MilvusConfig, *, build: bool = True, rebuild: bool = False, progress: bool = False,
    vector_spec: VectorSpec | None = None, on_batch: OnBatch | None = None,
    local_index: Path | None = None,
) -> tuple[StoredIndex, BuildReport | None]:
    """The index of ``docs`` in Milvus: the committed generation when it is fresh, else a
    new one built. ``folder`` holds the local side (sentence tables, build lock).

    ``build=False`` opens without embedding anything, or raises saying what changed.
    A local index of the same corpus at ``local_index`` lends its vectors to a build.
    """
    client = connect(config)
    name = _name(config, folder, embedder.dim)
    wanted = manifest_for(docs, embedder, settings)
    fresh = _fresh(client, config, name, wanted, folder, rebuild)
    if fresh is not None:
        return fresh, None
    if not build:
        raise _not_usable(client, config, name, wanted)
    with build_lock(folder):
        if (fresh := _fresh(client, config, name, wanted, folder, rebuild)) is not None:
            return fresh, None
        local = (local_index, wanted) if local_index is not None else None
        return _build(client, config, name, docs, embedder, settings, folder,
                      progress=progress, rebuild=rebuild, spec=vector_spec, on_batch=on_batch,
                      local=local)


def _fresh(client: Any, config: MilvusConfig, name: str, wanted: dict[str, Any],
           folder: Path, rebuild: bool) -> StoredIndex | None:
    gen = _committed(client, config, name)
    if rebuild or gen is None or manifest_diff(gen.manifest, wanted):
        return None
    return open_generation(client, config, name, gen, folder)


def _committed(client: Any, config: MilvusConfig, name: str) -> Generation | None:
    try:
        return committed(client, name)
    except Exception as exc:
        if not from_milvus(exc):
            raise
        raise unavailable(config, exc) from exc


def _not_usable(client: Any, config: MilvusConfig, name: str,
                wanted: dict[str, Any]) -> StaleIndexError:
    gen = _committed(client, config, name)
    if gen is None:
        return StaleIndexError(f"no index in Milvus collection {name} at {config.uri}; build it "
                               "with `qa index --store milvus` (or drop --no-build)")
    changes = "; ".join(manifest_diff(gen.manifest, wanted))
    return StaleIndexError(f"the index in Milvus collection {name} at {config.uri} is stale "
                           f"({changes}); update it with `qa index --store milvus`")


def _cleanup(client: Any, name: str, prev: Generation | None) -> None:
    """Delete what no reader of ``prev`` sees: rows of builds that died, and the old rows
    of the documents ``prev`` changed (kept until now for readers of the one before)."""
    if prev is None:
        client.delete(name, filter="born >= 0")
        return
    client.delete(name, filter=f"born > {prev.number}")
    if prev.touched:
        client.delete(name, filter=f"doc_id in {json.dumps(prev.touched)} and born < {prev.number}")


def _embed(docs: Sequence[Document], settings: ChunkSettings, embedder: Embedder,
           cache: VectorCache, progress: bool) -> tuple[list[Chunk], np.ndarray, np.ndarray,
                                                        SentenceTable, int, int]:
    """Chunks, chunk vectors and sentence table of ``docs``, and how many texts of each
    kind were embedded (the rest came from ``cache``)."""
    def fits(text: str) -> bool:
        return embedder.count_tokens(text) <= embedder.max_tokens

    # one bulk parse of the new text: the chunker, sentence table and linguistics read it
    prepare((d.text, t.start, t.end) for d in docs for t in d.turns)
    chunks = [c for d in docs for c in chunk_document(d, settings, fits)]
    spans = corpus_sentences(docs)
    texts = {d.doc_id: d.text for d in docs}
    vectors, keys, todo = cache.embed(
        [c.index_text for c in chunks] + [texts[d][s:e] for d, s, e in spans], embedder,
        progress=progress,
    )
    n = len(chunks)
    chunk_keys = set(keys[:n].tolist())
    table = SentenceTable(spans, vectors[n:], keys[n:])
    embedded = len(todo & chunk_keys), len(todo - chunk_keys)
    return chunks, vectors[:n], keys[:n], table, *embedded


def _rows(chunks: Sequence[Chunk], vectors: np.ndarray, keys: np.ndarray,
          number: int) -> list[dict[str, Any]]:
    """The Milvus rows of ``chunks``; keys unique across builds (a millisecond clock)."""
    base = (time.time_ns() // 1_000_000) << 22
    names = [f.name for f in chunk_fields()]
    terms = stems([c.index_text for c in chunks])
    seq: dict[str, int] = {}
    rows = []
    for i, (c, v, key) in enumerate(zip(chunks, vectors, keys.tolist(), strict=True)):
        seq[c.doc_id] = seq.get(c.doc_id, -1) + 1
        row = {n: getattr(c, n) for n in names}
        rows.append(row | {"pk": base + i, "born": number, "seq": seq[c.doc_id],
                           "key": key.decode(), "terms": terms[i], "vector": v})
    return rows


def _insert(client: Any, name: str, rows: list[dict[str, Any]], on_batch: OnBatch | None,
            progress: bool) -> None:
    bar = None
    if progress and len(rows) > BATCH:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(rows), desc="writing to Milvus", unit="row", leave=False)
    for at in range(0, len(rows), BATCH):
        client.insert(name, rows[at : at + BATCH])
        done = min(at + BATCH, len(rows))
        if bar is not None:
            bar.update(done - at)
        if on_batch is not None:
            on_batch(done, len(rows))
    if bar is not None:
        bar.close()
    client.flush(name)







def _build(client: Any, config: MilvusConfig, name: str, docs: list[Document],
           embedder: Embedder, settings: ChunkSettings, folder: Path, *, progress: bool,
           rebuild: bool, spec: VectorSpec | None, on_batch: OnBatch | None,
           local: Local = None) -> tuple[StoredIndex, BuildReport]:
    started = time.perf_counter()
    try:
        prev = committed(client, name)
        manifest, report_args = _write_generation(
            client, name, prev, docs, embedder, settings, folder,
            progress=progress, rebuild=rebuild, spec=spec, on_batch=on_batch, local=local)
    except Exception as exc:
        if not from_milvus(exc):
            raise
        raise unavailable(config, exc) from exc
    gen = committed(client, name)
    assert gen is not None and gen.manifest["built_at"] == manifest["built_at"]
    stored = open_generation(client, config, name, gen, folder)
    before = prev.manifest.get("sources", {}) if prev else {}
    after = manifest["sources"]
    report = BuildReport(
        added=tuple(d for d in after if d not in before),
        updated=tuple(d for d in after if d in before and d in report_args["todo"]),
        removed=tuple(d for d in before if d not in after),
        unchanged=tuple(d for d in after if d in before and d not in report_args["todo"]),
        chunks=len(stored.chunks), embedded=report_args["embedded"],
        reused=len(stored.chunks) - report_args["embedded"], sentences=len(stored.sentences),
        sentences_embedded=report_args["sentences_embedded"],
        seconds=time.perf_counter() - started, text_bytes=report_args["text_bytes"],
    )
    return stored, report


def _unchanged(docs: Sequence[Document], prev: Generation | None, old: SentenceTable | None,
               rebuild: bool, wanted: dict[str, Any]) -> set[str]:
    """Documents whose rows stay. Without the previous sentence table (built on another
    machine) every document is written anew: chunk vectors come back from Milvus, and
    sentences are embedded again. Another format, sentence parser or chunking re-splits
    every document (its vectors still come back by content hash)."""
    if rebuild or old is None or prev is None:
        return set()
    if any(prev.manifest.get(k) != wanted[k] for k in _SPLIT_BY):
        return set()
    before = prev.manifest["sources"]
    return {d.doc_id for d in docs if before.get(d.doc_id, {}).get("sha256") == d.sha256}


def _write_generation(
    client: Any, name: str, prev: Generation | None, docs: list[Document], embedder: Embedder,
    settings: ChunkSettings, folder: Path, *, progress: bool, rebuild: bool,
    spec: VectorSpec | None, on_batch: OnBatch | None, local: Local = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Insert the new rows, write the sentence table, commit: the manifest and counts."""
    number = (prev.number if prev else 0) + 1
    before = prev.manifest["sources"] if prev else {}
    wanted = manifest_for(docs, embedder, settings)
    # another model's vectors (same width or not) are never kept nor reused
    ours = prev if prev and all(prev.manifest.get(k) == wanted[k] for k in ("model", "dims")) \
        else None
    old = previous_table(folder, ours)
    same = _unchanged(docs, ours, old, rebuild, wanted)
    todo = [d for d in docs if d.doc_id not in same]
    kind = VectorSpec.from_manifest(prev.manifest["vector_index"]) if prev else None
    kind = kind or spec or auto_spec(sum(len(d.text) for d in docs) // 400)
    create_collections(client, name, embedder.dim, kind.to_dict())
    _cleanup(client, name, prev)
    cache = vector_cache(client, name, ours, todo, old, local)
    chunks, vectors, keys, table, embedded, sentences_embedded = _embed(
        todo, settings, embedder, cache, progress)
    _insert(client, name, _rows(chunks, vectors, keys, number), on_batch, progress)
    kept = kept_sentences(old, same)
    table = kept.extend(table) if kept is not None else table
    linguistics = Linguistics.build(table, {d.doc_id: d for d in docs},
                                    previous_linguistics(folder, prev))
    write_side(folder, number, table, linguistics)
    counts = dict(prev.manifest.get("doc_chunks", {})) if prev else {}
    counts = {d.doc_id: counts.get(d.doc_id, 0) for d in docs if d.doc_id in same}
    for c in chunks:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    manifest = wanted | {
        "store": "milvus", "lexical": "milvus-bm25", "vector_index": kind.to_dict(),
        "n_chunks": sum(counts.values()), "doc_chunks": counts,
        "built_at": datetime.now(UTC).isoformat(timespec="microseconds")}
    touched = tuple(d for d in before if d not in same)
    commit(client, name, Generation(number, manifest, touched))
    drop_old_sides(folder, number)
    return manifest, {"todo": {d.doc_id for d in todo}, "embedded": embedded,
                      "sentences_embedded": sentences_embedded,
                      "text_bytes": sum(len(d.text.encode("utf-8")) for d in todo)}
