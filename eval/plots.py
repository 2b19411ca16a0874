"""The report's PNG plots, drawn with matplotlib's object API (Agg, no pyplot state).

- ``recall_at_k.png``: full evidence recall by k per configuration, and what it costs
  in context characters;
- ``per_type.png``: per question type, evidence found, answers right, abstentions;
- ``confidence.png``: answer confidence of answerable vs. should-decline questions,
  with the abstention threshold marked;
- ``calibration.png``: the reliability diagram of confidence;
- ``corpora.png`` (a run over several corpora): each corpus and split's headline shares.

    >>> write_plots(reports, "eval-report")  # doctest: +SKIP
    [PosixPath('eval-report/recall_at_k.png'), ...]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from eval.gold import ABSTAIN_TYPES
from eval.results import Report

if TYPE_CHECKING:
    from eval.suite import SuiteRun

__all__ = ["PLOTS", "write_corpora_plot", "write_plots"]

_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
_BASELINE_COLOR = "#7f7f7f"


def _color(i: int, report: Report, baseline: str | None) -> str:
    return _BASELINE_COLOR if report.name == baseline else _COLORS[i % len(_COLORS)]


def _recall_at_k(reports: Sequence[Report], baseline: str | None) -> Figure:
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    for i, r in enumerate(reports):
        ks = list(r.ks)
        full = [r.summary.get(f"full@{k}") or 0.0 for k in ks]
        chars = [r.summary.get(f"context@{k}") or 0.0 for k in ks]
        style = {"color": _color(i, r, baseline), "marker": "o",
                 "linestyle": "--" if r.name == baseline else "-"}
        label = f"{r.name} (baseline)" if r.name == baseline else r.name
        left.plot(ks, full, label=label, **style)
        right.plot(chars, full, label=label, **style)
        for k, x, y in zip(ks, chars, full, strict=True):
            if i and r.name != baseline:
                break  # k labels for the primary and the baseline only: less clutter
            right.annotate(f"k={k}", (x, y), textcoords="offset points", xytext=(4, -10),
                           fontsize=7, color=style["color"])
    low = min(r.summary.get(f"full@{k}") or 0.0 for r in reports for k in r.ks)
    ylim = (max(0.0, math.floor(low * 10) / 10 - 0.05), 1.02)  # zoom on where the lines are
    left.set(title="Full evidence recall@k", xlabel="k (passages retrieved)",
             ylabel="share of questions with all evidence found", ylim=ylim,
             xticks=list(reports[0].ks))
    right.set(title="What the recall costs", xlabel="mean context characters of the top k",
              ylabel="full evidence recall", ylim=ylim)
    right.axvline(2500, color="#d62728", linewidth=0.8, linestyle=":")
    right.text(2500, ylim[0] + 0.01, " 2,500-char budget", color="#d62728", fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.axhline(0.97, color="#d62728", linewidth=0.8, linestyle=":")
        ax.text(ax.get_xlim()[0], 0.975, " target 0.97", color="#d62728", fontsize=8, va="bottom")
    left.legend(loc="lower right")
    return fig


def _bars(ax: Axes, labels: Sequence[str], series: Sequence[tuple[str, list[float], str]]) -> None:
    width = 0.8 / len(series)
    for j, (name, values, color) in enumerate(series):
        xs = [i + (j - (len(series) - 1) / 2) * width for i in range(len(labels))]
        ax.bar(xs, values, width=width, label=name, color=color)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.grid(axis="y", alpha=0.3)


def _outcome(metrics: dict[str, float | None], t: str) -> float:
    key = "abstain_rate" if t in ABSTAIN_TYPES else "right"
    return metrics.get(key) or 0.0


def _per_type(reports: Sequence[Report], baseline: str | None) -> Figure:
    first = reports[0]
    types = list(first.per_type)
    labels = [f"{t}\n(n={first.per_type[t].get('n') or 0:.0f})" for t in types]
    fig = Figure(figsize=(12, 8), layout="constrained")
    top, bottom = fig.subplots(2, 1)
    pt = {t: dict(m) for t, m in first.per_type.items()}
    _bars(top, labels, [
        ("all evidence found@5", [pt[t].get("full@5") or 0.0 for t in types], "#9ecae1"),
        ("answer right / declined", [_outcome(pt[t], t) for t in types], "#3182bd"),
        ("citation precision", [pt[t].get("citation_precision") or 0.0 for t in types],
         "#fdae6b"),
    ])
    top.set(title=f"Per question type: {first.name}", ylabel="share")
    top.legend(loc="upper right", fontsize=8, ncols=3)
    _bars(bottom, labels, [
        (r.name, [_outcome(dict(r.per_type.get(t, {})), t) for t in types],
         _color(i, r, baseline))
        for i, r in enumerate(reports)
    ])
    bottom.set(title="Answer right (answerable types) or declined (unanswerable, out of scope)",
               ylabel="share")
    bottom.legend(loc="upper right", fontsize=8, ncols=len(reports))
    return fig


def _confidence(reports: Sequence[Report], baseline: str | None) -> Figure:
    first = reports[0]
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    ax = fig.subplots()
    bins = [i / 20 for i in range(21)]
    groups = [
        ("answerable, right", [i.confidence for i in first.items if i.answerable and i.right],
         "#2ca02c"),
        ("answerable, not right",
         [i.confidence for i in first.items if i.answerable and not i.right], "#ff7f0e"),
        ("unanswerable / out of scope",
         [i.confidence for i in first.items if not i.answerable], "#d62728"),
    ]
    ax.hist([g[1] for g in groups], bins=bins, stacked=True, color=[g[2] for g in groups],
            label=[f"{g[0]} ({len(g[1])})" for g in groups], edgecolor="white")
    ax.axvline(first.threshold, color="black", linestyle="--", linewidth=1)
    ax.text(first.threshold, ax.get_ylim()[1] * 0.95, f" abstention threshold {first.threshold}",
            fontsize=8, va="top")
    ax.set(title=f"Answer confidence: {first.name}", xlabel="ans.confidence",
           ylabel="questions", xlim=(0, 1))
    fig.supxlabel("The threshold applies to the answerer's answerability score: an abstention "
                  "reports a confidence below it, an answer may report any.",
                  fontsize=7, color="#555555")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _calibration(reports: Sequence[Report], baseline: str | None) -> Figure:
    first = reports[0]
    fig = Figure(figsize=(6, 6), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="gray", linestyle=":", label="perfect calibration")
    for b in first.reliability:
        if not b["count"]:
            continue
        lo, hi = float(b["lower"] or 0), float(b["upper"] or 0)
        acc = float(b["accuracy"] or 0)
        ax.bar(lo, acc, width=hi - lo, align="edge", color="#3182bd", edgecolor="white")
        ax.text((lo + hi) / 2, acc + 0.01, f"n={b['count']}", ha="center", fontsize=7)
    xs = [float(b["mean_confidence"] or 0) for b in first.reliability if b["count"]]
    ys = [float(b["accuracy"] or 0) for b in first.reliability if b["count"]]
    ax.plot(xs, ys, color="#d62728", marker="o", label="mean confidence vs. share right")
    ece = first.summary.get("ece")
    ax.set(title=f"Reliability: {first.name} (ECE {ece:.3f})" if ece is not None else
           "Reliability", xlabel="confidence", ylabel="share answered right",
           xlim=(0, 1), ylim=(0, 1.05))
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


PLOTS: dict[str, Callable[[Sequence[Report], str | None], Figure]] = {
    "recall_at_k.png": _recall_at_k,
    "per_type.png": _per_type,
    "confidence.png": _confidence,
    "calibration.png": _calibration,
}


def write_plots(
    reports: Sequence[Report], out_dir: str | Path, baseline: str | None = None
) -> list[Path]:
    """Draw every plot of :data:`PLOTS` into ``out_dir``; returns the paths in order."""
    out = Path(out_dir)
    paths = []
    for name, draw in PLOTS.items():
        fig = draw(reports, baseline)
        fig.savefig(out / name, dpi=110, metadata={"Software": None})
        paths.append(out / name)
    return paths


def _corpora(runs: Sequence[SuiteRun]) -> Figure:
    """Per (corpus, split): the first configuration's headline shares, side by side."""
    fig = Figure(figsize=(max(8, 1.6 * len(runs) + 3), 4.8), layout="constrained")
    ax = fig.subplots()
    series = [("all evidence found@5", "full@5", "#9ecae1"), ("answer right", "right", "#3182bd"),
              ("citation precision", "citation_precision", "#fdae6b"),
              ("unanswerable declined", "abstain_rate", "#31a354"),
              ("answerable declined (lower is better)", "false_abstain_rate", "#de2d26")]
    labels = [f"{run.key}\n(n={run.reports[0].summary.get('n') or 0:.0f})" for run in runs]
    _bars(ax, labels, [(name, [run.reports[0].summary.get(key) or 0.0 for run in runs], color)
                       for name, key, color in series])
    ax.axhline(0.9, color="#d62728", linewidth=0.8, linestyle=":")
    ax.set(title=f"Across corpora: {runs[0].reports[0].name}", ylabel="share")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), fontsize=8, ncols=3)
    return fig


def write_corpora_plot(runs: Sequence[SuiteRun], out_dir: str | Path) -> Path:
    """``corpora.png``: the headline shares of every (corpus, split) of a suite run."""
    path = Path(out_dir) / "corpora.png"
    _corpora(runs).savefig(path, dpi=110, metadata={"Software": None})
    return path
