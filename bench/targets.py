"""Issue 14's targets, checked per corpus from the side-by-side run (:mod:`bench.stack`).

Each target becomes one :class:`~bench.common.Figure` per corpus (``extra`` says which
corpus and target), so the figures travel in the bench JSON; :func:`targets_markdown`
turns them into the ✅/❌ table that BENCHMARKS.md shows, and
``python -m bench.targets RESULTS.json --benchmarks BENCHMARKS.md`` rewrites that table
in place (between its two marker comments), and the failures left, per corpus, between
the failures markers of :mod:`bench.failures` when the file has them.

    >>> [t.key for t in TARGETS][:2]
    ['right', 'right_list']
    >>> check(">=", 0.9, 0.85), check("<=", None, 25)
    (True, None)
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Figure, Stat
from bench.failures import END as FAILURES_END
from bench.failures import START as FAILURES_START
from bench.failures import failures_markdown

__all__ = ["BEFORE", "BEFORE_COMMIT", "BUILD_CORPUS", "TARGETS", "StackTarget", "check", "main",
           "measured", "target_figures", "targets_markdown", "write_section"]

# "Today's" seed index build, before issue 14's index-time linguistics: main at 6002d62,
# in-process with the model loaded (ONNX), medians of 5 alternating runs on a quiet machine
# (load 0.7-1.2), LangChain's build of the same text beside it. The target compares the
# ratio to LangChain measured in the same run, so machine load largely cancels out.
BEFORE: dict[str, float] = {"ours_s": 4.50, "langchain_s": 1.85}
BEFORE_COMMIT = "6002d62"
BUILD_CORPUS = "seed"  # the corpus whose build time has a target
START, END = "<!-- stack-targets:start -->", "<!-- stack-targets:end -->"


@dataclass(frozen=True)
class StackTarget:
    """One target of issue 14: a measured value's key, its goal, who it applies to."""

    key: str
    label: str
    op: str
    goal: float
    kind: str = "rate"  # how the value is shown: rate, chars, ms, ratio
    only: str | None = None  # a corpus name when the target is about that corpus alone


TARGETS: tuple[StackTarget, ...] = (
    StackTarget("right", "answer right", ">=", 0.85),
    StackTarget("right_list", "answer right: list", ">=", 0.75),
    StackTarget("right_speaker", "answer right: speaker", ">=", 0.75),
    StackTarget("right_multi_hop", "answer right: multi-hop", ">=", 0.75),
    StackTarget("right_why", "answer right: why", ">=", 0.75),
    StackTarget("full@5", "full-evidence recall@5", ">=", 0.95),
    StackTarget("context@5", "context characters of the top 5", "<=", 2500, "chars"),
    StackTarget("full@5_minus_lc", "recall@5 minus LangChain default's (1,000/200, k=4)",
                ">=", 0.0, "delta"),
    StackTarget("abstain_rate", "unanswerable declined", ">=", 0.9),
    StackTarget("false_abstain_rate", "answerable wrongly declined", "<=", 0.05),
    StackTarget("citation_precision", "citation precision", ">=", 0.9),
    StackTarget("ask_p50_ms", "warm ask p50", "<=", 25, "ms"),
    StackTarget("build_vs_before", "index build against today's (ratio to LangChain, "
                "now / before)", "<=", 2.0, "ratio", only=BUILD_CORPUS),
)
_FORMATS = {"rate": "{:.3f}", "chars": "{:,.0f}", "ms": "{:.1f} ms", "ratio": "{:.2f}×",
            "delta": "{:+.3f}"}


def check(op: str, value: float | None, goal: float) -> bool | None:
    """Whether ``value`` meets ``goal`` (``None`` when not measured)."""
    if value is None or math.isnan(value):
        return None
    v = round(value, 9)
    return v >= goal if op == ">=" else v <= goal


