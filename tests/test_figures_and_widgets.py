"""Plot style helpers and widgets, tested without a browser."""

import astropy.units as u
import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

import astrolab as al
from astrolab.plotting import axis_label, invert_magnitude_axis, label_axes, style
from astrolab.widgets import FigureOutput, blackbody_explorer


def test_axis_label():
    assert axis_label("Parallax", u.mas) == r"Parallax [$\mathrm{mas}$]"
    assert axis_label("Flux", u.erg / u.s / u.cm**2).startswith("Flux [$\\mathrm{erg")
    assert axis_label("Ratio", u.dimensionless_unscaled) == "Ratio"
    assert axis_label("Count") == "Count"
    assert axis_label("Distance", 3 * u.pc) == r"Distance [$\mathrm{pc}$]"


def test_style_is_scoped():
    before = mpl.rcParams["axes.prop_cycle"]
    with style():
        assert mpl.rcParams["image.cmap"] == "viridis"
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == al.plotting.OKABE_ITO[0]
    assert mpl.rcParams["axes.prop_cycle"] == before


def test_label_axes_and_magnitudes():
    fig, ax = plt.subplots()
    label_axes(ax, "Colour", "Magnitude", "A title", xunit=u.mag, yunit=u.mag)
    assert ax.get_title() == "A title" and "mag" in ax.get_xlabel()
    invert_magnitude_axis(ax)
    invert_magnitude_axis(ax)
    assert ax.yaxis_inverted()
    with pytest.raises(ValueError, match="axis must be"):
        invert_magnitude_axis(ax, "z")


def _png(widget):
    return widget.canvas.outputs[0]["data"]["image/png"]


def test_blackbody_explorer_reacts_to_the_slider():
    w = blackbody_explorer(5772 * u.K)
    assert isinstance(w, widgets.VBox)
    before = dict(png=_png(w), y=w.line.get_ydata().copy(), html=w.readout.value,
                  title=w.axes.get_title(), renders=w.canvas.n_renders)
    assert w.peak_wavelength.to_value(u.nm) == pytest.approx(502.1, abs=0.1)

    w.slider.value = 12_000  # what moving the slider does
    assert w.temperature == 12_000 * u.K
    assert w.peak_wavelength.to_value(u.nm) == pytest.approx(2.897771955e6 / 12_000, rel=1e-6)
    assert (w.line.get_ydata() > before["y"]).all()  # hotter is brighter at every wavelength
    assert w.readout.value != before["html"] and "241 nm" in w.readout.value
    assert w.axes.get_title() != before["title"]
    assert w.canvas.n_renders == before["renders"] + 1 and _png(w) != before["png"]


def test_blackbody_explorer_log_switch():
    w = blackbody_explorer()
    assert w.axes.get_yscale() == "log"
    w.log_scale.value = False
    assert w.axes.get_xscale() == "linear" and w.axes.get_yscale() == "linear"


@pytest.mark.parametrize("bad, match", [(5000, "Quantity"), (10 * u.K, "between 1000 K"),
                                        (5000 * u.m, "temperature must have units")])
def test_blackbody_explorer_rejects_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        blackbody_explorer(bad)


def test_figure_output():
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("state of things")
    out = FigureOutput(fig)
    assert out.n_renders == 1 and "state of things" in out.outputs[0]["data"]["text/plain"]
    with pytest.raises(ValueError, match="matplotlib Figure"):
        FigureOutput("not a figure")
