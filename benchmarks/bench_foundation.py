"""Welcome chapter: what do astropy's conveniences cost on catalogue-sized data?

Two rows:

* the distance modulus of a million stars, written as the course writes it (astropy Quantities,
  units checked by astropy) against the same arithmetic on bare floats;
* writing and reading back a 100 000-row star catalogue with astropy, as ECSV (the text format the
  course ships its tables in) against FITS (the binary format survey catalogues come in).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import astropy.units as u
import numpy as np
from _harness import Case
from astropy.table import QTable

from astrolab.datasets import make_star_catalog

N_STARS = 1_000_000
N_ROWS = 100_000


def distance_modulus_case() -> Case:
    """Distance modulus of 1e6 stars: astropy Quantity arithmetic vs plain numpy.

    Returns
    -------
    Case
    """

    @functools.cache
    def distances():
        rng = np.random.default_rng(0)
        # uniform in a 1 kpc sphere; 1 - U lies in (0, 1], so no star sits at d = 0
        return 1000.0 * (1.0 - rng.random(N_STARS)) ** (1 / 3) * u.pc

    def with_units():
        d = distances()
        return 5 * np.log10(d / (10 * u.pc)) * u.mag

    def plain_numpy():
        d = distances().value  # a view of the same floats, in pc
        return 5 * np.log10(d / 10.0)

    def quality(ours, ref):
        return f"max abs diff {np.max(np.abs(ours.to_value(u.mag) - ref)):.1e} mag"

    return Case(
        "0",
        "distance modulus, 1e6 stars",
        ("astropy Quantity: 5 log10(d / 10 pc) mag", with_units),
        ("plain numpy on floats", plain_numpy),
        quality=quality,
        setup=distances,
    )


def catalogue_io_case() -> Case:
    """Write and read back a 1e5-row star catalogue with astropy: ECSV vs FITS.

    Returns
    -------
    Case
    """

    @functools.cache
    def catalogue():
        catalog, _ = make_star_catalog(max_distance=75 * u.pc, seed=0)  # ~106 000 stars
        if len(catalog) < N_ROWS:
            raise ValueError(f"make_star_catalog gave {len(catalog)} rows, need {N_ROWS}")
        return catalog[:N_ROWS]

    def round_trip(fmt, suffix):
        def run():
            with tempfile.TemporaryDirectory(prefix="astrolab-bench-") as folder:
                path = Path(folder) / f"catalog.{suffix}"
                catalogue().write(path, format=fmt)
                return QTable.read(path, format=fmt)

        return run

    def parallax_report(table):
        original = catalogue()["parallax"]
        back = table["parallax"]
        if not isinstance(back, u.Quantity) or back.unit != original.unit:
            return f"unit lost ({getattr(back, 'unit', None)!r})"
        if np.array_equal(back.value, original.value):
            return "round trip exact"
        return f"max diff {np.max(np.abs(back - original)):.1e}"

    def quality(ours, ref):
        return f"parallax: ECSV {parallax_report(ours)}, FITS {parallax_report(ref)}"

    return Case(
        "0",
        "write+read a 1e5-row star catalogue",
        ("ECSV text, astropy QTable", round_trip("ascii.ecsv", "ecsv")),
        ("FITS binary table, astropy QTable", round_trip("fits", "fits")),
        quality=quality,
        setup=catalogue,
    )


def cases() -> list[Case]:
    """The chapter's rows.

    Returns
    -------
    list of Case
    """
    return [distance_modulus_case(), catalogue_io_case()]
