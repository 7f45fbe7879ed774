"""Compute device selection and the ``check_environment`` report."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import sys
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["device", "check_environment", "EnvironmentReport"]

DEVICE_ENV = "ASTROLAB_DEVICE"

# (distribution name, import name, what the course uses it for, needed by every notebook?)
_PACKAGES = [
    ("numpy", "numpy", "arrays", True),
    ("scipy", "scipy", "optimisation, sparse matrices, integrators", True),
    ("matplotlib", "matplotlib", "every figure", True),
    ("scikit-learn", "sklearn", "production ML methods (chapters 2, 5)", True),
    ("astropy", "astropy", "units, tables, FITS, coordinates", True),
    ("emcee", "emcee", "production MCMC (chapter 4)", True),
    ("torch", "torch", "neural networks (chapter 6)", True),
    ("ipywidgets", "ipywidgets", "interactive demos", True),
    ("ipympl", "ipympl", "interactive matplotlib figures in JupyterLab", True),
    ("jupyterlab", "jupyterlab", "running the notebooks", True),
    ("pooch", "pooch", "downloading real data with checksums", True),
    ("tqdm", "tqdm", "progress bars", True),
    ("corner", "corner", "posterior corner plots (chapter 4)", True),
    ("pytest", "pytest", "make test", False),
    ("pytest-xdist", "xdist", "make test (parallel)", False),
    ("nbval", "nbval", "make test (notebooks)", False),
    ("hypothesis", "hypothesis", "make test (property tests)", False),
    ("nbformat", "nbformat", "make test, make student (course tools)", False),
    ("jupyter-book", "jupyter_book", "make book", False),
    ("sphinx-exercise", "sphinx_exercise", "make book (exercises)", False),
]


def device(prefer: str | None = None):
    """The torch device the course computes on: CUDA when present, otherwise the CPU.

    Parameters
    ----------
    prefer : {None, "cpu", "cuda"}, optional
        Force a device. ``None`` (default) reads ``$ASTROLAB_DEVICE`` and otherwise picks
        CUDA when ``torch.cuda.is_available()`` and the CPU when not.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If ``prefer`` is not one of the accepted names.
    RuntimeError
        If CUDA is asked for but not available.

    Examples
    --------
    >>> device("cpu")
    device(type='cpu')
    """
    import torch

    choice = prefer if prefer is not None else os.environ.get(DEVICE_ENV) or None
    if choice is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(choice, str) or choice.split(":")[0] not in ("cpu", "cuda"):
        raise ValueError(f"prefer must be None, 'cpu' or 'cuda' (optionally 'cuda:N'), got {choice!r}")
    if choice.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(
            f"device {choice!r} was asked for but torch sees no CUDA GPU "
            f"(torch {torch.__version__}); use device('cpu') or unset {DEVICE_ENV}"
        )
    return torch.device(choice)


@dataclass
class EnvironmentReport:
    """What :func:`check_environment` found. ``ok`` is False when a needed package is missing."""

    versions: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    missing_optional: list = field(default_factory=list)
    device: str = "unknown"
    data_dir: str = ""
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.problems


def _version_of(dist: str, module: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:  # installed some other way (conda, a source tree): import it to ask
        mod = importlib.import_module(module)
    except Exception:
        return None
    return str(getattr(mod, "__version__", "unknown version"))


def check_environment(file: TextIO | None = None) -> EnvironmentReport:
    """Print the versions, compute device and data folder the course will use.

    Never raises for a broken set-up: a missing package is named with what it is needed for
    and how to install it.

    Parameters
    ----------
    file : file-like, optional
        Where to print (default: standard output).

    Returns
    -------
    EnvironmentReport
        ``report.ok`` tells whether everything every notebook needs is present.

    Examples
    --------
    >>> import io
    >>> report = check_environment(file=io.StringIO())
    >>> report.versions["numpy"] is not None
    True
    """
    from astrolab._paths import DATA_ENV, data_dir, mirror_dir
    from astrolab._version import __version__

    if file is not None and not callable(getattr(file, "write", None)):
        raise TypeError(f"file must be a writable text stream (with a write method) or None, got "
                        f"{type(file).__name__} {file!r}"[:200])
    out = file if file is not None else sys.stdout
    report = EnvironmentReport()

    def say(line: str = "") -> None:
        print(line, file=out)

    say(f"astrolab {__version__} on Python {platform.python_version()} ({platform.platform()})")
    say(f"CPU cores: {os.cpu_count()}")
    for dist, module, purpose, needed in _PACKAGES:
        version = _version_of(dist, module)
        report.versions[dist] = version
        if version is None:
            (report.missing if needed else report.missing_optional).append(dist)
            tag = "MISSING " if needed else "absent  "
            pip_hint = "-c constraints.txt torch==2.13.0" if dist == "torch" else dist
            say(f"  {tag} {dist:<16} needed for {purpose}: install with `make lab` "
                f"(or `pip install {pip_hint}`)")
        else:
            say(f"  ok       {dist:<16} {version}")

    if report.versions.get("torch") is not None:
        try:
            dev = device()
            report.device = str(dev)
            if dev.type == "cuda":
                import torch

                say(f"Compute device: {dev} ({torch.cuda.get_device_name(dev)})")
            else:
                say("Compute device: cpu (no CUDA GPU found; every notebook runs on the CPU)")
        except Exception as err:  # a broken torch install must not stop the report
            report.problems.append(f"torch does not load: {err}")
            say(f"Compute device: unknown, torch does not load ({type(err).__name__}: {err})")
    else:
        say("Compute device: unknown (torch is missing)")

    try:
        where = data_dir(create=False)
        report.data_dir = str(where)
        state = "exists" if where.is_dir() else "will be created on first download"
        source = f"${DATA_ENV}" if os.environ.get(DATA_ENV) else "platform cache"
        say(f"Data folder: {where} ({source}; {state})")
        mirror = mirror_dir()
        if mirror is not None:
            say(f"Local mirror of real data: {mirror}" + ("" if mirror.is_dir() else " (NOT FOUND)"))
    except ValueError as err:
        report.problems.append(str(err))
        say(f"Data folder: PROBLEM: {err}")

    if report.ok:
        say("Everything the notebooks need is installed.")
    else:
        say("NOT READY: " + "; ".join(
            [f"missing {', '.join(report.missing)}"] * bool(report.missing) + report.problems))
    return report
