"""The content-addressed embedding cache: a text embedded once is never embedded again.

Vectors are kept by the content hash of their text (:func:`index.sentvec.text_key`),
per embedder *variant* (its ``cache_id``: model, weights, runtime and precision, since
int8 and fp32 vectors differ), in one SQLite file a variant under
``<cache>/embeddings/`` (``$QA_CACHE_DIR``, else ``~/.cache/transcript-qa``). Every
index build looks there before it embeds, so rebuilding, renaming or moving files,
indexing the same text in another corpus, or changing chunk settings that keep the
sentences re-embeds nothing already seen. Vectors are float32, exactly as embedded:
an index built from the cache equals one built cold.

SQLite gives atomic, concurrent-safe writes (several builds at once), and a build
commits as it goes, so an interrupted build keeps what it embedded. The file is capped
(``$QA_EMBED_CACHE_MB``, default 2048: about 1.3 million 384-dim vectors); the oldest
rows go first. ``$QA_EMBED_CACHE=off`` turns the cache off. A cache that cannot be
read or written is skipped with one warning: it never fails a build.

    >>> import tempfile, numpy as np
    >>> cache = EmbeddingCache(Path(tempfile.mkdtemp()) / "v.sqlite", dim=2)
    >>> cache.put([b"k1"], np.array([[0.6, 0.8]], dtype="float32"))
    >>> cache.get([b"k1", b"k2"])[b"k1"].tolist()
    [0.6000000238418579, 0.800000011920929]
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.onnx_export import cache_dir

__all__ = ["EmbeddingCache", "cache_for"]

log = logging.getLogger(__name__)
_CHUNK = 500  # keys per SELECT (SQLite allows 999 parameters by default in old builds)
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def cache_for(embedder: Any, *, root: Path | None = None,
              env: dict[str, str] | None = None) -> EmbeddingCache | None:
    """The disk cache of ``embedder``'s vectors; ``None`` when it has no ``cache_id``
    (e.g. the hashing test embedder) or ``$QA_EMBED_CACHE`` is ``off``."""
    env = dict(os.environ if env is None else env)
    if env.get("QA_EMBED_CACHE", "").strip().lower() in ("0", "off", "no", "false"):
        return None
    try:
        variant = getattr(embedder, "cache_id", None)
    except Exception as exc:  # loading the model to name it failed: embed without a cache
        log.warning("no embedding cache (%s)", exc)
        return None
    if not variant:
        return None
    folder = (root or cache_dir()) / "embeddings"
    limit = float(env.get("QA_EMBED_CACHE_MB") or 2048)
    return EmbeddingCache(folder / f"{_SAFE.sub('_', variant)}.sqlite", dim=embedder.dim,
                          max_bytes=int(limit * 2**20))


class EmbeddingCache:
    """Vectors by content key in one SQLite file; thread-safe; failures turn it off."""

    def __init__(self, path: Path, *, dim: int, max_bytes: int = 2048 * 2**20) -> None:
        self.path, self.dim, self.max_bytes = path, dim, max_bytes
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._broken = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS v (key BLOB PRIMARY KEY, vec BLOB)")
                self._db = db
            except (OSError, sqlite3.Error) as exc:
                self._fail(exc)
        return self._db

    def _fail(self, exc: Exception) -> None:
        log.warning("embedding cache %s unusable (%s); embedding without it", self.path, exc)
        self._broken, self._db = True, None

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``keys``."""
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            if (db := self._connect()) is None:
                return found
            try:
                for at in range(0, len(keys), _CHUNK):
                    part = list(keys[at : at + _CHUNK])
                    marks = ",".join("?" * len(part))
                    rows = db.execute(f"SELECT key, vec FROM v WHERE key IN ({marks})", part)
                    for key, blob in rows:
                        vector = np.frombuffer(blob, dtype="float32")
                        if vector.shape == (self.dim,):  # another dim: not ours, ignore it
                            found[bytes(key)] = vector
            except sqlite3.Error as exc:
                self._fail(exc)
                return {}
        return found

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store ``vectors`` (row ``i`` for ``keys[i]``), committed at once."""
        rows = np.ascontiguousarray(vectors, dtype="float32").reshape(len(keys), self.dim)
        with self._lock:
            if not len(keys) or (db := self._connect()) is None:
                return
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO v (key, vec) VALUES (?, ?)",
                                   zip(keys, (r.tobytes() for r in rows), strict=True))
                self._trim(db)
            except sqlite3.Error as exc:
                self._fail(exc)

    def _trim(self, db: sqlite3.Connection) -> None:
        """Drop the oldest rows while the file is over its cap (freed pages are reused)."""
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        size = (pages - free) * db.execute("PRAGMA page_size").fetchone()[0]
        if size <= self.max_bytes:
            return
        row_bytes = 4 * self.dim + 64
        extra = int((size - self.max_bytes) / row_bytes) + 1
        with db:
            db.execute("DELETE FROM v WHERE rowid IN (SELECT rowid FROM v ORDER BY rowid "
                       "LIMIT ?)", (extra,))

    def __len__(self) -> int:
        with self._lock:
            if (db := self._connect()) is None:
                return 0
            try:
                return int(db.execute("SELECT count(*) FROM v").fetchone()[0])
            except sqlite3.Error:
                return 0

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
