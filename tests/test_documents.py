"""Every passage and citation names its document (title, source); questions can be limited
to some documents from the API, the CLI and the ``/ask`` endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from test_ui_support import GRADIO_PANDAS_NOISE, running

import qa
from index.documents import read_corpus
from index.embed import HashingEmbedder
from ui.render import format_answer, unescape_text

ROOT = Path(__file__).resolve().parents[1]
OTHER = "Ann Lee: India buys oil from Russia. China buys gas from Russia.\n"
QUESTION = "What does India buy from Russia?"
SEED = "000_8a7bd6b9c703a622"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> Path:
    folder = tmp_path_factory.mktemp("docs") / "corpus"
    folder.mkdir()
    (folder / seed_path.name).write_bytes(seed_path.read_bytes())  # has a scraped "Source:"
    (folder / "trade_talk.txt").write_text(OTHER, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def bot(corpus: Path) -> qa.Bot:
    return qa.load(corpus, index_dir=corpus.parent / "index", embedder=HashingEmbedder())


def test_passages_and_citations_carry_title_and_source(bot: qa.Bot, corpus: Path) -> None:
    sources = {SEED: "mid.ru", "trade_talk": "trade_talk.txt"}
    titles = {SEED: bot.document(SEED).title, "trade_talk": "trade talk"}
    answer = bot.ask(QUESTION)
    assert answer.citations and answer.passages
    for item in [*answer.citations, *answer.passages]:
        assert (item.title, item.source) == (titles[item.doc_id], sources[item.doc_id])
    data = answer.to_dict()
    for item in [*data["citations"], *data["passages"]]:
        assert item["source"] == sources[item["doc_id"]] and item["title"]


def test_the_chat_shows_each_quote_s_document_and_source(bot: qa.Bot, corpus: Path) -> None:
    answer = bot.ask(QUESTION, doc_ids=["trade_talk"])
    reply = unescape_text(format_answer(answer, bot.documents))  # as the person reads it
    assert answer.citations and "— trade talk (source: trade_talk.txt)" in reply
    seed = unescape_text(format_answer(
        bot.ask("Which embassies will open in Africa?", doc_ids=[SEED]), bot.documents))
    assert "— Sergey Lavrov (mid.ru)" in seed and "(source: mid.ru)" not in seed  # said once


def test_api_restricts_to_documents_and_refuses_unknown_ones(bot: qa.Bot) -> None:
    for only in (["trade_talk"], [SEED]):
        answer = bot.ask(QUESTION, doc_ids=only)
        assert answer.passages and {p.doc_id for p in answer.passages} == set(only)
        assert {c.doc_id for c in answer.citations} <= set(only)
    assert {p.doc_id for p in bot.retrieve(QUESTION, k=5, doc_ids="trade_talk")} == {"trade_talk"}
    known = f"unknown document.*nope.*known: {SEED}, trade_talk"
    with pytest.raises(qa.InvalidInputError, match=known):
        bot.ask(QUESTION, doc_ids=["nope"])
    with pytest.raises(qa.InvalidInputError, match="empty"):
        bot.ask(QUESTION, doc_ids=[])


def _qa(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600, check=False)


def test_cli_docs_doc_filter_and_sources(corpus: Path, tmp_path: Path) -> None:
    env = {**os.environ, "QA_INDEX_ROOT": str(tmp_path / "root")}
    built = _qa("index", str(corpus), env=env)
    assert built.returncode == 0, built.stderr
    listed = _qa("docs", str(corpus), "--no-build", env=env)
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert rows[0] == [SEED, "Sergey Lavrov (mid.ru)", "mid.ru"]
    assert rows[1] == ["trade_talk", "trade talk", "trade_talk.txt"]
    asked = _qa("ask", QUESTION, str(corpus), "--doc", "trade_talk", "--json", "--no-build",
                env=env)
    data = json.loads(asked.stdout)
    assert data["citations"] and {c["doc_id"] for c in data["citations"]} == {"trade_talk"}
    assert {p["source"] for p in data["passages"]} == {"trade_talk.txt"}
    text = _qa("ask", QUESTION, str(corpus), "--doc", "trade_talk", "--no-build", env=env)
    assert "in “trade talk” (source: trade_talk.txt)" in text.stdout
    seed = _qa("ask", "Which embassies will open in Africa?", str(corpus), "--doc", SEED,
               "--no-build", env=env)
    assert "in “Sergey Lavrov (mid.ru)”\n" in seed.stdout  # the source is in the title: once
    wrong = _qa("ask", QUESTION, str(corpus), "--doc", "nope", "--no-build", env=env)
    assert wrong.returncode == 1 and wrong.stderr.startswith("qa: unknown document")


@pytest.fixture(scope="module")
def served(bot: qa.Bot) -> Iterator[str]:
    with running(bot) as url:
        yield url


@GRADIO_PANDAS_NOISE
def test_ask_endpoint_restricts_to_documents(served: str, bot: qa.Bot) -> None:
    client = Client(served, analytics_enabled=False, verbose=False)
    everywhere = client.predict(QUESTION, api_name="/ask")
    assert everywhere == bot.ask(QUESTION).to_dict()
    only = client.predict(QUESTION, ["trade_talk"], api_name="/ask")
    assert only == bot.ask(QUESTION, doc_ids=["trade_talk"]).to_dict()
    assert {p["doc_id"] for p in only["passages"]} == {"trade_talk"}
    assert all(c["source"].endswith("trade_talk.txt") for c in only["citations"])
    with pytest.raises(AppError, match="unknown document"):
        client.predict(QUESTION, ["nope"], api_name="/ask")


def test_origin_never_shows_the_server_path(tmp_path: Path) -> None:
    folder = tmp_path / "corpus" / "2024"
    folder.mkdir(parents=True)
    (folder / "talk.txt").write_text("Speaker: Hello there.\n", encoding="utf-8")
    (doc,) = read_corpus(tmp_path / "corpus")
    assert doc.origin == "2024/talk.txt"
    bot = qa.load(tmp_path / "corpus", index_dir=tmp_path / "ix", embedder=HashingEmbedder())
    shown = [c.source for c in bot.ask("Hello?").citations] + [
        p.source for p in bot.retrieve("Hello?")
    ]
    assert shown and all(s == "2024/talk.txt" for s in shown), shown
