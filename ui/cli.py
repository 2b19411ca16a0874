"""``qa serve``: the browser chat, registered with the ``qa`` command as a plugin.

    $ qa serve                         # seeds/, at http://127.0.0.1:7860
    $ qa serve transcripts/ --port 8000 --index-dir /tmp/idx
    $ QA_AUTH=ann:s3cret qa serve --host 0.0.0.0 --rate-limit 30/min
    $ qa serve --embed-backend torch   # or onnx, or auto (default: $QA_EMBED_BACKEND, else auto)
    $ qa serve --store milvus --milvus-uri http://milvus:19530   # the index in a Milvus server

Options left out come from the environment (``QA_AUTH``, ``QA_RATE_LIMIT``,
``QA_MAX_BODY``, ``QA_QUEUE_SIZE``), then from :class:`ui.limits.Limits`' defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable

from qa.cli import add_corpus_arguments, store_options
from qa.llm_args import add_llm_arguments, llm_options
from ui.auth import describe, logins
from ui.limits import Limits, parse_rate, parse_size

__all__ = ["register", "serve", "settings"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range; use 1-65535")
    return port


def settings(
    args: argparse.Namespace, env: dict[str, str] | None = None
) -> tuple[list[tuple[str, str]], Limits]:
    """The logins and limits for ``args``, the environment filling in what they leave out."""
    import qa

    env = dict(os.environ if env is None else env)
    try:
        users = logins(args.auth, env)
        limits = Limits.from_env(env)
    except ValueError as exc:
        raise qa.QAError(f"{exc}") from None
    given: dict[str, object] = {}
    if args.rate_limit is not None:  # "off" is a choice too, so the text is kept until here
        given["rate"] = parse_rate(args.rate_limit)
    if args.max_body is not None:
        given["max_body_bytes"] = args.max_body
    if args.queue_size is not None:
        given["queue_size"] = args.queue_size
    return users, dataclasses.replace(limits, **given)  # type: ignore[arg-type]


def _warn_if_open(host: str, users: list[tuple[str, str]]) -> None:
    if host in _LOOPBACK:
        return
    risk = (
        "log in over plain HTTP: put it behind an HTTPS proxy" if users
        else "use the app (there is no login: add --auth or QA_AUTH)"
    )
    print(f"qa serve: warning: listening on {host}, not only this machine: anyone who "
          f"can reach it can {risk}", file=sys.stderr)


def serve(args: argparse.Namespace) -> int:
    """Load the corpus (building its index if needed) and serve the chat until interrupted."""
    import qa
    from ui.app import build_app, launch

    users, limits = settings(args)
    _warn_if_open(args.host, users)
    bot = qa.load(args.path, index_dir=args.index_dir, build=not args.no_build, progress=True,
                  embed_backend=args.embed_backend, **store_options(args), **llm_options(args))
    app = build_app(bot, limits=limits, examples=args.example or None)
    shown = "localhost" if args.host in ("127.0.0.1", "::1") else args.host
    count = len(bot.documents)
    print(f"Chat for {count} transcript(s) at http://{shown}:{args.port} (Ctrl+C stops); "
          f"{describe(users)}")
    if bot.generator is not None:
        print(f"Answers written by {bot.generator.label}, every quote checked; the extractive "
              "answer when it fails")
    try:
        launch(app, host=args.host, port=args.port, quiet=True, auth=users, limits=limits)
    except OSError as exc:
        raise qa.QAError(
            f"cannot listen on {args.host}:{args.port} ({exc.strerror or 'address in use'}); "
            "stop the other server or choose another port with --port"
        ) from exc
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the ``qa`` command (entry point ``qa.commands``)."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the chat in the browser (default http://127.0.0.1:7860)",
        description="Serve the question-answering chat and its /ask API.",
    )
    add_corpus_arguments(parser)  # path, --index-dir, --no-build, --embed-backend: as `qa ask`
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)"
    )
    parser.add_argument("--port", type=_port, default=7860, help="port (default 7860)")
    parser.add_argument(
        "--example", action="append", metavar="QUESTION",
        help="a question offered under the chat box (repeatable; default: questions asked "
        "in the transcripts, or an overview)",
    )
    add_llm_arguments(parser)
    _limit_arguments(parser)
    parser.set_defaults(func=serve)


def _checked(parse: Callable[[str], object], *, keep_text: bool = False) -> Callable[[str], object]:
    def check(text: str) -> object:
        try:
            value = parse(text)
            return text if keep_text else value
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return check


def _queue_size(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{text!r} is not a positive whole number")
    return int(text)


def _limit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--auth", action="append", metavar="USER:PASSWORD",
        help="require a login (repeatable; or QA_AUTH=user:pw,user2:pw2, which keeps "
        "passwords out of the process list)",
    )
    parser.add_argument(
        "--rate-limit", type=_checked(parse_rate, keep_text=True), metavar="N/PERIOD",
        help="questions each client may ask, e.g. 60/min (the default), 2/s, or off",
    )
    parser.add_argument(
        "--max-body", type=_checked(parse_size), metavar="SIZE",
        help="largest request body accepted, e.g. 1mb (the default) or 256k",
    )
    parser.add_argument(
        "--queue-size", type=_checked(_queue_size), metavar="N",
        help="most requests waiting at once; beyond it clients are told to retry (default 256)",
    )
