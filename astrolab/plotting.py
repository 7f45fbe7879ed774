"""Shared figure style: colour-blind-safe colours, labelled axes with units, one look for the course."""

from __future__ import annotations

import contextlib

import matplotlib as mpl

__all__ = ["OKABE_ITO", "SEQUENTIAL_CMAP", "DIVERGING_CMAP", "axis_label", "use_style", "style",
           "label_axes", "invert_magnitude_axis"]

#: Okabe & Ito (2008) palette, distinguishable with all common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Perceptually uniform, colour-blind-safe maps for images and colour-coded scatter plots.
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"

_RC = {
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "image.cmap": SEQUENTIAL_CMAP,
    "figure.figsize": (6.4, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": "medium",
    "axes.labelsize": "medium",
    "legend.frameon": False,
    "figure.constrained_layout.use": True,
}


def use_style() -> None:
    """Apply the course style to every following figure (call once at the top of a notebook)."""
    mpl.rcParams.update(_RC)


@contextlib.contextmanager
def style():
    """Context manager: the course style inside the ``with`` block only.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style():
    ...     plt.rcParams["image.cmap"]
    'viridis'
    """
    with mpl.rc_context(_RC):
        yield


def axis_label(name: str, unit=None) -> str:
    """Axis label "Name [unit]" with the unit typeset by astropy.

    Parameters
    ----------
    name : str
        What is plotted.
    unit : str, astropy unit or Quantity, optional
        Its unit; a dimensionless or missing unit gives the bare name.

    Examples
    --------
    >>> import astropy.units as u
    >>> axis_label("Parallax", u.mas)
    'Parallax [$\\\\mathrm{mas}$]'
    >>> axis_label("Colour BP-RP", "mag")
    'Colour BP-RP [$\\\\mathrm{mag}$]'
    """
    import astropy.units as u

    if unit is None:
        return name
    if isinstance(unit, u.Quantity):
        unit = unit.unit
    unit = u.Unit(unit)
    if unit == u.dimensionless_unscaled:
        return name
    return f"{name} [{unit.to_string('latex_inline')}]"


def label_axes(ax, xlabel: str, ylabel: str, title: str | None = None, *, xunit=None, yunit=None):
    """Label both axes (with units) and optionally give the figure a title that states the point."""
    ax.set_xlabel(axis_label(xlabel, xunit))
    ax.set_ylabel(axis_label(ylabel, yunit))
    if title:
        ax.set_title(title)
    return ax


def invert_magnitude_axis(ax, axis: str = "y"):
    """Astronomers plot magnitudes bright-side up: invert ``axis`` once (idempotent)."""
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    inverted = ax.yaxis_inverted() if axis == "y" else ax.xaxis_inverted()
    if not inverted:
        (ax.invert_yaxis if axis == "y" else ax.invert_xaxis)()
    return ax
