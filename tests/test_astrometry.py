"""Chapter 3b: JASMINE-like astrometry as sparse least squares (design matrix, operator, LSQR, AGIS)."""

import astropy.units as u
import numpy as np
import pytest

from astrolab.datasets._astrometry import along_scan_position, make_astrometry, parallax_factors
from astrolab.sparse._astrometry import (
    astrometric_solution,
    block_iterative_solution,
    design_matrix,
    design_operator,
    formal_errors,
    gauge_matrix,
)


@pytest.fixture(scope="module")
def data():
    return make_astrometry(n_stars=150, n_obs_per_star=80, n_attitude_knots=30, noise=200.0, seed=7)


@pytest.fixture(scope="module")
def solution(data):
    return astrometric_solution(data, data.n_stars, data.knots, data.w - data.w_ref, data.sigma)


def test_generator_is_deterministic_and_consistent(data):
    again = make_astrometry(n_stars=150, n_obs_per_star=80, n_attitude_knots=30, noise=200.0, seed=7)
    assert np.array_equal(data.w, again.w)
    assert data.w.shape == data.time.shape == (150 * 80,)
    assert np.all(np.bincount(data.star) == 80)
    assert np.allclose(data.truth.delta_params.mean(axis=0), 0.0, atol=1e-9)  # the reference defines the frame
    p_ra, p_dec = parallax_factors(data.time)
    assert np.allclose(p_ra, data.parallax_factor_ra) and np.allclose(p_dec, data.parallax_factor_dec)
    # Galactic centre, near the ecliptic: the parallax ellipse is almost a line of half-length 1 au
    assert 0.95 < np.abs(p_ra).max() <= 1.0 and np.abs(p_dec).max() < 0.2
    # Noise level: observed minus the truth's model scatters by sigma
    model = along_scan_position(data.truth.params, data.truth.attitude, data.knots, data.time, data.star,
                                data.scan_angle)
    assert np.std(data.w - model) == pytest.approx(200.0, rel=0.05)
    quantity_noise = make_astrometry(n_stars=3, n_obs_per_star=5, n_attitude_knots=2, noise=0.1 * u.mas)
    assert quantity_noise.sigma[0] == pytest.approx(100.0)


def test_design_matrix_matches_finite_differences_of_the_model():
    small = make_astrometry(n_stars=4, n_obs_per_star=6, n_attitude_knots=5, seed=2)
    D = design_matrix(small, small.n_stars, small.knots).toarray()
    x0 = np.concatenate([small.reference.params.ravel(), small.reference.attitude])
    n_star_cols = 5 * small.n_stars

    def model(x):
        return along_scan_position(x[:n_star_cols].reshape(-1, 5), x[n_star_cols:], small.knots, small.time,
                                   small.star, small.scan_angle)

    eps = 1.0  # uas (or uas/yr); the model is linear, so central differences are exact up to rounding
    numeric = np.column_stack([(model(x0 + eps * e) - model(x0 - eps * e)) / (2 * eps) for e in np.eye(x0.size)])
    assert np.allclose(D, numeric, atol=1e-6)
    # and the linearised model reproduces the data exactly without noise
    x_true = np.concatenate([small.truth.params.ravel(), small.truth.attitude])
    assert np.allclose(D @ (x_true - x0), model(x_true) - model(x0), atol=1e-6)
    sparse = design_matrix(small, small.n_stars, small.knots)
    assert sparse.format == "csr" and sparse.nnz == 7 * small.time.size
    assert np.all(np.diff(sparse.indptr) == 7)


def test_csr_and_operator_agree(data):
    D = design_matrix(data, data.n_stars, data.knots, sigma=data.sigma)
    op = design_operator(data, data.n_stars, data.knots, sigma=data.sigma)
    assert op.shape == D.shape == (data.time.size, 5 * data.n_stars + data.knots.size)
    rng = np.random.default_rng(0)
    x = rng.normal(size=D.shape[1])
    y = rng.normal(size=D.shape[0])
    assert np.allclose(op.matvec(x), D @ x, rtol=1e-12, atol=1e-12)
    assert np.allclose(op.rmatvec(y), D.T @ y, rtol=1e-12, atol=1e-12)
    # adjoint test: <y, A x> = <A^T y, x>
    assert np.isclose(y @ op.matvec(x), op.rmatvec(y) @ x, rtol=1e-12)


