"""Execute each notebook once: nbval validates it, the book reuses its outputs.

A pytest plugin, loaded by ``make test-notebooks`` with ``-p coursetools.nbcache --nb-cache DIR``.
nbval stays the validator: it executes every code cell of a notebook in one kernel and fails on an
error (``--nbval-lax``). This plugin adds two things around it:

1. **Keep the outputs.** When every cell of a notebook has passed, the executed notebook (nbval's
   outputs, execution counts and the ipywidgets state) is stored in the Jupyter Book's
   `jupyter-cache <https://jupyter-cache.readthedocs.io>`_ (``execute.cache`` in
   ``jupyter-book.yml``). jupyter-cache keys a notebook on its code cells (and their metadata), so
   the book build then finds every notebook in the cache and executes none of them.
2. **Skip what has not changed.** A notebook whose cache record was written by this plugin for the
   same *sources* — its code cells, plus :func:`source_key`: the ``astrolab`` package, its data and
   the pinned dependencies — already passed nbval: it is not executed again (one skipped item per
   notebook says so). Editing one notebook re-runs that notebook; editing ``astrolab`` re-runs all
   of them, since any notebook may depend on the change. Records written by the book's own
   execution (``make book``) are not trusted as validated and are re-run here.

Only notebooks whose every cell ran and passed are stored; a failure leaves the cache as it was.

3. **The student edition, once.** With ``--nb-student`` each notebook also gets one item,
   ``<notebook>::student-edition``: the notebook without its solution cells
   (:func:`coursetools.course.strip_solutions`) runs top to bottom in a kernel with the network
   blocked and *no* local mirror of the real data, so the loaders must fall back to the mock, every
   self-check must pass without the solutions, and every exercise check must say "Not answered
   yet". It belongs to the notebook's file, so ``--dist loadfile`` keeps it on the notebook's worker.
   A pass is remembered (``student-edition/`` beside the cache, keyed on the student edition's code
   and :func:`source_key`), so it is not run again until something it depends on changes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from pathlib import Path

import pytest

__all__ = ["source_key", "KEY_FIELD"]

#: Field of a jupyter-cache record's ``data`` that holds :func:`source_key` of the run that wrote it.
KEY_FIELD = "astrolab_source_key"
_REPO = Path(__file__).resolve().parent.parent
#: What a notebook's outputs may depend on besides its own code cells.
_SOURCES = ("astrolab", "data", "pyproject.toml", "constraints.txt")
_SKIP_SUFFIXES = (".pyc", ".pyo")


def source_key(root: Path | None = None) -> str:
    """SHA-256 of everything but the notebooks that a notebook's outputs depend on.

    The ``astrolab`` package (code and package data), the ``data/`` folder, ``pyproject.toml`` and
    ``constraints.txt`` of the checkout at ``root`` (default: this checkout). File names and bytes
    both count; caches (``__pycache__``) do not. Computed once per process and folder: the sources
    do not change during a test run.
    """
    return _source_key(Path(root).resolve() if root is not None else _REPO)


def _offline_guard():
    """``tests/offline_guard.py`` (the network guard of the course's kernels), imported from its path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("offline_guard", _REPO / "tests" / "offline_guard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def _source_key(root: Path) -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        base = root / name
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix in _SKIP_SUFFIXES:
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def pytest_addoption(parser):
    group = parser.getgroup("nbcache", "execute each notebook once (coursetools.nbcache)")
    group.addoption("--nb-cache", metavar="DIR", default=None,
                    help="jupyter-cache folder (the book's execute.cache): store the outputs of notebooks "
                         "that pass, and skip notebooks that passed before with the same sources")
    group.addoption("--nb-cache-rerun", action="store_true", default=False,
                    help="execute every notebook even when the cache holds a validated run")
    group.addoption("--nb-student", action="store_true", default=False,
                    help="also run each notebook's student edition (no solutions, no mirror), offline")


def pytest_configure(config):
    folder = config.getoption("--nb-cache", default=None)
    if folder:
        config.pluginmanager.register(_NotebookCache(config, Path(folder)), "coursetools-nbcache")


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".ipynb" and parent.config.getoption("--nb-student", default=False) \
            and ".ipynb_checkpoints" not in file_path.parts:
        return StudentEditionFile.from_parent(parent, path=file_path)
    return None


class StudentEditionFile(pytest.File):
    """The student edition of one notebook: a single item, ``student-edition``."""

    def collect(self):
        yield StudentEditionItem.from_parent(self, name="student-edition")


class StudentEditionItem(pytest.Item):
    """Run the student edition of a notebook offline, without a mirror; see the module docstring."""

    def _key(self, nb) -> str:
        code = json.dumps([c.source for c in nb.cells if c.cell_type == "code"])
        return hashlib.sha256((source_key() + code).encode()).hexdigest()

    def runtest(self):
        import os

        import nbformat
        from nbclient import NotebookClient

        from coursetools.course import strip_solutions

        source_nb = nbformat.read(self.path, as_version=4)
        nb = strip_solutions(source_nb)
        from coursetools.exercises import notebook_id_of

        notebook_id = notebook_id_of(self.path)
        grep = "al.exercises.notebook(" in "".join(c.source for c in nb.cells if c.cell_type == "code")
        if grep:  # last, in the same kernel: what would give each exercise's answer away
            nb.cells.append(nbformat.v4.new_code_cell(
                "import json as _json, astrolab.exercises as _ax\n"
                f"print({_ANSWERS!r} + _json.dumps(_ax.answers_for_grep({notebook_id!r}, globals())))"))
        folder = self.config.getoption("--nb-cache")
        stamp = None
        if folder:
            stamp = Path(folder).resolve().parent / "student-edition" / f"{self._key(nb)}.passed"
            if stamp.is_file() and not self.config.getoption("--nb-cache-rerun"):
                pytest.skip("student edition unchanged since it passed: not executed again")
        ipython = _offline_guard().write_profile(Path(folder or ".").resolve().parent / "student-edition" / "ipython")
        env = dict(os.environ, IPYTHONDIR=str(ipython), MPLBACKEND="agg",
                   PYTHONWARNINGS="ignore")  # the kernel's own warnings are not the test's subject
        env.pop("ASTROLAB_MIRROR", None)
        client = NotebookClient(nb, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(self.path.parent)}})
        client.execute(env=env)
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        if grep:
            line = next((ln for ln in text.splitlines() if ln.startswith(_ANSWERS)), None)
            assert line is not None, "the exercises' answers could not be computed in the student edition"
            leaks = answer_leaks(source_nb, json.loads(line[len(_ANSWERS):]))
            assert not leaks, f"the student edition gives answers away: {leaks}"
            nb.cells.pop()
        sources = "".join(c.source for c in nb.cells)
        if "real_or_mock" in sources:
            assert "Using the mock data set instead" in text, "offline, the loader did not fall back to the mock"
        if "{exercise-start}" in sources:
            assert "Not answered yet" in text, "an exercise check passed in the student edition (no solutions)"
        if stamp is not None:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(f"{self.path.name}\n")

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::student-edition"


