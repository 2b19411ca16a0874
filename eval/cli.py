"""``qa eval``: run the gold questions, print the tables, write the reports and their plots.

    $ qa eval                                   # every corpus (seed, sotu, talk), dev and test
    $ qa eval --corpus sotu --split test        # one corpus, one split
    $ qa eval --split dev --compare hybrid dense lexical --out /tmp/report
    $ qa eval --gold my_gold.jsonl --corpus transcripts/ --k 1 5 --no-baseline
    $ qa eval --corpus seed --llm-url http://127.0.0.1:8080/v1   # + the model's answers
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_OUT", "evaluate", "register"]

DEFAULT_OUT = Path("eval-report")


def _shown(path: Path) -> str:
    """A path relative to the working folder when it lies inside it (stable reports)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _previous(path: Path, keys: Sequence[str]) -> dict[str, dict[str, Mapping[str, Any]]]:
    """The earlier report of each run (``corpus/split``) that has one, read before the run."""
    from eval.against import load_previous
    from index.errors import InvalidInputError

    if not path.is_dir():
        if len(keys) > 1:
            raise InvalidInputError(
                f"--against {path}: one report.json compares one run; for several corpora or "
                "splits give the earlier report folder (--out of that run)")
        return {keys[0]: load_previous(path)}
    found = {k: load_previous(path / k / "report.json") for k in keys
             if (path / k / "report.json").is_file()}
    if not found and len(keys) == 1 and (path / "report.json").is_file():
        found = {keys[0]: load_previous(path / "report.json")}
    if not found:
        raise InvalidInputError(f"--against {path}: no earlier report.json for "
                                f"{', '.join(keys)} in that folder")
    return found


def _against(reports: Sequence[Any], previous: Mapping[str, Any], label: str) -> list[str]:
    """The comparison lines, or one line saying nothing matched."""
    from eval.against import compare, comparison_lines

    cmps = [compare(r, previous[r.name]) for r in reports if r.name in previous]
    if not cmps:
        return [f"{label} has none of these configurations (it has: {', '.join(previous)})"]
    return comparison_lines(cmps, label)


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        from index.errors import InvalidInputError

        raise InvalidInputError(f"{out} is a file; --out needs a folder")


def _llm(args: argparse.Namespace) -> dict[str, Any]:
    """The model options (``--llm-*``, else ``$QA_LLM_*``): with a URL, each configuration
    also runs as ``C+llm``, the model writing the answers."""
    return {"url": args.llm_url, "model": args.llm_model, "timeout": args.llm_timeout}


def evaluate(args: argparse.Namespace) -> int:
    """The ``qa eval`` command; returns the exit code."""
    from eval.runner import BASELINE, check_ks, config_names
    from eval.suite import EACH_SPLIT, run_suite, selections

    ks = check_ks(args.k)
    _check_out(args.out)
    configs = config_names(args.compare, baseline=not args.no_baseline)
    sels = selections(args.corpus, args.gold, root=args.corpora)
    splits = EACH_SPLIT if args.split is None else (args.split,)
    keys = [f"{s.name}/{split}" for s in sels for split in splits]
    # read before the run: --against is often the report this run replaces
    previous = _previous(args.against, keys) if args.against else {}
    runs = run_suite(sels, splits, configs, ks=ks, types=args.types,
                     index_root=args.index_dir, progress=not args.no_progress,
                     embed_backend=args.embed_backend, llm=_llm(args))
    baseline = None if args.no_baseline else BASELINE
    meta = {"types": args.types, "configs": configs, "ks": list(ks),
            "embed_backend": args.embed_backend or os.environ.get("QA_EMBED_BACKEND") or "auto",
            "llm_url": args.llm_url or os.environ.get("QA_LLM_URL") or None}
    label = _shown(args.against) if args.against else ""
    against = {r.key: _against(r.reports, previous[r.key], label) for r in runs
               if r.key in previous}
    return _write(runs, args.out, meta, baseline, against)


def _write(runs: Sequence[Any], out: Path, meta: dict[str, Any], baseline: str | None,
           against: Mapping[str, list[str]]) -> int:
    from eval.report import console_summary, write_report
    from eval.suite_report import console_suite, write_suite

    if len(runs) == 1:  # one corpus, one split: the report lands in --out itself
        run = runs[0]
        lines = against.get(run.key, [])
        meta = {"gold": _shown(run.corpus.gold), "split": run.split,
                "corpus": _shown(run.corpus.transcripts), **meta, **run.meta}
        paths = write_report(run.reports, out, meta=meta, baseline=baseline, against=lines)
        print(console_summary(run.reports, baseline))
    else:
        paths = write_suite(runs, out, meta=meta, baseline=baseline, against=against)
        print(console_suite(runs, baseline))
        lines = [line for r in runs for line in [f"## {r.key}", *against.get(r.key, [])]
                 if r.key in against]
    if lines:
        print("\n" + "\n".join(lines))
    where = "" if len(runs) == 1 else f" (a folder per corpus and split, {len(runs)} in all)"
    print(f"\nwrote {len(paths)} files to {out}/{where}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``eval`` to the ``qa`` command (entry point ``qa.commands``)."""
    from eval.corpus import CORPORA_DIR
    from eval.gold import GOLD_TYPES
    from eval.runner import DEFAULT_KS
    from qa.cli import add_backend_argument
    from qa.llm_args import add_llm_arguments

    parser = subparsers.add_parser(
        "eval",
        help="score the bot on the gold questions of every corpus; write reports and plots",
        description="Run gold questions through one or more configurations, on every eval "
        "corpus (seed, sotu, talk) and on each split on its own; print the tables and write, "
        "per corpus and split, report.json, report.md and PNG plots, plus a summary across "
        "them. The tutorial baseline (1,000-char chunks, 200 overlap, dense top-4) is included "
        "unless --no-baseline.",
    )
    parser.add_argument("--corpus", default=None, metavar="NAME|PATH",
                        help="one eval corpus by name (seed, sotu, talk), or a transcript file "
                        "or folder for --gold (default: every eval corpus)")
    parser.add_argument("--gold", type=Path, default=None,
                        help="a gold JSONL file, run on --corpus PATH (default: seeds/)")
    parser.add_argument("--split", choices=["dev", "test", "all"], default=None,
                        help="which gold questions to run; all = both together (default: dev "
                        "and test, each on its own)")
    parser.add_argument("--types", nargs="+", metavar="TYPE", choices=GOLD_TYPES,
                        help="only these question types")
    parser.add_argument("--k", nargs="+", type=int, default=list(DEFAULT_KS), metavar="K",
                        help="retrieval cut-offs (default: 1 3 5 10)")
    parser.add_argument("--compare", nargs="+", metavar="CONFIG",
                        help="configurations side by side: default, hybrid, dense, lexical, rrf, "
                        "rerank, never-abstain, one-quote, tutorial (default: hybrid)")
    parser.add_argument("--against", type=Path, default=None, metavar="REPORT",
                        help="an earlier report.json, or the folder of an earlier run over "
                        "several corpora: show what changed since, per type and per question "
                        "(read before the run, so it may be the one --out replaces)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="leave out the tutorial baseline")
    parser.add_argument("--corpora", type=Path, default=CORPORA_DIR, metavar="DIR",
                        help="folder of eval corpora, one <name>/corpus.json each "
                        "(default: eval/corpora)")
    parser.add_argument("--index-dir", type=Path, default=None,
                        help="root folder for the indexes (default: .qa-index/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="report folder (default: eval-report/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_backend_argument(parser)
    add_llm_arguments(parser)
    parser.set_defaults(func=evaluate)
