"""Chapter 3 (sparsity): LASSO by FISTA with operators, total squared variation, interferometric imaging.

- :func:`fista`, :func:`lasso_path` -- minimise ``1/2 |b - A x|^2 + lam |x|_1 + mu TSV(x)`` for a dense
  matrix or an operator (``matvec``/``rmatvec``), warm-started along a path of ``lam``;
- :class:`Lasso` -- the same as a scikit-learn regressor (scikit-learn's objective);
- :class:`FourierOperator` -- the measurement operator of an interferometer (from :mod:`astrolab.interferometry`);
- :func:`closure_phases`, :func:`image_closure_phases`, :func:`self_calibrate`,
  :func:`average_visibilities` -- imaging real VLBI data with unknown station gains, and
  :class:`EHTImager`, the whole pipeline as one estimator; :func:`ring_fit` measures a ring as the EHT does;
- :func:`design_matrix`, :func:`design_operator`, :func:`astrometric_solution`,
  :func:`block_iterative_solution` -- astrometry as sparse least squares (LSQR, AGIS-style blocks);
  :func:`lsqr_torch` and :class:`TorchCSROperator` -- the same LSQR with PyTorch's multithreaded sparse
  products (near the memory-bandwidth limit); :func:`lsqr_dask`, the same with the rows on a Dask cluster;
- :class:`LassoPeriodogram` -- the sparse spectrum of an unevenly sampled light curve; :func:`refine_frequency`
  and :func:`alias_class` -- comparing period finders fairly (same refinement, named failures);
- :func:`soft_threshold`, :func:`tsv`, :func:`tsv_gradient`, :func:`power_iteration`.
"""

from astrolab.interferometry import FourierOperator
from astrolab.sparse._astrometry import (
    astrometric_solution,
    block_iterative_solution,
    design_matrix,
    design_operator,
    formal_errors,
    gauge_matrix,
)
from astrolab.sparse._calibration import (
    average_visibilities,
    closure_amplitudes,
    closure_phases,
    image_closure_phases,
    self_calibrate,
)
from astrolab.sparse._challenge import ImagingChallenge, imaging_score
from astrolab.sparse._distributed import lsqr_dask
from astrolab.sparse._imaging import blur, dirty_beam, dirty_image, image_visibilities, ncc, ring_fit, ring_parameters
from astrolab.sparse._lasso import Lasso, fista, lasso_path, soft_threshold, tsv, tsv_gradient
from astrolab.sparse._lsqr_fast import TorchCSROperator, lsqr_torch
from astrolab.sparse._operators import MatrixOperator, as_operator, power_iteration
from astrolab.sparse._periodogram import LassoPeriodogram, alias_class, refine_frequency
from astrolab.sparse._pipeline import EHTImager, closure_chi2

__all__ = [
    "EHTImager",
    "FourierOperator",
    "ImagingChallenge",
    "average_visibilities",
    "blur",
    "closure_amplitudes",
    "closure_chi2",
    "closure_phases",
    "dirty_beam",
    "design_matrix",
    "design_operator",
    "dirty_image",
    "image_closure_phases",
    "image_visibilities",
    "imaging_score",
    "ncc",
    "ring_fit",
    "ring_parameters",
    "Lasso",
    "LassoPeriodogram",
    "alias_class",
    "refine_frequency",
    "MatrixOperator",
    "as_operator",
    "astrometric_solution",
    "block_iterative_solution",
    "fista",
    "formal_errors",
    "gauge_matrix",
    "lasso_path",
    "power_iteration",
    "self_calibrate",
    "soft_threshold",
    "tsv",
    "tsv_gradient",
    "TorchCSROperator",
    "lsqr_torch",
    "lsqr_dask",
]
