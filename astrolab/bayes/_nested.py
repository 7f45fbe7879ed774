"""Nested sampling (Skilling 2004): the evidence, and posterior samples of multi-modal problems."""

from __future__ import annotations

import numbers

import numpy as np
from scipy import special

from astrolab._validation import check_rng, check_size

__all__ = ["NestedSampler"]


def _log_unit_ball(ndim):
    return 0.5 * ndim * np.log(np.pi) - special.gammaln(0.5 * ndim + 1)


class _Ellipsoid:
    """``{x : (x - c)^T A^-1 (x - c) <= 1}``, stored by its centre, the Cholesky factor and inverse of
    ``A``, and its log volume."""

    def __init__(self, center, chol, inv):
        self.center = center
        self.chol = chol
        self.inv = inv
        self.log_volume = _log_unit_ball(center.size) + np.sum(np.log(np.diag(chol)))

    @classmethod
    def bounding(cls, points, enlarge, log_volume_min):
        """The ellipsoid of the points' covariance that holds all of them, its volume times ``enlarge``
        and at least ``exp(log_volume_min)``."""
        n, ndim = points.shape
        center = points.mean(axis=0)
        cov = np.atleast_2d(np.cov(points, rowvar=False)) if n > 1 else np.eye(ndim)
        cov = cov + 1e-12 * np.eye(ndim) * max(float(np.trace(cov)) / ndim, 1e-10)  # never singular
        chol = np.linalg.cholesky(cov)
        inv = np.linalg.inv(cov)
        delta = points - center
        d2 = max(float(np.einsum("ij,jk,ik->i", delta, inv, delta).max()), 1e-300)
        log_volume = _log_unit_ball(ndim) + np.sum(np.log(np.diag(chol))) + 0.5 * ndim * np.log(d2)
        log_grow = max(np.log(enlarge), log_volume_min - log_volume)  # volume factor
        scale = d2 * np.exp(2 * log_grow / ndim)  # A = scale * cov
        return cls(center, chol * np.sqrt(scale), inv / scale)

    def contains(self, x):
        delta = x - self.center
        return np.einsum("ij,jk,ik->i", delta, self.inv, delta) <= 1

    def sample(self, n, rng):
        ndim = self.center.size
        z = rng.standard_normal((n, ndim))
        z *= (rng.uniform(size=n) ** (1 / ndim) / np.linalg.norm(z, axis=1))[:, None]
        return self.center + z @ self.chol.T


