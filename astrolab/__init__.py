"""astrolab: the helper package of the course "Data Science in Astronomy".

Notebooks start with ``import astrolab as al``. The subpackages are imported on first use, so
``import astrolab`` stays fast and does not load torch:

- :mod:`astrolab.datasets` -- mock data with ground truth, loaders of real public data
- :mod:`astrolab.bigdata` -- chapter 1: out-of-core aggregation, memory, a tiny detection pipeline
- :mod:`astrolab.interferometry` -- the forward model of a radio interferometer (stations, coverage, Fourier
  operator, uvfits), shared by :mod:`astrolab.datasets` and :mod:`astrolab.sparse`
- :mod:`astrolab.reduction`, :mod:`astrolab.sparse`, :mod:`astrolab.bayes`, :mod:`astrolab.ml`,
  :mod:`astrolab.nn`, :mod:`astrolab.challenge` -- reference implementations, one per chapter
- :mod:`astrolab.widgets` -- interactive demos
- :mod:`astrolab.plotting` -- the course's figure style
- :mod:`astrolab.exercises` -- feedback on learners' answers
"""

from __future__ import annotations

import importlib

from astrolab._environment import check_environment, device
from astrolab._paths import data_dir
from astrolab._version import __version__

_SUBMODULES = (
    "bayes", "bigdata", "challenge", "datasets", "exercises", "interferometry", "ml", "nn", "plotting",
    "reduction", "sparse", "widgets",
)

__all__ = ["__version__", "check_environment", "data_dir", "device", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"astrolab.{name}")
    raise AttributeError(f"module 'astrolab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
