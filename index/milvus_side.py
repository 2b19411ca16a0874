"""The local side of a Milvus index: each generation's sentence table and linguistics.

The answerer reads every candidate passage's sentences (spans and vectors) and their
stored analyses (:mod:`index.linguistics`) on each question; they stay on local disk
beside the collection, one folder a generation (``milvus-gen-<G>/``, the same files a
local index folder has), written to a temp folder and renamed, so a generation's side
is whole or absent. The current and the previous generation's sides are kept.

    >>> side_folder(Path("idx"), 3).name
    'milvus-gen-3'
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from index.durable import sync_dir, sync_tree
from index.linguistics import Linguistics
from index.milvus_meta import Generation
from index.sentvec import SentenceTable

__all__ = [
    "drop_old_sides", "kept_sentences", "previous_linguistics", "previous_table", "side_folder",
    "write_side",
]


def side_folder(folder: Path, number: int) -> Path:
    """Where generation ``number`` keeps its local files (the sentence table)."""
    return folder / f"milvus-gen-{number}"


def write_side(folder: Path, number: int, table: SentenceTable,
               linguistics: Linguistics) -> None:
    """Generation ``number``'s sentence table and linguistics, in a temp folder renamed
    into place."""
    final = side_folder(folder, number)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=folder))
    tmp.chmod(0o755)
    try:
        table.save(tmp)
        linguistics.save(tmp)
        sync_tree(tmp)
        if final.exists():  # left by a build of this number that died before its commit
            shutil.rmtree(final)
        os.rename(tmp, final)
        sync_dir(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def drop_old_sides(folder: Path, number: int) -> None:
    """Keep the sentence tables of generations ``number`` and ``number - 1`` only."""
    for path in folder.glob("milvus-gen-*"):
        tail = path.name.rsplit("-", 1)[-1]
        if tail.isdigit() and int(tail) < number - 1:
            shutil.rmtree(path, ignore_errors=True)


def kept_sentences(old: SentenceTable | None, same: set[str]) -> SentenceTable | None:
    if old is None:
        return None
    return old.take([i for i, (d, _, _) in enumerate(old.spans) if d in same])


def previous_table(folder: Path, prev: Generation | None) -> SentenceTable | None:
    if prev is None:
        return None
    try:
        return SentenceTable.load(side_folder(folder, prev.number))
    except (OSError, ValueError):
        return None  # built elsewhere: its documents are re-split (and embedded once more)


def previous_linguistics(folder: Path, prev: Generation | None) -> Linguistics | None:
    """``prev``'s stored analyses, reused by content hash (none: every sentence parsed)."""
    if prev is None:
        return None
    try:
        return Linguistics.load(side_folder(folder, prev.number))
    except (OSError, ValueError):
        return None
