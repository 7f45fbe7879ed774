"""Shared figure style: colour-blind-safe colours, labelled axes with units, one look for the course."""

from __future__ import annotations

import contextlib
import re

import matplotlib as mpl

__all__ = ["OKABE_ITO", "SEQUENTIAL_CMAP", "DIVERGING_CMAP", "axis_label", "use_style", "style",
           "label_axes", "invert_magnitude_axis", "BOOK_WIDTH_PX", "MIN_TEXT_PT", "shown_text_pt", "readable",
           "audit_figure", "colorbar"]

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


#: Width in CSS pixels of the book's text column (sphinx-book-theme at a 1280-1366 px laptop screen):
#: a figure wider than this is shrunk to it, and so is its text.
BOOK_WIDTH_PX = 720
#: The smallest text a figure may show, in points, where it is shown (the book, a 1280x720 slide).
MIN_TEXT_PT = 8.0
_UAS = re.compile(r"(?<![A-Za-z])uas(?![A-Za-z])")


def _check_figure(fig):
    """``fig`` if it is a matplotlib Figure, else a sentence naming ``fig``."""
    from matplotlib.figure import Figure, SubFigure

    if not isinstance(fig, (Figure, SubFigure)):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__} {fig!r}"[:200])
    return fig


def _unit(name, unit):
    """``unit`` as an astropy unit (None stays None), with a sentence naming ``name`` when it is not one."""
    import astropy.units as u

    if unit is None:
        return None
    if isinstance(unit, u.Quantity):
        unit = unit.unit
    try:
        return u.Unit(unit)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an astropy unit, a unit string (e.g. 'mag') or None, "
                         f"got {type(unit).__name__} {unit!r}"[:200]) from None


def _scale(fig) -> float:
    """Shown size / nominal size of a figure's text in the book (CSS: 96 px per inch)."""
    dpi = fig.get_dpi()
    width_px = fig.get_figwidth() * dpi
    return (dpi / 96.0) * min(1.0, BOOK_WIDTH_PX / width_px)


def _texts(fig):
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        if text.get_visible() and text.get_text().strip():
            yield text


def shown_text_pt(fig) -> float:
    """The size in points of a figure's smallest text where the book shows it.

    The book shows a figure at its natural size (``dpi`` pixels per inch, 96 CSS pixels per inch)
    or shrunk to :data:`BOOK_WIDTH_PX`, whichever is smaller.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(14, 4), dpi=100)
    >>> _ = ax.set_xlabel("time", fontsize=10)
    >>> print(f"{shown_text_pt(fig):.1f} pt")
    5.4 pt
    >>> plt.close(fig)
    """
    sizes = [t.get_fontsize() for t in _texts(_check_figure(fig))]
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            ticks = axis.get_major_ticks()
            if ticks and axis.get_visible() and ax.axison:
                sizes.append(ticks[0].label1.get_fontsize())
    return float(min(sizes, default=float("inf")) * _scale(fig))


def readable(fig, min_pt: float = MIN_TEXT_PT):
    """Enlarge every text of ``fig`` that the book would show smaller than ``min_pt``; return ``fig``.

    Called by ``plt.show()`` once :func:`use_style` is in force, so a wide multi-panel figure keeps
    legible tick labels when the book shrinks it to its column.
    """
    from astrolab._validation import check_real

    _check_figure(fig)
    floor = check_real("min_pt", min_pt, min=0, min_inclusive=False) / _scale(fig)
    for text in _texts(fig):
        if text.get_fontsize() < floor:
            text.set_fontsize(floor)
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            ticks = axis.get_major_ticks()
            if ticks and ticks[0].label1.get_fontsize() < floor:
                ax.tick_params(axis=name, which="both", labelsize=floor)
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                if text.get_fontsize() < floor:
                    text.set_fontsize(floor)
    return fig


