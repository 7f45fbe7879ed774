"""Toys for chapter 4: an expensive power-spectrum model and a star-cluster simulator.

``power_spectrum_model`` stands in for a Boltzmann code: a linear matter power spectrum (BBKS
transfer function, Bardeen et al. 1986) convolved with a Gaussian survey window by brute-force
numerical integration, so that one call costs several milliseconds of real computation.
``simulate_cluster`` draws a Plummer (1911) sphere in virial equilibrium (positions and velocities
from the distribution function, Aarseth, Hénon & Wielen 1974) and returns observable summaries: the
line-of-sight velocity dispersion and the projected half-number radius. It has no tractable
likelihood, which is what ABC is for.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from astrolab import _validation as _v
from astrolab._validation import as_float_array, check_real, check_size

__all__ = ["make_cluster_data", "make_power_spectrum_data", "power_spectrum_model", "simulate_cluster"]

G_PC = 4.30091e-3  # gravitational constant in pc (km/s)^2 / Msun
N_S = 0.965  # fixed primordial tilt
WINDOW_RADIUS = 20.0  # Mpc/h, Gaussian survey window
K_DATA = np.linspace(0.02, 0.25, 20)  # h/Mpc


def _bbks(q):
    return (np.log1p(2.34 * q) / (2.34 * q)
            * (1 + 3.89 * q + (16.1 * q) ** 2 + (5.46 * q) ** 3 + (6.71 * q) ** 4) ** -0.25)


def power_spectrum_model(theta, k=None, *, n_k=400, n_mu=48):
    """Window-convolved linear matter power spectrum: an expensive model with two parameters.

    ``P(k) = A * 1e4 * (k / 0.05)^n_s T(k / Gamma)^2`` (BBKS transfer function with shape parameter
    ``Gamma = Omega_m h``, ``n_s = 0.965`` fixed), convolved with a Gaussian window of radius
    ``R = 20 Mpc/h``: ``P_W(k) = int d^3k' P(k') |W(k - k')|^2 / int d^3q |W(q)|^2``. The integral
    over ``k'`` and the angle ``mu`` is done by brute force on a ``n_k x n_mu`` grid for every
    output ``k`` (the angular integral has a closed form; here it stands in for the expensive part
    of a real code): about 5 ms per call.

    Parameters
    ----------
    theta : array_like, shape (2,)
        ``(A, Gamma)``: amplitude (in units of 1e4 (Mpc/h)^3 at k = 0.05 h/Mpc before the transfer
        function) and shape parameter, both positive.
    k : array_like, optional
        Wavenumbers in h/Mpc (positive); default 20 bins from 0.02 to 0.25 h/Mpc.
    n_k, n_mu : int
        Quadrature points (cost and accuracy).

    Returns
    -------
    ndarray
        ``P_W(k)`` in (Mpc/h)^3.

    Examples
    --------
    >>> p = power_spectrum_model([2.0, 0.2], [0.05, 0.1])
    >>> p.shape, bool(p[0] > p[1] > 0)
    ((2,), True)
    >>> bool(np.allclose(power_spectrum_model([4.0, 0.2], [0.05]), 2 * power_spectrum_model([2.0, 0.2], [0.05])))
    True
    """
    theta = _v.check_array("theta", theta, finite=False)
    if theta.shape != (2,) or not np.all(np.isfinite(theta)) or not np.all(theta > 0):
        raise ValueError(f"theta must be (A, Gamma), two positive numbers, got {theta.tolist()!r}")
    k = K_DATA if k is None else np.atleast_1d(_v.check_array("k", k))
    if k.ndim != 1 or k.size == 0 or not np.all(k > 0):
        raise ValueError(f"k must be a 1-D array of positive wavenumbers (h/Mpc), got {k!r}")
    n_k = _v.check_int("n_k", n_k, min=2)
    n_mu = _v.check_int("n_mu", n_mu, min=1)
    _v.check_size("n_k", 8 * 4 * n_k * n_mu, request=f"n_k={n_k} with n_mu={n_mu}")
    # the quadrature grid must resolve the window (width 1 / R) up to the largest k
    need = int(np.ceil(2 * WINDOW_RADIUS * k.max() + 12))
    if n_k < need:
        raise ValueError(f"n_k={n_k} is too few quadrature points to resolve the window up to k={k.max():g} h/Mpc: "
                         f"use n_k >= {need} (or smaller k)")
    amp, gamma = theta
    kp = np.linspace(1e-4, k.max() + 6 / WINDOW_RADIUS, n_k)
    p_lin = amp * 1e4 * (kp / 0.05) ** N_S * _bbks(kp / gamma) ** 2
    mu, wmu = np.polynomial.legendre.leggauss(n_mu)
    r2 = WINDOW_RADIUS**2
    out = np.empty(k.size)
    for i, ki in enumerate(k):  # exponent -R^2 |k - k'|^2 <= 0, no overflow
        expo = -r2 * (ki**2 + kp[:, None] ** 2 - 2 * ki * kp[:, None] * mu[None, :])
        ang = np.exp(expo) @ wmu
        out[i] = 2 * np.pi * np.trapezoid(kp**2 * p_lin * ang, kp)
    return out / (np.pi / r2) ** 1.5


def make_power_spectrum_data(seed=None, *, truth=(2.0, 0.21), frac_error=0.08, correlation=0.3):
    """Mock band powers of the window-convolved spectrum, with a correlated Gaussian covariance.

    Parameters
    ----------
    seed : int, Generator or None
        Seed of :func:`numpy.random.default_rng`.
    truth : (float, float), default (2.0, 0.21)
        True ``(A, Gamma)``.
    frac_error : float, default 0.08
        1-sigma error of each band power, as a fraction of the true spectrum.
    correlation : float in [0, 1), default 0.3
        Correlation coefficient of neighbouring bins (decays as ``correlation^|i - j|``).

    Returns
    -------
    Bunch
        ``k`` (h/Mpc), ``power`` ((Mpc/h)^3), ``cov``, ``truth`` (dict with ``A``, ``Gamma``,
        ``theta`` and the noise-free ``power``) and ``param_names``.

    Examples
    --------
    >>> data = make_power_spectrum_data(seed=0)
    >>> data.power.shape, data.cov.shape, data.truth["A"]
    ((20,), (20, 20), 2.0)
    """
    check_real("frac_error", frac_error, finite=False)  # dimensionless Quantities pass
    if not 0 < frac_error < 1:
        raise ValueError(f"frac_error must be in (0, 1), got {frac_error!r}")
    check_real("correlation", correlation, finite=False)  # dimensionless Quantities pass
    if not 0 <= correlation < 1:
        raise ValueError(f"correlation must be in [0, 1), got {correlation!r}")
    rng = _v.check_rng("seed", seed)
    theta = as_float_array("truth", truth)
    mean = power_spectrum_model(theta, K_DATA)
    sig = frac_error * mean
    idx = np.arange(K_DATA.size)
    cov = sig[:, None] * sig[None, :] * correlation ** np.abs(idx[:, None] - idx[None, :])
    power = rng.multivariate_normal(mean, cov)
    return Bunch(k=K_DATA.copy(), power=power, cov=cov, param_names=["A", "Gamma"],
                 truth={"A": float(theta[0]), "Gamma": float(theta[1]), "theta": theta, "power": mean})


def _plummer(log10_mass, scale_radius, n_stars, rng):
    """Positions (pc) and velocities (km/s) of a Plummer sphere, drawn from its distribution function."""
    mass = 10.0**log10_mass
    r = scale_radius / np.sqrt(rng.uniform(1e-10, 1, n_stars) ** (-2 / 3) - 1)
    q = np.empty(0)
    while q.size < n_stars:  # g(q) = q^2 (1 - q^2)^(7/2), maximum below 0.1
        x, y = rng.uniform(0, 1, 2 * n_stars), rng.uniform(0, 0.1, 2 * n_stars)
        x2 = x * x
        one_minus = 1 - x2  # g by products and one sqrt: twice as fast as x**2 * (1 - x**2) ** 3.5, same draws
        q = np.concatenate([q, x[y < x2 * one_minus * one_minus * one_minus * np.sqrt(one_minus)]])
    v = q[:n_stars] * np.sqrt(2 * G_PC * mass / np.sqrt(r**2 + scale_radius**2))

    def iso(n):
        z = rng.uniform(-1, 1, n)
        phi = rng.uniform(0, 2 * np.pi, n)
        s = np.sqrt(1 - z**2)
        return np.column_stack([s * np.cos(phi), s * np.sin(phi), z])

    return r[:, None] * iso(n_stars), v[:, None] * iso(n_stars)


def _check_cluster_args(theta, n_stars, velocity_error):
    if hasattr(theta, "unit"):
        raise ValueError(f"theta must be plain numbers (log10 mass [Msun], scale radius [pc]), got {theta!r}")
    theta = as_float_array("theta", theta)
    if theta.shape != (2,) or not np.all(np.isfinite(theta)) or not theta[1] > 0:
        raise ValueError(f"theta must be (log10 mass [Msun], scale radius [pc] > 0), got {theta.tolist()!r}")
    if isinstance(n_stars, bool) or not (isinstance(n_stars, (int, np.integer)) and n_stars >= 10):
        raise ValueError(f"n_stars must be an integer >= 10, got {n_stars!r}")
    check_size("n_stars", 8.0 * 32 * n_stars, request=f"n_stars={n_stars}")  # positions, velocities, draws
    check_real("velocity_error", velocity_error, finite=False)  # dimensionless Quantities pass
    if not velocity_error >= 0:
        raise ValueError(f"velocity_error must be non-negative (km/s), got {velocity_error!r}")
    return theta


def simulate_cluster(theta, n_stars=200, seed=None, *, velocity_error=1.0, return_stars=False):
    """Observe a mock Plummer star cluster: line-of-sight velocity dispersion and half-number radius.

    ``n_stars`` member stars are drawn from a Plummer sphere of total mass ``10**log10_mass`` and scale
    radius ``a``; each star's line-of-sight velocity is measured with a Gaussian error
    ``velocity_error``. Summaries: the standard deviation of the measured velocities (km/s) and the
    median projected radius (pc; ``a`` for an infinite sample). A stochastic forward model without a
    likelihood one can write down: use it with ABC.

    Parameters
    ----------
    theta : array_like, shape (2,)
        ``(log10_mass [Msun], scale_radius [pc])``.
    n_stars : int, default 200
        Stars with measured velocities and positions.
    seed : int, Generator or None
        Seed of :func:`numpy.random.default_rng` (pass a Generator inside ABC).
    velocity_error : float, default 1.0
        Measurement error of each line-of-sight velocity, km/s.
    return_stars : bool, default False
        Also return the projected radii (pc) and measured velocities (km/s).

    Returns
    -------
    summaries : ndarray, shape (2,)
        ``(sigma_los [km/s], R_half [pc])``.
    stars : Bunch, only with ``return_stars``
        ``R`` and ``v_los``.

    Examples
    --------
    >>> s = simulate_cluster([4.5, 3.0], n_stars=2000, seed=0)
    >>> s.shape, bool(2.5 < s[1] < 3.5), bool(2 < s[0] < 3)
    ((2,), True, True)
    """
    theta = _check_cluster_args(theta, n_stars, velocity_error)
    rng = _v.check_rng("seed", seed)
    pos, vel = _plummer(theta[0], theta[1], n_stars, rng)
    radius = np.hypot(pos[:, 0], pos[:, 1])
    v_los = vel[:, 2] + velocity_error * rng.standard_normal(n_stars)
    summaries = np.array([np.std(v_los, ddof=1), np.median(radius)])
    if return_stars:
        return summaries, Bunch(R=radius, v_los=v_los)
    return summaries


def make_cluster_data(seed=None, *, truth=(4.5, 3.0), n_stars=200, velocity_error=1.0):
    """An observed mock cluster: summaries, stars and the truth.

    Parameters
    ----------
    seed : int, Generator or None
        Seed of :func:`numpy.random.default_rng`.
    truth : (float, float), default (4.5, 3.0)
        True ``(log10_mass [Msun], scale_radius [pc])``: a massive open / small globular cluster.
    n_stars, velocity_error
        As in :func:`simulate_cluster`.

    Returns
    -------
    Bunch
        ``summaries`` (sigma_los km/s, R_half pc), ``R`` (pc), ``v_los`` (km/s), ``n_stars``,
        ``velocity_error``, ``param_names``, ``truth`` (dict with ``log10_mass``, ``scale_radius``,
        ``theta``).

    Examples
    --------
    >>> obs = make_cluster_data(seed=1)
    >>> obs.summaries.shape, obs.truth["scale_radius"]
    ((2,), 3.0)
    """
    theta = _check_cluster_args(truth, n_stars, velocity_error)
    summaries, stars = simulate_cluster(theta, n_stars, seed, velocity_error=velocity_error, return_stars=True)
    return Bunch(summaries=summaries, R=stars.R, v_los=stars.v_los, n_stars=n_stars, velocity_error=velocity_error,
                 param_names=["log10_mass", "scale_radius"],
                 truth={"log10_mass": float(theta[0]), "scale_radius": float(theta[1]), "theta": theta})
