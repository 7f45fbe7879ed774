"""Chapter 3b: the LASSO periodogram (astrolab) against astropy's Lomb-Scargle on 200 mock stars.

One row: 200 light curves (RRab, RRc, RRd and Cepheids, random periods, the ground-based cadence
of notebook 03-sparsity/05: 150 points over 200 d with daily gaps). A period counts as recovered when the
method's strongest frequency is within 1e-3 (relative) of the star's dominant mode. Lomb-Scargle is
astropy's ``autopower`` with 10 samples per peak; the LASSO periodogram fits the whole sparse
spectrum, refines it and gives errors, so it is expected to be far slower: the quality column says
what the time buys. A run takes about 2-3 minutes (one timed call per side, no warm-up); the memory
column is the peak of one star's fit.

With the real-data mirror (``ASTROLAB_MIRROR``, see ``real_periods.py``) a second row runs both on the 242 real
Stripe 82 RR Lyrae of the dev sample, r band, with the LASSO's real-data options and the same local refinement of
each method's best frequency (about 3 minutes), and a third runs the multiband LASSO beside astropy's
``LombScargleMultiband`` on all five bands of the first ``N_REAL_MULTIBAND`` stars (about 7 minutes); without the
mirror, those rows are left out.
"""

from __future__ import annotations

import functools

import numpy as np

N_STARS = 200
FMIN, FMAX = 0.02, 6.0
TOLERANCE = 1e-3


@functools.cache
def stars():
    from astrolab.datasets import make_lightcurves

    return make_lightcurves(N_STARS, seed=0)


def lasso_one(star):
    from astrolab.sparse import LassoPeriodogram

    model = LassoPeriodogram(fmin=FMIN, fmax=FMAX).fit(star.time, star.mag, star.mag_err)
    return model.frequencies_[0] if model.frequencies_.size else np.nan


def lomb_scargle_one(star):
    from astropy.timeseries import LombScargle

    f, p = LombScargle(star.time, star.mag, star.mag_err).autopower(
        minimum_frequency=FMIN, maximum_frequency=FMAX, samples_per_peak=10)
    return f[np.argmax(p)]


def recovered(found):
    truth = np.array([s.truth["frequencies"][0] for s in stars()])
    return np.abs(np.asarray(found) / truth - 1) < TOLERANCE


N_REAL_MULTIBAND = 80   # knob: stars in the multiband row (all 242 take about 20 minutes)


def _real_cases():
    import real_periods

    if not (real_periods.mirror() / "rrlyrae-s82-dev").is_dir():
        print("bench_periods: the real Stripe 82 RR Lyrae are not here (set ASTROLAB_MIRROR): no real-data rows")
        return []
    from _harness import Case

    from astrolab.sparse import refine_frequency

    @functools.cache
    def real_stars():
        return [(1 / period, lc) for _, _, period, lc in real_periods.load(real_periods.mirror())]

    methods = real_periods.methods()

    def run(name, multiband, n_stars=None):
        method = methods[name][0]
        found = []
        for _, lc in real_stars()[:n_stars]:
            data = lc if multiband else lc[lc["band"] == "r"]
            t, y, dy, band = (data[c].to_numpy() for c in ("time", "mag", "magerr", "band"))
            band = band if multiband else np.zeros(t.size)
            f = method(t, y, dy, band)
            found.append(refine_frequency(t, y, dy, f, bands=band if multiband else None) if np.isfinite(f) else f)
        return np.array(found)

    def quality(ours, theirs):
        truth = np.array([f for f, _ in real_stars()])[:len(ours)]
        a, b = (np.abs(np.asarray(x) / truth - 1) < real_periods.TOLERANCE for x in (ours, theirs))
        return (f"periods within 1 %: LASSO {a.mean():.1%}, Lomb-Scargle {b.mean():.1%} of {truth.size} real stars; "
                f"LASSO only {np.sum(a & ~b)}, LS only {np.sum(b & ~a)}")

    mb = N_REAL_MULTIBAND
    return [Case("3b", "period search, real Stripe 82 RR Lyrae (dev sample, r band, ~55 epochs over 8 yr)",
                 ("astrolab LassoPeriodogram (real-data options) + local refit",
                  lambda: run("LassoPeriodogram real-data options (r)", False)),
                 ("astropy LombScargle.autopower + the same local refit", lambda: run("LombScargle (r)", False)),
                 quality=quality, setup=real_stars, max_repeat=1, warmup=False),
            Case("3b", f"multiband period search, the first {mb} real Stripe 82 RR Lyrae (ugriz, ~280 points)",
                 ("astrolab LassoPeriodogram multiband (real-data options) + local refit",
                  lambda: run("LassoPeriodogram multiband, real-data options (ugriz)", True, mb)),
                 ("astropy LombScargleMultiband (fast) + the same local refit",
                  lambda: run("LombScargleMultiband (ugriz)", True, mb)),
                 quality=quality, setup=real_stars, max_repeat=1, warmup=False)]


def cases():
    from _harness import Case, peak_memory

    def quality(ours, theirs):
        a, b = recovered(ours), recovered(theirs)
        return (f"periods recovered (1e-3): LASSO {a.sum()}/{N_STARS}, Lomb-Scargle {b.sum()}/{N_STARS}; "
                f"LASSO only {np.sum(a & ~b)}, LS only {np.sum(b & ~a)}")

    def memory(side):
        one = lasso_one if side == "ours" else lomb_scargle_one
        return peak_memory(lambda: one(stars()[0]))

    return [Case("3b", f"period search, {N_STARS} mock RR Lyrae/Cepheid light curves (150 points, ground)",
                 ("astrolab LassoPeriodogram (group LASSO + eBIC + refit)", lambda: [lasso_one(s) for s in stars()]),
                 ("astropy LombScargle.autopower (highest peak)", lambda: [lomb_scargle_one(s) for s in stars()]),
                 quality=quality, setup=stars, memory=memory, max_repeat=1, warmup=False)] + _real_cases()
