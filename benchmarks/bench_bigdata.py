"""Chapter 1: the same aggregation in memory (pandas/numpy) and out of core (Dask), at two sizes.

The task is what notebook 01-big-data/03 computes: a colour-magnitude density map and star counts
per HEALPix pixel of a Gaia-like catalogue stored as Parquet partitions of 100 000 rows. Times are
best-of-N in this process; peak memory is the growth of the resident set (RSS) during one call in a
fresh Python process, because most of the memory is Arrow's and tracemalloc does not see it.

The catalogues are written once into the astrolab data folder (``al.data_dir()``) and reused.

Run one measurement by hand::

    python benchmarks/bench_bigdata.py dask 1000000
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import numpy as np

SIZES = (1_000_000, 4_000_000)
ROWS_PER_PARTITION = 100_000
COLUMNS = ["ra", "dec", "phot_g_mean_mag", "bp_rp"]


@functools.cache
def catalog(n_rows: int) -> Path:
    import astrolab as al

    return al.datasets.write_sky_catalog(al.data_dir() / f"bench-sky-{n_rows}", n_rows,
                                         rows_per_partition=ROWS_PER_PARTITION, progressbar=False)


def aggregate_in_memory(path):
    import pandas as pd

    from astrolab.bigdata import cmd_counts, sky_counts

    df = pd.read_parquet(path, columns=COLUMNS)
    return cmd_counts(df), sky_counts(df)


def aggregate_out_of_core(path):
    import dask.dataframe as dd

    from astrolab.bigdata import cmd_counts, sky_counts

    ddf = dd.read_parquet(path, columns=COLUMNS)
    return cmd_counts(ddf), sky_counts(ddf)


def _measure(method: str, n_rows: int) -> float:
    """Peak RSS growth (MiB) of one aggregation, after a warm-up on one partition (imports, pools)."""
    from astrolab.bigdata import MemoryMonitor

    path = catalog(n_rows)
    func = {"pandas": aggregate_in_memory, "dask": aggregate_out_of_core}[method]
    func(sorted(path.glob("*.parquet"))[0])
    with MemoryMonitor() as mem:
        func(path)
    return mem.increase / 2**20


def _memory_in_fresh_process(method: str, n_rows: int) -> float:
    out = subprocess.run([sys.executable, __file__, method, str(n_rows)], capture_output=True, text=True,
                         check=True, timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


def cases():
    from _harness import Case

    def quality(ours, ref):
        same = all(np.array_equal(a, b) for a, b in zip(ours, ref, strict=True))
        return f"identical counts: {same} ({int(ours[1].sum()):,} stars)"

    out = []
    for n in SIZES:
        out.append(Case(
            "1",
            f"CMD map + HEALPix counts, {n:.0e} rows in {n // ROWS_PER_PARTITION} Parquet partitions",
            ("Dask out of core (dd.read_parquet)", lambda n=n: aggregate_out_of_core(catalog(n))),
            ("pandas/numpy in memory (pd.read_parquet)", lambda n=n: aggregate_in_memory(catalog(n))),
            quality=quality,
            setup=lambda n=n: catalog(n),
            memory=lambda side, n=n: _memory_in_fresh_process("dask" if side == "ours" else "pandas", n),
        ))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("pandas", "dask"):
        sys.exit("usage: python benchmarks/bench_bigdata.py {pandas|dask} N_ROWS")
    print(f"{_measure(sys.argv[1], int(sys.argv[2])):.1f}")