def audit_figure(fig) -> list[str]:
    """The house-style problems of ``fig`` (empty when there are none).

    Text smaller than :data:`MIN_TEXT_PT` where the book shows it; ``uas`` written for µas; an
    image panel with a colour map (a 2-D image on visible axes) without a labelled colour bar (one
    colour bar may serve several panels that share its norm, or its colour limits and map).
    """
    _check_figure(fig)
    problems = []
    shown = shown_text_pt(fig)
    if shown < MIN_TEXT_PT - 1e-6:
        problems.append(f"text of {shown:.1f} pt in the book (at least {MIN_TEXT_PT:g}): enlarge the font or "
                        "narrow the figure")
    for text in _texts(fig):
        if _UAS.search(text.get_text()):
            problems.append(f"'uas' in {text.get_text()!r}: write µas (r'$\\mu$as' or 'µas')")
    bars = [im.colorbar for ax in fig.axes for im in ax.images if getattr(im, "colorbar", None) is not None]
    bars += [c.colorbar for ax in fig.axes for c in ax.collections if getattr(c, "colorbar", None) is not None]
    for ax in fig.axes:
        if not ax.axison:
            continue
        for im in ax.images:
            if im.get_array() is None or im.get_array().ndim != 2:
                continue
            served = [cb for cb in bars
                      if cb.mappable.norm is im.norm
                      or (cb.mappable.get_clim() == im.get_clim() and cb.mappable.get_cmap() == im.get_cmap())]
            if not served:
                problems.append(f"image panel {ax.get_title()!r} has no colour bar (al.plotting.colorbar)")
            elif not any((cb.ax.get_ylabel() or cb.ax.get_xlabel()).strip() for cb in served):
                problems.append(f"the colour bar of panel {ax.get_title()!r} has no label with units")
    return problems


def colorbar(mappable, ax=None, label: str = "", unit=None, **kwargs):
    """A colour bar for ``mappable`` labelled with what it shows and its unit ("Intensity [Jy/pixel]").

    Examples
    --------
    >>> import matplotlib.pyplot as plt, numpy as np
    >>> fig, ax = plt.subplots()
    >>> cb = colorbar(ax.imshow(np.eye(3)), ax, "Intensity", "Jy")
    >>> print(cb.ax.get_ylabel())
    Intensity [$\\mathrm{Jy}$]
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"label must name what the colours show (a non-empty string), got {label!r}")
    unit = _unit("unit", unit)
    fig = mappable.axes.figure if ax is None else (ax.figure if hasattr(ax, "figure") else plt.gcf())
    cb = fig.colorbar(mappable, ax=ax if ax is not None else mappable.axes, **kwargs)
    cb.set_label(axis_label(label, unit))
    return cb


def _show_hook():
    """Wrap ``plt.show`` once: make every open figure readable; under the course's tests, audit it."""
    import os

    import matplotlib.pyplot as plt

    if getattr(plt.show, "_astrolab", False):
        return
    original = plt.show

    def show(*args, **kwargs):
        for num in plt.get_fignums():
            fig = plt.figure(num)
            readable(fig)
            if os.environ.get("ASTROLAB_FIGURE_AUDIT") == "1":
                problems = audit_figure(fig)
                if problems:
                    raise ValueError(f"figure {num} breaks the house style: " + "; ".join(problems))
        return original(*args, **kwargs)

    show._astrolab = True
    show.__doc__ = original.__doc__
    show.__wrapped__ = original
    plt.show = show


def use_style() -> None:
    """Apply the course style to every following figure (call once at the top of a notebook).

    Also makes ``plt.show()`` enlarge any text the book would show smaller than
    :data:`MIN_TEXT_PT` (:func:`readable`).
    """
    mpl.rcParams.update(_RC)
    _show_hook()


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

    unit = _unit("unit", unit)
    if unit is None:
        return name
    if unit == u.dimensionless_unscaled:
        return name
    return f"{name} [{unit.to_string('latex_inline')}]"


def label_axes(ax, xlabel: str, ylabel: str, title: str | None = None, *, xunit=None, yunit=None):
    """Label both axes (with units) and optionally give the figure a title that states the point."""
    xunit, yunit = _unit("xunit", xunit), _unit("yunit", yunit)
    ax.set_xlabel(axis_label(xlabel, xunit))
    ax.set_ylabel(axis_label(ylabel, yunit))
    if title:
        ax.set_title(title)
    return ax


def invert_magnitude_axis(ax, axis: str = "y"):
    """Astronomers plot magnitudes bright-side up: invert ``axis`` once (idempotent)."""
    if not isinstance(axis, str) or axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    inverted = ax.yaxis_inverted() if axis == "y" else ax.xaxis_inverted()
    if not inverted:
        (ax.invert_yaxis if axis == "y" else ax.invert_xaxis)()
    return ax
