"""Chapter 5b: DBSCAN (astrolab, k-d tree + connected components) against scikit-learn's DBSCAN.

Three rows, 1e4, 1e5 and 1e6 points: a mock Gaia volume (``make_gaia_volume``) in
(x, y, z, v_l, v_b) with 1 pc per km/s for the first two (eps = 5, N_min = 10, as in notebook
05-machine-learning/02), and for 1e6 a uniform 3-D box with clumps (eps chosen for ~10 neighbours
per point) so that the case stays affordable (one timed call, no warm-up). Quality: the labels are
compared exactly (same numbering) and by the adjusted Rand index.
"""

from __future__ import annotations

import functools

import numpy as np

EPS, MIN_SAMPLES = 5.0, 10


@functools.cache
def gaia_features(n_field):
    import astropy.units as u

    from astrolab.datasets._gaia import make_gaia_volume

    radius = 150 * u.pc * (n_field / 50_000) ** (1 / 3)
    cat, _ = make_gaia_volume(n_field=n_field, n_clusters=max(3, n_field // 2000), radius=radius, seed=0)
    return np.column_stack([cat[c].value for c in ("x", "y", "z", "v_l", "v_b")])


@functools.cache
def box_features(n):
    rng = np.random.default_rng(0)
    n_clump = n // 10
    centres = rng.uniform(0, 100, (n_clump // 100, 3))
    clumps = centres[rng.integers(0, len(centres), n_clump)] + rng.normal(0, 0.2, (n_clump, 3))
    return np.vstack([rng.uniform(0, 100, (n - n_clump, 3)), clumps])


def cases():
    from _harness import Case
    from sklearn.cluster import DBSCAN as SklearnDBSCAN
    from sklearn.metrics import adjusted_rand_score

    from astrolab.ml._dbscan import DBSCAN

    def quality(ours, theirs):
        return (f"labels identical: {np.array_equal(ours, theirs)}; ARI {adjusted_rand_score(ours, theirs):.6f}; "
                f"{ours.max() + 1} clusters")

    rows = []
    for n_field, label in ((10_000, "1e4"), (100_000, "1e5")):
        def data(n_field=n_field):
            return gaia_features(n_field)

        rows.append(Case("5b", f"DBSCAN, ~{label} mock Gaia stars, 5-D (eps={EPS}, N_min={MIN_SAMPLES})",
                         ("astrolab DBSCAN (cKDTree pairs + connected components)",
                          lambda data=data: DBSCAN(eps=EPS, min_samples=MIN_SAMPLES).fit_predict(data())),
                         ("sklearn.cluster.DBSCAN",
                          lambda data=data: SklearnDBSCAN(eps=EPS, min_samples=MIN_SAMPLES).fit_predict(data())),
                         quality=quality, setup=data))
    eps_box = 0.3 * 100 / (1e6) ** (1 / 3) * 10 ** (1 / 3)  # ~10 neighbours in the uniform part
    rows.append(Case("5b", "DBSCAN, 1e6 points in a 3-D box with clumps (N_min=10)",
                     ("astrolab DBSCAN (cKDTree pairs + connected components)",
                      lambda: DBSCAN(eps=eps_box, min_samples=MIN_SAMPLES).fit_predict(box_features(1_000_000))),
                     ("sklearn.cluster.DBSCAN",
                      lambda: SklearnDBSCAN(eps=eps_box, min_samples=MIN_SAMPLES).fit_predict(box_features(1_000_000))),
                     quality=quality, setup=lambda: box_features(1_000_000), max_repeat=1, warmup=False))
    return rows
