"""``qa eval``: exit codes, messages and the files it writes (hashing embedder, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import index.embed
from eval.gold import load_gold
from qa.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fast_and_isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real model and no index inside the repository."""
    monkeypatch.setattr(
        index.embed, "make_embedder", lambda backend=None: index.embed.HashingEmbedder()
    )
    monkeypatch.setenv("QA_INDEX_ROOT", str(tmp_path / "indexes"))


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    items = [i for i in load_gold() if i.id in {"q002", "q114", "q129", "q085"}]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(i.to_dict()) + "\n" for i in items), encoding="utf-8")
    return path


def _eval(*args: str) -> int:
    return main(["eval", "--corpus", str(ROOT / "seeds"), "--no-progress", *args])


def test_eval_writes_the_report(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    code = _eval("--gold", str(gold), "--split", "all", "--compare", "default", "lexical",
                 "--k", "1", "5", "--out", str(out))
    assert code == 0
    printed = capsys.readouterr().out
    assert "full evidence recall@5" in printed and "tutorial (baseline)" in printed
    assert f"to {out}/" in printed
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in data["configs"]] == ["hybrid", "lexical", "tutorial"]
    assert data["meta"]["ks"] == [1, 5] and data["meta"]["split"] == "all"
    assert "| metric | hybrid | lexical | tutorial (baseline) |" in (out / "report.md").read_text(
        encoding="utf-8"
    )
    assert all((out / n).stat().st_size > 1000 for n in ("per_type.png", "calibration.png"))
    assert (tmp_path / "indexes").is_dir()


def test_no_baseline_and_type_filter(gold: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert _eval("--gold", str(gold), "--split", "all", "--no-baseline", "--types", "speaker",
                 "--out", str(out)) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in data["configs"]] == ["hybrid"]
    assert [i["id"] for i in data["configs"][0]["items"]] == ["q114"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--compare", "bm99"], "unknown configuration(s) bm99"),
        (["--k", "0"], "whole numbers from 1 to 100"),
        (["--split", "dev", "--types", "speaker"], "no questions in split 'dev'"),
    ],
)
def test_bad_options_fail_with_one_line(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    # gold has test-split speaker q114 only, so dev+speaker selects nothing
    assert _eval("--gold", str(gold), "--out", str(tmp_path / "o"), *args) == 1
    err = capsys.readouterr().err
    assert err.startswith("qa: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_invalid_gold_names_file_and_line(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(gold.read_text(encoding="utf-8").splitlines()[0] + "\n{oops\n",
                   encoding="utf-8")
    assert _eval("--gold", str(bad), "--out", str(tmp_path / "o")) == 1
    assert f"{bad}:2: invalid JSON" in capsys.readouterr().err
    assert _eval("--gold", str(tmp_path / "missing.jsonl")) == 1
    assert "cannot read the gold file" in capsys.readouterr().err


def test_gold_for_another_corpus(gold: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "other.txt"
    corpus.write_text("Question: Is this another transcript?\n\nAnswer: Yes, it is.\n",
                      encoding="utf-8")
    code = main(["eval", "--corpus", str(corpus), "--gold", str(gold), "--split", "all",
                 "--no-progress", "--no-baseline", "--out", str(tmp_path / "o")])
    assert code == 1
    assert "does not fit this corpus" in capsys.readouterr().err


def test_out_must_be_a_folder(gold: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert _eval("--gold", str(gold), "--split", "all", "--no-baseline",
                 "--out", str(blocker)) == 1
    assert "needs a folder" in capsys.readouterr().err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["eval", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert all(opt in out for opt in ("--gold", "--split", "--compare", "--out", "--no-baseline"))


def test_against_an_earlier_report_shows_what_changed(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert _eval("--gold", str(gold), "--split", "all", "--no-baseline", "--out", str(out)) == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    config = data["configs"][0]
    item = next(i for i in config["items"] if i["answerable"])
    now_right = item["right"]
    # make the earlier run say the opposite for one question, and the best or worst for its type
    item["right"] = not now_right
    config["per_type"][item["type"]]["right"] = 0.0 if now_right else 1.0
    (out / "report.json").write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    # the report it compares with is the one this run overwrites: read first
    assert _eval("--gold", str(gold), "--split", "all", "--no-baseline", "--out", str(out),
                 "--against", str(out / "report.json")) == 0
    printed = capsys.readouterr().out
    turned = "turned right" if now_right else "turned wrong"
    assert f"- {turned} (or " in printed and f"): {item['id']}" in printed
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## What changed" in md and f"): {item['id']}" in md
    fell = "types whose share fell: none" if now_right else f"fell: {item['type']}"
    assert fell in md


def test_against_a_file_that_is_no_report_fails_with_one_line(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    assert _eval("--gold", str(gold), "--split", "all", "--against", str(bad)) == 1
    assert "not a report.json written by qa eval" in capsys.readouterr().err
    missing = tmp_path / "nope.json"
    assert _eval("--gold", str(gold), "--split", "all", "--against", str(missing)) == 1
    assert "no such file" in capsys.readouterr().err


def test_against_a_thin_earlier_report_compares_what_it_has(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thin = tmp_path / "old.json"  # an older report: a summary, no types, no items
    thin.write_text(json.dumps({"configs": [{"name": "hybrid", "summary": {"right": 0.5}}]}),
                    encoding="utf-8")
    assert _eval("--gold", str(gold), "--split", "all", "--no-baseline",
                 "--out", str(tmp_path / "r"), "--against", str(thin)) == 0
    printed = capsys.readouterr().out
    assert "| answer right | 0.500 |" in printed
    assert "turned wrong (or no longer declined): none" in printed
    assert _eval("--gold", str(gold), "--split", "all", "--compare", "lexical", "--no-baseline",
                 "--out", str(tmp_path / "r"), "--against", str(thin)) == 0
    assert "has none of these configurations (it has: hybrid)" in capsys.readouterr().out
