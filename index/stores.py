"""Where an index lives: the local folder (default) or Milvus, chosen by name.

``store`` is ``"local"`` (FAISS + BM25 files in the index folder) or
``"milvus"`` (a Milvus collection, embedded Milvus Lite or a server; the
sentence tables stay local, in ``<index folder>-milvus/``, and so does the Lite
file unless a URI is given); default ``$QA_STORE``, else local.

    >>> store_name(None, env={})
    'local'
    >>> store_name("milvus", env={})
    'milvus'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.build import BuildReport, open_index
from index.chunk import ChunkSettings
from index.documents import Document
from index.embed import Embedder
from index.errors import InvalidInputError
from index.store import StoredIndex

__all__ = ["STORES", "open_store", "store_name"]

Opener = Callable[..., tuple[StoredIndex, BuildReport | None]]


def _local(docs: list[Document], embedder: Embedder, settings: ChunkSettings, folder: Path,
           **options: Any) -> tuple[StoredIndex, BuildReport | None]:
    for unused in ("milvus_uri", "milvus_token"):
        options.pop(unused, None)
    return open_index(docs, embedder, settings, folder, **options)


def _milvus(docs: list[Document], embedder: Embedder, settings: ChunkSettings, folder: Path,
            *, milvus_uri: str | None = None, milvus_token: str | None = None,
            **options: Any) -> tuple[StoredIndex, BuildReport | None]:
    from index.milvus_build import open_milvus_index
    from index.milvus_conn import DEFAULT_LITE_FILE, MilvusConfig

    # a sibling of the local index folder, which a local build replaces whole
    side = folder.with_name(f"{folder.name}-milvus")
    config = MilvusConfig.resolve(milvus_uri, milvus_token, default_file=side / DEFAULT_LITE_FILE)
    # a local index of the same corpus lends its vectors: moving to Milvus embeds nothing
    return open_milvus_index(docs, embedder, settings, side, config, local_index=folder,
                             **options)


STORES: dict[str, Opener] = {"local": _local, "milvus": _milvus}


def store_name(store: str | None, *, env: dict[str, str] | None = None) -> str:
    """``store``, else ``$QA_STORE``, else ``"local"``; checked against :data:`STORES`."""
    env = dict(os.environ if env is None else env)
    name = (store or env.get("QA_STORE") or "local").strip().lower()
    if name not in STORES:
        raise InvalidInputError(f"unknown store {name!r}; use one of {sorted(STORES)}")
    return name


def open_store(store: str | None, docs: list[Document], embedder: Embedder,
               settings: ChunkSettings, folder: Path, **options: Any,
               ) -> tuple[StoredIndex, BuildReport | None]:
    """The index of ``docs`` in ``store`` (see :func:`store_name`), loaded or (re)built.

    Options are :func:`index.build.open_index`'s, and for Milvus ``milvus_uri`` and
    ``milvus_token`` (default ``$QA_MILVUS_URI``, else ``<folder>-milvus/milvus.db``: Lite).
    """
    return STORES[store_name(store)](docs, embedder, settings, folder, **options)
