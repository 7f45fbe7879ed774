"""Interactive demos. Each builder RETURNS an ``ipywidgets`` widget (it does not display it), so
the demo can be tested without a browser: set a control's ``.value`` and check the state."""

from astrolab.widgets._figure import FigureOutput
from astrolab.widgets.blackbody import BlackbodyExplorer, blackbody_explorer
from astrolab.widgets.clusters import ClusterExplorer, dbscan_explorer
from astrolab.widgets.detection import DetectionExplorer, detection_explorer
from astrolab.widgets.kernels import KernelExplorer, kernel_explorer
from astrolab.widgets.mcmc import MetropolisExplorer, metropolis_explorer
from astrolab.widgets.reduction import PCAReconstruction, SOMTraining, pca_reconstruction, som_training
from astrolab.widgets.sparse import SparseImaging, sparse_imaging

__all__ = [
    "BlackbodyExplorer",
    "ClusterExplorer",
    "DetectionExplorer",
    "FigureOutput",
    "KernelExplorer",
    "MetropolisExplorer",
    "PCAReconstruction",
    "SOMTraining",
    "SparseImaging",
    "blackbody_explorer",
    "dbscan_explorer",
    "detection_explorer",
    "kernel_explorer",
    "metropolis_explorer",
    "pca_reconstruction",
    "som_training",
    "sparse_imaging",
]

