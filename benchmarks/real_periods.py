"""Periods of the real Stripe 82 RR Lyrae (dev sample): LASSO periodogram vs Lomb-Scargle, single band and multiband.

A measurement, not a test: run it by hand with the real-data mirror,

    OMP_NUM_THREADS=1 python benchmarks/real_periods.py [--mirror DIR] [--n-stars N] [--out results.json]

It reads ``rrlyrae-s82-dev/`` (Sesar et al. 2010; see its SOURCE.txt) directly from the mirror; the stars
are never copied into the repository. Every setting is a rule a user could apply to new ground-based data,
none was tuned on these stars:

- measurements with a non-finite magnitude or a non-positive error are dropped;
- frequency range 0.05-6 /d for every method (notebook 03-05's range), grid step ``1 / (5 T)``
  (Lomb-Scargle: 10 samples per peak; ``LombScargleMultiband`` with ``method="fast"``: its default
  "flexible" method takes about 45 s per star);
- every method's best frequency is refined by the same local non-linear least-squares fit of one
  sinusoid (per-band offsets, amplitudes and phases sharing the frequency in the multiband case);
- the LASSO's "real data" settings: ``error_scale="scatter"`` (errors rescaled by the scatter of the best
  single-frequency fit), ``alias_periods=(1, 365.25)`` (the ground-based window: day and year) and
  ``max_screened="auto"`` (a working set for FISTA, needed with ~10^5 trial frequencies and ~50 points).

A period is recovered when it is within 1 % of the published one. Failures are sorted into alias classes
relative to the published frequency ``f0``: harmonic (2 f0, f0 / 2), daily (``f0 +- m`` per day, |m| <= 3),
yearly (``f0 +- 1/365.25``) and other. Times are wall-clock per star (one thread).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

FMIN, FMAX = 0.05, 6.0
TOLERANCE = 0.01
REAL_DATA_OPTIONS = {"error_scale": "scatter", "alias_periods": (1.0, 365.25), "max_screened": "auto",
                     "nested": True}


def mirror():
    """The real-data mirror: ``$ASTROLAB_MIRROR`` or ``../shared/realdata`` beside the repository."""
    return Path(os.environ.get("ASTROLAB_MIRROR") or Path(__file__).resolve().parents[2] / "shared" / "realdata")


def load(mirror):
    root = Path(mirror) / "rrlyrae-s82-dev"
    periods = pd.read_csv(root / "periods.csv")
    for row in periods.itertuples():
        lc = pd.read_csv(root / "light-curves" / f"{row.Num}.csv")
        ok = np.isfinite(lc["time"]) & np.isfinite(lc["mag"]) & np.isfinite(lc["magerr"]) & (lc["magerr"] > 0)
        yield row.Num, row.Type, float(row.Per), lc[ok].reset_index(drop=True)


def methods():
    from astropy.timeseries import LombScargle, LombScargleMultiband

    from astrolab.sparse import LassoPeriodogram

    def ls_r(t, y, dy, band):
        f, p = LombScargle(t, y, dy).autopower(minimum_frequency=FMIN, maximum_frequency=FMAX, samples_per_peak=10)
        return f[np.argmax(p)]

    def ls_mb(t, y, dy, band):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f, p = LombScargleMultiband(t, y, band, dy).autopower(
                method="fast", sb_method="fast", minimum_frequency=FMIN, maximum_frequency=FMAX, samples_per_peak=10)
        return f[np.argmax(p)]

    def lasso(options, multiband):
        def run(t, y, dy, band):
            model = LassoPeriodogram(fmin=FMIN, fmax=FMAX, **options).fit(t, y, dy, bands=band if multiband else None)
            return model.frequencies_[0] if model.frequencies_.size else np.nan
        return run

    return {
        "LombScargle (r)": (ls_r, False),
        "LassoPeriodogram defaults (r)": (lasso({}, False), False),
        "LassoPeriodogram real-data options (r)": (lasso(REAL_DATA_OPTIONS, False), False),
        "LombScargleMultiband (ugriz)": (ls_mb, True),
        "LassoPeriodogram multiband, real-data options (ugriz)": (lasso(REAL_DATA_OPTIONS, True), True),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=str(mirror()))
    parser.add_argument("--n-stars", type=int, default=None)
    parser.add_argument("--methods", default=None, help="comma-separated substrings of method names")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    from astrolab.sparse import alias_class, refine_frequency

    chosen = methods()
    if args.methods:
        chosen = {k: v for k, v in chosen.items() if any(s in k for s in args.methods.split(","))}
    records = []
    for i, (num, kind, period, lc) in enumerate(load(args.mirror)):
        if args.n_stars is not None and i >= args.n_stars:
            break
        for name, (method, multiband) in chosen.items():
            data = lc if multiband else lc[lc["band"] == "r"]
            t, y, dy, band = (data[c].to_numpy() for c in ("time", "mag", "magerr", "band"))
            start = time.perf_counter()
            try:
                f = method(t, y, dy, band)
                f = refine_frequency(t, y, dy, f, bands=band if multiband else None) if np.isfinite(f) else f
                error = None
            except Exception as exc:  # noqa: BLE001 - a crash is a result here
                f, error = np.nan, f"{type(exc).__name__}: {exc}"
            seconds = time.perf_counter() - start
            cls = (alias_class(f, 1 / period, tolerance=TOLERANCE) if np.isfinite(f)
                   else "crash" if error else "nothing")
            records.append({"star": int(num), "type": kind, "method": name, "n_obs": int(t.size), "f": float(f),
                            "f_true": 1 / period, "class": cls, "seconds": seconds, "error": error})
    table = pd.DataFrame(records)
    if args.out:
        Path(args.out).write_text(json.dumps(records, indent=1))
    n = table["star"].nunique()
    print(f"{n} stars ({table.drop_duplicates('star')['type'].value_counts().to_dict()}), recovered within 1 %:")
    base = {False: "LombScargle (r)", True: "LombScargleMultiband (ugriz)"}
    for name, (_, multiband) in chosen.items():
        rows = table[table["method"] == name]
        rec = rows["class"] == "recovered"
        by_type = {k: f"{rec[rows['type'] == k].mean():.0%}" for k in ("ab", "c")}
        classes = rows["class"].value_counts().to_dict()
        t_med = rows["seconds"].median()
        ref = table[table["method"] == base[multiband]]["seconds"].median() if base[multiband] in chosen else np.nan
        print(f"  {name:55s} {rec.mean():6.1%} (ab {by_type['ab']}, c {by_type['c']})  crashes "
              f"{(rows['class'] == 'crash').sum()}  median {t_med:.3f} s/star ({t_med / ref:.1f}x {base[multiband]})"
              f"  classes {classes}")


if __name__ == "__main__":
    main()
