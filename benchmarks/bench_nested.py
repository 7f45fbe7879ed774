"""Chapter 4: nested sampling, astrolab's NestedSampler against dynesty on problems with a known evidence.

Two rows: a 5-D unit Gaussian likelihood in the uniform prior box ``[-10, 10]^5`` (``ln Z = -5 ln 20``) and
the Gaussian shells of Feroz & Hobson (2008), two thin rings in ``[-6, 6]^2`` (``ln Z = ln(4 pi R / 144)
= -1.746``). Both samplers are static, seeded, with 400 live points, ``dlogz = 0.01`` and multi-ellipsoid
rejection sampling (dynesty: ``bound="multi", sample="unif", bootstrap=0``,
i.e. its fixed 1.25 volume enlargement; with its default bootstrapped enlargement the shells take a
minute). The quality column
gives ln Z with its error, the pull against the analytic value, and the likelihood calls of each. One timed
call per side, no warm-up: a run of the file takes well under a minute.
"""

from __future__ import annotations

import warnings

import numpy as np

N_LIVE = 400
NDIM = 5
R, W, C = 2.0, 0.1, 3.5


def gauss(theta):
    return -0.5 * np.sum(theta**2) - 0.5 * theta.size * np.log(2 * np.pi)


def box(u):
    return 20 * u - 10


def shells(theta):
    r1 = np.hypot(theta[0] - C, theta[1])
    r2 = np.hypot(theta[0] + C, theta[1])
    return np.logaddexp(-0.5 * ((r1 - R) / W) ** 2, -0.5 * ((r2 - R) / W) ** 2) - np.log(np.sqrt(2 * np.pi) * W)


def square(u):
    return 12 * u - 6


PROBLEMS = {
    "gauss": (gauss, box, NDIM, -NDIM * np.log(20)),
    "shells": (shells, square, 2, np.log(4 * np.pi * R / 144)),
}


def ours(name):
    from astrolab.bayes._nested import NestedSampler

    log_l, prior, ndim, _ = PROBLEMS[name]
    ns = NestedSampler(log_l, prior, ndim, n_live=N_LIVE, seed=0).run(dlogz=0.01)
    return ns.logz_, ns.logz_err_, ns.n_calls_


def theirs(name):
    import dynesty

    log_l, prior, ndim, _ = PROBLEMS[name]
    sampler = dynesty.NestedSampler(log_l, prior, ndim, nlive=N_LIVE, bound="multi", sample="unif",
                                    bootstrap=0, rstate=np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # dynesty's warnings about inefficient bounds
        sampler.run_nested(dlogz=0.01, print_progress=False)
    res = sampler.results
    return float(res.logz[-1]), float(res.logzerr[-1]), int(np.sum(res.ncall))


def cases():
    from _harness import Case

    def quality_for(name):
        truth = PROBLEMS[name][3]

        def quality(a, b):
            return (f"ln Z (truth {truth:.3f}): ours {a[0]:.3f} ± {a[1]:.3f} ({(a[0] - truth) / a[1]:+.1f} sigma), "
                    f"dynesty {b[0]:.3f} ± {b[1]:.3f} ({(b[0] - truth) / b[1]:+.1f} sigma); "
                    f"likelihood calls ours {a[2]}, dynesty {b[2]}")

        return quality

    return [Case("4", title, ("astrolab NestedSampler (multi-ellipsoid)", lambda name=name: ours(name)),
                 ("dynesty NestedSampler (multi, unif)", lambda name=name: theirs(name)),
                 quality=quality_for(name), max_repeat=1, warmup=False)
            for name, title in (
                ("gauss", f"nested sampling: evidence of a {NDIM}-D Gaussian, {N_LIVE} live points"),
                ("shells", f"nested sampling: evidence of the Gaussian shells (2-D, two rings), {N_LIVE} live points"))]
