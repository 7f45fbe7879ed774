"""Feedback on a learner's answer: right or wrong, and a hint why, but never the solution itself.

In a notebook::

    answer = ...  # your code here
    al.exercises.check(answer, expected, name="the distance to Proxima Centauri")

``expected`` is computed in the notebook from the data (often by a hidden cell), so the check works
for whatever seed the learner uses. An answer left as ``...`` is reported as not attempted yet, so
the student edition of a notebook runs from top to bottom without errors.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from astrolab._validation import as_float_array

__all__ = ["Feedback", "check"]  # re-exported by astrolab.exercises


@dataclass(frozen=True)
class Feedback:
    """The verdict of :func:`check`; true when the answer is right."""

    correct: bool
    message: str
    shown: bool = False

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        # check() already printed the message; as a cell's last value, do not print it twice.
        if not self.shown:
            print(self.message)


def _as_array(value):
    return as_float_array("value", value)


def _compare(answer, expected, rtol: float, atol: float, name: str) -> tuple[bool, str]:
    """Compare numbers (or arrays of them). Returns (correct, hint sentence)."""
    a, e = _as_array(answer), _as_array(expected)
    if a.shape != e.shape:
        if a.size == 1 and e.size > 1:
            return False, f"{name} should hold {e.size} values (shape {e.shape}), not a single number"
        return False, f"{name} should have shape {e.shape}, but it has shape {a.shape}"
    if not np.all(np.isfinite(a)):
        return False, f"{name} contains NaN or infinity"
    ok = np.isclose(a, e, rtol=rtol, atol=atol)
    if np.all(ok):
        return True, ""
    if a.size > 1:
        return False, f"{int((~ok).sum())} of the {a.size} values of {name} are off"
    a, e = float(a.reshape(-1)[0]), float(e.reshape(-1)[0])
    if e != 0 and a != 0 and math.copysign(1, a) != math.copysign(1, e):
        return False, f"{name} has the wrong sign"
    if e != 0 and a != 0:
        ratio = abs(a / e)
        decades = math.log10(ratio)
        if abs(decades - round(decades)) < 0.02 and round(decades) != 0:
            return False, (f"{name} is off by a factor of 10^{round(decades):+d}: check unit prefixes "
                           "(mas vs arcsec, pc vs kpc, nm vs Angstrom)")
        for factor, what in ((2.0, "2"), (math.pi, "pi"), (2 * math.pi, "2 pi"),
                             (180 / math.pi, "180/pi (degrees vs radians)")):
            if math.isclose(ratio, factor, rel_tol=0.01) or math.isclose(ratio, 1 / factor, rel_tol=0.01):
                return False, f"{name} is off by a factor of {what}"
        direction = "too large" if abs(a) > abs(e) else "too small"
        size = "slightly " if abs(ratio - 1) < 0.1 else ""
        return False, f"{name} is {size}{direction}"
    return False, f"{name} is not right yet"


def check(answer, expected, *, rtol: float = 1e-2, atol: float = 0.0, name: str = "your answer",
          verbose: bool = True) -> Feedback:
    """Check a learner's answer against the expected value and print friendly feedback.

    Parameters
    ----------
    answer : number, array, Quantity, str or ``...``
        The learner's answer. ``...`` (Ellipsis) means "not answered yet".
    expected : number, array, Quantity or str
        The right answer. It is never printed.
    rtol, atol : float
        Relative and absolute tolerances for numbers (``atol`` in the units of ``expected``).
    name : str
        What the answer is, used in the feedback ("the e-folding time").
    verbose : bool, default True
        Print the feedback.

    Returns
    -------
    Feedback
        Truthy when the answer is right; ``.message`` holds the feedback.

    Examples
    --------
    >>> import astropy.units as u
    >>> bool(check(1.30 * u.pc, 1.3012 * u.pc, verbose=False))
    True
    >>> print(check(1300 * u.pc, 1.3012 * u.pc, verbose=False))
    Not quite: your answer is off by a factor of 10^+3: check unit prefixes (mas vs arcsec, pc vs kpc, nm vs Angstrom).
    >>> print(check(3 * u.s, 1.3 * u.pc, name="the distance", verbose=False))
    Not quite: the distance should be a length, but it has units of time (s).
    """
    import astropy.units as u

    from astrolab._validation import check_real

    check_real("rtol", rtol, finite=False)  # a number; its range is judged below
    if not isinstance(atol, u.Quantity):
        check_real("atol", atol, finite=False)
    if not isinstance(verbose, (bool, np.bool_)):
        raise TypeError(f"verbose must be True or False, got {type(verbose).__name__} {verbose!r}"[:200])
    if not isinstance(expected, str):
        try:
            values = np.asarray(expected.value if isinstance(expected, u.Quantity) else expected, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"expected must be a number, an array, a Quantity or a string, got "
                            f"{type(expected).__name__} {expected!r}"[:200]) from None
        if not np.all(np.isfinite(values)):
            raise ValueError(f"expected must be finite (an answer to compare with), got {expected!r}"[:200])
    if rtol < 0 or atol < 0:
        raise ValueError(f"rtol and atol must be non-negative, got rtol={rtol!r}, atol={atol!r}")
    feedback = _check(answer, expected, rtol=rtol, atol=atol, name=name)
    if verbose:
        print(feedback.message)
    return dataclasses.replace(feedback, shown=verbose)


def _check(answer, expected, *, rtol, atol, name) -> Feedback:
    import astropy.units as u

    name = name or "your answer"
    if answer is Ellipsis:
        return Feedback(False, f"Not answered yet: replace `...` with {name}.")
    if answer is None:
        return Feedback(False, f"{name[:1].upper() + name[1:]} is None: did you forget to return "
                        "or assign a value?")
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return Feedback(False, f"Not quite: {name} should be text, got {type(answer).__name__}.")
        ok = answer.strip().lower() == expected.strip().lower()
        return Feedback(ok, "Correct!" if ok else "Not quite: try again.")

    if isinstance(expected, u.Quantity) and expected.unit.physical_type == "dimensionless":
        expected = expected.to_value(u.dimensionless_unscaled)
    if isinstance(expected, u.Quantity):
        if not isinstance(answer, u.Quantity):
            return Feedback(False, f"Not quite: {name} should carry units of "
                            f"{expected.unit.physical_type} (an astropy Quantity), but it has none.")
        try:
            value = answer.to_value(expected.unit)
        except u.UnitConversionError:
            return Feedback(False, f"Not quite: {name} should be a {expected.unit.physical_type}, "
                            f"but it has units of {answer.unit.physical_type} ({answer.unit}).")
        atol_value = atol.to_value(expected.unit) if isinstance(atol, u.Quantity) else atol
        ok, hint = _compare(value, expected.value, rtol, atol_value, name)
    else:
        if isinstance(answer, u.Quantity):
            if answer.unit.physical_type != "dimensionless":
                return Feedback(False, f"Not quite: {name} should be a plain number, "
                                f"but it has units of {answer.unit}.")
            answer = answer.to_value(u.dimensionless_unscaled)
        try:
            _as_array(answer)
        except (TypeError, ValueError):
            return Feedback(False, f"Not quite: {name} should be a number, "
                            f"got {type(answer).__name__}.")
        ok, hint = _compare(answer, expected, rtol, atol, name)
    if ok:
        return Feedback(True, "Correct!")
    return Feedback(False, f"Not quite: {hint}.")
