"""``ask`` and ``retrieve`` for agents, as MCP tools (Model Context Protocol, the ``mcp``
package): an agent's client starts ``qa mcp`` and calls them; every citation comes with
its character offsets, checked against the transcript before it is returned.

    $ qa mcp seeds/                                  # over stdio, for an agent's client
    $ qa mcp seeds/ --http 8765                      # streamable HTTP on 127.0.0.1:8765/mcp
    $ qa mcp seeds/ --llm-url http://127.0.0.1:8080/v1   # answers written by a model

In Python (an in-process client, as the tests use):

    >>> import qa                                                  # doctest: +SKIP
    >>> server = make_server(qa.load())                            # doctest: +SKIP
    >>> async with mcp.client.Client(server) as client:            # doctest: +SKIP
    ...     result = await client.call_tool("ask", {"question": "Who spoke?"})
"""

from __future__ import annotations

import argparse
import functools
import sys
import threading
from typing import TYPE_CHECKING, Any

from index.errors import InvalidInputError, QAError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from qa.api import Bot

__all__ = ["TOOLS", "check_citations", "make_server", "register"]

TOOLS = ("ask", "retrieve", "documents")
_INSTRUCTIONS = (
    "Question answering over transcripts. `ask` answers with verbatim quotes (citations: "
    "doc_id, start, end, quote, speaker; the quote is exactly the document's text between "
    "start and end) or abstains when the transcripts do not say; `retrieve` gives the "
    "closest passages; `documents` lists the document ids both accept in doc_ids."
)


def check_citations(bot: Bot, answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` (``Answer.to_dict()``) after checking each citation's quote against its
    document; a mismatch is a bug, never something to hand an agent."""
    for c in [*answer["citations"], *([answer["short"]] if answer.get("short") else [])]:
        if bot.document(c["doc_id"]).text[c["start"] : c["end"]] != c["quote"]:
            raise QAError(f"citation {c['doc_id']}[{c['start']}:{c['end']}] is not verbatim")
    return answer


class _Tools:
    """The tools' bodies: one bot, one question at a time (the bot is not thread-safe)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._lock = threading.Lock()

    def ask(self, question: str, history: list[str] | None = None,
            doc_ids: list[str] | None = None) -> dict[str, Any]:
        generator = self.bot.generator
        with self._lock:
            answer = self.bot.ask(question, history=history, doc_ids=doc_ids or None,
                                  generate=False)
        if generator is not None:  # the model writes outside the lock: others go on
            answer = generator.answer(answer, history or ())
        return check_citations(self.bot, answer.to_dict())

    def retrieve(self, question: str, k: int = 5,
                 doc_ids: list[str] | None = None) -> dict[str, Any]:
        with self._lock:
            passages = self.bot.retrieve(question, k=k, doc_ids=doc_ids or None)
        return {"question": question, "passages": [p.to_dict() for p in passages]}

    def documents(self) -> dict[str, Any]:
        return {"documents": [
            {"doc_id": d.doc_id, "title": d.title, "source": d.origin, "chars": len(d.text),
             "speakers": sorted({t.speaker for t in d.turns if t.speaker != "unknown"})}
            for d in self.bot.documents
        ]}


def _guarded(fn: Any) -> Any:
    """``fn`` with the project's errors turned into tool errors the agent can read."""
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(fn)  # the tool's schema is read from fn's signature
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except QAError as exc:  # bad input: a message saying what to do
            raise ToolError(str(exc)) from None

    return call


def make_server(bot: Bot, *, name: str = "transcript-qa") -> MCPServer:
    """An MCP server offering ``ask``, ``retrieve`` and ``documents`` over ``bot``."""
    from mcp.server.mcpserver import MCPServer

    tools = _Tools(bot)
    server: MCPServer = MCPServer(name, instructions=_INSTRUCTIONS, log_level="WARNING")

    def ask(question: str, history: list[str] | None = None,
            doc_ids: list[str] | None = None) -> dict[str, Any]:
        """Answer a question about the transcripts with verbatim, offset-checked quotes.

        history: earlier questions of the conversation (for follow-ups); doc_ids: only
        these documents (see `documents`). Returns text, abstained, confidence, citations
        (doc_id, start, end, quote, speaker, title, source), passages, generated (true:
        written by a model, its quotes checked), backend and notice.
        """
        return tools.ask(question, history, doc_ids)

    def retrieve(question: str, k: int = 5, doc_ids: list[str] | None = None) -> dict[str, Any]:
        """The k passages (1-100) closest to the question, best first, each with doc_id,
        start, end, text, speaker and scores."""
        return tools.retrieve(question, k, doc_ids)

    def documents() -> dict[str, Any]:
        """The transcripts: doc_id, title, source, length and speakers of each."""
        return tools.documents()

    for fn in (ask, retrieve, documents):
        server.add_tool(_guarded(fn), name=fn.__name__)
    return server


def _serve(args: argparse.Namespace) -> int:
    from qa.cli import bot_from_args

    if args.http is not None and not 0 < args.http < 65536:
        raise InvalidInputError(f"--http needs a port from 1 to 65535 (got {args.http})")
    bot = bot_from_args(args)  # stdout is the protocol's: nothing else may print there
    server = make_server(bot)
    where = f"http://127.0.0.1:{args.http}/mcp" if args.http else "stdio"
    model = f"; answers written by {bot.generator.label}" if bot.generator else ""
    print(f"qa mcp: tools {', '.join(TOOLS)} for {len(bot.documents)} transcript(s) on "
          f"{where}{model}", file=sys.stderr, flush=True)
    if args.http:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    else:
        server.run("stdio")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``mcp`` to the ``qa`` command (entry point ``qa.commands``)."""
    from qa.cli import add_corpus_arguments
    from qa.llm_args import add_llm_arguments

    parser = subparsers.add_parser(
        "mcp", help="offer ask and retrieve to agents as MCP tools (stdio, or --http PORT)",
        description="An MCP server with the tools ask (verbatim, offset-checked citations), "
        "retrieve and documents. Over stdio by default, for an agent's client to start.",
    )
    add_corpus_arguments(parser)
    parser.add_argument("--http", type=int, metavar="PORT", default=None,
                        help="serve streamable HTTP on 127.0.0.1:PORT/mcp instead of stdio")
    add_llm_arguments(parser)
    parser.set_defaults(func=_serve)
