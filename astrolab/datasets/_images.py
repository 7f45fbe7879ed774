"""A mock survey image with stars, galaxies and detector artefacts, and the truth behind every pixel."""

from __future__ import annotations

import numpy as np
from astropy.stats import gaussian_fwhm_to_sigma

from astrolab._validation import check_real, check_rng, check_size

__all__ = ["make_survey_image"]


def _add_gaussian(image, x, y, flux, sx, sy, theta, half):
    """Add a pixel-sampled elliptical Gaussian of total ``flux`` centred on (x, y)."""
    ny, nx = image.shape
    x0, x1 = max(int(x) - half, 0), min(int(x) + half + 1, nx)
    y0, y1 = max(int(y) - half, 0), min(int(y) + half + 1, ny)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    c, s = np.cos(theta), np.sin(theta)
    u = (xx - x) * c + (yy - y) * s
    v = -(xx - x) * s + (yy - y) * c
    image[y0:y1, x0:x1] += flux / (2 * np.pi * sx * sy) * np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))


def make_survey_image(shape=(512, 512), *, n_stars: int = 400, n_galaxies: int = 100, psf_fwhm: float = 3.0,
                      sky: float = 200.0, read_noise: float = 5.0, flux_range=(100.0, 1e5),
                      n_cosmic_rays: int = 40, n_hot_pixels: int = 20, n_trails: int = 1, seed=0):
    """A mock CCD image of a survey field, in electrons, with every source and artefact recorded.

    Stars are point sources with a Gaussian PSF; galaxies are elliptical Gaussians 1.5-4 times
    wider. Fluxes follow Euclidean source counts, N(>F) ~ F^-3/2, between ``flux_range``. The sky
    and the sources get Poisson noise and the read-out Gaussian noise. Artefacts that a pipeline
    must not report as sources: cosmic-ray hits (1-4 adjacent pixels, much sharper than the PSF),
    hot pixels (single pixels) and satellite trails (lines across the frame).

    Parameters
    ----------
    shape : tuple of int, default (512, 512)
        Image size (ny, nx) in pixels.
    n_stars, n_galaxies : int, default 400 and 100
        Numbers of sources.
    psf_fwhm : float, default 3.0
        FWHM of the PSF in pixels.
    sky : float, default 200
        Sky level per pixel (electrons).
    read_noise : float, default 5
        Read-out noise per pixel (electrons, rms).
    flux_range : tuple of float, default (100, 1e5)
        Smallest and largest total source flux (electrons).
    n_cosmic_rays, n_hot_pixels, n_trails : int, default 40, 20, 1
        Numbers of artefacts.
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    image : ndarray of float, shape ``shape``
        Electrons per pixel, sky included.
    truth : dict
        ``sources`` (QTable: ``x``, ``y``, ``flux``, ``kind`` "star" or "galaxy", ``size`` = sigma in
        pixels), ``artifacts`` (QTable: ``x``, ``y``, ``kind``, with the trail's centre), ``sky``,
        ``noise`` (rms per pixel of the empty sky), ``psf_fwhm`` and the noiseless ``model`` image.

    Examples
    --------
    >>> image, truth = make_survey_image((128, 128), n_stars=20, n_galaxies=5, seed=1)
    >>> image.shape, len(truth["sources"])
    ((128, 128), 25)
    """
    from astropy.table import QTable

    if (not isinstance(shape, tuple) or len(shape) != 2
            or not all(isinstance(s, (int, np.integer)) and s >= 32 for s in shape)):
        raise ValueError(f"shape must be a tuple of two integers >= 32, got {shape!r}")
    counts = {"n_stars": n_stars, "n_galaxies": n_galaxies, "n_cosmic_rays": n_cosmic_rays,
              "n_hot_pixels": n_hot_pixels, "n_trails": n_trails}
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    check_real("psf_fwhm", psf_fwhm)  # dimensionless Quantities pass
    if not psf_fwhm > 0.5:
        raise ValueError(f"psf_fwhm must be a FWHM in pixels larger than 0.5, got {psf_fwhm!r}")
    check_real("sky", sky)  # dimensionless Quantities pass
    check_real("read_noise", read_noise)  # dimensionless Quantities pass
    if not (sky >= 0 and read_noise >= 0):
        raise ValueError(f"sky and read_noise must be non-negative, got {sky!r} and {read_noise!r}")
    check_size("shape", 8 * 4 * shape[0] * shape[1], request=f"shape={shape!r}")  # a few float images
    check_size("n_stars", 8 * 16 * sum(counts.values()), request=", ".join(f"{k}={v}" for k, v in counts.items()))
    if not (isinstance(flux_range, (tuple, list)) and len(flux_range) == 2):
        raise ValueError(f"flux_range must be (low, high) with 0 < low < high, got {flux_range!r}")
    f_lo, f_hi = (check_real(f"flux_range[{i}]", f) for i, f in enumerate(flux_range))
    if not 0 < f_lo < f_hi:
        raise ValueError(f"flux_range must be (low, high) with 0 < low < high, got {flux_range!r}")

    rng = check_rng("seed", seed)
    ny, nx = shape
    sigma = psf_fwhm * gaussian_fwhm_to_sigma
    model = np.zeros(shape)
    n_src = n_stars + n_galaxies
    # Euclidean counts: N(>F) ~ F^-1.5, truncated to [f_lo, f_hi], by inverting the CDF.
    u = rng.random(n_src)
    flux = (f_lo**-1.5 - u * (f_lo**-1.5 - f_hi**-1.5)) ** (-1 / 1.5)
    x = rng.uniform(0, nx - 1, n_src)
    y = rng.uniform(0, ny - 1, n_src)
    is_gal = np.arange(n_src) >= n_stars
    size = np.where(is_gal, sigma * rng.uniform(1.5, 4.0, n_src), sigma)
    axis_ratio = np.where(is_gal, rng.uniform(0.4, 1.0, n_src), 1.0)
    theta = rng.uniform(0, np.pi, n_src)
    for i in range(n_src):
        _add_gaussian(model, x[i], y[i], flux[i], size[i], size[i] * axis_ratio[i], theta[i],
                      int(np.ceil(5 * size[i])))

    image = rng.poisson(model + sky).astype(float) + rng.normal(0.0, read_noise, shape)

    art_x, art_y, art_kind = [], [], []
    for _ in range(n_cosmic_rays):  # a short track of 1-4 pixels, deposited after the exposure's Poisson noise
        cx, cy = int(rng.integers(2, nx - 2)), int(rng.integers(2, ny - 2))
        length = int(rng.integers(1, 5))
        dx, dy = rng.choice([-1, 0, 1], 2)
        for k in range(length):
            image[np.clip(cy + k * dy, 0, ny - 1), np.clip(cx + k * dx, 0, nx - 1)] += rng.uniform(500, 5000)
        art_x.append(cx)
        art_y.append(cy)
        art_kind.append("cosmic ray")
    for _ in range(n_hot_pixels):
        hx, hy = int(rng.integers(0, nx)), int(rng.integers(0, ny))
        image[hy, hx] += rng.uniform(1000, 20000)
        art_x.append(hx)
        art_y.append(hy)
        art_kind.append("hot pixel")
    yy, xx = np.mgrid[0:ny, 0:nx]
    for _ in range(n_trails):  # a straight line of constant surface brightness, PSF-wide
        tx, ty = rng.uniform(0.2 * nx, 0.8 * nx), rng.uniform(0.2 * ny, 0.8 * ny)
        angle = rng.uniform(0, np.pi)
        distance = np.abs((xx - tx) * np.sin(angle) - (yy - ty) * np.cos(angle))
        trail = rng.uniform(30, 80) * np.exp(-0.5 * (distance / sigma) ** 2)
        image += rng.poisson(trail) if trail.max() > 0 else 0.0
        art_x.append(tx)
        art_y.append(ty)
        art_kind.append("trail")

    sources = QTable({"x": x, "y": y, "flux": flux, "kind": np.where(is_gal, "galaxy", "star"), "size": size})
    artifacts = QTable({"x": np.array(art_x, float), "y": np.array(art_y, float),
                        "kind": np.array(art_kind, dtype="U10")})
    truth = {"sources": sources, "artifacts": artifacts, "sky": float(sky),
             "noise": float(np.sqrt(sky + read_noise**2)), "psf_fwhm": float(psf_fwhm), "model": model + sky}
    return image, truth
