"""Argument checks at the boundary of every public function, in scikit-learn's style.

Each helper takes the argument's ``name`` and its ``value``, returns the value in the form the
computation wants (a Python ``int``, a ``float``, a float ndarray, a number in a given unit) and
otherwise raises :class:`InvalidParameterError` with a message that names the argument, says what was
expected and shows what came. ``InvalidParameterError`` is both a ``ValueError`` and a ``TypeError``
(as scikit-learn's is), so callers may catch either.

``bool`` is refused wherever an integer or a real number is meant: ``True`` as a size or a seed is
almost always a slip. The module depends on nothing of ours (numpy and astropy only), so every
subpackage may import it.
"""

from __future__ import annotations

import numbers
import os
import shutil

import astropy.units as u
import numpy as np

__all__ = [
    "InvalidParameterError",
    "as_float_array",
    "check_array",
    "check_int",
    "check_options",
    "check_path",
    "check_quantity",
    "check_real",
    "check_rng",
    "check_seed",
    "check_sequence",
    "check_size",
    "format_bytes",
    "validate_X",
]


class InvalidParameterError(ValueError, TypeError):
    """An argument of the wrong type, value, shape or unit (a ValueError and a TypeError)."""


def _show(value) -> str:
    """A short description of ``value`` for an error message."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    if isinstance(value, (bool, int, float, str, type(None))):
        return text
    return f"{type(value).__name__} {text}"


def _range_text(min, max, min_inclusive=True, max_inclusive=True) -> str:
    if min is not None and max is not None:
        return f"in {'[' if min_inclusive else '('}{min}, {max}{']' if max_inclusive else ')'}"
    if min is not None:
        return f"{'>=' if min_inclusive else '>'} {min}"
    if max is not None:
        return f"{'<=' if max_inclusive else '<'} {max}"
    return ""


def check_int(name: str, value, *, min=None, max=None) -> int:
    """``value`` as a Python int, if it is an integer (not a bool) in ``[min, max]``.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        What the caller passed. Python and numpy integers are accepted; floats, even whole ones,
        strings and ``bool`` are not.
    min, max : int, optional
        Inclusive bounds.

    Returns
    -------
    int

    Examples
    --------
    >>> check_int("n_objects", np.int64(3), min=1)
    3
    >>> check_int("n_objects", True, min=1)
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: n_objects must be an integer >= 1, got True (a bool)
    """
    expected = " ".join(filter(None, ["an integer", _range_text(min, max)]))
    if isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be {expected}, got {value!r} (a bool)")
    if not isinstance(value, numbers.Integral):
        raise InvalidParameterError(f"{name} must be {expected}, got {_show(value)}")
    if (min is not None and value < min) or (max is not None and value > max):
        raise InvalidParameterError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def check_real(name: str, value, *, finite: bool = True, min=None, max=None, min_inclusive: bool = True,
               max_inclusive: bool = True) -> float:
    """``value`` as a float, if it is a real number (not a bool) in the given interval.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        A Python or numpy real number (a 0-d array or dimensionless Quantity is accepted too).
    finite : bool, default True
        Refuse NaN and infinities.
    min, max : float, optional
        Bounds of the interval, inclusive unless ``min_inclusive`` / ``max_inclusive`` is False.

    Returns
    -------
    float

    Examples
    --------
    >>> check_real("alpha", 0.5, min=0)
    0.5
    >>> check_real("alpha", float("nan"))
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: alpha must be a finite real number, got nan
    """
    expected = " ".join(filter(None, ["a finite real number" if finite else "a real number",
                                      _range_text(min, max, min_inclusive, max_inclusive)]))
    if isinstance(value, u.Quantity):
        if value.unit.physical_type != "dimensionless" or value.ndim != 0:
            raise InvalidParameterError(f"{name} must be {expected} (dimensionless), got {value!r}")
        value = value.to_value(u.dimensionless_unscaled)
    elif isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{name} must be {expected}, got {_show(value)}")
    value = float(value)
    if np.isnan(value) or (finite and not np.isfinite(value)):
        raise InvalidParameterError(f"{name} must be {expected}, got {value!r}")
    below = min is not None and (value < min if min_inclusive else value <= min)
    above = max is not None and (value > max if max_inclusive else value >= max)
    if below or above:
        raise InvalidParameterError(f"{name} must be {expected}, got {value!r}")
    return value


def check_seed(name: str, value, *, allow_none: bool = True):
    """A seed for :func:`numpy.random.default_rng`: a non-negative integer, None, or a Generator.

    Returns the value unchanged (an int for integers), or raises naming ``name``.

    Examples
    --------
    >>> check_seed("seed", -1)
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: seed must be a non-negative integer, None or a numpy Generator, got -1
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)):
        return value
    ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= 0
    if not ok:
        expected = "a non-negative integer" + (", None or a numpy Generator" if allow_none else "")
        raise InvalidParameterError(f"{name} must be {expected}, got {_show(value)}")
    return int(value)


