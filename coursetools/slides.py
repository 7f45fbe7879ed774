"""Lecture mode: slide metadata on notebook cells, and reveal.js decks built with nbconvert.

The same notebooks serve the book, JupyterLab and the lecture hall. :func:`annotate_slides` writes
the ``slideshow`` cell metadata that both nbconvert's reveal.js exporter and JupyterLab's RISE
extension read; :func:`build_slides` turns notebooks into HTML slide decks.

Slide types given by the annotator (a ``slide_type`` set by hand is never changed):

==============================================  ==============  =================================
cell                                            slide_type      why
==============================================  ==============  =================================
tagged ``remove-cell`` (hidden self-checks)     ``skip``        not for the audience
``{exercise-end}``, ``{solution-start}``,       ``skip``        MyST fences mean nothing in a
``{solution-end}`` fences                                       slide
``{exercise-start}`` fence                      ``subslide``    each exercise on its own slide
                                                                (shown as "Exercise: title")
inside a solution block, or tagged              ``notes``       in the speaker view (press *s*),
``solution``                                                    not on the projected slide
markdown opening with ``# `` or ``## ``         ``slide``       one slide per section
markdown opening with ``### ``                  ``subslide``    a vertical slide below it
anything else                                   ``-``           continues the current slide
==============================================  ==============  =================================

Code cells continue their slide rather than appear as fragments: in a live session the lecturer
runs them one by one anyway, and a deck stays readable when printed.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from astrolab._paths import write_text_atomic

__all__ = ["ASSETS", "SLIDE_TYPES", "slide_types", "annotate_notebook", "annotate_slides", "build_slides"]

#: The slide types that nbconvert and RISE understand.
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")

#: reveal.js that nbconvert's template loads at view time unless told otherwise.
DEFAULT_REVEAL_URL = "https://unpkg.com/reveal.js@4.0.2"

#: The settings of nbconvert's SlidesExporter that name a script or style sheet the deck loads.
ASSETS = ("reveal_url_prefix", "require_js_url", "jquery_url", "mathjax_url", "mermaid_js_url")

_FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w-]+)\}[ \t]*(.*)$")
_ROLE = re.compile(r"\{[\w:-]+\}`([^`]*)`")


def _directive(cell) -> tuple[str, str] | None:
    """``(name, argument)`` of the directive fence a markdown cell opens with, else None."""
    if cell.get("cell_type") != "markdown":
        return None
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    match = _FENCE.match(source.lstrip().split("\n", 1)[0])
    return (match.group(2), match.group(3).strip()) if match else None


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def slide_types(nb) -> list[str]:
    """The slide type the annotator gives each cell of a notebook (hand-set types are kept).

    Parameters
    ----------
    nb : dict or nbformat.NotebookNode
        A version 4 notebook.

    Returns
    -------
    list of str
        One entry of :data:`SLIDE_TYPES` per cell.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    >>> nb = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("x = 1"),
    ...                          new_markdown_cell("### Detail")])
    >>> slide_types(nb)
    ['slide', '-', 'subslide']
    """
    types, in_solution = [], False
    for index, cell in enumerate(nb["cells"]):
        metadata = cell.get("metadata", {})
        tags = metadata.get("tags", [])
        directive = _directive(cell)
        name = directive[0] if directive else None
        hand_set = metadata.get("slideshow", {}).get("slide_type")
        if name == "solution-start":
            if in_solution:
                raise ValueError(f"nb: cell {index} opens a {{solution-start}} block inside another one")
            in_solution = True
        if hand_set is not None:
            if hand_set not in SLIDE_TYPES:
                raise ValueError(f"nb: cell {index} has slide_type {hand_set!r}, expected one of {SLIDE_TYPES}")
            kind = hand_set
        elif "remove-cell" in tags or name in ("exercise-end", "solution-start", "solution-end"):
            kind = "skip"
        elif in_solution or "solution" in tags:
            kind = "notes"
        elif name == "exercise-start":
            kind = "subslide"
        elif cell.get("cell_type") == "markdown" and _source(cell).lstrip().startswith(("# ", "## ")):
            kind = "slide"
        elif cell.get("cell_type") == "markdown" and _source(cell).lstrip().startswith("### "):
            kind = "subslide"
        else:
            kind = "-"
        if name == "solution-end":
            in_solution = False
        types.append(kind)
    return types


def annotate_notebook(nb):
    """Return a copy of notebook ``nb`` with ``slideshow.slide_type`` metadata on every cell.

    Parameters
    ----------
    nb : dict or nbformat.NotebookNode
        A version 4 notebook; it is not modified.

    Returns
    -------
    same type as ``nb``
        The annotated copy. A ``slide_type`` already set on a cell is kept, so annotating twice
        changes nothing.
    """
    out = copy.deepcopy(nb)
    for cell, kind in zip(out["cells"], slide_types(out), strict=True):
        metadata = cell.setdefault("metadata", {})
        if "slideshow" in metadata:
            metadata["slideshow"].setdefault("slide_type", kind)
            continue
        # Insert "slideshow" where sorted keys put it (as nbformat and JupyterLab write them), so
        # that a later save by either tool moves no line.
        items = list(metadata.items())
        at = next((i for i, (key, _) in enumerate(items) if key > "slideshow"), len(items))
        items.insert(at, ("slideshow", {"slide_type": kind}))
        metadata.clear()
        metadata.update(items)
    return out


def annotate_slides(notebook_path: str | Path) -> int:
    """Add slide metadata to every cell of a notebook file, in place.

    The file keeps the repository's JSON layout (one-space indent, UTF-8 text, key order as found,
    trailing newline), so ``git diff`` shows only the added metadata lines. Deterministic and
    idempotent; a hand-set ``slide_type`` is never overwritten.

    Parameters
    ----------
    notebook_path : str or Path
        An ``.ipynb`` file of nbformat version 4.

    Returns
    -------
    int
        The number of cells that gained metadata (0 when the file was already annotated and was
        left untouched).
    """
    path = Path(notebook_path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"notebook_path must be an existing .ipynb file, got {notebook_path!r}")
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text)
    if raw.get("nbformat") != 4:
        raise ValueError(f"notebook_path must be an nbformat 4 notebook, got version {raw.get('nbformat')!r}")
    before = [json.dumps(cell.get("metadata", {}), sort_keys=True) for cell in raw["cells"]]
    annotated = annotate_notebook(raw)
    changed = sum(json.dumps(cell["metadata"], sort_keys=True) != old
                  for cell, old in zip(annotated["cells"], before, strict=True))
    if changed:
        write_text_atomic(path, json.dumps(annotated, indent=1, ensure_ascii=False) + "\n")
    return changed


def _myst_to_markdown(cell) -> None:
    """Rewrite MyST syntax that reveal.js would show raw into plain markdown, in place."""
    directive = _directive(cell)
    source = cell.source
    if directive is not None:
        name, argument = directive
        lines = source.strip().split("\n")
        fence = _FENCE.match(lines[0].strip()).group(1)
        close = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == fence), len(lines))
        body = [line for line in lines[1:close] if not re.match(r"^:[\w-]+:", line)]  # drop options
        rest = "\n".join(lines[close + 1:]).strip()
        if name == "exercise-start":
            head = f"### Exercise{': ' + argument if argument else ''}"
        elif name in ("exercise-end", "solution-start", "solution-end"):
            head = ""
        else:  # an admonition such as {important} or {note}: a quotation with its name in bold
            title = f"**{name.capitalize()}{': ' + argument if argument else ''}**"
            head = "\n".join(f"> {line}".rstrip() for line in [title, "", *body])
        source = "\n\n".join(part for part in (head, rest) if part)
    cell.source = _ROLE.sub(lambda m: "`" + m.group(1).split("<")[0].strip() + "`", source)


def _split_at_headings(cell) -> list:
    """A markdown cell cut before each ``#``/``##``/``###`` heading that is not its first line.

    The parts after the first get fresh metadata, so the annotator starts a slide at each heading.
    """
    if cell.cell_type != "markdown":
        return [cell]
    parts, fence = [[]], None
    for line in cell.source.split("\n"):
        match = re.match(r"^\s*(`{3,}|~{3,}|:{3,})", line)
        if match and fence is None:
            fence = match.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None and re.match(r"^#{1,3} ", line) and any(x.strip() for x in parts[-1]):
            parts.append([])
        parts[-1].append(line)
    if len(parts) == 1:
        return [cell]
    from nbformat.v4 import new_markdown_cell

    first = copy.deepcopy(cell)
    first.source = "\n".join(parts[0]).rstrip()
    return [first, *(new_markdown_cell("\n".join(lines).rstrip()) for lines in parts[1:])]


def _is_url(text: str) -> bool:
    return re.match(r"^[a-z][a-z0-9+.-]*:", text) is not None or text.startswith("/")


def _exporter():
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.TagRemovePreprocessor.remove_input_tags = {"remove-input", "hide-input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    config.TagRemovePreprocessor.enabled = True
    exporter = SlidesExporter(config=config, reveal_scroll=True, exclude_input_prompt=True,
                              exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    return exporter


def build_slides(out_dir: str | Path, notebooks=None, execute: bool = False, *,
                 assets: Mapping[str, str] | None = None, timeout: int = 120) -> list[Path]:
    """Write a reveal.js slide deck (``<name>.slides.html``) for each notebook.

    Notebooks are annotated in memory first (:func:`annotate_notebook`), so a deck has one slide
    per section even for a notebook whose file carries no slide metadata yet. MyST fences and roles
    become plain markdown, hidden self-checks are dropped and ``hide-input`` cells show only their
    output. An ``index.html`` linking every deck is written too.

    The HTML is built offline. At view time the browser loads reveal.js, require.js, jQuery,
    MathJax and mermaid from their CDNs (nbconvert's template). For a lecture hall without internet,
    copy them into ``out_dir`` and name them in ``assets``, e.g. ``{"reveal_url_prefix":
    "reveal.js", "require_js_url": "require.js"}`` with the npm packages ``reveal.js@4.0.2`` and
    ``requirejs`` unpacked there: each deck then links to them relatively and the slides, speaker
    notes included, work offline (equations show as TeX unless ``mathjax_url`` is local too).

    Parameters
    ----------
    out_dir : str or Path
        Output folder; decks mirror the notebooks' chapter folders inside it.
    notebooks : sequence of str or Path, optional
        Notebooks to convert (default: every notebook of the course, in toc order).
    execute : bool, default False
        Run each notebook first (in its own folder, fresh kernel) so the slides show outputs
        and figures.
    assets : mapping of str to str, optional
        Where the decks load their JavaScript and CSS from, by :class:`nbconvert.SlidesExporter`
        setting: ``reveal_url_prefix`` (a reveal.js 4 folder), ``require_js_url``, ``jquery_url``,
        ``mathjax_url``, ``mermaid_js_url``. Each value is a URL or a path relative to ``out_dir``
        (default: nbconvert's CDN URLs; reveal.js from :data:`DEFAULT_REVEAL_URL`).
    timeout : int, default 120
        Seconds allowed per cell when ``execute`` is True.

    Returns
    -------
    list of Path
        The decks written, in the order of ``notebooks``.
    """
    import html

    import nbformat
    from nbclient import NotebookClient

    from coursetools.course import course_root, toc_notebooks

    if notebooks is None:
        notebooks = toc_notebooks()
    paths = [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("notebooks must name at least one notebook, got an empty list")
    missing = [str(p) for p in paths if p.suffix != ".ipynb" or not p.is_file()]
    if missing:
        raise ValueError(f"notebooks must be existing .ipynb files, got {missing}")
    assets = dict(assets or {})
    unknown = set(assets) - set(ASSETS)
    if unknown:
        raise ValueError(f"assets must be keyed by {ASSETS}, got {sorted(unknown)}")
    out_dir = Path(out_dir)
    try:
        base = course_root() / "notebooks"
    except FileNotFoundError:
        base = None
    exporter = _exporter()
    written = []
    for path in paths:
        resolved = path.resolve()
        rel = resolved.relative_to(base) if base is not None and base in resolved.parents else Path(path.name)
        target = out_dir / rel.with_name(rel.stem + ".slides.html")
        nb = nbformat.read(path, as_version=4)
        nb.cells = [part for cell in nb.cells for part in _split_at_headings(cell)]
        nb = annotate_notebook(nb)
        if execute:
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(resolved.parent)}}).execute()
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                _myst_to_markdown(cell)
        nb.cells = [c for c in nb.cells if not (c.cell_type == "markdown" and not c.source.strip()
                                                and c.metadata.get("slideshow", {}).get("slide_type") == "skip")]
        for trait, value in assets.items():
            setattr(exporter, trait, value if _is_url(value) else
                        os.path.relpath(out_dir / value, target.parent).replace(os.sep, "/"))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, body)
        written.append(target)
    links = "\n".join(f'<li><a href="{html.escape(p.relative_to(out_dir).as_posix())}">'
                      f"{html.escape(p.relative_to(out_dir).as_posix())}</a></li>" for p in written)
    write_text_atomic(out_dir / "index.html",
                      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<title>astrolab slides</title></head>\n<body><h1>astrolab slides</h1>\n"
                      f"<ul>\n{links}\n</ul>\n</body></html>\n")
    return written

