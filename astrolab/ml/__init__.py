"""Chapter 5 (machine learning): clustering, extreme deconvolution and the metrics astronomers use.

- :class:`DBSCAN`, :func:`friends_of_friends` -- density-based clustering (a readable reference with
  scikit-learn's labels), and :func:`cluster_scores` to score found clusters against the truth;
- :func:`line_of_sight_graph`, :func:`kth_neighbor_distance` -- neighbour distances that forgive each star
  its parallax error along the line of sight (for scikit-learn's ``DBSCAN(metric="precomputed")``);
- :class:`ExtremeDeconvolution` -- a Gaussian mixture fitted to noisy data with per-point error
  covariances (Bovy, Hogg & Roweis 2011): the density *before* the errors;
- :func:`photoz_metrics` -- sigma_NMAD, outlier fraction and bias of photometric redshifts;
- :func:`precision_recall_at` -- precision and recall of the top-k candidates of an anomaly score.
"""

from astrolab.ml._dbscan import DBSCAN, friends_of_friends
from astrolab.ml._line_of_sight import kth_neighbor_distance, line_of_sight_graph
from astrolab.ml._metrics import cluster_scores, photoz_metrics, precision_recall_at
from astrolab.ml._xd import ExtremeDeconvolution

__all__ = [
    "DBSCAN",
    "ExtremeDeconvolution",
    "cluster_scores",
    "friends_of_friends",
    "kth_neighbor_distance",
    "line_of_sight_graph",
    "photoz_metrics",
    "precision_recall_at",
]
