"""Chapter 3 (sparsity): LASSO by FISTA with operators, total squared variation, interferometric imaging.

- :func:`fista`, :func:`lasso_path` -- minimise ``1/2 |b - A x|^2 + lam |x|_1 + mu TSV(x)`` for a dense
  matrix or an operator (``matvec``/``rmatvec``), warm-started along a path of ``lam``;
- :class:`Lasso` -- the same as a scikit-learn regressor (scikit-learn's objective);
- :class:`FourierOperator` -- the measurement operator of an interferometer;
- :func:`soft_threshold`, :func:`tsv`, :func:`tsv_gradient`, :func:`power_iteration`.
"""

from astrolab.sparse._challenge import ImagingChallenge
from astrolab.sparse._imaging import blur, dirty_beam, dirty_image, image_visibilities, ncc, ring_parameters
from astrolab.sparse._lasso import Lasso, fista, lasso_path, soft_threshold, tsv, tsv_gradient
from astrolab.sparse._operators import FourierOperator, MatrixOperator, as_operator, power_iteration

__all__ = [
    "FourierOperator",
    "ImagingChallenge",
    "blur",
    "dirty_beam",
    "dirty_image",
    "image_visibilities",
    "ncc",
    "ring_parameters",
    "Lasso",
    "MatrixOperator",
    "as_operator",
    "fista",
    "lasso_path",
    "power_iteration",
    "soft_threshold",
    "tsv",
    "tsv_gradient",
]