def check_rng(name: str, seed) -> np.random.Generator:
    """``numpy.random.default_rng(seed)`` after :func:`check_seed`, so that a bad seed names ``name``.

    Examples
    --------
    >>> check_rng("seed", 0).integers(10) == np.random.default_rng(0).integers(10)
    np.True_
    """
    return np.random.default_rng(check_seed(name, seed))


def check_options(name: str, value, options):
    """``value`` if it is one of ``options`` (compared with ``==``), else an error listing them."""
    for option in options:
        if type(value) is type(option) and value == option:
            return value
    raise InvalidParameterError(f"{name} must be one of {list(options)!r}, got {_show(value)}")


def check_path(name: str, value, *, must_exist: bool = False):
    """``value`` as a :class:`pathlib.Path`, if it is a non-empty str or path-like (and exists, if asked).

    Examples
    --------
    >>> check_path("path", "a/b.csv").name
    'b.csv'
    >>> check_path("path", 3)
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: path must be a file path (str or pathlib.Path), got 3
    """
    from pathlib import Path

    if isinstance(value, (str, os.PathLike)) and not isinstance(value, bytes) and os.fspath(value) != "":
        path = Path(value)
        if must_exist and not path.exists():
            raise InvalidParameterError(f"{name} must be an existing file, got {os.fspath(path)!r} (no such file)")
        return path
    raise InvalidParameterError(f"{name} must be a file path (str or pathlib.Path), got {_show(value)}")


def check_sequence(name: str, value, *, min_len: int = 0) -> list:
    """``value`` as a list, if it is a 1-D sequence (list, tuple, array, Series; not a string or a scalar).

    Examples
    --------
    >>> check_sequence("class_names", ("a", "b"))
    ['a', 'b']
    >>> check_sequence("class_names", "ab")
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: class_names must be a sequence (list, tuple or 1-D array), got 'ab'
    """
    ok = not isinstance(value, (str, bytes, dict)) and hasattr(value, "__iter__") and np.ndim(value) == 1
    if not ok:
        raise InvalidParameterError(f"{name} must be a sequence (list, tuple or 1-D array), got {_show(value)}")
    items = list(value)
    if len(items) < min_len:
        raise InvalidParameterError(f"{name} must hold at least {min_len} item(s), got {len(items)}")
    return items


def check_array(name: str, value, *, finite: bool = True, ndim=None, min_rows: int | None = None,
                dtype=float, shape=None) -> np.ndarray:
    """``value`` as an ndarray of ``dtype`` with the given number of dimensions and rows.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : array_like
        Anything :func:`numpy.asarray` turns into numbers (not strings, objects or Quantities
        with units).
    finite : bool, default True
        Refuse NaN and infinities.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    min_rows : int, optional
        Smallest allowed length of the first axis.
    dtype : numpy dtype, default float
        Conversion target; ``None`` keeps the array's own numeric dtype.
    shape : tuple, optional
        Required shape; ``None`` entries match any length.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> check_array("x", [[1, 2], [3, 4]], ndim=2).shape
    (2, 2)
    >>> check_array("x", [1.0, float("nan")])
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: x must be finite (no NaN or inf), got 1 non-finite value(s) of 2
    """
    if isinstance(value, u.Quantity) and value.unit.physical_type != "dimensionless":
        raise InvalidParameterError(f"{name} must be a plain array of numbers, got a Quantity in {value.unit}")
    try:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError
        if dtype is not None:
            array = array.astype(dtype, copy=False)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be an array of numbers, got {_show(value)}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise InvalidParameterError(f"{name} must have {want} dimension(s), got shape {array.shape}")
    if shape is not None and (len(shape) != array.ndim
                              or any(s is not None and s != a for s, a in zip(shape, array.shape, strict=False))):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise InvalidParameterError(f"{name} must have shape {want}, got shape {array.shape}")
    if min_rows is not None and (array.ndim == 0 or array.shape[0] < min_rows):
        rows = 0 if array.ndim == 0 else array.shape[0]
        raise InvalidParameterError(f"{name} must have at least {min_rows} row(s), got {rows}")
    if finite and array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            raise InvalidParameterError(
                f"{name} must be finite (no NaN or inf), got {int(bad.sum())} non-finite value(s) of {array.size}")
    return array


def as_float_array(name: str, value) -> np.ndarray:
    """``numpy.asarray(value, dtype=float)``, with a message naming ``name`` when that fails.

    The conversion is exactly numpy's (a Quantity gives its numbers, NaN passes); only a value that
    is not numbers at all (a string, an object, a ragged list) is refused, naming the argument.

    Examples
    --------
    >>> as_float_array("flux", [1, 2]).tolist()
    [1.0, 2.0]
    >>> as_float_array("flux", "x")
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: flux must be an array of numbers, got 'x'
    """
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be an array of numbers, got {_show(value)}") from None


