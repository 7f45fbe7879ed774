"""Interferometric imaging helpers: dirty image and beam, blurring, image comparison, ring measurement."""

from __future__ import annotations

import warnings

import numpy as np
from astropy.stats import gaussian_fwhm_to_sigma
from sklearn.exceptions import ConvergenceWarning

from astrolab._validation import as_float_array
from astrolab.interferometry import FourierOperator
from astrolab.sparse._lasso import fista
from astrolab.sparse._operators import power_iteration

__all__ = ["blur", "dirty_beam", "dirty_image", "image_visibilities", "ncc", "ring_fit", "ring_parameters"]

_UAS = np.pi / 180 / 3600 / 1e6  # one microarcsecond in radians


def _check_operator(op):
    if not isinstance(op, FourierOperator):
        raise TypeError(f"op must be a FourierOperator, got {type(op).__name__}")


def dirty_image(op: FourierOperator, vis):
    """The adjoint of the data, ``Re(F^H V)``, normalised so that a point source of 1 Jy peaks at 1 Jy/beam.

    Examples
    --------
    >>> op = FourierOperator([0.0, 1e9, 0.0], [0.0, 0.0, 1e9], (8, 8), 5e-12)
    >>> truth = np.zeros(64); truth[36] = 2.0
    >>> round(float(dirty_image(op, op.matvec(truth)).max()), 12)
    2.0
    """
    _check_operator(op)
    vis = np.asarray(vis)
    if vis.dtype.kind not in "biufc":
        raise ValueError(f"vis must be an array of (complex) visibilities, got {vis.dtype} values")
    if vis.shape != (op.shape[0],):
        raise ValueError(f"vis must have {op.shape[0]} visibilities, got shape {vis.shape}")
    if not np.all(np.isfinite(vis)):
        raise ValueError("vis must not contain NaN or infinite values")
    norm = op.shape[0] if op.weights is None else float(np.sum(op.weights**2))
    data = vis if op.weights is None else vis * op.weights
    return np.real(op.rmatvec(data)).reshape(op.image_shape) / norm


def dirty_beam(op: FourierOperator):
    """The response of :func:`dirty_image` to a 1 Jy point source at the phase centre (the PSF)."""
    _check_operator(op)
    ny, nx = op.image_shape
    point = np.zeros(op.image_shape)
    point[ny // 2, nx // 2] = 1.0
    unweighted = op.with_weights(None)
    vis = unweighted.matvec(point.ravel())
    return dirty_image(op, vis)


def blur(image, fwhm, pixel_size):
    """Convolve with a circular Gaussian of ``fwhm`` (same unit as ``pixel_size``), keeping the total flux."""
    from scipy import ndimage

    from astrolab._validation import check_array, check_real, check_size

    image = check_array("image", image, ndim=(1, 2, 3))
    if not hasattr(fwhm, "unit"):  # a Quantity is divided by pixel_size's unit below
        fwhm = check_real("fwhm", fwhm, min=0)
    if not hasattr(pixel_size, "unit"):
        pixel_size = check_real("pixel_size", pixel_size, min=0, min_inclusive=False)
    sigma = fwhm / pixel_size * gaussian_fwhm_to_sigma
    if hasattr(sigma, "unit"):  # fwhm and pixel_size as Quantities: their ratio must be a pure number
        try:
            sigma = sigma.to_value("")
        except Exception:  # noqa: BLE001 - astropy's UnitConversionError or a non-scalar
            raise ValueError(f"fwhm and pixel_size must be numbers in one unit or angle Quantities, got {fwhm!r} "
                             f"and {pixel_size!r}") from None
    sigma = check_real("fwhm", sigma, min=0)
    check_size("fwhm", 8.0 * (8 * sigma + 1), request=f"fwhm={fwhm!r}")  # scipy's kernel reaches 4 sigma
    return ndimage.gaussian_filter(image, sigma, mode="constant")


def ncc(a, b):
    """Normalised cross-correlation of two images (1 for identical shapes, whatever the scale; 0 if one is flat).

    Examples
    --------
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> round(ncc(x, 3 * x + 1), 12)
    1.0
    """
    from astrolab._validation import check_array

    a = check_array("a", a).ravel()
    b = check_array("b", b).ravel()
    if a.shape != b.shape:
        raise ValueError(f"images must have the same shape, got {a.size} and {b.size} pixels")
    a, b = a - a.mean(), b - b.mean()
    norm = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / norm) if norm > 0 else 0.0  # a flat (e.g. empty) image correlates with nothing


