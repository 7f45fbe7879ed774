"""Where astrolab keeps data: the user's cache, a local mirror, and the files shipped in ``data/``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "mirror_dir", "shipped_data_dir"]

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
