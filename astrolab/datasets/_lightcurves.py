"""Light curves of pulsating stars: RR Lyrae (ab, c, d, Blazhko) and classical Cepheids, with truth."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import Bunch

from astrolab._validation import check_rng, check_size

__all__ = ["LIGHTCURVE_KINDS", "make_lightcurve", "make_lightcurves"]

# Representative Fourier parameters (V band, sine series m = m0 + sum_k A_k sin(2 pi k f t + phi_k)):
# first-harmonic amplitude A1 (mag), amplitude ratios R_k1 = A_k / A1 and phase differences
# phi_k1 = phi_k - k phi_1, after the OGLE RR Lyrae and Cepheid catalogues (Soszynski et al. 2008-2016)
# and Simon & Lee (1981). Values are typical, not fits to one star. The phases are those of this sine series:
# a cosine series (OGLE's) has phi21 larger by pi/2 and phi31 by pi (RRc: cosine 4.8 and 3.1).
_TEMPLATES = {
    "RRab": {"period": 0.5668, "A1": 0.30, "R": [1, 0.48, 0.33, 0.22, 0.15, 0.10], "phi": [0, 2.4, 5.0, 1.4, 3.9, 0.2]},
    "RRc": {"period": 0.3271, "A1": 0.22, "R": [1, 0.16, 0.08], "phi": [0, 3.23, 6.24]},
    "Cepheid": {"period": 5.366, "A1": 0.30, "R": [1, 0.42, 0.22, 0.12], "phi": [0, 2.6, 5.2, 1.6]},
}
LIGHTCURVE_KINDS = ("RRab", "RRc", "RRd", "Blazhko", "Cepheid")
_CADENCES = ("ground", "space", "stripe82")
# Multiband light curves (``bands``): amplitude relative to r, and photometric error relative to ``noise``, for
# the SDSS bands. RR Lyrae amplitudes fall with wavelength from g to z, and u is damped by the Balmer jump
# (Sesar et al. 2010, ApJ 708, 717); errors grow in u and z, where SDSS is less sensitive. Typical values,
# not fits to any star. Colours (mag relative to r) only make the bands look real.
_BAND_AMPLITUDE = {"u": 1.3, "g": 1.35, "r": 1.0, "i": 0.8, "z": 0.75}
_BAND_ERROR = {"u": 2.5, "g": 1.1, "r": 1.0, "i": 1.1, "z": 1.8}
_BAND_COLOUR = {"u": 1.2, "g": 0.2, "r": 0.0, "i": -0.05, "z": -0.05}
_SDSS_ORDER = "riuzg"   # the order in which a drift scan crosses the camera's filters, 72 s apart
_S82_CALIBRATION = 0.015   # mag: the single-epoch photometric calibration of Stripe 82


def _sampling(cadence, n_obs, span, rng):
    if cadence == "ground":
        # one site: nights of 8 h centred on local midnight, 40 % of nights lost to weather or the Moon,
        # 1-3 visits per clear night, a seasonal gap; times in days (HJD - t0).
        nights = np.arange(int(np.ceil(span)))
        season = (nights % 365) < 240
        clear = nights[season & (rng.random(nights.size) > 0.4)]
        visits = rng.integers(1, 4, clear.size)
        night_of = np.repeat(clear, visits)
        t = night_of + 0.5 + rng.uniform(-1 / 6, 1 / 6, night_of.size)
        if t.size < n_obs:
            raise ValueError(f"span={span} d gives only {t.size} ground-based visits, fewer than n_obs={n_obs}: "
                             "ask for fewer n_obs or a longer span")
        t = np.sort(rng.choice(t, n_obs, replace=False))
    elif cadence == "stripe82":
        # SDSS Stripe 82 (Sesar et al. 2010; Frieman et al. 2008): drift scans in the autumn (about 90 nights
        # from early September), a few a season in the early years and every few clear nights in the last
        # three seasons (the SDSS-II Supernova Survey); one epoch per night. A star crosses the meridian 1/365.25 d
        # earlier each night (sidereal time), and a drift scan reaches it within about 2 h of that.
        n_seasons = int(np.ceil(span / 365.25))
        nights = np.concatenate([365.25 * k + np.arange(90) for k in range(n_seasons)])
        nights = nights[nights <= span]
        weight = np.where(nights // 365.25 >= n_seasons - 3, 8.0, 1.0)
        if nights.size < n_obs:
            raise ValueError(f"span={span} d gives only {nights.size} Stripe 82 nights, fewer than n_obs={n_obs}: "
                             "ask for fewer n_obs or a longer span")
        t = np.sort(rng.choice(nights, n_obs, replace=False, p=weight / weight.sum()))
        t = t + 0.45 - (t % 365.25) / 365.25 + rng.uniform(-1 / 12, 1 / 12, n_obs)
    else:
        # a space telescope: a regular cadence with small jitter and two data-download gaps
        t = np.linspace(0, span, n_obs) + rng.normal(0, 1e-3 * span / n_obs, n_obs)
        gap = (np.abs(t - span / 3) < 0.03 * span) | (np.abs(t - 2 * span / 3) < 0.03 * span)
        t = np.sort(t[~gap])
    return t


def make_lightcurve(kind: str = "RRd", *, cadence: str = "ground", n_obs: int | None = None, span: float | None = None,
                    noise: float = 0.02, period: float | None = None, bands=None, seed=0) -> Bunch:
    """A light curve of a pulsating star from a Fourier-series template, with its true frequencies.

    Parameters
    ----------
    kind : {"RRab", "RRc", "RRd", "Blazhko", "Cepheid"}, default "RRd"
        ``"RRd"``: a double-mode RR Lyrae (first overtone with ``P1/P0 = 0.745``, stronger, and the
        fundamental mode, plus their combination frequency); ``"Blazhko"``: an RRab whose amplitude
        and phase are modulated with a period of 48 d (side peaks at ``f +- f_B``).
    cadence : {"ground", "space", "stripe82"}, default "ground"
        ``"ground"``: 1-3 visits on clear nights of one site (daily aliases); ``"space"``: a regular
        cadence over ``span`` with two gaps; ``"stripe82"``: SDSS Stripe 82, one epoch on some autumn
        nights each year, sparse for years and then dense for three seasons (daily and yearly aliases),
        with a 0.015-mag calibration error per epoch and band that ``mag_err`` does not include.
    n_obs : int, optional
        Number of epochs (default 150 from the ground, 1500 from space, 56 for Stripe 82).
    span : float, optional
        Length of the campaign in days (default 200 from the ground, 30 from space, 3300 for Stripe 82).
    noise : float, default 0.02
        Median photometric error (mag); each point's error scatters around it (heteroscedastic).
    period : float, optional
        Main period in days (default the template's; for ``"RRd"`` the fundamental period P0).
    bands : str, optional
        SDSS bands observed at every epoch, e.g. ``"ugriz"`` (72 s apart, as in a drift scan), each with its
        own amplitude (falling with wavelength), colour and error level. Default: one band, as the template.
    seed : int or numpy.random.Generator

    Returns
    -------
    Bunch
        ``time`` (d), ``mag``, ``mag_err``, ``band`` (with ``bands`` only) and ``truth``: ``kind``,
        ``frequencies`` (cycles per day of the independent modes, strongest first), ``periods`` (d), and
        ``components``: a list of ``(frequency, amplitude, phase)`` of every sinusoid in the light curve.

    Examples
    --------
    >>> lc = make_lightcurve("RRd", seed=1)
    >>> len(lc.time), [round(float(p), 4) for p in lc.truth["periods"]]
    (150, [0.3598, 0.483])
    """
    if not (isinstance(kind, str) and kind in LIGHTCURVE_KINDS):
        raise ValueError(f"kind must be one of {LIGHTCURVE_KINDS}, got {kind!r}")
    if not (isinstance(cadence, str) and cadence in _CADENCES):
        raise ValueError(f"cadence must be one of {_CADENCES}, got {cadence!r}")
    n_obs = {"ground": 150, "space": 1500, "stripe82": 56}[cadence] if n_obs is None else n_obs
    span = {"ground": 200.0, "space": 30.0, "stripe82": 3300.0}[cadence] if span is None else span
    if not (isinstance(n_obs, (int, np.integer)) and not isinstance(n_obs, bool) and n_obs >= 10):
        raise ValueError(f"n_obs must be an integer >= 10, got {n_obs!r}")
    check_size("n_obs", 8.0 * 8 * n_obs * (len(bands) if isinstance(bands, str) else 1), request=f"n_obs={n_obs}")
    for name, value, what in (("span", span, "number of days"), ("noise", noise, "magnitude error"),
                              ("period", period, "number of days")):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value < np.inf
        if not (ok or (name == "period" and value is None)):
            raise ValueError(f"{name} must be a positive {what}, got {value!r}")
    if bands is not None and not (isinstance(bands, str) and bands and set(bands) <= set(_BAND_AMPLITUDE)
                                  and len(set(bands)) == len(bands)):
        raise ValueError(f"bands must be None or a string of distinct SDSS bands from 'ugriz', got {bands!r}")
    rng = check_rng("seed", seed)  # a Generator passes through unchanged
    t = _sampling(cadence, n_obs, span, rng)
    scale, colour, err_scale = 1.0, 0.0, 1.0
    if bands is not None:   # every epoch in every band, in the drift scan's order
        order = sorted(bands, key=_SDSS_ORDER.index)
        band = np.tile(order, t.size)
        t = (t[:, None] + 72 / 86400 * np.array([_SDSS_ORDER.index(b) for b in order])).ravel()
        scale, colour, err_scale = (np.array([table[b] for b in band])
                                    for table in (_BAND_AMPLITUDE, _BAND_COLOUR, _BAND_ERROR))

    components = []  # (frequency, amplitude, phase)
    if kind == "RRd":
        p0 = 0.4830 if period is None else period
        f0, f1 = 1 / p0, 1 / (0.745 * p0)
        components += [(f1, 0.20, 0.3), (2 * f1, 0.03, 2.1), (f0, 0.10, 1.2), (2 * f0, 0.02, 4.0),
                       (f0 + f1, 0.025, 5.1)]
        modes = [f1, f0]
    else:
        template = _TEMPLATES["RRab" if kind == "Blazhko" else kind]
        f = 1 / (template["period"] if period is None else period)
        phi1 = rng.uniform(0, 2 * np.pi)
        for k, (ratio, dphi) in enumerate(zip(template["R"], template["phi"], strict=True), start=1):
            components.append((k * f, template["A1"] * ratio, (dphi + k * phi1) % (2 * np.pi)))
        modes = [f]
    mag = np.full(t.size, 15.0) + colour
    if kind == "Blazhko":
        f_b = 1 / 48.0
        modes.append(f_b)
        envelope = 1 + 0.3 * np.sin(2 * np.pi * f_b * t)           # amplitude modulation
        shift = 0.2 * np.sin(2 * np.pi * f_b * t + 1.0)             # phase modulation (rad)
        for freq, amp, ph in components:
            mag += scale * envelope * amp * np.sin(2 * np.pi * freq * t + ph + shift * freq / components[0][0])
    else:
        for freq, amp, ph in components:
            mag += scale * amp * np.sin(2 * np.pi * freq * t + ph)
    mag_err = err_scale * noise * np.exp(rng.normal(0, 0.3, t.size))  # heteroscedastic, median = noise
    mag = mag + mag_err * rng.standard_normal(t.size)
    if cadence == "stripe82":   # each night's zero point is known to about 1.5 % (Ivezic et al. 2007): an error
        mag = mag + rng.normal(0, _S82_CALIBRATION, t.size)   # that mag_err does not include
    truth = {"kind": kind, "frequencies": np.array(modes), "periods": 1 / np.array(modes),
             "components": components}
    out = Bunch(time=t, mag=mag, mag_err=mag_err, truth=truth)
    if bands is not None:
        out["band"] = band
    return out


def make_lightcurves(n: int, *, kinds=("RRab", "RRc", "RRd", "Cepheid"), cadence: str = "ground", seed=0,
                     **kwargs) -> list:
    """``n`` light curves of random kinds and periods (RRab 0.45-0.75 d, RRc 0.25-0.4 d, RRd P0
    0.46-0.55 d, Cepheids 3-20 d, log-uniform), for benchmarks of period finders.

    Examples
    --------
    >>> sample = make_lightcurves(3, seed=2)
    >>> len(sample), all(lc.truth["frequencies"][0] > 0.05 for lc in sample)
    (3, True)
    """
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ValueError(f"n must be a positive integer, got {n!r}")
    from astrolab._validation import check_int, check_size

    n = check_int("n", n, min=1)
    check_size("n", 2e4 * n, request=f"n={n} light curves")  # a few hundred epochs of time, mag, error each
    ranges = {"RRab": (0.45, 0.75), "RRc": (0.25, 0.40), "RRd": (0.46, 0.55), "Blazhko": (0.45, 0.75),
              "Cepheid": (3.0, 20.0)}
    rng = check_rng("seed", seed)  # a Generator passes through unchanged
    out = []
    for _ in range(n):
        kind = kinds[rng.integers(len(kinds))]
        lo, hi = ranges[kind]
        period = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        out.append(make_lightcurve(kind, cadence=cadence, period=period, seed=rng, **kwargs))
    return out