def _ray_profiles(image, cy, cx, radii, angles):
    """Brightness along rays from (cy, cx) (pixels) at position angles ``angles`` (east of north, radians)."""
    from scipy import ndimage

    ys = cy + np.outer(np.cos(angles), radii)          # north: rows increase
    xs = cx - np.outer(np.sin(angles), radii)          # east: columns decrease
    return ndimage.map_coordinates(image, [ys.ravel(), xs.ravel()], order=1, mode="constant").reshape(ys.shape)


def ring_fit(image, pixel_size, *, n_angles: int = 72, centre=None, depression_blur=None):
    """Measure a ring in an image as the EHT's REx does: diameter, width, brightness angle, depression.

    Following REx (Chael; EHT Collaboration 2019, Paper IV, section 9 and appendix), the ring's
    centre is the point from which the radius of peak brightness is most nearly the same in every
    direction: it minimises the standard deviation of the peak radii along ``n_angles`` rays (found
    by Nelder-Mead from the brightness centroid). Then

    - ``diameter`` is twice the mean peak radius;
    - ``width`` is the mean full width at half maximum of the rays' profiles around the peak, with the
      profile's floor (its minimum inside the peak) removed;
    - ``position_angle`` (degrees east of north) and ``asymmetry`` are the argument and the relative
      amplitude of the first angular moment of the brightness along the ring,
      ``sum I(theta) exp(i theta) / sum I(theta)``;
    - ``central_depression`` is the mean brightness within 5 uas of the centre (or one pixel) divided
      by the mean brightness along the ring: well below 1 for a ring, about 1 or more for a blob;
    - ``outside_flux`` is the fraction of the total flux farther than 1.5 ring radii from the centre.

    The centre search looks for peaks at least one pixel from the centre and minimises the spread
    relative to the mean radius, so that it cannot collapse onto a bright spot (where every ray
    peaks at radius zero). ``central_depression`` is measured at the array's resolution when
    ``depression_blur`` (uas; Paper IV uses 20) is given: the image is blurred, and its brightness
    at the centre and along the ring found in the unblurred image are compared.

    Parameters
    ----------
    image : ndarray, 2-D
        The image (north up: row index increases to the north; east to the left).
    pixel_size : float or angle Quantity
        Pixel size, in uas (the unit of ``diameter`` and ``width``).
    n_angles : int, default 72
        Number of rays.
    centre : tuple of float, optional
        Fix the centre (row, column in pixels) instead of searching for it.
    depression_blur : float, optional
        FWHM (uas) of the blur for ``central_depression``; default none (the image as it is).

    Returns
    -------
    Bunch
        ``diameter``, ``width`` (in the unit of ``pixel_size``), ``position_angle`` (deg), ``asymmetry``,
        ``central_depression``, ``outside_flux`` and ``centre`` (row, column in pixels).

    Examples
    --------
    >>> from astrolab.datasets import SkyModel
    >>> import astropy.units as u
    >>> sky = SkyModel("crescent", diameter=40 * u.uas, width=6 * u.uas, position_angle=150 * u.deg,
    ...                offset=(5 * u.uas, 0 * u.uas))
    >>> fit = ring_fit(sky.image((64, 64), 2 * u.uas), 2.0)
    >>> round(fit.diameter), round(fit.position_angle), fit.central_depression < 0.1
    (40, 150, True)
    """
    from scipy import ndimage, optimize
    from sklearn.utils import Bunch

    from astrolab._validation import check_quantity, check_real

    image = as_float_array("image", image)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if min(image.shape) < 8:
        raise ValueError(f"image must be at least 8 x 8 pixels to hold a ring, got shape {image.shape}")
    if not np.all(np.isfinite(image)):
        raise ValueError("image must not contain NaN or infinite values")
    if hasattr(pixel_size, "unit"):  # an angle Quantity, read in uas
        pixel_size = check_quantity("pixel_size", pixel_size, "uas")
    pixel_size = check_real("pixel_size", pixel_size, min=0, min_inclusive=False)
    if isinstance(n_angles, bool) or not isinstance(n_angles, (int, np.integer)) or not 8 <= n_angles <= 100_000:
        raise ValueError(f"n_angles must be an integer in [8, 100000], got {n_angles!r}")
    positive = np.clip(image, 0, None)
    if positive.sum() <= 0:
        raise ValueError("image has no positive brightness")
    angles = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    r_max = min(image.shape) / 2 - 1
    radii = np.linspace(0, r_max, 4 * int(r_max) + 1)

    inner_mask = radii < 1.0  # peaks are looked for at least one pixel from the centre

    def peaks_from(img, c):
        profiles = _ray_profiles(img, c[0], c[1], radii, angles)
        searched = np.where(inner_mask, -np.inf, profiles)
        k = np.clip(np.argmax(searched, axis=1), 1, len(radii) - 2)
        y0, y1, y2 = (profiles[np.arange(len(k)), k + j] for j in (-1, 0, 1))
        denom = y0 - 2 * y1 + y2
        shift = np.where(denom < 0, 0.5 * (y0 - y2) / np.where(denom < 0, denom, -1.0), 0.0)
        return profiles, radii[k] + np.clip(shift, -1, 1) * (radii[1] - radii[0])

    def spread(c):
        pk = peaks_from(positive, c)[1]
        return float(np.std(pk) / max(np.mean(pk), 1.0))

    if centre is None:
        start = np.array(ndimage.center_of_mass(positive))
        best = optimize.minimize(spread, start, method="Nelder-Mead",
                                 options={"xatol": 0.01, "fatol": 1e-4, "initial_simplex":
                                          start + np.array([[0, 0], [1.5, 0], [0, 1.5]])})
        cy, cx = best.x if np.hypot(*(best.x - start)) < r_max / 2 else start
    else:
        cy, cx = (float(c) for c in centre)
    profiles, peaks = peaks_from(positive, (cy, cx))
    radius = float(np.mean(peaks))
    widths = []
    for prof, pk in zip(profiles, peaks, strict=True):
        k = int(np.argmin(np.abs(radii - pk)))
        floor = prof[: k + 1].min()
        half = floor + 0.5 * (prof[k] - floor)
        inner = np.flatnonzero(prof[: k + 1] < half)
        outer = np.flatnonzero(prof[k:] < half)
        r_in = radii[inner[-1]] if inner.size else 0.0
        r_out = radii[k + outer[0]] if outer.size else radii[-1]
        widths.append(r_out - r_in)
    along = np.array([np.interp(pk, radii, prof) for prof, pk in zip(profiles, peaks, strict=True)])
    moment = np.sum(along * np.exp(1j * angles)) / max(np.sum(along), 1e-300)
    # the centre: within 5 uas (at least one pixel) of it, against the mean brightness along the ring
    yy, xx = np.indices(image.shape)
    dist = np.hypot(yy - cy, xx - cx)
    inner = dist <= max(5.0 / pixel_size, 1.0)
    seen = positive
    if depression_blur is not None:
        if not depression_blur > 0:
            raise ValueError(f"depression_blur must be a positive FWHM in uas, got {depression_blur!r}")
        seen = np.clip(blur(image, depression_blur, pixel_size), 0, None)
    seen_profiles = _ray_profiles(seen, cy, cx, radii, angles)
    ring_mean = float(np.mean([np.interp(pk, radii, prof) for prof, pk in zip(seen_profiles, peaks, strict=True)]))
    depression = float(np.mean(seen[inner]) / ring_mean) if ring_mean > 0 else np.inf
    outside = float(positive[dist > 1.5 * radius].sum() / positive.sum())
    return Bunch(diameter=2 * radius * pixel_size, width=float(np.mean(widths)) * pixel_size,
                 position_angle=float(np.degrees(np.angle(moment)) % 360), asymmetry=float(np.abs(moment)),
                 central_depression=depression, outside_flux=outside, centre=(float(cy), float(cx)))


