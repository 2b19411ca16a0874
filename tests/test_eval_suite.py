"""``qa eval`` over several corpora: a report per corpus and split, one summary across them
(hashing embedder, small corpora of the test's own, and the shipped ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import index.embed
from eval.gold import load_gold
from qa.cli import main

ROOT = Path(__file__).resolve().parents[1]
HEADER = "---\ntitle: {title}\nspeaker: {who}\ndate: {date}\n---\n\n"
TALKS = {
    "2001-Ames": ("2001 Address (Ann Ames)", "Ann Ames", "2001-01-30",
                  "We will build forty new bridges across the northern rivers this year.\n\n"
                  "The harbour at Lowmouth reopens in May, after the winter floods.\n"),
    "2011-Bell": ("2011 Address (Bo Bell)", "Bo Bell", "2011-02-01",
                  "Our schools will teach every child to swim before the age of ten.\n\n"
                  "The bridges Ann Ames began now carry a million crossings a month.\n"),
}
BETA = [
    {"id": "b1", "question": "How many bridges did Ames promise over the rivers up north?",
     "answers": ["forty"], "evidence": ["We will build forty new bridges"], "answerable": True,
     "type": "numeric", "split": "dev", "doc": "2001-Ames"},
    {"id": "b2", "question": "By what age should children be able to swim, according to Bell?",
     "answers": ["ten"], "evidence": ["teach every child to swim before the age of ten"],
     "answerable": True, "type": "numeric", "split": "test", "doc": "2011-Bell"},
    {"id": "b3", "question": "How much did the Lowmouth harbour repairs cost?", "answers": [],
     "evidence": [], "answerable": False, "type": "unanswerable", "split": "test",
     "doc": "2001-Ames"},
]


@pytest.fixture(autouse=True)
def _fast_and_isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(
        index.embed, "make_embedder", lambda backend=None: index.embed.HashingEmbedder()
    )
    monkeypatch.setenv("QA_INDEX_ROOT", str(tmp_path / "indexes"))


def _corpus(root: Path, name: str, transcripts: str, gold: list[dict[str, object]]) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold),
                                       encoding="utf-8")
    (folder / "corpus.json").write_text(json.dumps({
        "name": name, "title": f"the {name} corpus", "transcripts": transcripts,
        "gold": "gold.jsonl", "source": "written for this test"}), encoding="utf-8")


@pytest.fixture
def corpora(tmp_path: Path) -> Path:
    root = tmp_path / "corpora"
    seed = [i.to_dict() for i in load_gold() if i.id in {"q002", "q085", "q114", "q129"}]
    _corpus(root, "alpha", str(ROOT / "seeds"), seed)
    _corpus(root, "beta", "talks", BETA)
    for doc, (title, who, date, body) in TALKS.items():
        path = root / "beta" / "talks" / f"{doc}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(HEADER.format(title=title, who=who, date=date) + body, encoding="utf-8")
    return root


def _eval(corpora: Path, out: Path, *args: str) -> int:
    return main(["eval", "--corpora", str(corpora), "--no-progress", "--out", str(out), *args])


def test_every_corpus_and_split_gets_its_report_and_one_summary(
    corpora: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert _eval(corpora, out, "--k", "1", "5") == 0
    printed = capsys.readouterr().out
    assert "alpha/dev" in printed and "beta/test" in printed and "tutorial (baseline)" in printed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    runs = [(r["corpus"], r["split"]) for r in summary["runs"]]
    assert runs == [("alpha", "dev"), ("alpha", "test"), ("beta", "dev"), ("beta", "test")]
    for corpus, split in runs:
        data = json.loads((out / corpus / split / "report.json").read_text(encoding="utf-8"))
        assert data["meta"]["corpus_name"] == corpus and data["meta"]["split"] == split
        assert {i["split"] for i in data["configs"][0]["items"]} == {split}
        assert [c["name"] for c in data["configs"]] == ["hybrid", "tutorial"]
        md = (out / corpus / split / "report.md").read_text(encoding="utf-8")
        assert "## Definitions" in md and "| metric | hybrid | tutorial (baseline) |" in md
        assert (out / corpus / split / "per_type.png").stat().st_size > 1000
    top = (out / "report.md").read_text(encoding="utf-8")
    assert "[beta/test](beta/test/report.md)" in top and "## Definitions" in top
    assert "the beta corpus" in top and "| beta/test | hybrid |" in top
    assert (out / "corpora.png").stat().st_size > 1000
    beta_test = json.loads((out / "beta/test/report.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in beta_test["configs"][0]["items"]] == ["b2", "b3"]


def test_one_corpus_by_name_and_one_split_in_the_folder_itself(
    corpora: Path, tmp_path: Path
) -> None:
    out = tmp_path / "one"
    assert _eval(corpora, out, "--corpus", "beta", "--no-baseline") == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["beta"]
    single = tmp_path / "single"
    assert _eval(corpora, single, "--corpus", "beta", "--split", "test", "--no-baseline") == 0
    data = json.loads((single / "report.json").read_text(encoding="utf-8"))
    assert data["meta"]["split"] == "test" and data["meta"]["gold"].endswith("gold.jsonl")
    assert "## Definitions" in (single / "report.md").read_text(encoding="utf-8")


def test_against_an_earlier_folder_compares_each_run(
    corpora: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert _eval(corpora, out, "--no-baseline") == 0
    capsys.readouterr()
    assert _eval(corpora, out, "--no-baseline", "--against", str(out)) == 0
    printed = capsys.readouterr().out
    assert "## alpha/dev" in printed and "### hybrid against" in printed
    assert "## What changed" in (out / "beta" / "test" / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--corpus", "gamma"], "neither an eval corpus (alpha, beta) nor a file or folder"),
        (["--against", "FILE"], "one report.json compares one run"),
        (["--against", "DIR"], "no earlier report.json for alpha/dev"),
        (["--corpus", "beta", "--types", "speaker"], "no questions in split 'dev' or 'test'"),
    ],
)
def test_bad_selections_fail_with_one_line(
    corpora: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
    message: str,
) -> None:
    (tmp_path / "FILE").write_text("{}", encoding="utf-8")
    (tmp_path / "DIR").mkdir()
    args = [str(tmp_path / a) if a in {"FILE", "DIR"} else a for a in args]
    assert _eval(corpora, tmp_path / "o", *args) == 1
    err = capsys.readouterr().err
    assert err.startswith("qa: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_the_shipped_corpora_fit_the_documents_the_bot_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every gold set validates against its corpus as indexed (headers and all)."""
    out = tmp_path / "shipped"
    assert main(["eval", "--split", "test", "--compare", "lexical", "--no-baseline",
                 "--no-progress", "--k", "5", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [(r["corpus"], r["split"]) for r in summary["runs"]] == [
        ("seed", "test"), ("sotu", "test"), ("talk", "test")]
    counts = [r["configs"]["lexical"]["summary"]["n"] for r in summary["runs"]]
    assert counts == [72, 62, 50]
