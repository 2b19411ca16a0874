"""The failures a side-by-side run leaves: each miss's kind, and the section BENCHMARKS.md shows."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.common import Figure, Stat, write_json
from bench.failures import END, START, failures_markdown, kind_of, misses
from bench.targets import END as TABLE_END
from bench.targets import START as TABLE_START
from bench.targets import main


def _item(id: str, type: str = "factoid", *, answerable: bool = True, abstained: bool = False,
          right: bool = False, full: float | None = 1.0) -> SimpleNamespace:
    return SimpleNamespace(
        id=id, type=type, question=f"Question {id}?", answerable=answerable,
        abstained=abstained, right=right, answer=f"answer  of\n{id} " + "word " * 40,
        gold_answers=("gold", "other"), retrieval={} if full is None else {"full@5": full})


ITEMS = (
    _item("q1", right=True),
    _item("q2", "list"),
    _item("q3", "why", full=0.0),
    _item("q4", "speaker", abstained=True),
    _item("q5", "unanswerable", answerable=False, full=None),
    _item("q6", "out_of_scope", answerable=False, abstained=True, full=None),
    _item("q7", "list"),
)


def test_each_miss_has_one_kind() -> None:
    assert [kind_of(i) for i in ITEMS] == [
        None, "answer miss", "retrieval miss", "wrongly declined",
        "answered, should decline", None, "answer miss"]
    found = misses(SimpleNamespace(items=ITEMS))
    assert [m["id"] for m in found] == ["q2", "q3", "q4", "q5", "q7"]
    assert found[0]["gold"] == "gold; other"
    assert len(found[0]["answer"]) <= 90 and "\n" not in found[0]["answer"]


def _figures() -> list[Figure]:
    report = SimpleNamespace(items=ITEMS)
    extra = {"corpus": "talk", "questions": len(ITEMS), "misses": misses(report)}
    return [Figure("stack talk: build ours", Stat.of([1.0]), "s", extra=extra)]


def test_the_section_counts_kinds_and_types_and_shows_typical_questions() -> None:
    text = failures_markdown(_figures())
    head, *examples = text.splitlines()
    assert head.startswith("**talk** (5 of 7 test questions): 2 answer miss, 1 retrieval miss, "
                           "1 wrongly declined, 1 answered, should decline.")
    assert "By type: list 2," in head
    assert len(examples) == 5  # one of each kind first, then the second answer miss
    assert examples[0].startswith("- list, answer miss: “Question q2?” — said “answer of q2")
    assert "gold “gold; other”" in examples[0]
    assert examples[2] == ("- speaker, wrongly declined: “Question q4?” — declined; "
                           "gold “gold; other”")
    assert examples[3].startswith("- unanswerable, answered, should decline: “Question q5?” — said")
    assert "gold" not in examples[3] and "q7" in examples[4]


def test_main_writes_the_failures_between_their_markers(tmp_path: Path) -> None:
    results = tmp_path / "stack.json"
    write_json(results, {"figures": _figures()})
    bench_md = tmp_path / "BENCHMARKS.md"
    bench_md.write_text(f"{TABLE_START}\n{TABLE_END}\nx\n{START}\nold\n{END}\n", encoding="utf-8")
    assert main([str(results), "--benchmarks", str(bench_md)]) == 0
    text = bench_md.read_text(encoding="utf-8")
    assert "\nold\n" not in text and f"{START}\n**talk** (5 of 7" in text
    assert text.endswith(f"{END}\n")
    bench_md.write_text(f"{TABLE_START}\n{TABLE_END}\n", encoding="utf-8")  # no failures markers
    assert main([str(results), "--benchmarks", str(bench_md)]) == 0


@pytest.mark.parametrize("extra", [{}, {"corpus": "seed"}])
def test_figures_without_misses_give_no_section(extra: dict[str, str]) -> None:
    assert failures_markdown([Figure("f", Stat.of([1.0]), "s", extra=extra)]) == ""
