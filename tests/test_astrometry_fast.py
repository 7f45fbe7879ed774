"""The fast LSQR of chapter 3b (PyTorch sparse CSR products) against scipy's LSQR."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import lsqr

from astrolab.datasets import make_astrometry
from astrolab.sparse import TorchCSROperator, astrometric_solution, design_matrix, lsqr_torch


@pytest.fixture(scope="module")
def field():
    data = make_astrometry(n_stars=150, n_obs_per_star=40, n_attitude_knots=12, noise=200.0, seed=5)
    return data, data.w - data.w_ref


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def test_lsqr_torch_matches_scipy_on_random_matrix():
    A = sp.random(400, 80, density=0.05, random_state=1, format="csr") + sp.eye(400, 80, format="csr")
    b = np.random.default_rng(1).normal(size=400)
    x, istop, itn, r1norm, _, anorm, acond, *_ = lsqr(A, b, atol=1e-12, btol=1e-12)
    sol = lsqr_torch(A, b, atol=1e-12, btol=1e-12)
    assert (sol.istop, sol.n_iter) == (istop, itn)
    assert _rel(sol.x, x) < 1e-10
    assert sol.r1norm == pytest.approx(r1norm, rel=1e-10)
    assert sol.anorm == pytest.approx(anorm, rel=1e-10)
    assert sol.acond == pytest.approx(acond, rel=1e-8)


def test_lsqr_torch_iteration_limit_and_zero_rhs():
    A = sp.random(60, 20, density=0.2, random_state=2, format="csr") + sp.eye(60, 20, format="csr")
    b = np.random.default_rng(2).normal(size=60)
    ref = lsqr(A, b, atol=0.0, btol=0.0, conlim=0.0, iter_lim=3)
    sol = lsqr_torch(A, b, atol=0.0, btol=0.0, conlim=0.0, iter_lim=3, num_threads=1)
    assert (sol.istop, sol.n_iter) == (7, 3) == (ref[1], ref[2])
    assert _rel(sol.x, ref[0]) < 1e-12
    zero = lsqr_torch(A, np.zeros(60))
    assert zero.istop == 0 and zero.n_iter == 0 and not zero.x.any()


def test_operator_products_match_csr_including_heavy_columns(field):
    data, _ = field
    D = design_matrix(data, data.n_stars, data.knots, sigma=data.sigma)
    D = D[np.argsort(data.star, kind="stable")]
    op = TorchCSROperator(D)
    assert op._pair.A_heavy is not None and op._pair.tail   # the attitude columns are summed by scatter
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=D.shape[1]), rng.normal(size=D.shape[0])
    assert np.allclose(op.matvec(x), D @ x, rtol=1e-13, atol=1e-12)
    assert np.allclose(op.rmatvec(y), D.T @ y, rtol=1e-13, atol=1e-12)
    # heavy columns that are not the last ones: the general assembly
    P = D[:, np.roll(np.arange(D.shape[1]), 7)]
    opp = TorchCSROperator(P)
    assert not opp._pair.tail
    assert np.allclose(opp.rmatvec(y), P.T @ y, rtol=1e-13, atol=1e-12)


def test_astrometric_solution_torch_equals_scipy(field):
    data, b = field
    ref = astrometric_solution(data, data.n_stars, data.knots, b, data.sigma)
    fast = astrometric_solution(data, data.n_stars, data.knots, b, data.sigma, backend="torch", num_threads=1)
    assert fast.backend == "torch" and fast.n_iter == pytest.approx(ref.n_iter, abs=2)
    assert _rel(fast.x, ref.x) < 1e-10
    assert fast.chi2 == pytest.approx(ref.chi2, rel=1e-12)
    assert np.allclose(fast.residual, ref.residual, rtol=0, atol=1e-8)   # residual in the caller's row order


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"backend": "numba"}, "backend"),
    ({"backend": "torch", "matrix_free": True}, "matrix_free"),
    ({"backend": "dask"}, "client"),
    ({"backend": "torch", "num_threads": 0}, "num_threads"),
    ({"backend": "torch", "device": "nonsense"}, "device"),
])
def test_astrometric_solution_backend_validation(field, kwargs, match):
    data, b = field
    with pytest.raises(ValueError, match=match):
        astrometric_solution(data, data.n_stars, data.knots, b, data.sigma, **kwargs)


def test_lsqr_torch_validation():
    A = sp.eye(5, format="csr")
    with pytest.raises(TypeError, match="A must be a scipy sparse"):
        lsqr_torch(np.eye(5), np.ones(5))
    with pytest.raises(ValueError, match="b must be 1-D"):
        lsqr_torch(A, np.ones(4))
    with pytest.raises(ValueError, match="atol"):
        lsqr_torch(A, np.ones(5), atol=-1.0)
    with pytest.raises(ValueError, match="iter_lim"):
        lsqr_torch(A, np.ones(5), iter_lim=0)
    with pytest.raises(ValueError, match="b must not contain NaN"):
        lsqr_torch(A, np.full(5, np.nan))
