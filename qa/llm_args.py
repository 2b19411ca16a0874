"""The ``--llm-*`` options of ``qa ask``, ``qa serve``, ``qa eval`` and ``qa mcp``.

    $ qa ask "Why did he go?" --llm-url http://127.0.0.1:8080/v1 --llm-model gemma
    $ QA_LLM_URL=http://127.0.0.1:11434/v1 QA_LLM_MODEL=llama3.2 qa serve

The API key is read from ``QA_LLM_API_KEY`` only, so that it never shows in the process
list.

    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_llm_arguments(parser)
    >>> llm_options(parser.parse_args(["--llm-url", "http://h:1/v1", "--llm-timeout", "9"]))
    {'llm_url': 'http://h:1/v1', 'llm_model': None, 'llm_timeout': 9.0}
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_llm_arguments", "llm_options"]


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """``--llm-url``, ``--llm-model``, ``--llm-timeout``: the model that writes answers."""
    group = parser.add_argument_group(
        "generated answers",
        "an OpenAI-compatible server (llama.cpp, Ollama, vLLM, LM Studio, a hosted API) "
        "writes the answers; every quote is checked against the transcript, and the "
        "extractive answer is shown when the model fails. API key: $QA_LLM_API_KEY.",
    )
    group.add_argument("--llm-url", metavar="URL",
                       help="the server's address, e.g. http://127.0.0.1:8080/v1 "
                       "(default: $QA_LLM_URL; none: extractive answers)")
    group.add_argument("--llm-model", metavar="NAME",
                       help="the model to ask (default: $QA_LLM_MODEL, else the server's first)")
    group.add_argument("--llm-timeout", type=float, metavar="SECONDS",
                       help="most seconds a generated answer may take before the extractive "
                       "one is shown (default: $QA_LLM_TIMEOUT, else 30)")


def llm_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``qa.load`` keywords for the ``--llm-*`` options in ``args`` (absent ones: None)."""
    return {
        "llm_url": getattr(args, "llm_url", None),
        "llm_model": getattr(args, "llm_model", None),
        "llm_timeout": getattr(args, "llm_timeout", None),
    }
