"""Real survey light curves: the SDSS Stripe 82 RR Lyrae (Sesar et al. 2010) and the SNe Ia of the ZTF
Bright Transient Survey, as long tables with their published periods or catalogue.

Each sample is a folder of about a thousand small CSV files (one per object) and one index file, taken
from the public repository ``light-curve/test-data`` at a fixed commit. Rather than one registry entry
per file, the course ships one manifest, ``data/real_lightcurves_manifest.json``: for each sample the
download address, the folder in a local mirror, the SHA-256 of every light-curve file and the SHA-256
of the sample's rows of the index file (the index is checked row by row, because the sample is a
subset of the published table). Every file goes through :func:`~astrolab.datasets.fetch_file`: read
from the mirror (``ASTROLAB_MIRROR``) when there, else from the cache or downloaded with pooch, and
always checked. Rebuild the manifest from a mirror with
``python -c "from astrolab.datasets._real_lightcurves import _write_manifest; _write_manifest('MIRROR')"``.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from astrolab.datasets._fetch import RemoteFile, check_path_arg, download_error, fetch_file

__all__ = ["fetch_rrlyrae_s82", "fetch_ztf_bts_snia"]

_MANIFEST = "real_lightcurves_manifest.json"
_LC_HEADER = b"time,mag,magerr,band"
_UPSTREAM = "https://raw.githubusercontent.com/light-curve/test-data/3c8d9877643b881ec6fb6bb41fbe0fc8677b96db"

# What the manifest builder writes for each sample (the per-file digests are computed from a mirror).
_SAMPLES = {
    "rrlyrae-s82": {
        "title": "the SDSS Stripe 82 RR Lyrae light curves",
        "description": "SDSS Stripe 82 RR Lyrae light curves (ugriz) and published periods and types",
        "base_url": f"{_UPSTREAM}/RRLyrae",
        "mirror_folder": "rrlyrae-s82-dev",
        "index": "periods.csv",
        "index_header": "Num,Type,Per",
        "mock": "astrolab.datasets.make_lightcurves()",
        "citation": "Sesar et al. 2010, ApJ 708, 717 (VizieR J/ApJ/708/717)",
    },
    "ztf-bts-snia": {
        "title": "the ZTF Bright Transient Survey SN Ia light curves",
        "description": "ZTF Bright Transient Survey SN Ia light curves (g, r detections) and BTS catalogue",
        "base_url": f"{_UPSTREAM}/SNIa",
        "mirror_folder": "ztf-bts-snia-dev",
        "index": "bts.csv",
        "index_header": "ZTFID,IAUID,RA,Dec,peakt,peakfilt,peakmag,peakabs,duration,rise,fade,type,redshift,b,A_V",
        "mock": "astrolab.datasets.make_transients()",
        "citation": "Fremling et al. 2020, ApJ 895, 32; Perley et al. 2020, ApJ 904, 35; Bellm et al. 2019, PASP 131, "
        "018002 (ZTF); photometry of the public ZTF alerts via the ANTARES broker",
    },
}

# A magnitude error this large is a placeholder of a failed measurement, not an error (Sesar's 99.999).
_PLACEHOLDER_ERR = 99.0
# BTS's peak time ``peakt`` is JD - 2458000; MJD = JD - 2400000.5.
_BTS_PEAKT_TO_MJD = 2458000.0 - 2400000.5


def _manifest(sample: str) -> dict:
    from astrolab._paths import shipped_data_dir

    path = shipped_data_dir() / _MANIFEST
    entry = json.loads(path.read_text(encoding="utf-8")).get(sample)
    if entry is None or not entry.get("light_curves"):
        raise FileNotFoundError(f"{path} has no entry for {sample!r}: reinstall astrolab")
    return entry


def _canonical_rows(text: str, header: str, ids) -> tuple[list[str], str]:
    """The index rows of ``ids`` (sorted by id, line endings and blank lines dropped) and their SHA-256.

    Works on the published index file (all objects, a header) and on a mirror's subset alike.
    """
    first = header.split(",", 1)[0]
    wanted = set(ids)
    rows = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.split(",", 1)[0] == first:
            continue
        key = line.split(",", 1)[0]
        if key in wanted:
            if key in rows:
                raise ValueError(f"the index lists object {key!r} twice")
            rows[key] = line
    missing = sorted(wanted - set(rows))
    if missing:
        raise ValueError(f"the index lacks {len(missing)} objects of the sample, e.g. {missing[:3]}")
    lines = [rows[key] for key in sorted(rows)]
    return lines, hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _fetch_index(sample, entry, mirror_root, cache_root) -> tuple[Path, list[str]]:
    """The index file (mirror, cache or download) and the sample's rows of it, checked against the manifest."""
    import pooch
    import requests

    spec = _SAMPLES[sample]
    folder = entry["mirror_folder"]
    ids = list(entry["light_curves"])
    candidate = mirror_root / folder / entry["index"] if mirror_root is not None else None
    from_mirror = candidate is not None and candidate.is_file()
    if from_mirror:
        path = candidate
    else:
        url = f"{entry['base_url']}/{entry['index']}"
        try:
            # The published index covers more objects than the sample: its rows are checked below.
            path = Path(pooch.retrieve(url, known_hash=None, fname=entry["index"], path=cache_root / folder))
        except requests.exceptions.RequestException as err:  # network trouble; disk errors propagate
            raise download_error(f"the index of {spec['title']}", url, err, entry["mock"], f"{folder}/") from None
    lines, digest = _canonical_rows(path.read_text(encoding="utf-8"), spec["index_header"], ids)
    if digest != entry["index_rows_sha256"]:
        if not from_mirror:
            path.unlink(missing_ok=True)  # a bad download is not kept
        raise ValueError(
            f"the rows of the sample in {path} have SHA-256 {digest}, expected {entry['index_rows_sha256']}: "
            "it is not the registered index of the sample"
        )
    return path, lines


