"""Tables of reports: which metrics to show, how to format them, as Markdown or plain text.

    >>> print(markdown_table(["a", "b"], [["1", "2"]]))
    | a | b |
    |---|--:|
    | 1 | 2 |
    >>> fmt(0.5, "rate"), fmt(2158.4, "chars"), fmt(None, "rate")
    ('0.500', '2,158', '–')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from eval.results import Report

__all__ = [
    "FORMATS",
    "fmt",
    "markdown_table",
    "per_type_rows",
    "shown_labels",
    "summary_rows",
    "target_rows",
    "text_table",
]

FORMATS: dict[str, Callable[[float], str]] = {
    "rate": lambda v: f"{v:.3f}",
    "chars": lambda v: f"{v:,.0f}",
    "words": lambda v: f"{v:.0f}",
    "ms": lambda v: f"{v:,.1f}",
    "count": lambda v: f"{v:.0f}",
    "mean": lambda v: f"{v:.2f}",
}


def fmt(value: float | None, kind: str) -> str:
    """One number as the reports show it; ``–`` when it does not apply."""
    return "–" if value is None else FORMATS[kind](value)


def _metric_rows(ks: Sequence[int]) -> list[tuple[str, str, str]]:
    """(label, summary key, format) of the summary table, in reading order."""
    rows = [("questions", "n", "count")]
    rows += [(f"full evidence recall@{k}", f"full@{k}", "rate") for k in ks]
    rows += [(f"evidence recall@{k}", f"recall@{k}", "rate") for k in ks]
    rows += [("MRR", "mrr", "rate"), (f"nDCG@{_ndcg_k(ks)}", f"ndcg@{_ndcg_k(ks)}", "rate")]
    rows += [(f"context chars@{k} (mean)", f"context@{k}", "chars") for k in ks]
    return [
        *rows,
        ("answer right (answerable)", "right", "rate"),
        ("token F1", "token_f1", "rate"),
        ("exact match", "exact_match", "rate"),
        ("answer words (median)", "words_median", "words"),
        ("right answers cited", "right_cited", "rate"),
        ("citations per answer", "citations_per_answer", "mean"),
        ("citations verbatim", "verbatim", "rate"),
        ("citation precision", "citation_precision", "rate"),
        ("citation evidence recall", "citation_recall", "rate"),
        ("abstained: unanswerable/out-of-scope", "abstain_rate", "rate"),
        ("abstained: answerable (wrongly)", "false_abstain_rate", "rate"),
        ("abstention precision", "abstain_precision", "rate"),
        ("confidence ECE", "ece", "rate"),
        ("latency p50 (ms)", "latency_p50_ms", "ms"),
        ("latency p95 (ms)", "latency_p95_ms", "ms"),
    ]


# shown when a report ran the user's model (qa eval --llm-url)
_MODEL_ROWS = [
    ("model answer shown", "generated", "rate"),
    ("model fell back to extractive", "fallback", "rate"),
    ("quotes the model wrote", "model_quotes", "count"),
    ("model quotes verified", "verified_quotes", "rate"),
]


def _rows(reports: Sequence[Report]) -> list[tuple[str, str, str]]:
    model = any("generated" in getattr(r, "summary", {}) for r in reports)
    return _metric_rows(reports[0].ks) + (_MODEL_ROWS if model else [])


def shown_labels(report: Report) -> list[tuple[str, str]]:
    """(label, summary key) of every figure the tables of ``report`` show, targets too."""
    return [*((label, key) for label, key, _ in _rows([report])),
            *((label, key) for label, key, _ in _TYPE_COLUMNS),
            *((t.label, t.metric) for t in report.targets)]


def _ndcg_k(ks: Sequence[int]) -> int:
    return 10 if 10 in ks else max(ks)


def _label(report: Report, baseline: str | None) -> str:
    return f"{report.name} (baseline)" if report.name == baseline else report.name


def summary_rows(
    reports: Sequence[Report], baseline: str | None = None
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the metric × configuration table."""
    headers = ["metric", *(_label(r, baseline) for r in reports)]
    rows = [
        [label, *(fmt(r.summary.get(key), kind) for r in reports)]
        for label, key, kind in _rows(reports)
    ]
    return headers, rows


def target_rows(reports: Sequence[Report]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the targets table: goal, then value and mark per configuration."""
    headers = ["target", "goal", *(r.name for r in reports)]
    rows = []
    for i, t in enumerate(reports[0].targets):
        kind = "chars" if "context" in t.metric else "words" if "words" in t.metric else "rate"
        goal = f"{'=' if t.op == '==' else t.op} {fmt(t.goal, kind)}"
        cells = [f"{fmt(r.targets[i].value, kind)} {r.targets[i].mark}" for r in reports]
        rows.append([t.label, goal, *cells])
    return headers, rows


_TYPE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("n", "n", "count"),
    ("full@5", "full@5", "rate"),
    ("MRR", "mrr", "rate"),
    ("right", "right", "rate"),
    ("F1", "token_f1", "rate"),
    ("words", "words_median", "words"),
    ("cite prec.", "citation_precision", "rate"),
    ("cite recall", "citation_recall", "rate"),
    ("abstained", "abstain_rate", "rate"),
    ("wrongly abst.", "false_abstain_rate", "rate"),
    ("ECE", "ece", "rate"),
    ("p50 ms", "latency_p50_ms", "ms"),
)


def per_type_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of one configuration's per-type table, with an ``all`` row."""
    columns = [c for c in _TYPE_COLUMNS if c[1] != "full@5" or 5 in report.ks]
    groups: Mapping[str, Mapping[str, float | None]] = {**report.per_type, "all": report.summary}
    headers = ["type", *(c[0] for c in columns)]
    rows = [[t, *(fmt(m.get(key), kind) for _, key, kind in columns)] for t, m in groups.items()]
    return headers, rows


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub Markdown table; every column after the first is right-aligned."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    rule = "|---|" + "".join("--:|" for _ in headers[1:])
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain fixed-width table for the terminal."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])
