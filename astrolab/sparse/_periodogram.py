"""A sparse (group-LASSO) periodogram: the fewest sinusoids that explain a light curve."""

from __future__ import annotations

import numbers

import numpy as np
from scipy import optimize, special
from sklearn.base import BaseEstimator

from astrolab._validation import as_float_array, check_array, check_int, check_real, check_size
from astrolab.sparse._lasso import fista

__all__ = ["LassoPeriodogram", "alias_class", "refine_frequency"]


def _design(t, f_start, step, n_f, block: int = 64, chunk: int = 256):
    """Columns ``sin(2 pi f t)`` for ``f = f_start + k step`` (``k < n_f``), then the ``cos`` of each ``f``.

    By angle addition, ``exp(i a (block j + m)) = exp(i a block j) exp(i a m)``: two small tables of
    exponentials and one product, instead of ``2 n_f`` sines and cosines at every time (as exact). The
    products are made ``chunk`` blocks at a time, straight into the output (no full complex copy).
    """
    n_blocks = -(-n_f // block)
    fine = np.exp(2j * np.pi * np.outer(t, step * np.arange(block)))
    out = np.empty((t.size, 2 * n_f))
    for b0 in range(0, n_blocks, chunk):
        b1 = min(b0 + chunk, n_blocks)
        coarse = np.exp(2j * np.pi * np.outer(t, f_start + step * block * np.arange(b0, b1)))
        lo, hi = b0 * block, min(b1 * block, n_f)
        z = (coarse[:, :, None] * fine[:, None, :]).reshape(t.size, -1)[:, :hi - lo]
        out[:, lo:hi] = z.imag
        out[:, n_f + lo:n_f + hi] = z.real
    return out


def _group_norms_mb(beta, n_f):
    """Norm of each frequency's sines and cosines over the bands; ``beta`` has shape ``(n_bands, 2 n_f)``."""
    return np.sqrt(np.sum(beta[:, :n_f]**2 + beta[:, n_f:]**2, axis=0))


def _unpack(params, n_bands):
    """``params = [c_1..c_B, f_1..f_k, a (B x k, band-major), b (B x k)]``; with one band ``[c, f, a, b]``."""
    k = (len(params) - n_bands) // (1 + 2 * n_bands)
    c, f = params[:n_bands], params[n_bands:n_bands + k]
    a = params[n_bands + k:n_bands + k + n_bands * k].reshape(n_bands, k)
    b = params[n_bands + k + n_bands * k:].reshape(n_bands, k)
    return c, f, a, b


def _sinusoids(t, params, band=None, n_bands=1):
    """Offset + sum of a_k sin + b_k cos at free frequencies shared by the bands (``band``: index per time)."""
    band = np.zeros(t.size, dtype=int) if band is None else band
    c, f, a, b = _unpack(params, n_bands)
    arg = 2 * np.pi * np.outer(t, f)
    return c[band] + np.sum(np.sin(arg) * a[band] + np.cos(arg) * b[band], axis=1)


def _sinusoids_jacobian(t, params, band=None, n_bands=1):
    """Derivatives of :func:`_sinusoids` with respect to ``params``, shape ``(t.size, params.size)``."""
    band = np.zeros(t.size, dtype=int) if band is None else band
    c, f, a, b = _unpack(params, n_bands)
    arg = 2 * np.pi * np.outer(t, f)
    sin, cos = np.sin(arg), np.cos(arg)
    onehot = (band[:, None] == np.arange(n_bands)).astype(float)
    d_f = 2 * np.pi * t[:, None] * (a[band] * cos - b[band] * sin)
    d_a = (onehot[:, :, None] * sin[:, None, :]).reshape(t.size, -1)
    d_b = (onehot[:, :, None] * cos[:, None, :]).reshape(t.size, -1)
    return np.concatenate([onehot, d_f, d_a, d_b], axis=1)


def _rises(before, after):
    """Whether the BIC rose: by more than the refit's precision (the same model refitted is a tie, not a rise)."""
    return after > before + 1e-6 * abs(before)


class _SparseInput:
    """A dense matrix as an operator for :func:`fista` whose products with ``x`` skip the zeros of ``x``.

    FISTA's iterates on the screened frequencies are mostly zero, so ``X @ x`` over the non-zero columns
    costs a fraction of the full product (``X^T @ y`` stays dense).
    """

    def __init__(self, matrix):
        self.matrix = matrix
        self.shape = matrix.shape

    def matvec(self, x):
        nz = np.flatnonzero(x)
        if nz.size > self.shape[1] // 4:
            return self.matrix @ x
        return self.matrix[:, nz] @ x[nz]

    def rmatvec(self, y):
        return self.matrix.T @ y


class LassoPeriodogram(BaseEstimator):
    """Sparse spectrum of an unevenly sampled time series by (group) LASSO over a frequency grid.

    The light curve is modelled as ``y(t) = c + sum_j a_j sin(2 pi f_j t) + b_j cos(2 pi f_j t)`` on a
    grid of frequencies ``f_j``, with more columns than data (``2 n_freq > n_obs``), and the
    weighted LASSO ``1/2 sum ((y - model) / sigma)^2 + lam sum_j ||(a_j, b_j)||`` picks the few
    frequencies that matter (Kato & Uemura 2012). ``group=True`` penalises each sine/cosine pair
    together, so the answer does not depend on the phase. ``lam`` is chosen along a path from
    ``lam_max`` (nothing selected) by the Bayesian information criterion of the least-squares
    refit of the selected frequencies (``"bic"``, the extended BIC, see ``ebic_gamma``), or fixed.
    The selected frequencies are then refined by non-linear least squares, which also gives their
    uncertainties.

    With ``bands`` (multiband photometry), the frequencies are shared by the bands and each band has
    its own offset, amplitudes and phases: a group is one frequency's sine and cosine in every band,
    the natural group LASSO (the sparse counterpart of astropy's ``LombScargleMultiband``).

    The number of components is capped by the data: the refit has ``B + k (1 + 2 B)`` parameters for
    ``k`` components in ``B`` bands, and it is kept to at most half the number of measurements.

    Parameters
    ----------
    fmin, fmax : float
        Frequency range in cycles per unit of time (e.g. 1/d).
    oversampling : float, default 5
        Grid step ``1 / (oversampling * T)`` with ``T`` the time span.
    lam : float or "bic", default "bic"
        The penalty, as a fraction of ``lam_max``, or chosen by BIC along ``n_lambdas`` values from 1
        down to ``lam_min_ratio``.
    group : bool, default True
        Group LASSO over (sin, cos) pairs; ``False`` is the plain LASSO.
    n_lambdas, lam_min_ratio : int, float
        The path for ``lam="bic"``.
    max_components : int, default 12
        Keep at most this many frequencies (the strongest) for the refit; fewer when the data cannot
        constrain them (at least two measurements per refitted parameter).
    max_iter, tol : int, float
        Iterations per ``lam`` and relative tolerance of the solver, :func:`astrolab.sparse.fista` (with
        the sine and cosine of each frequency as one group when ``group``).
    ebic_gamma : float, default 1
        Weight of the search penalty of the extended BIC (Chen & Chen 2008),
        ``chi2 + 3 k ln N + 2 gamma ln C(n_freq, k)`` (``(1 + 2 B) k ln N`` in ``B`` bands): with
        thousands of trial frequencies the best noise peak always improves chi2 by about
        ``2 ln n_freq``, so the plain BIC (``gamma = 0``) lets noise in. This is the look-elsewhere
        effect, in the language of model selection.
    max_amplitude : float or None, default 1
        Reject a model on the path whose refit has a component with a semi-amplitude above this
        fraction of the data's peak-to-peak range (in any band): two aliases cancelling each other.
        ``None`` accepts any amplitude.
    error_scale : None or "scatter", default None
        ``"scatter"``: real photometric errors are often underestimated, so multiply ``dy`` by
        ``sqrt(chi2 / dof)`` of the best single-frequency fit (the highest peak of ``|X^T r|``,
        refined), when above 1, before anything else. ``None`` trusts ``dy``.
    alias_periods : sequence of float or None, default None
        Periods of the window function (e.g. ``(1.0, 365.25)`` days for ground-based data). The
        strongest frequency ``f`` is compared with ``f + sum_i m_i / P_i`` (``|m_i| <= 2``) by the chi2 of a
        Fourier series (up to 3 harmonics, per-band amplitudes); when an alias wins, the model becomes
        that series, refined (the other components are dropped).

    max_screened : int, "auto" or None, default None
        Frequencies entering FISTA at one step, at most (the highest correlations; ``"auto"``: the number of
        measurements). With many more trial frequencies than data (years of sparse sampling), the strong
        rule keeps thousands of near-identical columns whose Lipschitz constant stalls FISTA within
        ``max_iter``; a small working set, grown until the KKT conditions hold, converges. ``None``: the
        strong rule alone.

    nested : bool, default False
        At each step of the path, also score the nested models made of the strongest ``1 .. k`` selected
        frequencies: where aliases of similar power enter together the path jumps past the small models.

    Attributes
    ----------
    frequency_ : ndarray
        The grid.
    power_ : ndarray
        Amplitude ``sqrt(a_j^2 + b_j^2)`` at each grid frequency at the chosen ``lam`` (root sum of squares
        over the bands): the sparse spectrum.
    lam_ : float
        The chosen penalty (absolute).
    frequencies_, frequency_errors_, amplitudes_ : ndarray
        Refined frequencies of the selected components, strongest first, with 1-sigma errors and
        semi-amplitudes (shape ``(n_bands, k)`` with ``bands``, root sum of squares over bands for the order).
    bands_ : ndarray
        The band labels (``[None]`` without ``bands``).
    max_components_ : int
        The cap actually used (``max_components`` or the data's limit).
    error_scale_ : float
        The factor applied to ``dy`` (1 unless ``error_scale="scatter"``).
    aliases_ : list of tuple
        ``(shift, frequency, chi2)`` of each alias candidate tried (``shift`` in cycles per unit time;
        ``0`` is the LASSO's own pick), empty without ``alias_periods``.
    bic_path_ : ndarray
        ``(lam, n_selected, BIC)`` along the path, starting at ``lam_max`` (nothing selected).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.sort(rng.uniform(0, 50, 120))
    >>> y = 0.3 * np.sin(2 * np.pi * 1.7 * t) + 0.01 * rng.standard_normal(120)
    >>> model = LassoPeriodogram(fmin=0.1, fmax=4).fit(t, y, np.full(120, 0.01))
    >>> round(float(model.frequencies_[0]), 4)
    1.7

    Two bands, one frequency, different amplitudes and offsets:

    >>> band = np.where(np.arange(120) % 2, "g", "r")
    >>> y2 = np.where(band == "g", 0.5 + 0.4, 0.3) * np.sin(2 * np.pi * 1.7 * t) + (band == "g")
    >>> multi = LassoPeriodogram(fmin=0.1, fmax=4).fit(t, y2, np.full(120, 0.01), bands=band)
    >>> round(float(multi.frequencies_[0]), 4), multi.amplitudes_.shape
    (1.7, (2, 1))
    """

    def __init__(self, *, fmin: float = 0.05, fmax: float = 6.0, oversampling: float = 5.0, lam="bic",
                 group: bool = True, n_lambdas: int = 12, lam_min_ratio: float = 0.01, max_components: int = 12,
                 max_iter: int = 300, tol: float = 1e-4, ebic_gamma: float = 1.0, max_amplitude=1.0,
                 error_scale=None, alias_periods=None, max_screened=None, nested: bool = False):
        self.fmin = fmin
        self.fmax = fmax
        self.oversampling = oversampling
        self.lam = lam
        self.group = group
        self.n_lambdas = n_lambdas
        self.lam_min_ratio = lam_min_ratio
        self.max_components = max_components
        self.max_iter = max_iter
        self.tol = tol
        self.ebic_gamma = ebic_gamma
        self.max_amplitude = max_amplitude
        self.error_scale = error_scale
        self.alias_periods = alias_periods
        self.max_screened = max_screened
        self.nested = nested

    def _validate(self, t, y, dy, bands):
        t = as_float_array("t", t)
        y = as_float_array("y", y)
        dy = np.ones_like(y) if dy is None else as_float_array("dy", dy)
        if t.ndim != 1 or y.shape != t.shape or dy.shape != t.shape:
            raise ValueError(f"t, y and dy must be 1-D arrays of the same length, got {t.shape}, {y.shape}, {dy.shape}")
        if bands is None:
            labels, band = np.array([None]), np.zeros(t.size, dtype=int)
        else:
            bands = np.asarray(bands)
            if bands.shape != t.shape:
                raise ValueError(f"bands must have one label per measurement, got shape {bands.shape} for {t.shape}")
            labels, band = np.unique(bands, return_inverse=True)
        if t.size < 10:
            raise ValueError(f"need at least 10 measurements, got {t.size}")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y)) and np.all(np.isfinite(dy))):
            raise ValueError("t, y and dy must be finite (no NaN): drop the NaN measurements first")
        if not np.all(dy > 0):
            raise ValueError("dy must be positive")
        if not np.ptp(t) > 0:
            raise ValueError("t must span a non-zero time (all measurements at one time)")
        check_real("fmin", self.fmin, finite=False)  # dimensionless Quantities pass
        check_real("fmax", self.fmax)  # finite; dimensionless Quantities pass
        check_int("n_lambdas", self.n_lambdas, min=1, max=1000)  # one Lasso fit per value
        check_real("lam_min_ratio", self.lam_min_ratio, min=0, max=1, min_inclusive=False, max_inclusive=False)
        check_int("max_iter", self.max_iter, min=1)
        check_real("tol", self.tol, min=0)
        if not 0 <= self.fmin < self.fmax:
            raise ValueError(f"need 0 <= fmin < fmax, got fmin={self.fmin!r}, fmax={self.fmax!r}")
        if not self.ebic_gamma >= 0:
            raise ValueError(f"ebic_gamma must be non-negative, got {self.ebic_gamma!r}")
        check_real("oversampling", self.oversampling, finite=False)  # dimensionless Quantities pass
        if not self.oversampling > 0:
            raise ValueError(f"oversampling must be positive, got {self.oversampling!r}")
        if not (self.lam == "bic" or (isinstance(self.lam, (int, float)) and 0 < self.lam <= 1)):
            raise ValueError(f"lam must be 'bic' or a fraction of lam_max in (0, 1], got {self.lam!r}")
        if not (isinstance(self.max_components, (int, np.integer)) and self.max_components >= 1):
            raise ValueError(f"max_components must be a positive integer, got {self.max_components!r}")
        if self.max_amplitude is not None and not self.max_amplitude > 0:
            raise ValueError(f"max_amplitude must be positive or None, got {self.max_amplitude!r}")
        if self.error_scale not in (None, "scatter"):
            raise ValueError(f"error_scale must be None or 'scatter', got {self.error_scale!r}")
        if self.alias_periods is not None and not np.all(np.asarray(self.alias_periods, float) > 0):
            raise ValueError(f"alias_periods must be positive periods, got {self.alias_periods!r}")
        if not (self.max_screened in (None, "auto") or (isinstance(self.max_screened, (int, np.integer))
                                                         and self.max_screened >= 1)):
            raise ValueError(f"max_screened must be None, 'auto' or a positive integer, got {self.max_screened!r}")
        n_bands = labels.size
        cap = int((t.size / 2 - n_bands) // (1 + 2 * n_bands))
        if cap < 1:
            raise ValueError(f"{t.size} measurements in {n_bands} band(s) cannot constrain one sinusoid "
                             f"(need at least {2 * (1 + 3 * n_bands)})")
        return t, y, dy, band, labels, min(self.max_components, cap)

    def fit(self, t, y, dy=None, bands=None):
        """Fit the sparse spectrum of ``y(t)`` with errors ``dy`` (and band labels ``bands``); returns ``self``."""
        t, y, dy, band, labels, cap = self._validate(t, y, dy, bands)
        n_bands = labels.size
        rows = [np.flatnonzero(band == b) for b in range(n_bands)]
        t0 = t.min()
        tt = t - t0
        span = np.ptp(t)
        step = 1 / (self.oversampling * span)
        n_f = max((self.fmax - max(self.fmin, step)) / step, 0.0)
        check_size("fmax", 8.0 * 4 * t.size * n_f, request=f"fmax={self.fmax!r} with oversampling="
                   f"{self.oversampling!r} ({n_f:.3g} trial frequencies for {t.size} times)")  # the design blocks
        freqs = np.arange(max(self.fmin, step), self.fmax, step)
        n_f = freqs.size
        self._shape = (n_bands, n_f, rows, band)
        self._max_screened = t.size if self.max_screened == "auto" else self.max_screened
        w = 1 / dy
        mean = np.array([np.sum(y[r] * w[r]**2) / np.sum(w[r]**2) for r in rows])
        r = (y - mean[band]) * w
        self._Xb = []
        for rw in ([slice(None)] if n_bands == 1 else rows):   # each band's block of the design, weighted
            X = _design(tt[rw], freqs[0], step, n_f)
            X *= w[rw, None]
            self._Xb.append(X)
        grad0 = self._rmatvec(r)
        self.error_scale_ = 1.0
        if self.error_scale == "scatter":
            j = int(np.argmax(_group_norms_mb(grad0, n_f)))
            one = self._refit(tt, y, dy, band, n_bands, freqs[[j]], grad0[:, [j]] * 0, grad0[:, [n_f + j]] * 0)
            s = np.sqrt(one[1] / max(t.size - one[0].size, 1))
            if s > 1:
                self.error_scale_ = float(s)
                dy, w, r = dy * s, w / s, r / s
                for x in self._Xb:
                    x /= s
                grad0 = self._rmatvec(r)
        lam_max = float(np.max(self._score(grad0, n_f)))
        ratios = (np.geomspace(1, self.lam_min_ratio, self.n_lambdas)[1:] if self.lam == "bic" else [self.lam])
        beta = np.zeros((n_bands, 2 * n_f))
        chi2_null = float(np.sum(r**2))
        path = [(lam_max, 0, chi2_null)]        # lam_max: nothing selected, the constant light curve
        best = (chi2_null, lam_max, beta.copy(), None)
        lam_prev = lam_max
        ptp = np.array([np.ptp(y[rw]) for rw in rows])
        cache = {} if self.nested else None   # the nested models repeat from step to step
        for ratio in ratios:
            lam = ratio * lam_max
            beta = self._solve_screened(r, beta, lam, lam_prev, n_f)
            lam_prev = lam
            power = _group_norms_mb(beta, n_f)
            picked = self._pick(power, cap)
            bic, k, refit = min((self._score_model(tt, y, dy, band, n_bands, freqs, beta, picked[:j], chi2_null, ptp,
                                                   cache) for j in (range(1, picked.size + 1) if self.nested and
                                                                    picked.size else [picked.size])),
                                key=lambda item: item[0])
            path.append((lam, k, bic))
            if bic < best[0] or self.lam != "bic":
                best = (bic, lam, beta.copy(), refit)
            if self.lam == "bic" and len(path) > 3 and _rises(path[-3][2], path[-2][2]) and _rises(path[-2][2], bic):
                break  # BIC rising twice in a row: further down the path only adds noise
            if picked.size >= cap:
                break  # the dictionary's budget is spent
        del self._Xb
        _, self.lam_, beta, refit = best
        self.frequency_ = freqs
        self.power_ = _group_norms_mb(beta, n_f)
        self.bic_path_ = np.array(path)
        self.t0_ = t0
        self.bands_ = labels
        self.max_components_ = cap
        self.aliases_ = []
        if refit is not None and self.alias_periods is not None:
            refit = self._resolve_aliases(tt, y, dy, band, n_bands, refit, step)
        if refit is None:
            self.frequencies_ = self.frequency_errors_ = np.array([])
            self.amplitudes_ = np.array([]) if n_bands == 1 else np.zeros((n_bands, 0))
            self.params_ = mean
        else:
            self.params_, _, errors = refit
            _, f, a, b = _unpack(self.params_, n_bands)
            k = f.size
            amp = np.hypot(a, b)
            order = np.argsort(-np.sqrt(np.sum(amp**2, axis=0)))
            self.frequencies_ = f[order]
            self.frequency_errors_ = errors[n_bands:n_bands + k][order]
            self.amplitudes_ = amp[0, order] if n_bands == 1 else amp[:, order]
        del self._shape
        return self

    def _score_model(self, tt, y, dy, band, n_bands, freqs, beta, picked, chi2_null, ptp, cache):
        """``(BIC, k, refit)`` of the refit of the frequencies ``picked`` (``BIC = inf`` for cancelling aliases)."""
        key = tuple(picked)
        if cache is None or key not in cache:
            n_f = freqs.size
            refit = (self._refit(tt, y, dy, band, n_bands, freqs[picked], beta[:, picked], beta[:, n_f + picked])
                     if picked.size else None)
            chi2 = chi2_null if refit is None else refit[1]
            k = picked.size
            bic = chi2 + (1 + 2 * n_bands) * k * np.log(tt.size) + 2 * self.ebic_gamma * (
                special.gammaln(n_f + 1) - special.gammaln(k + 1) - special.gammaln(n_f - k + 1))
            if refit is not None and self.max_amplitude is not None:
                _, _, a, b = _unpack(refit[0], n_bands)
                if np.any(np.hypot(a, b) > self.max_amplitude * ptp[:, None]):
                    bic = np.inf  # aliases cancelling each other: not a light curve
            if cache is None:
                return bic, k, refit
            cache[key] = (bic, k, refit)
        return cache[key]

    def _resolve_aliases(self, tt, y, dy, band, n_bands, refit, step):
        """Compare the strongest ``f`` with ``f + m / P`` by the chi2 of a Fourier series (``H`` harmonics, per-band
        offsets and amplitudes, linear least squares); if an alias wins, the model becomes its refitted series."""
        c, f, a, b = _unpack(refit[0], n_bands)
        main = f[np.argmax(np.sum(np.hypot(a, b)**2, axis=0))]
        n_harm = int(max(1, min(3, (tt.size / 2 - n_bands) // (2 * n_bands))))
        onehot = (band[:, None] == np.arange(n_bands)).astype(float)

        def series(freq):
            arg = 2 * np.pi * freq * np.outer(tt, np.arange(1, n_harm + 1))
            cols = [onehot] + [onehot * fn(arg[:, [h]]) for fn in (np.sin, np.cos) for h in range(n_harm)]
            design = np.concatenate(cols, axis=1) / dy[:, None]
            coef, *_ = np.linalg.lstsq(design, y / dy, rcond=None)
            return float(np.sum((y / dy - design @ coef) ** 2)), coef

        shifts = np.zeros(1)   # every combination m_1 / P_1 + m_2 / P_2 + ... (|m| <= 2): a yearly alias of a daily one
        for period in np.atleast_1d(np.asarray(self.alias_periods, float)):
            shifts = (shifts[:, None] + np.arange(-2, 3) / period).ravel()
        candidates = [0.0] + [float(s) for s in np.unique(shifts) if s != 0 and self.fmin <= main + s <= self.fmax]
        local = np.linspace(-2 * step, 2 * step, 17)  # each candidate at its own best (the window's peaks are not
        tried = []                                     # exactly m / P apart): a local search, as the main's refit
        for shift in candidates:
            trial = [(series(main + shift + d)[0], main + shift + d) for d in local]
            tried.append((shift, *min(trial)))
        self.aliases_ = [(float(s), float(f_c), c2) for s, c2, f_c in tried]
        shift, _, f_best = min(tried, key=lambda item: item[1])
        if shift == 0.0:
            return refit
        _, coef = series(f_best)
        sin = coef[n_bands:n_bands + n_bands * n_harm].reshape(n_harm, n_bands).T
        cos = coef[n_bands + n_bands * n_harm:].reshape(n_harm, n_bands).T
        return self._refit(tt, y, dy, band, n_bands, f_best * np.arange(1, n_harm + 1), sin, cos)

    def _matvec(self, beta):
        n_bands, n_f, rows, _ = self._shape
        out = np.empty(rows[0].size if n_bands == 1 else sum(rw.size for rw in rows))
        for b, (x, rw) in enumerate(zip(self._Xb, rows, strict=True)):
            nz = np.flatnonzero(beta[b])
            out[rw] = x @ beta[b] if nz.size > beta.shape[1] // 4 else x[:, nz] @ beta[b, nz]
        return out

    def _rmatvec(self, res):
        _, _, rows, _ = self._shape
        return np.stack([x.T @ res[rw] for x, rw in zip(self._Xb, rows, strict=True)])

    def _score(self, corr, n_f):
        return _group_norms_mb(corr, n_f) if self.group else np.max(
            np.maximum(np.abs(corr[:, :n_f]), np.abs(corr[:, n_f:])), axis=0)

    def _solve_screened(self, r, beta, lam, lam_prev, n_f):
        """FISTA on the frequencies that the sequential strong rule keeps (Tibshirani et al. 2012),
        enlarged until the KKT conditions hold for every frequency: the exact answer, far faster."""
        n_bands, _, rows, _ = self._shape
        corr = self._rmatvec(r - self._matvec(beta))
        score = self._score(corr, n_f)
        active = _group_norms_mb(beta, n_f) > 0
        keep = self._limit((score >= 2 * lam - lam_prev) & ~active, score) | active
        previous = beta
        while True:
            idx = np.flatnonzero(keep)
            cols = np.concatenate([idx, n_f + idx])
            if n_bands == 1:
                sub = self._Xb[0][:, cols]
            else:
                sub = np.zeros((r.size, n_bands * cols.size))
                for b, (x, rw) in enumerate(zip(self._Xb, rows, strict=True)):
                    sub[rw, b * cols.size:(b + 1) * cols.size] = x[:, cols]
            L = float(np.linalg.eigvalsh(sub @ sub.T)[-1]) if idx.size else 1.0  # ||sub||_2^2, cheaply
            beta = np.zeros((n_bands, 2 * n_f))
            if idx.size:  # warm start; with group=True one frequency's sines and cosines are one group
                groups = np.tile(np.arange(idx.size), 2 * n_bands) if self.group else None
                x, _ = fista(_SparseInput(sub), r, lam, x0=previous[:, cols].ravel(), lipschitz=L, groups=groups,
                             max_iter=self.max_iter, tol=self.tol)
                beta[:, cols] = x.reshape(n_bands, cols.size)
            corr = self._rmatvec(r - self._matvec(beta))
            score = self._score(corr, n_f)
            violated = (score > lam * (1 + 1e-3)) & ~keep
            if not violated.any():
                return beta
            keep |= self._limit(violated, score)

    def _limit(self, candidates, score):
        """The ``max_screened`` highest-scoring candidates at most (see the parameter)."""
        n_obs = self._max_screened
        if n_obs is None or np.count_nonzero(candidates) <= n_obs:
            return candidates
        idx = np.flatnonzero(candidates)
        top = idx[np.argpartition(-score[idx], n_obs)[:n_obs]]
        limited = np.zeros_like(candidates)
        limited[top] = True
        return limited

    @staticmethod
    def _pick(power, cap):
        """Local maxima of the sparse spectrum (adjacent grid frequencies share one peak), strongest first."""
        nz = np.flatnonzero(power > 0)
        if nz.size == 0:
            return nz
        peaks = [k for k in nz if power[k] >= power[max(k - 1, 0)] and power[k] >= power[min(k + 1, power.size - 1)]]
        peaks = np.array(sorted(peaks, key=lambda k: -power[k]))
        return peaks[:cap]

    @staticmethod
    def _refit(t, y, dy, band, n_bands, f0, a0, b0):
        def resid(p):
            return (y - _sinusoids(t, p, band, n_bands)) / dy

        def jac(p):  # exact derivatives: one evaluation instead of one per parameter by finite differences
            return -_sinusoids_jacobian(t, p, band, n_bands) / dy[:, None]
        offsets = [np.average(y[band == b], weights=dy[band == b]**-2) for b in range(n_bands)]
        p0 = np.concatenate([offsets, f0, np.ravel(a0), np.ravel(b0)])
        method = "lm" if t.size >= p0.size else "trf"
        sol = optimize.least_squares(resid, p0, jac=jac, method=method, x_scale="jac")
        k = f0.size
        flip = sol.x[n_bands:n_bands + k] < 0   # sin(-x) = -sin(x): a negative frequency is the same sinusoid
        sol.x[n_bands:n_bands + k][flip] *= -1
        a = sol.x[n_bands + k:n_bands + k + n_bands * k].reshape(n_bands, k)
        a[:, flip] *= -1
        chi2 = float(np.sum(sol.fun**2))
        try:
            cov = np.linalg.inv(sol.jac.T @ sol.jac) * max(chi2 / max(t.size - sol.x.size, 1), 1.0)
            errors = np.sqrt(np.clip(np.diag(cov), 0, None))
        except np.linalg.LinAlgError:
            errors = np.full(sol.x.size, np.nan)
        return sol.x, chi2, errors

    def predict(self, t, bands=None):
        """The refined model light curve at times ``t`` (in bands ``bands`` for a multiband fit)."""
        if not hasattr(self, "params_"):
            raise ValueError("this LassoPeriodogram is not fitted yet: call fit(t, y, dy) first")
        t = as_float_array("t", t)
        n_bands = self.bands_.size
        if bands is None:
            if n_bands > 1:
                raise ValueError(f"this LassoPeriodogram was fitted in bands {list(self.bands_)}: pass bands")
            band = np.zeros(t.size, dtype=int)
        else:
            bands = np.asarray(bands)
            if n_bands == 1 or bands.shape != t.shape or not np.isin(bands, self.bands_).all():
                raise ValueError(f"bands must be one of the fitted bands {list(self.bands_)} for each time")
            band = np.searchsorted(self.bands_, bands)
        return _sinusoids(t - self.t0_, self.params_, band, n_bands)


def refine_frequency(t, y, dy, frequency, *, bands=None, max_shift: float = 0.01):
    """Refine a periodogram's peak by a local non-linear least-squares fit of one sinusoid.

    Periodograms report the best point of a grid; comparing two period finders is fair only when both
    peaks are refined the same way. The model is an offset, a sine and a cosine per band, sharing one
    frequency, started from ``frequency`` with the linear least-squares amplitudes there.

    Parameters
    ----------
    t, y, dy : array_like
        Times, values and their (positive) errors, one per measurement.
    frequency : float
        The peak to refine (cycles per unit of ``t``), positive.
    bands : array_like, optional
        A band label per measurement: each band gets its own offset, amplitude and phase.
    max_shift : float, default 0.01
        A local refit: if the fit moves further than this fraction of ``frequency`` (to another peak), the
        input ``frequency`` is returned unchanged.

    Returns
    -------
    float
        The refined frequency.

    Examples
    --------
    >>> t = np.linspace(0, 30, 200)
    >>> y = np.sin(2 * np.pi * 1.2345 * t)
    >>> round(refine_frequency(t, y, np.full(200, 0.01), 1.23), 5)
    1.2345
    """
    t, y, dy = (as_float_array("v", v) for v in (t, y, dy))
    if not (t.ndim == 1 and t.shape == y.shape == dy.shape and t.size >= 4):
        raise ValueError(f"t, y and dy must be 1-D arrays of one length >= 4, got shapes {t.shape}, {y.shape}, "
                         f"{dy.shape}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y)) and np.all(np.isfinite(dy)) and np.all(dy > 0)):
        raise ValueError("t, y and dy must be finite, and dy positive")
    if not (np.isscalar(frequency) and np.isfinite(frequency) and frequency > 0):
        raise ValueError(f"frequency must be a positive number, got {frequency!r}")
    if not (np.isscalar(max_shift) and max_shift > 0):
        raise ValueError(f"max_shift must be a positive fraction, got {max_shift!r}")
    if bands is None:
        idx = np.zeros(t.size, dtype=int)
    else:
        bands = np.asarray(bands)
        if bands.shape != t.shape:
            raise ValueError(f"bands must have one label per measurement ({t.size}), got shape {bands.shape}")
        idx = np.unique(bands, return_inverse=True)[1].ravel()
    n_b = int(idx.max()) + 1
    onehot = (idx[:, None] == np.arange(n_b)).astype(float)
    tt = t - t.min()

    def resid(p):
        arg = 2 * np.pi * p[0] * tt
        return (y - onehot @ p[1:1 + n_b] - np.sin(arg) * (onehot @ p[1 + n_b:1 + 2 * n_b])
                - np.cos(arg) * (onehot @ p[1 + 2 * n_b:])) / dy

    arg = 2 * np.pi * frequency * tt   # linear start at the peak
    design = np.concatenate([onehot, onehot * np.sin(arg)[:, None], onehot * np.cos(arg)[:, None]], axis=1)
    lin = np.linalg.lstsq(design / dy[:, None], y / dy, rcond=None)[0]
    sol = optimize.least_squares(resid, np.concatenate([[frequency], lin]), x_scale="jac")
    f = abs(float(sol.x[0]))
    return f if abs(f / frequency - 1) < max_shift else float(frequency)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _positive_number(name, value) -> float:
    if not (_is_real(value) and np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def alias_class(frequency, true_frequency, *, tolerance: float = 0.01, window_periods=(1.0, 365.25)) -> str:
    """Name what a found frequency is, relative to the true one: recovered, a harmonic, or an alias.

    Parameters
    ----------
    frequency, true_frequency : float
        The found and the true (published) frequency, in cycles per day, positive.
    tolerance : float, default 0.01
        Relative tolerance: ``"recovered"`` when ``|frequency / true_frequency - 1| < tolerance``.
    window_periods : tuple of float, default (1.0, 365.25)
        The window function's periods (days): the day and the year for a ground-based survey.

    Returns
    -------
    str
        ``"recovered"``; ``"harmonic"`` (twice or half the true frequency); ``"daily"``
        (``true + m / window_periods[0]``, ``1 <= |m| <= 3``); ``"yearly"`` (``true +- 1 / window_periods[1]``);
        or ``"other"``.

    Examples
    --------
    >>> alias_class(1.0 / 0.55, 1.0 / 0.5501), alias_class(1.0 / 0.55 + 1, 1.0 / 0.55)
    ('recovered', 'daily')
    """
    f, f0 = (_positive_number(name, value) for name, value in (("frequency", frequency),
                                                                ("true_frequency", true_frequency)))
    if not (_is_real(tolerance) and 0 < tolerance < 1):
        raise ValueError(f"tolerance must be a fraction in (0, 1), got {tolerance!r}")
    periods = check_array("window_periods", window_periods, shape=(2,))
    if not np.all(periods > 0):
        raise ValueError(f"window_periods must be two positive periods (days), got {window_periods!r}")
    day, year = (float(p) for p in periods)
    if abs(f / f0 - 1) < tolerance:
        return "recovered"
    if abs(f / (2 * f0) - 1) < tolerance or abs(f / (0.5 * f0) - 1) < tolerance:
        return "harmonic"
    m = np.rint((f - f0) * day)
    if 1 <= abs(m) <= 3 and abs(f - f0 - m / day) < tolerance * f0:
        return "daily"
    if abs(abs(f - f0) - 1 / year) < 0.5 / year:
        return "yearly"
    return "other"
