"""Chapter 3: LASSO by FISTA (astrolab) against scikit-learn's coordinate descent.

Rows:

* imaging a mock EHT observation (the crescent of notebook 03-sparsity/02) at 32 x 32 and 64 x 64
  pixels: ours works on the Fourier *operator* (never forming the matrix), scikit-learn needs the
  dense real matrix [Re F; Im F] / sigma; both with non-negativity and the same objective, and the
  same budget of 1000 iterations (FISTA steps, coordinate-descent sweeps); the quality column
  compares the objectives reached (negative: ours is lower, i.e. closer to the minimum);
* a dense N > M regression (200 data, 2000 unknowns, 20 non-zero).
"""

from __future__ import annotations

import functools

import astropy.units as u
import numpy as np

LAM_IMAGING = 1e3
ITERATIONS = 1000


@functools.cache
def imaging_problem(n_pix: int):
    from astrolab.datasets import make_eht_mock
    from astrolab.sparse import FourierOperator

    mock = make_eht_mock(image_shape=(n_pix, n_pix), pixel_size=(96 / n_pix) * u.uas, seed=0, integration=6 * u.min)
    op = mock.operator
    weighted = FourierOperator(op.u, op.v, op.image_shape, op.pixel_size, weights=1 / mock.sigma)
    b = mock.vis / mock.sigma
    dense = np.column_stack([weighted.matvec(e) for e in np.eye(n_pix * n_pix)])
    X = np.vstack([dense.real, dense.imag])
    y = np.concatenate([b.real, b.imag])
    return weighted, b, X, y


def objective(X, y, w, lam):
    r = y - X @ w
    return 0.5 * r @ r + lam * np.abs(w).sum()


def ours_imaging(n_pix):
    from astrolab.sparse import fista

    op, b, _, _ = imaging_problem(n_pix)
    x, _ = fista(op, b, LAM_IMAGING, nonneg=True, tol=1e-12, max_iter=ITERATIONS)
    return x


def sklearn_imaging(n_pix):
    from sklearn.linear_model import Lasso

    _, _, X, y = imaging_problem(n_pix)
    model = Lasso(alpha=LAM_IMAGING / len(y), positive=True, fit_intercept=False, tol=1e-12, max_iter=ITERATIONS)
    return model.fit(X, y).coef_


@functools.cache
def regression_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2000)) / np.sqrt(200)
    w = np.zeros(2000)
    w[rng.choice(2000, 20, replace=False)] = rng.normal(0, 2, 20)
    return X, X @ w + 0.05 * rng.normal(size=200)


def cases():
    import warnings

    from _harness import Case
    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    def imaging_quality(n_pix):
        def quality(ours, theirs):
            _, _, X, y = imaging_problem(n_pix)
            a, b = objective(X, y, ours, LAM_IMAGING), objective(X, y, theirs, LAM_IMAGING)
            return f"objective ours/sklearn - 1 = {a / b - 1:+.1e}"
        return quality

    out = [Case("3a", f"LASSO imaging, {n}x{n} pixels, 380 scan-averaged visibilities, x >= 0",
                ("astrolab fista on the Fourier operator", lambda n=n: ours_imaging(n)),
                ("sklearn Lasso (dense matrix, coordinate descent)", lambda n=n: sklearn_imaging(n)),
                quality=imaging_quality(n), setup=lambda n=n: imaging_problem(n))
           for n in (32, 64)]

    lam = 0.02

    def ours_dense():
        from astrolab.sparse import fista

        return fista(*regression_problem(), lam, tol=1e-10, max_iter=50_000)[0]

    def sklearn_dense():
        from sklearn.linear_model import Lasso

        X, y = regression_problem()
        return Lasso(alpha=lam / len(y), fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y).coef_

    def dense_quality(ours, theirs):
        X, y = regression_problem()
        return f"objective ours/sklearn - 1 = {objective(X, y, ours, lam) / objective(X, y, theirs, lam) - 1:+.1e}"

    out.append(Case("3a", "LASSO regression, 200 data x 2000 unknowns (20 non-zero)",
                    ("astrolab fista", ours_dense), ("sklearn Lasso (coordinate descent)", sklearn_dense),
                    quality=dense_quality, setup=regression_problem))
    return out
