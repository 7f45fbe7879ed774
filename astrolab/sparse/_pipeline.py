"""The imaging pipeline of chapter 3a as one estimator: closure phases, self-calibration, LASSO + TSV."""

from __future__ import annotations

import time as _time
import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from astrolab._validation import check_array
from astrolab.interferometry import FourierOperator
from astrolab.sparse._calibration import (
    _check_table,
    average_visibilities,
    closure_amplitudes,
    closure_phases,
    image_closure_phases,
    self_calibrate,
)
from astrolab.sparse._imaging import _UAS, image_visibilities

__all__ = ["EHTImager", "closure_chi2"]


def closure_chi2(op: FourierOperator, image, closures) -> float:
    """Reduced chi-squared of an image's closure phases, ``mean 2 (1 - cos(psi_obs - psi)) / sigma^2``.

    The von Mises form: ``(psi_obs - psi)^2 / sigma^2`` for small differences, and correct across the
    wrap at 180 degrees. Closure phases do not depend on the station gains, so this judges an
    image against the raw (uncalibrated) data.
    """
    if closures.design.shape[1] != op.shape[0]:
        raise ValueError(f"closures have {closures.design.shape[1]} visibilities, the operator {op.shape[0]}")
    image = check_array("image", image)
    if image.size != op.shape[1]:
        raise ValueError(f"image must have the operator's image_shape {op.image_shape} ({op.shape[1]} pixels), "
                         f"got shape {image.shape}")
    if len(closures.phase) == 0:
        return float("nan")
    model = op.matvec(image.ravel())
    dpsi = closures.phase - closures.design @ np.angle(model)
    return float(np.mean(2 * (1 - np.cos(dpsi)) / closures.sigma**2))


