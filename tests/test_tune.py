"""The abstention threshold is read off several out-of-fold runs (eval.tune)."""

from __future__ import annotations

import numpy as np

from eval.tune import _threshold, out_of_fold


def test_threshold_keeps_wrong_abstentions_under_the_limit_on_average() -> None:
    answerable = np.array([True] * 10 + [False] * 10)
    # two runs disagree on one answerable item: 0.30 in one, 0.70 in the other
    run_a = np.r_[[0.30], np.full(9, 0.9), np.full(10, 0.2)]
    run_b = np.r_[[0.70], np.full(9, 0.9), np.full(10, 0.2)]
    # at most 5% wrongly: one run's 10% at t > 0.30 averages to 5%, allowed up to t = 0.70
    assert _threshold([run_a, run_b], answerable, 0.05) == 0.7
    # at most 0%: the threshold must stay at or under 0.30
    assert _threshold([run_a, run_b], answerable, 0.0) == 0.3


def test_out_of_fold_probabilities_separate_an_easy_feature() -> None:
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(40), np.zeros(40)]
    x = (y + rng.normal(0, 0.3, 80))[:, None]
    p = out_of_fold(x, y)
    assert p[y == 1].mean() > 0.7 and p[y == 0].mean() < 0.3  # shrunk by the L2 penalty