_ANSWERS = "ASTROLAB-ANSWERS "


def answer_leaks(source_nb, answers: dict) -> dict:
    """What of ``answers`` (:func:`astrolab.exercises.answers_for_grep`) the student edition shows.

    Numbers are searched as whole numbers in every cell's source (``2.85`` does not match
    ``12.853``). Lines of solution code are searched in the exercises' own cells (from an exercise's
    heading to the next heading) and in Markdown: a line of the notebook's teaching code that a
    solution repeats gives nothing away.
    """
    import re

    from coursetools.course import student_edition

    cells = student_edition(source_nb).cells
    student = "\n".join(c.source for c in cells)
    near, inside = [], False
    for c in cells:
        if c.cell_type == "markdown" and c.source.lstrip().startswith("#"):
            inside = c.source.lstrip().startswith("### Exercise:")
        if inside or c.cell_type == "markdown":
            near.append(c.source)
    near = "\n".join(near)
    leaks = {}
    for label, texts in answers.items():
        found = []
        for text in texts:
            if re.fullmatch(r"-?[\d.]+", text):
                if re.search(r"(?<![\d.])" + re.escape(text) + r"(?![\d])", student):
                    found.append(text)
            elif text in near:
                found.append(text)
        if found:
            leaks[label] = found
    return leaks


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and hasattr(item, "cell_num")


