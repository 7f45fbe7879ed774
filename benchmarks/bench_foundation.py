"""Welcome chapter: what do astropy's conveniences cost, on catalogue-sized data?"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import astropy.units as u
import numpy as np
from _harness import Case
from astropy.table import QTable

from astrolab.datasets import make_star_catalog


def _distance_modulus_cases():
    rng = np.random.default_rng(0)
    d_values = 1000.0 * rng.random(1_000_000) ** (1 / 3)
    d_quantity = d_values * u.pc

    def with_units():
        return 5 * np.log10((d_quantity / (10 * u.pc)).to_value(u.dimensionless_unscaled))

    def plain_numpy():
        return 5 * np.log10(d_values / 10.0)

    def quality(a, b):
        return f"max abs diff {np.max(np.abs(a - b)):.1e} mag"

    return Case("0", "distance modulus, 1e6 stars", ("astropy Quantity", with_units),
                ("plain numpy", plain_numpy), quality)


def _table_io_cases():
    catalog, _ = make_star_catalog(max_distance=75 * u.pc, seed=0)
    catalog = catalog[:100_000]
    folder = Path(tempfile.mkdtemp(prefix="astrolab-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)

    def round_trip(fmt, suffix):
        def run():
            path = folder / f"catalog.{suffix}"
            catalog.write(path, format=fmt, overwrite=True)
            return QTable.read(path, format=fmt)
        return run

    def quality(a, b):
        exact = all(np.array_equal(t["parallax"], catalog["parallax"]) and
                    t["parallax"].unit == u.mas for t in (a, b))
        return "both round trips exact, units kept" if exact else "round trip NOT exact"

    return Case("0", f"write+read {len(catalog):,}-row catalogue", ("FITS (astropy)",
                round_trip("fits", "fits")), ("ECSV (astropy)", round_trip("ascii.ecsv", "ecsv")),
                quality)


def cases():
    return [_distance_modulus_cases(), _table_io_cases()]
