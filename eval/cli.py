"""``qa eval``: run the gold questions, print the table, write the report and its plots.

    $ qa eval                                   # test split, hybrid vs. the tutorial baseline
    $ qa eval --split dev --compare hybrid dense lexical --out /tmp/report
    $ qa eval --gold my_gold.jsonl --corpus transcripts/ --k 1 5 --no-baseline
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_OUT", "evaluate", "register"]

DEFAULT_OUT = Path("eval-report")


def _load_items(args: argparse.Namespace) -> list[Any]:
    from eval.gold import filter_gold, load_gold

    items = load_gold(args.gold)
    split = None if args.split == "all" else args.split
    chosen = filter_gold(items, split=split, types=args.types)
    if not chosen:
        from index.errors import InvalidInputError

        raise InvalidInputError(
            f"{args.gold}: no questions in split {args.split!r}"
            + (f" of type(s) {', '.join(args.types)}" if args.types else "")
            + f" (the file has {len(items)}); try --split all"
        )
    return chosen


def _shown(path: Path) -> str:
    """A path relative to the working folder when it lies inside it (stable reports)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _against(reports: Sequence[Any], previous: Mapping[str, Any], label: str) -> list[str]:
    """The comparison lines, or one line saying nothing matched."""
    from eval.against import compare, comparison_lines

    cmps = [compare(r, previous[r.name]) for r in reports if r.name in previous]
    if not cmps:
        return [f"{label} has none of these configurations (it has: {', '.join(previous)})"]
    return comparison_lines(cmps, label)


def evaluate(args: argparse.Namespace) -> int:
    """The ``qa eval`` command; returns the exit code."""
    from eval.against import load_previous
    from eval.report import console_summary, write_report
    from eval.runner import BASELINE, check_ks, config_names, run_configs
    from qa.api import default_corpus

    ks = check_ks(args.k)
    if args.out.exists() and not args.out.is_dir():
        from index.errors import InvalidInputError

        raise InvalidInputError(f"{args.out} is a file; --out needs a folder")
    configs = config_names(args.compare, baseline=not args.no_baseline)
    items = _load_items(args)
    # read before the run: --against is often the report this run replaces
    previous = load_previous(args.against) if args.against else None
    reports = run_configs(configs, items, corpus=args.corpus, index_root=args.index_dir,
                          ks=ks, progress=not args.no_progress, embed_backend=args.embed_backend)
    baseline = None if args.no_baseline else BASELINE
    meta = {"gold": _shown(args.gold), "split": args.split, "types": args.types,
            "corpus": _shown(args.corpus or default_corpus()), "configs": configs, "ks": list(ks),
            "embed_backend": args.embed_backend or os.environ.get("QA_EMBED_BACKEND") or "auto"}
    against = _against(reports, previous, _shown(args.against)) if previous is not None else []
    paths = write_report(reports, args.out, meta=meta, baseline=baseline, against=against)
    print(console_summary(reports, baseline))
    if against:
        print("\n" + "\n".join(against))
    print(f"\nwrote {', '.join(p.name for p in paths)} to {Path(args.out)}/")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``eval`` to the ``qa`` command (entry point ``qa.commands``)."""
    from eval.gold import DEFAULT_GOLD, GOLD_TYPES
    from eval.runner import DEFAULT_KS
    from qa.cli import add_backend_argument

    parser = subparsers.add_parser(
        "eval",
        help="score the bot on the gold questions; write report.md, report.json and plots",
        description="Run gold questions through one or more configurations, print a table and "
        "write report.json, report.md and PNG plots. The tutorial baseline (1,000-char chunks, "
        "200 overlap, dense top-4) is included unless --no-baseline.",
    )
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD,
                        help="gold JSONL file (default: the shipped eval/gold.jsonl)")
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test",
                        help="which gold questions to run (default: test)")
    parser.add_argument("--types", nargs="+", metavar="TYPE", choices=GOLD_TYPES,
                        help="only these question types")
    parser.add_argument("--k", nargs="+", type=int, default=list(DEFAULT_KS), metavar="K",
                        help="retrieval cut-offs (default: 1 3 5 10)")
    parser.add_argument("--compare", nargs="+", metavar="CONFIG",
                        help="configurations side by side: default, hybrid, dense, lexical, rrf, "
                        "rerank, never-abstain, one-quote, tutorial (default: hybrid)")
    parser.add_argument("--against", type=Path, default=None, metavar="REPORT_JSON",
                        help="an earlier report.json: show what changed since, per type and "
                        "per question (read before the run, so it may be the one --out replaces)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="leave out the tutorial baseline")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="transcript file or folder (default: seeds/)")
    parser.add_argument("--index-dir", type=Path, default=None,
                        help="root folder for the indexes (default: .qa-index/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="report folder (default: eval-report/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_backend_argument(parser)
    parser.set_defaults(func=evaluate)
