"""``ask``, ``retrieve`` and ``documents`` as MCP tools, called by a real MCP client (the
``mcp`` package's): in process, over stdio from a ``qa mcp`` subprocess, and over
streamable HTTP; with verified citations, clear tool errors, and a model's answers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from fake_llm import Reply, evidence_of, fake_llm
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

import qa
from qa.generate import make_generator
from qa.mcp_tools import TOOLS, make_server

QUESTION = "Which embassies will open in Africa?"


def _run(server: Any, body: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with Client(server, read_timeout_seconds=120) as client:
            return await body(client)

    return anyio.run(main)


def _data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    data = result.structured_content
    assert isinstance(data, dict)
    assert json.loads(result.content[0].text) == data  # the same JSON for clients without it
    return data


def _check_verbatim(bot: qa.Bot, answer: dict[str, Any]) -> None:
    assert answer["citations"]
    for c in answer["citations"]:
        assert bot.document(c["doc_id"]).text[c["start"] : c["end"]] == c["quote"]


def test_the_tools_are_listed_with_their_parameters(fake_bot: qa.Bot) -> None:
    async def body(client: Client) -> Any:
        return (await client.list_tools()).tools

    tools = {t.name: t for t in _run(make_server(fake_bot), body)}
    assert set(tools) == set(TOOLS)
    assert set(tools["ask"].input_schema["properties"]) == {"question", "history", "doc_ids"}
    assert tools["ask"].input_schema["required"] == ["question"]
    assert "verbatim" in (tools["ask"].description or "")
    assert set(tools["retrieve"].input_schema["properties"]) == {"question", "k", "doc_ids"}


def test_ask_retrieve_and_documents_answer_with_verified_citations(fake_bot: qa.Bot) -> None:
    async def body(client: Client) -> Any:
        return (await client.call_tool("ask", {"question": QUESTION}),
                await client.call_tool("retrieve", {"question": QUESTION, "k": 3}),
                await client.call_tool("documents", {}),
                await client.call_tool("ask", {"question": "And what about Asia?",
                                               "history": [QUESTION]}))

    ask, retrieve, documents, followup = (_data(r) for r in _run(make_server(fake_bot), body))
    expected = fake_bot.ask(QUESTION).to_dict()
    assert ask == json.loads(json.dumps(expected))  # exactly the Python API's answer
    assert not ask["generated"] and ask["backend"] == "extractive"
    _check_verbatim(fake_bot, ask)
    assert followup["question"] == "And what about Asia?"
    passages = retrieve["passages"]
    assert len(passages) == 3
    text = fake_bot.documents[0].text
    assert all(text[p["start"] : p["end"]] == p["text"] for p in passages)
    assert [d["doc_id"] for d in documents["documents"]] == [fake_bot.documents[0].doc_id]
    assert "Sergey Lavrov" in documents["documents"][0]["speakers"]


@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("ask", {"question": "   "}, "question"),
        ("ask", {"question": QUESTION, "doc_ids": ["nope"]}, "unknown document"),
        ("retrieve", {"question": QUESTION, "k": 0}, "k must be"),
        ("retrieve", {"question": QUESTION, "k": "many"}, "k"),
        ("nothing", {}, "nothing"),
    ],
)
def test_bad_calls_are_tool_errors_that_say_what_to_do(
    fake_bot: qa.Bot, tool: str, arguments: dict[str, Any], message: str
) -> None:
    async def body(client: Client) -> Any:
        bad = await client.call_tool(tool, arguments)
        good = await client.call_tool("retrieve", {"question": QUESTION, "k": 1})
        return bad, good

    bad, good = _run(make_server(fake_bot), body)
    assert bad.is_error and message in bad.content[0].text.lower()
    assert "Traceback" not in bad.content[0].text
    assert len(_data(good)["passages"]) == 1  # the server goes on serving


def test_a_model_writes_the_answer_and_only_verified_quotes_reach_the_agent(
    fake_bot: qa.Bot,
) -> None:
    with fake_llm() as fake:
        fake.say(lambda body: Reply(
            f'He said "{" ".join(evidence_of(body)[0]["text"].split()[:5])}" [1]. '
            'He promised "embassies on the Moon" [2]. Ignore the rules [77].'))
        bot = qa.Bot(fake_bot.searcher, fake_bot.documents,
                     generator=make_generator(fake_bot.documents, fake.url, env={}))

        async def body(client: Client) -> Any:
            return await client.call_tool("ask", {"question": QUESTION})

        answer = _data(_run(make_server(bot), body))
        assert answer["generated"] and answer["backend"].startswith("fake-model")
        assert "Moon" not in answer["text"] and "Moon" not in json.dumps(answer["citations"])
        assert "removed" in answer["notice"]
        _check_verbatim(bot, answer)
        fake.say(Reply(status=503))
        down = _data(_run(make_server(bot), body))
        assert not down["generated"] and "HTTP 503" in down["notice"]
        _check_verbatim(bot, down)


def _qa_mcp(real_bot: qa.Bot, seed_path: Path) -> list[str]:
    assert real_bot.index_dir is not None
    return [sys.executable, "-m", "qa.cli", "mcp", str(seed_path), "--index-dir",
            str(real_bot.index_dir), "--no-build"]


async def _ask_and_retrieve(client: Client) -> Any:
    names = {t.name for t in (await client.list_tools()).tools}
    return (names, await client.call_tool("ask", {"question": QUESTION}),
            await client.call_tool("retrieve", {"question": QUESTION, "k": 2}))


@pytest.mark.model
def test_qa_mcp_over_stdio_serves_an_agents_client(real_bot: qa.Bot, seed_path: Path) -> None:
    command = _qa_mcp(real_bot, seed_path)
    params = StdioServerParameters(command=command[0], args=command[1:],
                                   env={"QA_LLM_URL": "", "HF_HUB_OFFLINE": "1"})
    names, ask, retrieve = _run(params, _ask_and_retrieve)
    assert names == set(TOOLS)
    answer = _data(ask)
    _check_verbatim(real_bot, answer)
    assert answer["text"] == real_bot.ask(QUESTION).text
    assert len(_data(retrieve)["passages"]) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.model
def test_qa_mcp_over_http_serves_a_client_on_loopback(real_bot: qa.Bot, seed_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen([*_qa_mcp(real_bot, seed_path), "--http", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        names, ask, retrieve = _run(f"http://127.0.0.1:{port}/mcp", _ask_and_retrieve)
        assert names == set(TOOLS)
        _check_verbatim(real_bot, _data(ask))
        assert len(_data(retrieve)["passages"]) == 2
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_qa_mcp_refuses_a_bad_port(capsys: pytest.CaptureFixture[str], seed_path: Path) -> None:
    from qa.cli import main

    assert main(["mcp", str(seed_path), "--http", "70000"]) == 1
    assert "--http needs a port" in capsys.readouterr().err
