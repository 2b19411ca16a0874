"""Every figure an eval report shows is defined in the report, from one table in code."""

from __future__ import annotations

import re

import pytest

from eval.against import OVERALL
from eval.definitions import DEFINITIONS, READING, definition_of, definitions_markdown
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
    terms = [line.split("**")[1] for line in md.splitlines() if line.startswith("- **")]
    assert terms == [d.term for d in DEFINITIONS]
    assert len({d.term for d in DEFINITIONS}) == len(DEFINITIONS)
    assert md.startswith(READING[0])


def test_each_definition_names_the_labels_the_tables_give_it() -> None:
    md = definitions_markdown([("cite prec.", "citation_precision"), ("MRR", "mrr"),
                               ("citations overlapping gold evidence", "citation_precision"),
                               ("full evidence recall@3", "full@3"), ("p50 ms", "latency_p50_ms")])
    lines = {line.split("**")[1]: line for line in md.splitlines() if line.startswith("- **")}
    assert lines["citation precision"].startswith(
        "- **citation precision** (in the tables: 'cite prec.', "
        "'citations overlapping gold evidence'): Of all citations")
    assert lines["MRR"].startswith("- **MRR**: ")  # its own term: nothing to add
    assert lines["full evidence recall@k"].startswith("- **full evidence recall@k**: ")
    assert "(in the tables: 'p50 ms')" in lines["latency p50 / p95"]


def test_a_report_defines_every_label_it_shows() -> None:
    """Read as a reader would: every label of every table is a term or named beside one."""
    from types import SimpleNamespace

    from eval.tables import shown_labels

    report = SimpleNamespace(ks=(1, 3, 5, 10), targets=TARGETS)
    labels = [*shown_labels(report), *((h, k) for h, k, _ in SUMMARY_COLUMNS)]  # type: ignore[arg-type]
    md = definitions_markdown(labels)
    for label, key in labels:
        term = definition_of(key).term
        line = next(x for x in md.splitlines() if x.startswith(f"- **{term}**"))
        assert repr(label) in line or re.sub(r"@\d+", "@k", label.lower()).startswith(
            term.lower()), (label, line)
