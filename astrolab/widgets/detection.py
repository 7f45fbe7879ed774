"""Detection explorer: move the threshold, watch completeness and purity trade against each other."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from astrolab._validation import as_float_array
from astrolab.bigdata import score_pipeline
from astrolab.plotting import OKABE_ITO, style
from astrolab.widgets._figure import FigureOutput

__all__ = ["DetectionExplorer", "detection_explorer"]


class DetectionExplorer(widgets.VBox):
    """The widget built by :func:`detection_explorer`; ``score`` holds the current
    :func:`astrolab.bigdata.score_pipeline` result, for tests and for curious learners."""

    def __init__(self, image, truth, psf_fwhm, threshold, zoom):
        self.image, self.truth, self.psf_fwhm, self.zoom = image, truth, psf_fwhm, zoom
        self.slider = widgets.FloatSlider(value=threshold, min=2.0, max=10.0, step=0.5, description="threshold [σ]",
                                          continuous_update=False, style={"description_width": "initial"},
                                          layout=widgets.Layout(width="380px"))
        self.flags = widgets.Checkbox(value=True, description="drop flagged artefacts")
        self.readout = widgets.HTML()
        flux = np.asarray(truth["sources"]["flux"], float)
        self.bins = np.logspace(np.log10(flux.min()), np.log10(flux.max()) + 1e-9, 21)
        with style():
            self.figure = Figure(figsize=(10, 4.2), layout="constrained")
            self.ax_image, self.ax_curve = self.figure.subplots(1, 2, width_ratios=[1, 1.3])
        vmin, vmax = np.percentile(image[:zoom, :zoom], [1, 99.5])
        shown = self.ax_image.imshow(image[:zoom, :zoom], origin="lower", cmap="gray", vmin=vmin, vmax=vmax)
        self.figure.colorbar(shown, ax=self.ax_image, label="counts [e-]")
        self.ax_image.set_xlabel("x [pixel]")
        self.ax_image.set_ylabel("y [pixel]")
        (self.real,) = self.ax_image.plot([], [], "o", mfc="none", mec=OKABE_ITO[2], ms=9, label="real")
        (self.false,) = self.ax_image.plot([], [], "s", mfc="none", mec=OKABE_ITO[5], ms=9, label="false")
        self.ax_image.legend(loc="upper right", fontsize=8, framealpha=0.9)
        centres = np.sqrt(self.bins[1:] * self.bins[:-1])
        (self.curve,) = self.ax_curve.plot(centres, np.zeros_like(centres), "o-", color=OKABE_ITO[0])
        self.ax_curve.set_xscale("log")
        self.ax_curve.set_ylim(-0.02, 1.05)
        self.ax_curve.set_xlabel("true flux of stars [e-]")
        self.ax_curve.set_ylabel("completeness")
        self.canvas = FigureOutput(self.figure)
        super().__init__([widgets.HBox([self.slider, self.flags]), self.readout, self.canvas])
        self.slider.observe(self._update, names="value")
        self.flags.observe(self._update, names="value")
        self._update()

    def _update(self, change=None) -> None:
        self.score = score_pipeline(self.image, self.truth, self.psf_fwhm, self.slider.value,
                                    flag_artifacts=self.flags.value, bins=self.bins)
        found, real = self.score["found"], self.score["found_match"] >= 0
        inside = (np.asarray(found["x"]) < self.zoom) & (np.asarray(found["y"]) < self.zoom)
        self.real.set_data(found["x"][inside & real], found["y"][inside & real])
        self.false.set_data(found["x"][inside & ~real], found["y"][inside & ~real])
        self.curve.set_ydata(self.score["completeness"])
        limit = self.score["limit_50"]
        self.ax_image.set_title(f"{len(found)} detections, purity {self.score['purity']:.2f}")
        self.ax_curve.set_title("50% completeness at " + (f"{limit:.0f} e-" if np.isfinite(limit) else "-"))
        self.readout.value = (f"<b>{len(found)}</b> detections kept; purity <b>{self.score['purity']:.2f}</b>; "
                              f"50% completeness for stars at <b>{limit:.0f} e-</b>")
        self.canvas.refresh()


def detection_explorer(image, truth, psf_fwhm: float = 3.0, threshold: float = 5.0, zoom: int = 256):
    """Interactive trade-off between completeness and purity of a detection pipeline.

    A slider sets the detection threshold of :func:`astrolab.bigdata.detect_sources` and a checkbox
    switches the artefact flags on or off; the figure shows the detections on a corner of the
    image (real ones as circles, false ones as squares) and the completeness of stars against
    true flux, scored against the injected truth.

    Parameters
    ----------
    image : ndarray
        A mock image from :func:`astrolab.datasets.make_survey_image`.
    truth : dict
        Its truth.
    psf_fwhm : float, default 3
        PSF FWHM in pixels.
    threshold : float, default 5
        Starting threshold, in units of the filtered noise (2 to 10).
    zoom : int, default 256
        Size of the image corner shown, in pixels.

    Returns
    -------
    DetectionExplorer
        An ``ipywidgets.VBox``; display it, or set ``.slider.value`` from code.

    Examples
    --------
    >>> from astrolab.datasets import make_survey_image
    >>> image, truth = make_survey_image((128, 128), n_stars=30, seed=0)
    >>> demo = detection_explorer(image, truth, zoom=128)
    >>> demo.slider.value = 3.0
    >>> demo.score["found"] is not None
    True
    """
    image = as_float_array("image", image)
    if image.ndim != 2:
        raise ValueError(f"image must be a 2-D array, got shape {image.shape}")
    if not isinstance(truth, dict) or "sources" not in truth:
        raise ValueError("truth must be the dict returned by make_survey_image (with a 'sources' table)")
    if not 2.0 <= threshold <= 10.0:
        raise ValueError(f"threshold must be between 2 and 10, got {threshold!r}")
    if isinstance(zoom, bool) or not isinstance(zoom, int) or not 32 <= zoom <= min(image.shape):
        raise ValueError(f"zoom must be an integer between 32 and {min(image.shape)}, got {zoom!r}")
    return DetectionExplorer(image, truth, psf_fwhm, float(threshold), zoom)
