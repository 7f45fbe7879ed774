"""The forward model of a radio interferometer, shared by the data generators and the imaging methods.

- :class:`FourierOperator` -- visibilities of a pixelated sky image at baselines (u, v), and its adjoint;
- :func:`load_eht_stations`, :func:`uv_coverage` -- the EHT 2017 array and the coverage Earth rotation
  sweeps out for a source (default M87, :data:`M87_RA`, :data:`M87_DEC`);
- :func:`read_uvfits`, :func:`write_uvfits` -- visibilities on disk (random-groups uvfits, Stokes I).

Mock observations (:func:`astrolab.datasets.make_eht_mock`) and the real 2017 data
(:func:`astrolab.datasets.fetch_eht_m87`) live in :mod:`astrolab.datasets`; imaging methods in
:mod:`astrolab.sparse`. Both import this module, which imports neither.

Examples
--------
>>> import numpy as np
>>> from astrolab.interferometry import FourierOperator, uv_coverage
>>> uv = uv_coverage()
>>> op = FourierOperator(uv["u"], uv["v"], (16, 16), 5e-12)
>>> op.shape
(770, 256)
"""

from astrolab.interferometry._array import M87_DEC, M87_RA, load_eht_stations, uv_coverage
from astrolab.interferometry._operator import FourierOperator
from astrolab.interferometry._uvfits import read_uvfits, write_uvfits

__all__ = ["M87_DEC", "M87_RA", "FourierOperator", "load_eht_stations", "read_uvfits", "uv_coverage", "write_uvfits"]
