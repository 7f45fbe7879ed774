"""A mock all-sky, Gaia-like catalogue of the Milky Way, written as a partitioned Parquet data set."""

from __future__ import annotations

import json
import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from astrolab._paths import atomic_path
from astrolab._validation import check_int, check_rng, check_size
from astrolab.datasets._milkyway import (
    R_SUN,
    Z_SUN,
    disc_positions,
    halo_positions,
    heliocentric_velocity,
    proper_motion,
    rotation_direction,
)
from astrolab.datasets._stars import _CLUMP, _LF_WEIGHT, _MAIN_SEQUENCE, _g_mag_error, gaia_parallax_error

__all__ = ["GALACTIC_TO_ICRS", "make_sky_catalog", "write_sky_catalog", "SKY_COLUMNS"]

# Rotation from Galactic to ICRS Cartesian axes (transpose of the Hipparcos ICRS -> Galactic matrix,
# ESA 1997, vol. 1, sec. 1.5.3); tests check it against astropy.coordinates.
GALACTIC_TO_ICRS = np.array([
    [-0.0548755604162154, -0.8734370902348850, -0.4838350155487132],
    [+0.4941094278755837, -0.4448296299600112, +0.7469822444972189],
    [-0.8676661490190047, -0.1980763734312015, +0.4559837761750669],
]).T

# Bump when the model changes, so that data sets cached by write_sky_catalog are rewritten.
MODEL_VERSION = 2  # 2: the shared Milky Way model (datasets._milkyway), W_sun 7.25 km/s

SKY_COLUMNS = ("source_id", "ra", "dec", "parallax", "parallax_error", "pmra", "pmdec",
               "phot_g_mean_mag", "bp_rp")

# population: fraction of all stars, disc scale length / height (kpc), rotation and dispersion (km/s)
_POPULATIONS = (
    ("thin", 0.70, 2.6, 0.30, 230.0, 25.0),
    ("thick", 0.12, 2.0, 0.90, 190.0, 50.0),
    ("bulge", 0.16, 1.0, 0.40, 0.0, 100.0),
    ("halo", 0.02, None, None, 0.0, 130.0),
)
_DUST_PER_KPC, _DUST_HEIGHT = 0.8, 0.12       # A_G per kpc in the plane, and the dust scale height (kpc)


def _positions(rng, population, n):
    """Galactocentric Cartesian positions (kpc, shape (3, n)) of ``n`` stars of one population."""
    _, _, r_d, h_z, _, _ = population
    if population[0] == "halo":
        return halo_positions(rng, n).T
    if population[0] == "bulge":
        return rng.normal(0.0, 1.0, (3, n)) * np.array([[r_d], [r_d * 0.6], [h_z]])
    return disc_positions(rng, n, r_d, h_z).T


_M_GRID = np.linspace(-2.0, 13.5, 3101)
_GIANT_FRACTION = 0.01


def _magnitude_model(old):
    """Densities of M_G on ``_M_GRID`` for main-sequence stars and giants, and the mixture's CDF."""
    ms_color, ms_mag, _ = _MAIN_SEQUENCE.T
    lo = 3.5 if old else ms_mag[0]  # old populations have no main-sequence stars above the turn-off
    f_ms = np.where((_M_GRID >= lo) & (_M_GRID <= ms_mag[-1]), np.interp(_M_GRID, ms_mag, _LF_WEIGHT), 0.0)
    f_ms /= np.trapezoid(f_ms, _M_GRID)
    clump = np.exp(-0.5 * ((_M_GRID - _CLUMP[1]) / 0.1) ** 2) / (0.1 * np.sqrt(2 * np.pi))
    branch = ((_M_GRID >= -1.5) & (_M_GRID <= 3.0)) / 4.5
    f_giant = 0.5 * clump + 0.5 * branch
    f = (1 - _GIANT_FRACTION) * f_ms + _GIANT_FRACTION * f_giant
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(_M_GRID))])
    p_giant = np.divide(_GIANT_FRACTION * f_giant, f, out=np.zeros_like(f), where=f > 0)
    return cdf / cdf[-1], p_giant


_MAG_MODELS = {old: _magnitude_model(old) for old in (False, True)}


