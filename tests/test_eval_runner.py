"""The eval runner, its scoring rules, report files and plots, on the fast hashing-embedder bot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import eval as ev
import qa
from eval.gold import GoldItem, load_gold
from eval.report import worst_misses, write_report
from eval.results import Report
from eval.runner import config_names, run_configs
from eval.scoring import score_item, speaker_matches
from eval.summary import TARGETS
from index.embed import HashingEmbedder

ROOT = Path(__file__).resolve().parents[1]
TINY_IDS = ("q002", "q085", "q114", "q107", "q129", "q135")


@pytest.fixture(scope="module")
def tiny_gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six real gold lines: factoid, why, speaker, multi_hop and two to decline."""
    items = {i.id: i for i in load_gold()}
    path = tmp_path_factory.mktemp("gold") / "tiny.jsonl"
    lines = [json.dumps(items[i].to_dict(), ensure_ascii=False) for i in TINY_IDS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_report(fake_bot: qa.Bot, tiny_gold: Path) -> Report:
    return ev.run(fake_bot, tiny_gold, progress=False)


def _numbers(report: Report) -> dict[str, Any]:
    """Everything but the timings."""
    data = report.to_dict()
    data["summary"] = {k: v for k, v in data["summary"].items() if "latency" not in k}
    data["per_type"] = {
        t: {k: v for k, v in m.items() if "latency" not in k} for t, m in data["per_type"].items()
    }
    for item in data["items"]:
        item.pop("latency_ms")
    return data


def test_run_returns_every_metric(tiny_report: Report) -> None:
    s = tiny_report.summary
    assert s["n"] == 6 and s["n_answerable"] == 4 and s["n_with_evidence"] == 4
    for k in (1, 3, 5, 10):
        for name in ("full", "recall", "context", "ndcg"):
            assert s[f"{name}@{k}"] is not None, f"{name}@{k}"
    assert 0 < s["context@1"] < s["context@5"] < s["context@10"]  # type: ignore[operator]
    for key in ("mrr", "right", "exact_match", "token_f1", "right_cited", "verbatim",
                "abstain_rate", "false_abstain_rate", "ece", "latency_p50_ms", "latency_p95_ms"):
        assert key in s, key
    assert s["verbatim"] in (1.0, None)  # quotes are checked against the source
    assert list(tiny_report.per_type) == ["factoid", "why", "multi_hop", "speaker",
                                          "unanswerable"]
    assert [t.metric for t in tiny_report.targets] == [t.metric for t in TARGETS]
    assert len(tiny_report.reliability) == 10
    assert sum(b["count"] for b in tiny_report.reliability) == 6
    item = tiny_report.items[0]
    assert item.id == "q002" and item.latency_ms > 0 and set(item.retrieval) >= {"rr", "full@5"}
    decline = [i for i in tiny_report.items if not i.answerable]
    assert all(i.retrieval == {} and i.token_f1 is None and not i.right for i in decline)


def test_two_runs_give_the_same_numbers(fake_bot: qa.Bot, tiny_report: Report,
                                        tiny_gold: Path) -> None:
    again = ev.run(fake_bot, tiny_gold, progress=False)
    assert _numbers(again) == _numbers(tiny_report)


def test_real_gold_file_all_types(fake_bot: qa.Bot) -> None:
    report = ev.run(fake_bot, ev.DEFAULT_GOLD, ks=(5, 1), progress=False)
    assert report.ks == (1, 5) and report.summary["n"] == 326
    assert set(report.per_type) == set(ev.GOLD_TYPES)
    assert report.summary["abstain_rate"] is not None
    assert report.per_type["unanswerable"]["right"] is None
    assert all(t.value is not None for t in report.targets if "@10" not in t.metric)


def _cite(start: int, end: int, text: str, **kw: Any) -> qa.Citation:
    fields = {"speaker": "Sergey Lavrov", "role": "answer", **kw}
    return qa.Citation(doc_id="d", start=start, end=end, quote=text[start:end], **fields)


def test_right_rule_by_type() -> None:
    text = "Deputy: Why? Sergey Lavrov: Because the ships were late. Also tea."
    texts = {"d": text}
    reason = "Because the ships were late."
    at = text.index(reason)
    why = GoldItem("w", "Why?", ("late ships",), (reason,), True, "why", "test")
    ans = qa.Answer("Why?", reason, False, 0.7, [_cite(at, at + len(reason), text)])
    assert score_item(why, [], ans, 1.0, texts, (1,)).right_by == "cited_reason"
    tea = text.index("Also tea.")
    off = qa.Answer("Why?", "Also tea.", False, 0.7, [_cite(tea, tea + 9, text)])
    assert not score_item(why, [], off, 1.0, texts, (1,)).right
    who = GoldItem("s", "Who asked?", ("a deputy",), ("Why?",), True, "speaker", "test")
    asked = qa.Answer("Who?", "“Why?”", False, 0.6,
                      [_cite(8, 12, text, speaker="Deputy", role="question")])
    assert score_item(who, [], asked, 1.0, texts, (1,)).right_by == "speaker"
    lavrov = GoldItem("l", "Who?", ("Lavrov",), (reason,), True, "speaker", "test")
    assert score_item(lavrov, [], asked, 1.0, texts, (1,)).right_by == ""
    said = qa.Answer("Who?", "Sergey Lavrov said this", False, 0.6,
                     [_cite(at, at + len(reason), text)])
    assert score_item(lavrov, [], said, 1.0, texts, (1,)).right_by == "contains"
    # the right name over the wrong quote names neither the statement nor its exchange
    elsewhere = qa.Answer("Who?", "Sergey Lavrov said this", False, 0.6,
                          [_cite(tea, tea + 9, text)])
    assert not score_item(lavrov, [], elsewhere, 1.0, texts, (1,)).right
    abstain = qa.Answer("Why?", "Because the ships were late.", True, 0.2, [])
    assert not score_item(why, [], abstain, 1.0, texts, (1,)).right


def test_speaker_matching() -> None:
    lavrov = _cite(0, 1, "x")
    assert speaker_matches(lavrov, ["Lavrov"]) and speaker_matches(lavrov, ["Sergey Lavrov"])
    assert not speaker_matches(lavrov, ["a deputy", "the questioner"])


def test_gold_that_does_not_fit_the_corpus(fake_bot: qa.Bot, tmp_path: Path) -> None:
    item = GoldItem("x1", "What?", ("a",), ("words found nowhere at all",), True, "factoid", "dev")
    with pytest.raises(qa.InvalidInputError, match="x1: evidence not found"):
        ev.run(fake_bot, [item], progress=False)
    with pytest.raises(qa.InvalidInputError, match="no items"):
        ev.run(fake_bot, [], progress=False)
    with pytest.raises(qa.InvalidInputError, match="whole numbers"):
        ev.run(fake_bot, ev.DEFAULT_GOLD, ks=(0, 5), progress=False)


def test_report_files(tiny_report: Report, tmp_path: Path) -> None:
    paths = write_report([tiny_report], tmp_path / "out", meta={"split": "all"})
    names = [p.name for p in paths]
    assert names == ["report.json", "report.md", "recall_at_k.png", "per_type.png",
                     "confidence.png", "calibration.png"]
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert data["configs"][0]["summary"]["n"] == 6 and len(data["configs"][0]["items"]) == 6
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    for heading in ("## Targets", "## Summary", "## Per question type", "## Worst misses"):
        assert heading in md
    assert "| full evidence recall@5 |" in md and ("✅" in md or "❌" in md)
    assert "| why |" in md and "![recall@k](recall_at_k.png)" in md
    for png in paths[2:]:
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(head[16:20], "big") > 300


def test_worst_misses_are_misses(tiny_report: Report) -> None:
    for item in worst_misses(tiny_report):
        assert (item.answerable and not item.right) or (not item.answerable and not item.abstained)


def test_compare_runs_every_config_with_the_baseline(tiny_gold: Path, tmp_path: Path) -> None:
    names = config_names(["default", "lexical"])
    assert names == ["hybrid", "lexical", "tutorial"]
    reports = run_configs(names, tiny_gold, corpus=ROOT / "seeds", index_root=tmp_path,
                          embedder=HashingEmbedder(), ks=(1, 5), progress=False)
    assert [r.name for r in reports] == names
    assert reports[1].settings["retriever"] == "lexical"
    tutorial = reports[2]
    assert tutorial.settings["chunk_chunker"] == "chars" and tutorial.settings["top_k"] == 4
    assert tutorial.summary["context@5"] > 2 * reports[0].summary["context@5"]  # type: ignore[operator]
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == {"chars-1000-200", "default"}
    with pytest.raises(qa.InvalidInputError, match="unknown configuration"):
        config_names(["bm99"])


def test_eval_package_import_is_cheap() -> None:
    code = ("import sys, eval; heavy = [m for m in ('qa.api', 'matplotlib', 'torch', 'tqdm') "
            "if m in sys.modules]; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


def test_never_abstain_row_answers_every_question(tiny_gold: Path, tmp_path: Path) -> None:
    (default, never) = run_configs(["hybrid", "never-abstain"], tiny_gold, corpus=ROOT / "seeds",
                                   index_root=tmp_path, embedder=HashingEmbedder(), ks=(1, 5),
                                   progress=False)
    assert not any(i.abstained for i in never.items)
    assert never.summary["abstain_rate"] == 0.0
    # same index and retrieval: only the answering differs
    assert never.summary["full@5"] == default.summary["full@5"]
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == {"default"}
