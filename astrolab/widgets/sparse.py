"""Sparse-modelling imaging demo: move lambda and the TSV weight, watch the image of the black hole change."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from astrolab.plotting import style
from astrolab.sparse import image_visibilities, imaging_score, power_iteration, ring_fit
from astrolab.widgets._figure import FigureOutput

__all__ = ["SparseImaging", "sparse_imaging"]


class SparseImaging(widgets.VBox):
    """The widget built by :func:`sparse_imaging`; ``image`` and ``metrics`` hold its state."""

    def __init__(self, mock, log_lam, log_mu, max_iter, error_floor=0.0):
        import astropy.units as u

        self.mock, self.max_iter = mock, max_iter
        self.pix = mock.pixel_size.to_value(u.uas)
        self.vis = np.asarray(mock.vis)
        # the error of the real and of the imaginary part, with the error floor in quadrature
        self.sigma = np.hypot(np.asarray(mock.sigma, dtype=float), error_floor * np.abs(self.vis))
        self._ring = mock.truth.get("model", "crescent") in ("crescent", "ring")
        # imaging_score counts the bright side's error only for a lopsided truth
        truth_fit = ring_fit(mock.truth["image"], self.pix)
        self._lopsided = self._ring and truth_fit.asymmetry > 0.1
        self._d_true = truth_fit.diameter
        op = mock.operator
        self._weighted_L = power_iteration(op.with_weights(1 / self.sigma))
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
        truth_artist = self.ax_truth.imshow(truth, origin="lower", cmap="afmhot", extent=extent)
        self.figure.colorbar(truth_artist, ax=self.ax_truth, label="intensity [Jy/pixel]")
        self.ax_truth.set_title("truth")
        self.image_artist = self.ax_image.imshow(np.zeros_like(truth), origin="lower", cmap="afmhot", extent=extent)
        self.figure.colorbar(self.image_artist, ax=self.ax_image, label="intensity [Jy/pixel]")
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
        op = self.mock.operator
        image, info = image_visibilities(op, self.vis, self.sigma, lam, mu, max_iter=self.max_iter,
                                         lipschitz=self._weighted_L, warn=False)
        self.image = image
        truth = self.mock.truth["image"]
        empty = not image.max() > 0  # lambda far too large: nothing survives, the NCC is undefined, no ring
        if empty:
            score = {"ncc": 0.0, "diameter_error": -1.0, "pa_error": 180.0, "diameter_true": self._d_true}
            diameter = width = 0.0
        else:
            score = imaging_score(image, truth, self.pix, ring=self._ring)
            fit = ring_fit(image, self.pix)
            diameter, width = fit.diameter, fit.width
        ncc_blur = float(score["ncc"])
        penalty_d = 2 * abs(score["diameter_error"]) if self._ring else 0.0
        penalty_pa = abs(score["pa_error"]) / 180 if self._lopsided else 0.0
        chi2 = float(np.mean(np.abs((op.matvec(image.ravel()) - self.vis) / self.sigma) ** 2) / 2)
        self.metrics = {"score": float(ncc_blur - penalty_d - penalty_pa), "ncc": ncc_blur,
                        "diameter": float(diameter), "width": float(width),
                        "diameter_error": float(score.get("diameter_error", np.nan)),
                        "pa_error": float(score.get("pa_error", np.nan)), "chi2": chi2, "n_iter": info["n_iter"],
                        "converged": bool(info["converged"]), "empty": empty}
        self.image_artist.set_data(image)
        self.image_artist.set_clim(0, max(image.max(), 1e-12))
        self.ax_image.set_title(f"λ = 1e{self.lam.value:.2f}, μ = {mu:.2g}")
        m = self.metrics
        parts = f"NCC {m['ncc']:.3f} (both images blurred to 20 µas{'; the image is empty' if empty else ''})"
        if self._ring:
            parts += f" − {penalty_d:.3f} (2 × |diameter error {m['diameter_error']:+.1%}|)"
        if self._lopsided:
            parts += f" − {penalty_pa:.3f} (|PA error {m['pa_error']:+.0f}°| / 180)"
        true_d = f" (truth {score['diameter_true']:.1f})" if self._ring else ""
        self.readout.value = (
            f"imaging score <b>{m['score']:.3f}</b> = {parts}<br>"
            f"ring diameter <b>{m['diameter']:.1f} µas</b>{true_d}, "
            f"width {width:.1f} µas; χ² per real degree of freedom {chi2:.2f}; "
            f"{m['n_iter']} FISTA iterations{'' if m['converged'] else ' (not converged)'}")
        self.canvas.refresh()


def sparse_imaging(mock, *, log_lam: float = 4.0, log_mu: float = 5.0, max_iter: int = 300,
                   error_floor: float = 0.0):
    """Image mock interferometric data with LASSO + TSV, with sliders for both weights.

    The readout gives :func:`astrolab.sparse.imaging_score` and its parts (the NCC of the images blurred
    to 20 uas, the ring diameter's and the bright side's errors), so that a visibly wrong image scores
    poorly, and the chi-squared per real degree of freedom of the fit (noise alone gives 1).

    Parameters
    ----------
    mock : Bunch
        From :func:`astrolab.datasets.make_eht_mock`.
    log_lam, log_mu : float, default 4 and 5
        Starting values of log10 of the l1 and TSV weights (in chi-squared units).
    max_iter : int, default 300
        FISTA iterations per image (each update takes a fraction of a second).
    error_floor : float, default 0
        Fractional error added in quadrature to ``mock.sigma`` (for residual gain errors, as in notebook 2).

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
    >>> 0 <= demo.metrics["ncc"] <= 1 and demo.metrics["score"] <= demo.metrics["ncc"]
    True
    """
    for name in ("operator", "vis", "sigma", "truth", "pixel_size", "image_shape"):
        if name not in mock:
            raise ValueError(f"mock must come from make_eht_mock (it lacks {name!r})")
    if not (1 <= log_lam <= 7 and 3 <= log_mu <= 8):
        raise ValueError(f"log_lam must be in [1, 7] and log_mu in [3, 8], got {log_lam!r} and {log_mu!r}")
    if not 0 <= error_floor < 1:
        raise ValueError(f"error_floor must be a fraction in [0, 1), got {error_floor!r}")
    return SparseImaging(mock, float(log_lam), float(log_mu), int(max_iter), float(error_floor))
