"""Where astrolab keeps data: the user's cache, a local mirror, and the files shipped in ``data/``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "mirror_dir", "save_npz_atomic", "shipped_data_dir"]

#: Environment variable naming the folder where downloaded data are cached.
DATA_ENV = "ASTROLAB_DATA"
#: Environment variable naming a local mirror of the real public data sets.
MIRROR_ENV = "ASTROLAB_MIRROR"


def _env_path(var: str) -> Path | None:
    value = os.environ.get(var, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{var}={value!r} must name a folder, but it is a file")
    return path


def data_dir(create: bool = True) -> Path:
    """Folder where astrolab caches downloaded and generated data.

    ``$ASTROLAB_DATA`` if set, otherwise the platform's cache folder (for example
    ``~/.cache/astrolab`` on Linux).

    Parameters
    ----------
    create : bool, default True
        Create the folder if it does not exist yet.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["ASTROLAB_DATA"] = tempfile.mkdtemp()
    >>> data_dir().is_dir()
    True
    >>> del os.environ["ASTROLAB_DATA"]
    """
    path = _env_path(DATA_ENV)
    if path is None:
        import pooch

        path = Path(pooch.os_cache("astrolab"))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def mirror_dir() -> Path | None:
    """Local mirror of the real data sets (``$ASTROLAB_MIRROR``), or None when not set.

    A mirror is a folder laid out like the registry's ``mirror_path`` entries; files found
    there are checked against their SHA-256 and used instead of a download.
    """
    return _env_path(MIRROR_ENV)


def shipped_data_dir() -> Path:
    """The ``data/`` folder of the course checkout (small tables that ship with the course).

    Raises
    ------
    FileNotFoundError
        When astrolab was not installed in editable mode from a checkout of the course.
    """
    path = Path(__file__).resolve().parent.parent / "data"
    if not (path / "registry.json").is_file():
        raise FileNotFoundError(
            f"the course's data folder was not found at {path}: install astrolab from a checkout "
            "of the course with `make lab` (or `pip install -e .`), not as a plain wheel"
        )
    return path


def save_npz_atomic(path, arrays) -> Path:
    """Save ``arrays`` (a dict of numpy arrays) as an ``.npz`` file that is either complete or absent.

    The file is written under a temporary name in the same folder and renamed when complete, so an
    interrupted write never leaves a half-written cache file behind. Parent folders are created.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination file.
    arrays : dict of str to array_like
        Arrays to save; read them back with ``np.load(path, allow_pickle=False)``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_npz_atomic(Path(tmp) / "a" / "x.npz", {"x": np.arange(3)})
    ...     with np.load(out, allow_pickle=False) as f:
    ...         f["x"].tolist()
    [0, 1, 2]
    """
    import tempfile

    import numpy as np

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path
