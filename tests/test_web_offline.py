"""No telemetry and no outbound network at run time: the app is loaded, served and asked
while any attempt to reach a host other than this machine is recorded and refused."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from gradio_client import Client
from test_ui_server import QUESTIONS
from test_ui_support import GRADIO_PANDAS_NOISE, running

import qa
from index.embed import HashingEmbedder

pytestmark = GRADIO_PANDAS_NOISE
OFFLINE_ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1",
               "HF_HUB_OFFLINE": "1"}


def _local(host: object) -> bool:
    if host in (None, "", "localhost") or isinstance(host, bytes | int):
        return True  # bytes/int: a unix socket path or a bare port
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a name that would need the network to resolve


@contextmanager
def no_outbound(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record (and refuse) every connection or name lookup that leaves the machine."""
    seen: list[str] = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    lookup = socket.getaddrinfo

    def check(address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if not _local(host):
            seen.append(str(address))
            raise OSError(f"test: outbound connection to {address!r} refused")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        check(address)
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return connect_ex(self, address)

    def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        check((host,))
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_lookup)
    yield seen


def _serve_and_ask(load: Any) -> None:
    bot = load()
    with running(bot) as url:
        assert "Transcript QA" in httpx.get(url, timeout=60).text
        client = Client(url, analytics_enabled=False, verbose=False)
        for question in QUESTIONS:
            assert client.predict(question, api_name="/ask")["question"] == question
        time.sleep(1.0)  # give any background reporting thread its chance to show itself


def test_the_app_makes_no_outbound_calls(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("offline")
    with no_outbound(monkeypatch) as outbound:
        _serve_and_ask(lambda: qa.load(index_dir=folder / "i", embedder=HashingEmbedder()))
    assert not outbound


@pytest.mark.model
def test_the_real_model_loads_and_answers_offline(
    monkeypatch: pytest.MonkeyPatch, real_bot: qa.Bot
) -> None:
    with no_outbound(monkeypatch) as outbound:
        _serve_and_ask(lambda: qa.load(index_dir=real_bot.index_dir, build=False))
    assert not outbound


def test_the_guard_catches_an_outbound_call(monkeypatch: pytest.MonkeyPatch) -> None:
    with no_outbound(monkeypatch) as outbound, pytest.raises(OSError, match="refused"):
        socket.create_connection(("203.0.113.1", 443), timeout=1)
    assert outbound


def test_importing_the_ui_switches_telemetry_off() -> None:
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_ENV}
    code = f"import os, ui; print([os.environ.get(k) for k in {list(OFFLINE_ENV)!r}])"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.strip() == str(list(OFFLINE_ENV.values()))
