"""A matplotlib figure shown inside a widget, redrawn as a PNG so it works everywhere.

Rendering to PNG (instead of relying on a live canvas) keeps the figure visible in JupyterLab,
in the static book, and in tests that run without a browser: the widget's ``outputs`` change when
the figure changes.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from astrolab.plotting import readable


class FigureOutput(widgets.Output):
    """An ``ipywidgets.Output`` that shows one matplotlib figure and re-renders on :meth:`refresh`."""

    def __init__(self, figure: Figure, **kwargs):
        if not isinstance(figure, Figure):
            raise ValueError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
        super().__init__(**kwargs)
        self.figure = figure
        FigureCanvasAgg(figure)  # private canvas: never registered with pyplot, never auto-shown
        self.n_renders = 0
        self.refresh()

    def png(self) -> bytes:
        buffer = io.BytesIO()
        readable(self.figure)  # the house style: no text under 8 pt where the book shows the snapshot
        self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
        return buffer.getvalue()

    def _title(self) -> str:
        titles = [ax.get_title() for ax in self.figure.axes if ax.get_title()]
        return titles[0] if titles else "matplotlib figure"

    def refresh(self) -> None:
        """Redraw the figure into the widget."""
        import base64

        data = base64.b64encode(self.png()).decode("ascii")
        self.outputs = (
            {
                "output_type": "display_data",
                "data": {"image/png": data, "text/plain": f"<figure: {self._title()}>"},
                "metadata": {},
            },
        )
        self.n_renders += 1

