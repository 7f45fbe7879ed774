"""DBSCAN explorer: how the radius ε and the core threshold N_min decide which clusters exist."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from astrolab._validation import as_float_array
from astrolab.ml._dbscan import DBSCAN
from astrolab.ml._metrics import cluster_scores
from astrolab.plotting import style
from astrolab.widgets._figure import FigureOutput

__all__ = ["ClusterExplorer", "dbscan_explorer"]


class ClusterExplorer(widgets.VBox):
    """The widget built by :func:`dbscan_explorer`; after each change ``labels`` holds the DBSCAN labels
    and ``score`` the scores of :func:`cluster_scores` (``None`` without truth)."""

    def __init__(self, X, truth_labels, eps, min_samples, axes, axis_labels, min_size):
        self.X, self.truth_labels, self.axes, self.min_size = X, truth_labels, axes, min_size
        self.axis_labels = axis_labels
        scale = float(np.median(np.ptp(X, axis=0)))
        layout = {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="420px"),
                  "continuous_update": False}
        self.eps_slider = widgets.FloatLogSlider(value=eps, base=10, min=np.log10(scale) - 4, max=np.log10(scale) - 0.5,
                                                 step=0.05, description="ε (radius)", **layout)
        self.slider = self.eps_slider
        self.min_samples_slider = widgets.IntSlider(value=min_samples, min=1, max=50, description="N_min", **layout)
        self.readout = widgets.HTML()
        with style():
            self.figure = Figure(figsize=(10, 4.2), layout="constrained")
            self.ax_map, self.ax_score = self.figure.subplots(1, 2, width_ratios=[1.3, 1])
        self.ax_map.set_xlabel(axis_labels[0])
        self.ax_map.set_ylabel(axis_labels[1])
        self.ax_score.set_xlabel("true cluster size [members]")
        self.ax_score.set_ylabel("completeness / purity")
        self.canvas = FigureOutput(self.figure)
        super().__init__([self.eps_slider, self.min_samples_slider, self.readout, self.canvas])
        self.eps_slider.observe(self._update, names="value")
        self.min_samples_slider.observe(self._update, names="value")
        self._update()

    def _update(self, change=None) -> None:
        self.labels = DBSCAN(eps=self.eps_slider.value, min_samples=self.min_samples_slider.value).fit_predict(self.X)
        n_found = int(self.labels.max() + 1)
        noise = self.labels < 0
        i, j = self.axes
        self.ax_map.clear()
        self.ax_map.plot(self.X[noise, i], self.X[noise, j], ".", ms=0.8, color="0.75", rasterized=True)
        self.ax_map.scatter(self.X[~noise, i], self.X[~noise, j], c=self.labels[~noise] % 20, cmap="tab20", s=2,
                            vmin=0, vmax=19, rasterized=True)
        self.ax_map.set_xlabel(self.axis_labels[0])
        self.ax_map.set_ylabel(self.axis_labels[1])
        self.ax_map.set_title(f"{n_found} clusters, {noise.mean():.0%} noise")
        text = (f"ε = <b>{self.eps_slider.value:.3g}</b>, N_min = <b>{self.min_samples_slider.value}</b>: "
                f"<b>{n_found}</b> clusters, {noise.sum()} noise points")
        self.ax_score.clear()
        self.ax_score.set_xlabel("true cluster size [members]")
        self.ax_score.set_ylabel("completeness / purity")
        if self.truth_labels is None:
            self.score = None
            self.ax_score.set_title("no truth given")
        else:
            self.score = cluster_scores(self.labels, self.truth_labels, min_size=self.min_size)
            size = np.array([np.sum(self.truth_labels == k) for k in self.score["cluster"]])
            good = (self.score["completeness"] >= 0.5) & (self.score["purity"] >= 0.9)
            self.ax_score.semilogx(size, self.score["completeness"], "o", label="completeness")
            self.ax_score.semilogx(size, self.score["purity"], "s", mfc="none", label="purity")
            self.ax_score.set_ylim(-0.05, 1.05)
            self.ax_score.legend(loc="lower right")
            self.ax_score.set_title(f"{good.sum()} of {good.size} clusters recovered")
            text += (f"; <b>{good.sum()}/{good.size}</b> true clusters recovered (completeness ≥ 0.5, "
                     f"purity ≥ 0.9)")
        self.readout.value = text
        self.canvas.refresh()


def dbscan_explorer(X, truth_labels=None, *, eps: float = 5.0, min_samples: int = 10, axes=(0, 1),
                    axis_labels=("x [pc]", "y [pc]"), min_size: int = 30):
    """Interactive DBSCAN: sliders for ε and N_min, the clusters found in a 2-D projection and,
    with the true labels, the completeness and purity of each true cluster.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Scaled features, as given to :class:`astrolab.ml.DBSCAN`.
    truth_labels : array_like of int, optional
        True cluster of each point (-1 for the field).
    eps : float, default 5
        Starting radius, in the units of ``X``.
    min_samples : int, default 10
        Starting ``N_min`` (1 to 50).
    axes : (int, int), default (0, 1)
        Features shown on the map.
    axis_labels : (str, str)
        Their labels, with units.
    min_size : int, default 30
        Only true clusters with at least this many members are scored.

    Returns
    -------
    ClusterExplorer
        An ``ipywidgets.VBox``; set ``.eps_slider.value`` (alias ``.slider``) or
        ``.min_samples_slider.value`` from code; read ``.labels`` and ``.score``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.1, (50, 2)), rng.normal(3, 0.1, (50, 2)), rng.uniform(-5, 5, (20, 2))])
    >>> truth = np.repeat([0, 1, -1], [50, 50, 20])
    >>> demo = dbscan_explorer(X, truth, eps=0.3, min_samples=5)
    >>> int(demo.labels.max() + 1), bool(demo.score["purity"].min() > 0.9)
    (2, True)
    >>> demo.eps_slider.value = 0.01
    >>> int(demo.labels.max() + 1)
    0
    """
    X = as_float_array("X", X)
    if X.ndim != 2 or X.shape[1] < 2 or len(X) < 2:
        raise ValueError(f"X must be 2-D with at least 2 rows and 2 features, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite (drop stars with missing or negative parallaxes first)")
    if truth_labels is not None:
        truth_labels = np.asarray(truth_labels)
        if truth_labels.shape != (len(X),):
            raise ValueError(f"truth_labels must have shape ({len(X)},), got {truth_labels.shape}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    if not (isinstance(min_samples, (int, np.integer)) and 1 <= min_samples <= 50):
        raise ValueError(f"min_samples must be an integer between 1 and 50, got {min_samples!r}")
    if len(axes) != 2 or not all(0 <= a < X.shape[1] for a in axes):
        raise ValueError(f"axes must be two feature indices below {X.shape[1]}, got {axes!r}")
    return ClusterExplorer(X, truth_labels, float(eps), int(min_samples), tuple(axes), tuple(axis_labels), min_size)
