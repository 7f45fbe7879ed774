"""Chapter 2 (dimensionality reduction): PCA written to be read, and a self-organizing map.

- :class:`PCA` and :func:`reconstruction_error` -- eigenspectra and how many of them you need;
- :class:`SelfOrganizingMap` -- Kohonen's map with scikit-learn's estimator API (online and
  batch training, U-matrix, component planes).
"""

from astrolab.reduction._pca import PCA, reconstruction_error
from astrolab.reduction._som import SelfOrganizingMap

__all__ = ["PCA", "SelfOrganizingMap", "reconstruction_error"]
