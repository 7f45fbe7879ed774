"""Unit checks at the boundary (kept here for the data modules; the helper lives in :mod:`astrolab._units`)."""

from __future__ import annotations

from astrolab._units import to_value

__all__ = ["to_value"]
