"""Chapter 1 (the era of big data): tools for data too big to hold or to look at.

- :class:`MemoryMonitor` -- the memory high-water mark of a block of code;
- :func:`cmd_counts`, :func:`sky_counts` -- a colour-magnitude density map and star counts per
  HEALPix pixel, in memory (numpy/pandas) or out of core (the same functions accept a Dask
  DataFrame), with identical answers;
- :func:`detect_sources`, :func:`match_to_truth`, :func:`completeness_purity` -- a small automated
  source-detection pipeline and its scoring against injected truth.
"""

from astrolab.bigdata._aggregate import (
    CMD_COLOR_EDGES,
    CMD_MAG_EDGES,
    cmd_counts,
    healpix_grid,
    sky_counts,
)
from astrolab.bigdata._detect import completeness_purity, detect_sources, match_to_truth, score_pipeline
from astrolab.bigdata._memory import MemoryMonitor

__all__ = [
    "CMD_COLOR_EDGES",
    "CMD_MAG_EDGES",
    "MemoryMonitor",
    "cmd_counts",
    "completeness_purity",
    "detect_sources",
    "healpix_grid",
    "match_to_truth",
    "score_pipeline",
    "sky_counts",
]
