"""Unit checks at the boundary: accept astropy Quantities, strip units, fail clearly otherwise.

Shared by :mod:`astrolab.datasets` and :mod:`astrolab.interferometry`, so it depends on nothing of ours.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np


def to_value(value, unit, name: str, equivalencies=None) -> np.ndarray | float:
    """Return ``value`` converted to ``unit`` as a plain float or ndarray.

    Raises ValueError, naming the argument, when ``value`` is not a Quantity or has
    incompatible units; plain numbers are refused rather than guessed. Conversions between
    different physical types (frequency to wavelength, say) happen only with ``equivalencies``.
    """
    unit = u.Unit(unit)
    if not isinstance(value, u.Quantity):
        raise ValueError(
            f"{name} must be an astropy Quantity in units of {unit.physical_type} "
            f"(e.g. 1 * u.{unit.to_string()}), got {type(value).__name__} {value!r}"
        )
    try:
        return value.to_value(unit, equivalencies=equivalencies or [])
    except u.UnitConversionError:
        raise ValueError(
            f"{name} must have units of {unit.physical_type} (convertible to {unit}), got {value.unit}"
        ) from None
