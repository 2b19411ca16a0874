from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "index" in out and "ask" in out


def test_ask_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    assert "--json" in capsys.readouterr().out


def test_friendly_errors_and_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ask", "   ", str(tmp_path / "missing.txt")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("qa: ") and "Traceback" not in err
    assert main(["ask", "Arctic?", str(tmp_path), "--index-dir", str(tmp_path / "i")]) == 1
    assert "no readable" in capsys.readouterr().err


def test_no_build_on_missing_index_fails_with_advice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, seed_path: Path
) -> None:
    code = main(
        ["ask", "Arctic?", str(seed_path), "--index-dir", str(tmp_path / "i"), "--no-build"]
    )
    assert code == 1 and "qa index" in capsys.readouterr().err


@pytest.mark.model
def test_index_then_ask_json_in_a_fresh_process(tmp_path: Path, seed_path: Path) -> None:
    env = {**os.environ, "QA_INDEX_ROOT": str(tmp_path / "root")}
    qa_cmd = [sys.executable, "-m", "qa.cli"]
    built = subprocess.run(
        [*qa_cmd, "index", str(seed_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    assert "1 added" in built.stdout and "chunks" in built.stdout
    asked = subprocess.run(
        [
            *qa_cmd,
            "ask",
            "Which African countries will get new Russian embassies?",
            str(seed_path),
            "--json",
            "--no-build",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    data = json.loads(asked.stdout)
    assert set(data) >= {"text", "abstained", "confidence", "citations", "passages"}
    text = seed_path.read_bytes().decode("utf-8")
    assert data["citations"], data
    for c in data["citations"]:
        assert set(c) >= {"doc_id", "start", "end", "quote", "speaker"}
        assert text[c["start"] : c["end"]] == c["quote"]
    for p in data["passages"]:
        assert set(p) >= {"doc_id", "start", "end", "text", "score", "speaker"}
