"""Real SDSS galaxy and QSO magnitudes with spectroscopic redshifts: the photo-z teaching sample.

One NumPy file of 50 000 SDSS objects (``u g r i z`` magnitudes, spectroscopic class and redshift),
as redistributed by the "Data-driven Astronomy" course (University of Sydney) and kept in the public
repository ``Cp557/AstroML-Galaxy-Analysis`` at a fixed commit. Its address, SHA-256, local-mirror
path and offline mock are in ``data/sdss_colours_manifest.json``; the file goes through
:func:`~astrolab.datasets.fetch_file` (mirror, then cache, then a pooch download, always checked).
"""

from __future__ import annotations

import numpy as np

from astrolab.datasets._fetch import check_path_arg, fetch_file, load_registry

__all__ = ["fetch_sdss_colours"]

_MANIFEST = "sdss_colours_manifest.json"
_NAME = "sdss-galaxy-colours"
_BANDS = ("u", "g", "r", "i", "z")
_FIELDS = (*_BANDS, "spec_class", "redshift", "redshift_err")
_CLASSES = ("GALAXY", "QSO")


def _registry() -> dict:
    from astrolab._paths import shipped_data_dir

    registry = load_registry(shipped_data_dir() / _MANIFEST)
    if _NAME not in registry:
        raise FileNotFoundError(f"{shipped_data_dir() / _MANIFEST} has no entry for {_NAME!r}: reinstall astrolab")
    return registry


def _read(path):
    """The structured array of ``path`` as a DataFrame, its fields checked."""
    import pandas as pd

    array = np.load(path, allow_pickle=False)
    names = array.dtype.names or ()
    if tuple(names) != _FIELDS:
        raise ValueError(f"{path} should hold the fields {_FIELDS}, got {names}")
    frame = pd.DataFrame({band: array[band].astype(np.float64) for band in _BANDS})
    frame["spec_class"] = np.char.decode(array["spec_class"], "ascii").astype(str)
    frame["redshift"] = array["redshift"].astype(np.float64)
    frame["redshift_err"] = array["redshift_err"].astype(np.float64)
    unknown = sorted(set(frame["spec_class"]) - set(_CLASSES))
    if unknown:
        raise ValueError(f"{path}: unexpected spectroscopic classes {unknown}")
    if not np.isfinite(frame.drop(columns="spec_class").to_numpy()).all():
        raise ValueError(f"{path}: the magnitudes or redshifts hold non-finite values")
    return frame


def fetch_sdss_colours(*, spec_class=None, mirror=None, data_home=None):
    """SDSS ``ugriz`` magnitudes of 50 000 galaxies and QSOs with their spectroscopic redshifts.

    The teaching sample of the "Data-driven Astronomy" course (University of Sydney; redistributed in
    ``github.com/Cp557/AstroML-Galaxy-Analysis``): 41 475 objects that SDSS spectroscopy classifies as
    ``GALAXY`` (redshifts 0 to about 0.6, most below 0.2) and 8 525 ``QSO`` (up to z of about 6.7),
    with the SDSS magnitudes in the five bands. The file is read from a local mirror (``mirror`` or
    ``ASTROLAB_MIRROR``) or downloaded with pooch into the cache, and checked against the SHA-256 in
    ``data/sdss_colours_manifest.json``.

    Parameters
    ----------
    spec_class : {None, "GALAXY", "QSO"}, default None
        Keep only the objects of this spectroscopic class; None keeps both.
    mirror : str or Path, optional
        Folder holding ``sdss-colours-redshift-and-gz-morphology/sdss_galaxy_colors.npy``; default
        ``$ASTROLAB_MIRROR``.
    data_home : str or Path, optional
        Cache folder to download into; default :func:`astrolab.data_dir`.

    Returns
    -------
    sklearn.utils.Bunch
        ``catalog``: a pandas DataFrame with one row per object, in the file's order (index reset
        after a ``spec_class`` selection): ``u g r i z`` (SDSS magnitudes, mag), ``spec_class``
        (str, ``"GALAXY"`` or ``"QSO"``), ``redshift`` (spectroscopic) and ``redshift_err``;
        ``meta``: a dict with ``source``, ``citation``, ``url``, ``bands``, ``n_objects``,
        ``spec_class``, ``mock`` and the ``path`` read.

    Raises
    ------
    DataUnavailableError
        Offline with no mirror or cached copy: use :func:`~astrolab.datasets.make_photoz_catalog`
        (mock galaxy magnitudes with true redshifts) instead.
    ValueError
        ``spec_class`` is not one of the classes, or the file's SHA-256 does not match the manifest.
    TypeError
        ``mirror`` or ``data_home`` is not a path.

    Examples
    --------
    With a local mirror (``ASTROLAB_MIRROR``) or the network (one 3 MB download):

    >>> data = fetch_sdss_colours(spec_class="GALAXY")  # doctest: +SKIP
    >>> len(data.catalog), float(data.catalog.redshift.median()) < 0.2  # doctest: +SKIP
    (41475, True)

    Arguments are checked before anything is read:

    >>> fetch_sdss_colours(spec_class="STAR")
    Traceback (most recent call last):
    ...
    ValueError: spec_class must be None, 'GALAXY' or 'QSO', got 'STAR'
    """
    from sklearn.utils import Bunch

    if spec_class is not None and (not isinstance(spec_class, str) or spec_class not in _CLASSES):
        raise ValueError(f"spec_class must be None, 'GALAXY' or 'QSO', got {spec_class!r}")
    check_path_arg("mirror", mirror)
    check_path_arg("data_home", data_home)
    registry = _registry()
    path = fetch_file(_NAME, mirror=mirror, data_home=data_home, registry=registry)
    catalog = _read(path)
    if spec_class is not None:
        catalog = catalog[catalog["spec_class"] == spec_class].reset_index(drop=True)
    entry = registry[_NAME]
    meta = {
        "source": "SDSS ugriz magnitudes and spectroscopic redshifts (Data-driven Astronomy teaching sample)",
        "citation": entry.citation,
        "url": entry.url,
        "bands": _BANDS,
        "n_objects": len(catalog),
        "spec_class": spec_class,
        "mock": entry.mock,
        "path": str(path),
    }
    return Bunch(catalog=catalog, meta=meta)
