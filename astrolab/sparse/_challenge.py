"""A blind imaging challenge in miniature: data now, truth only after you submit an image."""

from __future__ import annotations

import astropy.units as u
import numpy as np

from astrolab._validation import as_float_array, check_real, check_rng
from astrolab.sparse._imaging import blur, ncc, ring_fit

__all__ = ["ImagingChallenge", "imaging_score"]

_RINGS = ("crescent", "ring")


def imaging_score(image, truth, pixel_size, *, ring: bool = True, blur_fwhm: float = 20.0):
    """Score an image against the truth: blurred NCC, minus penalties for a wrong ring size and bright side.

    The normalised cross-correlation of the two images blurred to ``blur_fwhm`` (the array's
    resolution) is forgiving: a ring 25 % too small still has an NCC of about 0.9, one of half the
    right size about 0.75. For ring-like
    truths the score subtracts ``2 |d / d_true - 1|`` (the diameters by :func:`ring_fit`) and
    ``|PA - PA_true| / 180 deg`` (the brightness position angles, wrapped; counted only when the
    truth's ring is lopsided, asymmetry > 0.1):
    a 10 % error in diameter costs 0.2, a bright side 45 deg off costs 0.25.

    Parameters
    ----------
    image, truth : ndarray, 2-D
        Same shape, north up, east left.
    pixel_size : float
        In uas.
    ring : bool, default True
        Whether the truth is a ring (diameter and position angle are then scored).
    blur_fwhm : float, default 20
        uas.

    Returns
    -------
    dict
        ``ncc``, ``score`` and, for rings, ``diameter``, ``diameter_true``, ``diameter_error`` (fractional),
        ``position_angle``, ``position_angle_true``, ``pa_error`` (deg).

    Examples
    --------
    >>> from astrolab.datasets import SkyModel
    >>> import astropy.units as u
    >>> truth = SkyModel("crescent", diameter=40 * u.uas).image((32, 32), 4 * u.uas)
    >>> small = SkyModel("crescent", diameter=20 * u.uas).image((32, 32), 4 * u.uas)
    >>> good, bad = imaging_score(truth, truth, 4.0), imaging_score(small, truth, 4.0)
    >>> round(good["score"], 3), round(bad["ncc"], 2), bad["score"] < 0
    (1.0, 0.76, True)
    """
    image = as_float_array("image", image)
    truth = as_float_array("truth", truth)
    if image.shape != truth.shape or image.ndim != 2:
        raise ValueError(f"image and truth must be 2-D arrays of the same shape, got {image.shape} and {truth.shape}")
    if not np.all(np.isfinite(image)):
        raise ValueError("image must not contain NaN or infinite values")
    out = {"ncc": ncc(blur(image, blur_fwhm, pixel_size), blur(truth, blur_fwhm, pixel_size))}
    penalty = 0.0
    if ring:
        t = ring_fit(truth, pixel_size)
        try:
            f = ring_fit(image, pixel_size)
            d, pa = f.diameter, f.position_angle
        except ValueError:  # an empty image has no ring
            d, pa = 0.0, np.nan
        out.update(diameter=d, diameter_true=t.diameter, diameter_error=d / t.diameter - 1,
                   position_angle=pa, position_angle_true=t.position_angle)
        out["pa_error"] = float((pa - t.position_angle + 180) % 360 - 180) if np.isfinite(pa) else 180.0
        penalty = 2 * abs(out["diameter_error"]) + (abs(out["pa_error"]) / 180 if t.asymmetry > 0.1 else 0.0)
    out["score"] = out["ncc"] - penalty
    return out


