"""Choosing the embedder backend: the argument, then $QA_EMBED_BACKEND, then auto; every
command that loads a bot (ask, index, docs, serve) passes ``--embed-backend`` through."""

from __future__ import annotations

import pytest

import qa
from index.embed import SentenceTransformerEmbedder, make_embedder
from index.onnx_embed import OnnxEmbedder
from qa.cli import main


def test_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QA_EMBED_BACKEND", raising=False)
    assert isinstance(make_embedder("torch"), SentenceTransformerEmbedder)
    assert isinstance(make_embedder(" ONNX "), OnnxEmbedder)
    assert isinstance(make_embedder(), OnnxEmbedder)  # auto, onnxruntime installed
    assert make_embedder().precision == "int8"
    assert make_embedder("onnx-fp32").precision == "fp32"
    monkeypatch.setenv("QA_EMBED_BACKEND", "torch")
    assert make_embedder().backend == "torch"
    assert make_embedder("onnx").backend == "onnx"  # the argument beats the environment
    monkeypatch.setenv("QA_EMBED_BACKEND", "tensorflow")
    with pytest.raises(qa.InvalidInputError, match="auto, onnx, onnx-fp32, torch"):
        make_embedder()
    monkeypatch.setenv("QA_EMBED_BACKEND", "auto")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)  # no onnxruntime
    assert isinstance(make_embedder(), SentenceTransformerEmbedder)


def _record_backends(monkeypatch: pytest.MonkeyPatch, target: str, bot: qa.Bot) -> list[object]:
    """Replace the ``qa.load`` at ``target``; the list fills with each call's backend."""
    seen: list[object] = []

    def fake_load(*args: object, **kwargs: object) -> qa.Bot:
        seen.append(kwargs.get("embed_backend"))
        return bot

    monkeypatch.setattr(target, fake_load)
    return seen


def test_cli_passes_the_backend(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_bot: qa.Bot
) -> None:
    seen = _record_backends(monkeypatch, "qa.cli.load", fake_bot)
    assert main(["ask", "Arctic?", "--embed-backend", "torch"]) == 0
    assert main(["index", "--embed-backend", "onnx"]) == 0
    assert main(["ask", "Arctic?"]) == 0
    assert seen == ["torch", "onnx", None]
    with pytest.raises(SystemExit) as exit_info:
        main(["ask", "Arctic?", "--embed-backend", "jax"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_serve_passes_the_backend(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_bot: qa.Bot
) -> None:
    seen = _record_backends(monkeypatch, "qa.load", fake_bot)
    monkeypatch.setattr("ui.app.launch", lambda app, **kwargs: app)  # no real server
    assert main(["serve", "--embed-backend", "torch"]) == 0
    assert main(["serve"]) == 0  # left to $QA_EMBED_BACKEND, then auto
    assert seen == ["torch", None]
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--embed-backend", "jax"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