def _magnitudes_brighter_than(rng, p_visible, old):
    """Absolute magnitudes from the luminosity function truncated where its CDF reaches ``p_visible``.

    Returns the drawn M_G, the intrinsic BP-RP colour and the giant flag.
    """
    cdf, p_giant = _MAG_MODELS[old]
    mag = np.interp(rng.random(p_visible.size) * p_visible, cdf, _M_GRID)
    giant = rng.random(mag.size) < np.interp(mag, _M_GRID, p_giant)
    ms_color, ms_mag, _ = _MAIN_SEQUENCE.T
    color = np.where(giant, np.where(np.abs(mag - _CLUMP[1]) < 0.3, _CLUMP[0], 1.0 + 0.2 * (3.0 - mag)),
                     np.interp(mag, ms_mag, ms_color))
    color += rng.normal(0.0, 0.05, mag.size) - (0.1 if old else 0.0)  # metal-poor stars are bluer
    return mag, color, giant


def _draw(rng, n, g_limit):
    """Draw ``n`` stars from the Galaxy model and keep those brighter than ``g_limit``.

    Positions come first; a star at distance d behind extinction A is visible when
    M_G < g_limit - 5 log10(d / 10 pc) - A, which happens with probability F(M_max) (the luminosity
    function's CDF). It is kept with that probability and its magnitude drawn from the truncated
    luminosity function: the same distribution as drawing everything and cutting at ``g_limit``,
    at a fraction of the cost.
    """
    fractions = np.array([p[1] for p in _POPULATIONS])
    which = np.searchsorted(np.cumsum(fractions / fractions.sum()), rng.random(n))
    xyz = np.empty((3, n))
    for k, pop in enumerate(_POPULATIONS):
        sel = which == k
        xyz[:, sel] = _positions(rng, pop, int(sel.sum()))
    helio = xyz + np.array([[R_SUN], [0.0], [-Z_SUN]])
    dist = np.sqrt((helio**2).sum(axis=0))  # kpc
    s = np.abs(helio[2]) / _DUST_HEIGHT
    a_g = _DUST_PER_KPC * dist * np.where(s > 1e-6, -np.expm1(-s) / np.maximum(s, 1e-6), 1.0)
    m_max = g_limit - 5 * np.log10(dist * 100.0) - a_g
    old_pop = which != 0
    p_visible = np.empty(n)
    for old in (False, True):
        p_visible[old_pop == old] = np.interp(m_max[old_pop == old], _M_GRID, _MAG_MODELS[old][0])
    keep = rng.random(n) < p_visible
    which, xyz, helio, dist, a_g = which[keep], xyz[:, keep], helio[:, keep], dist[keep], a_g[keep]
    old_pop, p_visible = old_pop[keep], p_visible[keep]
    abs_mag, color, giant = np.empty(len(which)), np.empty(len(which)), np.zeros(len(which), bool)
    for old in (False, True):
        sel = old_pop == old
        abs_mag[sel], color[sel], giant[sel] = _magnitudes_brighter_than(rng, p_visible[sel], old)
    vel = np.empty_like(xyz)
    for k, pop in enumerate(_POPULATIONS):
        sel = which == k
        pos = xyz[:, sel]
        v_rot = pop[4] * (1 - np.exp(-np.hypot(pos[0], pos[1]) / 0.5))  # solid body near the centre, flat beyond
        vel[:, sel] = v_rot * rotation_direction(pos.T).T
        vel[:, sel] += rng.normal(0.0, pop[5], pos.shape)
    g = abs_mag + 5 * np.log10(dist * 100.0) + a_g
    return which, helio, vel, abs_mag, color, giant, dist, a_g, g


