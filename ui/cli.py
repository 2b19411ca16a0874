"""``qa serve``: the browser chat, registered with the ``qa`` command as a plugin.

    $ qa serve                         # seeds/, at http://127.0.0.1:7860
    $ qa serve transcripts/ --port 8000 --index-dir /tmp/idx
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["register", "serve"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range; use 1-65535")
    return port


def serve(args: argparse.Namespace) -> int:
    """Load the corpus (building its index if needed) and serve the chat until interrupted."""
    import qa
    from ui.app import build_app, launch

    if args.host not in _LOOPBACK:
        print(
            f"qa serve: warning: listening on {args.host}, not only this machine: anyone who "
            "can reach it can use the app (there is no login)",
            file=sys.stderr,
        )
    bot = qa.load(args.path, index_dir=args.index_dir, build=not args.no_build, progress=True)
    app = build_app(bot)
    shown = "localhost" if args.host in ("127.0.0.1", "::1") else args.host
    count = len(bot.documents)
    print(f"Chat for {count} transcript(s) at http://{shown}:{args.port} (Ctrl+C stops)")
    try:
        launch(app, host=args.host, port=args.port, quiet=True)
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
    parser.add_argument("path", nargs="?", help="transcript file or folder (default: seeds/)")
    parser.add_argument("--index-dir", help="where the index lives (default: .qa-index/...)")
    parser.add_argument(
        "--no-build", action="store_true", help="fail instead of building a missing or stale index"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)"
    )
    parser.add_argument("--port", type=_port, default=7860, help="port (default 7860)")
    parser.set_defaults(func=serve)
