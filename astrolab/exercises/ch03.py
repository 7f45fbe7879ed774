"""Exercises of chapter 3, sparsity (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` -- its data,
truths and fits -- so it follows the notebook's seed (and a student's variant of it). The two
``judgement`` exercises of the chapter (03-01: choose lambda; 03-06: choose LSQR's tolerance) are
graded against the mock's truth, not against the notebook's own output.

Expected values that need a new simulation or fit are cached per process, keyed on everything they
depend on, so checking twice (or grepping the student edition) does not repeat the work.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from astrolab.exercises._core import exercise

_CACHE: dict = {}


def _cached(key, compute):
    if key not in _CACHE:
        _CACHE[key] = compute()
    return _CACHE[key]


def _positive(name: str, value) -> float:
    """A positive finite real from a learner's answer (ValueError / TypeError naming it otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


# ------------------------------------------------------------------------- 03-01 LASSO from scratch
exercise(
    "03-01", "lasso-soft-threshold",
    title="Soft thresholding by hand",
    answer="thresholded",
    name="the soft threshold",
    rtol=1e-12,
    atol=1e-12,
    expected=lambda ns: np.sign(np.array([3.0, -0.4, 1.2, -2.5])) * np.maximum(
        np.abs(np.array([3.0, -0.4, 1.2, -2.5])) - 1.0, 0.0),
    hints=("Every entry moves towards zero by t; an entry whose magnitude is below t becomes exactly 0.",
           "In numpy: `np.sign(z) * np.maximum(np.abs(z) - t, 0.0)`."),
    solution="""
        z = np.array([3.0, -0.4, 1.2, -2.5])
        thresholded = np.sign(z) * np.maximum(np.abs(z) - 1.0, 0.0)
        print(thresholded)
        ex.lasso_soft_threshold.check(thresholded)
    """,
)


def _nonzero_at_tenth(ns) -> int:
    lams, path = np.asarray(ns["lams"]), np.asarray(ns["path"])
    i = int(np.argmin(np.abs(lams - ns["lam_max"] / 10)))
    return int(np.sum(np.abs(path[i]) > 1e-6))


exercise(
    "03-01", "lasso-nonzero",
    title="How sparse at λ_max / 10?",
    answer="n_nonzero",
    name="the number of non-zero coefficients",
    rtol=0.0,
    expected=_nonzero_at_tenth,
    hints=("`path[i]` holds the coefficients at `lams[i]`: find the index i whose lambda is closest to "
           "`lam_max / 10`.",
           "`i = np.argmin(np.abs(lams - lam_max / 10))`, then count `np.abs(path[i]) > 1e-6`."),
    solution="""
        i = np.argmin(np.abs(lams - lam_max / 10))
        n_nonzero = int(np.sum(np.abs(path[i]) > 1e-6))
        print(n_nonzero)
        ex.lasso_nonzero.check(n_nonzero)
    """,
)

_LAMBDA_TOLERANCE = 0.40


def _grade_lambda(answer, ns):
    from astrolab import sparse

    lam = _positive("lam_choice", answer)
    X, y, beta_true = (np.asarray(ns[k], float) for k in ("X", "y", "beta_true"))
    path = np.asarray(ns["path"], float)
    best = float(np.min(np.linalg.norm(path - beta_true, axis=1)))
    beta = sparse.fista(X, y, lam, tol=1e-10, max_iter=5000)[0]
    error = float(np.linalg.norm(beta - beta_true))
    n_true = int(np.sum((np.abs(beta) > 1e-6) & (beta_true != 0)))
    n_false = int(np.sum((np.abs(beta) > 1e-6) & (beta_true == 0)))
    ok = error <= (1 + _LAMBDA_TOLERANCE) * best
    return ok, (f"with lambda = {lam:.3g} the coefficient error |beta - beta_true| is {error:.3f}, "
                f"{error / best - 1:+.0%} against the best lambda of the path's grid "
                f"({'within' if ok else 'outside'} the {_LAMBDA_TOLERANCE:.0%} tolerance); it keeps "
                f"{n_true} of the {int(np.sum(beta_true != 0))} true coefficients and {n_false} false ones.")


