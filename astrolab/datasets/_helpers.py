"""Helpers shared by the data modules: a real data set when it can be had (the mock when not), and
the check of integer arguments."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from astrolab._validation import check_int
from astrolab.datasets._fetch import CorruptDataError, DataUnavailableError

__all__ = ["real_or_mock"]


def _name(func) -> str:
    """A callable's name, also for functools.partial objects."""
    return getattr(func, "__name__", None) or getattr(getattr(func, "func", None), "__name__", repr(func))


def real_or_mock(fetch: Callable, mock: Callable, *, prefer: str = "real", verbose: bool = True):
    """Load real data with ``fetch()``; if it cannot be had, fall back to ``mock()``.

    Parameters
    ----------
    fetch : callable
        A ``fetch_*`` function of :mod:`astrolab.datasets` (no arguments).
    mock : callable
        A ``make_*`` generator returning ``(data, truth)``.
    prefer : {"real", "mock"}, default "real"
        ``"mock"`` skips the real data (useful to compare with the ground truth).
    verbose : bool, default True
        Print one line saying which data are in use.

    Returns
    -------
    data : object
        What ``fetch`` or ``mock`` returned as data.
    truth : object or None
        The mock's ground truth, or None for real data.
    source : {"real", "mock"}

    Examples
    --------
    >>> from astrolab.datasets import fetch_calspec_astar, make_blackbody_spectrum
    >>> spec, truth, source = real_or_mock(
    ...     fetch_calspec_astar, make_blackbody_spectrum, prefer="mock", verbose=False)
    >>> source
    'mock'
    """
    if not isinstance(prefer, str) or prefer not in ("real", "mock"):
        raise ValueError(f"prefer must be 'real' or 'mock', got {prefer!r}"[:200])
    if not isinstance(verbose, bool) and type(verbose).__name__ != "bool":  # bool or numpy.bool
        raise TypeError(f"verbose must be True or False, got {type(verbose).__name__}")
    if prefer == "real":
        try:
            data = fetch()
        except DataUnavailableError as err:
            if isinstance(err, CorruptDataError):  # a damaged copy deserves more than a printed line
                warnings.warn(f"{err} Using the mock data set instead.", UserWarning, stacklevel=2)
            elif verbose:
                print(f"Real data unavailable. {err}\nUsing the mock data set instead.")
        else:
            if verbose:
                meta = getattr(data, "meta", None) or {}
                print(f"Using real data: {meta.get('source') or _name(fetch)}")
            return data, None, "real"
    data, truth = mock()
    if verbose and prefer == "mock":
        print(f"Using the mock data set from {_name(mock)} (ground truth known).")
    return data, truth, "mock"


def _check_int(name, value, lo, hi=None):
    """``value`` as an int, or a ValueError naming ``name`` unless it is an integer in [lo, hi].

    :func:`astrolab._validation.check_int` under the name the data modules use (``bool`` refused).
    """
    return check_int(name, value, min=lo, max=hi)
