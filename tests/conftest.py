"""Shared fixtures: the seed transcript, a fast bot (hashing embedder) and the real-model bot."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

for _name, _value in (
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("HF_HUB_OFFLINE", "1"),
    ("HF_HUB_DISABLE_TELEMETRY", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("TOKENIZERS_PARALLELISM", "false"),
):
    os.environ.setdefault(_name, _value)

import qa  # noqa: E402
from index.documents import Document, read_document  # noqa: E402
from index.embed import HashingEmbedder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_8a7bd6b9c703a622.txt"
SEED_ID = "000_8a7bd6b9c703a622"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_doc() -> Document:
    return read_document(SEED, SEED_ID)


@pytest.fixture(scope="session")
def fake_bot(tmp_path_factory: pytest.TempPathFactory) -> qa.Bot:
    """A bot over the seed with the deterministic hashing embedder: no model, fast."""
    folder = tmp_path_factory.mktemp("fake-index")
    return qa.load(SEED, index_dir=folder / "index", embedder=HashingEmbedder())


@pytest.fixture(scope="session")
def real_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[qa.Bot]:
    """A bot over the seed with the real packaged MiniLM model."""
    folder = tmp_path_factory.mktemp("real-index")
    yield qa.load(SEED, index_dir=folder / "index")
