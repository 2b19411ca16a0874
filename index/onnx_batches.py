"""Batches for ONNX Runtime: tokenize once, sort by token count, run on one thread per core.

A :class:`Batcher` holds one session (one intra-op thread) shared by a pool of
worker threads (:func:`index.threads.embed_workers`): each worker pads, runs and
pools whole batches, so the cores never wait on each other inside an operator,
and ONNX Runtime releases the GIL while it runs, so padding and pooling in one
worker overlap inference in the other. Texts are tokenized in one call (truncated
to the model's window), ordered longest first and cut into batches of at most
``batch_size`` texts and ``batch_tokens`` padded tokens: short sentences travel in
big batches, long passages in small ones, and almost nothing is padding.

    >>> list(token_batches([3, 9, 5, 9], batch_size=2, batch_tokens=100))
    [[1, 3], [2, 0]]
    >>> list(token_batches([40, 40, 40], batch_size=8, batch_tokens=100))
    [[0, 1], [2]]
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import ModelError
from index.onnx_export import INPUTS
from index.threads import embed_workers

__all__ = ["BATCH_TOKENS", "Batcher", "OnBatch", "session", "token_batches"]

BATCH_TOKENS = 2048  # padded tokens a batch: 16 passages of 128, or 64 sentences of 32
OnBatch = Callable[[Sequence[int], np.ndarray], None]


def token_batches(lengths: Sequence[int], *, batch_size: int,
                  batch_tokens: int) -> Iterator[list[int]]:
    """Row numbers in batches, longest first; a batch's rows × its longest ≤ ``batch_tokens``."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batch: list[int] = []
    for i in order:
        longest = lengths[batch[0]] if batch else lengths[i]
        if batch and (len(batch) >= batch_size or (len(batch) + 1) * longest > batch_tokens):
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


class Batcher:
    """One ONNX model, its tokenizers and its worker pool; returns normalised mean-pooled rows."""

    def __init__(self, sess: Any, tokenizers: tuple[Any, Any, int, int], *, digest: str,
                 workers: int, batch_size: int, batch_tokens: int = BATCH_TOKENS) -> None:
        self._session = sess
        self._tok, self._counter, self.window, self._pad = tokenizers
        self.digest, self.workers = digest, workers
        self.batch_size, self.batch_tokens = batch_size, batch_tokens
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, model_dir: Path, *, workers: int | None = None,
             batch_size: int = 64) -> Batcher:
        """The model file ``path`` with the tokenizer of ``model_dir``."""
        return cls(session(path), _tokenizers(model_dir), digest=path.parent.name,
                   workers=workers or embed_workers(), batch_size=batch_size)

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=True).ids)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Normalised float32 rows of ``texts``, in their order."""
        out = np.zeros((len(texts), self._dim()), dtype="float32")
        bar = _bar(len(texts)) if progress and texts else None

        def put(rows: Sequence[int], vectors: np.ndarray) -> None:
            out[list(rows)] = vectors
            if bar is not None:
                bar.update(len(rows))

        self.stream(texts, put)
        if bar is not None:
            bar.close()
        return out

    def stream(self, texts: Sequence[str], on_batch: OnBatch) -> None:
        """``on_batch(rows, vectors)`` for each batch as it finishes (in the calling thread).

        An exception from ``on_batch`` cancels the batches not yet started and goes on
        once the running ones (one a worker) are done.
        """
        if not texts:
            return
        ids = [e.ids for e in self._tok.encode_batch(list(texts))]
        batches = list(token_batches([len(x) for x in ids], batch_size=self.batch_size,
                                     batch_tokens=self.batch_tokens))
        if len(batches) == 1 or self.workers == 1:
            for rows in batches:
                on_batch(rows, self._run([ids[i] for i in rows]))
            return
        pool = self._executor()
        futures = [pool.submit(self._run, [ids[i] for i in rows]) for rows in batches]
        try:
            for rows, future in zip(batches, futures, strict=True):
                on_batch(rows, future.result())
        finally:
            for future in futures:
                future.cancel()
            wait(futures)

    def _dim(self) -> int:
        shape = self._session.get_outputs()[0].shape
        return int(shape[-1]) if isinstance(shape[-1], int) else 384

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="qa-embed")
            return self._pool

    def _run(self, rows: list[list[int]]) -> np.ndarray:
        """Mean-pooled, L2-normalised vectors of one batch of token ids."""
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), self._pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for k, r in enumerate(rows):
            ids[k, : len(r)] = r
            mask[k, : len(r)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype("float32")
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype("float32")

    def close(self) -> None:
        """Stop the worker threads (a later encode starts them again)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


def _bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="embedding", unit="text", leave=False)


def _tokenizers(model_dir: Path) -> tuple[Any, Any, int, int]:
    """The batch tokenizer (truncated, unpadded), the counting one (neither), window, pad id."""
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
    tok.no_padding()  # batches are padded to their own longest row
    counter.no_truncation()
    counter.no_padding()
    return tok, counter, window, tok.token_to_id("[PAD]") or 0


def session(path: Path) -> Any:
    """An ONNX Runtime session on the CPU, one thread a call, whose inputs are the model's."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: the exporter's unused-initialiser notes are noise
    # one thread a run: parallelism comes from the workers, each on whole batches, and a
    # question is answered on the thread that asks it (no hand-offs on busy cores)
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        sess = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ModelError(f"ONNX Runtime cannot load {path}: {exc}") from exc
    names = sorted(i.name for i in sess.get_inputs())
    if names != sorted(INPUTS):
        raise ModelError(f"{path} has inputs {names}, expected {sorted(INPUTS)}")
    return sess
