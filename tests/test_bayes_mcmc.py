"""Chapter 4: the Metropolis sampler, MCMC diagnostics and the straight-line data."""

from pathlib import Path

import numpy as np
import pytest
from astropy.table import Table
from scipy import stats

from astrolab.bayes import (
    AutocorrError,
    AutocorrWarning,
    Metropolis,
    autocorr_time,
    effective_sample_size,
    split_rhat,
)
from astrolab.datasets import fetch_hogg2010, load_hogg2010, make_line_data

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def test_metropolis_samples_a_correlated_gaussian():
    cov = np.array([[1.0, 0.8], [0.8, 2.0]])
    icov = np.linalg.inv(cov)
    # proposal covariance (2.38^2 / d) * cov: the optimal scaling for Gaussian targets (Roberts et al. 1997)
    sampler = Metropolis(lambda x: -0.5 * float(x @ icov @ x), 2, step=2.38**2 / 2 * cov, n_walkers=4, seed=0)
    sampler.run_mcmc(np.zeros(2), 6000)
    chain = sampler.get_chain(discard=500)
    tau = sampler.get_autocorr_time(discard=500)
    flat = chain.reshape(-1, 2)
    assert np.allclose(flat.mean(axis=0), 0, atol=0.1)
    assert np.allclose(np.cov(flat.T), cov, rtol=0.15, atol=0.05)
    independent = chain[:: int(np.ceil(2 * tau.max())), :, 0].ravel()   # roughly independent draws
    assert stats.kstest(independent, "norm").pvalue > 0.01
    assert 0.15 < sampler.acceptance_fraction.mean() < 0.5


def test_acceptance_falls_and_autocorrelation_rises_with_a_bad_step():
    def log_prob(x):
        return -0.5 * float(x @ x)

    rates, taus = [], []
    for step in (0.1, 2.4, 20.0):
        s = Metropolis(log_prob, 1, step=step, seed=1)
        s.run_mcmc([0.0], 5000)
        rates.append(s.acceptance_fraction[0])
        taus.append(s.get_autocorr_time(tol=0)[0])   # tol=0: the bad steps' chains are < 50 tau (a lower bound)
    assert rates[0] > rates[1] > rates[2]
    assert taus[1] < taus[0] and taus[1] < taus[2]


def test_autocorr_time_of_an_ar1_process_and_ess():
    rng = np.random.default_rng(2)
    x = np.zeros(50_000)
    for t in range(1, x.size):
        x[t] = 0.8 * x[t - 1] + rng.standard_normal()
    tau = autocorr_time(x)[0]
    assert tau == pytest.approx((1 + 0.8) / (1 - 0.8), rel=0.1)
    assert effective_sample_size(x)[0] == pytest.approx(x.size / tau)
    walkers = np.stack([x[:25_000], x[25_000:]], axis=1)[:, :, None]
    assert autocorr_time(walkers)[0] == pytest.approx(9, rel=0.15)


