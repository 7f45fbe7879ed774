"""Exercises of chapter 1, big data (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` -- its data
and fits -- so it follows the notebook's seed (and a student's variant of it).
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_int, check_real
from astrolab.exercises._core import exercise

_PIVOT = 2010.0


def _poisson_tau(year, count) -> float:
    """The maximum-likelihood e-folding time of Poisson counts (Newton's method; the notebook's model)."""
    year, n = np.asarray(year, float), np.asarray(count, float)
    X = np.column_stack([np.ones_like(year), year - _PIVOT])
    beta = np.linalg.lstsq(X, np.log(n + 0.5), rcond=None)[0]
    for _ in range(100):
        mu = np.exp(X @ beta)
        step = np.linalg.solve(X.T @ (mu[:, None] * X), X.T @ (n - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    return 1.0 / beta[1]


# ------------------------------------------------------------------------- 01-02 exponential growth
exercise(
    "01-02", "growth-doubling",
    title="From e-folding to doubling",
    answer="doubling",
    name="the doubling time",
    rtol=1e-3,
    expected=lambda ns: _poisson_tau(ns["bayes"]["year"], ns["bayes"]["count"]) * np.log(2),
    hints=("An exponential with e-folding time tau doubles when (t - t0) / tau = ln 2.",
           "Multiply the fitted e-folding time `tau_b` (in years) by `np.log(2)`."),
    solution="""
        doubling = tau_b * np.log(2)
        print(f"{doubling:.2f} +/- {tau_b_err * np.log(2):.2f} yr")
        ex.growth_doubling.check(doubling)
    """,
)


def _crossing(ns) -> float:
    ln_a_b, tau_b, ln_a_n, break_hat, tau2_n = (ns[k] for k in ("ln_a_b", "tau_b", "ln_a_n", "break_hat", "tau2_n"))
    # ln A_n + (t - t_b) / tau2 = ln A_b + (t - PIVOT) / tau_b, solved for t
    return (ln_a_b - ln_a_n + break_hat / tau2_n - _PIVOT / tau_b) / (1 / tau2_n - 1 / tau_b)


exercise(
    "01-02", "growth-crossing",
    title="When would neural nets overtake Bayes?",
    answer="crossing_year",
    name="the crossing year",
    rtol=1e-4,
    expected=_crossing,
    hints=("Take logarithms of both laws: each becomes a straight line in t. Where do two lines cross?",
           "Write the difference of the two log-laws as a function of t and find its root with "
           "`optimize.brentq(difference, 2015, 2100)`."),
    solution="""
        def difference(t):
            return (ln_a_n + (t - break_hat) / tau2_n) - (ln_a_b + (t - PIVOT) / tau_b)


        crossing_year = optimize.brentq(difference, 2015, 2100)
        print(f"{crossing_year:.1f}")
        ex.growth_crossing.check(crossing_year)
    """,
)

exercise(
    "01-02", "growth-calibration",
    title="Are the error bars honest?",
    answer="pull_std",
    name="the standard deviation of the pulls",
    rtol=0.25,
    expected=lambda ns: 1.0,
    hints=("Reuse `broken_design`, `poisson_regression` and `neg_log_like`: for each simulated series, "
           "profile over the break year, refit at the best one, then build the 4x4 Fisher matrix as in section 4.",
           "The pull of one series is (1 / beta[2] - 2.5) / (sqrt(cov[2, 2]) / beta[2]**2); "
           "take `np.std` of the 100 pulls."),
    solution="""
        pulls = []
        small_grid = np.arange(2012.0, 2018.0001, 0.1)
        for _ in tqdm(range(100), desc="calibration"):
            n_sim = rng.poisson(neural_truth["mean"]).astype(float)
            nll = [neg_log_like(poisson_regression(broken_design(year_n, b), n_sim)[0], broken_design(year_n, b), n_sim)
                   for b in small_grid]
            b_hat = small_grid[np.argmin(nll)]
            X = broken_design(year_n, b_hat)
            beta, _ = poisson_regression(X, n_sim)
            mu = np.exp(X @ beta)
            J = np.column_stack([X, -np.where(year_n < b_hat, beta[1], beta[2])])
            cov = np.linalg.inv(J.T @ (mu[:, None] * J))
            pulls.append((1 / beta[2] - neural_truth["tau_after"]) / (np.sqrt(cov[2, 2]) / beta[2] ** 2))
        pull_std = np.std(pulls)
        print(f"pulls: mean {np.mean(pulls):+.2f}, standard deviation {pull_std:.2f}")
        ex.growth_calibration.check(pull_std)
    """,
)


# ------------------------------------------------------------------------- 01-01 surveys by the numbers
def _look_time(ns):
    import astropy.units as u

    lsst = ns["facts"].loc["Rubin LSST"]
    n_images = lsst["sky_area"] * lsst["epochs"] / (9.6 * u.deg**2)
    screens_per_image = lsst["camera_pixels"] / (1920 * 1080 * u.pix).to(u.Mpix)
    return (n_images * screens_per_image * 1 * u.s).to(u.yr)


exercise(
    "01-01", "bigdata-look-at-lsst",
    title="How long to look at every LSST image?",
    answer="look_time",
    name="the time to look at LSST",
    rtol=0.02,
    expected=_look_time,
    hints=("The number of images is the surveyed area times the visits per field, divided by the field of "
           "view; each image fills camera_pixels / (1920 x 1080 pixels) screens.",
           "Keep the units: `lsst['camera_pixels'] / (1920 * 1080 * u.pix).to(u.Mpix)` is a plain number, and "
           "(images x screens x 1 s) converts with `.to(u.yr)`."),
    solution="""
        lsst = facts.loc["Rubin LSST"]
        n_images = lsst["sky_area"] * lsst["epochs"] / (9.6 * u.deg**2)       # about 1.5 million visits
        screens_per_image = lsst["camera_pixels"] / (1920 * 1080 * u.pix).to(u.Mpix)
        look_time = (n_images * screens_per_image * 1 * u.s).to(u.yr)
        print(f"{n_images:.3g} images x {screens_per_image:.0f} screens each: {look_time:.0f} without sleep")
        ex.bigdata_look_at_lsst.check(look_time)
    """,
)


def _per_source(ns):
    import astropy.units as u

    facts = ns["facts"]
    return (facts["data_volume"] / facts["n_sources"]).to(u.MB)


exercise(
    "01-01", "bigdata-bytes-per-source",
    title="Which survey stores the most data per source?",
    answer="max_per_source",
    name="the largest volume per source",
    rtol=0.01,
    expected=lambda ns: np.nanmax(_per_source(ns)),
    hints=("Divide the two columns, `facts['data_volume'] / facts['n_sources']`, and convert to `u.MB`.",
           "`np.nanmax` skips the surveys without a number; `np.nanargmax` tells you which row it is."),
    solution="""
        per_source = (facts["data_volume"] / facts["n_sources"]).to(u.MB)
        best = np.nanargmax(per_source)
        max_per_source = per_source[best]
        print(f"{facts['survey'][best]}: {max_per_source:.0f} per star")  # a light curve of ~65 000 epochs
        ex.bigdata_bytes_per_source.check(max_per_source)
    """,
)


def _why_letter(ns) -> str:
    facts = ns["facts"]
    top = facts["survey"][np.nanargmax(_per_source(ns))]
    epochs = np.ma.filled(np.ma.asarray(facts["epochs"]).astype(float), np.nan)
    return "b" if top == facts["survey"][np.nanargmax(epochs)] else "a"


exercise(
    "01-01", "bigdata-why-per-source",
    title="Why so many bytes per source?",
    answer="why_choice",
    kind="choice",
    name="your choice",
    choices={"a": "its camera has more pixels than any other survey's",
             "b": "it observed each of its sources far more often than any other survey did",
             "c": "it covers the whole sky",
             "d": "its sources are the faintest, so each needs more pixels"},
    expected=_why_letter,
    hints=("Look at the columns of the survey you found next to the others': `sky_area`, `epochs`, "
           "`n_sources`.",
           "A survey that keeps a light curve per source stores one measurement per visit."),
    solution="""
        print(facts["survey", "epochs", "n_sources", "sky_area"])
        why_choice = "b"  # Kepler: ~65 000 visits of the same 200 000 stars, a light curve per star
        ex.bigdata_why_per_source.check(why_choice)
    """,
)


# ------------------------------------------------------------------------- 01-03 out of core
_G_COUNTS: dict = {}


def _g_mags(path) -> np.ndarray:
    """The G magnitudes of the whole catalogue at ``path`` (read once with pandas, cached)."""
    import pandas as pd

    key = str(path)
    if key not in _G_COUNTS:
        _G_COUNTS[key] = pd.read_parquet(path, columns=["phot_g_mean_mag"])["phot_g_mean_mag"].to_numpy()
    return _G_COUNTS[key]


exercise(
    "01-03", "ooc-bright-stars",
    title="Counting out of core",
    answer="n_bright",
    name="the number of stars with G < 15",
    rtol=0,
    expected=lambda ns: int((_g_mags(ns["path"]) < 15).sum()),
    hints=("`ddf['phot_g_mean_mag'] < 15` is a lazy boolean column; `.sum()` of it counts the True values.",
           "Nothing happens until `.compute()`: `int((ddf['phot_g_mean_mag'] < 15).sum().compute())`."),
    solution="""
        n_bright = int((ddf["phot_g_mean_mag"] < 15).sum().compute())
        print(f"{n_bright:,} stars with G < 15")
        ex.ooc_bright_stars.check(n_bright)
    """,
)

exercise(
    "01-03", "ooc-memory-1e8",
    title="How much memory for 10^8 rows?",
    answer="memory_1e8",
    name="the memory for 1e8 rows",
    rtol=0.01,
    expected=lambda ns: (ns["mem_pandas"].increase / ns["N_ROWS"] * 1e8 * _u().byte).to(_u().GiB),
    hints=("Memory per row is `mem_pandas.increase / N_ROWS` bytes; multiply by 1e8.",
           "Attach the unit and convert: `(... * u.byte).to(u.GiB)`."),
    solution="""
        memory_1e8 = (mem_pandas.increase / N_ROWS * 1e8 * u.byte).to(u.GiB)
        print(f"{memory_1e8:.0f}")
        ex.ooc_memory_1e8.check(memory_1e8)
    """,
)


def _u():
    import astropy.units as u

    return u


_SAMPLE_TARGET = 0.02  # relative error (1 sd) wanted on the count of stars with G < 13


def _sample_error(n_true: int, fraction: float) -> float:
    return float(np.sqrt(n_true * (1 - fraction) / fraction) / n_true) if fraction < 1 else 0.0


def _grade_partitions(answer, ns):
    import pandas as pd

    files = ns["files"]
    k = check_int("n_partitions", answer, min=1, max=len(files))
    n_rows = ns["N_ROWS"]
    n_true = int((_g_mags(ns["path"]) < 13).sum())
    rows = [pd.read_parquet(f, columns=["phot_g_mean_mag"])["phot_g_mean_mag"].to_numpy() for f in files[:k]]
    fraction = sum(len(r) for r in rows) / n_rows
    estimate = sum(int((r < 13).sum()) for r in rows) / fraction
    error = _sample_error(n_true, fraction)
    achieved = (f"reading {k} of {len(files)} partitions ({fraction:.0%} of the rows), the expected error on the "
                f"count of G < 13 stars is {error:.2%} (target {_SAMPLE_TARGET:.0%}); this sample's estimate is "
                f"off by {estimate / n_true - 1:+.2%}")
    if error > _SAMPLE_TARGET:
        return False, achieved + ": read more."
    rows_per_partition = n_rows / len(files)
    if k > 1 and _sample_error(n_true, (k - 1) * rows_per_partition / n_rows) <= _SAMPLE_TARGET:
        return False, achieved + ", but fewer partitions would meet the target: each one read costs I/O."
    return True, achieved + "."


exercise(
    "01-03", "ooc-sample-size",
    title="How big a sample?",
    answer="n_partitions",
    kind="judgement",
    name="the number of partitions",
    grade=_grade_partitions,
    hints=("A sample of a fraction f of the rows estimates a count N with a standard deviation of "
           "sqrt(N (1 - f) / f) (section 3): the relative error is that divided by N.",
           "You do not know N before counting, but one partition's count divided by its fraction is a good "
           "enough guess to plan with; then solve for f, and round the number of partitions up."),
    solution="""
        first = pd.read_parquet(files[0], columns=["phot_g_mean_mag"])["phot_g_mean_mag"]
        f1 = len(first) / N_ROWS
        n_guess = (first < 13).sum() / f1  # the count of the whole catalogue, estimated from one partition
        errors = {k: np.sqrt(n_guess * (1 - k * f1) / (k * f1)) / n_guess for k in range(1, len(files) + 1)}
        n_partitions = min(k for k, e in errors.items() if e <= 0.02)  # the fewest that meet 2 %
        print(f"{n_partitions} partitions: expected error {errors[n_partitions]:.2%}")
        ex.ooc_sample_size.check(n_partitions)
    """,
)


# ------------------------------------------------------------------------- 01-04 automating the look
def _purity_at(ns, threshold: float) -> float:
    from astrolab.bigdata import detect_sources, match_to_truth

    found = detect_sources(ns["image"], ns["PSF_FWHM"], threshold=threshold)
    kept = found[found["flag"] == "ok"]
    return float(np.mean(match_to_truth(kept, ns["sources"], radius=2.0)[1] >= 0))


exercise(
    "01-04", "look-threshold",
    title="A lower threshold",
    answer="purity_3",
    name="the purity at 3 sigma",
    rtol=0.01,
    expected=lambda ns: _purity_at(ns, 3.0),
    hints=("Call `al.bigdata.detect_sources(image, PSF_FWHM, threshold=3.0)` and keep the rows whose flag "
           "is 'ok'.",
           "Purity is the fraction of kept detections matched to a true source: the second array "
           "`al.bigdata.match_to_truth(kept, sources, radius=2.0)` returns, >= 0 where matched."),
    solution="""
        found3 = al.bigdata.detect_sources(image, PSF_FWHM, threshold=3.0)
        kept3 = found3[found3["flag"] == "ok"]
        purity_3 = float(np.mean(al.bigdata.match_to_truth(kept3, sources, radius=2.0)[1] >= 0))
        print(f"{len(kept3)} kept detections, purity {purity_3:.2f}")
        # Gaussian noise exceeds 3 sigma with probability 1.3e-3: ~1e6 pixels / (independent beams of
        # ~4 pi sigma^2 = 20 px) x 1.3e-3 ~ 70 false peaks, comparable to the faint real sources.
        ex.look_threshold.check(purity_3)
    """,
)

exercise(
    "01-04", "look-why-purity",
    title="Why does the purity drop?",
    answer="why_purity",
    kind="choice",
    name="your choice",
    choices={"a": "at 3 sigma the cosmic rays and hot pixels are no longer flagged",
             "b": "pure noise crosses 3 sigma in many places of a million-pixel image, and those peaks look like "
                  "faint round sources, which flags built for sharp or elongated artefacts cannot catch",
             "c": "the matched filter stops being optimal below 5 sigma",
             "d": "faint stars blend with each other, and blends are counted as false detections"},
    expected=lambda ns: "b",
    hints=("How many independent 'beams' of about 4 pi sigma_psf**2 pixels does a 1024 x 1024 image hold, and "
           "what fraction of pure Gaussian noise exceeds 3 sigma?",
           "Look at what the unmatched kept detections at 3 sigma are: their sharpness and elongation are "
           "those of a point source."),
    solution="""
        n_beams = image.size / (4 * np.pi * sigma_psf**2)
        print(f"{n_beams:.0f} beams x P(> 3 sigma) = {n_beams * 1.35e-3:.0f} noise peaks, "
              f"against {n_beams * 2.9e-7:.2f} above 5 sigma")
        why_purity = "b"
        ex.look_why_purity.check(why_purity)
    """,
)

exercise(
    "01-04", "look-seeing",
    title="Worse seeing",
    answer="limit_fwhm4",
    name="the flux limit",
    rtol=0.01,
    expected=lambda ns: (ns["THRESHOLD"] * ns["truth"]["noise"] * np.sqrt(4 * np.pi)
                         * 4.0 / (2 * np.sqrt(2 * np.log(2)))),
    hints=("The 50 % completeness flux of section 2 is 5 sigma_pix sqrt(4 pi) sigma_psf: only sigma_psf "
           "changes with the seeing.",
           "sigma = FWHM / (2 sqrt(2 ln 2)); use the same `THRESHOLD` and `truth['noise']`."),
    solution="""
        sigma4 = 4.0 / (2 * np.sqrt(2 * np.log(2)))
        limit_fwhm4 = THRESHOLD * truth["noise"] * np.sqrt(4 * np.pi) * sigma4
        print(f"{limit_fwhm4:.0f} e-: the limit grows in proportion to the seeing")
        ex.look_seeing.check(limit_fwhm4)
    """,
)

_REJECT_TARGET = 0.95  # fraction of the detected cosmic rays and hot pixels a sharpness cut must reject
_KEEP_SLACK = 0.02     # how much less of the real sources than the best such cut keeps may be lost


def _sharpness_split(ns):
    """Sharpness of the detections that are real sources and of those that are point-like artefacts."""
    from scipy.spatial import cKDTree

    from astrolab.bigdata import match_to_truth

    found, sources, artifacts = ns["found"], ns["sources"], ns["artifacts"]
    sharp = np.asarray(found["sharpness"], dtype=float)
    real = match_to_truth(found, sources, radius=2.0)[1] >= 0
    point_like = np.isin(np.asarray(artifacts["kind"]), ["cosmic ray", "hot pixel"])
    dist, index = cKDTree(np.column_stack([found["x"], found["y"]])).query(
        np.column_stack([artifacts["x"], artifacts["y"]])[point_like])
    artefact = np.zeros(len(found), bool)
    artefact[index[dist < 2]] = True
    return sharp[real & ~artefact], sharp[artefact]


def _grade_sharpness(answer, ns):
    limit = check_real("sharp_limit", answer, min=0.0)
    real, artefact = _sharpness_split(ns)
    rejected, kept = float(np.mean(artefact > limit)), float(np.mean(real <= limit))
    achieved = (f"sharp_limit = {limit:g} rejects {rejected:.1%} of the detected cosmic rays and hot pixels "
                f"(target {_REJECT_TARGET:.0%}) and keeps {kept:.1%} of the detected real sources")
    if rejected < _REJECT_TARGET:
        return False, achieved + ": too many artefacts get through."
    candidates = np.sort(np.concatenate([real, artefact]))
    best = max(np.mean(real <= c) for c in candidates if np.mean(artefact > c) >= _REJECT_TARGET)
    if kept < best - _KEEP_SLACK:
        return False, achieved + ", but a looser cut also meets the target and keeps more real sources."
    return True, achieved + "."


exercise(
    "01-04", "look-sharpness",
    title="Tune the artefact flag",
    answer="sharp_limit",
    kind="judgement",
    name="your sharpness limit",
    grade=_grade_sharpness,
    hints=("`found['sharpness']` is the flux fraction in the brightest pixel relative to a PSF's: about 1 "
           "for a point source. Match `found` to `sources` and to the cosmic rays and hot pixels of "
           "`artifacts` (as the self-check of this notebook does, with `cKDTree`) to see both distributions.",
           "Histogram the sharpness of the real detections and of the artefact detections on a log axis; the "
           "limit should sit just below almost all of the artefacts."),
    solution="""
        real_match = al.bigdata.match_to_truth(found, sources, radius=2.0)[1] >= 0
        point_like = np.isin(artifacts["kind"], ["cosmic ray", "hot pixel"])
        dist, index = cKDTree(np.column_stack([found["x"], found["y"]])).query(
            np.column_stack([artifacts["x"], artifacts["y"]])[point_like])
        is_artefact = np.zeros(len(found), bool)
        is_artefact[index[dist < 2]] = True  # detections of a cosmic ray or a hot pixel
        sharp_artefacts = np.asarray(found["sharpness"])[is_artefact]
        sharp_real = np.asarray(found["sharpness"])[real_match & ~is_artefact]
        sharp_limit = float(np.quantile(sharp_artefacts, 1 - 0.96))  # reject 96 % of the artefacts
        print(f"limit {sharp_limit:.2f}: keeps {np.mean(sharp_real <= sharp_limit):.1%} of the real detections")
        ex.look_sharpness.check(sharp_limit)
    """,
)