def check_quantity(name: str, value, unit, *, default_unit=None, finite: bool = True, min=None, max=None,
                   equivalencies=None):
    """``value`` converted to ``unit`` as a float or ndarray, with its physical type checked.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : Quantity or number
        An astropy Quantity convertible to ``unit``. A plain number is accepted only when
        ``default_unit`` is given, and is then read in that unit.
    unit : str or astropy Unit
        The unit the computation works in.
    default_unit : str or astropy Unit, optional
        The unit of plain numbers (the function's documented unit), or None to refuse them.
    finite : bool, default True
        Refuse NaN and infinities.
    min, max : float, optional
        Inclusive bounds, in ``unit``.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> check_quantity("pixel_size", 4 * u.uas, "rad") > 0
    True
    >>> check_quantity("dec", 120 * u.deg, "deg", min=-90, max=90)
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: dec must be in [-90, 90] deg, got 120.0 deg
    """
    unit = u.Unit(unit)
    if isinstance(value, u.Quantity):
        try:
            number = value.to_value(unit, equivalencies=equivalencies or [])
        except u.UnitConversionError:
            raise InvalidParameterError(
                f"{name} must have units of {unit.physical_type} (convertible to {unit}), got {value.unit}") from None
    elif default_unit is not None:
        number = check_array(name, value, finite=False, dtype=float)
        number = (number * u.Unit(default_unit)).to_value(unit, equivalencies=equivalencies or [])
    else:
        raise InvalidParameterError(
            f"{name} must be an astropy Quantity in units of {unit.physical_type} "
            f"(e.g. 1 * u.{unit.to_string()}), got {_show(value)}")
    array = np.asarray(number, dtype=float)
    if finite and not np.all(np.isfinite(array)):
        raise InvalidParameterError(f"{name} must be finite (no NaN or inf), got {_show(value)}")
    if (min is not None and np.any(array < min)) or (max is not None and np.any(array > max)):
        shown = f"{value}" if isinstance(value, u.Quantity) else f"{value!r} (read as {unit})"
        raise InvalidParameterError(f"{name} must be {_range_text(min, max)} {unit}, got {shown}")
    return float(array) if array.ndim == 0 else array


def format_bytes(n_bytes: float) -> str:
    """``n_bytes`` in words, with decimal prefixes: ``format_bytes(5e13) == '50 TB'``."""
    n_bytes = float(n_bytes)
    for prefix in ("", "k", "M", "G", "T", "P"):
        if abs(n_bytes) < 1000 or prefix == "P":
            return f"{n_bytes:.3g} {prefix}B"
        n_bytes /= 1000
    return f"{n_bytes:.3g} PB"  # pragma: no cover


def _available_memory() -> float:
    """Bytes of memory available now (physical memory if the OS does not say)."""
    try:
        import psutil  # installed with dask's distributed scheduler

        return float(psutil.virtual_memory().available)
    except Exception:  # pragma: no cover - a fallback without psutil
        try:
            return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
        except (AttributeError, ValueError, OSError):
            return float("inf")  # cannot tell: let the allocator decide


def check_size(name: str, estimated_bytes: float, cap=None, *, what: str = "memory", request: str | None = None,
               path=None) -> float:
    """Refuse a request whose estimated size exceeds ``cap`` (default: what is available).

    Parameters
    ----------
    name : str
        The argument whose value sets the size (``"n_rows"``), for the message.
    estimated_bytes : float
        The size the request would take.
    cap : float, optional
        Largest acceptable size in bytes. Default: the memory available now (``what="memory"``) or
        the free space of ``path``'s file system (``what="disk"``).
    what : {"memory", "disk"}, default "memory"
        What the bytes are, for the default cap and the message.
    request : str, optional
        The request as the caller wrote it (``"n_rows=10**12"``); default ``name``.
    path : path-like, optional
        A folder on the file system to write to (for ``what="disk"``).

    Returns
    -------
    float
        ``estimated_bytes``, when it fits.

    Examples
    --------
    >>> check_size("n_rows", 1e6, 1e12)
    1000000.0
    >>> check_size("n_rows", 5e13, 1e12, what="disk", request="n_rows=10**12")
    Traceback (most recent call last):
    ...
    astrolab._validation.InvalidParameterError: n_rows=10**12 would write about 50 TB, more than the 1 TB ...
    """
    stated = cap is not None
    if cap is None:
        if what == "disk":
            cap = shutil.disk_usage(os.fspath(path or ".")).free
        else:
            cap = _available_memory()
    if estimated_bytes > cap:
        verb = "write" if what == "disk" else "need"
        limit = "allowed" if stated else ("free on that disk" if what == "disk" else "of memory available")
        raise InvalidParameterError(
            f"{request or name} would {verb} about {format_bytes(estimated_bytes)}, more than the "
            f"{format_bytes(cap)} {limit}; ask for fewer")
    return float(estimated_bytes)


def validate_X(estimator, X, **kwargs):
    """scikit-learn's ``validate_data(estimator, X, **kwargs)``, with ``X`` named when it refuses.

    scikit-learn's sentences ("Expected 2D array, got scalar array instead", "could not convert
    string to float") do not say which argument they are about; this one starts with ``X``.
    """
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import validate_data

    try:
        return validate_data(estimator, X, **kwargs)
    except NotFittedError:
        raise
    except (TypeError, ValueError) as err:
        raise InvalidParameterError(f"X must be a 2-D array of numbers (n_samples, n_features): {err}") from err