def _ar1(n, rho, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = rho * x[t - 1] + rng.standard_normal()
    return x


def test_autocorr_time_refuses_a_chain_shorter_than_50_tau():
    x = _ar1(20_000, 0.9, seed=5)           # tau = 19
    assert 14 < autocorr_time(x)[0] < 24
    short = x[:600]                           # 600 < 50 * 19
    with pytest.raises(AutocorrError, match=r"chain too short: 600 steps < 50 tau") as err:
        autocorr_time(short)
    assert 1 < err.value.tau[0] < 50 and isinstance(err.value, ValueError)
    with pytest.raises(AutocorrError, match="chain too short"):
        effective_sample_size(short)
    with pytest.warns(AutocorrWarning, match="chain too short"):
        tau = autocorr_time(short, quiet=True)
    assert np.array_equal(tau, err.value.tau)
    assert np.array_equal(autocorr_time(short, tol=0), tau)          # tol=0: no check
    assert autocorr_time(short, tol=10)[0] == tau[0]                   # 600 steps > 10 tau
    with pytest.raises(ValueError, match="tol"):
        autocorr_time(x, tol=-1)
    s = Metropolis(lambda p: -0.5 * float(p @ p), 1, step=0.05, seed=0)
    s.run_mcmc([0.0], 2000)
    with pytest.raises(AutocorrError):
        s.get_autocorr_time()


def test_split_rhat_hand_worked_and_known_cases():
    # pieces [0, 1], [0, 1], [2, 3], [2, 3]: W = 1/2, B = 2 * 4 / 3, var+ = W / 2 + B / 2 = 19/12
    chains = np.array([[0, 2], [1, 3], [0, 2], [1, 3]], float)[:, :, None]
    assert split_rhat(chains)[0] == pytest.approx(np.sqrt(19 / 6), rel=1e-12)
    # an odd length drops the middle step: [5, 0, 1, 99, 0, 1] -> the same pieces as above for chain 1
    odd = np.array([[0, 2], [1, 3], [99, 99], [0, 2], [1, 3]], float)[:, :, None]
    assert split_rhat(odd)[0] == pytest.approx(np.sqrt(19 / 6), rel=1e-12)
    # one chain (n_steps, n_dim): its halves [1, 2] and [3, 4]: W = 1/2, B = 2 * 2 = 4, var+ = 1/4 + 2 -> sqrt(9/2)
    assert split_rhat(np.array([[1.0], [2.0], [3.0], [4.0]]))[0] == pytest.approx(np.sqrt(4.5), rel=1e-12)
    rng = np.random.default_rng(6)
    good = rng.standard_normal((4000, 4, 2))
    assert np.all(np.abs(split_rhat(good) - 1) < 0.005)
    apart = good + np.array([0.0, 0.0, 3.0, 3.0])[None, :, None]      # two chains in another mode
    assert np.all(split_rhat(apart) > 1.5)
    drift = good + np.linspace(0, 2, 4000)[:, None, None]            # every chain still drifting: split catches it
    assert np.all(split_rhat(drift) > 1.1)
    # rank-normalised (Vehtari et al. 2021): invariant under a monotone transform, and the folded
    # version sees chains that differ only in width, which the classic R-hat misses
    assert np.allclose(split_rhat(np.exp(apart), rank_normalize=True), split_rhat(apart, rank_normalize=True))
    wide = good * np.array([1.0, 1.0, 1.0, 4.0])[None, :, None]
    assert np.all(split_rhat(wide) < 1.01) and np.all(split_rhat(wide, rank_normalize=True) > 1.05)
    assert np.all(np.abs(split_rhat(good, rank_normalize=True) - 1) < 0.005)
    with pytest.raises(ValueError, match="at least 4 steps"):
        split_rhat(np.zeros((3, 2, 1)))
    with pytest.raises(ValueError, match="n_steps"):
        split_rhat(np.zeros((3, 2, 1, 1)))


def test_metropolis_continues_and_is_reproducible():
    a = Metropolis(lambda x: -0.5 * float(x @ x), 2, seed=3)
    b = Metropolis(lambda x: -0.5 * float(x @ x), 2, seed=3)
    a.run_mcmc(np.ones(2), 100)
    a.run_mcmc(None, 50)
    b.run_mcmc(np.ones(2), 150)
    assert a.get_chain().shape == (150, 1, 2) and np.array_equal(a.get_chain(), b.get_chain())
    assert a.get_chain(flat=True, discard=50, thin=2).shape == (50, 2)
    assert a.n_calls == 151


def test_metropolis_bad_input():
    def log_prob(x):
        return -0.5 * float(x @ x)

    with pytest.raises(ValueError, match="log_prob must be a callable"):
        Metropolis("not callable", 2)
    with pytest.raises(ValueError, match="n_dim"):
        Metropolis(log_prob, 0)
    with pytest.raises(ValueError, match="step"):
        Metropolis(log_prob, 2, step=-1.0)
    with pytest.raises(ValueError, match="positive-definite"):
        Metropolis(log_prob, 2, step=np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="initial state"):
        Metropolis(lambda x: -np.inf, 1).run_mcmc([0.0], 10)
    with pytest.raises(ValueError, match="NaN"):
        Metropolis(lambda x: np.nan, 1).run_mcmc([0.0], 10)
    with pytest.raises(ValueError, match="no chain to continue"):
        Metropolis(log_prob, 1).run_mcmc(None, 10)
    with pytest.raises(ValueError, match="at least 4 steps"):
        autocorr_time(np.zeros(2))


def test_make_line_data_truth_and_errors():
    table, truth = make_line_data(seed=4)
    assert table.colnames == ["id", "x", "y", "sigma_y", "sigma_x", "rho_xy"]
    good = ~truth["outlier"]
    resid = (table["y"][good] - truth["slope"] * table["x"][good] - truth["intercept"])
    assert np.sqrt(np.mean(resid**2)) < 2.5 * np.sqrt(np.mean(np.asarray(table["sigma_y"][good]) ** 2))
    assert np.all(np.abs(table["rho_xy"]) < 1)
    with pytest.raises(ValueError, match="n_outliers"):
        make_line_data(n_points=5, n_outliers=4)
    with pytest.raises(ValueError, match="n_points"):
        make_line_data(n_points=2)


def test_shipped_hogg2010_table_gives_the_papers_exercises_1_and_2():
    table = load_hogg2010()
    assert table.colnames == ["id", "x", "y", "sigma_y", "sigma_x", "rho_xy"]
    assert len(table) == 20 and list(table["id"]) == list(range(1, 21))
    assert list(table[0]) == [1, 201.0, 592.0, 61.0, 9.0, -0.84]
    assert list(table[-1]) == [20, 146.0, 344.0, 22.0, 5.0, -0.56]
    assert "arXiv:1008.4686" in " ".join(Table.read(table.meta["path"]).meta["comments"])   # the citation
    x, y, sy = (np.asarray(table[c], float) for c in ("x", "y", "sigma_y"))
    # Hogg, Bovy & Lang (2010), Exercise 1 (points 5-20) and Exercise 2 (all 20), to the printed precision
    (m, b), cov = np.polyfit(x[4:], y[4:], 1, w=1 / sy[4:], cov="unscaled")
    assert (round(m, 2), round(np.sqrt(cov[0, 0]), 2), round(b), round(np.sqrt(cov[1, 1]))) == (2.24, 0.11, 34, 18)
    (m, b), cov = np.polyfit(x, y, 1, w=1 / sy, cov="unscaled")
    assert (round(m, 2), round(np.sqrt(cov[0, 0]), 2), round(b), round(np.sqrt(cov[1, 1]))) == (1.08, 0.08, 213, 14)


@pytest.mark.skipif(not (REALDATA / "hogg2010-table1").is_dir(), reason="shared real data (Hogg 2010) not present")
def test_hogg2010_table_through_the_mirror_gives_the_papers_exercise_1(tmp_path):
    table = fetch_hogg2010(mirror=REALDATA, data_home=tmp_path)
    assert len(table) == 20 and list(table["id"]) == list(range(1, 21))
    shipped = load_hogg2010()
    for name in table.colnames:   # the shipped table (as printed in the paper) is the authors' file
        assert np.array_equal(np.asarray(table[name]), np.asarray(shipped[name])), name
    x, y, sy = (np.asarray(table[c], float)[4:] for c in ("x", "y", "sigma_y"))
    (m, b), cov = np.polyfit(x, y, 1, w=1 / sy, cov="unscaled")
    assert (round(m, 2), round(b)) == (2.24, 34)
    assert (round(np.sqrt(cov[0, 0]), 2), round(np.sqrt(cov[1, 1]))) == (0.11, 18)


def test_metropolis_explorer_reacts_to_the_slider():
    from astrolab.widgets import metropolis_explorer

    demo = metropolis_explorer(lambda x: -0.5 * float(x @ x), [0.0, 0.0], 1.0, n_steps=1000)
    png = demo.canvas.outputs[0]["data"]["image/png"]
    good = demo.acceptance
    demo.slider.value = 20.0
    assert demo.acceptance < good and demo.canvas.outputs[0]["data"]["image/png"] != png
    demo.slider.value = 0.02
    assert demo.acceptance > 0.9 and demo.tau[0] > 50
    # tau from a chain shorter than 50 tau is refused: flagged, and no effective sample size is quoted
    assert not demo.tau_reliable and np.isnan(demo.ess) and "chain too short" in demo.readout.value
    assert "independent samples is unknown" in demo.readout.value


def test_metropolis_explorer_never_rates_a_2_percent_chain_above_a_tuned_one():
    """Issue 19: with 3000 steps, a step accepting 2 % of proposals was reported to be worth twice
    the samples of a well-tuned one (its tau came from a chain shorter than 50 tau)."""
    from astrolab.widgets import metropolis_explorer

    cov = np.array([[1.0, -0.96], [-0.96, 1.0]])   # as thin as the straight-line posterior of 04-02
    icov = np.linalg.inv(cov)
    demo = metropolis_explorer(lambda x: -0.5 * float(x @ icov @ x), [0.0, 0.0], 1.0, step=2.0, n_steps=3000,
                               seed=0)
    assert demo.tau_reliable
    tuned_ess = demo.ess
    assert "independent samples" in demo.readout.value and f"{tuned_ess:.0f}" in demo.readout.value
    for step in (10 ** 0.7, 10 ** 1.0):   # acceptance of a few per cent
        demo.slider.value = step
        assert demo.acceptance < 0.05
        assert not demo.tau_reliable and np.isnan(demo.ess), (step, demo.tau, demo.ess, tuned_ess)
        assert "chain too short" in demo.readout.value and "τ ≥" in demo.ax_acf.get_title()
    # a round Gaussian at 10 sigma: acceptance 2 %, the estimated tau alone passes 50 tau, but a chain that
    # stays put 98 % of the time has tau >= (2 - a) / a ~ 100: still refused
    demo = metropolis_explorer(lambda x: -0.5 * float(x @ x), [0.0, 0.0], 1.0, step=10.0, n_steps=3000, seed=0)
    a = demo.acceptance
    assert a < 0.03 and not demo.tau_reliable and demo.tau.max() >= (2 - a) / a
    with pytest.raises(ValueError, match="start"):
        metropolis_explorer(lambda x: 0.0, [0.0], 1.0)
    with pytest.raises(ValueError, match="step"):
        metropolis_explorer(lambda x: 0.0, [0.0, 0.0], 1.0, step=100)
