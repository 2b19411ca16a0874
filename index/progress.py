"""Progress of an index build's embedding: events with rate and ETA, a bar for the terminal.

A build reports to a callback given to :func:`reporting` (for any build started inside
the block, whichever store it writes to; ``qa.load(on_progress=...)`` uses it), else,
when asked for progress, draws :class:`ProgressBar` on stderr. The bar shows only for
builds that last more than a couple of seconds. The ETA counts characters left, not
texts: a build embeds short sentences and long passages at very different rates.

    >>> p = Progress(done=50, total=200, seconds=10.0, work_done=5_000, work_total=20_000)
    >>> p.rate, p.eta, p.fraction
    (5.0, 30.0, 0.25)
    >>> seen = []
    >>> with reporting(seen.append):
    ...     current() is not None
    True
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["OnProgress", "Progress", "ProgressBar", "current", "reporting"]


@dataclass(frozen=True)
class Progress:
    """Texts embedded so far of those known to need it, and the characters they hold."""

    done: int
    total: int
    seconds: float
    work_done: int = 0
    work_total: int = 0
    finished: bool = False

    @property
    def rate(self) -> float:
        """Texts a second so far."""
        return self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def fraction(self) -> float:
        """Share of the known work done, by characters (texts when no sizes are known)."""
        if self.work_total:
            return min(1.0, self.work_done / self.work_total)
        return min(1.0, self.done / self.total) if self.total else 1.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far; ``None`` before anything is done."""
        if self.fraction <= 0 or self.seconds <= 0:
            return None
        return self.seconds * (1 - self.fraction) / self.fraction


OnProgress = Callable[[Progress], None]
_current: contextvars.ContextVar[OnProgress | None] = contextvars.ContextVar(
    "qa_build_progress", default=None)


@contextlib.contextmanager
def reporting(callback: OnProgress | None) -> Iterator[None]:
    """Builds started in this block (this thread and context) report to ``callback``."""
    token = _current.set(callback)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> OnProgress | None:
    """The callback of the innermost :func:`reporting` block, if any."""
    return _current.get()


class ProgressBar:
    """A tqdm bar on stderr: ``embedding  41%|████  | 2,310/5,600 texts, 312 texts/s [0:07<0:10]``.

    Call it with :class:`Progress` events; it appears after ``delay`` seconds only.
    """

    def __init__(self, *, delay: float = 2.0, desc: str = "embedding",
                 mininterval: float = 0.5) -> None:
        self._delay, self._desc, self._every = delay, desc, mininterval
        self._bar: Any = None

    def __call__(self, p: Progress) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=1000, desc=self._desc, delay=self._delay, leave=False,
                             mininterval=self._every,
                             bar_format="{desc} {percentage:3.0f}%|{bar}| {postfix} "
                                        "[{elapsed}<{remaining}]")
        self._bar.set_postfix_str(f"{p.done:,}/{p.total:,} texts, {p.rate:.0f} texts/s",
                                  refresh=False)
        self._bar.update(round(p.fraction * 1000) - self._bar.n)
        if p.finished:
            self._bar.close()
