"""``qa bench --store milvus`` runs end to end, and the Milvus modules' examples run."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import pytest

from qa.cli import main


def test_quick_milvus_bench_puts_both_stores_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    code = main(["bench", "--store", "milvus", "--quick", "--repeat", "1", "--sotu-docs", "2",
                 "--out", str(out)])
    assert code == 0
    figures = {f["name"]: f for f in json.loads(out.read_text())["figures"]}
    for store in ("milvus", "local"):
        assert f"{store} sotu hybrid retrieve" in figures
        assert figures[f"2,000 vectors {store} recall@10"]["stat"]["median"] == 1.0
    extra = figures["milvus sotu build"]["extra"]
    assert extra["documents"] == 2 and extra["dense_top5_overlap"] == 1.0


@pytest.mark.parametrize("name", ["index.milvus_conn", "index.milvus_meta", "index.milvus_schema",
                                  "index.milvus_side", "index.milvus_store", "index.milvus_cache",
                                  "index.stores", "bench.milvus"])
def test_module_examples_run(name: str) -> None:
    assert doctest.testmod(importlib.import_module(name)).failed == 0


def test_an_ivf_collection_is_measured_against_exact_search() -> None:
    from bench.milvus import run_vectors

    figures = {f.name: f for f in run_vectors(3_000, kind="ivf", log=lambda _: None)}
    built = figures["3,000 vectors milvus insert + index"]
    assert built.extra["spec"]["kind"] == "ivf" and built.extra["spec"]["nprobe"] == 96
    for store in ("milvus", "local"):
        assert 0.5 <= figures[f"3,000 vectors {store} recall@10"].stat.median <= 1.0
    assert figures["3,000 vectors milvus query"].stat.n > 0
