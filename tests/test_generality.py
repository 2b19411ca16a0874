"""No word, name or phrase of one particular transcript in the answerer's, indexer's or chat's code.

The seed's named entities are found by spaCy (the same packaged pipeline the index
uses); none may appear in ``qa/``, ``index/`` or ``ui/``, so that answers cannot lean on
knowledge of the seed.
"""

from __future__ import annotations

import re
from pathlib import Path

from index.nlp import nlp

ROOT = Path(__file__).resolve().parents[1]
_LABELS = {"PERSON", "GPE", "ORG", "NORP", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART",
           "PRODUCT", "LANGUAGE"}


def _seed_names(seed_text: str) -> set[str]:
    """The seed's names; a "name" whose every word the seed also writes in lower case
    ("the Treaty", "State") is an ordinary word spaCy tagged, not a name of the seed."""
    lines = [line for line in seed_text.splitlines() if line.strip()]
    ordinary = set(re.findall(r"\b[a-z][a-z’'-]+\b", seed_text))
    names = set()
    for doc in nlp().pipe(lines):
        for ent in doc.ents:
            if ent.label_ in _LABELS:
                name = re.sub(r"^(the|a|an)\s+", "", ent.text.strip(), flags=re.I)
                words = re.findall(r"[\w’'-]+", name.lower())
                if len(name) >= 3 and words and not all(w in ordinary for w in words):
                    names.add(name.lower())
    return {n for n in names if not _common_noun(n)}


def _common_noun(word: str) -> bool:
    """A single word the tagger reads as a common noun even in lower case ("treaty")."""
    if " " in word:
        return False
    return nlp()(f"They spoke about the {word} yesterday.")[4].tag_ in ("NN", "NNS")


def _code() -> dict[str, str]:
    files = [f for pkg in ("qa", "index", "ui") for f in sorted((ROOT / pkg).rglob("*.py"))]
    return {str(f.relative_to(ROOT)): f.read_text(encoding="utf-8").lower() for f in files}


def test_the_code_names_nothing_of_the_seed(seed_doc: object) -> None:
    names = _seed_names(seed_doc.text)  # type: ignore[attr-defined]
    assert len(names) > 50  # the check has something to check
    found = []
    for path, text in _code().items():
        for name in names:
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                found.append(f"{path}: {name!r}")
    assert not found, "seed names in the code:\n" + "\n".join(sorted(found))


def test_the_check_finds_a_seed_name(seed_doc: object) -> None:
    names = _seed_names(seed_doc.text)  # type: ignore[attr-defined]
    planted = "lookup = {'" + sorted(n for n in names if " " not in n)[0] + "': 1}"
    assert any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", planted) for n in names)
