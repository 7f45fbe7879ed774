"""The straight-line table of Hogg, Bovy & Lang (2010), and a generator of tables like it."""

from __future__ import annotations

import numpy as np
from astropy.table import QTable

from astrolab._paths import shipped_data_dir
from astrolab._validation import check_real, check_rng
from astrolab.datasets._fetch import fetch_file

__all__ = ["fetch_hogg2010", "load_hogg2010", "make_line_data"]

_COLUMNS = ("id", "x", "y", "sigma_y", "sigma_x", "rho_xy")
_SOURCE = "Hogg, Bovy & Lang (2010), Table 1"


def load_hogg2010() -> QTable:
    """Table 1 of Hogg, Bovy & Lang (2010), as printed in the paper; ships with astrolab (no download).

    Twenty points with errors in both coordinates and their correlation (arXiv:1008.4686, Table 1;
    ``data/hogg2010_table1.ecsv``). The authors drew them from a straight line, with four
    "background" outliers (points 1-4) and random error covariances: a published exercise with
    published answers, not observations. :func:`fetch_hogg2010` downloads the authors' own file
    (the same numbers); :func:`make_line_data` draws tables like it from a known line.

    Returns
    -------
    QTable
        ``id`` (int), ``x``, ``y``, ``sigma_y``, ``sigma_x``, ``rho_xy`` (floats, dimensionless);
        the error covariance of point ``i`` is
        ``[[sigma_x**2, rho_xy*sigma_x*sigma_y], [rho_xy*sigma_x*sigma_y, sigma_y**2]]``.

    Examples
    --------
    Exercise 1 of the paper: weighted least squares on points 5-20 with their ``y`` errors gives
    ``m = 2.24 +- 0.11``, ``b = 34 +- 18``.

    >>> t = load_hogg2010()[4:]
    >>> (m, b), cov = np.polyfit(t["x"], t["y"], 1, w=1 / t["sigma_y"], cov="unscaled")
    >>> print(f"m = {m:.2f} +- {np.sqrt(cov[0, 0]):.2f}, b = {b:.0f} +- {np.sqrt(cov[1, 1]):.0f}")
    m = 2.24 +- 0.11, b = 34 +- 18
    """
    path = shipped_data_dir() / "hogg2010_table1.ecsv"
    raw = QTable.read(path, format="ascii.ecsv")
    if raw.colnames != list(_COLUMNS) or len(raw) != 20:
        raise ValueError(f"{path} should hold 20 rows of {_COLUMNS}, got {len(raw)} rows of {raw.colnames}")
    table = QTable({name: np.asarray(raw[name], int if name == "id" else float) for name in _COLUMNS})
    table.meta["source"] = _SOURCE
    table.meta["path"] = str(path)
    return table


def fetch_hogg2010(*, mirror=None, data_home=None) -> QTable:
    """Table 1 of Hogg, Bovy & Lang (2010), "Data analysis recipes: fitting a model to data".

    Twenty points with errors in both coordinates and their correlation. The authors drew them
    from a straight line with four "background" outliers (points 1-4) and random error
    covariances: it is a published exercise with published answers, not observations. Downloaded
    from the authors' repository (SHA-256 checked) or read from a local mirror. The same table
    ships with astrolab: :func:`load_hogg2010` reads it without a download.

    Parameters
    ----------
    mirror, data_home : str or Path, optional
        See :func:`fetch_file`.

    Returns
    -------
    QTable
        ``id``, ``x``, ``y``, ``sigma_y``, ``sigma_x``, ``rho_xy`` (dimensionless numbers).

    Raises
    ------
    DataUnavailableError
        Offline with no local copy: use :func:`make_line_data` instead.
    """
    path = fetch_file("hogg2010-table1", mirror=mirror, data_home=data_home)
    raw = np.loadtxt(path, delimiter="&", comments="#")
    if raw.ndim != 2 or raw.shape[1] != len(_COLUMNS):
        raise ValueError(f"{path} should have {len(_COLUMNS)} '&'-separated columns, got shape {raw.shape}")
    table = QTable({name: raw[:, k] for k, name in enumerate(_COLUMNS)})
    table["id"] = table["id"].astype(int)
    table.meta["source"] = _SOURCE
    table.meta["path"] = str(path)
    return table


def make_line_data(n_points: int = 20, *, slope: float = 2.2, intercept: float = 34.0, n_outliers: int = 4,
                   seed=0):
    """A table like Hogg, Bovy & Lang's: a straight line, correlated x-y errors and outliers.

    The true ``x`` are uniform in [50, 250]; each point gets its own error ellipse
    (``sigma_x`` in [3, 15], ``sigma_y`` in [15, 65], correlation in [-0.9, 0.9]) and is displaced
    by a draw from it. The first ``n_outliers`` points instead take ``y`` from a broad
    "background" distribution, N(400, 150^2), as points 1-4 of the published table do.

    Parameters
    ----------
    n_points : int, default 20
    slope, intercept : float
        The true line ``y = slope x + intercept``.
    n_outliers : int, default 4
    seed : int or numpy.random.Generator

    Returns
    -------
    table : QTable
        The columns of :func:`load_hogg2010`.
    truth : dict
        ``slope``, ``intercept``, ``outlier`` (bool per point), ``x_true``, ``y_true``, ``background``
        (mean and standard deviation of the outliers' distribution) and ``p_outlier``.

    Examples
    --------
    >>> table, truth = make_line_data(seed=1)
    >>> len(table), int(truth["outlier"].sum()), truth["slope"]
    (20, 4, 2.2)
    """
    if isinstance(n_points, bool) or not (isinstance(n_points, (int, np.integer)) and 3 <= n_points <= 10_000_000):
        raise ValueError(f"n_points must be an integer in [3, 10000000], got {n_points!r}")
    if not (isinstance(n_outliers, (int, np.integer)) and 0 <= n_outliers < n_points - 2):
        raise ValueError(f"n_outliers must be an integer in [0, n_points - 2), got {n_outliers!r}")
    slope = check_real("slope", slope)
    intercept = check_real("intercept", intercept)
    rng = check_rng("seed", seed)  # a Generator passes through unchanged
    x_true = rng.uniform(50, 250, n_points)
    y_true = slope * x_true + intercept
    sigma_x = rng.uniform(3, 15, n_points)
    sigma_y = rng.uniform(15, 65, n_points)
    rho = rng.uniform(-0.9, 0.9, n_points)
    z1, z2 = rng.standard_normal((2, n_points))
    dx = sigma_x * z1
    dy = sigma_y * (rho * z1 + np.sqrt(1 - rho**2) * z2)   # correlation rho with dx
    outlier = np.zeros(n_points, bool)
    outlier[:n_outliers] = True
    y = np.where(outlier, rng.normal(400, 150, n_points), y_true + dy)
    table = QTable({"id": np.arange(1, n_points + 1), "x": np.round(x_true + dx), "y": np.round(y),
                    "sigma_y": np.round(sigma_y), "sigma_x": np.round(sigma_x), "rho_xy": np.round(rho, 2)})
    table.meta["source"] = "astrolab.datasets.make_line_data (a mock line with outliers, truth known)"
    truth = {"slope": slope, "intercept": intercept, "outlier": outlier, "x_true": x_true, "y_true": y_true,
             "background": (400.0, 150.0), "p_outlier": n_outliers / n_points}
    return table, truth
