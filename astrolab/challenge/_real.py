"""Real survey photometry in the challenge kit's format, so that models trained on the mocks can meet it."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["from_magnitudes"]

_PASSBANDS = {"u": 0, "g": 1, "r": 2, "i": 3, "z": 4, "y": 5}
_ZERO_POINT = 27.5  # the mocks' AB zero point (astrolab.datasets.make_transients)


def from_magnitudes(lightcurves, catalog, *, zero_point: float = _ZERO_POINT, first_id: int = 10_000_000):
    """Convert magnitudes of detections and a catalogue of redshifts into the kit's light curves and metadata.

    The light curves of :func:`~astrolab.datasets.make_transients` and the challenge kit are
    difference-image fluxes with an AB zero point of 27.5: ``flux = 10**(-0.4 (mag - 27.5))`` and
    ``flux_err = flux * mag_err * ln(10) / 2.5``. Every point is a detection (``detected = 1``: surveys
    such as ZTF's Bright Transient Survey publish detections only). The metadata take the
    spectroscopic redshift as ``hostgal_photoz`` (with zero error), the distance modulus of the
    mocks' cosmology, ``mwebv = A_V / 3.1`` and ``ddf = 0``. Objects without a positive redshift are
    dropped (the kit's features need one).

    Parameters
    ----------
    lightcurves : DataFrame
        Columns ``id``, ``time`` (MJD), ``mag``, ``mag_err``, ``band`` (letters of ``ugrizy``), e.g.
        ``fetch_ztf_bts_snia().lightcurves``.
    catalog : DataFrame
        Columns ``id``, ``redshift`` and ``A_V`` (mag), e.g. ``fetch_ztf_bts_snia().catalog``.
    zero_point : float, default 27.5
    first_id : int, default 10,000,000
        Integer ``object_id`` of the first object (in the order of the sorted ``id``); the original ids are
        kept in the metadata's ``name`` column.

    Returns
    -------
    lightcurves, metadata : DataFrame
        In the kit's format (``object_id, mjd, passband, flux, flux_err, detected``; ``object_id, name, ddf,
        hostgal_photoz, hostgal_photoz_err, distmod, mwebv``).

    Examples
    --------
    >>> lc = pd.DataFrame({"id": ["a", "a", "b"], "time": [1.0, 2.0, 1.0], "mag": [27.5, 25.0, 20.0],
    ...                    "mag_err": [0.1, 0.1, 0.1], "band": ["g", "r", "r"]})
    >>> cat = pd.DataFrame({"id": ["a", "b"], "redshift": [0.05, np.nan], "A_V": [0.31, 0.1]})
    >>> kit_lc, meta = from_magnitudes(lc, cat)
    >>> kit_lc["flux"].round(3).tolist(), kit_lc["passband"].tolist(), meta["name"].tolist()
    ([1.0, 10.0], [1, 2], ['a'])
    """
    from astrolab.datasets._transients import _Cosmology

    for name, frame, columns in (("lightcurves", lightcurves, ("id", "time", "mag", "mag_err", "band")),
                                 ("catalog", catalog, ("id", "redshift", "A_V"))):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} must have the columns {list(columns)}, missing {missing}")
    bands = set(lightcurves["band"].unique())
    if not bands <= set(_PASSBANDS):
        raise ValueError(f"lightcurves['band'] must hold letters of 'ugrizy', got {sorted(bands - set(_PASSBANDS))}")
    values = lightcurves[["time", "mag", "mag_err"]].to_numpy(float)
    if not np.all(np.isfinite(values)) or np.any(lightcurves["mag_err"].to_numpy(float) <= 0):
        raise ValueError("lightcurves' time, mag and mag_err must be finite, and mag_err positive")
    names = sorted(set(lightcurves["id"]))
    number = {n: first_id + k for k, n in enumerate(names)}
    flux = 10 ** (-0.4 * (lightcurves["mag"].to_numpy(float) - zero_point))
    kit_lc = pd.DataFrame({"object_id": lightcurves["id"].map(number).to_numpy(), "mjd": values[:, 0],
                           "passband": lightcurves["band"].map(_PASSBANDS).to_numpy(),
                           "flux": flux, "flux_err": flux * values[:, 2] * np.log(10) / 2.5, "detected": 1})
    cat = catalog[catalog["id"].isin(number)]
    z = pd.to_numeric(cat["redshift"], errors="coerce").to_numpy(float)
    keep = np.isfinite(z) & (z > 0)
    cat, z = cat[keep], z[keep]
    meta = pd.DataFrame({"object_id": cat["id"].map(number).to_numpy(), "name": cat["id"].to_numpy(), "ddf": 0,
                         "hostgal_photoz": z, "hostgal_photoz_err": 0.0, "distmod": _Cosmology().distmod(z),
                         "mwebv": pd.to_numeric(cat["A_V"], errors="coerce").fillna(0.0).to_numpy() / 3.1})
    meta = meta.sort_values("object_id", ignore_index=True)
    kit_lc = kit_lc[kit_lc["object_id"].isin(meta["object_id"])].sort_values(["object_id", "mjd"], ignore_index=True)
    return kit_lc, meta
