"""Where astrolab keeps data: the user's cache, a local mirror, and the files shipped in ``data/``."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["atomic_path", "data_dir", "mirror_dir", "save_npz_atomic", "shipped_data_dir", "write_text_atomic"]

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
    if not (isinstance(create, bool) or type(create).__name__ == "bool"):  # Python's or numpy's bool
        raise TypeError(f"create must be True or False, got {type(create).__name__} {create!r}"[:200])
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
    """The folder of small tables that ship with astrolab (the course's ``data/`` folder).

    In a checkout (``make lab``, ``pip install -e .``) this is ``data/`` itself; in a wheel or any
    other install it is the package ``astrolab._data``, which setup.py builds from ``data/``.

    Raises
    ------
    FileNotFoundError
        When neither holds the registry of data sets (a broken install).
    """
    checkout = Path(__file__).resolve().parent.parent / "data"
    installed = Path(__file__).resolve().parent / "_data"
    for path in (checkout, installed):
        if (path / "registry.json").is_file():
            return path
    raise FileNotFoundError(
        f"astrolab's shipped data were not found in {checkout} or {installed}: reinstall astrolab "
        "(`make lab`, or `pip install .` from a checkout of the course)"
    )


@contextlib.contextmanager
def atomic_path(path, *, directory: bool = False):
    """Yield a temporary path beside ``path``; rename it to ``path`` when the block succeeds.

    The one way astrolab writes a file (or a folder of files): the content is written under a
    temporary name in the same folder and renamed when complete, so an interrupted write never
    leaves a half-written file behind and readers never see one. On any error the temporary file or
    folder is removed and the error propagates; ``path`` is left as it was. Parent folders are
    created. A new file gets a normal file's mode (``0o666`` less the umask) or keeps the mode of
    the file it replaces.

    Parameters
    ----------
    path : str or pathlib.Path
        Destination file or folder.
    directory : bool, default False
        Yield a temporary *folder* (for multi-file outputs such as a partitioned Parquet data set);
        an existing folder at ``path`` is replaced.

    Yields
    ------
    pathlib.Path
        Where to write. For a file it does not exist yet, with the destination's suffix.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with atomic_path(Path(tmp) / "out" / "a.txt") as part:
    ...         _ = part.write_text("done")
    ...     sorted(p.name for p in (Path(tmp) / "out").iterdir())
    ['a.txt']
    """
    import shutil
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    prefix = f".{path.name}.{os.getpid()}."  # the writer's process id: a killed writer's leftovers are known
    if directory:
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=prefix, suffix=".tmp"))
    else:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=f".tmp{path.suffix}")
        os.close(fd)
        tmp = Path(name)
        tmp.unlink()  # writers such as astropy's refuse to overwrite an existing file
    try:
        yield tmp
        if directory:
            if path.exists():
                shutil.rmtree(path)
        else:
            if not tmp.exists():
                raise FileNotFoundError(f"nothing was written to the temporary file for {path}")
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def _remove_stale_temporaries(path):
    """Remove what a killed writer of ``path`` left behind (a process that no longer runs).

    :func:`atomic_path` removes its temporary on any Python exception, but a process killed by a
    signal cannot; its temporaries carry its process id, so the next writer of the same path
    finds and removes them.
    """
    import glob
    import shutil

    if os.name != "posix":  # os.kill(pid, 0) probes a process only on POSIX systems
        return
    for candidate in path.parent.glob(f".{glob.escape(path.name)}.*.tmp*"):
        pid = candidate.name[len(path.name) + 2:].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _process_alive(int(pid)):
            continue
        if candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)
        else:
            candidate.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or cannot tell: leave it alone
    return True


def write_text_atomic(path, text: str, *, newline: str | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_path`; return ``path``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_text_atomic(Path(tmp) / "a.txt", "hello").read_text()
    'hello'
    """
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as handle:
        handle.write(text)
    return path


def save_npz_atomic(path, arrays) -> Path:
    """Save ``arrays`` (a dict of numpy arrays) as an ``.npz`` file that is either complete or absent.

    Written through :func:`atomic_path`. Parent folders are created.

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
    import numpy as np

    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    return path
