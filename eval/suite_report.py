"""The report of a run over several corpora: each (corpus, split) in its own folder, and one
summary across them (``report.md``, ``summary.json``, ``corpora.png``).

    eval-report/
      report.md  summary.json  corpora.png      # across corpora
      seed/dev/report.md  seed/dev/report.json  seed/dev/*.png
      seed/test/...  sotu/dev/...  sotu/test/...  talk/dev/...  talk/test/...

    >>> write_suite(runs, "eval-report", baseline="tutorial")  # doctest: +SKIP
    [PosixPath('eval-report/report.md'), ...]
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.definitions import definitions_markdown
from eval.report import write_report, write_text
from eval.results import Report
from eval.suite import SuiteRun
from eval.tables import fmt, markdown_table, shown_labels, text_table

__all__ = ["SUMMARY_COLUMNS", "console_suite", "suite_markdown", "suite_rows", "write_suite"]

# (header, summary key, format) of the table across corpora
SUMMARY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("questions", "n", "count"),
    ("right", "right", "rate"),
    ("full@5", "full@5", "rate"),
    ("context@5", "context@5", "chars"),
    ("MRR", "mrr", "rate"),
    ("cite prec.", "citation_precision", "rate"),
    ("declined", "abstain_rate", "rate"),
    ("wrongly declined", "false_abstain_rate", "rate"),
    ("ECE", "ece", "rate"),
    ("p50 ms", "latency_p50_ms", "ms"),
)


def _primary(run: SuiteRun) -> Report:
    return run.reports[0]


def suite_rows(
    runs: Sequence[SuiteRun], baseline: str | None = None
) -> tuple[list[str], list[list[str]]]:
    """One row per (corpus, split) for the first configuration, then for the baseline."""
    headers = ["corpus/split", "config", *(c[0] for c in SUMMARY_COLUMNS)]
    rows = []
    for run in runs:
        shown = [r for r in run.reports if r is _primary(run) or r.name == baseline]
        for r in shown:
            label = f"{r.name} (baseline)" if r.name == baseline else r.name
            rows.append([run.key, label,
                         *(fmt(r.summary.get(k), kind) for _, k, kind in SUMMARY_COLUMNS)])
    return headers, rows


def _target_rows(runs: Sequence[SuiteRun]) -> tuple[list[str], list[list[str]]]:
    first = _primary(runs[0])
    headers = ["target", "goal", *(run.key for run in runs)]
    rows = []
    for i, t in enumerate(first.targets):
        kind = "chars" if "context" in t.metric else "words" if "words" in t.metric else "rate"
        goal = f"{'=' if t.op == '==' else t.op} {fmt(t.goal, kind)}"
        cells = []
        for run in runs:
            got = _primary(run).targets[i]
            cells.append(f"{fmt(got.value, kind)} {got.mark}")
        rows.append([t.label, goal, *cells])
    return headers, rows


def _type_rows(runs: Sequence[SuiteRun]) -> tuple[list[str], list[list[str]]]:
    """Right (declined, for the types to decline) per type, each run a column."""
    from eval.gold import ABSTAIN_TYPES, GOLD_TYPES

    headers = ["type", *(run.key for run in runs)]
    rows = []
    for t in GOLD_TYPES:
        key = "abstain_rate" if t in ABSTAIN_TYPES else "right"
        cells = []
        for run in runs:
            m = _primary(run).per_type.get(t)
            cells.append(f"{fmt(m.get(key), 'rate')} ({fmt(m.get('n'), 'count')})" if m else "–")
        rows.append([t, *cells])
    return headers, rows


def suite_markdown(runs: Sequence[SuiteRun], meta: Mapping[str, Any],
                   baseline: str | None = None) -> str:
    """The summary ``report.md`` across corpora."""
    first = _primary(runs[0])
    corpora = {run.corpus.name: run.corpus for run in runs}
    about = "\n".join(f"- **{c.name}**: {c.title or c.transcripts.name} — gold `{_rel(c.gold)}`"
                      + (f"; {c.source}" if c.source else "") for c in corpora.values())
    links = "\n".join(f"- [{run.key}]({run.key}/report.md)" for run in runs)
    parts = [
        "# transcript-qa evaluation across corpora",
        f"Configurations: {', '.join(r.name for r in runs[0].reports)}; **{first.name}** is the "
        "one the targets and per-type table describe. Each corpus and split is run on its own "
        "(the test splits are never tuned on).",
        "## Corpora", about,
        "## Summary", markdown_table(*suite_rows(runs, baseline)),
        f"## Targets ({first.name})", markdown_table(*_target_rows(runs)),
        f"## Right (or declined) per question type ({first.name}; questions in brackets)",
        markdown_table(*_type_rows(runs)),
        "## Reports of each corpus and split", links,
        "## Definitions", definitions_markdown(
            [*shown_labels(first), *((h, key) for h, key, _ in SUMMARY_COLUMNS)]),
        "## Plot", "![across corpora](corpora.png)",
    ]
    if meta.get("embed_backend"):
        parts.insert(2, f"Embedder backend: {meta['embed_backend']}; cut-offs k: "
                        f"{', '.join(str(k) for k in meta.get('ks', []))}.")
    return "\n\n".join(parts) + "\n"


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _summary_json(runs: Sequence[SuiteRun], meta: Mapping[str, Any]) -> dict[str, Any]:
    return {"meta": dict(meta), "runs": [
        {"corpus": run.corpus.name, "split": run.split, "report": f"{run.key}/report.json",
         "configs": {r.name: {"summary": dict(r.summary),
                              "per_type": {t: dict(m) for t, m in r.per_type.items()},
                              "targets": [t.to_dict() for t in r.targets]}
                     for r in run.reports}}
        for run in runs]}


def write_suite(
    runs: Sequence[SuiteRun], out_dir: str | Path, *, meta: Mapping[str, Any] | None = None,
    baseline: str | None = None, plots: bool = True,
    against: Mapping[str, Sequence[str]] | None = None,
) -> list[Path]:
    """Each run's report in ``out_dir/<corpus>/<split>/``, then the summary across them."""
    out = Path(out_dir)
    info = dict(meta or {})
    paths: list[Path] = []
    for run in runs:
        run_meta = {**info, **run.meta, "corpus_name": run.corpus.name, "split": run.split,
                    "gold": _rel(run.corpus.gold), "corpus": _rel(run.corpus.transcripts)}
        paths += write_report(run.reports, out / run.key, meta=run_meta, baseline=baseline,
                              plots=plots, against=(against or {}).get(run.key, ()))
    doc = json.dumps(_summary_json(runs, info), ensure_ascii=False, indent=1)
    paths += [write_text(out / "summary.json", doc + "\n"),
              write_text(out / "report.md", suite_markdown(runs, info, baseline))]
    if plots:
        from eval.plots import write_corpora_plot

        paths.append(write_corpora_plot(runs, out))
    return paths


def console_suite(runs: Sequence[SuiteRun], baseline: str | None = None) -> str:
    """The table across corpora and the targets, for the terminal."""
    return "\n\n".join([text_table(*suite_rows(runs, baseline)), text_table(*_target_rows(runs))])