def _fetch_light_curves(sample, entry, ids, mirror, cache_root) -> list[Path]:
    folder = entry["mirror_folder"]
    paths = []
    for obj in ids:
        name = f"{sample}/{obj}"
        remote = RemoteFile(
            name=name,
            url=f"{entry['base_url']}/light-curves/{obj}.csv",
            sha256=entry["light_curves"][obj],
            filename=f"{obj}.csv",
            mirror_path=f"{folder}/light-curves/{obj}.csv",
            mock=entry["mock"],
        )
        paths.append(fetch_file(name, mirror=mirror, data_home=cache_root / folder / "light-curves",
                                registry={name: remote}))
    return paths


def _read_light_curves(ids, paths, id_dtype):
    """One long DataFrame from the per-object CSV files, parsed in one go (fast for ~1000 small files)."""
    import pandas as pd

    chunks, counts = [], []
    for path in paths:
        raw = path.read_bytes()
        header, _, body = raw.partition(b"\n")
        if header.strip() != _LC_HEADER:
            raise ValueError(f"{path} should start with the header {_LC_HEADER.decode()!r}, got {header[:60]!r}")
        if body and not body.endswith(b"\n"):
            body += b"\n"
        chunks.append(body)
        counts.append(body.count(b"\n"))
    table = pd.read_csv(io.BytesIO(b"".join(chunks)), header=None, names=["time", "mag", "mag_err", "band"],
                        dtype={"time": np.float64, "mag": np.float64, "mag_err": np.float64, "band": str},
                        skip_blank_lines=False, engine="c")
    if len(table) != sum(counts):
        raise ValueError(f"read {len(table)} light-curve rows, expected {sum(counts)}: a file has a malformed line")
    table.insert(0, "id", np.repeat(np.asarray(ids, dtype=id_dtype), counts))
    table = table.sort_values(["id", "time"], kind="mergesort", ignore_index=True)
    if table[["time", "mag", "mag_err"]].isna().to_numpy().any():
        raise ValueError("the light curves hold missing values (time, mag or mag_err)")
    return table


def _fetch(sample, mirror, data_home):
    from astrolab._paths import data_dir, mirror_dir

    entry = _manifest(sample)
    mirror_root = Path(mirror).expanduser() if mirror is not None else mirror_dir()
    cache_root = Path(data_home).expanduser() if data_home is not None else data_dir()
    index_path, rows = _fetch_index(sample, entry, mirror_root, cache_root)
    ids = sorted(entry["light_curves"])
    paths = _fetch_light_curves(sample, entry, ids, mirror, cache_root)
    return entry, index_path, rows, ids, paths