def ring_parameters(image, pixel_size, n_angles: int = 72):
    """Diameter and width of a ring image, measured by :func:`ring_fit` (the EHT's REx).

    Parameters
    ----------
    image : ndarray, 2-D
        The image (north up, east left).
    pixel_size : float
        Pixel size, in the unit of the answer (e.g. uas).

    Returns
    -------
    diameter, width : float
        In the unit of ``pixel_size``.

    Examples
    --------
    >>> from astrolab.datasets import crescent_image
    >>> import astropy.units as u
    >>> d, w = ring_parameters(crescent_image((64, 64), 2 * u.uas, diameter=40 * u.uas, asymmetry=0), 2.0)
    >>> round(d, 1)
    40.0
    """
    fit = ring_fit(image, pixel_size, n_angles=n_angles)
    return fit.diameter, fit.width


def image_visibilities(op: FourierOperator, vis, sigma, lam, mu=0.0, *, nonneg=True, x0=None, max_iter=2000,
                       tol=1e-6, lipschitz=None, penalty_weights=None, warn=True):
    """Sparse-modelling image: minimise ``1/2 sum |V - F x|^2 / sigma^2 + lam |x|_1 + mu TSV(x)``, x >= 0.

    The visibilities are whitened by their errors (each row divided by ``sigma``: the error of the
    real and of the imaginary part), so ``lam`` and ``mu`` are in units of chi-squared. With
    ``x >= 0``, ``|x|_1`` is the total flux: a uniform l1 weight only trades flux for misfit; with
    ``penalty_weights`` (one per pixel, e.g. growing away from the expected source) it is a
    weighted l1 norm ``sum w_j x_j`` that makes flux far from the source expensive.

    FISTA stops when the relative change of the image falls below ``tol``; if ``max_iter`` comes
    first, a :class:`~sklearn.exceptions.ConvergenceWarning` says so (``warn=False`` silences it;
    ``info["converged"]`` tells either way). Returns the image (Jy per pixel) and FISTA's info dict.
    """
    vis = np.asarray(vis)
    sigma = as_float_array("sigma", sigma)
    if vis.shape != (op.shape[0],) or sigma.shape != vis.shape:
        raise ValueError(f"vis and sigma must both have {op.shape[0]} entries, got {vis.shape} and {sigma.shape}")
    if not np.all(np.isfinite(vis)):
        raise ValueError("vis must not contain NaN or infinite values")
    if not np.all(sigma > 0):
        raise ValueError("sigma must be positive")
    weighted = op.with_weights(1 / sigma)
    L = power_iteration(weighted) if lipschitz is None else lipschitz
    x, info = fista(weighted, vis / sigma, lam, mu=mu, image_shape=op.image_shape, nonneg=nonneg, x0=x0,
                    max_iter=max_iter, tol=tol, lipschitz=L, penalty_weights=penalty_weights)
    if warn and not info["converged"]:
        warnings.warn(f"FISTA stopped at max_iter={max_iter} before the relative change of the image fell below "
                      f"tol={tol:g}: the image is not converged (raise max_iter, or check lam and mu)",
                      ConvergenceWarning, stacklevel=2)
    return x.reshape(op.image_shape), info