exercise(
    "03-01", "lasso-lambda",
    title="Choose λ for the coefficients' values",
    answer="lam_choice",
    kind="judgement",
    name="your lambda",
    grade=_grade_lambda,
    hints=("In a real problem there is no `beta_true`: choose lambda by a rule that uses the data alone "
           "(section 4), and let the check tell you how it did against the truth.",
           "The error of the values is dominated by the shrinkage of the true coefficients (about lambda "
           "each): a lambda much larger than needed to remove the false ones costs accuracy. Compare the "
           "two lambdas of section 4."),
    solution="""
        # The minimum of the cross-validation error: it predicts new data best, and prediction needs the
        # values of the coefficients. The 1-s.e. lambda is larger: sparser, but every true coefficient is
        # shrunk more.
        lam_choice = lam_cv
        print(f"lambda = {lam_choice:.4f}")
        ex.lasso_lambda.check(lam_choice)
    """,
)


# ------------------------------------------------------------------------- 03-02 imaging
def _gaussian_depression(ns) -> float:
    import astropy.units as u

    from astrolab import datasets, sparse

    keys = ("SEED", "GAIN_ERROR", "lam_best", "mu_best", "MAX_ITER", "BLUR", "pix")
    seed, gain_error, lam, mu, max_iter, blur, pix = (ns[k] for k in keys)

    def compute():
        gauss = datasets.make_eht_mock("gaussian", seed=seed, integration=6 * u.min, gain_error=gain_error)
        sigma = np.hypot(gauss.sigma, 0.05 * np.abs(gauss.vis))
        image, _ = sparse.image_visibilities(gauss.operator, gauss.vis, sigma, lam, mu, max_iter=max_iter,
                                             warn=False)
        centre = sparse.ring_fit(image, pix).centre
        return float(sparse.ring_fit(sparse.blur(image, blur, pix), pix, centre=centre).central_depression)

    return _cached(("03-02", "gaussian", seed, gain_error, float(lam), float(mu), max_iter, blur, pix), compute)


exercise(
    "03-02", "imaging-gaussian",
    title="Does the method invent a ring?",
    answer="depression_gauss",
    name="the central depression",
    rtol=1e-6,
    expected=_gaussian_depression,
    hints=("Make the Gaussian mock, its errors `np.hypot(gauss.sigma, 0.05 * np.abs(gauss.vis))`, and image it "
           "with `al.sparse.image_visibilities(gauss.operator, gauss.vis, sigma_gauss, lam_best, mu_best, "
           "max_iter=MAX_ITER, warn=False)`.",
           "`centre = al.sparse.ring_fit(image, pix).centre` on the unblurred image; then `ring_fit` of "
           "`al.sparse.blur(image, BLUR, pix)` with `centre=centre`, and read `.central_depression`."),
    solution="""
        gauss = al.datasets.make_eht_mock("gaussian", seed=SEED, integration=6 * u.min, gain_error=GAIN_ERROR)
        sigma_gauss = np.hypot(gauss.sigma, 0.05 * np.abs(gauss.vis))
        image, _ = al.sparse.image_visibilities(gauss.operator, gauss.vis, sigma_gauss, lam_best, mu_best,
                                                max_iter=MAX_ITER, warn=False)
        # the centre from the image itself; the depression on the image blurred to BLUR (as in EHT Paper IV)
        centre = al.sparse.ring_fit(image, pix).centre
        depression_gauss = al.sparse.ring_fit(al.sparse.blur(image, BLUR, pix), pix, centre=centre).central_depression
        blurred_best = al.sparse.blur(best, BLUR, pix)
        depression_crescent = al.sparse.ring_fit(blurred_best, pix, centre=fit_best.centre).central_depression
        fig, ax = plt.subplots(figsize=(5, 4))
        im = ax.imshow(image, origin="lower", cmap="afmhot", extent=extent)
        al.plotting.colorbar(im, ax, "Intensity", "Jy/pixel")
        ax.set_title(f"Gaussian truth: centre/ring {depression_gauss:.2f}\\n(crescent: {depression_crescent:.2f})")
        al.plotting.label_axes(ax, "relative RA", "relative Dec", xunit=u.uas, yunit=u.uas)
        plt.show()
        ex.imaging_gaussian.check(depression_gauss)
    """,
)

