"""Issue 14's target table from a side-by-side run: values, marks, JSON and BENCHMARKS.md."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import targets
from bench.common import Stat, write_json
from bench.targets import END, START, main, measured, target_figures, targets_markdown


def _values(right: float, lc_full: float, build_s: float) -> dict[str, float | None]:
    report = SimpleNamespace(
        summary={"right": right, "full@5": 0.96, "context@5": 2100.0, "abstain_rate": 0.92,
                 "false_abstain_rate": 0.04, "citation_precision": 0.8},
        per_type={"list": {"right": 0.8}, "speaker": {"right": 0.5}, "why": {"right": None}},
    )
    theirs = {"full@4": lc_full, "context@4": 3900.0}
    return measured(report, theirs, Stat.of([0.010, 0.014, 0.030]).scaled(1000), build_s, 2.0)


def test_values_and_marks_per_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(targets.BEFORE, "ours_s", 4.0)
    monkeypatch.setitem(targets.BEFORE, "langchain_s", 2.0)
    figs = target_figures("seed", _values(0.9, 0.93, 6.0))
    figs += target_figures("sotu", _values(0.7, 0.97, 20.0))
    by = {(f.extra["corpus"], f.extra["target"]): f for f in figs}
    assert by["seed", "right"].met is True and by["sotu", "right"].met is False
    assert by["seed", "full@5_minus_lc"].met is True and by["sotu", "full@5_minus_lc"].met is False
    assert by["seed", "ask_p50_ms"].stat.median == pytest.approx(14.0)
    assert by["seed", "right_why"].met is None  # not measured: no why questions
    assert by["seed", "build_vs_before"].stat.median == pytest.approx(1.5)  # (6/2) / (4/2)
    assert ("sotu", "build_vs_before") not in by  # the build target is the seed's alone
    table = targets_markdown(figs)
    lines = table.splitlines()
    assert lines[0] == "| target | goal | seed | sotu |"
    assert "| answer right | >= 0.850 | 0.900 ✅ | 0.700 ❌ |" in lines
    assert any(line.startswith("| answer right: why |") and "– –" in line for line in lines)
    assert "(0.960 vs 0.930)" in table and "(LangChain k=4: 3,900)" in table


def test_the_table_is_rebuilt_from_the_json_into_benchmarks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "stack.json"
    write_json(results, {"figures": target_figures("talk", _values(0.86, 0.9, 3.0))})
    bench_md = tmp_path / "BENCHMARKS.md"
    bench_md.write_text(f"# B\n\nbefore\n{START}\nold table\n{END}\nafter\n", encoding="utf-8")
    assert main([str(results), "--benchmarks", str(bench_md)]) == 0
    text = bench_md.read_text(encoding="utf-8")
    assert "old table" not in text and text.startswith("# B\n\nbefore\n")
    assert "| answer right | >= 0.850 | 0.860 ✅ |" in text and text.endswith(f"{END}\nafter\n")
    assert "| target | goal | talk |" in capsys.readouterr().out
    assert json.loads(results.read_text())["figures"][0]["extra"]["corpus"] == "talk"
    bench_md.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no <!-- stack-targets:start -->"):
        main([str(results), "--benchmarks", str(bench_md)])