def fetch_rrlyrae_s82(*, mirror=None, data_home=None):
    """The SDSS Stripe 82 RR Lyrae light curves (Sesar et al. 2010) with their published periods and types.

    242 stars (ab and c types) of the 483 of Sesar et al. (2010): five SDSS bands (``ugriz``)
    interleaved, about 280 epochs per star over eight years, unevenly sampled (a sample of
    ``light-curve/test-data``'s copy of VizieR J/ApJ/708/717). The 242 light-curve files and the
    sample's rows of the period table are read from a local mirror (``mirror`` or
    ``ASTROLAB_MIRROR``) or downloaded with pooch into the cache, each checked against the SHA-256 in
    ``data/real_lightcurves_manifest.json``.

    One change to the files, counted in ``meta["n_dropped_placeholders"]``: measurements whose
    ``mag_err`` is Sesar's placeholder 99.999 (failed measurements, most with ``mag`` about 100; 39 of
    67417 in this sample) are dropped.

    Parameters
    ----------
    mirror : str or Path, optional
        Folder holding ``rrlyrae-s82-dev/`` (``periods.csv`` and ``light-curves/<id>.csv``); default
        ``$ASTROLAB_MIRROR``.
    data_home : str or Path, optional
        Cache folder to download into; default :func:`astrolab.data_dir`.

    Returns
    -------
    sklearn.utils.Bunch
        ``lightcurves``: a pandas DataFrame with one row per measurement, ``id`` (int64, Sesar's
        ``Num``), ``time`` (MJD, d), ``mag`` (SDSS AB mag), ``mag_err`` (mag), ``band`` (one of
        ``u g r i z``), sorted by ``id`` then ``time``; ``periods``: one row per star, ``id``,
        ``type`` (``"ab"`` or ``"c"``) and ``period`` (the published period, d), sorted by ``id``;
        ``meta``: a dict with ``source``, ``citation``, ``url``, ``bands``, ``n_objects``, ``mock``
        ``n_dropped_placeholders`` and the ``index_path`` read.

    Raises
    ------
    DataUnavailableError
        Offline with no mirror or cached copy: use :func:`~astrolab.datasets.make_lightcurves`
        (mock RR Lyrae with known periods) instead.
    ValueError
        A file whose SHA-256 does not match the manifest.
    TypeError
        ``mirror`` or ``data_home`` is not a path.

    Examples
    --------
    With a local mirror (``ASTROLAB_MIRROR``) or the network (the first download fetches 243 small
    files into the cache):

    >>> data = fetch_rrlyrae_s82()  # doctest: +SKIP
    >>> len(data.periods), sorted(set(data.lightcurves.band))  # doctest: +SKIP
    (242, ['g', 'i', 'r', 'u', 'z'])
    >>> r_band = data.lightcurves.query("id == 4099 and band == 'r'")  # doctest: +SKIP

    Arguments are checked before anything is read:

    >>> fetch_rrlyrae_s82(mirror=3)
    Traceback (most recent call last):
    ...
    TypeError: mirror must be a folder (str or path-like) or None, got int
    """
    import pandas as pd
    from sklearn.utils import Bunch

    check_path_arg("mirror", mirror)
    check_path_arg("data_home", data_home)
    entry, index_path, rows, ids, paths = _fetch("rrlyrae-s82", mirror, data_home)
    lightcurves = _read_light_curves(ids, paths, np.int64)
    # Sesar's table marks a failed measurement with mag_err = 99.999 (mostly with mag ~ 100; the -99.99
    # ones are already gone upstream): such placeholders are no measurements.
    flagged = (lightcurves["mag_err"] >= _PLACEHOLDER_ERR).to_numpy()
    lightcurves = lightcurves[~flagged].reset_index(drop=True)
    periods = pd.read_csv(io.StringIO("\n".join(rows)), header=None, names=["id", "type", "period"],
                          dtype={"id": np.int64, "type": str, "period": np.float64})
    periods = periods.sort_values("id", ignore_index=True)
    if set(periods["type"]) - {"ab", "c"}:
        raise ValueError(f"{index_path}: unexpected RR Lyrae types {sorted(set(periods['type']) - {'ab', 'c'})}")
    meta = {
        "source": "SDSS Stripe 82 RR Lyrae (Sesar et al. 2010), 242-star sample of light-curve/test-data",
        "citation": entry["citation"],
        "url": entry["base_url"],
        "bands": ("u", "g", "r", "i", "z"),
        "n_objects": len(ids),
        "mock": entry["mock"],
        "n_dropped_placeholders": int(flagged.sum()),
        "index_path": str(index_path),
    }
    return Bunch(lightcurves=lightcurves, periods=periods, meta=meta)


