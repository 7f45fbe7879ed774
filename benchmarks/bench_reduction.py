"""Chapter 2: the course's self-organizing map against MiniSom, at 10^4 and 10^5 spectra.

One full training each, on the same data, grid (10 x 10) and PCA initialisation: ours with the
batch algorithm for 10 epochs (one vectorised update per epoch, the neighbourhood shrinking from
5 nodes to 1), MiniSom with its online algorithm for one epoch (one update per sample, its
schedules running over that epoch). That is the choice a user faces, not a race of two identical
algorithms. The quality column gives the time per epoch of each and the quantization error
reached. The spectra are mock stellar spectra on a 100-pixel grid (10^5 of them take 80 MB).
"""

from __future__ import annotations

import functools
import time

import astropy.units as u
import numpy as np

SIZES = (10_000, 100_000)
GRID = 10


@functools.cache
def spectra(n: int) -> np.ndarray:
    from astrolab.datasets import make_stellar_spectra

    grid = np.linspace(380.0, 900.0, 100) * u.nm
    return make_stellar_spectra(n, wavelength=grid, resolution=300.0, snr=50.0, seed=0).flux


EPOCHS_OURS = 10


def ours(X):
    from astrolab.reduction import SelfOrganizingMap

    start = time.perf_counter()
    som = SelfOrganizingMap(n_rows=GRID, n_cols=GRID, n_epochs=EPOCHS_OURS, sigma=(GRID / 2, 1.0),
                            random_state=0).fit(X)
    per_epoch = (time.perf_counter() - start) / EPOCHS_OURS
    return som.quantization_error(X), per_epoch


def minisom(X):
    from minisom import MiniSom

    start = time.perf_counter()
    som = MiniSom(GRID, GRID, X.shape[1], sigma=GRID / 2, learning_rate=0.5, random_seed=0)
    som.pca_weights_init(X)
    som.train(X, len(X), random_order=True)
    return som.quantization_error(X), time.perf_counter() - start


def quality(a, b):
    return (f"per epoch {a[1] * 1e3:.0f} ms vs {b[1] * 1e3:.0f} ms; "
            f"quantization error {a[0]:.3f} vs {b[0]:.3f}")


def cases():
    from _harness import Case

    out = []
    for n in SIZES:
        out.append(Case(
            "2",
            f"SOM {GRID}x{GRID}, full training on {n:.0e} spectra x 100 pixels",
            (f"astrolab SelfOrganizingMap, batch, {EPOCHS_OURS} epochs", lambda n=n: ours(spectra(n))),
            ("MiniSom 2.3, online, 1 epoch", lambda n=n: minisom(spectra(n))),
            quality=quality,
            setup=lambda n=n: spectra(n),
        ))
    return out
