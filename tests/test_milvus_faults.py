"""Faults of the Milvus store: an unreachable or silent server, a Lite file in use."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED

import qa
from index.embed import HashingEmbedder
from index.milvus_conn import CONNECT_TIMEOUT, MilvusConfig

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on this machine that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_an_unreachable_milvus_is_named_within_seconds_and_loses_nothing(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    port = request.getfixturevalue("silent_port") if kind == "silent" else _free_port()
    uri = f"http://127.0.0.1:{port}"
    local = qa.load(SEED, index_dir=tmp_path / "idx", embedder=HashingEmbedder())
    before = sorted((p.relative_to(tmp_path), p.stat().st_size)
                    for p in tmp_path.rglob("*") if p.is_file())
    started = time.monotonic()
    with pytest.raises(qa.StoreUnavailableError, match=f"Milvus at {uri} is not usable"):
        qa.load(SEED, index_dir=tmp_path / "idx", embedder=HashingEmbedder(), store="milvus",
                milvus_uri=uri)
    assert time.monotonic() - started < 4 * CONNECT_TIMEOUT
    after = sorted((p.relative_to(tmp_path), p.stat().st_size)
                   for p in tmp_path.rglob("*") if p.is_file() and not p.name.endswith(".lock"))
    assert [b for b in before if not str(b[0]).endswith(".lock")] == after
    assert local.ask("Which embassies will open in Africa?").citations  # the local one serves


def test_the_cli_says_which_milvus_it_could_not_reach(tmp_path: Path) -> None:
    uri = f"http://127.0.0.1:{_free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "docs", str(SEED), "--index-dir", str(tmp_path / "i"),
         "--store", "milvus", "--milvus-uri", uri, "--no-build"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("qa: Milvus at " + uri) and "Traceback" not in done.stderr


def test_config_from_environment_and_bad_uris() -> None:
    env = {"QA_MILVUS_URI": "http://milvus:19530", "QA_MILVUS_TOKEN": "root:secret"}
    config = MilvusConfig.resolve(env=env)
    assert (config.uri, config.token, config.local) == ("http://milvus:19530", "root:secret",
                                                       False)
    assert MilvusConfig.resolve("x.db", env=env).uri == "x.db"
    with pytest.raises(qa.InvalidInputError, match=r"ends in \.db"):
        MilvusConfig.resolve("some-folder", env={})
    with pytest.raises(qa.InvalidInputError, match="unknown store"):
        qa.load(SEED, embedder=HashingEmbedder(), store="elastic")


def test_a_lite_file_in_use_by_another_process_is_said_so(tmp_path: Path) -> None:
    db = tmp_path / "milvus.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pymilvus import MilvusClient; "
         f"MilvusClient({str(db)!r}); print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(qa.IndexLockedError, match="open in another process"):
            qa.load(SEED, index_dir=tmp_path / "i", embedder=HashingEmbedder(), store="milvus",
                    milvus_uri=str(db))
    finally:
        holder.communicate("", timeout=30)


_OPEN = """
import json, sys
import qa
from index.embed import HashingEmbedder
bot = qa.load(sys.argv[1], index_dir=sys.argv[2], embedder=HashingEmbedder(), store="milvus",
              milvus_uri=sys.argv[3], build=sys.argv[4] == "build")
print(json.dumps(bot.ask(sys.argv[5]).to_dict()))
"""


def test_a_lite_file_built_by_one_process_serves_the_next(tmp_path: Path) -> None:
    # Milvus Lite forgets which collections were loaded when its process ends
    args = [str(SEED), str(tmp_path / "i"), str(tmp_path / "milvus.db")]
    question = "Which embassies will open in Africa?"
    answers = []
    for build in ("build", "no-build"):
        done = subprocess.run([sys.executable, "-c", _OPEN, *args, build, question],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        answers.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert answers[0] == answers[1] and answers[0]["citations"]