def _sexagesimal_to_deg(values, hours: bool) -> np.ndarray:
    parts = np.array([v.lstrip("+-").split(":") for v in values], dtype=float)
    sign = np.where([v.startswith("-") for v in values], -1.0, 1.0)
    deg = sign * (parts[:, 0] + parts[:, 1] / 60 + parts[:, 2] / 3600)
    return deg * 15 if hours else deg


def fetch_ztf_bts_snia(*, mirror=None, data_home=None):
    """Light curves of SNe Ia of the ZTF Bright Transient Survey, with the BTS catalogue.

    1145 of the 2289 SNe Ia (all subtypes: Ia, Ia-91T, Ia-91bg, Ia-pec, Iax, Ia-CSM) of the BTS
    (Fremling et al. 2020; Perley et al. 2020): the ZTF alert photometry (difference-image PSF
    magnitudes of *detections only*, no upper limits) in ZTF g and r, a median of about 16
    detections per object, spectroscopic redshifts below about 0.15 (a sample of
    ``light-curve/test-data``'s copy, from the ANTARES broker). Files are read from a local mirror
    (``mirror`` or ``ASTROLAB_MIRROR``) or downloaded with pooch into the cache, each checked against
    the SHA-256 in ``data/real_lightcurves_manifest.json``.

    Two changes to the files, both counted in ``meta``: the upstream band label ``"R"`` (ZTF r) is
    written ``"r"``, and detections in any band other than g and r (one ZTF i point in the sample)
    are dropped.

    Parameters
    ----------
    mirror : str or Path, optional
        Folder holding ``ztf-bts-snia-dev/`` (``bts.csv`` and ``light-curves/<ZTFID>.csv``); default
        ``$ASTROLAB_MIRROR``.
    data_home : str or Path, optional
        Cache folder to download into; default :func:`astrolab.data_dir`.

    Returns
    -------
    sklearn.utils.Bunch
        ``lightcurves``: a pandas DataFrame with one row per detection, ``id`` (the ZTF name, str),
        ``time`` (MJD, d), ``mag`` (AB mag), ``mag_err`` (mag), ``band`` (``"g"`` or ``"r"``), sorted
        by ``id`` then ``time``; ``catalog``: one row per object, sorted by ``id``, with the BTS
        columns renamed: ``id`` (ZTFID), ``iau_name`` (IAUID), ``ra``, ``dec`` (deg, from the
        sexagesimal RA, Dec), ``peak_mjd`` (MJD of the peak, from BTS's ``peakt`` = JD - 2458000),
        ``peak_band`` (peakfilt), ``peak_mag`` (peakmag), ``peak_absmag`` (peakabs, NaN when not
        given), ``duration``, ``rise``, ``fade`` (d; where BTS gives a lower limit such as
        ``>26.0`` the value is the limit and ``duration_is_lower_limit`` etc. are True), ``type``,
        ``redshift`` (NaN when not given), ``b`` (Galactic latitude, deg) and ``A_V`` (mag);
        ``meta``: a dict with ``source``, ``citation``, ``url``, ``bands``, ``n_objects``, ``mock``,
        ``n_band_R_renamed``, ``n_dropped_other_bands`` and the ``index_path`` read.

    Raises
    ------
    DataUnavailableError
        Offline with no mirror or cached copy: use :func:`~astrolab.datasets.make_transients`
        (mock multi-class survey light curves with ground truth) instead.
    ValueError
        A file whose SHA-256 does not match the manifest.
    TypeError
        ``mirror`` or ``data_home`` is not a path.

    Examples
    --------
    With a local mirror (``ASTROLAB_MIRROR``) or the network (the first download fetches 1146 small
    files into the cache):

    >>> data = fetch_ztf_bts_snia()  # doctest: +SKIP
    >>> len(data.catalog), sorted(set(data.lightcurves.band))  # doctest: +SKIP
    (1145, ['g', 'r'])
    >>> data.lightcurves.groupby("id").size().median()  # doctest: +SKIP
    16.0

    Arguments are checked before anything is read:

    >>> fetch_ztf_bts_snia(data_home=1.5)
    Traceback (most recent call last):
    ...
    TypeError: data_home must be a folder (str or path-like) or None, got float
    """
    import pandas as pd
    from sklearn.utils import Bunch

    check_path_arg("mirror", mirror)
    check_path_arg("data_home", data_home)
    entry, index_path, rows, ids, paths = _fetch("ztf-bts-snia", mirror, data_home)
    lightcurves = _read_light_curves(ids, paths, object)
    n_upper_r = int((lightcurves["band"] == "R").sum())
    lightcurves["band"] = lightcurves["band"].replace({"R": "r"})
    keep = lightcurves["band"].isin(["g", "r"]).to_numpy()
    n_dropped = int((~keep).sum())
    lightcurves = lightcurves[keep].reset_index(drop=True)
    lightcurves["id"] = lightcurves["id"].astype(str)

    names = _SAMPLES["ztf-bts-snia"]["index_header"].split(",")
    raw = pd.read_csv(io.StringIO("\n".join(rows)), header=None, names=names, dtype=str, keep_default_na=False)
    catalog = pd.DataFrame({
        "id": raw["ZTFID"].astype(str),
        "iau_name": raw["IAUID"].astype(str),
        "ra": _sexagesimal_to_deg(raw["RA"], hours=True),
        "dec": _sexagesimal_to_deg(raw["Dec"], hours=False),
        "peak_mjd": raw["peakt"].astype(float) + _BTS_PEAKT_TO_MJD,
        "peak_band": raw["peakfilt"].astype(str),
        "peak_mag": raw["peakmag"].astype(float),
        "peak_absmag": pd.to_numeric(raw["peakabs"], errors="coerce"),
    })
    for col in ("duration", "rise", "fade"):
        text = raw[col].str.strip()
        catalog[col] = pd.to_numeric(text.str.lstrip(">"), errors="coerce")
        catalog[f"{col}_is_lower_limit"] = text.str.startswith(">").to_numpy(bool)
    catalog["type"] = raw["type"].astype(str)
    catalog["redshift"] = pd.to_numeric(raw["redshift"], errors="coerce")
    catalog["b"] = raw["b"].astype(float)
    catalog["A_V"] = raw["A_V"].astype(float)
    catalog = catalog.sort_values("id", ignore_index=True)
    meta = {
        "source": "ZTF Bright Transient Survey SNe Ia, 1145-object sample of light-curve/test-data",
        "citation": entry["citation"],
        "url": entry["base_url"],
        "bands": ("g", "r"),
        "n_objects": len(ids),
        "mock": entry["mock"],
        "n_band_R_renamed": n_upper_r,
        "n_dropped_other_bands": n_dropped,
        "index_path": str(index_path),
    }
    return Bunch(lightcurves=lightcurves, catalog=catalog, meta=meta)


