"""SN Ia spectra of the ZTF-like mock (make_transients(survey="ztf", sn_ia_sed="bayesn")): BayeSN W22 on the
Hsiao template, integrated through the ZTF g and r filter curves (issue 21)."""

import numpy as np
import pytest

from astrolab.datasets import _transients as T
from astrolab.datasets._transients import SN_IA_SEDS, make_transients


def _mags(theta=0.0, z=0.0, a_v=0.0, bands=("B", "g", "r")):
    T._snia_model()
    return T._snia_band_mags(np.array([theta]), np.zeros((1, 54)), np.array([z]), np.array([a_v]), bands=bands)[0]


def _after(curve, days):
    k = int(np.argmin(curve))
    return curve[k + days] - curve[k]


def test_shipped_model_is_bayesn_w22():
    d = T._snia_model()
    assert d["W0"].shape == d["W1"].shape == (d["l_knots"].size, d["tau_knots"].size) == (11, 6)
    assert d["L_sigma_epsilon"].shape == (54, 54)                        # 9 interior wavelength knots x 6 phases
    assert np.allclose(d["L_sigma_epsilon"], np.tril(d["L_sigma_epsilon"]))
    assert (float(d["M0"]), float(d["sigma0"]), float(d["tauA"])) == (-19.5, 0.094, 0.252)   # Ward et al. 2023
    assert d["hsiao_phase"][0] == -19 and d["hsiao_phase"][-1] == 85
    assert "bayesn-0.4.0" in str(d["source"])


def test_flat_f_nu_spectrum_has_the_same_ab_magnitude_in_every_band_and_redshift():
    """The AB weights: F_lambda ~ 1 / lambda^2 (flat F_nu) gives num / den = 1 for any curve and any blueshift."""
    T._snia_model()
    lam = T._SNIA_CACHE["hsiao_wave"]
    for curve in (T._SNIA_CACHE["ztf_g"], T._SNIA_CACHE["ztf_r"], T._SNIA_CACHE["bessell_B"]):
        num, den = T._band_weights(curve, lam, np.array([0.0, 0.05, 0.15]))
        assert np.allclose(num @ (1.0 / lam**2) / den, 1.0, rtol=1e-12)


def test_b_band_decline_of_the_mean_model_is_a_normal_sn_ia():
    B = _mags()[0]
    assert int(np.argmin(B)) - 19 in (-1, 0, 1)                           # B maximum at phase 0 of the template
    assert 0.95 <= _after(B, 15) <= 1.25                                  # Phillips 1993: 1.1 for a normal SN Ia


def test_phillips_relation_lives_in_theta():
    slow, fast = _mags(theta=-1.5)[0], _mags(theta=1.5)[0]
    assert _after(fast, 15) - _after(slow, 15) > 0.2                      # larger theta: faster decline ...
    assert fast.min() - slow.min() > 0.3                                  # ... and a fainter peak


def test_r_band_shoulder_and_colour_curve():
    """Observed SNe Ia: the r band holds up 10-25 d after peak (the shoulder of the secondary maximum) while g
    falls; g - r reddens by about a magnitude in the first month (Lira 1995 in B - V). The black-body model, the
    planted bug here, has no shoulder."""
    B, g, r = _mags(z=0.05)
    k = int(np.argmin(B))
    assert (r[k + 25] - r[k + 10]) < 0.5 * (g[k + 25] - g[k + 10])
    assert 0.5 <= (g[k + 30] - r[k + 30]) - (g[k] - r[k]) <= 1.4
    p = T._EXPLOSIVE["SNIa"]
    t = np.arange(-10.0, 40.0)
    q = {"rise": p["rise"], "fall": p["fall"], "T": p["T"], "Tmin": p["Tmin"], "tT": p["tT"]}
    q = {k_: np.full(t.size, v) for k_, v in q.items()}
    bb = {b: -2.5 / np.log(10) * T._rest_log_flux(p, q, t, np.full(t.size, lam / 1.05))
          for b, lam in (("g", 4827.0), ("r", 6223.0))}
    k = int(np.argmin(bb["g"]))
    assert not (bb["r"][k + 25] - bb["r"][k + 10]) < 0.5 * (bb["g"][k + 25] - bb["g"][k + 10])


def test_host_dust_reddens_the_spectrum():
    clear, dusty = _mags(z=0.05), _mags(z=0.05, a_v=1.0)
    k = int(np.argmin(clear[0]))
    e_gr = (dusty[1, k] - dusty[2, k]) - (clear[1, k] - clear[2, k])
    assert 0.2 < e_gr < 0.5                                               # E(g - r) ~ 0.35 A_V for R_V ~ 3


def test_make_transients_with_bayesn_sn_ia():
    data = make_transients(120, survey="ztf", sn_ia_sed="bayesn", seed=1)
    again = make_transients(120, survey="ztf", sn_ia_sed="bayesn", seed=1)
    assert data.lightcurves.equals(again.lightcurves)
    assert SN_IA_SEDS == ("blackbody", "bayesn")
    ia = data.truth[data.truth["class_name"] == "SNIa"]
    assert len(ia) > 20 and (ia["true_z"] < 0.2).all() and (ia["n_det"] >= 2).all()
    assert -20.5 < ia["peak_absmag"].median() < -18.5
    default = make_transients(120, survey="ztf", seed=1)
    assert not default.lightcurves.equals(data.lightcurves)               # only the SN Ia spectra differ ...
    other = default.truth["class_name"] != "SNIa"
    assert set(default.truth.loc[other, "class_name"]) == set(data.truth.loc[data.truth["class_name"] != "SNIa",
                                                                           "class_name"])


@pytest.mark.parametrize(("kwargs", "match"), [({"sn_ia_sed": "hsiao", "survey": "ztf"}, "sn_ia_sed must be one of"),
                                               ({"sn_ia_sed": None, "survey": "ztf"}, "sn_ia_sed must be one of"),
                                               ({"sn_ia_sed": "bayesn"}, "needs survey='ztf'")])
def test_bad_sn_ia_sed_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_transients(20, **kwargs)
