"""Every figure an eval report shows is defined in the report, from one table in code."""

from __future__ import annotations

import pytest

from eval.against import OVERALL
from eval.definitions import DEFINITIONS, definition_of, definitions_markdown
from eval.metrics_retrieval import DEFAULT_MIN_COVERAGE
from eval.report import RIGHT_RULE
from eval.scoring import RIGHT_F1, RIGHT_REASON_RECALL
from eval.suite_report import SUMMARY_COLUMNS
from eval.summary import ECE_BINS, TARGETS
from eval.tables import _TYPE_COLUMNS, _metric_rows


def _shown_keys() -> set[str]:
    keys = {key for _, key, _ in _metric_rows((1, 3, 5, 10))}
    keys |= {key for _, key, _ in _TYPE_COLUMNS} | {key for _, key, _ in SUMMARY_COLUMNS}
    keys |= {key for _, key, _ in OVERALL} | {t.metric for t in TARGETS}
    return keys


def test_every_shown_figure_has_a_definition() -> None:
    for key in sorted(_shown_keys()):
        assert definition_of(key).text, key


def test_every_summary_key_has_a_definition() -> None:
    from eval.results import ItemResult
    from eval.summary import summarize

    item = ItemResult("q", "factoid", "test", "Q?", ("a",), True, "a", False, 0.9, 5.0, True,
                      "contains", 1.0, 1.0, 1, 1, 1.0, 1.0, 1.0,
                      retrieval={"full@5": 1.0, "recall@5": 1.0, "context@5": 100.0,
                                 "ndcg@5": 1.0, "rr": 1.0})
    for key in summarize([item], (5,)):
        assert definition_of(key), key


def test_an_unknown_figure_is_named() -> None:
    with pytest.raises(KeyError, match="no definition of the figure 'bogus'"):
        definition_of("bogus")
    assert definition_of("full@12").term == "full evidence recall@k"


def test_the_words_carry_the_constants_the_scoring_uses() -> None:
    right = definition_of("right").text
    assert f"≥ {RIGHT_F1}" in right and f"≥ {RIGHT_REASON_RECALL}" in right
    assert f"{DEFAULT_MIN_COVERAGE:.0%}" in definition_of("full@5").text
    assert f"{ECE_BINS} equal-width bins" in definition_of("ece").text
    assert RIGHT_RULE.startswith(right)


def test_the_markdown_lists_every_definition_once() -> None:
    md = definitions_markdown()
    assert [line.split("**")[1] for line in md.splitlines()] == [d.term for d in DEFINITIONS]
    assert len({d.term for d in DEFINITIONS}) == len(DEFINITIONS)
