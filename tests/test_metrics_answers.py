"""Answer, citation, abstention, calibration and summary metrics, worked out by hand."""

from __future__ import annotations

import random

import numpy as np
import pytest
from fakes import Cite

from eval.metrics import (
    abstention_scores,
    aggregate,
    answer_words,
    citation_evidence_recall,
    citation_precision,
    contains_answer,
    exact_match,
    expected_calibration_error,
    normalize_answer,
    percentiles,
    score_answer,
    token_f1,
    verbatim_rate,
)

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


def test_contains_answer_needs_every_part_of_a_multi_part_answer() -> None:
    gold = ["Georgia; a chair will always be saved"]
    assert contains_answer("A chair will always be saved … for Georgia.", gold) == 1.0
    assert contains_answer("Georgia stayed away.", gold) == 0.0
    assert contains_answer("Georgia stayed away.", [*gold, "Georgia"]) == 1.0


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
