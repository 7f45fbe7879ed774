"""Sparse-modelling imaging demo: move lambda and the TSV weight, watch the image of the black hole change."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from astrolab.plotting import style
from astrolab.sparse import blur, image_visibilities, ncc, power_iteration, ring_parameters
from astrolab.widgets._figure import FigureOutput

__all__ = ["SparseImaging", "sparse_imaging"]


class SparseImaging(widgets.VBox):
    """The widget built by :func:`sparse_imaging`; ``image`` and ``metrics`` hold its state."""

    def __init__(self, mock, log_lam, log_mu, max_iter):
        import astropy.units as u

        self.mock, self.max_iter = mock, max_iter
        self.pix = mock.pixel_size.to_value(u.uas)
        op = mock.operator
        self._weighted_L = power_iteration(op.with_weights(1 / mock.sigma))
        self.lam = widgets.FloatSlider(value=log_lam, min=1.0, max=7.0, step=0.25, description="log10 λ",
                                       continuous_update=False)
        self.mu = widgets.FloatSlider(value=log_mu, min=3.0, max=8.0, step=0.25, description="log10 μ (TSV)",
                                      continuous_update=False, style={"description_width": "initial"})
        self.tsv_on = widgets.Checkbox(value=True, description="use TSV")
        self.readout = widgets.HTML()
        extent = self._extent()
        with style():
            self.figure = Figure(figsize=(9, 3.6), layout="constrained")
            self.ax_truth, self.ax_image = self.figure.subplots(1, 2)
        truth = mock.truth["image"]
        self.ax_truth.imshow(truth, origin="lower", cmap="afmhot", extent=extent)
        self.ax_truth.set_title("truth")
        self.image_artist = self.ax_image.imshow(np.zeros_like(truth), origin="lower", cmap="afmhot", extent=extent)
        for ax in (self.ax_truth, self.ax_image):
            ax.set_xlabel("relative RA [µas]")
            ax.set_ylabel("relative Dec [µas]")
        self.canvas = FigureOutput(self.figure)
        super().__init__([widgets.HBox([self.lam, self.mu, self.tsv_on]), self.readout, self.canvas])
        for control in (self.lam, self.mu, self.tsv_on):
            control.observe(self._update, names="value")
        self._update()

    def _extent(self):
        ny, nx = self.mock.image_shape
        half_x, half_y = nx / 2 * self.pix, ny / 2 * self.pix
        return (half_x, -half_x, -half_y, half_y)

    def _update(self, change=None):
        lam = 10**self.lam.value
        mu = 10**self.mu.value if self.tsv_on.value else 0.0
        image, info = image_visibilities(self.mock.operator, self.mock.vis, self.mock.sigma, lam, mu,
                                         max_iter=self.max_iter, lipschitz=self._weighted_L)
        self.image = image
        truth = self.mock.truth["image"]
        diameter, width = ring_parameters(image, self.pix)
        self.metrics = {"ncc": ncc(blur(image, 20, self.pix), blur(truth, 20, self.pix)), "diameter": diameter,
                        "width": width, "n_iter": info["n_iter"]}
        self.image_artist.set_data(image)
        self.image_artist.set_clim(0, max(image.max(), 1e-12))
        self.ax_image.set_title(f"λ = 1e{self.lam.value:.2f}, μ = {mu:.2g}")
        self.readout.value = (f"NCC with the truth (both blurred to 20 µas): <b>{self.metrics['ncc']:.3f}</b>; "
                              f"ring diameter <b>{diameter:.1f} µas</b>, width {width:.1f} µas")
        self.canvas.refresh()


def sparse_imaging(mock, *, log_lam: float = 4.0, log_mu: float = 5.0, max_iter: int = 300):
    """Image mock interferometric data with LASSO + TSV, with sliders for both weights.

    Parameters
    ----------
    mock : Bunch
        From :func:`astrolab.datasets.make_eht_mock`.
    log_lam, log_mu : float, default 4 and 5
        Starting values of log10 of the l1 and TSV weights (in chi-squared units).
    max_iter : int, default 300
        FISTA iterations per image (each update takes a fraction of a second).

    Returns
    -------
    SparseImaging
        An ``ipywidgets.VBox``; set ``.lam.value`` (log10) from code.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astrolab.datasets import make_eht_mock
    >>> demo = sparse_imaging(make_eht_mock(image_shape=(24, 24), pixel_size=5 * u.uas), max_iter=50)
    >>> demo.lam.value = 6.0
    >>> 0 <= demo.metrics["ncc"] <= 1
    True
    """
    for name in ("operator", "vis", "sigma", "truth", "pixel_size", "image_shape"):
        if name not in mock:
            raise ValueError(f"mock must come from make_eht_mock (it lacks {name!r})")
    if not (1 <= log_lam <= 7 and 3 <= log_mu <= 8):
        raise ValueError(f"log_lam must be in [1, 7] and log_mu in [3, 8], got {log_lam!r} and {log_mu!r}")
    return SparseImaging(mock, float(log_lam), float(log_mu), int(max_iter))