def _k_means(points, k, rng, n_iter=20):
    """Labels of a k-means clustering of the points, started from k random points."""
    centers = points[rng.choice(len(points), k, replace=False)]
    labels = np.full(len(points), -1)
    for _ in range(n_iter):
        new = np.argmin(((points[:, None, :] - centers[None]) ** 2).sum(axis=2), axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        centers = np.array([points[labels == j].mean(axis=0) if np.any(labels == j) else centers[j]
                            for j in range(k)])
    return labels


def _multi_ellipsoid(points, rng, enlarge, log_volume, n_total):
    """Cover the points with ellipsoids. A cluster is split in two (k-means) when that halves its
    volume, or when the ellipsoid is over twice its share of the expected prior volume and a split
    into 2, 4 or 8 (k-means) reduces the volume (a curved or ring-shaped cluster, which no two
    ellipsoids fit better than one). Each ellipsoid's volume is at least its share of the expected
    prior volume."""
    ndim = points.shape[1]

    def fit(p):
        return _Ellipsoid.bounding(p, enlarge, log_volume + np.log(len(p) / n_total))

    todo, done = [(points, fit(points))], []
    while todo:
        p, ell = todo.pop()
        too_big = ell.log_volume > np.log(2) + log_volume + np.log(len(p) / n_total)
        best = None
        for k in (2, 4, 8) if too_big else (2,):
            if len(p) < k * 2 * (ndim + 1):
                break
            labels = _k_means(p, k, rng)
            parts = [p[labels == j] for j in range(k)]
            if min(len(q) for q in parts) < ndim + 1:
                continue
            children = [fit(q) for q in parts]
            log_children = np.logaddexp.reduce([c.log_volume for c in children])
            if log_children < ell.log_volume + np.log(0.5) or (too_big and log_children < ell.log_volume):
                best = (parts, children)
                break
        if best is None:
            done.append(ell)
        else:
            todo.extend(zip(*best, strict=True))
    return done


class NestedSampler:
    """Skilling's nested sampling with multi-ellipsoid rejection sampling (a small MultiNest).

    Nested sampling computes the evidence ``Z = int L(theta) pi(theta) dtheta`` as a one-dimensional
    integral over the prior volume, ``Z = int_0^1 L(X) dX``, where ``X(L*)`` is the prior mass with
    likelihood above ``L*`` (Skilling 2004, 2006). It keeps ``n_live`` points drawn from the prior.
    At each iteration the point with the lowest likelihood ``L_i`` is removed ("dead") and replaced
    by a new prior draw with ``L > L_i``; the volume then shrinks on average as
    ``X_i = exp(-i / n_live)``. The dead points, weighted by ``L_i (X_{i-1} - X_i)``, add up to ``Z``
    and are weighted samples of the posterior; the live points left at the end add
    ``X_N * mean(L_live)``. The statistical error of ``ln Z`` is ``sqrt(H / n_live)`` with
    ``H = int P ln(P / pi)`` the information (the prior-to-posterior compression, in nats).

    The constrained draw (prior subject to ``L > L_i``) works in the unit cube of the prior
    transform. While the live points fill the cube it draws from the whole cube. Then the live
    points are covered by ellipsoids: one from their covariance, scaled to hold them all, split in
    two by k-means as long as the two children's volume is less than half the parent's (Feroz &
    Hobson 2008, Feroz et al. 2009). Each ellipsoid's volume is enlarged by ``enlarge`` and kept at
    least at its share of the expected volume ``X_i``, so that the ellipsoids do not cut off part of
    the region where ``L > L_i``. A point is drawn from a randomly chosen ellipsoid (chosen in
    proportion to volume), kept with probability ``1 / (number of ellipsoids containing it)`` so
    that the union is sampled uniformly, and kept only if it lies inside the cube and ``L > L_i``.
    The ellipsoids are rebuilt every ``update_interval * n_live`` likelihood calls. Separate modes
    get their own ellipsoids, which is why this handles multi-modal posteriors; strongly curved
    (banana-shaped) or high-dimensional (``ndim`` above ~20) posteriors make the rejection sampler
    slow, where slice sampling (dynesty, PolyChord) is the better tool.

    Parameters
    ----------
    log_likelihood : callable
        ``log_likelihood(theta) -> float`` for a parameter vector of length ``ndim``; ``-inf`` is
        allowed, NaN is not.
    prior_transform : callable
        ``prior_transform(u) -> theta``: maps a point ``u`` of the unit cube ``[0, 1)^ndim`` to the
        parameters, so that a uniform ``u`` gives a draw from the prior (as in dynesty), e.g.
        ``lambda u: 20 * u - 10`` for a uniform prior on ``[-10, 10]``.
    ndim : int
        Number of parameters.
    n_live : int, default 400
        Number of live points (more than ``ndim + 1``). The error of ``ln Z`` falls as
        ``1 / sqrt(n_live)`` and the run's cost grows as ``n_live``.
    enlarge : float, default 1.6
        Volume enlargement of each bounding ellipsoid (at least 1). 1.25 (dynesty's value) leaves a
        small positive bias of ln Z on the Gaussian shells, whose arcs the ellipsoids cut.
    update_interval : float, default 0.5
        Rebuild the ellipsoids after this many times ``n_live`` likelihood calls.
    seed : None, int or numpy.random.Generator
        Seed of ``np.random.default_rng``.

    Attributes
    ----------
    samples_ : ndarray, shape (n_samples, ndim)
        Dead points then the final live points, in parameter space, in order of increasing likelihood.
    log_likelihood_ : ndarray, shape (n_samples,)
        Their log-likelihoods.
    log_volume_ : ndarray, shape (n_samples,)
        The expected log prior volume ``ln X`` of each (``-i / n_live`` for the dead points).
    log_weights_, weights_ : ndarray, shape (n_samples,)
        Normalised posterior weights (``weights_`` sums to 1) and their logarithm.
    logz_, logz_err_ : float
        ``ln Z`` and its statistical error ``sqrt(H / n_live)``.
    information_ : float
        ``H`` in nats.
    n_iter_ : int
        Iterations (dead points).
    n_calls_ : int
        Likelihood calls, the initial ``n_live`` included.
    n_ellipsoids_ : ndarray, shape (n_iter_,)
        Number of bounding ellipsoids in use at each iteration (0 while drawing from the cube).
    live_points_, live_log_likelihood_ : ndarray
        The live points (parameter space) and their log-likelihoods when the run stopped.
    converged_ : bool
        Whether the run stopped on ``dlogz`` (rather than ``max_iter`` or ``max_calls``).

    Examples
    --------
    A unit 2-D Gaussian likelihood in the uniform prior box ``[-10, 10]^2``: ``Z = 1 / 400``.

    >>> def log_l(theta):
    ...     return -0.5 * theta @ theta - np.log(2 * np.pi)
    >>> ns = NestedSampler(log_l, lambda u: 20 * u - 10, 2, n_live=200, seed=1).run()
    >>> truth = -np.log(400)
    >>> bool(abs(ns.logz_ - truth) < 3 * ns.logz_err_)
    True
    >>> ns.resample(1000, seed=0).shape
    (1000, 2)
    """

    def __init__(self, log_likelihood, prior_transform, ndim, *, n_live=400, enlarge=1.6,
                 update_interval=0.5, seed=None):
        if not callable(log_likelihood):
            raise ValueError(f"log_likelihood must be callable, got {log_likelihood!r}")
        if not callable(prior_transform):
            raise ValueError(f"prior_transform must be callable, got {prior_transform!r}")
        if not (isinstance(ndim, (int, np.integer)) and not isinstance(ndim, bool) and ndim >= 1):
            raise ValueError(f"ndim must be a positive integer, got {ndim!r}")
        if not (isinstance(n_live, (int, np.integer)) and not isinstance(n_live, bool) and n_live > ndim + 1):
            raise ValueError(f"n_live must be an integer larger than ndim + 1 = {ndim + 1}, got {n_live!r}")
        if not (isinstance(enlarge, numbers.Real) and not isinstance(enlarge, bool) and 1 <= enlarge < np.inf):
            raise ValueError(f"enlarge must be a number >= 1, got {enlarge!r}")
        if not (isinstance(update_interval, numbers.Real) and not isinstance(update_interval, bool)
                and 0 < update_interval < np.inf):
            raise ValueError(f"update_interval must be a positive number, got {update_interval!r}")
        self.log_likelihood = log_likelihood
        self.prior_transform = prior_transform
        self.ndim = int(ndim)
        self.n_live = int(n_live)
        self.enlarge = float(enlarge)
        self.update_interval = float(update_interval)
        self.seed = seed

    # -- the pieces ------------------------------------------------------------------------------
    def _theta(self, u):
        theta = np.asarray(self.prior_transform(u), dtype=float)
        if theta.shape != (self.ndim,):
            raise ValueError(f"prior_transform must return an array of shape ({self.ndim},), got {theta.shape}")
        return theta

    def _loglike(self, theta):
        value = float(self.log_likelihood(theta))
        if np.isnan(value) or value == np.inf:
            raise ValueError(f"log_likelihood returned {value} at theta={theta}; it must be finite or -inf")
        self._calls += 1
        return value

    def _draw(self, ellipsoids, log_l_min, tie_min, rng, tie_rng, max_calls=np.inf):
        """A new point of the unit cube above the threshold: (u, theta, log L, tie), or None.

        A candidate is above the threshold when ``(log L, tie) > (log_l_min, tie_min)`` in
        lexicographic order: every point carries a uniform random tie-breaker, so that a likelihood
        plateau (equal log L on a region of the prior) still shrinks the prior volume by the expected
        factor (random tie-breaking, Fowlie, Handley & Su 2021). Returns None when the likelihood has
        been called ``max_calls`` times without finding one.
        """
        ndim = self.ndim
        if ellipsoids:
            log_v = np.array([e.log_volume for e in ellipsoids])
            prob = np.exp(log_v - log_v.max())
            prob /= prob.sum()
            centers = np.array([e.center for e in ellipsoids])
            chols = np.array([e.chol for e in ellipsoids])
            invs = np.array([e.inv for e in ellipsoids])
        batch = 16
        while True:
            if not ellipsoids:
                cand = rng.uniform(size=(batch, ndim))
            else:
                which = rng.choice(len(ellipsoids), size=batch, p=prob)
                z = rng.standard_normal((batch, ndim))
                z *= (rng.uniform(size=batch) ** (1 / ndim) / np.linalg.norm(z, axis=1))[:, None]
                cand = centers[which] + np.einsum("kij,kj->ki", chols[which], z)
                cand = cand[np.all((cand > 0) & (cand < 1), axis=1)]
                if len(ellipsoids) > 1 and len(cand):
                    delta = cand[:, None, :] - centers[None]  # (n_cand, n_ell, ndim)
                    inside = np.sum(np.einsum("nki,kij,nkj->nk", delta, invs, delta) <= 1, axis=1)
                    cand = cand[rng.uniform(size=len(cand)) * np.maximum(inside, 1) < 1]
            for u in cand:
                if self._calls >= max_calls:
                    return None
                theta = self._theta(u)
                log_l = self._loglike(theta)
                if log_l > log_l_min:
                    return u, theta, log_l, tie_rng.uniform()
                if log_l == log_l_min > -np.inf:
                    tie = tie_rng.uniform()
                    if tie > tie_min:
                        return u, theta, log_l, tie
            batch = min(2 * batch, 1024)  # the bound is loose: draw more candidates at once

    # -- the algorithm ---------------------------------------------------------------------------
    def run(self, dlogz=0.01, max_iter=None, max_calls=None, progress=False):
        """Run until the live points could add less than ``dlogz`` to ``ln Z``; returns ``self``.

        Parameters
        ----------
        dlogz : float, default 0.01
            Stop when ``ln(Z + L_max X_i) - ln Z < dlogz``, with ``L_max`` the best live likelihood:
            the remaining prior volume can no longer change ``ln Z`` by more than this.
        max_iter, max_calls : int, optional
            Stop after this many iterations or likelihood calls (then ``converged_`` is False).
        progress : bool, default False
            Show a tqdm progress bar with the running ``ln Z`` and ``dlogz``.

        Returns
        -------
        self : NestedSampler
        """
        if not (isinstance(dlogz, numbers.Real) and not isinstance(dlogz, bool) and 0 < dlogz < np.inf):
            raise ValueError(f"dlogz must be a positive number, got {dlogz!r}")
        for name, value in (("max_iter", max_iter), ("max_calls", max_calls)):
            if value is not None and not (isinstance(value, (int, np.integer)) and value >= 1):
                raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
        max_iter = np.inf if max_iter is None else max_iter
        max_calls = np.inf if max_calls is None else max_calls
        rng = check_rng("seed", self.seed)
        try:  # the tie-breakers use their own stream, so that runs without ties are unchanged
            tie_rng = rng.spawn(1)[0]
        except (TypeError, ValueError, AttributeError):  # a Generator without a SeedSequence
            tie_rng = np.random.default_rng(0)
        n = self.n_live
        # the live points in the cube and in parameter space, their likelihoods, ties and ellipsoid work
        check_size("n_live", 8.0 * n * (4 * self.ndim + 4), request=f"n_live={n} in {self.ndim} dimensions")
        self._calls = 0

        live_u = rng.uniform(size=(n, self.ndim))
        live_theta = np.array([self._theta(u) for u in live_u])
        live_logl = np.array([self._loglike(t) for t in live_theta])
        live_tie = tie_rng.uniform(size=n)
        dead_theta, dead_logl, n_ell = [], [], []
        log_z = -np.inf
        ellipsoids, calls_at_update = [], self._calls
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(desc="nested sampling", unit=" it")
        it = 0
        self.converged_ = False
        while it < max_iter and self._calls < max_calls:
            log_x = -it / n
            worst = int(np.lexsort((live_tie, live_logl))[0])  # lowest log L, ties broken at random
            log_l_min = live_logl[worst]
            # the rectangle rule for the running estimate; the final weights use the trapezoid rule
            log_z = np.logaddexp(log_z, log_l_min + log_x + np.log1p(-np.exp(-1 / n)))
            remaining = np.max(live_logl) + log_x - 1 / n
            delta = np.logaddexp(log_z, remaining) - log_z
            if delta < dlogz:
                self.converged_ = True
                break
            # rebuild the bound when due, and only once the ellipsoids are smaller than the cube
            if self._calls - calls_at_update >= self.update_interval * n or (it == 0):
                cover = _multi_ellipsoid(live_u, rng, self.enlarge, log_x - 1 / n, n)
                total = np.logaddexp.reduce([e.log_volume for e in cover])
                ellipsoids = cover if total < 0 else []
                calls_at_update = self._calls
            new = self._draw(ellipsoids, log_l_min, live_tie[worst], rng, tie_rng, max_calls)
            if new is None:  # max_calls reached while looking for a better point
                break
            dead_theta.append(live_theta[worst].copy())
            dead_logl.append(log_l_min)
            n_ell.append(len(ellipsoids))
            live_u[worst], live_theta[worst], live_logl[worst], live_tie[worst] = new
            it += 1
            if bar is not None and it % 50 == 0:
                bar.update(50)
                bar.set_postfix(logz=f"{log_z:.3f}", dlogz=f"{delta:.3f}", calls=self._calls)
        if bar is not None:
            bar.update(it % 50)
            bar.close()
        self._finish(np.array(dead_theta).reshape(-1, self.ndim), np.array(dead_logl),
                     live_theta, live_logl)
        self.n_ellipsoids_ = np.array(n_ell, dtype=int)
        self.n_calls_ = self._calls
        return self

    def _finish(self, dead_theta, dead_logl, live_theta, live_logl):
        n = self.n_live
        n_dead = dead_logl.size
        order = np.argsort(live_logl)
        # dead points: ln X_i = -(i + 1) / n. The live points continue the sequence as if removed one by
        # one without replacement: with n - k points left the expected shrinkage is exp(-1 / (n - k)).
        log_x_dead = -np.arange(1, n_dead + 1) / n
        log_x_live = -n_dead / n - np.cumsum(1 / np.arange(n, 0, -1))
        log_x = np.concatenate([log_x_dead, log_x_live])
        log_l = np.concatenate([dead_logl, live_logl[order]])
        log_x_prev = np.concatenate([[0.0], log_x[:-1]])
        log_dx = log_x_prev + np.log(-np.expm1(log_x - log_x_prev))  # ln(X_{i-1} - X_i)
        log_l_prev = np.concatenate([[log_l[0]], log_l[:-1]])
        log_w = np.logaddexp(log_l, log_l_prev) - np.log(2) + log_dx  # trapezoid rule
        # the last live point's rectangle down to X = 0 (trapezoid with L(0) = L_max)
        log_w[-1] = np.logaddexp(log_w[-1], log_l[-1] + log_x[-1])
        log_z = float(np.logaddexp.reduce(log_w))
        log_p = log_w - log_z
        p = np.exp(log_p)
        finite = p > 0
        info = float(np.sum(p[finite] * (log_l[finite] - log_z)))
        self.samples_ = np.concatenate([dead_theta, live_theta[order]])
        self.log_likelihood_ = log_l
        self.log_volume_ = log_x
        self.log_weights_ = log_p
        self.weights_ = p
        self.logz_ = log_z
        self.information_ = max(info, 0.0)
        self.logz_err_ = float(np.sqrt(self.information_ / n))
        self.n_iter_ = n_dead
        self.live_points_ = live_theta.copy()
        self.live_log_likelihood_ = live_logl.copy()

    def resample(self, n, seed=None):
        """``n`` equally weighted posterior samples, drawn from ``samples_`` by systematic resampling.

        Parameters
        ----------
        n : int
            Number of samples.
        seed : None, int or numpy.random.Generator
            Seed of ``np.random.default_rng``.

        Returns
        -------
        ndarray, shape (n, ndim)
        """
        if not hasattr(self, "samples_"):
            raise ValueError("resample needs a finished run: call run() first")
        if not (isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1):
            raise ValueError(f"n must be a positive integer, got {n!r}")
        rng = check_rng("seed", seed)
        cdf = np.cumsum(self.weights_)
        cdf /= cdf[-1]
        positions = (rng.uniform() + np.arange(n)) / n
        idx = np.minimum(np.searchsorted(cdf, positions), len(cdf) - 1)
        return self.samples_[rng.permutation(idx)]
