"""A small automated source-detection pipeline: background, matched filter, peaks, photometry, flags."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.stats import gaussian_fwhm_to_sigma

from astrolab._validation import as_float_array, check_array, check_int, check_real

__all__ = ["completeness_purity", "detect_sources", "match_to_truth", "score_pipeline"]


def detect_sources(image, psf_fwhm: float, *, threshold: float = 5.0, background=None, noise=None,
                   sharp_limit: float = 2.5, elongation_limit: float = 3.0):
    """Find sources in an image, measure them, and flag detector artefacts.

    The classic steps of a survey pipeline, in ~40 lines:

    1. background: sigma-clipped median of the image;
    2. matched filter: convolve with the PSF (a Gaussian of FWHM ``psf_fwhm``), which maximises the
       signal-to-noise ratio of a point source, and divide by the noise of the filtered image
       (its sigma-clipped standard deviation, or ``noise * sqrt(sum(kernel**2))`` when the
       per-pixel white noise is given);
    3. detection: local maxima of the filtered S/N map above ``threshold`` (a local maximum per
       source also splits most blends);
    4. measurement: flux-weighted centroid in a 5x5 box, aperture flux within 2 FWHM and its error;
    5. flags: ``"sharp"`` when the brightest pixel holds more than ``sharp_limit`` times the flux
       fraction a PSF puts in one pixel (cosmic rays, hot pixels); ``"streak"`` when the pixels
       above threshold around the peak (within 4 FWHM, connected to it) have an elongation (ratio
       of axes from their second moments) above ``elongation_limit`` (satellite trails); ``"ok"``
       otherwise.

    Parameters
    ----------
    image : ndarray, shape (ny, nx)
        Image in counts (electrons).
    psf_fwhm : float
        FWHM of the point-spread function, in pixels.
    threshold : float, default 5
        Detection threshold in units of the filtered noise.
    background, noise : float, optional
        Sky level and per-pixel (white) noise; estimated from the image when not given.
    sharp_limit, elongation_limit : float, default 2.5 and 3
        Flagging thresholds (see above).

    Returns
    -------
    QTable
        One row per detection, brightest first: ``x``, ``y`` (pixels), ``flux``, ``flux_err``,
        ``snr`` (peak of the filtered S/N map), ``sharpness`` (relative to a PSF), ``elongation``,
        ``flag``.

    Examples
    --------
    >>> from astrolab.datasets import make_survey_image
    >>> image, truth = make_survey_image((128, 128), n_stars=10, n_galaxies=0, n_cosmic_rays=0,
    ...                                  n_hot_pixels=0, n_trails=0, flux_range=(5e3, 1e4), seed=2)
    >>> found = detect_sources(image, psf_fwhm=3.0)
    >>> len(found) == 10, set(found["flag"]) == {"ok"}
    (True, True)
    """
    from astropy.stats import sigma_clipped_stats
    from astropy.table import QTable
    from scipy import ndimage

    image = as_float_array("image", image)
    if image.ndim != 2 or min(image.shape) < 8:
        raise ValueError(f"image must be a 2-D array of at least 8 x 8 pixels, got shape {image.shape}")
    if not np.all(np.isfinite(image)):
        raise ValueError("image must not contain NaN or infinite values")
    check_real("psf_fwhm", psf_fwhm, finite=False)  # dimensionless Quantities pass
    if not 0.5 < psf_fwhm < min(image.shape) / 2:
        raise ValueError(f"psf_fwhm must be a FWHM in pixels between 0.5 and {min(image.shape) / 2}, got {psf_fwhm!r}")
    check_real("threshold", threshold, finite=False)  # dimensionless Quantities pass
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}")
    if background is None:
        background = sigma_clipped_stats(image, sigma=3.0, maxiters=10)[1]
    if noise is not None and not noise > 0:
        raise ValueError(f"noise must be positive, got {noise!r}")

    sigma = psf_fwhm * gaussian_fwhm_to_sigma
    data = image - background
    filtered = ndimage.gaussian_filter(data, sigma, mode="constant")
    delta = np.zeros((int(8 * sigma) | 1,) * 2)
    delta[delta.shape[0] // 2, delta.shape[1] // 2] = 1.0
    kernel = ndimage.gaussian_filter(delta, sigma, mode="constant")
    if noise is None:
        # the noise of the *filtered* image, measured on it: right also when the pixel noise is
        # correlated (resampled or compressed images), where noise * sqrt(sum k^2) is too small
        filtered_noise = sigma_clipped_stats(filtered, sigma=3.0, maxiters=10)[2]
        noise = filtered_noise / np.sqrt((kernel**2).sum())
    else:
        filtered_noise = noise * np.sqrt((kernel**2).sum())
    snr = filtered / filtered_noise

    above = snr > threshold
    size = max(3, int(2 * psf_fwhm) | 1)
    peaks = above & (ndimage.maximum_filter(snr, size=size, mode="constant") == snr)
    py, px = np.nonzero(peaks)
    regions, _ = ndimage.label(above)

    # elongation: second moments of the above-threshold pixels of the peak's region, in a window of
    # +-4 FWHM around the peak (a local measure, so that crossing trails and blends do not hide it)
    ny, nx = image.shape
    w = int(np.ceil(4 * psf_fwhm))
    elong = np.ones(len(py))
    for k, (y0, x0) in enumerate(zip(py, px, strict=True)):
        ys, xs = slice(max(y0 - w, 0), min(y0 + w + 1, ny)), slice(max(x0 - w, 0), min(x0 + w + 1, nx))
        yy, xx = np.nonzero(regions[ys, xs] == regions[y0, x0])
        if len(yy) > 3:
            eig = np.linalg.eigvalsh(np.cov(np.vstack([xx, yy]).astype(float)))
            elong[k] = np.sqrt(max(eig[1], 1e-12) / max(eig[0], 1e-3))

    radius = 2.0 * psf_fwhm
    half = int(np.ceil(radius))
    psf_peak_fraction = kernel.max() / kernel.sum()  # flux fraction in the central pixel of a PSF
    rows = []
    for y0, x0, e in zip(py, px, elong, strict=True):
        ys, xs = slice(max(y0 - 2, 0), min(y0 + 3, ny)), slice(max(x0 - 2, 0), min(x0 + 3, nx))
        box = np.clip(data[ys, xs], 0, None)
        yy, xx = np.mgrid[ys, xs]
        w = box.sum()
        xc, yc = ((xx * box).sum() / w, (yy * box).sum() / w) if w > 0 else (float(x0), float(y0))
        ya, xa = slice(max(int(yc) - half, 0), min(int(yc) + half + 2, ny)), \
            slice(max(int(xc) - half, 0), min(int(xc) + half + 2, nx))
        yy, xx = np.mgrid[ya, xa]
        inside = (xx - xc) ** 2 + (yy - yc) ** 2 <= radius**2
        flux = data[ya, xa][inside].sum()
        flux_err = np.sqrt(inside.sum() * noise**2 + max(flux, 0.0))
        peak_pixel = data[max(y0 - 1, 0):y0 + 2, max(x0 - 1, 0):x0 + 2].max()
        sharp = (peak_pixel / flux) / psf_peak_fraction if flux > 0 else np.inf
        flag = "streak" if e > elongation_limit else "sharp" if sharp > sharp_limit else "ok"
        rows.append((xc, yc, flux, flux_err, snr[y0, x0], sharp, e, flag))
    names = ("x", "y", "flux", "flux_err", "snr", "sharpness", "elongation", "flag")
    if not rows:
        return QTable(names=names, dtype=[float] * 7 + ["U6"])
    table = QTable(rows=rows, names=names)
    table.sort("snr", reverse=True)
    return table


def match_to_truth(detected, truth, radius: float = 2.0):
    """Match detections to true sources by position, one to one, brightest true source first.

    Parameters
    ----------
    detected, truth : table or dict of arrays
        With columns ``x`` and ``y`` (pixels); ``truth`` also ``flux``.
    radius : float, default 2
        Largest separation of a match, in pixels.

    Returns
    -------
    truth_match : ndarray of int
        For each true source, the row of its detection, or -1.
    detected_match : ndarray of int
        For each detection, the row of its true source, or -1.

    Examples
    --------
    >>> t = {"x": [10.0, 50.0], "y": [10.0, 50.0], "flux": [100.0, 50.0]}
    >>> d = {"x": [50.5, 10.2, 90.0], "y": [49.8, 10.1, 90.0]}
    >>> match_to_truth(d, t)
    (array([1, 0]), array([ 1,  0, -1]))
    """
    from scipy.spatial import cKDTree

    check_real("radius", radius, finite=False)  # dimensionless Quantities pass
    if not radius > 0:
        raise ValueError(f"radius must be a positive number of pixels, got {radius!r}")
    from astrolab._validation import InvalidParameterError

    columns = {}
    for name, table, needed in (("detected", detected, ("x", "y")), ("truth", truth, ("x", "y", "flux"))):
        try:
            columns[name] = [as_float_array(f"{name}['{c}']", table[c]).ravel() for c in needed]
        except (KeyError, IndexError, TypeError, ValueError) as err:
            if isinstance(err, InvalidParameterError):
                raise
            raise InvalidParameterError(f"{name} must be a table (dict, DataFrame or Table) with columns "
                                        f"{list(needed)}, got {type(table).__name__}") from None
    dxy = np.column_stack(columns["detected"])
    txy = np.column_stack(columns["truth"][:2])
    truth_match = np.full(len(txy), -1)
    detected_match = np.full(len(dxy), -1)
    if len(dxy) == 0 or len(txy) == 0:
        return truth_match, detected_match
    tree = cKDTree(dxy)
    for i in np.argsort(-np.asarray(truth["flux"], float)):
        for j in tree.query_ball_point(txy[i], radius):
            if detected_match[j] < 0 and (truth_match[i] < 0 or np.hypot(*(dxy[j] - txy[i])) <
                                          np.hypot(*(dxy[truth_match[i]] - txy[i]))):
                if truth_match[i] >= 0:
                    detected_match[truth_match[i]] = -1
                truth_match[i], detected_match[j] = j, i
    return truth_match, detected_match


def completeness_purity(true_flux, truth_found, detected_flux, detected_real, bins):
    """Completeness against true flux and purity against measured flux, bin by bin.

    Parameters
    ----------
    true_flux : array_like
        Flux of every true source.
    truth_found : array_like of bool
        Whether each true source was detected (and kept).
    detected_flux : array_like
        Measured flux of every kept detection.
    detected_real : array_like of bool
        Whether each kept detection is a true source.
    bins : array_like
        Flux bin edges.

    Returns
    -------
    completeness, purity : ndarray
        Fraction of true sources found, and fraction of detections that are real, per bin
        (NaN where a bin is empty).

    Examples
    --------
    >>> c, p = completeness_purity([1, 2, 20], [False, True, True], [2, 20, 25], [True, True, False], [0, 10, 100])
    >>> c.tolist(), p.tolist()
    ([0.5, 1.0], [1.0, 0.5])
    """
    if np.ndim(bins) == 0 and not isinstance(bins, u.Quantity):
        bins = check_int("bins", bins, min=1, max=100_000)
    else:
        bins = check_array("bins", bins, ndim=1, min_rows=2)
        if not np.all(np.diff(bins) > 0):
            raise ValueError(f"bins must be increasing bin edges, got {bins!r}"[:300])

    def fraction(values, good, names):
        values, good = as_float_array(names[0], values), np.asarray(good, bool)
        if values.ndim != 1 or values.shape != good.shape:
            raise ValueError(f"{names[0]} and {names[1]} must be 1-D of the same length, got shapes {values.shape} "
                             f"and {good.shape}")
        total, _ = np.histogram(values, bins)
        hits, _ = np.histogram(values[good], bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, hits / np.maximum(total, 1), np.nan)

    return (fraction(true_flux, truth_found, ("true_flux", "truth_found")),
            fraction(detected_flux, detected_real, ("detected_flux", "detected_real")))


def score_pipeline(image, truth, psf_fwhm: float, threshold: float = 5.0, *, flag_artifacts: bool = True,
                   radius: float = 2.0, bins=None):
    """Run :func:`detect_sources` on a mock image and score it against the injected truth.

    Parameters
    ----------
    image : ndarray
        Image from :func:`astrolab.datasets.make_survey_image`.
    truth : dict
        Its truth (``truth["sources"]`` with ``x``, ``y``, ``flux``, ``kind``).
    psf_fwhm, threshold : float
        Passed to :func:`detect_sources`.
    flag_artifacts : bool, default True
        Keep only detections flagged ``"ok"``; False keeps every detection.
    radius : float, default 2
        Matching radius in pixels.
    bins : array_like, optional
        Flux bin edges; default 20 logarithmic bins over the true fluxes.

    Returns
    -------
    dict
        ``found`` (the detections kept), ``truth_match``, ``found_match``, ``bins``,
        ``completeness`` (stars, per true-flux bin), ``purity`` (overall fraction of kept detections
        that are real) and ``limit_50`` (flux of 50 % completeness for stars, NaN if not reached).

    Examples
    --------
    >>> from astrolab.datasets import make_survey_image
    >>> image, truth = make_survey_image((128, 128), n_stars=40, seed=3)
    >>> score = score_pipeline(image, truth, psf_fwhm=3.0)
    >>> 0 <= score["purity"] <= 1, len(score["completeness"])
    (True, 20)
    """
    found = detect_sources(image, psf_fwhm, threshold=threshold)
    if flag_artifacts:
        found = found[found["flag"] == "ok"]
    sources = truth["sources"]
    flux = np.asarray(sources["flux"], float)
    if bins is None:
        bins = np.logspace(np.log10(flux.min()), np.log10(flux.max()) + 1e-9, 21)
    truth_match, found_match = match_to_truth(found, sources, radius=radius)
    stars = np.asarray(sources["kind"]) == "star"
    completeness, _ = completeness_purity(flux[stars], truth_match[stars] >= 0, np.asarray(found["flux"], float),
                                          found_match >= 0, bins)
    centres = np.sqrt(np.asarray(bins)[1:] * np.asarray(bins)[:-1])
    good = np.isfinite(completeness)
    reached = good & (completeness >= 0.5)
    limit = np.nan
    if reached.any() and (good & (completeness < 0.5)).any():
        limit = float(np.exp(np.interp(0.5, completeness[good], np.log(centres[good]))))
    return {"found": found, "truth_match": truth_match, "found_match": found_match, "bins": np.asarray(bins),
            "completeness": completeness, "purity": float(np.mean(found_match >= 0)) if len(found) else np.nan,
            "limit_50": limit}
