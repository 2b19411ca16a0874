"""Evaluation of transcript-qa: the gold question set and pure metric functions.

Importing this package is cheap: it loads no model and no index.

    >>> from eval import load_gold, token_f1
    >>> token_f1("the Volgograd", ["Volgograd"])
    1.0
"""

from __future__ import annotations

from eval.gold import (
    ABSTAIN_TYPES,
    DEFAULT_GOLD,
    GOLD_TYPES,
    SPLITS,
    GoldFormatError,
    GoldItem,
    filter_gold,
    gold_counts,
    load_gold,
    locate_evidence,
    validate_gold,
)
from eval.metrics import *  # noqa: F403 - the metrics module defines the public list
from eval.metrics import __all__ as _metrics_all

__all__ = [
    "ABSTAIN_TYPES",
    "DEFAULT_GOLD",
    "GOLD_TYPES",
    "SPLITS",
    "GoldFormatError",
    "GoldItem",
    "filter_gold",
    "gold_counts",
    "load_gold",
    "locate_evidence",
    "validate_gold",
    *_metrics_all,
]
