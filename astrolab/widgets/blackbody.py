"""Blackbody explorer: move the temperature, watch the Planck curve and Wien's peak move."""

from __future__ import annotations

import astropy.units as u
import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from astrolab.datasets import planck_lambda, wien_peak
from astrolab.plotting import OKABE_ITO, axis_label, style
from astrolab.widgets._figure import FigureOutput

__all__ = ["BlackbodyExplorer", "blackbody_explorer"]

SUN_TEFF = 5772 * u.K  # IAU 2015 nominal solar effective temperature


def _band(wavelength_nm: float) -> str:
    if wavelength_nm < 380:
        return "ultraviolet"
    if wavelength_nm <= 750:
        return "visible"
    return "infrared"


class BlackbodyExplorer(widgets.VBox):
    """The widget built by :func:`blackbody_explorer`; ``temperature``, ``figure`` and
    ``peak_wavelength`` expose its state for tests and for curious learners."""

    def __init__(self, temperature, wavelength):
        self.wavelength = wavelength
        self.slider = widgets.FloatLogSlider(
            value=float(temperature.to_value(u.K)), base=10, min=3, max=np.log10(50_000),
            step=0.01, description="T [K]", continuous_update=False, readout_format=".0f",
            layout=widgets.Layout(width="420px"),
        )
        self.log_scale = widgets.Checkbox(value=True, description="log axes")
        self.readout = widgets.HTML()
        with style():
            self.figure = Figure(figsize=(6.4, 4.0), layout="constrained")
            ax = self.figure.add_subplot()
            sun = planck_lambda(wavelength, SUN_TEFF)
            ax.plot(wavelength.to_value(u.nm), sun.value, ls="--", color=OKABE_ITO[7], lw=1,
                    label=f"Sun ({SUN_TEFF.value:.0f} K)")
            (self.line,) = ax.plot([], [], color=OKABE_ITO[0], lw=2)
            self.peak_marker = ax.axvline(1.0, color=OKABE_ITO[3], lw=1)
            ax.axvspan(380, 750, color=OKABE_ITO[6], alpha=0.15, lw=0, label="visible")
            ax.set_xlabel(axis_label("Wavelength", u.nm))
            ax.set_ylabel(axis_label("$B_\\lambda$", sun.unit))
            ax.legend(loc="upper right")
        self.axes = ax
        self.canvas = FigureOutput(self.figure)
        super().__init__([widgets.HBox([self.slider, self.log_scale]), self.readout, self.canvas])
        self.slider.observe(self._update, names="value")
        self.log_scale.observe(self._update, names="value")
        self._update()

    @property
    def temperature(self):
        return self.slider.value * u.K

    @property
    def peak_wavelength(self):
        return wien_peak(self.temperature).to(u.nm)

    def _update(self, change=None) -> None:
        lam_nm = self.wavelength.to_value(u.nm)
        b = planck_lambda(self.wavelength, self.temperature).value
        peak = self.peak_wavelength.value
        self.line.set_data(lam_nm, b)
        self.line.set_label(f"T = {self.temperature.value:,.0f} K")
        self.peak_marker.set_xdata([peak, peak])
        ax = self.axes
        scale = "log" if self.log_scale.value else "linear"
        ax.set_xscale(scale)
        ax.set_yscale(scale)
        top = max(b.max(), planck_lambda(self.wavelength, SUN_TEFF).value.max())
        ax.set_ylim(top * 1e-6 if scale == "log" else 0, top * 2 if scale == "log" else top * 1.05)
        ax.set_xlim(lam_nm[0], lam_nm[-1])
        ax.set_title(f"A {self.temperature.value:,.0f} K blackbody peaks at {peak:,.0f} nm")
        ax.legend(loc="upper right")
        self.readout.value = (
            f"Wien's law: &lambda;<sub>peak</sub> = b / T = <b>{peak:,.0f} nm</b> "
            f"({_band(peak)}); the star is {self.temperature.value / SUN_TEFF.value:.2f}&times; "
            "as hot as the Sun."
        )
        self.canvas.refresh()


def blackbody_explorer(temperature=SUN_TEFF, wavelength=None) -> BlackbodyExplorer:
    """Build (but do not display) an interactive Planck-curve explorer.

    Parameters
    ----------
    temperature : Quantity, default 5772 K
        Initial temperature (between 1000 K and 50 000 K).
    wavelength : Quantity, optional
        Wavelength grid; default 100 nm to 10 um, log-spaced.

    Returns
    -------
    BlackbodyExplorer
        An ``ipywidgets.VBox``: a temperature slider, a log-axes switch, a readout of Wien's
        peak, and the figure.

    Examples
    --------
    >>> import astropy.units as u
    >>> w = blackbody_explorer(10_000 * u.K)
    >>> w.peak_wavelength.round(0)
    <Quantity 290. nm>
    >>> w.slider.value = 3000
    >>> w.peak_wavelength.round(0)
    <Quantity 966. nm>
    """
    from astrolab.datasets._units import to_value

    t = to_value(temperature, u.K, "temperature")
    if not 1000 <= t <= 50_000:
        raise ValueError(f"temperature must be between 1000 K and 50000 K, got {temperature}")
    if wavelength is None:
        wavelength = np.geomspace(100, 10_000, 400) * u.nm
    else:
        to_value(wavelength, u.nm, "wavelength")
    return BlackbodyExplorer(t * u.K, wavelength)