class EHTImager(BaseEstimator):
    """Image VLBI data with unknown station gains: closure phases first, then self-calibration and LASSO + TSV.

    The order of the EHT's pipelines (EHT Collaboration 2019, Paper IV):

    1. an image from the closure phases (a minimal independent set per time, immune to the station
       phases) and the visibility amplitudes (with a fractional error ``amplitude_error`` for the
       station amplitude gains), and with ``closure_amplitudes=True`` the log closure amplitudes
       (immune to the amplitude gains), smooth by total squared variation (``mu_cp``), by L-BFGS-B
       (:func:`image_closure_phases`);
    2. ``n_rounds`` rounds of: self-calibrate the station phases at every time and the amplitudes
       every ``gain_interval`` hours to the current image (:func:`self_calibrate`), average the
       calibrated visibilities coherently over ``average`` hours, image them with LASSO + TSV
       (:func:`image_visibilities`, weights ``lam`` and ``mu`` in chi-squared units, a fractional
       error floor ``systematic`` for the gain errors that remain), warm-started from the last image.

    The field of view: the image is zero outside a disc of diameter ``field_of_view`` (uas) around
    the phase centre; within it, the l1 weight of each pixel grows as ``exp(r^2 / (2 s^2))`` away
    from the centre, with ``s`` from ``prior_fwhm`` (the inverse of a Gaussian prior image: the
    weighted l1 norm that penalises flux far from the source, where uniform weights would only set
    the total flux). ``prior_fwhm=None`` gives uniform weights.

    Every solve must converge: FISTA by the relative change of the image (``tol``) within
    ``max_iter`` iterations, L-BFGS-B by its own rules; the pipeline records each solve in
    ``solves_`` and warns (:class:`~sklearn.exceptions.ConvergenceWarning`) when one hits its cap.

    Parameters
    ----------
    image_shape : tuple of int, default (32, 32)
    pixel_size : float, default 4
        uas.
    field_of_view : float, default 80
        Diameter (uas) of the disc outside which the image is zero.
    prior_fwhm : float or None, default 60
        FWHM (uas) of the Gaussian whose inverse weights the l1 norm.
    mu_cp : float, default 1e4
        TSV weight of the closure-phase step.
    lam, mu : float, default 300 and 3e5
        l1 and TSV weights of the LASSO + TSV step (chi-squared units).
    n_rounds : int, default 3
    amplitude_error : float, default 0.1
    systematic : float, default 0.05
    gain_interval, average : float, default 10 min and 2 min
        In hours.
    min_snr : float, default 2
        Of the closure phases' legs.
    max_iter : int, default 3000
    tol : float, default 1e-4
        FISTA stops when the image changes by less than this fraction between iterations (ehtim's imagers
        stop at the same relative change); at 1e-5 the images are the same to the eye and to
        :func:`imaging_score`, and the fits take a third longer.
    closure_amplitudes : bool, default False
        Fit log closure amplitudes in step 1 (:func:`closure_amplitudes`).

    Attributes
    ----------
    image_ : ndarray
        The final image (Jy per pixel; north up, east left).
    closure_image_ : ndarray
        The image of step 1.
    closures_ : Bunch
        The closure phases of the input (:func:`closure_phases`).
    calibrated_ : QTable
        The self-calibrated, averaged visibilities of the last round.
    chi2_cphase_ : float
        Reduced chi-squared of the final image's closure phases (:func:`closure_chi2`).
    chi2_ : float
        Chi-squared per real degree of freedom of the final image against ``calibrated_`` (with the error floor).
    converged_ : bool
        Whether every solve converged.
    solves_ : list of dict
        ``step``, ``n_iter``, ``converged`` of each solve.
    fit_time_ : float
        Seconds.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astrolab.datasets import make_eht_mock
    >>> mock = make_eht_mock("ring", diameter=42 * u.uas, image_shape=(32, 32), pixel_size=4 * u.uas,
    ...                      station_phases=True, gain_error=0.1, scan_interval=40 * u.min, seed=3)
    >>> imager = EHTImager(n_rounds=1).fit(mock.table)
    >>> imager.image_.shape, imager.converged_
    ((32, 32), True)
    """

    def __init__(self, image_shape=(32, 32), pixel_size=4.0, *, field_of_view=80.0, prior_fwhm=60.0, mu_cp=1e4,
                 lam=3e2, mu=3e5, n_rounds=3, amplitude_error=0.1, systematic=0.05, gain_interval=10 / 60,
                 average=2 / 60, min_snr=2.0, max_iter=3000, tol=1e-4, closure_amplitudes=False):
        self.image_shape = image_shape
        self.pixel_size = pixel_size
        self.field_of_view = field_of_view
        self.prior_fwhm = prior_fwhm
        self.mu_cp = mu_cp
        self.lam = lam
        self.mu = mu
        self.n_rounds = n_rounds
        self.amplitude_error = amplitude_error
        self.systematic = systematic
        self.gain_interval = gain_interval
        self.average = average
        self.min_snr = min_snr
        self.max_iter = max_iter
        self.tol = tol
        self.closure_amplitudes = closure_amplitudes

    def _check_params(self):
        shape = tuple(self.image_shape)
        if len(shape) != 2 or min(shape) < 8:
            raise ValueError(f"image_shape must be (ny, nx) with at least 8 pixels each, got {self.image_shape!r}")
        for name in ("pixel_size", "field_of_view", "gain_interval", "average", "max_iter", "tol"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float, np.integer, np.floating)) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if self.prior_fwhm is not None and not self.prior_fwhm > 0:
            raise ValueError(f"prior_fwhm must be a positive number of uas or None, got {self.prior_fwhm!r}")
        for name in ("mu_cp", "lam", "mu", "min_snr"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be non-negative, got {getattr(self, name)!r}")
        if isinstance(self.n_rounds, bool) or not isinstance(self.n_rounds, (int, np.integer)) or self.n_rounds < 0:
            raise ValueError(f"n_rounds must be a non-negative integer, got {self.n_rounds!r}")
        for name in ("amplitude_error", "systematic"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be a fraction in [0, 1), got {getattr(self, name)!r}")
        return shape

    def _weights(self, shape):
        """The support (a disc) and the l1 weight of each pixel."""
        ny, nx = shape
        yy, xx = np.indices(shape)
        r = np.hypot(yy - ny // 2, xx - nx // 2) * self.pixel_size
        support = r <= self.field_of_view / 2
        if self.prior_fwhm is None:
            weights = np.ones(shape)
        else:
            s = self.prior_fwhm / (2 * np.sqrt(2 * np.log(2)))
            weights = np.exp(np.minimum(0.5 * (r / s) ** 2, 50.0))
        return support, np.where(support, weights, 1e12)

    def fit(self, table, y=None):
        """Image the visibilities of ``table`` (columns of :func:`~astrolab.datasets.fetch_eht_m87`)."""
        shape = self._check_params()
        _check_table(table)
        if len(table) < 3:
            raise ValueError(f"table must hold at least 3 visibilities, got {len(table)}")
        start = _time.perf_counter()
        op = FourierOperator(table["u"], table["v"], shape, self.pixel_size * _UAS)
        closures = closure_phases(table, min_snr=self.min_snr)
        camps = closure_amplitudes(table, min_snr=self.min_snr) if self.closure_amplitudes else None
        support, weights = self._weights(shape)
        solves = []
        with warnings.catch_warnings():  # each solve's convergence goes to solves_, and one warning below
            warnings.simplefilter("ignore", ConvergenceWarning)
            model, info = image_closure_phases(op, table, closures, mu=self.mu_cp,
                                               amplitude_error=self.amplitude_error, support=support.ravel(),
                                               max_iter=self.max_iter, closure_amps=camps)
            solves.append({"step": "closure phases", "n_iter": info["n_iter"], "converged": info["converged"]})
            closure_image = model
            averaged = None
            for k in range(self.n_rounds):
                model_vis = op.matvec(model.ravel())
                calibrated, _ = self_calibrate(table, model_vis)
                calibrated, _ = self_calibrate(calibrated, model_vis, amplitude=True, interval=self.gain_interval)
                averaged = average_visibilities(calibrated, self.average)
                op_avg = FourierOperator(averaged["u"], averaged["v"], shape, self.pixel_size * _UAS)
                sigma = np.hypot(np.asarray(averaged["sigma"]), self.systematic * np.abs(averaged["vis"]))
                model, info = image_visibilities(op_avg, np.asarray(averaged["vis"]), sigma, self.lam, self.mu,
                                                 x0=model.ravel(), max_iter=self.max_iter, tol=self.tol,
                                                 penalty_weights=weights.ravel())
                solves.append({"step": f"round {k + 1}", "n_iter": info["n_iter"], "converged": info["converged"]})
        self.image_ = model
        self.closure_image_ = closure_image
        self.closures_ = closures
        self.operator_ = op
        self.calibrated_ = averaged
        self.solves_ = solves
        self.converged_ = all(s["converged"] for s in solves)
        self.chi2_cphase_ = closure_chi2(op, model, closures)
        if averaged is not None:  # against the last round's data and errors (with the floor)
            resid = (op_avg.matvec(model.ravel()) - np.asarray(averaged["vis"])) / sigma
            self.chi2_ = float(np.mean(np.abs(resid) ** 2) / 2)
        else:
            self.chi2_ = float("nan")
        self.fit_time_ = _time.perf_counter() - start
        if not self.converged_:
            bad = ", ".join(f"{s['step']} ({s['n_iter']} iterations)" for s in solves if not s["converged"])
            warnings.warn(f"EHTImager: not every solve converged: {bad}; raise max_iter or check the weights",
                          ConvergenceWarning, stacklevel=2)
        return self

    def predict(self, table):
        """Model visibilities of the fitted image at the baselines of ``table``."""
        check_is_fitted(self, "image_")
        op = FourierOperator(table["u"], table["v"], self.image_.shape, self.pixel_size * _UAS)
        return op.matvec(self.image_.ravel())
