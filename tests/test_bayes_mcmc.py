"""Chapter 4: the Metropolis sampler, MCMC diagnostics and the straight-line data."""

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from astrolab.bayes import Metropolis, autocorr_time, effective_sample_size
from astrolab.datasets import fetch_hogg2010, make_line_data

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
        taus.append(s.get_autocorr_time()[0])
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


@pytest.mark.skipif(not (REALDATA / "hogg2010-table1").is_dir(), reason="shared real data (Hogg 2010) not present")
def test_hogg2010_table_through_the_mirror_gives_the_papers_exercise_1(tmp_path):
    table = fetch_hogg2010(mirror=REALDATA, data_home=tmp_path)
    assert len(table) == 20 and list(table["id"]) == list(range(1, 21))
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
    assert "independent samples" in demo.readout.value
    with pytest.raises(ValueError, match="start"):
        metropolis_explorer(lambda x: 0.0, [0.0], 1.0)
    with pytest.raises(ValueError, match="step"):
        metropolis_explorer(lambda x: 0.0, [0.0, 0.0], 1.0, step=100)
