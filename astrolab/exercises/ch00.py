"""Exercises of chapter 0, welcome (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` (its data) or
from physics (CODATA's Wien constant); the two judgement exercises grade a choice against the truth.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_int, check_real
from astrolab.exercises._core import exercise

_WIEN_B = 2.897771955e-3  # m K (CODATA 2018): the truth the notebook's numerical b_fit is compared with


# ------------------------------------------------------------------------- 00-01 how to use this course
def _betelgeuse_peak(ns):
    import astropy.units as u

    from astrolab.datasets import wien_peak

    return wien_peak(3600 * u.K).to(u.nm)


exercise(
    "00-01", "welcome-betelgeuse",
    title="The peak of Betelgeuse",
    answer="peak_betelgeuse",
    name="the peak wavelength",
    expected=_betelgeuse_peak,
    hints=("Wien's displacement law: the peak wavelength is b / T, with b about 2.9e-3 m K.",
           "`al.datasets.wien_peak` takes a temperature Quantity and returns the peak wavelength; "
           "convert it with `.to(u.nm)`."),
    solution="""
        peak_betelgeuse = al.datasets.wien_peak(3600 * u.K).to(u.nm)
        print(peak_betelgeuse)  # about 805 nm: in the near infrared, just redward of the visible band
        ex.welcome_betelgeuse.check(peak_betelgeuse)
    """,
)


def _visible_letter(ns) -> str:
    import astropy.units as u

    peak = _betelgeuse_peak(ns).to_value(u.nm)
    return "a" if 380 <= peak <= 750 else ("b" if peak > 750 else "c")


exercise(
    "00-01", "welcome-visible",
    title="Is Betelgeuse's peak visible?",
    answer="visible_choice",
    kind="choice",
    name="your choice",
    choices={"a": "in the visible band (380-750 nm)",
             "b": "in the near infrared, redward of the visible band",
             "c": "in the ultraviolet, blueward of the visible band"},
    expected=_visible_letter,
    hints=("Compare the peak wavelength of the previous exercise with the grey band of the first figure, "
           "380-750 nm.",
           "Betelgeuse looks red to the eye: most of its visible light comes from the red end, on the way "
           "up to a peak that lies beyond it."),
    solution="""
        visible_choice = "b"  # the peak is redward of 750 nm: we see the blue flank of its spectrum, red
        ex.welcome_visible.check(visible_choice)
    """,
)

exercise(
    "00-01", "welcome-lyman",
    title="A star that peaks at the Lyman limit",
    answer="lyman_temperature",
    name="the temperature",
    rtol=1e-3,
    expected=lambda ns: _lyman_temperature(),
    hints=("Wien's law lambda_peak = b / T, solved for T, is T = b / lambda_peak.",
           "Divide `b_fit` (a Quantity in m K) by `91.2 * u.nm` and convert the result with `.to(u.K)`."),
    solution="""
        lyman_temperature = (b_fit / (91.2 * u.nm)).to(u.K)
        print(f"{lyman_temperature:.0f}")  # about 31 800 K: an early B or late O star
        ex.welcome_lyman.check(lyman_temperature)
    """,
)


def _lyman_temperature():
    import astropy.units as u

    return (_WIEN_B * u.m * u.K / (91.2 * u.nm)).to(u.K)


def _b_from_grid(n_grid: int, temps_k) -> float:
    """The Wien constant fitted as in section 4 of 00-01, on a grid of ``n_grid`` points (m K)."""
    h, c, k = 6.62607015e-34, 2.99792458e8, 1.380649e-23
    grid = np.geomspace(10e-9, 1e-4, n_grid)  # metres: 10 nm to 100 µm, as in the notebook
    peaks = []
    for t in temps_k:
        with np.errstate(over="ignore"):
            b_lambda = 1.0 / (grid**5 * np.expm1(h * c / (grid * k * t)))
        peaks.append(grid[np.argmax(b_lambda)])
    slope, intercept = np.polyfit(np.log10(temps_k), np.log10(peaks), 1)
    return 10**intercept


def _grid_error(n_grid: int, temps_k) -> float:
    return abs(_b_from_grid(n_grid, temps_k) / _WIEN_B - 1)


_GRID_TARGET = 1e-3


_SCAN = np.unique(np.geomspace(200, 40_000, 48).astype(int))
_N_STABLE: dict = {}


def _n_stable(temps_k) -> int:
    """The smallest scanned N from which on every finer scanned grid meets the target (the error of
    the peak search aliases: a lucky coarse grid can meet it by chance)."""
    key = tuple(np.round(temps_k, 6))
    if key not in _N_STABLE:
        ok = np.array([_grid_error(n, temps_k) < _GRID_TARGET for n in _SCAN])
        failing = np.flatnonzero(~ok)
        _N_STABLE[key] = int(_SCAN[failing[-1] + 1]) if failing.size else int(_SCAN[0])
    return _N_STABLE[key]


def _grade_grid(answer, ns):
    import astropy.units as u

    n_grid = check_int("n_grid", answer, min=10, max=10**7)
    temps_k = np.asarray(ns["temps"].to_value(u.K), dtype=float)
    error = _grid_error(n_grid, temps_k)
    cost = f"{n_grid * len(temps_k):,} evaluations of Planck's law"
    if error >= _GRID_TARGET:
        return False, (f"with {n_grid:,} grid points the fitted b is {error:.2%} from the true Wien constant, "
                       f"more than the target {_GRID_TARGET:.1%}: the grid is too coarse.")
    if n_grid < _n_stable(temps_k):
        return False, (f"with {n_grid:,} grid points b is within {error:.3%} of the truth, but only by luck: "
                       "slightly finer grids miss the target (the peak search jumps from grid point to grid "
                       "point). Choose a grid that meets it with a margin.")
    if n_grid > 3 * _n_stable(temps_k):
        return False, (f"with {n_grid:,} grid points b is within {error:.3%} of the truth ({cost}), but a grid "
                       "three times coarser also meets the target reliably: you pay for precision nobody "
                       "asked for.")
    return True, (f"{n_grid:,} grid points put b within {error:.3%} of the true Wien constant "
                  f"(target {_GRID_TARGET:.1%}) for {cost}.")


exercise(
    "00-01", "welcome-grid",
    title="How fine a grid?",
    answer="n_grid",
    kind="judgement",
    name="the number of grid points",
    grade=_grade_grid,
    hints=("A grid of N points spaced evenly in log wavelength over 10 nm-100 µm has a relative spacing "
           "d = ln(10**4) / N; each peak is off by up to d / 2.",
           "Try a few values of N in the code of section 4 (`np.geomspace(10, 1e5, N) * u.nm`) and compare "
           "b_fit with 2.897771955e-3 m K; the fit over 25 temperatures averages the errors down a little."),
    solution="""
        for n in (1000, 2000, 4000, 8000):
            grid_n = np.geomspace(10, 1e5, n) * u.nm
            peaks_n = [grid_n[np.argmax(al.datasets.planck_lambda(grid_n, t))].to_value(u.m) for t in temps]
            b_n = 10 ** np.polyfit(np.log10(temps.to_value(u.K)), np.log10(peaks_n), 1)[1]
            print(f"{n:5d} points: b off by {abs(b_n / 2.897771955e-3 - 1):.3%}")
        n_grid = 4000  # the coarsest of these that meets 0.1 %
        ex.welcome_grid.check(n_grid)
    """,
)


# ------------------------------------------------------------------------- 00-02 python for astronomers
def _proxima_au(ns):
    import astropy.units as u

    return (768.0665 * u.mas).to(u.au, equivalencies=u.parallax())


exercise(
    "00-02", "python-proxima-au",
    title="Proxima in astronomical units",
    answer="proxima_au",
    name="the distance",
    rtol=1e-4,
    expected=_proxima_au,
    hints=("A parallax becomes a distance with the `u.parallax()` equivalency.",
           "`(768.0665 * u.mas).to(u.au, equivalencies=u.parallax())`: astropy converts to any length unit."),
    solution="""
        proxima_au = (768.0665 * u.mas).to(u.au, equivalencies=u.parallax())
        ex.python_proxima_au.check(proxima_au)
    """,
)


def _naked_eye(ns) -> int:
    import astropy.units as u

    return int((ns["catalog"]["phot_g_mean_mag"] < 6 * u.mag).sum())


exercise(
    "00-02", "python-naked-eye",
    title="Naked-eye stars",
    answer="n_naked_eye",
    name="the number of stars",
    rtol=0,
    expected=_naked_eye,
    hints=("Compare the column with a Quantity: `catalog['phot_g_mean_mag'] < 6 * u.mag` is a boolean mask.",
           "The number of True values of a mask is its `.sum()`; make it an `int`."),
    solution="""
        n_naked_eye = int((catalog["phot_g_mean_mag"] < 6 * u.mag).sum())
        ex.python_naked_eye.check(n_naked_eye)
    """,
)


def _median_vtan(ns):
    import astropy.units as u

    good = ns["good"]
    pm = np.hypot(good["pmra"], good["pmdec"]).to_value(u.mas / u.yr)
    return np.median((4.740470463 * u.km / u.s) * pm / good["parallax"].to_value(u.mas))


exercise(
    "00-02", "python-vtan",
    title="Tangential velocities",
    answer="median_vtan",
    name="the median velocity",
    rtol=1e-3,
    expected=_median_vtan,
    hints=("Total proper motion: `np.hypot(good['pmra'], good['pmdec'])`; divide it by the parallax.",
           "(mas/yr) / mas is 1/yr: take `.to_value(u.yr**-1)`, multiply by 4.740470463 km/s, then "
           "`np.median`."),
    solution="""
        pm_total = np.hypot(good["pmra"], good["pmdec"])
        vtan = (pm_total / good["parallax"]).to_value(u.yr**-1) * 4.740470463 * u.km / u.s
        median_vtan = np.median(vtan)
        print(f"{median_vtan:.1f}")  # ~35 km/s: the median of a 2-D Rayleigh distribution, 1.18 sigma
        ex.python_vtan.check(median_vtan)
    """,
)

_CUT_TARGET = 0.10   # 95 % of the kept distances within 10 % of the truth
_CUT_SLACK = 0.02    # the kept fraction may fall short of the best possible by this much


def _cut_quality(cut, ratio, fractional_error):
    kept = ratio > cut
    if not kept.any():
        return 0.0, np.inf
    return float(kept.mean()), float(np.quantile(fractional_error[kept], 0.95))


def _grade_parallax_cut(answer, ns):
    import astropy.units as u

    cut = check_real("min_parallax_over_error", answer, min=0.0)
    far, far_truth = ns["far"], ns["far_truth"]
    ratio = (far["parallax"] / far["parallax_error"]).to_value(u.one)
    distance = far["parallax"].to(u.pc, equivalencies=u.parallax()).to_value(u.pc)
    fractional_error = np.abs(distance / far_truth["distance"].to_value(u.pc) - 1)
    kept, q95 = _cut_quality(cut, ratio, fractional_error)
    if q95 > _CUT_TARGET:
        return False, (f"with parallax_over_error > {cut:g} you keep {kept:.1%} of the stars, but only 95 % of "
                       f"their distances are within {q95:.1%} of the truth (target {_CUT_TARGET:.0%}): cut harder.")
    quality = [_cut_quality(c, ratio, fractional_error) for c in np.arange(0.0, 30.0, 0.25)]
    best = max(k for k, q in quality if q <= _CUT_TARGET)
    if kept < best - _CUT_SLACK:
        return False, (f"95 % of the kept distances are within {q95:.1%} of the truth, but the cut keeps only "
                       f"{kept:.1%} of the stars: a looser cut meets the target and throws away fewer stars.")
    return True, (f"parallax_over_error > {cut:g} keeps {kept:.1%} of the stars, and 95 % of their 1/parallax "
                  f"distances are within {q95:.1%} of the truth (target {_CUT_TARGET:.0%}).")


exercise(
    "00-02", "python-parallax-cut",
    title="Where to cut in parallax precision?",
    answer="min_parallax_over_error",
    kind="judgement",
    name="your cut on parallax_over_error",
    grade=_grade_parallax_cut,
    hints=("A star with parallax_over_error r has a 1/parallax distance off by about 1/r (one sigma); "
           "95 % of a Gaussian lies within 2 sigma.",
           "Compare `far['parallax'].to(u.pc, equivalencies=u.parallax())` with `far_truth['distance']` for "
           "the stars above a few trial cuts, and take the 95th percentile of |d / d_true - 1| "
           "(`np.quantile(..., 0.95)`)."),
    solution="""
        ratio = (far["parallax"] / far["parallax_error"]).to_value(u.one)
        d_far = far["parallax"].to(u.pc, equivalencies=u.parallax())
        frac = np.abs(d_far / far_truth["distance"] - 1).to_value(u.one)
        for cut in (2, 5, 10, 20):
            kept = ratio > cut
            print(f"cut {cut:2d}: keeps {kept.mean():.1%}, 95 % within {np.quantile(frac[kept], 0.95):.1%}")
        min_parallax_over_error = 6.0  # between 5 (misses the target) and 10 (throws stars away)
        ex.python_parallax_cut.check(min_parallax_over_error)
    """,
)