exercise(
    "03-02", "imaging-dirty-beam",
    title="What shapes the dirty beam?",
    answer="beam_answer",
    kind="choice",
    choices={"a": "the brightness distribution of the source",
             "b": "the uv-coverage: which baselines observed, and when",
             "c": "the thermal noise of the stations",
             "d": "the regularisation weights λ and μ"},
    expected=lambda ns: "b",
    hints=("The dirty beam is the dirty image of a 1 Jy point source at the centre: which of the four enters "
           "`al.sparse.dirty_beam(op)`?",
           "Make a second operator with half of the visibilities (`op.subset(...)`) and compare its dirty beam "
           "with `beam`; then ask whether the noise or the source ever reached `dirty_beam`."),
    solution="""
        # The dirty beam is F^H F applied to a point source: it depends only on where (u, v) were sampled
        # (and on the weights), not on the sky, the noise or the imaging weights. Half the samples, another beam:
        half_beam = al.sparse.dirty_beam(op.subset(np.arange(len(vis)) % 2 == 0))
        print(f"largest change of the beam with half the visibilities: {np.max(np.abs(half_beam - beam)):.2f}")
        beam_answer = "b"
        ex.imaging_dirty_beam.check(beam_answer)
    """,
)


# ------------------------------------------------------------------------- 03-03 real M87 data
exercise(
    "03-03", "null-diameter",
    title="From a null to a diameter",
    answer="null_42",
    name="the null of a 42-µas ring",
    rtol=1e-3,
    expected=lambda ns: 2.405 / (np.pi * ns["PUBLISHED_D"] * ns["UAS"]) / 1e9,
    hints=("The first zero of J0 is at 2.405: solve pi d rho = 2.405 for rho, with d in radians.",
           "`2.405 / (np.pi * 42 * UAS)` is in wavelengths; divide by 1e9 for Glambda."),
    solution="""
        null_42 = 2.405 / (np.pi * 42 * UAS) / 1e9
        print(f"{null_42:.2f} Glambda")
        ex.null_diameter.check(null_42)
    """,
)

exercise(
    "03-03", "closure-invariance",
    title="Do closure phases really ignore the atmosphere?",
    answer="largest_change",
    name="the largest change",
    rtol=0.0,
    atol=1e-9,
    expected=lambda ns: 0.0,
    hints=("Index the stations (`sorted(set(data['t1']) | set(data['t2']))`) and the timestamps "
           "(`np.unique(..., return_inverse=True)`), draw one phase per (time, station), and multiply each "
           "visibility by `np.exp(1j * (phi[slot, k1] - phi[slot, k2]))`.",
           "Wrap the difference of the closure phases with `np.angle(np.exp(1j * difference))` before taking "
           "the largest absolute value."),
    solution="""
        stations = sorted(set(data["t1"]) | set(data["t2"]))
        times, slot = np.unique(np.round(np.asarray(data["time"]) * 3600), return_inverse=True)
        phi = rng.uniform(-np.pi, np.pi, (len(times), len(stations)))
        k1 = np.array([stations.index(s) for s in data["t1"]])
        k2 = np.array([stations.index(s) for s in data["t2"]])
        corrupted_vis = data["vis"] * np.exp(1j * (phi[slot, k1] - phi[slot, k2]))
        change = np.angle(np.exp(1j * (cphase.design @ np.angle(corrupted_vis) - cphase.phase)))
        largest_change = float(np.max(np.abs(change)))
        print(f"largest change: {largest_change:.1e} rad")
        ex.closure_invariance.check(largest_change)
    """,
)


