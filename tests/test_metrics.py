"""Every metric on small examples whose answers were worked out by hand."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from eval.gold import load_gold, locate_evidence
from eval.metrics import (
    HasSpan,
    abstention_scores,
    aggregate,
    answer_words,
    as_span,
    citation_evidence_recall,
    citation_precision,
    contains_answer,
    context_chars,
    coverage,
    covered_chars,
    evidence_recall,
    exact_match,
    expected_calibration_error,
    merge_intervals,
    ndcg_at_k,
    normalize_answer,
    overlaps,
    percentiles,
    reciprocal_rank,
    score_answer,
    token_f1,
    verbatim_rate,
)

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_8a7bd6b9c703a622.txt"


@dataclass(frozen=True)
class Cite:
    doc_id: str
    start: int
    end: int
    quote: str = ""


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
    from qa.types import Citation, Passage

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


# ---------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("The  Kazan summit!", "kazan summit"),
        ("St George’s Ribbon", "st george s ribbon"),
        ("“Red Silk”", "red silk"),
        ("300,000 to 400,000", "300000 to 400000"),
        ("0.5 percent", "0.5 percent"),
        ("military-technical", "military technical"),
        ("Seven embassies", "7 embassies"),
        ("a dozen", "12"),
        ("late August – early September", "late august early september"),
    ],
)
def test_normalize_answer(raw: str, normal: str) -> None:
    assert normalize_answer(raw) == normal


def test_curly_and_straight_apostrophes_match() -> None:
    assert exact_match("St George’s Ribbon", ["St George's Ribbon"]) == 1.0


def test_exact_match_takes_the_best_answer() -> None:
    assert exact_match("Kazan.", ["Moscow", "kazan"]) == 1.0
    assert exact_match("Kazan summit", ["Kazan"]) == 0.0
    assert exact_match("three", ["3"]) == 1.0
    assert exact_match("anything", []) == 0.0


def test_token_f1_on_hand_counted_tokens() -> None:
    # 1 common token of 4 predicted and 1 gold: P = 1/4, R = 1, F1 = 0.4
    assert token_f1("Mikhail Bogdanov, deputy minister", ["Bogdanov"]) == pytest.approx(0.4)
    # order does not matter: P = 2/3, R = 1, F1 = 0.8
    assert token_f1("China and India", ["India, China"]) == pytest.approx(0.8)
    assert token_f1("", ["Kazan"]) == 0.0
    assert token_f1("Kazan", []) == 0.0


def test_contains_answer_matches_whole_words() -> None:
    assert contains_answer("He met Marco Rubio in Riyadh.", ["rubio"]) == 1.0
    assert contains_answer("Seven embassies are planned.", ["7"]) == 1.0
    assert contains_answer("In 1970.", ["7"]) == 0.0
    assert contains_answer("Kazan", [""]) == 0.0


def test_answer_words_and_score_answer() -> None:
    assert answer_words("In Volgograd, on 7 November 2024.") == 6
    assert answer_words("") == 0
    s = score_answer("Bogdanov led it", ["Mikhail Bogdanov", "Bogdanov"])
    # vs "mikhail bogdanov": P 1/3, R 1/2, F1 0.4; vs "bogdanov": P 1/3, R 1, F1 0.5
    assert (s.exact_match, s.contains, s.best_answer) == (0.0, 1.0, "Bogdanov")
    assert s.token_f1 == pytest.approx(0.5)
    empty = score_answer("x", [])
    assert (empty.token_f1, empty.best_answer) == (0.0, "")


# ---------------------------------------------------------------- citations


def test_verbatim_rate_checks_text_at_offsets() -> None:
    texts = {"d": "Ann said hi"}
    cites = [
        Cite("d", 0, 3, "Ann"),
        Cite("d", 4, 8, "said"),
        Cite("d", 0, 3, "ann"),  # case differs
        Cite("x", 0, 3, "Ann"),  # unknown document
        Cite("d", 5, 40, "aid hi"),  # past the end
    ]
    r = verbatim_rate(cites, texts)
    assert r.rate == pytest.approx(0.4)
    assert r.per_citation == (True, True, False, False, False)
    assert verbatim_rate([], texts).rate is None


def test_citation_precision() -> None:
    r = citation_precision([("d", 0, 5), ("d", 50, 60), ("e", 0, 5)], [("d", 3, 20)])
    assert r.precision == pytest.approx(1 / 3)
    assert r.per_citation == (True, False, False)
    assert citation_precision([], [("d", 3, 20)]).precision is None


def test_citation_evidence_recall_uses_the_80_percent_rule() -> None:
    r = citation_evidence_recall([("d", 0, 9)], [("d", 0, 10), ("d", 20, 30)])
    assert (r.recall, r.found) == (0.5, (True, False))
    # two citations halves together cover the second span
    both = citation_evidence_recall([("d", 0, 9), ("d", 20, 25), ("d", 25, 30)], [("d", 20, 30)])
    assert both.full
    assert citation_evidence_recall([], [("d", 0, 10)]).recall == 0.0


# ---------------------------------------------------------------- abstention


def test_abstention_scores_on_a_confusion_table() -> None:
    should = [True, True, True, False, False, False, False]
    did = [True, True, False, True, False, False, False]
    r = abstention_scores(should, did)  # tp 2, fn 1, fp 1, tn 3
    assert r.outcomes == ("tp", "tp", "fn", "fp", "tn", "tn", "tn")
    assert r.abstain_rate == pytest.approx(2 / 3)
    assert r.recall == pytest.approx(2 / 3)
    assert r.precision == pytest.approx(2 / 3)
    assert r.f1 == pytest.approx(2 / 3)
    assert r.false_abstain_rate == pytest.approx(1 / 4)


def test_abstention_undefined_rates_are_none() -> None:
    r = abstention_scores([False, False], [False, False])
    assert (r.abstain_rate, r.precision, r.f1, r.false_abstain_rate) == (None, None, None, 0.0)
    never = abstention_scores([True], [False])
    assert (never.recall, never.precision) == (0.0, None)
    with pytest.raises(ValueError, match="2 should_abstain flags but 1"):
        abstention_scores([True, False], [True])


# ---------------------------------------------------------------- calibration


def test_expected_calibration_error_by_hand() -> None:
    conf = [0.95, 0.85, 0.75, 0.35, 0.15]
    correct = [True, True, False, False, True]
    r = expected_calibration_error(conf, correct, bins=5)
    # bins of width 0.2: {0.15: right}, {0.35: wrong}, {}, {0.75: wrong}, {0.95, 0.85: right}
    assert [b.count for b in r.bins] == [1, 1, 0, 1, 2]
    assert r.ece == pytest.approx(0.85 / 5 + 0.35 / 5 + 0.75 / 5 + 2 / 5 * 0.1)  # 0.43
    assert r.mce == pytest.approx(0.85)
    assert r.bins[2].mean_confidence is None and r.bins[2].accuracy is None
    assert r.bins[4].mean_confidence == pytest.approx(0.9) and r.bins[4].accuracy == 1.0
    assert (r.bins[0].lower, r.bins[0].upper) == (0.0, 0.2)


def test_calibration_edges() -> None:
    assert expected_calibration_error([1.0], [True], bins=10).bins[-1].count == 1
    assert expected_calibration_error([1.0, 0.0], [True, False]).ece == 0.0
    for conf, correct in [([1.2], [True]), ([], []), ([0.5], [True, False])]:
        with pytest.raises(ValueError):
            expected_calibration_error(conf, correct)


# ---------------------------------------------------------------- summaries


def test_percentiles_interpolate_linearly() -> None:
    assert percentiles([4.0, 1.0, 3.0, 2.0], [0, 50, 95, 100]) == pytest.approx(
        {0: 1.0, 50: 2.5, 95: 3.85, 100: 4.0}
    )
    rng = random.Random(7)
    values = [rng.expovariate(1.0) for _ in range(101)]
    got = percentiles(values, [50, 90, 95, 99])
    assert list(got.values()) == pytest.approx(list(np.percentile(values, [50, 90, 95, 99])))


def test_percentiles_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentiles([], [50])
    with pytest.raises(ValueError, match="outside"):
        percentiles([1.0], [101])
    with pytest.raises(ValueError, match="NaN"):
        percentiles([1.0, float("nan")], [50])


def test_aggregate_means_numeric_fields_per_group() -> None:
    rows = [
        {"type": "who", "id": "q1", "em": 1.0, "f1": 0.5, "rr": None, "ok": True},
        {"type": "who", "id": "q2", "em": 0.0, "f1": 1.0, "rr": 0.5, "ok": False},
        {"type": "date", "id": "q3", "em": 1, "f1": 1.0, "rr": 1.0, "ok": True},
    ]
    out = aggregate(rows, by="type")
    assert list(out) == ["who", "date", "all"]
    assert out["who"] == pytest.approx({"n": 2, "em": 0.5, "f1": 0.75, "rr": 0.5, "ok": 0.5})
    assert out["date"] == pytest.approx({"n": 1, "em": 1.0, "f1": 1.0, "rr": 1.0, "ok": 1.0})
    assert out["all"] == pytest.approx(
        {"n": 3, "em": 2 / 3, "f1": 2.5 / 3, "rr": 0.75, "ok": 2 / 3}
    )
    assert list(aggregate(rows, by="type", total=None)) == ["who", "date"]


def test_aggregate_rejects_rows_it_cannot_group() -> None:
    with pytest.raises(ValueError, match="no 'split' field"):
        aggregate([{"type": "who"}], by="split")
    with pytest.raises(ValueError, match="name of the total group"):
        aggregate([{"type": "all"}])
    assert aggregate([]) == {}
