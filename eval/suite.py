"""Run the eval over several corpora and splits: each corpus indexed once per configuration.

A :class:`Selection` is one corpus to run (its transcripts and gold file); each is run on
each chosen split on its own, and every (corpus, split) gets its own reports.

    >>> [s.name for s in selections(None, None)]
    ['seed', 'sotu', 'talk']
    >>> [len(v) for v in split_groups(load_gold(), ("dev", "test"), None).values()]
    [254, 72]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.corpus import CORPORA_DIR, corpus_names, get_corpus
from eval.gold import DEFAULT_GOLD, GoldItem, filter_gold, load_gold
from eval.results import Report
from index.errors import InvalidInputError

__all__ = ["EACH_SPLIT", "Selection", "SuiteRun", "run_suite", "selections", "split_groups"]

EACH_SPLIT = ("dev", "test")


@dataclass(frozen=True)
class Selection:
    """One corpus to evaluate: a name, its transcripts, its gold file."""

    name: str
    transcripts: Path
    gold: Path
    title: str = ""
    source: str = ""


@dataclass(frozen=True)
class SuiteRun:
    """The reports (one per configuration) of one corpus on one split."""

    corpus: Selection
    split: str  # "dev", "test" or "all"
    reports: tuple[Report, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``corpus/split``, also the run's folder under the report folder."""
        return f"{self.corpus.name}/{self.split}"


def selections(
    corpus: str | Path | None, gold: Path | None, *, root: Path = CORPORA_DIR,
    default_corpus: Path | None = None,
) -> list[Selection]:
    """What to run: every corpus under ``root`` by default; ``corpus`` naming one of them
    selects it; a ``gold`` file or a ``corpus`` path selects that pair (seed gold and
    transcripts where one is left out)."""
    names = corpus_names(root)
    if gold is None and corpus is None:
        return [_named(n, root) for n in names]
    if gold is None and str(corpus) in names:
        return [_named(str(corpus), root)]
    transcripts = Path(corpus) if corpus is not None else default_corpus
    if transcripts is None:
        from qa.api import default_corpus as shipped

        transcripts = shipped()
    if corpus is not None and not transcripts.exists():
        raise InvalidInputError(
            f"--corpus {corpus}: neither an eval corpus ({', '.join(names)}) nor a file or folder"
        )
    return [Selection(transcripts.stem or "corpus", transcripts, gold or DEFAULT_GOLD)]


def _named(name: str, root: Path) -> Selection:
    c = get_corpus(name, root)
    return Selection(c.name, c.transcripts, c.gold, c.title, c.source)


def split_groups(
    items: Sequence[GoldItem], splits: Sequence[str], types: Sequence[str] | None
) -> dict[str, list[GoldItem]]:
    """The items of each split (``"all"``: every item), leaving out empty ones."""
    groups = {s: filter_gold(items, split=None if s == "all" else s, types=types) for s in splits}
    return {s: g for s, g in groups.items() if g}


def _run_one(
    sel: Selection, splits: Sequence[str], configs: Sequence[str], opts: Mapping[str, Any]
) -> list[SuiteRun]:
    from eval.runner import run_splits

    items = load_gold(sel.gold)
    groups = split_groups(items, splits, opts.get("types"))
    if not groups:
        return []
    root = opts.get("index_root")
    by_split = run_splits(configs, groups, corpus=sel.transcripts,
                          index_root=Path(root) / sel.name if root else None,
                          ks=opts["ks"], progress=opts.get("progress", True),
                          embed_backend=opts.get("embed_backend"), llm=opts.get("llm"))
    return [SuiteRun(sel, s, tuple(by_split[s])) for s in groups]


def run_suite(
    sels: Sequence[Selection], splits: Sequence[str], configs: Sequence[str], **opts: Any
) -> list[SuiteRun]:
    """Every selection on every split, in order (a split without questions is left out).

    ``opts``: ``ks`` (required), ``types``, ``index_root``, ``progress``, ``embed_backend``,
    ``llm`` (see :func:`eval.runner.run_splits`).
    Raises when no selection has a question to run.
    """
    runs = [run for sel in sels for run in _run_one(sel, splits, configs, opts)]
    if not runs:
        what = f" of type(s) {', '.join(opts['types'])}" if opts.get("types") else ""
        raise InvalidInputError(
            f"no questions in split {' or '.join(repr(s) for s in splits)}{what} of "
            f"{', '.join(str(s.gold) for s in sels)}; try --split all"
        )
    return runs
