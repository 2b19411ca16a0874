"""Summaries of per-item rows: latency percentiles and per-group means.

    >>> percentiles([1.0, 2.0, 3.0, 4.0], [50, 95])
    {50: 2.5, 95: 3.85}
    >>> aggregate([{"type": "who", "em": 1}, {"type": "who", "em": 0}], by="type")["who"]
    {'n': 2, 'em': 0.5}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real

from index.errors import InvalidInputError

__all__ = ["aggregate", "percentiles"]


def percentiles(
    values: Iterable[float], ps: Sequence[float] = (50, 95)
) -> dict[float, float]:
    """Percentiles by linear interpolation between order statistics (numpy's default).

        >>> percentiles([10.0], [50, 95])
        {50: 10.0, 95: 10.0}
    """
    data = sorted(float(v) for v in values)
    if not data:
        raise InvalidInputError("no values to take percentiles of")
    if any(math.isnan(v) for v in data):
        raise InvalidInputError("values contain NaN")
    out: dict[float, float] = {}
    for p in ps:
        if not 0 <= p <= 100:
            raise InvalidInputError(f"percentile {p} is outside [0, 100]")
        pos = (len(data) - 1) * p / 100
        lo = math.floor(pos)
        hi = min(lo + 1, len(data) - 1)
        out[p] = data[lo] + (data[hi] - data[lo]) * (pos - lo)
    return out


def _numeric(value: object) -> float | None:
    """Numbers and bools count (bools as 0/1); None, NaN and anything else are skipped."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, Real) and not math.isnan(float(value)):
        return float(value)
    return None


def aggregate(
    rows: Iterable[Mapping[str, object]],
    by: str = "type",
    *,
    total: str | None = "all",
) -> dict[str, dict[str, float]]:
    """Per-group means of every numeric field of ``rows``, grouped by ``row[by]``.

    Each group also gets ``n`` (its row count); a field's mean is over the rows where it
    is a number, so undefined scores (None) do not drag it down. With ``total`` set, a
    group of that name summarises all rows. Groups keep first-seen order.

        >>> rows = [{"type": "date", "f1": 1.0, "rr": None}, {"type": "who", "f1": 0.5}]
        >>> aggregate(rows)
        {'date': {'n': 1, 'f1': 1.0}, 'who': {'n': 1, 'f1': 0.5}, 'all': {'n': 2, 'f1': 0.75}}
    """
    sums: dict[str, dict[str, float]] = {}
    counts: dict[str, dict[str, int]] = {}
    sizes: dict[str, int] = {}
    for row in rows:
        if by not in row:
            raise InvalidInputError(f"row has no {by!r} field to group by: {dict(row)!r}")
        if str(row[by]) == total:
            raise InvalidInputError(f"a row's {by!r} is {total!r}, the name of the total group")
        groups = [str(row[by])] + ([total] if total is not None else [])
        for group in groups:
            sizes[group] = sizes.get(group, 0) + 1
            for key, value in row.items():
                num = _numeric(value) if key != by else None
                if num is not None:
                    sums.setdefault(group, {})[key] = sums.get(group, {}).get(key, 0.0) + num
                    counts.setdefault(group, {})[key] = counts.get(group, {}).get(key, 0) + 1
    ordered = [g for g in sizes if g != total] + ([total] if total in sizes else [])
    return {
        g: {"n": sizes[g]} | {k: s / counts[g][k] for k, s in sums.get(g, {}).items()}
        for g in ordered
    }