class ImagingChallenge:
    """Mock EHT data of a sky model that stays hidden until an image is submitted.

    The seed decides the model (a crescent, a symmetric ring, a uniform disc, a Gaussian blob or a
    double source), its size (25-55 uas), width, orientation and the noise. The data are made as the
    sky and the instrument make them (:func:`~astrolab.datasets.make_eht_mock`: a continuous source
    off the pixel grid, thermal noise of the 2017 stations, the 2017 scans, a random phase per station
    and integration and 10 % station amplitude gains), so an image must pass through closure phases
    and self-calibration (:class:`EHTImager`), as real data do. :attr:`data` holds everything an
    imager may use; the truth is revealed by :meth:`submit`, which also scores the submitted image
    (:func:`imaging_score`), as the EHT's imaging teams were scored on synthetic data before they
    imaged M87 (EHT Collaboration 2019, Paper IV). Nothing stops a curious learner from reading the
    source; the point is the discipline.

    Parameters
    ----------
    seed : int
        Which challenge.
    blur_fwhm : float, default 20
        Resolution (uas) at which images are compared.

    Examples
    --------
    >>> challenge = ImagingChallenge(seed=3)
    >>> sorted(challenge.data)[:3]
    ['image_shape', 'operator', 'pixel_size']
    >>> challenge.truth
    Traceback (most recent call last):
    ...
    RuntimeError: submit an image first: the truth is revealed by ImagingChallenge.submit(image)
    """

    def __init__(self, seed: int, *, blur_fwhm: float = 20.0):
        from astrolab.datasets import make_eht_mock
        from astrolab.datasets._skymodels import MODELS

        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        check_real("blur_fwhm", blur_fwhm, finite=False)  # dimensionless Quantities pass
        if not blur_fwhm > 0:
            raise ValueError(f"blur_fwhm must be a positive number of uas, got {blur_fwhm!r}")
        rng = check_rng("seed", seed)
        model = MODELS[int(rng.integers(len(MODELS)))]
        diameter = float(rng.uniform(25.0, 55.0))
        mock = make_eht_mock(model, diameter=diameter * u.uas, width=float(rng.uniform(6.0, 14.0)) * u.uas,
                             asymmetry=float(rng.uniform(0.3, 0.8)), position_angle=float(rng.uniform(0, 360)) * u.deg,
                             flux=float(rng.uniform(0.4, 0.8)) * u.Jy, image_shape=(32, 32), pixel_size=4 * u.uas,
                             integration=60 * u.s, station_phases=True, gain_error=0.1, seed=rng)
        self.seed = int(seed)
        self.blur_fwhm = float(blur_fwhm)
        self.data = {"table": mock.table, "uv": mock.uv, "vis": mock.vis, "sigma": mock.sigma,
                     "operator": mock.operator, "pixel_size": mock.pixel_size, "image_shape": mock.image_shape}
        self._truth = {"model": model, "diameter": diameter * u.uas, "image": mock.truth["image"],
                       "sky": mock.truth["sky"]}
        self._revealed = False

    @property
    def truth(self):
        """The hidden model: available after :meth:`submit`."""
        if not self._revealed:
            raise RuntimeError("submit an image first: the truth is revealed by ImagingChallenge.submit(image)")
        return self._truth

    def submit(self, image, *, is_ring: bool | None = None):
        """Score an image against the hidden truth and reveal it.

        Parameters
        ----------
        image : ndarray, shape ``data["image_shape"]``
            Your reconstruction (Jy per pixel).
        is_ring : bool, optional
            Your claim: does the source have a ring (a central depression)? Scored when given.

        Returns
        -------
        dict
            ``model``, ``ncc`` (at ``blur_fwhm``), ``score`` (:func:`imaging_score`), ``flux_ratio``
            (yours / true); for ring models the true and your ``diameter`` (uas), ``diameter_error``,
            ``pa_error`` (deg); ``ring_claim_correct`` when ``is_ring`` is given.
        """
        image = as_float_array("image", image)
        if image.shape != tuple(self.data["image_shape"]):
            raise ValueError(f"image must have shape {self.data['image_shape']}, got {image.shape}")
        if not np.all(np.isfinite(image)):
            raise ValueError("image must not contain NaN or infinite values")
        self._revealed = True
        pix = self.data["pixel_size"].to_value(u.uas)
        truth = self._truth["image"]
        has_ring = self._truth["model"] in _RINGS
        score = {"model": self._truth["model"], "flux_ratio": float(image.sum() / truth.sum())}
        score.update(imaging_score(image, truth, pix, ring=has_ring, blur_fwhm=self.blur_fwhm))
        if is_ring is not None:
            score["ring_claim_correct"] = bool(is_ring) == has_ring
        return score
