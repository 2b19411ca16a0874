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