class _NotebookCache:
    def __init__(self, config, folder: Path):
        self.config = config
        self.folder = folder.resolve()
        self.key = source_key()
        self.runs: dict[str, dict] = {}  # notebook file node id -> outputs collected so far

    # -- jupyter-cache, behind a file lock (pytest-xdist workers share one SQLite database) --
    def _cache(self):
        from jupyter_cache import get_cache

        self.folder.mkdir(parents=True, exist_ok=True)
        return get_cache(str(self.folder))

    def _lock(self):
        from filelock import FileLock

        self.folder.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.folder) + ".lock", timeout=600)

    def _validated(self, notebook) -> bool:
        with self._lock():
            try:
                record = self._cache().match_cache_notebook(notebook)
            except KeyError:
                return False
        return record.data.get(KEY_FIELD) == self.key

    # -- collection: skip notebooks that passed before with the same sources --
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items):
        if config.getoption("--nb-cache-rerun"):
            return
        by_file: dict = {}
        for item in items:
            if _is_nbval_cell(item):
                by_file.setdefault(item.parent, []).append(item)
        deselected = []
        for parent, cells in by_file.items():
            n_code = sum(c.cell_type == "code" for c in parent.nb.cells)
            if len(cells) != n_code or not self._validated(parent.nb):
                continue
            cells[0].add_marker(pytest.mark.skip(
                reason="unchanged since it passed: not executed again, the book reuses its cached outputs"))
            deselected.extend(cells[1:])
        if deselected:
            drop = set(map(id, deselected))
            items[:] = [item for item in items if id(item) not in drop]
            config.hook.pytest_deselected(items=deselected)

    # -- execution: collect nbval's outputs; store the notebook when every cell has passed --
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        if not _is_nbval_cell(item):
            return
        report = outcome.get_result()
        run = self.runs.get(item.parent.nodeid)
        if run is None:
            n_code = sum(c.cell_type == "code" for c in item.parent.nb.cells)
            run = self.runs[item.parent.nodeid] = {"outputs": {}, "ok": True, "seconds": 0.0, "n_code": n_code}
        if report.failed or report.skipped:
            run["ok"] = False
        if call.when != "call" or not report.passed:
            return
        run["outputs"][item.cell_num] = list(item.test_outputs or [])
        run["seconds"] += call.duration
        if run["ok"] and len(run["outputs"]) == run["n_code"]:
            self._store(item, run)

    def _widget_state(self, item) -> dict | None:
        """The ipywidgets state of the still-running kernel, as nbclient stores it, or None."""
        code = ("import sys as _s, json as _j\n"
                "if 'ipywidgets' in _s.modules:\n"
                "    print(_j.dumps(_s.modules['ipywidgets'].Widget.get_manager_state(drop_defaults=True)))\n"
                "del _s, _j")
        kernel = item.parent.kernel
        try:
            msg_id = kernel.kc.execute(code, store_history=False, allow_stdin=False)
            text, deadline = [], time.monotonic() + 60
            while time.monotonic() < deadline:
                msg = kernel.get_message("iopub", timeout=60)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    text.append(msg["content"]["text"])
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            state = json.loads("".join(text)) if text else None
        except Exception:  # noqa: BLE001 - the outputs are worth keeping without the widget state
            return None
        return state if state and state.get("state") else None

    def _store(self, item, run):
        import nbformat
        from jupyter_cache.base import CacheBundleIn

        path = Path(str(item.parent.fspath))
        nb = nbformat.read(path, as_version=4)
        count = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            outputs = [nbformat.from_dict(dict(o)) for o in run["outputs"][count]]
            count += 1
            cell.execution_count = count
            for output in outputs:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = count
            cell.outputs = outputs
        state = self._widget_state(item)
        if state is not None:
            nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": state}
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError as err:
            print(f"\nnbcache: not caching {path.name}: its outputs are not valid nbformat ({err.message})")
            return
        data = {"execution_seconds": run["seconds"], KEY_FIELD: self.key, "executed_by": "nbval"}
        with self._lock():
            self._cache().cache_notebook_bundle(CacheBundleIn(nb, str(path), data=data),
                                                check_validity=True, overwrite=True)
