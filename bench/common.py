"""What every benchmark shares: timing statistics, memory, the machine, results.

    >>> s = Stat.of([0.010, 0.012, 0.011])
    >>> round(s.median * 1000)
    11
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Figure",
    "Stat",
    "dir_bytes",
    "machine",
    "peak_rss_mb",
    "repeat",
    "rss_mb",
    "run_python",
    "table",
    "write_json",
]


@dataclass(frozen=True)
class Stat:
    """Median and spread of repeated measurements (seconds, or any unit)."""

    median: float
    p95: float
    min: float
    max: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        if not values:
            return cls(float("nan"), float("nan"), float("nan"), float("nan"), 0)
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(statistics.median(ordered), p95, ordered[0], ordered[-1], len(ordered))

    def scaled(self, factor: float) -> Stat:
        """The same statistics in another unit (e.g. ×1000 for milliseconds)."""
        return Stat(self.median * factor, self.p95 * factor, self.min * factor,
                    self.max * factor, self.n)


@dataclass(frozen=True)
class Figure:
    """One reported figure: what, its statistics, its unit, and the target it answers."""

    name: str
    stat: Stat
    unit: str
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> list[str]:
        s = self.stat
        spread = f"{s.min:.4g}–{s.max:.4g}" if s.n > 1 else ""
        verdict = {True: "yes", False: "MISS", None: ""}[self.met]
        return [self.name, f"{s.median:.4g} {self.unit}", f"{s.p95:.4g}", spread, str(s.n),
                self.target, verdict]


def repeat(fn: Callable[[], object], n: int) -> list[float]:
    """Wall-clock seconds of ``n`` calls of ``fn``."""
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def rss_mb() -> float:
    """This process's resident memory now, in MiB (from /proc)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_bytes(folder: Path) -> int:
    """Bytes of all files under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_python(code: str, *, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run ``code`` in a fresh interpreter: its wall seconds (start-up included) and stdout."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed:\n{proc.stderr[-2000:]}")
    return seconds, proc.stdout


def machine() -> dict[str, Any]:
    """Cores, CPU model, RAM, load and versions: printed beside every result."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    import faiss
    import numpy

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kb / 2**20, 1),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "faiss": faiss.__version__,
    }


def table(figures: Sequence[Figure]) -> str:
    """A fixed-width table of figures for the terminal."""
    head = ["figure", "median", "p95", "spread", "n", "target", "met"]
    rows = [head] + [f.row() for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write results as JSON (figures as plain dicts)."""
    def plain(obj: Any) -> Any:
        if isinstance(obj, Figure | Stat):
            return asdict(obj)
        raise TypeError(f"not JSON: {type(obj).__name__}")

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=plain), encoding="utf-8")
