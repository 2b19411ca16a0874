"""Every eval corpus: its layout, its gold set valid against its transcripts, its test split
frozen, and the sotu transcripts exactly what the sotu package gives (no model needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eval.corpus import EvalCorpus, all_corpora, corpus_names, get_corpus, split_digest
from eval.gold import ABSTAIN_TYPES, GOLD_TYPES, SPLITS, GoldItem, load_gold, locate_evidence
from eval.gold import validate_gold as validate
from eval.make_sotu import sotu_transcript, write_sotu
from index.errors import InvalidInputError

NAMES = ["seed", "sotu", "talk"]
# The test splits are measurements: a change to one must be deliberate (and change this).
FROZEN_TEST = {
    "seed": (72, "fedd6a1db34109d6bcb3aca9c2b9aab4d155ffb8ba55ba5d73a4126198538937"),
    "sotu": (62, "febfdc6c00e3925d9004920b3e4af27f8c701ffdf73f480572db7e8b0cdf3634"),
    "talk": (50, "1ffe116f37017df22b9da81838ff97148dcc5f674e9a96e4129fc8b12754ec27"),
}
MIN_ITEMS = {"seed": 300, "sotu": 120, "talk": 90}


@pytest.fixture(scope="module", params=NAMES)
def corpus(request: pytest.FixtureRequest) -> EvalCorpus:
    return get_corpus(request.param)


@pytest.fixture(scope="module")
def texts(corpus: EvalCorpus) -> dict[str, str]:
    return corpus.texts()


@pytest.fixture(scope="module")
def gold(corpus: EvalCorpus) -> list[GoldItem]:
    return load_gold(corpus.gold)


def test_the_corpora_are_seed_sotu_and_talk() -> None:
    assert corpus_names() == NAMES
    assert [c.name for c in all_corpora()] == NAMES
    with pytest.raises(InvalidInputError, match="unknown eval corpus 'nope'; known: seed"):
        get_corpus("nope")


def test_gold_is_valid_against_its_transcripts(
    gold: list[GoldItem], texts: dict[str, str], corpus: EvalCorpus
) -> None:
    assert len(gold) >= MIN_ITEMS[corpus.name]
    assert validate(gold, texts) == []


def test_test_split_is_frozen(gold: list[GoldItem], corpus: EvalCorpus) -> None:
    size, digest = FROZEN_TEST[corpus.name]
    assert sum(i.split == "test" for i in gold) == size
    assert split_digest(gold, "test") == digest


def test_every_type_is_in_both_splits(gold: list[GoldItem]) -> None:
    for typ in GOLD_TYPES:
        for split in SPLITS:
            assert any(i.type == typ and i.split == split for i in gold), (typ, split)


def test_each_evidence_string_occurs_exactly_once(
    gold: list[GoldItem], texts: dict[str, str]
) -> None:
    for item in gold:
        for ev in item.evidence:
            assert sum(t.count(ev) for t in texts.values()) == 1, (item.id, ev)


def test_evidence_lies_in_its_document_and_after_any_header(
    gold: list[GoldItem], texts: dict[str, str]
) -> None:
    several = len(texts) > 1
    for item in gold:
        if several and item.answerable:
            assert item.doc in texts, item.id  # each question says which address it is about
        spans = locate_evidence(item, texts)
        if item.doc and item.evidence and item.type != "multi_hop":
            assert {d for d, _, _ in spans} == {item.doc}, item.id
        for doc_id, start, _ in spans:
            assert start >= _body_start(texts[doc_id]), item.id


def _body_start(text: str) -> int:
    """Where a file's ``---`` front-matter header ends (0 without one)."""
    if not text.startswith("---\n"):
        return 0
    return text.index("\n---\n", 3) + 5


def test_questions_do_not_copy_the_transcripts(
    gold: list[GoldItem], texts: dict[str, str]
) -> None:
    """A user paraphrases; an 8-word run copied from the text would make retrieval too easy."""
    eights: set[tuple[str, ...]] = set()
    for text in texts.values():
        words = text.lower().replace("’", "'").split()
        eights.update(tuple(words[i : i + 8]) for i in range(len(words) - 7))
    for item in gold:
        q = item.question.lower().replace("’", "'").split()
        assert not any(tuple(q[i : i + 8]) in eights for i in range(len(q) - 7)), item.id


def test_no_test_question_is_a_dev_question(gold: list[GoldItem]) -> None:
    """The test split is blind to tuning: none of its questions is asked again in dev."""

    def words(question: str) -> str:
        return " ".join(re.findall(r"\w+", question.lower()))

    dev = {words(i.question) for i in gold if i.split == "dev"}
    assert [i.id for i in gold if i.split == "test" and words(i.question) in dev] == []


def test_fields_fit_the_type(gold: list[GoldItem]) -> None:
    for item in gold:
        assert item.answerable == (item.type not in ABSTAIN_TYPES), item.id
        assert bool(item.answers) == item.answerable == bool(item.evidence), item.id
        assert item.question.strip() and all(a.strip() for a in item.answers), item.id


def test_sotu_transcripts_are_the_package_texts_with_a_header(tmp_path: Path) -> None:
    import sotu

    corpus = get_corpus("sotu")
    fileids = list(corpus.extra["sotu"])
    assert sorted(p.stem for p in corpus.transcripts.glob("*.txt")) == sorted(fileids)
    for path in write_sotu(fileids, tmp_path):  # what python -m eval.make_sotu writes
        shipped = (corpus.transcripts / path.name).read_bytes()
        assert path.read_bytes() == shipped, f"{path.name}: rerun python -m eval.make_sotu"
    text = sotu_transcript("1913-Wilson-1")
    assert text.startswith("---\ntitle: 1913 State of the Union Address (Woodrow Wilson)\n"
                           "speaker: Woodrow Wilson\ndate: 1913-12-02\nsource: https://")
    assert text[_body_start(text):] == "\n" + sotu.raw("1913-Wilson-1")
    with pytest.raises(KeyError, match="no address"):
        sotu_transcript("1066-Nobody-1")
