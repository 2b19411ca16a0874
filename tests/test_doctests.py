"""The usage examples in the docstrings of the core modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "index.parse",
    "index.documents",
    "index.frontmatter",
    "index.roles",
    "index.readers",
    "index.readers.segments",
    "index.readers.captions",
    "index.readers.stamped",
    "index.readers.stt_json",
    "index.sentences",
    "index.chunk",
    "index.tokens",
    "index.embed",
    "index.onnx_embed",
    "index.onnx_export",
    "index.durable",
    "index.lexical",
    "index.errors",
    "qa.types",
    "qa.retrieve",
    "qa.answer",
    "qa.query",
    "qa.citations",
    "qa.llm",
    "qa.llm_args",
    "qa.prompt",
    "qa.grounding",
    "qa.evidence",
    "qa.question",
    "qa.abstain",
    "qa.speakers",
    "qa.verdict",
    "qa.routing",
    "qa.multipart",
    "qa.short",
    "index.nlp",
    "index.terms",
    "index.sentences",
    "index.linguistics",
    "index.sentvec",
    "index.incremental",
    "index.threads",
    "index.build",
    "index.documents",
    "index.frontmatter",
    "index.roles",
    "ui.render",
    "eval.results",
    "eval.scoring",
    "eval.against",
    "eval.summary",
    "eval.runner",
    "eval.tables",
    "eval.gold",
    "eval.corpus",
    "eval.make_sotu",
    "eval.definitions",
    "eval.suite",
    "eval.suite_report",
    "ui.limits",
    "ui.auth",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
