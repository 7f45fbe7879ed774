"""Chapter 4: MCMC on an emulated likelihood (GP on a Latin hypercube) against the exact, slow likelihood.

One row: the toy power spectrum of notebook 04-bayesian/04 (a model that costs about 5 ms per call).
Both sides run emcee with the same chain (16 walkers x 120 steps, the same start); ours first runs
the model at 60 Latin-hypercube points and fits :class:`~astrolab.bayes._emulator.Emulator` to
``ln P(k)``, and that training is timed with it. The quality column gives the emulated posterior's
mean shift and width ratio in units of the exact chain's sigma, and the number of exact model calls
on each side.
emcee copies NumPy's global random state, so both chains draw the same random numbers: the comparison
is paired, and any difference is the emulator's. About 30 s with the memory column (one timed call
per side, no warm-up).
"""

from __future__ import annotations

import functools

import numpy as np

N_WALKERS, N_STEPS, N_DESIGN = 16, 120, 60
BOUNDS = np.array([[1.0, 3.0], [0.1, 0.4]])


@functools.cache
def problem():
    from astrolab.datasets._bayes_toys import make_power_spectrum_data

    data = make_power_spectrum_data(seed=0)
    p0 = data.truth["theta"] + np.array([0.02, 0.002]) * np.random.default_rng(1).standard_normal((N_WALKERS, 2))
    return data, np.linalg.inv(data.cov), p0


def _in_box(theta):
    return np.all((theta >= BOUNDS[:, 0]) & (theta <= BOUNDS[:, 1]), axis=-1)


def exact():
    import emcee

    from astrolab.datasets._bayes_toys import power_spectrum_model

    data, cinv, p0 = problem()
    calls = [0]

    def log_prob(theta):
        if not _in_box(theta):
            return -np.inf
        calls[0] += 1
        r = data.power - power_spectrum_model(theta, data.k)
        return -0.5 * r @ cinv @ r

    sampler = emcee.EnsembleSampler(N_WALKERS, 2, log_prob)
    sampler.run_mcmc(p0, N_STEPS)
    return sampler.get_chain(discard=N_STEPS // 4, flat=True), calls[0]


def emulated():
    import emcee

    from astrolab.bayes._emulator import Emulator, latin_hypercube
    from astrolab.datasets._bayes_toys import power_spectrum_model

    data, cinv, p0 = problem()
    design = latin_hypercube(N_DESIGN, BOUNDS, seed=0)
    train = np.array([power_spectrum_model(t, data.k) for t in design])
    emulator = Emulator(random_state=0).fit(design, np.log(train))

    def log_prob(thetas):
        out = np.full(len(thetas), -np.inf)
        ok = _in_box(thetas)
        if ok.any():
            r = data.power[None, :] - np.exp(emulator.predict(thetas[ok]))
            out[ok] = -0.5 * np.einsum("ni,ij,nj->n", r, cinv, r)
        return out

    sampler = emcee.EnsembleSampler(N_WALKERS, 2, log_prob, vectorize=True)
    sampler.run_mcmc(p0, N_STEPS)
    return sampler.get_chain(discard=N_STEPS // 4, flat=True), N_DESIGN


def cases():
    from _harness import Case

    def quality(ours, theirs):
        (chain_e, n_e), (chain_x, n_x) = ours, theirs
        sd = chain_x.std(0)
        shift = np.abs(chain_e.mean(0) - chain_x.mean(0)) / sd
        width = chain_e.std(0) / sd
        return (f"mean shift (A, Gamma) {shift[0]:.2f}, {shift[1]:.2f} sigma; width ratio {width[0]:.2f}, "
                f"{width[1]:.2f}; exact model calls: emulator {n_e}, exact {n_x}")

    return [Case("4", f"emulator speed-up and posterior error (emcee {N_WALKERS} x {N_STEPS}, 5 ms model)",
                 (f"astrolab Emulator (GP, {N_DESIGN}-point Latin hypercube) + emcee", emulated),
                 ("emcee on the exact likelihood", exact),
                 quality=quality, setup=problem, max_repeat=1, warmup=False)]
