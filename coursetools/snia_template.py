"""Write ``data/snia_bayesn_w22.npz``: the SN Ia spectral model of the ZTF-like transient mock (issue 21).

A developer tool, run once by hand; the course only reads the file it writes. It needs the wheel
``bayesn-0.4.0-py3-none-any.whl`` from PyPI (MIT licence; ``pip download --no-deps bayesn==0.4.0``) and,
to read its HDF5 template, ``h5py`` and ``pyyaml`` in the Python that runs it (not course dependencies)::

    python coursetools/snia_template.py path/to/bayesn-0.4.0-py3-none-any.whl

What it stores (all public, none of it fitted to any data the course uses):

* the Hsiao et al. (2007, ApJ 663, 1187) SN Ia spectral template as shipped by BayeSN (``data/hsiao.h5``),
  rest-frame phases -19 to +85 d from B maximum, F_lambda averaged into 20 A bins from 2500 to 10000 A
  and scaled to a maximum of 1;
* the BayeSN ``W22`` model (Ward et al. 2023, ApJ 956, 111; Mandel et al. 2022, MNRAS 510, 3939), trained
  on the low-redshift Avelino et al. 2019 compilation and Foundation DR1: the knots, ``W0`` (the mean
  warping of the Hsiao template), ``W1`` (the light-curve-shape component, times theta ~ N(0, 1)), the
  Cholesky factor of the residual covariance ``L_Sigma_epsilon`` and ``M0, sigma0, RV, tauA``;
* the ZTF P48 g and r transmission curves shipped with BayeSN (``bayesn-filters/filters/ZTF``) and the
  Bessell (1990) B curve of speclite (``bessell-B``), every curve on a 10 A grid.
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "data" / "snia_bayesn_w22.npz"


def _curve(text, step=10.0):
    data = np.loadtxt(io.StringIO(text))
    wave = np.arange(np.ceil(data[0, 0] / step) * step, data[-1, 0], step)
    return np.stack([wave, np.maximum(np.interp(wave, data[:, 0], data[:, 1]), 0.0)])


def main(wheel):
    import h5py
    import speclite.filters
    import yaml

    blob = Path(wheel).read_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        with h5py.File(io.BytesIO(zf.read("bayesn/data/hsiao.h5")), "r") as f:
            phase, wave, flux = (f["default"][k][()] for k in ("phase", "wave", "flux"))
        model = yaml.safe_load(zf.read("bayesn/model_files/W22_model/BAYESN.YAML"))
        ztf = {b: _curve(zf.read(f"bayesn/bayesn-filters/filters/ZTF/p48{b}.txt").decode()) for b in "gr"}
    edges = np.arange(2490.0, 10000.0, 20.0)                   # 20 A bins centred on 2500, 2520, ..., 9980
    centres = edges[:-1] + 10.0
    binned = np.stack([np.interp(centres - 5.0, wave, row) + np.interp(centres + 5.0, wave, row) for row in flux]) / 2
    binned = np.maximum(binned, 0.0) / binned.max()
    bessell = speclite.filters.load_filter("bessell-B")
    b_wave = np.arange(np.ceil(bessell.wavelength[0] / 10) * 10, bessell.wavelength[-1], 10.0)
    b_curve = np.stack([b_wave, np.maximum(np.interp(b_wave, bessell.wavelength, bessell.response), 0.0)])
    arrays = dict(
        hsiao_phase=phase.astype(np.float64), hsiao_wave=centres, hsiao_flux=binned.astype(np.float32),
        l_knots=np.asarray(model["L_KNOTS"], float), tau_knots=np.asarray(model["TAU_KNOTS"], float),
        W0=np.asarray(model["W0"], float), W1=np.asarray(model["W1"], float),
        L_sigma_epsilon=np.asarray(model["L_SIGMA_EPSILON"], float),
        M0=np.float64(model["M0"]), sigma0=np.float64(model["SIGMA0"]), RV=np.float64(model["RV"]),
        tauA=np.float64(model["TAUA"]), ztf_g=ztf["g"], ztf_r=ztf["r"], bessell_B=b_curve,
        source=np.str_(f"bayesn-0.4.0-py3-none-any.whl sha256={hashlib.sha256(blob).hexdigest()}"),
    )
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main(sys.argv[1])
