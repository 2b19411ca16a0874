"""Write an evaluation: ``report.json`` (everything), ``report.md`` (tables at a glance), plots.

    >>> from eval.runner import run_configs                       # doctest: +SKIP
    >>> reports = run_configs(["hybrid", "tutorial"], "eval/gold.jsonl")  # doctest: +SKIP
    >>> write_report(reports, "eval-report", meta={"split": "test"})      # doctest: +SKIP
    [PosixPath('eval-report/report.json'), PosixPath('eval-report/report.md'), ...]
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.definitions import definition_of, definitions_markdown
from eval.results import ItemResult, Report
from eval.tables import (
    markdown_table,
    per_type_rows,
    shown_labels,
    summary_rows,
    target_rows,
    text_table,
)
from index.errors import InvalidInputError

__all__ = ["RIGHT_RULE", "console_summary", "render_markdown", "report_json", "worst_misses",
           "write_report", "write_text"]

# What "right" means, as the definitions table says it (report.json keeps it too).
RIGHT_RULE = definition_of("right").text + " " + definition_of("full@5").text


def worst_misses(report: Report, limit: int = 15) -> list[ItemResult]:
    """Wrong answers and missed abstentions, the most confident first (ties by id)."""
    misses = [i for i in report.items if (i.answerable and not i.right)
              or (not i.answerable and not i.abstained)]
    return sorted(misses, key=lambda i: (-round(i.confidence, 6), i.id))[:limit]


def _miss_lines(item: ItemResult) -> str:
    why = "abstained" if item.abstained else "answered, should decline" if not item.answerable \
        else "wrong answer"
    answer = textwrap.shorten(item.answer, 300, placeholder=" …")
    gold = "; ".join(item.gold_answers) or "(decline)"
    return (f"- **{item.id}** ({item.type}, {why}, confidence {item.confidence:.2f}): "
            f"{item.question}\n  - answer: {answer}\n  - gold: {gold}")


def _intro(reports: Sequence[Report], meta: Mapping[str, Any], baseline: str | None) -> str:
    first = reports[0]
    n = int(first.summary.get("n") or 0)
    n_ans = int(first.summary.get("n_answerable") or 0)
    names = ", ".join(r.name for r in reports)
    lines = [
        "# transcript-qa evaluation", "",
        f"Gold: `{meta.get('gold', '?')}`, split **{meta.get('split') or 'all'}**: {n} questions "
        f"({n_ans} answerable, {n - n_ans} to decline). Corpus: `{meta.get('corpus', '?')}`.",
        f"Configurations: {names}; **{first.name}** is the one the targets and tables below "
        "describe.",
    ]
    if baseline:
        lines.append(f"Baseline **{baseline}**: the common tutorial setup (1,000-character "
                     "chunks, 200 overlap, dense top-4); its answers come from the same "
                     "extractive answerer, so it differs in chunking and retrieval only.")
    return "\n".join(lines)


def render_markdown(
    reports: Sequence[Report],
    meta: Mapping[str, Any],
    baseline: str | None = None,
    against: Sequence[str] = (),
) -> str:
    """The whole ``report.md``: targets, summary, per-type table, what changed since an
    earlier run (``against``, from :mod:`eval.against`), worst misses, plots."""
    from eval.against import OVERALL

    first = reports[0]
    since = ["## What changed", "\n".join(against)] if against else []
    labels = [*shown_labels(first), *((x, key) for x, key, _ in OVERALL if against)]
    parts = [
        _intro(reports, meta, baseline),
        "## Targets (issue 14; MRR, length and citation rules from issue 5)",
        markdown_table(*target_rows(reports)),
        "## Summary", markdown_table(*summary_rows(reports, baseline)),
        f"## Per question type ({first.name})", markdown_table(*per_type_rows(first)),
        *since,
        "## Definitions", definitions_markdown(labels),
        f"Confidence threshold: {first.threshold} (applied to the answerer's answerability "
        "score; abstentions report a confidence below it).",
        f"## Worst misses ({first.name})",
        "\n".join(_miss_lines(i) for i in worst_misses(first)) or "None.",
        "## Plots",
        "![recall@k](recall_at_k.png)\n\n![per type](per_type.png)\n\n"
        "![confidence](confidence.png)\n\n![calibration](calibration.png)",
    ]
    return "\n\n".join(parts) + "\n"


def report_json(reports: Sequence[Report], meta: Mapping[str, Any]) -> dict[str, Any]:
    """Everything: the run's description, the counting rule and every configuration."""
    return {"meta": dict(meta), "right_rule": RIGHT_RULE,
            "configs": [r.to_dict() for r in reports]}


def console_summary(reports: Sequence[Report], baseline: str | None = None) -> str:
    """The summary and target tables for the terminal."""
    return "\n\n".join([text_table(*summary_rows(reports, baseline)),
                        text_table(*target_rows(reports))])


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file, so readers never see half."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # readers never see half a report
    return path


def write_report(
    reports: Sequence[Report],
    out_dir: str | Path,
    *,
    meta: Mapping[str, Any] | None = None,
    baseline: str | None = None,
    plots: bool = True,
    against: Sequence[str] = (),
) -> list[Path]:
    """Write ``report.json``, ``report.md`` and (with ``plots``) the PNGs; returns the paths."""
    if not reports:
        raise InvalidInputError("no reports to write")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidInputError(f"{out} is a file; --out needs a folder")
    out.mkdir(parents=True, exist_ok=True)
    info = dict(meta or {})
    doc = json.dumps(report_json(reports, info), ensure_ascii=False, indent=1)
    paths = [write_text(out / "report.json", doc + "\n"),
             write_text(out / "report.md", render_markdown(reports, info, baseline, against))]
    if plots:
        from eval.plots import write_plots  # matplotlib only when plots are wanted

        paths += write_plots(reports, out, baseline)
    return paths