def measured(report: Any, theirs: Mapping[str, float | None], ask: Stat, ours_s: float,
             lc_s: float) -> dict[str, float | None]:
    """Every value the targets read, from our eval report and LangChain's scores."""
    s, per_type = report.summary, report.per_type
    full, lc_full = s.get("full@5"), theirs.get("full@4")
    before = BEFORE["ours_s"] / BEFORE["langchain_s"] if BEFORE["langchain_s"] else None
    return {
        "right": s.get("right"),
        **{f"right_{t}": (per_type.get(t) or {}).get("right")
           for t in ("list", "speaker", "multi_hop", "why")},
        "full@5": full, "context@5": s.get("context@5"),
        "lc_full@4": lc_full, "lc_context@4": theirs.get("context@4"),
        "full@5_minus_lc": None if full is None or lc_full is None else full - lc_full,
        "abstain_rate": s.get("abstain_rate"), "false_abstain_rate": s.get("false_abstain_rate"),
        "citation_precision": s.get("citation_precision"), "ask_p50_ms": ask.median,
        "build_s": ours_s, "lc_build_s": lc_s,
        "build_vs_before": (ours_s / lc_s) / before if before and lc_s else None,
    }


def _shown(t: StackTarget, values: Mapping[str, float | None]) -> str:
    value = values.get(t.key)
    text = "–" if value is None else _FORMATS[t.kind].format(value)
    if t.key == "full@5_minus_lc" and value is not None:
        text += f" ({values['full@5']:.3f} vs {values['lc_full@4']:.3f})"
    if t.key == "context@5" and values.get("lc_context@4") is not None:
        text += f" (LangChain k=4: {values['lc_context@4']:,.0f})"
    if t.key == "build_vs_before" and value is not None:
        text += f" ({values['build_s']:.2f} s, LangChain {values['lc_build_s']:.2f} s)"
    return text


def target_figures(corpus: str, values: Mapping[str, float | None]) -> list[Figure]:
    """One figure per target that applies to ``corpus``."""
    out = []
    for t in TARGETS:
        if t.only not in (None, corpus):
            continue
        value = values.get(t.key)
        goal = _FORMATS[t.kind].format(t.goal) if t.kind != "delta" else "0"
        out.append(Figure(f"stack {corpus}: {t.label}",
                          Stat.of([] if value is None else [value]), "",
                          f"{t.op} {goal}", check(t.op, value, t.goal),
                          extra={"corpus": corpus, "target": t.key,
                                 "shown": _shown(t, values)}))
    return out


def _field(fig: Figure | Mapping[str, Any], name: str) -> Any:
    return getattr(fig, name) if isinstance(fig, Figure) else fig.get(name)


def targets_markdown(figures: Sequence[Figure | Mapping[str, Any]]) -> str:
    """The ✅/❌ table: a row per target, a column per corpus."""
    cells: dict[tuple[str, str], str] = {}
    corpora: list[str] = []
    for fig in figures:
        extra = _field(fig, "extra") or {}
        if "target" not in extra:
            continue
        corpora += [extra["corpus"]] if extra["corpus"] not in corpora else []
        mark = {True: "✅", False: "❌", None: "–"}[_field(fig, "met")]
        cells[(extra["target"], extra["corpus"])] = f"{extra['shown']} {mark}"
    lines = ["| target | goal | " + " | ".join(corpora) + " |",
             "|---|---|" + "---|" * len(corpora)]
    for t in TARGETS:
        goal = f"{t.op} {_FORMATS[t.kind].format(t.goal) if t.kind != 'delta' else '0'}"
        row = [cells.get((t.key, c), "") for c in corpora]
        if any(row):
            lines.append(f"| {t.label} | {goal} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def write_section(benchmarks: Path, table: str, start: str = START, end: str = END,
                  *, required: bool = True) -> None:
    """Replace the text between the markers of ``benchmarks`` (they must be there unless
    ``required`` is false, when a file without them is left as it is)."""
    text = benchmarks.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        if not required:
            return
        raise SystemExit(f"{benchmarks}: no {start} ... {end} markers to write between")
    benchmarks.write_text(pattern.sub(lambda _: f"{start}\n{table}\n{end}", text),
                          encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.targets RESULTS.json [--benchmarks BENCHMARKS.md]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.targets",
                                     description="the issue-14 target table of a stack run")
    parser.add_argument("results", type=Path, help="JSON of qa bench --compare-stack")
    parser.add_argument("--benchmarks", type=Path, default=None,
                        help="rewrite the table in this file (between its markers)")
    args = parser.parse_args(argv)
    data = json.loads(args.results.read_text(encoding="utf-8"))
    table = targets_markdown(data["figures"])
    failures = failures_markdown(data["figures"])
    if args.benchmarks:
        write_section(args.benchmarks, table)
        write_section(args.benchmarks, failures, FAILURES_START, FAILURES_END, required=False)
    print(table, failures, sep="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
