"""Photo-z from the SDSS-preset mock to real SDSS galaxies, one galaxy-to-galaxy variation at a time (issue 22).

A measurement, not a test: run it by hand with the real-data mirror,

    ASTROLAB_MIRROR=/work/shared/realdata OMP_NUM_THREADS=1 python benchmarks/real_photoz.py [--seeds 51-58]

It repeats section 6 of notebook 05-01 outside the notebook (the same cuts, split, forest and seeds; the
notebook's section-4 draws are replayed so that the real galaxies are shuffled as there) for each setting of
``make_photoz_catalog(survey="sdss", variation=...)``: none, each of ``"dust"``, ``"lines"`` and
``"photometry"`` alone, and all three (the default). For each it prints, per seed and as mean +- sd, the
forest's sigma_NMAD on held-out real galaxies over that of the forest trained on real galaxies: trained on the
mock alone, on the mock with colour zero-points from the survey's photometry, and with 100 and 300 real spectra
added; and the mock-vs-real KS statistics and the mock's medians of z, r and the colours. Without the mirror it
says so and exits with status 0. About 15 s per seed and setting on one core.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import RandomForestRegressor

import astrolab as al

SETTINGS = {"none": False, "dust": ("dust",), "lines": ("lines",), "photometry": ("photometry",), "all": True}
N_GALAXIES, N_TREES, N_TEST, N_SPECTRA, MGS_LIMIT = 8000, 100, 6000, (100, 300), 17.77
NAMES = ("z", "r", "u_g", "g_r", "r_i", "i_z")


def one_seed(sdss, seed, variation):
    rng = np.random.default_rng(seed)
    n_features = len(al.datasets.make_variable_features(10, seed=0)[0].colnames)
    rng.standard_normal((1500, n_features))  # notebook 05-01 section 4 draws from the same generator first
    u_edge = round(float(sdss["u"].max()), 1)
    real = sdss[(sdss["r"] < MGS_LIMIT) & (sdss["u"] < u_edge)]
    real = real.iloc[rng.permutation(len(real))].reset_index(drop=True)
    X_real = np.column_stack([real["r"], *(real[a] - real[b] for a, b in ("ug", "gr", "ri", "iz"))])
    z_real = real["redshift"].to_numpy()
    mock, truth = al.datasets.make_photoz_catalog(N_GALAXIES, survey="sdss", mag_limit={"r": MGS_LIMIT, "u": u_edge},
                                                  variation=variation, seed=seed)
    X_mock = np.column_stack([mock[c].value for c in ("mag_r", "u_g", "g_r", "r_i", "i_z")])
    z_mock = np.asarray(truth["z"])
    mock_cols, real_cols = np.column_stack([z_mock, X_mock]), np.column_stack([z_real, X_real])
    X_test, z_test = X_real[:N_TEST], z_real[:N_TEST]
    X_other, z_other = X_real[N_TEST:2 * N_TEST], z_real[N_TEST:2 * N_TEST]
    zero_points = np.median(X_other, axis=0) - np.median(X_mock, axis=0)
    zero_points[0] = 0.0
    sets = {"reference": (X_other, z_other), "mock alone": (X_mock, z_mock),
            "zero-points": (X_mock + zero_points, z_mock)}
    for n in N_SPECTRA:
        sets[f"+ {n} spectra"] = (np.vstack([X_mock + zero_points, X_other[:n]]), np.r_[z_mock, z_other[:n]])

    def sigma(X, z):
        forest = RandomForestRegressor(n_estimators=N_TREES, min_samples_leaf=3, random_state=seed, n_jobs=1)
        return al.ml.photoz_metrics(z_test, forest.fit(X, z).predict(X_test))["sigma_nmad"]

    sig = {name: sigma(*xz) for name, xz in sets.items()}
    row = {name: s / sig["reference"] for name, s in sig.items() if name != "reference"}
    row |= {f"KS {n}": stats.ks_2samp(m, r).statistic for n, m, r in zip(NAMES, mock_cols.T, real_cols.T, strict=True)}
    row |= {f"median {n}": float(np.median(m)) for n, m in zip(NAMES, mock_cols.T, strict=True)}
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="51-58", help="first-last (notebook 05-01 ships 51)")
    parser.add_argument("--settings", default=",".join(SETTINGS), help=f"comma-separated among {list(SETTINGS)}")
    args = parser.parse_args(argv)
    first, last = (int(s) for s in args.seeds.split("-"))
    try:
        sdss = al.datasets.fetch_sdss_colours(spec_class="GALAXY").catalog
    except al.datasets.DataUnavailableError as err:
        print(f"no real SDSS galaxies here ({err}); set ASTROLAB_MIRROR")
        return 0
    for name in args.settings.split(","):
        rows = pd.DataFrame([one_seed(sdss, seed, SETTINGS[name]) for seed in range(first, last + 1)])
        print(f"variation={name}: " + json.dumps({k: f"{rows[k].mean():.3f} +- {rows[k].std():.3f}" for k in rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
