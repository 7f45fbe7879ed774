"""A blind imaging challenge in miniature: data now, truth only after you submit an image."""

from __future__ import annotations

import astropy.units as u
import numpy as np

from astrolab.sparse._imaging import blur, ncc, ring_parameters

__all__ = ["ImagingChallenge"]

_MODELS = ("crescent", "ring", "gaussian", "double")


class ImagingChallenge:
    """Mock EHT data of a sky model that stays hidden until an image is submitted.

    The seed decides the model (a crescent, a symmetric ring, a Gaussian blob or a double source),
    its size (25-55 uas) and the noise. :attr:`data` holds everything an imager may use; the truth
    is revealed by :meth:`submit`, which also scores the submitted image, as the EHT's imaging
    teams were scored on synthetic data before they imaged M87 (EHT Collaboration 2019, Paper IV).
    Nothing stops a curious learner from reading the source; the point is the discipline.

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

        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        rng = np.random.default_rng(seed)
        model = _MODELS[int(rng.integers(len(_MODELS)))]
        diameter = float(rng.uniform(25.0, 55.0))
        mock = make_eht_mock(model, diameter=diameter * u.uas, width=float(rng.uniform(6.0, 14.0)) * u.uas,
                             seed=rng)
        self.seed = int(seed)
        self.blur_fwhm = float(blur_fwhm)
        self.data = {"uv": mock.uv, "vis": mock.vis, "sigma": mock.sigma, "operator": mock.operator,
                     "pixel_size": mock.pixel_size, "image_shape": mock.image_shape}
        self._truth = {"model": model, "diameter": diameter * u.uas, "image": mock.truth["image"]}
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
            ``model``, ``ncc`` (at ``blur_fwhm``), ``flux_ratio`` (yours / true), the true and your
            ``diameter`` (uas, for ring models) and ``ring_claim_correct`` (when ``is_ring`` is given).
        """
        image = np.asarray(image, dtype=float)
        if image.shape != tuple(self.data["image_shape"]):
            raise ValueError(f"image must have shape {self.data['image_shape']}, got {image.shape}")
        if not np.all(np.isfinite(image)):
            raise ValueError("image must not contain NaN or infinite values")
        self._revealed = True
        pix = self.data["pixel_size"].to_value(u.uas)
        truth = self._truth["image"]
        score = {"model": self._truth["model"],
                 "ncc": ncc(blur(image, self.blur_fwhm, pix), blur(truth, self.blur_fwhm, pix)),
                 "flux_ratio": float(image.sum() / truth.sum())}
        has_ring = self._truth["model"] in ("crescent", "ring")
        if has_ring:
            score["diameter_true"] = ring_parameters(truth, pix)[0]
            score["diameter"] = ring_parameters(image, pix)[0] if image.max() > 0 else np.nan
        if is_ring is not None:
            score["ring_claim_correct"] = bool(is_ring) == has_ring
        return score
