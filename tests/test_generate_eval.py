"""`qa eval --llm-url`: the model's answers scored beside the extractive ones, against the
fake OpenAI-compatible server on 127.0.0.1 (tests/fake_llm.py), on the hashing-embedder index."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_llm import Reply, evidence_of, fake_llm

from eval.cli import register
from eval.definitions import definition_of
from eval.gold import load_gold
from eval.report import render_markdown
from eval.results import Report
from eval.runner import run_splits
from eval.tables import shown_labels, summary_rows
from index.embed import HashingEmbedder

ROOT = Path(__file__).resolve().parents[1]
IDS = ("q002", "q085", "q114", "q107", "q129", "q135")
FAILING = "q002"  # the fake server answers this question with HTTP 500


def _reply(failing: str) -> Any:
    def reply(body: dict[str, Any]) -> Reply:
        if failing in body["messages"][-1]["content"]:
            return Reply(status=500)
        first = " ".join(evidence_of(body)[0]["text"].split()[:5])
        # one quote verbatim, one invented: half the quotes verified
        return Reply(f'He said "{first}" [1]. He also said "purple elephants dance" [1].')
    return reply


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Report]]:
    items = [i for i in load_gold() if i.id in IDS]
    failing = next(i.question for i in items if i.id == FAILING)
    with fake_llm() as fake:
        fake.say(_reply(failing))
        out = run_splits(["hybrid"], {"dev": items}, corpus=ROOT / "seeds",
                         index_root=tmp_path_factory.mktemp("llm-eval"),
                         embedder=HashingEmbedder(), progress=False,
                         llm={"url": fake.url, "model": "", "timeout": 10})
        yield out["dev"]


def test_each_configuration_runs_again_with_the_model_beside_it(reports: list[Report]) -> None:
    assert [r.name for r in reports] == ["hybrid", "hybrid+llm"]
    plain, model = reports
    assert "generated" not in plain.summary and all(i.generated is None for i in plain.items)
    assert [i.id for i in model.items] == [i.id for i in plain.items]
    by_id = {i.id: i for i in model.items}
    assert by_id[FAILING].generated is False  # HTTP 500: the extractive answer shown
    assert by_id[FAILING].answer == {i.id: i for i in plain.items}[FAILING].answer
    others = [i for i in model.items if i.id != FAILING]
    assert all(i.generated for i in others)
    assert all("purple elephants" not in i.answer for i in model.items)
    assert all(i.model_quotes == 2 and i.verified_quotes == 1 for i in others)
    s = model.summary
    assert s["generated"] == pytest.approx(5 / 6) and s["fallback"] == pytest.approx(1 / 6)
    assert s["model_quotes"] == 10 and s["verified_quotes"] == pytest.approx(0.5)
    assert s["verbatim"] == 1.0  # every citation shown is the transcript's exact text


def test_the_tables_show_the_model_rows_side_by_side_each_defined(
    reports: list[Report],
) -> None:
    headers, rows = summary_rows(reports)
    assert headers == ["metric", "hybrid", "hybrid+llm"]
    table = {r[0]: r[1:] for r in rows}
    assert table["model fell back to extractive"] == ["–", "0.167"]
    assert table["model quotes verified"] == ["–", "0.500"]
    assert table["quotes the model wrote"] == ["–", "10"]
    text = render_markdown(reports, {"split": "dev"})
    assert "model quotes verified" in text and "hybrid+llm" in text
    for label, key in shown_labels(reports[1]):
        assert definition_of(key), label


def test_qa_eval_takes_the_model_options() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["eval", "--llm-url", "http://127.0.0.1:8080/v1",
                              "--llm-model", "m", "--llm-timeout", "20"])
    assert (args.llm_url, args.llm_model, args.llm_timeout) == (
        "http://127.0.0.1:8080/v1", "m", 20.0)