def make_sky_catalog(n_rows: int = 100_000, *, g_limit: float = 20.7, seed=0, id_offset: int = 0):
    """Mock all-sky catalogue of the stars a Gaia-like survey sees, with its ground truth.

    A simple Milky Way: thin and thick exponential discs, a bulge and a power-law halo
    (proportions and scale lengths after Bland-Hawthorn & Gerhard 2016), stars on an empirical main
    sequence with a local luminosity function plus 1 % giants (red clump and giant branch), a
    dusty disc (0.8 mag/kpc of A_G, scale height 120 pc), flat rotation at 230 km/s and the Sun's
    place and motion of the shared Milky Way model (its peculiar motion after Schönrich et al. 2010).
    Stars brighter than ``g_limit`` are kept until there are ``n_rows``; parallaxes, proper motions
    and photometry get Gaia-like errors. The result concentrates to the Galactic
    plane and centre, and its G counts rise by 0.2-0.4 dex per magnitude, as Gaia's do; about a
    quarter of the stars are giants, seen to many kpc.

    Parameters
    ----------
    n_rows : int, default 100000
        Number of stars in the catalogue.
    g_limit : float, default 20.7
        Faintest true G magnitude kept (measured magnitudes scatter by their errors).
    seed : int or numpy.random.Generator, default 0
        Random seed.
    id_offset : int, default 0
        Added to ``source_id`` (1, 2, ...), so that partitions have distinct ids.

    Returns
    -------
    catalog : pandas.DataFrame
        ``source_id``, ``ra``, ``dec`` (deg, float64), ``parallax``, ``parallax_error`` (mas),
        ``pmra``, ``pmdec`` (mas/yr), ``phot_g_mean_mag``, ``bp_rp`` (mag), float32 like Gaia's.
    truth : pandas.DataFrame
        Row-matched ``distance`` (pc), ``l``, ``b`` (deg), ``a_g`` (mag of extinction),
        ``abs_g_mag``, ``population`` (thin, thick, bulge, halo) and ``is_giant``.

    Examples
    --------
    >>> cat, truth = make_sky_catalog(1000, seed=1)
    >>> len(cat), bool(cat["phot_g_mean_mag"].max() < 21.0)
    (1000, True)
    """
    import pandas as pd

    if isinstance(n_rows, bool) or not isinstance(n_rows, (int, np.integer)) or n_rows < 1:
        raise ValueError(f"n_rows must be a positive integer, got {n_rows!r}")
    if isinstance(g_limit, bool) or not isinstance(g_limit, numbers.Real) or not 5.0 <= g_limit <= 25.0:
        raise ValueError(f"g_limit must be a G magnitude between 5 and 25, got {g_limit!r}")
    id_offset = check_int("id_offset", id_offset, min=0)
    # the rows and the candidates drawn to reach them: about 1 kB a row at the peak
    check_size("n_rows", 1000.0 * n_rows, request=f"n_rows={n_rows}")
    rng = check_rng("seed", seed)
    parts, have, efficiency = [], 0, 0.05
    while have < n_rows:
        drawn = _draw(rng, int(max(1.1 * (n_rows - have) / efficiency, 10_000)), g_limit)
        efficiency = max(len(drawn[0]) / int(max(1.1 * (n_rows - have) / efficiency, 10_000)), 1e-3)
        parts.append(drawn)
        have += len(drawn[0])
    which, helio, vel, abs_mag, color, giant, dist, a_g, g = (
        np.concatenate(arrays, axis=-1)[..., :n_rows] for arrays in zip(*parts, strict=True))

    helio_unit = helio / dist
    icrs = GALACTIC_TO_ICRS @ helio_unit
    ra = np.degrees(np.arctan2(icrs[1], icrs[0])) % 360.0
    dec = np.degrees(np.arcsin(np.clip(icrs[2], -1, 1)))
    v_icrs = GALACTIC_TO_ICRS @ heliocentric_velocity(vel.T).T
    ra_r, dec_r = np.radians(ra), np.radians(dec)
    e_ra = np.stack([-np.sin(ra_r), np.cos(ra_r), np.zeros_like(ra_r)])
    e_dec = np.stack([-np.sin(dec_r) * np.cos(ra_r), -np.sin(dec_r) * np.sin(ra_r), np.cos(dec_r)])
    pmra = proper_motion((v_icrs * e_ra).sum(axis=0), dist)
    pmdec = proper_motion((v_icrs * e_dec).sum(axis=0), dist)

    n = len(g)
    plx_err = gaia_parallax_error(g)
    g_err = _g_mag_error(g)
    catalog = pd.DataFrame({
        "source_id": np.arange(1, n + 1, dtype=np.int64) + int(id_offset),
        "ra": ra,
        "dec": dec,
        "parallax": (1.0 / dist + plx_err * rng.standard_normal(n)).astype(np.float32),
        "parallax_error": plx_err.astype(np.float32),
        "pmra": (pmra + 1.2 * plx_err * rng.standard_normal(n)).astype(np.float32),
        "pmdec": (pmdec + 1.2 * plx_err * rng.standard_normal(n)).astype(np.float32),
        "phot_g_mean_mag": (g + g_err * rng.standard_normal(n)).astype(np.float32),
        "bp_rp": (color + a_g / 2.0 + 3 * g_err * rng.standard_normal(n)).astype(np.float32),
    })
    truth = pd.DataFrame({
        "source_id": catalog["source_id"].to_numpy(),
        "distance": dist * 1000.0,
        "l": np.degrees(np.arctan2(helio_unit[1], helio_unit[0])) % 360.0,
        "b": np.degrees(np.arcsin(np.clip(helio_unit[2], -1, 1))),
        "a_g": a_g,
        "abs_g_mag": abs_mag,
        "population": pd.Categorical.from_codes(which, [p[0] for p in _POPULATIONS]),
        "is_giant": giant,
    })
    return catalog, truth


