"""Evaluation of transcript-qa: the gold question set, pure metric functions and the runner.

Importing this package is cheap: it loads no model and no index; :func:`run` imports
the runner (and ``qa``) when called.

    >>> from eval import load_gold, token_f1
    >>> token_f1("the Volgograd", ["Volgograd"])
    1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from eval.gold import *  # noqa: F403 - the gold module defines the public list
from eval.gold import DEFAULT_GOLD, GoldItem
from eval.gold import __all__ as _gold_all
from eval.metrics import *  # noqa: F403 - the metrics module defines the public list
from eval.metrics import __all__ as _metrics_all

if TYPE_CHECKING:
    from eval.results import Report
    from qa.api import Bot

__all__ = ["run", *_gold_all, *_metrics_all]


def run(
    bot: Bot,
    gold: str | Path | Sequence[GoldItem] = DEFAULT_GOLD,
    *,
    ks: Sequence[int] = (1, 3, 5, 10),
    name: str = "hybrid",
    progress: bool = True,
) -> Report:
    """Ask ``bot`` every gold question and score it; see :func:`eval.runner.run`.

        >>> import qa, eval
        >>> report = eval.run(qa.load(), eval.filter_gold(eval.load_gold(), split="test"))
        ...                                                   # doctest: +SKIP
        >>> report.summary["right"], report.targets[0].mark   # doctest: +SKIP
        (0.8, '✅')
    """
    from eval.runner import run as _run

    return _run(bot, gold, ks=ks, name=name, progress=progress)
