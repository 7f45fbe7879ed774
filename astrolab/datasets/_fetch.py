"""Download real public data with pooch: SHA-256 checked, cached, atomic, mirror-aware, offline-friendly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DataUnavailableError", "RemoteFile", "load_registry", "fetch_file"]


class DataUnavailableError(OSError):
    """A real data set could not be had (no network, no mirror copy); use the named mock instead."""


class CorruptDataError(DataUnavailableError, ValueError):
    """A copy of a real data set (mirror, cache or download) is not the registered file.

    Both a :class:`DataUnavailableError` (so :func:`real_or_mock` falls back to the mock) and a
    ``ValueError`` (the file's content is wrong, not the network).
    """


def _is_plain_name(name) -> bool:
    """True for a file name with no folder part: not empty, not ``.`` or ``..``, no separator."""
    return (isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\\" not in name
            and "\0" not in name)


def _is_confined(relative) -> bool:
    """True for a relative path that stays inside its folder (no absolute path, drive or ``..``)."""
    from pathlib import PurePosixPath, PureWindowsPath

    if not isinstance(relative, str) or not relative.strip() or "\0" in relative:
        return False
    for flavour in (PurePosixPath(relative), PureWindowsPath(relative)):
        if flavour.is_absolute() or flavour.drive or flavour.root or ".." in flavour.parts:
            return False
    return True


@dataclass(frozen=True)
class RemoteFile:
    """One entry of the data registry (``data/registry.json``)."""

    name: str
    url: str
    sha256: str
    filename: str
    mirror_path: str
    mock: str
    description: str = ""
    citation: str = ""

    def __post_init__(self):
        for field in ("name", "url", "sha256", "filename", "mirror_path", "mock", "description", "citation"):
            value = getattr(self, field)
            if not isinstance(value, str):
                raise ValueError(f"registry entry: {field} must be a string, got {type(value).__name__} "
                                 f"{value!r}"[:300])
        digest = self.sha256.lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(
                f"registry entry {self.name!r}: sha256 must be 64 hexadecimal digits, got {self.sha256!r}"
            )
        object.__setattr__(self, "sha256", digest)  # compare digests in one case everywhere
        if not _is_plain_name(self.filename) or Path(self.filename).name != self.filename:
            raise ValueError(
                f"registry entry {self.name!r}: filename must be a bare file name (not empty, '.' or '..', "
                f"no folder separators), got {self.filename!r}"
            )
        if not _is_confined(self.mirror_path):
            raise ValueError(
                f"registry entry {self.name!r}: mirror_path must be a relative path inside the mirror (no "
                f"absolute path, drive or '..'), got {self.mirror_path!r}"
            )


def load_registry(path: str | Path | None = None) -> dict[str, RemoteFile]:
    """Read the registry of real data sets.

    Parameters
    ----------
    path : str or Path, optional
        A JSON file mapping names to entries; default: ``data/registry.json`` of the course.

    Returns
    -------
    dict of str to RemoteFile

    Examples
    --------
    >>> registry = load_registry()
    >>> registry["calspec-1732526"].filename
    '1732526_nic_002.ascii'
    """
    if path is None:
        from astrolab._paths import shipped_data_dir

        path = shipped_data_dir() / "registry.json"
    from astrolab._validation import check_path

    path = check_path("path", path, must_exist=True)
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: RemoteFile(name=name, **fields)
        for name, fields in raw.items()
        if not name.startswith("_")
    }


def check_path_arg(name: str, value) -> None:
    """Raise ``TypeError`` unless ``value`` (the argument ``name``) is None or a folder path."""
    import os

    if value is not None and not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a folder (str or path-like) or None, got {type(value).__name__}")


def _sha256(path: Path) -> str:
    import pooch

    return pooch.file_hash(str(path), alg="sha256")


def download_error(what: str, url: str, err, mock: str, mirror_path: str) -> DataUnavailableError:
    """The one-sentence error for a failed download of ``what``: the reason, the mock, the mirror path."""
    import requests

    response = getattr(err, "response", None)
    if isinstance(err, requests.exceptions.HTTPError) and response is not None:
        reason = f"the server answered with HTTP error {response.status_code}"
        response.close()
    else:
        reason = f"{type(err).__name__}: are you offline?"
    return DataUnavailableError(
        f"Cannot download {what} from {url} ({reason}): use {mock} for mock "
        f"data with ground truth, or set ASTROLAB_MIRROR to a folder holding {mirror_path}."
    )


def fetch_file(
    name: str,
    *,
    mirror: str | Path | None = None,
    data_home: str | Path | None = None,
    registry: dict[str, RemoteFile] | None = None,
    progressbar: bool = False,
) -> Path:
    """Return a local path to a registered real data file, downloading it if needed.

    Looks, in order, in the local mirror (``mirror`` or ``$ASTROLAB_MIRROR``), in the cache
    (``data_home`` or :func:`astrolab.data_dir`), and finally downloads with pooch. Every file is
    checked against the registered SHA-256. Downloads go to a temporary file that is renamed only
    once complete and verified, so an interrupted download never leaves a half-written file.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"calspec-1732526"``.
    mirror : str or Path, optional
        Folder laid out like the registry's ``mirror_path`` entries.
    data_home : str or Path, optional
        Cache folder to download into.
    registry : dict, optional
        Registry to use instead of the course's ``data/registry.json``.
    progressbar : bool, default False
        Show a tqdm progress bar while downloading.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataUnavailableError
        When the file is neither mirrored nor cached and cannot be downloaded; the message names
        the mock generator to use instead.
    ValueError
        For an unknown name, or a file whose SHA-256 does not match the registry.
    """
    import pooch
    import requests

    from astrolab._paths import data_dir, mirror_dir

    registry = load_registry() if registry is None else registry
    if name not in registry:
        raise ValueError(f"name must be one of {sorted(registry)}, got {name!r}")
    entry = registry[name]

    mirror_root = Path(mirror).expanduser() if mirror is not None else mirror_dir()
    if mirror_root is not None:
        candidate = mirror_root / entry.mirror_path
        if not _is_confined(entry.mirror_path) or not candidate.resolve().is_relative_to(mirror_root.resolve()):
            raise ValueError(f"the mirror_path {entry.mirror_path!r} of {name!r} leads outside the mirror "
                             f"{mirror_root}")
        if candidate.is_file():
            digest = _sha256(candidate)
            if digest != entry.sha256:
                raise CorruptDataError(
                    f"the mirror copy {candidate} of {name!r} has SHA-256 {digest}, expected "
                    f"{entry.sha256}: it is not the registered file (replace it, or use {entry.mock})"
                )
            return candidate

    cache = Path(data_home).expanduser() if data_home is not None else data_dir()
    if not _is_plain_name(entry.filename):
        raise ValueError(f"the filename {entry.filename!r} of {name!r} must be a bare file name")
    cached = cache / entry.filename
    corrupt = None
    if cached.is_file():
        digest = _sha256(cached)
        if digest != entry.sha256:  # a damaged or stale copy: remove it, then download again
            cached.unlink()
            corrupt = (f"the cached copy {cached} of {name!r} was corrupt (SHA-256 {digest}, expected "
                       f"{entry.sha256}) and has been removed")
    try:
        path = pooch.retrieve(
            entry.url,
            known_hash=f"sha256:{entry.sha256}",
            fname=entry.filename,
            path=cache,
            progressbar=progressbar,
        )
    except requests.exceptions.RequestException as err:  # network trouble; disk errors propagate
        # One readable sentence, without the network library's long chained traceback.
        if corrupt is not None:
            raise CorruptDataError(
                f"{corrupt}; downloading it again from {entry.url} failed ({type(err).__name__}): use "
                f"{entry.mock} for mock data with ground truth, or set ASTROLAB_MIRROR to a folder holding "
                f"{entry.mirror_path}."
            ) from None
        raise download_error(repr(name), entry.url, err, entry.mock, entry.mirror_path) from None
    except ValueError as err:  # pooch: the downloaded file's hash does not match
        raise CorruptDataError(
            f"the download of {name!r} from {entry.url} does not match its registered SHA-256 "
            f"and was discarded: {err}"
        ) from err
    return Path(path)
