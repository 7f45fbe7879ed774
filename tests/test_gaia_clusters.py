"""Tests of load_gaia_dr2_cluster_members: argument checks, the offline error, and (with the shared mirror)
the member table and the epoch propagation."""

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

from astrolab.datasets import DataUnavailableError, load_gaia_dr2_cluster_members

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
HAVE_MIRROR = (REALDATA / "gaia-dr2-nearby-clusters-dev" / "GaiaHRD_tab1a_DR2xmatch.csv").is_file()


@pytest.mark.parametrize(("kwargs", "name"), [({"mirror": 3}, "mirror"), ({"epoch": "1991.25"}, "epoch"),
                                              ({"epoch": np.nan}, "epoch"), ({"epoch": True}, "epoch")])
def test_bad_arguments_raise_type_error_naming_them(kwargs, name):
    with pytest.raises(TypeError, match=name):
        load_gaia_dr2_cluster_members(**kwargs)


def test_without_a_mirror_copy_the_error_names_the_mock(tmp_path):
    with pytest.raises(DataUnavailableError, match="make_gaia_volume"):
        load_gaia_dr2_cluster_members(mirror=tmp_path)


def test_without_any_mirror_the_error_names_the_variable(monkeypatch):
    monkeypatch.delenv("ASTROLAB_MIRROR", raising=False)
    with pytest.raises(DataUnavailableError, match="ASTROLAB_MIRROR"):
        load_gaia_dr2_cluster_members()


@pytest.mark.skipif(not HAVE_MIRROR, reason="shared real data (Gaia DR2 cluster members) not present")
def test_members_on_the_mirror():
    members = load_gaia_dr2_cluster_members(mirror=REALDATA)
    assert sorted(set(members["cluster"])) == ["Hyades", "IC2391", "Pleiades", "Praesepe", "alphaPer"]
    assert len(np.unique(members["source_id"])) == len(members) > 3000  # duplicates of the X-match dropped
    assert members["ra"].unit == u.deg and members["pmra"].unit == u.mas / u.yr
    hyades = members["cluster"] == "Hyades"
    assert 20 < np.median(members["parallax"][hyades].to_value(u.mas)) < 25  # about 47 pc
    assert members.meta["epoch"] == 2015.5


@pytest.mark.skipif(not HAVE_MIRROR, reason="shared real data (Gaia DR2 cluster members) not present")
def test_positions_move_back_along_the_proper_motion():
    now = load_gaia_dr2_cluster_members(mirror=REALDATA)
    then = load_gaia_dr2_cluster_members(mirror=REALDATA, epoch=1991.25)
    ddec = (then["dec"] - now["dec"]).to_value(u.mas)
    np.testing.assert_allclose(ddec, -24.25 * now["pmdec"].to_value(u.mas / u.yr), rtol=1e-9, atol=1e-6)
    dra = (then["ra"] - now["ra"]).to_value(u.mas) * np.cos(now["dec"].to_value(u.rad))
    dra = np.where(np.abs(dra) > 1e8, dra - np.sign(dra) * 360 * 3.6e6 * np.cos(now["dec"].to_value(u.rad)), dra)
    np.testing.assert_allclose(dra, -24.25 * now["pmra"].to_value(u.mas / u.yr), rtol=1e-9, atol=1e-3)
    assert then.meta["epoch"] == 1991.25
