"""Kernel explorer: type the nine weights of a 3x3 kernel and see the feature map it makes."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from astrolab._validation import as_float_array
from astrolab.nn._filters import EXTRA_FILTERS, SLIDE_FILTERS, filter_image
from astrolab.plotting import DIVERGING_CMAP, SEQUENTIAL_CMAP, style
from astrolab.widgets._figure import FigureOutput

__all__ = ["KERNEL_PRESETS", "KernelExplorer", "kernel_explorer"]

#: The 3x3 kernels offered by the preset menu.
KERNEL_PRESETS = {
    "identity": np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    "laplacian": SLIDE_FILTERS["laplacian"],
    "prewitt_vertical": SLIDE_FILTERS["prewitt_vertical"],
    "prewitt_horizontal": SLIDE_FILTERS["prewitt_horizontal"],
    "sobel_vertical": EXTRA_FILTERS["sobel_vertical"],
    "sobel_horizontal": EXTRA_FILTERS["sobel_horizontal"],
    "blur": np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16,
    "sharpen": np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
}


class KernelExplorer(widgets.VBox):
    """The widget built by :func:`kernel_explorer`. ``kernel`` is the current 3x3 kernel and
    ``feature_map`` the image filtered with it (updated on every change)."""

    def __init__(self, image, kernel):
        self.image = image
        self._busy = False
        self.preset = widgets.Dropdown(options=[*KERNEL_PRESETS, "custom"], value="custom", description="preset")
        self.cells = [widgets.FloatText(value=float(kernel.flat[i]), step=0.1, layout=widgets.Layout(width="72px"))
                      for i in range(9)]
        grid = widgets.GridBox(self.cells, layout=widgets.Layout(grid_template_columns="repeat(3, 76px)"))
        self.readout = widgets.HTML()
        with style():
            self.figure = Figure(figsize=(9, 3.8), layout="constrained")
            self.ax_image, self.ax_map = self.figure.subplots(1, 2)
        lo, hi = np.percentile(image, [1, 99.5])
        self.im_image = self.ax_image.imshow(image, origin="lower", cmap=SEQUENTIAL_CMAP, vmin=lo, vmax=hi)
        self.im_map = self.ax_map.imshow(np.zeros_like(image), origin="lower", cmap=DIVERGING_CMAP)
        self.figure.colorbar(self.im_image, ax=self.ax_image, label="pixel value")
        self.figure.colorbar(self.im_map, ax=self.ax_map, label="response")
        self.ax_image.set_title("input image")
        for ax in (self.ax_image, self.ax_map):
            ax.set_xlabel("x [pix]")
            ax.set_ylabel("y [pix]")
            ax.grid(False)
        self.canvas = FigureOutput(self.figure)
        controls = widgets.HBox([widgets.VBox([widgets.HTML("<b>kernel</b> (weights)"), grid]),
                                 widgets.VBox([self.preset, self.readout])])
        super().__init__([controls, self.canvas])
        for cell in self.cells:
            cell.observe(self._cell_changed, names="value")
        self.preset.observe(self._preset_changed, names="value")
        self._match_preset()
        self._update()

    @property
    def kernel(self) -> np.ndarray:
        """The current 3x3 kernel (a copy)."""
        return np.array([c.value for c in self.cells], dtype=float).reshape(3, 3)

    def _match_preset(self):
        name = next((k for k, v in KERNEL_PRESETS.items() if np.allclose(v, self.kernel)), "custom")
        self._busy = True
        try:
            self.preset.value = name
        finally:
            self._busy = False

    def _cell_changed(self, change=None):
        if self._busy:
            return
        self._match_preset()
        self._update()

    def _preset_changed(self, change):
        if self._busy or change["new"] == "custom":
            return
        self._busy = True
        try:
            for cell, value in zip(self.cells, KERNEL_PRESETS[change["new"]].flat, strict=True):
                cell.value = float(value)
        finally:
            self._busy = False
        self._update()

    def _update(self):
        kernel = self.kernel
        self.feature_map = filter_image(self.image, kernel)
        lim = float(np.percentile(np.abs(self.feature_map), 99.5)) or 1.0
        self.im_map.set_data(self.feature_map)
        self.im_map.set_clim(-lim, lim)
        ratio = self.feature_map.std() / self.image.std() if self.image.std() > 0 else np.nan
        self.ax_map.set_title(f"feature map (kernel sum {kernel.sum():+.2f})")
        self.readout.value = (f"kernel sum <b>{kernel.sum():+.2f}</b> (0: a flat image gives 0)<br>"
                              f"rms of the feature map / rms of the image: <b>{ratio:.2f}</b>")
        self.canvas.refresh()


def kernel_explorer(image, kernel=None):
    """Interactive 3x3 convolution: edit the kernel's weights and see the feature map.

    Nine number boxes hold the kernel, a menu sets a preset (identity, Laplacian, Sobel-like
    vertical and horizontal edge detectors, blur, sharpen), and the figure shows the image and its
    feature map, :func:`astrolab.nn.filter_image` (cross-correlation with zero padding, as in a
    ``torch.nn.Conv2d`` layer).

    Parameters
    ----------
    image : array_like, shape (ny, nx)
        A 2D image with at least 8x8 finite pixels.
    kernel : array_like, shape (3, 3), optional
        Starting kernel; default the Laplacian.

    Returns
    -------
    KernelExplorer
        An ``ipywidgets.VBox`` (not displayed); ``.kernel`` and ``.feature_map`` hold the state.

    Examples
    --------
    >>> demo = kernel_explorer(np.outer(np.hanning(16), np.hanning(16)))
    >>> demo.preset.value = "identity"
    >>> bool(np.allclose(demo.feature_map, demo.image))
    True
    """
    image = as_float_array("image", image)
    if image.ndim != 2 or min(image.shape) < 8:
        raise ValueError(f"image must be a 2D array of at least 8x8 pixels, got shape {image.shape}")
    if not np.all(np.isfinite(image)):
        raise ValueError("image must be finite (no NaN or inf)")
    kernel = KERNEL_PRESETS["laplacian"] if kernel is None else as_float_array("kernel", kernel)
    if kernel.shape != (3, 3) or not np.all(np.isfinite(kernel)):
        raise ValueError(f"kernel must be a finite 3x3 array, got shape {kernel.shape}")
    return KernelExplorer(image, kernel)