exercise(
    "03-03", "closure-non-closing",
    title="What do closure phases not cancel?",
    answer="closure_answer",
    kind="choice",
    choices={"a": "a random phase of the atmosphere above one station, new every few seconds",
             "b": "an amplitude gain of one station, wrong by 10 %",
             "c": "a phase error of one baseline alone (a correlator or polarisation-leakage error)",
             "d": "a clock offset at one station (a phase that grows across the band)"},
    expected=lambda ns: "c",
    hints=("Write each corruption as a factor on V_ab: does it factor as g_a g_b^*, one number per station?",
           "Repeat your check of the previous exercise with a phase added to one baseline only (all its "
           "visibilities): do the closure phases of the triangles through that baseline change?"),
    solution="""
        # Station-based errors (a, b, d) factor as g_a g_b^*: around a triangle the station phases cancel, and
        # amplitudes never enter a phase. An error of one baseline alone does not factor: it goes straight
        # into every closure phase through that baseline ("non-closing" errors, EHT paper III).
        # `pair` (section 4): every visibility of one baseline of the most observed triangle
        one_baseline = np.where(pair, np.exp(0.3j), 1.0) * data["vis"]
        moved = np.angle(np.exp(1j * (cphase.design @ np.angle(one_baseline) - cphase.phase)))
        print(f"closure phases moved by a 0.3 rad error on {data['t1'][leg]}-{data['t2'][leg]} alone: "
              f"{np.sum(np.abs(moved) > 1e-9)} of {moved.size}")
        closure_answer = "c"
        ex.closure_non_closing.check(closure_answer)
    """,
)


