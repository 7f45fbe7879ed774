"""The memory high-water mark of a block of code, as the operating system sees it (RSS)."""

from __future__ import annotations

import gc
import threading

from astrolab._validation import check_real

__all__ = ["MemoryMonitor"]

_MIB = 2**20


class MemoryMonitor:
    """Context manager that records the peak resident memory (RSS) of this process.

    A background thread samples the RSS every ``interval`` seconds. RSS counts every allocation,
    numpy's, pandas' and Arrow's alike (``tracemalloc`` sees only Python's); its weakness is that
    memory freed earlier but kept by an allocator can be reused without showing up, so compare
    two methods in fresh processes when the numbers matter (``make bench`` does).

    Parameters
    ----------
    interval : float, default 0.002
        Seconds between samples.

    Attributes
    ----------
    baseline : int
        RSS in bytes when the block started.
    peak : int
        Largest RSS in bytes seen during the block.
    increase : int
        ``peak - baseline``: the memory the block needed, in bytes.

    Examples
    --------
    >>> import numpy as np

from astrolab._validation import check_real
    >>> with MemoryMonitor() as mem:
    ...     x = np.ones(50_000_000 // 8)  # 50 MB
    >>> mem.peak >= mem.baseline > 0
    True

    In a fresh process ``mem.increase`` is then about 50e6; in a long-lived one it can be less, when the
    block reuses memory an earlier computation freed (the weakness above).
    """

    def __init__(self, interval: float = 0.002):
        check_real("interval", interval, finite=False)  # dimensionless Quantities pass
        if not interval > 0:
            raise ValueError(f"interval must be a positive number of seconds, got {interval!r}")
        self.interval = interval
        self.baseline = self.peak = 0
        self._stop = threading.Event()
        self._thread = None

    @staticmethod
    def rss() -> int:
        """Current resident memory of this process, in bytes."""
        import psutil

        return psutil.Process().memory_info().rss

    def _sample(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    def __enter__(self):
        gc.collect()
        self.baseline = self.peak = self.rss()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.peak = max(self.peak, self.rss())
        self._stop.set()
        self._thread.join()
        return False

    @property
    def increase(self) -> int:
        return self.peak - self.baseline

    def __repr__(self) -> str:
        return (f"MemoryMonitor(peak={self.peak / _MIB:.0f} MiB, "
                f"increase={self.increase / _MIB:.0f} MiB over {self.baseline / _MIB:.0f} MiB)")