def _build_manifest(mirror) -> dict:
    """The manifest of both samples, from a mirror holding their folders (every file's SHA-256)."""
    manifest = {
        "_comment": "Real light-curve samples read by astrolab.datasets.fetch_rrlyrae_s82 and fetch_ztf_bts_snia: "
        "per sample the download address (base_url/light-curves/<id>.csv and base_url/<index>), the folder in a "
        "local mirror, the SHA-256 of every light-curve file and of the sample's rows of the index file (lines "
        "stripped, sorted by id, joined with newlines). Made by "
        "astrolab.datasets._real_lightcurves._write_manifest(MIRROR).",
    }
    mirror = Path(mirror)
    for sample, spec in _SAMPLES.items():
        folder = mirror / spec["mirror_folder"]
        files = sorted((folder / "light-curves").glob("*.csv"))
        if not files:
            raise FileNotFoundError(f"no light curves in {folder / 'light-curves'}")
        ids = sorted(path.stem for path in files)
        _, rows_digest = _canonical_rows((folder / spec["index"]).read_text(encoding="utf-8"), spec["index_header"],
                                         ids)
        manifest[sample] = {
            "description": f"{spec['description']}: {len(ids)} objects",
            "citation": spec["citation"],
            "base_url": spec["base_url"],
            "mirror_folder": spec["mirror_folder"],
            "index": spec["index"],
            "index_rows_sha256": rows_digest,
            "mock": spec["mock"],
            "light_curves": {
                path.stem: hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted(files, key=lambda p: p.stem)
            },
        }
    return manifest


def _write_manifest(mirror) -> Path:
    """Rebuild ``data/real_lightcurves_manifest.json`` from a mirror holding both samples (maintenance)."""
    from astrolab._paths import shipped_data_dir, write_text_atomic

    return write_text_atomic(shipped_data_dir() / _MANIFEST, json.dumps(_build_manifest(mirror), indent=1) + "\n")
