"""The Milvus collections of one index: chunk rows, and the committed generations.

The chunk collection has one row per chunk of each document version: every
field of :class:`index.chunk.Chunk` (so offsets, speaker, turn, and times when
chunks carry them), the chunk's content key, its dense vector, and ``terms``,
the chunk's stemmed words, from which Milvus's BM25 function makes the sparse
``bm25`` field (full-text search in the engine, with the local index's own
stemming, so both rank the same words). ``born`` is the generation that wrote
the row. The meta collection holds each committed generation's manifest, in
parts, then a commit row: a generation without its commit row never happened.

    >>> [f.name for f in chunk_fields()][:3]
    ['chunk_id', 'doc_id', 'start']
    >>> schema_tag(384) == schema_tag(384)
    True
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from index.chunk import Chunk

__all__ = [
    "BM25_PARAMS", "META_SUFFIX", "ROW_FIELDS", "chunk_fields", "create_collections",
    "ensure_loaded", "schema_tag",
]

META_SUFFIX = "__meta"
ROW_FIELDS = ("pk", "born", "seq", "key")
# bm25s's defaults (method "lucene"), so engine and local BM25 score alike
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}
_VARCHAR = 65535
# the stems are already stop-worded; a word that no lower-cased stem can be turns the
# analyzer's own English stop list off
_ANALYZER = {"tokenizer": "standard", "filter": [{"type": "stop", "stop_words": ["QA_NONE"]}]}
_TYPES = {"str": "VARCHAR", "int": "INT64", "float": "DOUBLE", "bool": "BOOL"}


def chunk_fields() -> list[dataclasses.Field[Any]]:
    """The fields of :class:`Chunk`, each stored as a column of its own."""
    return list(dataclasses.fields(Chunk))


def _column(field: dataclasses.Field[Any]) -> tuple[str, bool]:
    """The Milvus type name of a chunk field and whether it may be null."""
    kind = str(field.type).replace(" ", "")
    nullable = kind.endswith("|None")
    base = kind.removesuffix("|None")
    if base not in _TYPES:
        raise TypeError(f"Chunk.{field.name}: type {field.type} has no Milvus column")
    return _TYPES[base], nullable


def schema_tag(dims: int) -> str:
    """A short hash of the chunk schema: a new Chunk field makes a new collection."""
    columns = [(f.name, *_column(f)) for f in chunk_fields()]
    text = json.dumps([columns, dims, BM25_PARAMS, _ANALYZER])
    return hashlib.sha1(text.encode()).hexdigest()[:6]


def _chunk_schema(dims: int) -> Any:
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("born", DataType.INT64)
    schema.add_field("seq", DataType.INT64)
    schema.add_field("key", DataType.VARCHAR, max_length=64)
    for field in chunk_fields():
        kind, nullable = _column(field)
        extra = {"max_length": _VARCHAR} if kind == "VARCHAR" else {}
        schema.add_field(field.name, getattr(DataType, kind), nullable=nullable, **extra)
    schema.add_field("terms", DataType.VARCHAR, max_length=_VARCHAR, enable_analyzer=True,
                     analyzer_params=_ANALYZER)
    schema.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dims)
    schema.add_function(Function(name="terms_bm25", function_type=FunctionType.BM25,
                                 input_field_names=["terms"], output_field_names=["bm25"]))
    return schema


def _meta_schema() -> Any:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("gen", DataType.INT64)
    schema.add_field("kind", DataType.VARCHAR, max_length=16)
    schema.add_field("body", DataType.VARCHAR, max_length=_VARCHAR)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field
    return schema


def _index_params(client: Any, vector_index: dict[str, Any]) -> Any:
    params = client.prepare_index_params()
    kind = vector_index.get("kind", "flat")
    if kind == "hnsw":
        graph = {"M": vector_index.get("m", 32),
                 "efConstruction": vector_index.get("ef_construction", 80)}
        params.add_index("vector", index_type="HNSW", metric_type="IP", params=graph)
    else:
        params.add_index("vector", index_type="FLAT", metric_type="IP")
    params.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params=dict(BM25_PARAMS))
    return params


def create_collections(
    client: Any, name: str, dims: int, vector_index: dict[str, Any]
) -> None:
    """Create (when missing) and load the chunk and meta collections of ``name``."""
    if not client.has_collection(name):
        client.create_collection(name, schema=_chunk_schema(dims),
                                 index_params=_index_params(client, vector_index),
                                 consistency_level="Strong")
    meta = name + META_SUFFIX
    if not client.has_collection(meta):
        params = client.prepare_index_params()
        params.add_index("v", index_type="FLAT", metric_type="L2")
        client.create_collection(meta, schema=_meta_schema(), index_params=params,
                                 consistency_level="Strong")
    client.load_collection(name)
    client.load_collection(meta)


def ensure_loaded(client: Any, name: str) -> None:
    """Load collection ``name`` unless it is loaded already.

    A collection is searchable only once loaded, and Milvus Lite forgets that when its
    process ends: a later process opening the same file finds it released.
    """
    state = client.get_load_state(name).get("state")
    if getattr(state, "name", str(state)) != "Loaded":
        client.load_collection(name)