# ------------------------------------------------------------------------- 03-04 blind test
def _weak_depression(ns) -> float:
    from astrolab import sparse

    challenge, pix, ring_blur, reconstruct = ns["CHALLENGE"], ns["pix"], ns["RING_BLUR"], ns["reconstruct"]

    def compute():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the weak solves stop at their iteration cap (the exercise's point)
            image = reconstruct(sparse.ImagingChallenge(challenge).data, lam=3.0, mu=0.0).image_
        return float(sparse.ring_fit(sparse.blur(image, ring_blur, pix), pix).central_depression)

    return _cached(("03-04", "weak", int(challenge), float(pix), float(ring_blur)), compute)


exercise(
    "03-04", "blind-weak-regularisation",
    title="Almost no regularisation",
    answer="depression_weak",
    name="the central depression",
    rtol=0.05,
    expected=_weak_depression,
    hints=("`weak_imager = reconstruct(al.sparse.ImagingChallenge(CHALLENGE).data, lam=3.0, mu=0.0)`; its image "
           "is `weak_imager.image_` (the fit takes about 10 s).",
           "Blur it with `al.sparse.blur(weak_image, RING_BLUR, pix)` and read `.central_depression` of "
           "`al.sparse.ring_fit(...)` on the blurred image, as the decision rule does."),
    solution="""
        ch = al.sparse.ImagingChallenge(CHALLENGE)
        weak_imager = reconstruct(ch.data, lam=3.0, mu=0.0)
        weak_image = weak_imager.image_
        depression_weak = al.sparse.ring_fit(al.sparse.blur(weak_image, RING_BLUR, pix), pix).central_depression
        depression_chosen = al.sparse.ring_fit(al.sparse.blur(image, RING_BLUR, pix), pix).central_depression
        weak = ch.submit(weak_image)
        print(f"central depression: weak {depression_weak:.2f}, chosen {depression_chosen:.2f}; "
              f"weak solves converged: {weak_imager.converged_}")
        print(f"score: weak {weak['score']:.3f}, chosen {score['score']:.3f}; "
              f"NCC: weak {weak['ncc']:.3f}, chosen {score['ncc']:.3f}")
        # With almost no regularisation the image fits the noise and the gain errors left after
        # self-calibration: flux leaks into the hole, and the evidence for the ring (its
        # central depression) weakens. The blurred NCC and the score hardly notice: they compare images at
        # 20 uas, where those knots average out. FISTA also stops at its iteration cap without converging
        # (the ConvergenceWarning): the cap, the closure-phase start image and the 5 % error floor are
        # now doing the regularising, by accident rather than by choice.
        ex.blind_weak_regularisation.check(depression_weak)
    """,
)


def _other_team_score(ns) -> float:
    from astrolab import sparse

    truth, pix = ns["truth"], ns["pix"]
    penalty = 0.0
    if truth["model"] in ("ring", "crescent"):
        penalty = 2 * 0.15 + (90.0 / 180.0 if sparse.ring_fit(truth["image"], pix).asymmetry > 0.1 else 0.0)
    return float(ns["score"]["ncc"]) - penalty


exercise(
    "03-04", "blind-score",
    title="Scoring another team",
    answer="other_score",
    name="the other team's score",
    rtol=0.0,
    atol=2e-3,
    expected=_other_team_score,
    hints=("The score is the NCC of the blurred images minus, for ring sources, twice the absolute fractional "
           "error of the diameter and the absolute error of the bright side's position angle over 180 deg.",
           "Start from `score['ncc']` (the same NCC as ours); a ring 15 % too large has diameter error 0.15; "
           "is the truth's bright side asymmetric enough for the angle to count (`ring_fit(truth['image'], pix)"
           ".asymmetry`)?"),
    solution="""
        asymmetric = al.sparse.ring_fit(truth["image"], pix).asymmetry > 0.1
        other_score = score["ncc"] - 2 * 0.15 - (90 / 180 if asymmetric else 0.0)
        print(f"the other team: {other_score:.3f}; we: {score['score']:.3f}")
        ex.blind_score.check(other_score)
    """,
)


# ------------------------------------------------------------------------- 03-05 LASSO periodogram
def _blazhko_period(ns) -> float:
    from astrolab import datasets, sparse

    seed, fmax = ns["SEED"], ns["FMAX"]

    def compute():
        star = datasets.make_lightcurve("Blazhko", seed=seed)
        fit = sparse.LassoPeriodogram(fmin=0.05, fmax=fmax).fit(star.time, star.mag, star.mag_err)
        main, others = fit.frequencies_[0], fit.frequencies_[1:]
        side = others[np.argmin(np.abs(others - main))]
        return float(1 / abs(main - side))

    return _cached(("03-05", "blazhko", int(seed), float(fmax)), compute)


exercise(
    "03-05", "blazhko",
    title="The Blazhko effect",
    answer="blazhko_period",
    name="the Blazhko period",
    rtol=1e-6,
    expected=_blazhko_period,
    hints=("`fit = al.sparse.LassoPeriodogram(fmin=0.05, fmax=FMAX).fit(blazhko.time, blazhko.mag, "
           "blazhko.mag_err)`; `fit.frequencies_[0]` is the strongest component.",
           "Among `fit.frequencies_[1:]` take the one closest to the strongest; the period is "
           "`1 / abs(main - side)`."),
    solution="""
        blazhko = al.datasets.make_lightcurve("Blazhko", seed=SEED)
        fit = al.sparse.LassoPeriodogram(fmin=0.05, fmax=FMAX).fit(blazhko.time, blazhko.mag, blazhko.mag_err)
        main = fit.frequencies_[0]
        others = fit.frequencies_[1:]
        side = others[np.argmin(np.abs(others - main))]
        blazhko_period = 1 / abs(main - side)
        print(f"main {main:.5f} /d, side peak {side:.5f} /d -> Blazhko period {blazhko_period:.1f} d "
              f"(truth {blazhko.truth['periods'][1]:.1f} d)")
        ex.blazhko.check(blazhko_period)
    """,
)

_PREWHITEN_LETTERS = {"2 f1": "a", "f0 + f1": "b", "alias": "c", "removed": "d", "?": "e"}


def _third_peak_letter(ns) -> str:
    from astropy.timeseries import LombScargle

    lc, residual, second, freq = ns["lc"], ns["residual"], ns["second"], ns["freq"]
    left = residual - LombScargle(lc.time, residual, lc.mag_err, nterms=2).model(lc.time, second)
    power = LombScargle(lc.time, left, lc.mag_err).power(freq)
    name = ns["identify"](freq[np.argmax(power)])
    if "alias" in name:
        return _PREWHITEN_LETTERS["alias"]
    if name in ("f1", "f0"):
        return _PREWHITEN_LETTERS["removed"]
    return _PREWHITEN_LETTERS.get(name, "e")


exercise(
    "03-05", "prewhiten-third",
    title="Prewhiten once more",
    answer="third_peak",
    kind="choice",
    choices={"a": "the harmonic 2 f1", "b": "the combination frequency f0 + f1",
             "c": "a daily alias of one of the star's frequencies",
             "d": "f1 or f0 again: the prewhitening left part of a removed mode",
             "e": "none of these: a noise peak"},
    expected=_third_peak_letter,
    hints=("Repeat section 2's step on `residual`: subtract "
           "`LombScargle(lc.time, residual, lc.mag_err, nterms=2).model(lc.time, second)`, then compute "
           "`LombScargle(lc.time, left, lc.mag_err).power(freq)`.",
           "Take the frequency of the highest power and pass it to `identify` (section 2): it names a "
           "component, or an alias of one, within 0.01 per day."),
    solution="""
        left = residual - LombScargle(lc.time, residual, lc.mag_err, nterms=2).model(lc.time, second)
        power_3 = LombScargle(lc.time, left, lc.mag_err).power(freq)
        third = freq[np.argmax(power_3)]
        name = identify(third)
        print(f"third strongest after two prewhitenings: {third:.5f} /d -> {name}")
        third_peak = ("a" if name == "2 f1" else "b" if name == "f0 + f1" else "c" if "alias" in name
                      else "d" if name in ("f1", "f0") else "e")
        ex.prewhiten_third.check(third_peak)
    """,
)


# ------------------------------------------------------------------------- 03-06 astrometry
def _fewer_obs_rms(ns) -> float:
    from astrolab import datasets, sparse

    seed = ns["SEED"]

    def compute():
        half = datasets.make_astrometry(n_stars=400, n_obs_per_star=25, n_attitude_knots=60, noise=200.0, seed=seed)
        sol = sparse.astrometric_solution(half, half.n_stars, half.knots, half.w - half.w_ref, half.sigma)
        return float(np.sqrt(np.mean((sol.params[:, 2] - half.truth.delta_params[:, 2]) ** 2)))

    return _cached(("03-06", "fewer", int(seed)), compute)


exercise(
    "03-06", "astrometry-fewer-obs",
    title="How do parallax errors scale with the number of observations?",
    answer="x",
    name="the rms parallax residual",
    rtol=1e-6,
    expected=_fewer_obs_rms,
    hints=("`half = al.datasets.make_astrometry(n_stars=400, n_obs_per_star=25, n_attitude_knots=60, "
           "noise=200.0, seed=SEED)`, then `al.sparse.astrometric_solution(half, half.n_stars, half.knots, "
           "half.w - half.w_ref, half.sigma)`.",
           "The rms of `sol_half.params[:, 2] - half.truth.delta_params[:, 2]`; for the second question, "
           "`al.sparse.formal_errors(half, half.n_stars, half.knots, half.sigma)`."),
    solution="""
        half = al.datasets.make_astrometry(n_stars=400, n_obs_per_star=25, n_attitude_knots=60, noise=200.0, seed=SEED)
        sol_half = al.sparse.astrometric_solution(half, half.n_stars, half.knots, half.w - half.w_ref, half.sigma)
        x = float(np.sqrt(np.mean((sol_half.params[:, 2] - half.truth.delta_params[:, 2]) ** 2)))
        print(f"{x:.1f} uas with 25 observations per star, {rms_plx:.1f} uas with 100: ratio {x / rms_plx:.2f}")
        err_half = al.sparse.formal_errors(half, half.n_stars, half.knots, half.sigma)
        print(f"formal parallax errors: {np.sqrt(np.mean(err_half.params[:, 2] ** 2)):.1f} uas (25 obs) vs "
              f"{np.sqrt(np.mean(err.params[:, 2] ** 2)):.1f} uas (100 obs); attitude "
              f"{np.sqrt(np.mean(err_half.attitude ** 2)):.1f} vs {np.sqrt(np.mean(err.attitude ** 2)):.1f} uas")
        # The formal errors grow by the same factor of about 3, so this is geometry, not bad luck. Each star
        # has 5 unknowns: with 25 measurements the parallax is less well separated from the position and
        # proper motion (fewer degrees of freedom, a sparser sampling of the parallax ellipse along the
        # scans). The attitude errors double as well, but they stay small next to the parallax errors.
        ex.astrometry_fewer_obs.check(x)
    """,
)


def _best_nodes(ns) -> int:
    nodes = np.arange(1, 100_001)
    compute = 2 * (ns["bytes_j"] / nodes) / (ns["bw_node"] * ns["efficiency"])
    return int(nodes[np.argmin(compute + 2 * nodes * ns["vector_bytes"] / ns["LINK"])])


exercise(
    "03-06", "astrometry-client-bottleneck",
    title="How many nodes before the client becomes the bottleneck?",
    answer="P",
    name="the best number of nodes",
    rtol=0.02,
    expected=_best_nodes,
    hints=("`sum(jasmine_iteration(p)[:2])` is compute + client network for p nodes: evaluate it on a range of "
           "p and take the smallest.",
           "The two terms cross where a / p = c p: the optimum is near sqrt(a / c). Search coarsely (every 100th "
           "p up to 100 000), then finely around the best."),
    solution="""
        candidates = np.arange(1, 100_001)
        total = [sum(jasmine_iteration(p)[:2]) for p in candidates[::100]]   # coarse search first
        coarse = candidates[::100][int(np.argmin(total))]
        fine = np.arange(max(1, coarse - 100), coarse + 101)
        P = int(fine[np.argmin([sum(jasmine_iteration(p)[:2]) for p in fine])])
        print(f"P = {P} nodes: {sum(jasmine_iteration(P)[:2]):.2f} s per iteration "
              f"(memory needs {nodes_memory} nodes)")
        # The optimum is where compute = network, P = sqrt(bytes_j / (bw_node * efficiency) * LINK / (2 * 8 N)).
        # Beyond it, more nodes make each iteration slower: replace the single client by an all-reduce (MPI, or
        # a tree of partial sums on the workers), whose traffic per node does not grow with P.
        ex.astrometry_client_bottleneck.check(P)
    """,
)

_TOL_ACCURACY, _TOL_ITERATIONS = 0.01, 0.5


def _grade_tolerance(answer, ns):
    from astrolab import sparse

    tol = _positive("tol_choice", answer)
    if tol >= 1:
        raise ValueError(f"tol_choice must be below 1 (a relative tolerance), got {tol!r}")
    data, b, sol, n_stars = ns["data"], ns["b"], ns["sol"], ns["n_stars"]
    true_plx = data.truth.delta_params[:, 2]

    def rms(solution):
        return float(np.sqrt(np.mean((solution.params[:, 2] - true_plx) ** 2)))

    run = sparse.astrometric_solution(data, n_stars, data.knots, b, data.sigma, tol=tol)
    worse = rms(run) / rms(sol) - 1
    accurate = worse <= _TOL_ACCURACY
    cheap = run.n_iter <= _TOL_ITERATIONS * sol.n_iter
    verdict = ("as accurate as the converged solution, for at most half its iterations" if accurate and cheap else
               "accurate, but not cheaper enough: at JASMINE scale each iteration costs minutes" if accurate else
               "too few iterations: the parallaxes are not yet as good as the converged ones")
    return accurate and cheap, (f"with tol = {tol:.1g} LSQR stops after {run.n_iter} iterations ({sol.n_iter} at "
                                f"the default tolerance); the rms parallax error against the truth is "
                                f"{worse:+.1%} against the converged solution's: {verdict}.")


exercise(
    "03-06", "astrometry-lsqr-tol",
    title="How tight must LSQR converge?",
    answer="tol_choice",
    kind="judgement",
    name="your tolerance",
    grade=_grade_tolerance,
    hints=("Section 5's convergence plot: after how many iterations does the whitened residual stop falling? "
           "Iterations beyond that move the solution by less than the noise.",
           "Run `al.sparse.astrometric_solution(..., tol=t)` for t = 1e-1, 1e-2, ... and print `.n_iter` and "
           "`.chi2_dof`: the data alone say when chi2 stops improving; pick the loosest t that reaches it."),
    solution="""
        for t in (1e-1, 1e-2, 1e-3, 1e-4, 1e-6):
            run = al.sparse.astrometric_solution(data, n_stars, data.knots, b, data.sigma, tol=t)
            print(f"tol {t:.0e}: {run.n_iter:3d} iterations, chi2/dof {run.chi2_dof:.5f}")
        # chi2 stops improving (to 1e-4 of itself) well before the default tolerance: the iterations after
        # that change the solution by much less than its errors. One decade tighter than where chi2 settles
        # leaves a margin.
        tol_choice = 1e-3
        ex.astrometry_lsqr_tol.check(tol_choice)
    """,
)
