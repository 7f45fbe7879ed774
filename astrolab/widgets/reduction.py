"""Chapter 2 demos: rebuild a spectrum from k eigenspectra; watch a self-organizing map learn."""

from __future__ import annotations

import astropy.units as u
import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from astrolab._validation import as_float_array
from astrolab.plotting import OKABE_ITO, axis_label, style
from astrolab.widgets._figure import FigureOutput

__all__ = ["PCAReconstruction", "SOMTraining", "pca_reconstruction", "som_training"]


class PCAReconstruction(widgets.VBox):
    """The widget built by :func:`pca_reconstruction`; ``reconstruction`` and ``rms`` hold its state."""

    def __init__(self, pca, flux, wavelength, noiseless, labels, index, n_components):
        self.pca, self.flux, self.noiseless, self.labels = pca, flux, noiseless, labels
        self.wavelength = wavelength.to_value(u.nm)
        self.scores = (flux - pca.mean_) @ pca.components_.T
        self.index = widgets.IntSlider(value=index, min=0, max=len(flux) - 1, description="spectrum",
                                       continuous_update=False)
        self.k = widgets.IntSlider(value=n_components, min=0, max=len(pca.components_), description="k components",
                                   continuous_update=False, style={"description_width": "initial"})
        self.readout = widgets.HTML()
        with style():
            self.figure = Figure(figsize=(9, 5), layout="constrained")
            self.ax, self.ax_res = self.figure.subplots(2, 1, sharex=True, height_ratios=[3, 1])
        (self.data_line,) = self.ax.plot(self.wavelength, flux[0], color="0.6", lw=0.7, label="data")
        (self.true_line,) = self.ax.plot(self.wavelength, flux[0], color="k", lw=0.8, ls="--", label="noiseless")
        self.true_line.set_visible(noiseless is not None)
        (self.rec_line,) = self.ax.plot(self.wavelength, flux[0], color=OKABE_ITO[0], lw=1.2, label="reconstruction")
        (self.res_line,) = self.ax_res.plot(self.wavelength, flux[0], color=OKABE_ITO[0], lw=0.7)
        self.ax_res.axhline(0, color="0.5", lw=0.5)
        self.ax.set_ylabel("normalised flux")
        self.ax.legend(loc="upper right", fontsize=8)
        self.ax_res.set_ylabel("residual")
        self.ax_res.set_xlabel(axis_label("wavelength", u.nm))
        self.canvas = FigureOutput(self.figure)
        super().__init__([widgets.HBox([self.index, self.k]), self.readout, self.canvas])
        self.index.observe(self._update, names="value")
        self.k.observe(self._update, names="value")
        self._update()

    def _update(self, change=None):
        i, k = self.index.value, self.k.value
        self.reconstruction = self.pca.mean_ + self.scores[i, :k] @ self.pca.components_[:k]
        target = self.noiseless[i] if self.noiseless is not None else self.flux[i]
        self.rms = float(np.sqrt(np.mean((self.reconstruction - target) ** 2)))
        self.data_line.set_ydata(self.flux[i])
        if self.noiseless is not None:
            self.true_line.set_ydata(self.noiseless[i])
        self.rec_line.set_ydata(self.reconstruction)
        self.res_line.set_ydata(self.reconstruction - target)
        lo, hi = np.percentile(self.flux[i], [0.5, 99.5])
        self.ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
        span = max(np.abs(self.reconstruction - target).max(), 1e-3)
        self.ax_res.set_ylim(-1.2 * span, 1.2 * span)
        label = self.labels[i] if self.labels is not None else f"spectrum {i}"
        versus = "noiseless" if self.noiseless is not None else "data"
        self.ax.set_title(f"{label}: {k} components")
        self.readout.value = f"{label}; RMS difference from the {versus} spectrum: <b>{self.rms:.4f}</b>"
        self.canvas.refresh()


def pca_reconstruction(pca, flux, wavelength, *, noiseless=None, labels=None, index=0, n_components=3):
    """Rebuild one spectrum from its first k principal components, with sliders for k and the spectrum.

    Parameters
    ----------
    pca : fitted PCA
        :class:`astrolab.reduction.PCA` or :class:`sklearn.decomposition.PCA` (``mean_``, ``components_``).
    flux : ndarray, shape (n_spectra, n_pixels)
        Spectra to reconstruct.
    wavelength : Quantity, shape (n_pixels,)
        Wavelength grid.
    noiseless : ndarray, optional
        Noiseless spectra: residuals are then measured against them.
    labels : sequence of str, optional
        A label per spectrum, e.g. its true Teff.
    index, n_components : int, default 0 and 3
        Starting spectrum and number of components.

    Returns
    -------
    PCAReconstruction
        An ``ipywidgets.VBox``; set ``.k.value`` or ``.index.value`` from code.

    Examples
    --------
    >>> from astrolab.datasets import make_stellar_spectra
    >>> from astrolab.reduction import PCA
    >>> spectra = make_stellar_spectra(50, seed=0)
    >>> demo = pca_reconstruction(PCA(n_components=10).fit(spectra.flux), spectra.flux, spectra.wavelength)
    >>> before = demo.rms
    >>> demo.k.value = 10
    >>> demo.rms < before
    True
    """
    flux = as_float_array("flux", flux)
    if flux.ndim != 2 or flux.shape[1] != len(pca.mean_):
        raise ValueError(f"flux must be (n_spectra, {len(pca.mean_)}) like the PCA's training data, got {flux.shape}")
    if not isinstance(wavelength, u.Quantity) or wavelength.shape != (flux.shape[1],):
        raise ValueError(f"wavelength must be a Quantity of shape ({flux.shape[1]},)")
    if noiseless is not None and np.shape(noiseless) != flux.shape:
        raise ValueError(f"noiseless must have the shape of flux {flux.shape}, got {np.shape(noiseless)}")
    if not 0 <= index < len(flux) or not 0 <= n_components <= len(pca.components_):
        raise ValueError(f"index must be in [0, {len(flux) - 1}] and n_components in [0, {len(pca.components_)}]")
    noiseless = None if noiseless is None else as_float_array("noiseless", noiseless)
    return PCAReconstruction(pca, flux, wavelength, noiseless, labels, int(index), int(n_components))