def write_sky_catalog(path, n_rows: int = 1_000_000, *, rows_per_partition: int = 200_000, seed: int = 0,
                      overwrite: bool = False, n_jobs: int | None = None, progressbar: bool = True) -> Path:
    """Write :func:`make_sky_catalog` rows to ``path`` as a folder of Parquet files, one per partition.

    Each partition has its own random stream (``numpy.random.SeedSequence(seed).spawn``), so the
    data set is the same whatever the order or the number of processes writing it, and it never
    needs to fit in memory: only one partition is held at a time. The folder is built under a
    temporary name and renamed when complete, so an interrupted call leaves no half-written data
    set. A folder written earlier with the same arguments (and the same version of the model) is
    reused, a cache, unless ``overwrite``; one written by an older version of the model is rewritten.

    Parameters
    ----------
    path : str or Path
        Folder to create, e.g. ``al.data_dir() / "sky-1e7"``.
    n_rows : int, default 1000000
        Total number of stars (the knob: 10**8 rows take about 5 GB of disk).
    rows_per_partition : int, default 200000
        Rows per Parquet file (a Dask partition).
    seed : int, default 0
        Random seed of the whole data set.
    overwrite : bool, default False
        Rewrite the folder even if it already holds this data set.
    n_jobs : int, optional
        Threads that generate partitions at once (default: one per CPU); each holds one partition.
    progressbar : bool, default True
        Show a tqdm progress bar over partitions.

    Returns
    -------
    Path
        The folder, holding ``part-00000.parquet``, ... and ``_astrolab.json`` (the arguments).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = write_sky_catalog(tempfile.mkdtemp() + "/sky", 3000, rows_per_partition=1000, progressbar=False)
    >>> len(pd.read_parquet(folder)), len(list(folder.glob("*.parquet")))
    (3000, 3)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm.auto import tqdm

    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1):
        raise ValueError(f"n_jobs must be a positive integer or None, got {n_jobs!r}")
    for name, value in (("n_rows", n_rows), ("rows_per_partition", rows_per_partition), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < (0 if name == "seed" else 1):
            raise ValueError(f"{name} must be a {'non-negative' if name == 'seed' else 'positive'} integer, "
                             f"got {value!r}")
    path = Path(path)
    # about 50 bytes a row in compressed Parquet (10**8 rows take about 5 GB)
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    check_size("n_rows", 50.0 * n_rows, what="disk", path=existing, request=f"n_rows={n_rows}")
    params = {"generator": "astrolab.datasets.make_sky_catalog", "model_version": MODEL_VERSION, "n_rows": int(n_rows),
              "rows_per_partition": int(rows_per_partition), "seed": int(seed)}
    stamp = path / "_astrolab.json"
    if path.exists() and not overwrite:
        held = json.loads(stamp.read_text()) if stamp.is_file() else None
        if held == params:
            return path
        # the same data set from an older version of the model is a stale cache of ours: replace it
        if not (isinstance(held, dict) and {**held, "model_version": MODEL_VERSION} == params):
            raise FileExistsError(f"path {path} exists and does not hold this data set; pass overwrite=True "
                                  "to replace it, or choose another path")
    with atomic_path(path, directory=True) as tmp:
        n_parts = -(-int(n_rows) // int(rows_per_partition))
        streams = np.random.SeedSequence(int(seed)).spawn(n_parts)

        def write(i):
            rows = min(int(rows_per_partition), int(n_rows) - i * int(rows_per_partition))
            catalog, _ = make_sky_catalog(rows, seed=np.random.default_rng(streams[i]),
                                          id_offset=i * int(rows_per_partition))
            pq.write_table(pa.Table.from_pandas(catalog, preserve_index=False), tmp / f"part-{i:05d}.parquet")

        # numpy releases the GIL in its random generators, so threads share the work; each partition
        # has its own stream, so the result does not depend on n_jobs.
        with ThreadPoolExecutor(max_workers=n_jobs or os.cpu_count() or 1) as pool:
            list(tqdm(pool.map(write, range(n_parts)), total=n_parts, desc="writing partitions",
                      disable=not progressbar))
        (tmp / "_astrolab.json").write_text(json.dumps(params))
    return path
