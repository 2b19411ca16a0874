"""Span and retrieval metrics on small examples whose answers were worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fakes import Cite

from eval.gold import load_gold, locate_evidence
from eval.metrics import (
    HasSpan,
    as_span,
    citation_precision,
    context_chars,
    coverage,
    covered_chars,
    evidence_recall,
    merge_intervals,
    ndcg_at_k,
    overlaps,
    reciprocal_rank,
    verbatim_rate,
)
from eval.scoring import retrieval_scores
from qa.types import Passage

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_8a7bd6b9c703a622.txt"





# ---------------------------------------------------------------- spans


def test_merge_intervals_joins_overlapping_and_touching() -> None:
    assert merge_intervals([(10, 12), (0, 5), (3, 8), (12, 15), (20, 20)]) == [(0, 8), (10, 15)]
    assert merge_intervals([]) == []


def test_covered_chars_counts_the_union_within_the_document() -> None:
    spans = [("d", 0, 12), ("d", 15, 30), ("d", 11, 13), ("e", 10, 20)]
    # 10..13 and 15..20 of d: 3 + 5 characters
    assert covered_chars(("d", 10, 20), spans) == 8
    assert coverage(("d", 10, 20), spans) == pytest.approx(0.8)
    assert coverage(("d", 5, 5), spans) == 0.0


def test_overlaps_needs_a_shared_character_of_the_same_document() -> None:
    assert overlaps(("d", 0, 5), ("d", 4, 9))
    assert not overlaps(("d", 0, 5), ("d", 5, 9))
    assert not overlaps(("d", 0, 5), ("e", 0, 5))


def test_as_span_accepts_objects_and_rejects_bad_spans() -> None:
    assert as_span(Cite("d", 3, 7)) == ("d", 3, 7)
    assert isinstance(Cite("d", 0, 1), HasSpan)
    for bad in [("d", 5, 2), ("d", -1, 2), ("d", 0), ("d", 0.0, 2)]:
        with pytest.raises(ValueError, match="bad span"):
            as_span(bad)  # type: ignore[arg-type]


def test_metrics_accept_the_answerers_own_types() -> None:
    from qa.types import Citation

    passage = Passage(doc_id="d", start=0, end=11, text="Ann said hi", score=1.0, speaker="A")
    cite = Citation(doc_id="d", start=4, end=8, quote="said", speaker="A")
    assert evidence_recall([passage], [("d", 4, 8)], k=1).full
    assert verbatim_rate([cite], {"d": "Ann said hi"}).rate == 1.0
    assert citation_precision([cite], [passage]).precision == 1.0


# ---------------------------------------------------------------- retrieval

EV = [("d", 100, 200), ("d", 300, 350)]
GOT = [("d", 90, 150), ("d", 500, 600), ("d", 150, 185), ("d", 300, 330)]


def test_evidence_recall_at_k() -> None:
    r1 = evidence_recall(GOT, EV, k=1)
    assert (r1.recall, r1.full, r1.coverage, r1.found) == (0.0, False, (0.5, 0.0), (False, False))
    # top 3 cover 100..185 of the first span: 85 %
    r3 = evidence_recall(GOT, EV, k=3)
    assert (r3.recall, r3.coverage) == (0.5, (0.85, 0.0))
    # the 4th covers 30 of 50 characters of the second span: 60 % is not enough ...
    assert evidence_recall(GOT, EV, k=10).recall == 0.5
    # ... unless the bar is lowered
    assert evidence_recall(GOT, EV, k=4, min_coverage=0.6).full
    assert evidence_recall([("e", 100, 200)], EV, k=1).recall == 0.0


def test_evidence_recall_rejects_unusable_input() -> None:
    with pytest.raises(ValueError, match="answerable items only"):
        evidence_recall(GOT, [], k=3)
    with pytest.raises(ValueError, match="k must be at least 1"):
        evidence_recall(GOT, EV, k=0)
    with pytest.raises(ValueError, match="min_coverage"):
        evidence_recall(GOT, EV, k=1, min_coverage=1.5)
    with pytest.raises(ValueError, match="empty gold evidence span"):
        evidence_recall(GOT, [("d", 5, 5)], k=1)


def test_reciprocal_rank_is_the_cut_off_that_first_finds_evidence() -> None:
    assert reciprocal_rank(GOT, EV).rank == 3
    assert reciprocal_rank(GOT, EV).reciprocal_rank == pytest.approx(1 / 3)
    assert reciprocal_rank(GOT, EV, min_coverage=0.5).reciprocal_rank == 1.0
    missed = reciprocal_rank([("d", 0, 10)], EV)
    assert (missed.reciprocal_rank, missed.rank) == (0.0, None)


def test_ndcg_graded_by_newly_covered_evidence() -> None:
    ev = [("d", 0, 100), ("d", 200, 250)]  # each span is worth 1/2, whatever its length
    got = [("d", 200, 250), ("d", 500, 600), ("d", 0, 100)]
    r = ndcg_at_k(got, ev, k=3)
    assert r.gains == pytest.approx((0.5, 0.0, 0.5))
    dcg = 0.5 + 0.5 / 2  # log2(2) = 1, log2(4) = 2
    idcg = 0.5 + 0.5 / math.log2(3)  # both spans at ranks 1 and 2
    assert r.ndcg == pytest.approx(dcg / idcg)  # 0.9197
    # at k=1 the best possible is one span at rank 1, which this ranking has
    assert ndcg_at_k(got, ev, k=1).ndcg == pytest.approx(1.0)
    # half of the first span at rank 2: gain 0.25 discounted by log2(3)
    half = ndcg_at_k([("d", 500, 600), ("d", 0, 50)], ev, k=2)
    assert half.gains == pytest.approx((0.0, 0.25))
    assert half.ndcg == pytest.approx((0.25 / math.log2(3)) / idcg)


def test_ndcg_does_not_pay_for_duplicates_and_is_capped() -> None:
    dup = ndcg_at_k([("d", 0, 100), ("d", 0, 100)], [("d", 0, 100)], k=2)
    assert (dup.ndcg, dup.gains) == (1.0, (1.0, 0.0))
    one_for_all = ndcg_at_k([("d", 0, 250)], [("d", 0, 100), ("d", 200, 250)], k=5)
    assert one_for_all.ndcg == 1.0
    assert ndcg_at_k([("x", 0, 100)], [("d", 0, 100)], k=5).ndcg == 0.0


def test_context_chars_sums_the_top_k() -> None:
    got = [("d", 0, 10), ("d", 5, 25), ("d", 90, 99)]
    assert context_chars(got, k=2) == 30
    assert context_chars(got, k=3) == 39
    assert context_chars([], k=3) == 0
    with pytest.raises(ValueError, match="k must be at least 1"):
        context_chars(got, k=0)


def test_gold_evidence_retrieved_exactly_scores_perfectly() -> None:
    text = SEED.read_text(encoding="utf-8")
    texts = {"seed": text}
    whole = [("seed", 0, len(text))]
    for item in load_gold():
        if not item.answerable:
            continue
        spans = locate_evidence(item, texts)
        assert evidence_recall(spans, spans, k=len(spans)).full, item.id
        assert ndcg_at_k(spans, spans, k=10).ndcg == pytest.approx(1.0), item.id
        assert evidence_recall(whole, spans, k=1).full, item.id


def test_each_cut_off_is_scored_on_what_a_call_for_that_many_returned() -> None:
    text = "Ann said hi. Bob said no."
    miss = Passage(doc_id="d", start=0, end=12, text=text[:12], score=1.0, speaker="A")
    hit = Passage(doc_id="d", start=13, end=25, text=text[13:], score=0.9, speaker="B")
    evidence = [("d", 13, 25)]
    # a call for 2 put the miss first; a call for 1 returned the hit alone
    scores = retrieval_scores([miss, hit], evidence, (1, 2), at_k={1: [hit]})
    assert scores["full@1"] == 1.0 and scores["full@2"] == 1.0 and scores["rr"] == 0.5
    assert retrieval_scores([miss, hit], evidence, (1, 2))["full@1"] == 0.0