class SOMTraining(widgets.VBox):
    """The widget built by :func:`som_training`; ``node_values`` holds the map shown."""

    def __init__(self, som, X, values, label, cmap):
        self.som, self.X, self.values, self.label = som, X, values, label
        n = len(som.weights_history_)
        self.epoch = widgets.IntSlider(value=n, min=1, max=n, description="epoch", continuous_update=False)
        self.play = widgets.Play(value=n, min=1, max=n, interval=700, description="play")
        widgets.jslink((self.play, "value"), (self.epoch, "value"))
        self.readout = widgets.HTML()
        with style():
            self.figure = Figure(figsize=(11, 3.8), layout="constrained")
            self.ax_u, self.ax_v, self.ax_q = self.figure.subplots(1, 3, width_ratios=[1, 1, 1.1])
        shape = som.weights_.shape[:2]
        self.u_image = self.ax_u.imshow(np.zeros(shape), origin="lower", cmap="cividis")
        self.figure.colorbar(self.u_image, ax=self.ax_u, label="distance to neighbours", shrink=0.8)
        self.ax_u.set_title("U-matrix (borders are bright)")
        self.v_image = self.ax_v.imshow(np.zeros(shape), origin="lower", cmap=cmap,
                                        vmin=np.nanmin(values), vmax=np.nanmax(values))
        self.figure.colorbar(self.v_image, ax=self.ax_v, label=label, shrink=0.8)
        self.ax_v.set_title(f"mean {label} per node")
        for ax in (self.ax_u, self.ax_v):
            ax.set_xlabel("map column")
            ax.set_ylabel("map row")
        self.ax_q.plot(np.arange(1, n + 1), som.quantization_errors_, "o-", color=OKABE_ITO[0], ms=3)
        (self.marker,) = self.ax_q.plot([n], [som.quantization_errors_[-1]], "o", color=OKABE_ITO[5], ms=9)
        self.ax_q.set_xlabel("epoch")
        self.ax_q.set_ylabel("quantization error")
        self.canvas = FigureOutput(self.figure)
        super().__init__([widgets.HBox([self.play, self.epoch]), self.readout, self.canvas])
        self.epoch.observe(self._update, names="value")
        self._update()

    def _update(self, change=None):
        from astrolab.reduction._som import _squared_distances, umatrix

        e = self.epoch.value
        W = self.som.weights_history_[e - 1]
        flat = W.reshape(-1, W.shape[-1])
        bmu = np.argmin(_squared_distances(self.X, flat), axis=1)
        sums = np.bincount(bmu, weights=self.values, minlength=len(flat))
        counts = np.bincount(bmu, minlength=len(flat))
        self.node_values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).reshape(W.shape[:2])
        umat = umatrix(W)
        self.u_image.set_data(umat)
        self.u_image.set_clim(umat.min(), umat.max() if umat.max() > umat.min() else umat.min() + 1)
        self.v_image.set_data(self.node_values)
        self.marker.set_data([e], [self.som.quantization_errors_[e - 1]])
        self.readout.value = (f"epoch <b>{e}</b> of {len(self.som.weights_history_)}: quantization error "
                              f"<b>{self.som.quantization_errors_[e - 1]:.3f}</b>")
        self.canvas.refresh()


def som_training(som, X, values, *, label="value", cmap="viridis"):
    """Replay the training of a self-organizing map, epoch by epoch.

    Shows, for the chosen epoch, the U-matrix, the mean of ``values`` (a known parameter such as
    Teff) over the samples mapped to each node, and the quantization error curve. A play button
    animates the epochs.

    Parameters
    ----------
    som : SelfOrganizingMap
        Fitted with ``keep_history=True``.
    X : array_like, shape (n_samples, n_features)
        The training data (or any data of the same features).
    values : array_like, shape (n_samples,)
        A number per sample to colour the map with.
    label : str, default "value"
        Name of ``values`` (with its unit) for the colour bar.
    cmap : str, default "viridis"
        Colour map of the values.

    Returns
    -------
    SOMTraining
        An ``ipywidgets.VBox``; set ``.epoch.value`` from code.

    Examples
    --------
    >>> import numpy as np
    >>> from astrolab.reduction import SelfOrganizingMap
    >>> X = np.random.default_rng(0).uniform(size=(300, 3))
    >>> som = SelfOrganizingMap(n_rows=4, n_cols=4, n_epochs=5, keep_history=True, random_state=0).fit(X)
    >>> demo = som_training(som, X, X[:, 0], label="x")
    >>> demo.epoch.value = 1
    >>> demo.node_values.shape
    (4, 4)
    """
    if not hasattr(som, "weights_history_"):
        raise ValueError("som must be fitted with keep_history=True (it stores the weights of every epoch)")
    X = as_float_array("X", X)
    values = as_float_array("values", values)
    if X.ndim != 2 or X.shape[1] != som.weights_.shape[-1]:
        raise ValueError(f"X must be (n_samples, {som.weights_.shape[-1]}), got {X.shape}")
    if values.shape != (len(X),):
        raise ValueError(f"values must have one number per sample ({len(X)}), got shape {values.shape}")
    return SOMTraining(som, X, values, label, cmap)
