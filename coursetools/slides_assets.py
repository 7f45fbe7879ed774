"""The scripts, style sheets and fonts a slide deck loads, copied next to the decks (no CDN).

``make slides`` writes decks that work in a lecture hall without internet: every file a deck loads
lies in ``_static/`` of the decks' folder, linked relatively, so the folder can be copied onto a
USB stick or opened straight from the disk.

============================  ==========================================================
file(s)                       from
============================  ==========================================================
``reveal.js/``                npm ``reveal.js`` (:data:`REVEAL`: pinned version and
                              sha512, fetched once with ``npm pack`` into the virtual
                              environment, as coursetools/book_offline.py does)
``requirejs/require.js``,     the book's npm assets (coursetools/book_offline.py) and its
``jupyter-widgets/``,         loader of the widget manager (coursetools/static/)
``astrolab-widgets.js``
``mathjax/``                  the ``sphinx-mathjax-offline`` wheel (MathJax 3, CommonHTML)
============================  ==========================================================

jQuery and mermaid, which nbconvert's template also loads, are not needed: the deck's template
(``coursetools/templates/slides``) uses neither.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
from pathlib import Path

__all__ = ["REVEAL", "STATIC", "copy_assets", "reveal_folder"]

#: reveal.js from the npm registry: spec and the tarball's sha512 (npm's ``dist.integrity``).
REVEAL = ("reveal.js@4.6.1",
          "sha512-1CW0auaXNPmwmvQ7TwpszwVxMi2Xr5cTS3J3EBC/HHgbPF32Dn7aiu/LKWDOGjMbaDwKQiGmfqcoGQ74HUHCMw==")

#: Folder of the decks' assets, relative to the decks' output folder.
STATIC = "_static"

# The parts of reveal.js a deck loads: the core, its style sheets (themes), the speaker-notes plugin.
_REVEAL_PARTS = ("package/dist/", "package/plugin/notes/")
# The parts of MathJax 3 a deck loads: the combined TeX-to-CommonHTML component, the TeX extensions
# it loads on demand and the CommonHTML fonts.
_MATHJAX_PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml")


def _npm_fetch(spec: str, integrity: str, dest: Path, parts) -> Path:
    """Unpack the files under ``parts`` of the npm package ``spec`` into ``dest`` (once; checked)."""
    stamp = dest / f".{hashlib.sha1(f'{spec} {integrity}'.encode()).hexdigest()[:12]}"
    if stamp.is_file():
        return dest
    from filelock import FileLock

    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest) + ".lock"):  # pytest-xdist workers may build decks at the same time
        if not stamp.is_file():
            _npm_unpack(spec, integrity, dest, parts, stamp)
    return dest


def _npm_unpack(spec: str, integrity: str, dest: Path, parts, stamp: Path) -> None:
    from coursetools.book_offline import npm_pack

    with tempfile.TemporaryDirectory() as tmp:
        tarball = npm_pack(spec, integrity, tmp, "the slides")
        if dest.exists():
            shutil.rmtree(dest)
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.startswith(parts) and ".." not in Path(member.name).parts:
                    target = dest / Path(member.name).relative_to("package")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(member).read())
    stamp.write_text(spec + "\n")


def reveal_folder() -> Path:
    """reveal.js (``dist/`` and ``plugin/notes/``), fetched with npm on first use and kept."""
    from coursetools.book_offline import _vendor_folder

    return _npm_fetch(*REVEAL, _vendor_folder() / "slides" / REVEAL[0].replace("/", "_"), _REVEAL_PARTS)


def _mathjax_folder() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the slides' MathJax comes from the sphinx-mathjax-offline wheel, which is not "
                           "installed (pip install -c constraints.txt -e '.[book]')")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"


def _copy_tree(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target``, skipping files already there with the same size and time."""
    for path in [source] if source.is_file() else sorted(source.rglob("*")):
        if not path.is_file():
            continue
        dest = target / path.relative_to(source) if source.is_dir() else target
        stat = path.stat()
        if dest.is_file() and dest.stat().st_size == stat.st_size and dest.stat().st_mtime == stat.st_mtime:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)


def copy_assets(out_dir: str | Path) -> dict[str, str]:
    """Copy every file a deck loads into ``out_dir/_static``; return the deck template's asset paths.

    Parameters
    ----------
    out_dir : str or Path
        The decks' output folder.

    Returns
    -------
    dict of str to str
        ``reveal_url_prefix``, ``require_js_url``, ``widget_renderer_url`` and ``mathjax_url``, as
        paths relative to ``out_dir``.
    """
    from coursetools.book_offline import vendor_static

    static = Path(out_dir) / STATIC
    _copy_tree(reveal_folder(), static / "reveal.js")
    book = vendor_static()
    _copy_tree(book / "requirejs" / "require.js", static / "requirejs" / "require.js")
    _copy_tree(book / "jupyter-widgets", static / "jupyter-widgets")
    # the book's loader of the widget manager (require.js paths, MathJax 2's Hub.Queue on MathJax 3)
    _copy_tree(Path(__file__).resolve().parent / "static" / "astrolab-widgets.js", static / "astrolab-widgets.js")
    mathjax = _mathjax_folder()
    for part in _MATHJAX_PARTS:
        _copy_tree(mathjax / part, static / "mathjax" / part)
    return {"reveal_url_prefix": f"{STATIC}/reveal.js",
            "require_js_url": f"{STATIC}/requirejs/require.js",
            "widget_renderer_url": f"{STATIC}/jupyter-widgets/embed-amd.js",
            "mathjax_url": f"{STATIC}/mathjax/tex-chtml.js"}