def test_lsqr_recovers_parallaxes(data, solution):
    assert solution.params.shape == (data.n_stars, 5) and solution.attitude.shape == data.knots.shape
    assert abs(solution.chi2_dof - 1) < 0.1
    assert solution.dof == data.time.size - (5 * data.n_stars + data.knots.size) + 5
    assert solution.istop in (1, 2) and solution.n_iter < 500
    err = formal_errors(data, data.n_stars, data.knots, data.sigma)
    resid = solution.params - data.truth.delta_params
    expected = np.sqrt(np.mean(err.params ** 2, axis=0))
    rms = np.sqrt(np.mean(resid ** 2, axis=0))
    # each parameter recovered to its formal error (150 stars: the rms is known to ~6 %)
    assert np.all(np.abs(rms / expected - 1) < 0.2), (rms, expected)
    assert np.sqrt(np.mean(resid[:, 2] ** 2)) < 0.5 * 300.0  # far better than the reference catalogue
    pulls = resid[:, 2] / err.params[:, 2]
    assert abs(pulls.mean()) < 0.3 and 0.8 < pulls.std() < 1.2
    att_rms = np.sqrt(np.mean((solution.attitude - data.truth.attitude) ** 2))
    assert att_rms < 3 * np.sqrt(np.mean(err.attitude ** 2))


def test_matrix_free_lsqr_gives_the_same_answer(data, solution):
    free = astrometric_solution(data, data.n_stars, data.knots, data.w - data.w_ref, data.sigma, matrix_free=True)
    assert free.nnz == 0 and solution.nnz == 7 * data.time.size
    assert np.allclose(free.x, solution.x, atol=1e-3)
    assert free.chi2 == pytest.approx(solution.chi2, rel=1e-9)


def test_block_iterative_agrees_with_lsqr(data, solution):
    block = block_iterative_solution(data, data.n_stars, data.knots, data.w - data.w_ref, data.sigma,
                                     return_history=True)
    assert block.converged
    assert np.all(np.diff(block.history) <= 1e-6 * block.history[0])  # Gauss-Seidel never raises chi2
    err = formal_errors(data, data.n_stars, data.knots, data.sigma)
    assert np.max(np.abs(block.params - solution.params) / err.params) < 0.02
    assert block.chi2 == pytest.approx(solution.chi2, rel=1e-6)


def test_gauge_is_needed():
    small = make_astrometry(n_stars=30, n_obs_per_star=40, n_attitude_knots=40, seed=4)
    D = design_matrix(small, small.n_stars, small.knots, sigma=small.sigma)
    Dn = D.toarray() / np.sqrt(D.multiply(D).sum(axis=0)).A1
    sv = np.linalg.svd(Dn, compute_uv=False)
    # five (nearly) null directions: the common shift of every star parameter, absorbed by the attitude
    assert sv[-5] < 0.1 * sv[-6]
    G = gauge_matrix(small.n_stars, small.knots.size, column_norms=np.sqrt(D.multiply(D).sum(axis=0)).A1)
    sv_g = np.linalg.svd(np.vstack([Dn, G.toarray()]), compute_uv=False)
    assert sv_g[-1] > 3 * sv[-1]
    assert np.allclose(np.asarray(G.multiply(G).sum(axis=1)).ravel(), 1.0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_stars=1), "n_stars"),
    (dict(n_stars=2.5), "n_stars"),
    (dict(n_obs_per_star=2), "n_obs_per_star"),
    (dict(n_attitude_knots=1), "n_attitude_knots"),
    (dict(noise=-1.0), "noise"),
    (dict(noise=1 * u.s), "noise"),
    (dict(mission_years=0), "mission_years"),
])
def test_generator_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_astrometry(**kwargs)


def test_solvers_reject_bad_inputs():
    small = make_astrometry(n_stars=5, n_obs_per_star=10, n_attitude_knots=4, seed=0)
    b = small.w - small.w_ref
    with pytest.raises(ValueError, match="knots"):
        design_matrix(small, small.n_stars, small.knots[::-1])
    with pytest.raises(ValueError, match="knots must span"):
        design_operator(small, small.n_stars, small.knots[1:])
    with pytest.raises(ValueError, match="obs\\['star'\\]"):
        design_matrix(small, 3, small.knots)
    with pytest.raises(ValueError, match="missing"):
        design_matrix({"time": small.time}, small.n_stars, small.knots)
    with pytest.raises(ValueError, match="sigma"):
        design_matrix(small, small.n_stars, small.knots, sigma=0.0)
    with pytest.raises(ValueError, match="b must be 1-D"):
        astrometric_solution(small, small.n_stars, small.knots, b[:-1], small.sigma)
    with pytest.raises(ValueError, match="gauge"):
        astrometric_solution(small, small.n_stars, small.knots, b, small.sigma, gauge="median")
    with pytest.raises(ValueError, match="max_iter"):
        block_iterative_solution(small, small.n_stars, small.knots, b, small.sigma, max_iter=0)
    with pytest.raises(ValueError, match="max_unknowns"):
        formal_errors(small, small.n_stars, small.knots, small.sigma, max_unknowns=10)
