from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.chunk import ChunkSettings, chunk_document
from index.documents import Document
from index.embed import SentenceTransformerEmbedder
from index.errors import InvalidInputError
from index.parse import parse_document
from index.sentences import sentence_spans
from index.tokens import count_tokens, get_encoding


def check_invariants(doc: Document, size: int) -> None:
    chunks = chunk_document(doc, ChunkSettings(size=size, overlap=size // 4))
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text and c.text.strip()
        turn = doc.turns[c.turn]
        assert turn.start <= c.start < c.end <= turn.end  # never crosses a turn
        assert (c.speaker, c.role, c.exchange_id) == (turn.speaker, turn.role, turn.exchange_id)
        assert count_tokens(c.text) <= size
    covered = {i for c in chunks for i in range(c.start, c.end)}
    for turn in doc.turns:  # every non-space character of every turn is in some chunk
        assert all(i in covered for i in range(turn.start, turn.end) if not doc.text[i].isspace())


def test_seed_chunks_hold_the_invariants(seed_doc: Document) -> None:
    for size in (40, 100, 200):
        check_invariants(seed_doc, size)


def test_chunks_end_on_sentence_boundaries(seed_doc: Document) -> None:
    ends = {e for s, e in sentence_spans(seed_doc.text)}
    chunks = chunk_document(seed_doc, ChunkSettings())
    on_boundary = sum(c.end in ends for c in chunks)
    assert on_boundary == len(chunks)


def test_overlap_repeats_trailing_sentences(seed_doc: Document) -> None:
    chunks = chunk_document(seed_doc, ChunkSettings(size=100, overlap=40))
    same_turn = [(a, b) for a, b in itertools.pairwise(chunks) if a.turn == b.turn]
    assert any(b.start < a.end for a, b in same_turn)


@pytest.mark.model
def test_no_chunk_exceeds_the_model_window(seed_doc: Document) -> None:
    emb = SentenceTransformerEmbedder()

    def fits(text: str) -> bool:
        return emb.count_tokens(text) <= emb.max_tokens

    for size in (100, 400):  # 400 tiktoken tokens would overflow: the window check must split
        chunks = chunk_document(seed_doc, ChunkSettings(size=size, overlap=0), fits)
        assert max(emb.count_tokens(c.text) for c in chunks) <= emb.max_tokens == 256


def test_tutorial_char_chunker_baseline(seed_doc: Document) -> None:
    chunks = chunk_document(seed_doc, ChunkSettings(chunker="chars", size=1000, overlap=200))
    assert all(len(c.text) <= 1000 for c in chunks)
    assert all(seed_doc.text[c.start : c.end] == c.text for c in chunks)
    assert chunks[0].start == seed_doc.body_start


def test_bad_settings_say_what_to_do() -> None:
    with pytest.raises(InvalidInputError, match="unknown chunker"):
        ChunkSettings(chunker="paragraphs")
    with pytest.raises(InvalidInputError, match="overlap"):
        ChunkSettings(size=50, overlap=50)


def test_tiktoken_loads_offline() -> None:
    assert get_encoding().name == "cl100k_base"
    assert count_tokens("Sergey Lavrov") > 0


_LINE = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=120)
_LABELS = st.sampled_from(["", "Question: ", "Ann Lee: ", "Q: ", "  "])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_LABELS, _LINE), max_size=8), st.integers(min_value=8, max_value=60))
def test_invariants_hold_on_arbitrary_text(lines: list[tuple[str, str]], size: int) -> None:
    text = "\n".join(label + body for label, body in lines)
    doc = parse_document(doc_id="h", text=text, path="", sha256="")
    check_invariants(doc, size)
