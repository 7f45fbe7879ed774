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
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

from astrolab._paths import write_text_atomic
from coursetools.slides_assets import copy_assets

__all__ = ["ASSETS", "SLIDE_TYPES", "slide_types", "annotate_notebook", "annotate_slides", "build_slides"]

#: The slide types that nbconvert and RISE understand.
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")

#: reveal.js that nbconvert's template loads at view time unless told otherwise.
DEFAULT_REVEAL_URL = "https://unpkg.com/reveal.js@4.0.2"

#: The settings of nbconvert's SlidesExporter that name a script or style sheet the deck loads.
ASSETS = ("reveal_url_prefix", "require_js_url", "jquery_url", "mathjax_url", "mermaid_js_url",
          "widget_renderer_url")

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


# --- what the audience should not see: stderr, download messages, progress bars --------------------

#: Lines of standard output that are progress reports, not results (pooch, astropy, tqdm, keras-like).
_PROGRESS_LINE = re.compile(r"Downloading data from|Downloading |\d+%\|[^|]*\|| it/s\]|it/s\]|s/it\]|\[#+\s*\]")
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _widget_state(nb) -> dict:
    return nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}).get("state", {})


def _widget_models(state, model_id, seen=None):
    """The models of widget ``model_id`` and of all its children (boxes, outputs), depth first."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    models = [state[model_id]]
    for child in state[model_id].get("state", {}).get("children", []) or []:
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            models += _widget_models(state, child[len("IPY_MODEL_"):], seen)
    return models


def _is_progress_bar(state, model_id) -> bool:
    """A tqdm-style widget: a progress bar with labels and nothing a lecturer could move."""
    names = {m.get("model_name", "") for m in _widget_models(state, model_id)}
    return any(n.endswith("ProgressModel") for n in names) and names <= {
        "HBoxModel", "VBoxModel", "HTMLModel", "LabelModel", "FloatProgressModel", "IntProgressModel"}


def clean_outputs(nb) -> int:
    """Drop what would distract on a slide from the outputs of notebook ``nb``, in place.

    Standard error (warnings, download messages, tqdm bars), lines of standard output that report
    downloads or progress, and progress-bar widgets go; results stay. Returns the number of
    outputs removed or shortened.
    """
    state, changed = _widget_state(nb), 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                if output.name == "stderr":
                    changed += 1
                    continue
                text = output.text if isinstance(output.text, str) else "".join(output.text)
                # a carriage return redraws a progress line in place: keep what is left after the last
                lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
                good = [line for line in lines if not _PROGRESS_LINE.search(line)]
                if len(good) != len(lines) or "\r" in text:
                    changed += 1
                    if not any(line.strip() for line in good):
                        continue
                    output.text = "\n".join(good)
            elif _WIDGET_VIEW in output.get("data", {}):
                if _is_progress_bar(state, output.data[_WIDGET_VIEW].get("model_id")):
                    changed += 1
                    continue
            kept.append(output)
        cell.outputs = kept
    return changed


# --- fitting slides on the screen -------------------------------------------------------------------

#: The slide (reveal.js width x height, in CSS pixels of the slide) and the sizes of
#: templates/slides/astrolab.css that :func:`estimate_height` assumes.
SLIDE = (1280, 720)
SIZES = {
    "width": 1220,        # usable width of a slide's content
    "budget": 610,        # height a slide's content may take (the rest: margins, controls)
    "text": (24, 1.35),   # markdown: font size and line height
    "code": (18, 1.3),    # code input
    "output": (16, 1.3),  # text output
    "heading": {1: 68, 2: 60, 3: 52, 4: 46},
    "image": 440,         # max-height of a figure (astrolab.css)
    "widget_image": 380,  # max-height of a figure inside a widget's saved view
}


def _text_lines(text: str, size: float, char_width: float = 0.5, indent: float = 0) -> int:
    """Rendered lines of ``text`` at font size ``size`` (wrapping at the slide's width)."""
    per_line = max(10, int((SIZES["width"] - indent) / (size * char_width)))
    return sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))


def _table_row_height(row: str) -> float:
    """Height of a row of a markdown table (its widest cell wraps at the column's width)."""
    if re.match(r"^\|[\s:|-]+\|$", row):
        return 0.0
    cells = [re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", c).strip() for c in row.strip().strip("|").split("|")]
    per_line = max(4, int(SIZES["width"] / max(len(cells), 1) / (16 * 0.5)) - 2)
    return max(-(-len(c) // per_line) for c in cells) * 21 + 12


def _split_table(block: str, budget: float) -> list[str]:
    """A markdown table cut into tables that fit ``budget``, each with the header rows."""
    lines = block.split("\n")
    if len(lines) < 4 or not all(line.strip().startswith("|") for line in lines):
        return [block]
    head, rows, parts, chunk = lines[:2], lines[2:], [], []
    for row in rows:
        if chunk and _markdown_height("\n".join(head + chunk + [row])) > budget:
            parts.append("\n".join(head + chunk))
            chunk = []
        chunk.append(row)
    return [*parts, "\n".join(head + chunk)]


def _markdown_height(source: str) -> float:
    size, leading = SIZES["text"]
    line_height = size * leading
    height, in_math, in_fence, paragraph, item = 0.0, False, None, [], False

    def flush():
        nonlocal height, paragraph, item
        if paragraph:
            text = re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", " ".join(paragraph))
            # a list item is indented (about 3 characters) and has a smaller gap below it
            lines = _text_lines(text, size, 0.48, indent=50 if item else 0)
            height += lines * line_height + (4 if item else 10)
            paragraph, item = [], False

    for line in source.split("\n"):
        stripped = line.strip()
        fence = re.match(r"^(`{3,}|~{3,})", stripped)
        if in_fence is not None:
            if stripped.startswith(in_fence):
                in_fence = None
                height += 14
            else:
                height += _text_lines(line, SIZES["code"][0], 0.6) * SIZES["code"][0] * SIZES["code"][1]
            continue
        if fence:
            flush()
            in_fence = fence.group(1)
            continue
        if stripped.startswith("$$"):
            flush()
            height += 36
            in_math = not (in_math or (stripped.endswith("$$") and len(stripped) > 4))
            continue
        if in_math:
            height += 26 if stripped else 0
            continue
        heading = re.match(r"^(#{1,6}) ", stripped)
        if heading:
            flush()
            height += SIZES["heading"].get(len(heading.group(1)), 40) + 4 * len(stripped) // 60
        elif not stripped:
            flush()
        elif stripped.startswith("|"):
            flush()
            height += _table_row_height(stripped)
        elif re.match(r"^(>\s*)?([-*+]|\d+\.)\s", stripped):
            flush()
            paragraph, item = [stripped], True
        elif re.match(r"^!\[", stripped):
            flush()
            height += SIZES["image"]
        else:
            paragraph.append(stripped)
        if "\\frac" in stripped or "\\sum" in stripped or "\\int" in stripped:
            height += 8
    flush()
    return height + 4


def _image_height(data: str, limit: float) -> float:
    import base64
    import struct

    try:
        head = base64.b64decode(data[:64])
        width, height = struct.unpack(">II", head[16:24])
    except (ValueError, struct.error):
        return limit
    return min(height * min(1.0, SIZES["width"] / max(width, 1)), limit) + 6


def _widget_height(state, model_id, seen=None) -> float:
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return 0.0
    seen.add(model_id)
    model = state[model_id]
    name, widget = model.get("model_name", ""), model.get("state", {})
    children = [c[len("IPY_MODEL_"):] for c in widget.get("children", []) or []
                if isinstance(c, str) and c.startswith("IPY_MODEL_")]
    if name in ("VBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel"):
        return sum(_widget_height(state, c, seen) for c in children) + 4
    if name == "HBoxModel":
        return max([_widget_height(state, c, seen) for c in children] or [0.0]) + 4
    if name == "OutputModel":
        return sum(_output_height(output, state, SIZES["widget_image"]) for output in widget.get("outputs", []))
    if name in ("HTMLModel", "HTMLMathModel", "LabelModel"):
        text = re.sub(r"<[^>]+>", "", str(widget.get("value", "")))
        return _text_lines(text, 16, 0.5) * 22 + 8
    if name.endswith("StyleModel") or name == "LayoutModel":
        return 0.0
    return 40.0  # a slider, a button, a checkbox, a text field


def _output_height(output, state, image_limit=None) -> float:
    size, leading = SIZES["output"]
    if output.get("output_type") == "stream":
        text = output["text"] if isinstance(output["text"], str) else "".join(output["text"])
        return _text_lines(text.rstrip("\n"), size, 0.6) * size * leading + 6
    if output.get("output_type") == "error":
        return _text_lines("\n".join(output.get("traceback", [])), size, 0.6) * size * leading + 6
    data = output.get("data", {})
    if _WIDGET_VIEW in data:
        return _widget_height(state, data[_WIDGET_VIEW].get("model_id")) + 8
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return _image_height(data[mime], image_limit or SIZES["image"])
    if "image/svg+xml" in data:
        return image_limit or SIZES["image"]
    if "text/html" in data:
        html = data["text/html"] if isinstance(data["text/html"], str) else "".join(data["text/html"])
        rows = len(re.findall(r"<tr[\s>]", html))
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", html, flags=re.S))
        return rows * 30 + 20 if rows else _text_lines(" ".join(text.split()), 18, 0.5) * 26 + 10
    if "text/markdown" in data:
        text = data["text/markdown"]
        return _markdown_height(text if isinstance(text, str) else "".join(text))
    if "text/latex" in data:
        return 60.0
    if "text/plain" in data:
        text = data["text/plain"] if isinstance(data["text/plain"], str) else "".join(data["text/plain"])
        return _text_lines(text, size, 0.6) * size * leading + 6
    return 0.0


def _hidden_input(cell) -> bool:
    return bool({"remove-input", "hide-input"} & set(cell.metadata.get("tags", [])))


def _input_height(cell) -> float:
    if cell.cell_type == "markdown":
        return _markdown_height(cell.source)
    if cell.cell_type != "code" or _hidden_input(cell) or not cell.source.strip():
        return 0.0
    size, leading = SIZES["code"]
    return _text_lines(cell.source.rstrip("\n"), size, 0.6) * size * leading + 16


def estimate_height(cell, state=None) -> float:
    """The estimated height of a cell on a slide, in CSS pixels of the 1280x720 slide.

    Parameters
    ----------
    cell : nbformat.NotebookNode
        A markdown or code cell (with its outputs).
    state : dict, optional
        The notebook's widget state (``metadata.widgets``), to size the saved view of a widget.

    Returns
    -------
    float
        0 for cells that are not on the slide (``notes``, ``skip``).
    """
    if cell.metadata.get("slideshow", {}).get("slide_type") in ("notes", "skip"):
        return 0.0
    if "remove-cell" in cell.metadata.get("tags", []):
        return 0.0
    outputs = [] if "remove-output" in cell.metadata.get("tags", []) else cell.get("outputs", [])
    return _input_height(cell) + sum(_output_height(o, state or {}) for o in outputs)


def _copy_cell(cell, **changes):
    new = copy.deepcopy(cell)
    new.pop("id", None)
    new.metadata.setdefault("slideshow", {})["slide_type"] = "-"
    for key, value in changes.items():
        new[key] = value
    return new


_LIST_ITEM = re.compile(r"^([-*+]|\d+\.)\s")


def _split_markdown(source: str, budget: float) -> list[str]:
    """Markdown ``source`` cut between paragraphs, list items and table rows into parts that fit."""
    blocks, current, fence = [], [], None  # blocks: (separator before it, text)
    separator = "\n\n"
    for line in source.split("\n"):
        marker = re.match(r"^\s*(`{3,}|~{3,}|\$\$)", line)
        if marker and fence is None and not (marker.group(1) == "$$" and line.strip().endswith("$$")
                                             and len(line.strip()) > 4):
            fence = marker.group(1)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None and not line.strip():
            if current:
                blocks.append((separator, "\n".join(current)))
                current = []
            separator = "\n\n"
            continue
        elif fence is None and _LIST_ITEM.match(line) and current:
            blocks.append((separator, "\n".join(current)))
            current, separator = [], "\n"
        current.append(line)
    if current:
        blocks.append((separator, "\n".join(current)))
    split = []
    for sep, block in blocks:
        parts = _split_table(block, budget) if _markdown_height(block) > budget else [block]
        split += [(sep if i == 0 else "\n\n", part) for i, part in enumerate(parts)]
    pieces, chunk = [], ""
    for sep, block in split:
        table_break = block.startswith("|") and chunk.rstrip().split("\n")[-1].startswith("|")
        if chunk and (_markdown_height(chunk + sep + block) > budget or table_break):
            pieces.append(chunk)
            chunk = ""
        chunk = chunk + sep + block if chunk else block
    return [*pieces, chunk] if chunk else pieces


def _split_cell(cell, state, budget) -> list:
    """Pieces of ``cell``, each estimated to fit in ``budget`` where the content allows it.

    A long code cell is cut between lines (the last piece keeps the outputs); code and outputs
    that do not fit together go to separate pieces (outputs shown without their code again); a long
    text output is cut between lines; a long markdown cell is cut between paragraphs.
    """
    if estimate_height(cell, state) <= budget:
        return [cell]
    if cell.cell_type == "markdown":
        pieces = _split_markdown(cell.source, budget)
        if len(pieces) < 2:
            return [cell]
        first = copy.deepcopy(cell)
        first.source = pieces[0]
        return [first, *(_copy_cell(cell, source=p) for p in pieces[1:])]
    if cell.cell_type != "code":
        return [cell]
    outputs = [] if "remove-output" in cell.metadata.get("tags", []) else list(cell.get("outputs", []))
    code = copy.deepcopy(cell)
    code.outputs = []
    size, leading = SIZES["code"]
    inputs = []
    if _input_height(code) > budget:  # a long cell: its lines over several slides
        chunks, chunk = [], []
        for line in cell.source.rstrip("\n").split("\n"):
            if chunk and _text_lines("\n".join([*chunk, line]), size, 0.6) * size * leading + 16 > budget:
                chunks.append("\n".join(chunk))
                chunk = []
            chunk.append(line)
        chunks.append("\n".join(chunk))
        inputs = [_copy_cell(code, source=c) for c in chunks]
    elif _input_height(code) > 0:
        inputs = [code]
    pieces, current = inputs[:-1], (inputs[-1] if inputs else None)
    height = _input_height(current) if current is not None else 0.0
    # the outputs: with the (last piece of) code while they fit, then in cells without input; a long
    # text output cut between lines
    size, leading = SIZES["output"]
    for output in outputs:
        parts = [output]
        if output.output_type == "stream" and _output_height(output, state) > budget:
            lines = output.text.rstrip("\n").split("\n")
            per_slide = max(1, int((budget - 6) // (size * leading)))
            parts = []
            for i in range(0, len(lines), per_slide):
                part = copy.deepcopy(output)
                part.text = "\n".join(lines[i:i + per_slide]) + "\n"
                parts.append(part)
        for part in parts:
            h = _output_height(part, state)
            if current is not None and height > 0 and height + h > budget:
                pieces.append(current)
                current = None
            if current is None:
                current, height = new_output_cell([]), 0.0
            current.outputs.append(part)
            height += h
    if current is not None:
        pieces.append(current)
    if not pieces:
        return [cell]
    first_type = cell.metadata.get("slideshow", {}).get("slide_type", "-")
    for i, piece in enumerate(pieces):
        piece.metadata.setdefault("slideshow", {})["slide_type"] = first_type if i == 0 else "-"
    return pieces


def new_output_cell(outputs):
    """A code cell that shows only ``outputs`` (tagged ``remove-input``)."""
    from nbformat.v4 import new_code_cell

    cell = new_code_cell("", outputs=outputs)
    cell.metadata["tags"] = ["remove-input"]
    cell.metadata["slideshow"] = {"slide_type": "-"}
    return cell


def _title(cells) -> str:
    for cell in cells:
        if cell.cell_type == "markdown":
            match = re.match(r"^\s*#{1,6} +(.+)", cell.source)
            if match:
                return match.group(1).strip()
    return ""


def fit_slides(nb, budget: float | None = None) -> int:
    """Split every slide of notebook ``nb`` whose content would not fit on the screen, in place.

    The cells of a slide (or subslide) whose estimated height (:func:`estimate_height`) exceeds
    ``budget`` are spread over continuation subslides (a vertical slide below it, titled
    "<title> (continued)"), cells taller than a slide first cut into pieces (:func:`_split_cell`).
    Speaker notes stay with the cell they follow. Returns the number of continuation subslides
    added.
    """
    from nbformat.v4 import new_markdown_cell

    budget = SIZES["budget"] if budget is None else budget
    state = _widget_state(nb)
    groups = [[]]
    for cell in nb.cells:
        if cell.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide") and groups[-1]:
            groups.append([])
        groups[-1].append(cell)
    cells, added = [], 0
    for group in groups:
        title = _title(group)
        continued = f"{title} (continued)" if title else "(continued)"
        head_height = _markdown_height("### " + continued)
        pieces = [p for cell in group for p in _split_cell(cell, state, budget - head_height)]
        height = 0.0
        for piece in pieces:
            h = estimate_height(piece, state)
            if height > 0 and h > 0 and height + h > budget:
                heading = new_markdown_cell("### " + continued)
                heading.metadata["slideshow"] = {"slide_type": "subslide"}
                heading.metadata["tags"] = ["continued"]
                cells.append(heading)
                added += 1
                height = head_height
                if piece.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide"):
                    piece.metadata["slideshow"]["slide_type"] = "-"
            cells.append(piece)
            height += h
    nb.cells = cells
    return added


def _exporter(template_dir: Path | None = None):
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.TagRemovePreprocessor.remove_input_tags = {"remove-input", "hide-input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    config.TagRemovePreprocessor.enabled = True
    options = {}
    if template_dir is not None:
        options = {"extra_template_paths": [str(template_dir)], "template_file": "astrolab_reveal.html.j2"}
    exporter = SlidesExporter(config=config, reveal_scroll=False, exclude_input_prompt=True,
                              exclude_output_prompt=True, reveal_theme="white", **options)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    # nbconvert logs "Alternative text is missing on N image(s)" for every deck with a figure (the
    # notebooks' figures have none) and adds a generic one itself: not worth a line per deck
    quiet = logging.getLogger("coursetools.slides.nbconvert")
    quiet.setLevel(logging.ERROR)
    exporter.log = quiet
    return exporter


TEMPLATES = Path(__file__).resolve().parent / "templates" / "slides"


def _executed(nb, cache, path, execute, timeout):
    """``nb`` with the outputs of its executed copy in the jupyter-cache ``cache``, or executed now.

    Returns the notebook and where its outputs come from: "cache", "executed" or "none".
    """
    if cache is not None:
        from jupyter_cache import get_cache

        try:
            _, merged = get_cache(str(cache)).merge_match_into_notebook(nb)
            return merged, "cache"
        except KeyError:
            pass
    if execute:
        from nbclient import NotebookClient

        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(Path(path).resolve().parent)}}).execute()
        return nb, "executed"
    return nb, "none"


def build_slides(out_dir: str | Path, notebooks=None, execute: bool = False, *,
                 assets: Mapping[str, str] | None = None, timeout: int = 120,
                 cache: str | Path | None = "default", offline: bool = True,
                 report: dict | None = None) -> list[Path]:
    """Write a reveal.js slide deck (``<name>.slides.html``) for each notebook.

    Notebooks are annotated in memory first (:func:`annotate_notebook`), so a deck has one slide
    per section even for a notebook whose file carries no slide metadata yet. MyST fences and roles
    become plain markdown, hidden self-checks are dropped and ``hide-input`` cells show only their
    output.

    Outputs come from the executed notebooks that ``make test`` keeps in the book's jupyter-cache
    (``_build/.jupyter_cache``); a notebook not found there is executed when ``execute`` is True
    and otherwise shown without outputs. Standard error, download and progress messages and
    progress bars are dropped (:func:`clean_outputs`); a widget shows the snapshot of its saved state
    (rendered by the ``@jupyter-widgets/html-manager`` bundle).

    Every slide fits a 1280x720 screen: the content of a slide that would be taller is spread over
    continuation subslides (:func:`fit_slides`), code lines wrap, figures are scaled to fit.

    With ``offline`` (the default) the decks work without internet: reveal.js, require.js, the
    widget manager and MathJax 3 are copied into ``out_dir/_static`` (:mod:`coursetools.slides_assets`)
    and linked relatively; no deck loads anything from another host. An ``index.html`` linking every
    deck is written too.

    Parameters
    ----------
    out_dir : str or Path
        Output folder; decks mirror the notebooks' chapter folders inside it.
    notebooks : sequence of str or Path, optional
        Notebooks to convert (default: every notebook of the course, in toc order).
    execute : bool, default False
        Run each notebook that the cache lacks (in its own folder, fresh kernel).
    assets : mapping of str to str, optional
        Override where the decks load a script or style sheet from, by
        :class:`nbconvert.SlidesExporter` setting (:data:`ASSETS`): a URL, or a path relative to
        ``out_dir``.
    timeout : int, default 120
        Seconds allowed per cell when a notebook is executed.
    cache : str or Path or None, default "default"
        The jupyter-cache folder to take outputs from ("default": the course's
        ``_build/.jupyter_cache`` when it exists; None: none).
    offline : bool, default True
        Copy the decks' scripts into ``out_dir/_static`` and use the course's template; False
        gives nbconvert's own template, which loads everything from CDNs.
    report : dict, optional
        Filled with ``{deck path: {"outputs": "cache"|"executed"|"none", "continued": n,
        "cleaned": n}}``.

    Returns
    -------
    list of Path
        The decks written, in the order of ``notebooks``.
    """
    import html

    import nbformat

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
    if not isinstance(offline, bool):
        raise TypeError(f"offline must be True or False, got {offline!r}")
    try:
        base = course_root() / "notebooks"
    except FileNotFoundError:
        base = None
    if isinstance(cache, str) and cache == "default":
        cache = base.parent / "_build" / ".jupyter_cache" if base is not None else None
        cache = cache if cache is not None and (cache / "global.db").is_file() else None
    elif cache is not None:
        cache = Path(cache)
        if not (cache / "global.db").is_file():
            raise ValueError(f"cache must be a jupyter-cache folder (with global.db), got {str(cache)!r}")
    out_dir = Path(out_dir)
    resources_extra = {}
    if offline:
        local = {k: v for k, v in copy_assets(out_dir).items()}
        resources_extra = {"astrolab_css": (TEMPLATES / "astrolab.css").read_text(encoding="utf-8"),
                           "astrolab_width": SLIDE[0], "astrolab_height": SLIDE[1]}
        assets = {**local, **assets}
    exporter = _exporter(TEMPLATES if offline else None)
    written, without = [], []
    for path in paths:
        resolved = path.resolve()
        rel = resolved.relative_to(base) if base is not None and base in resolved.parents else Path(path.name)
        target = out_dir / rel.with_name(rel.stem + ".slides.html")
        nb = nbformat.read(path, as_version=4)
        nb, source = _executed(nb, cache, path, execute, timeout)
        if source == "none" and any(c.cell_type == "code" for c in nb.cells):
            without.append(path.name)
        nb.cells = [part for cell in nb.cells for part in _split_at_headings(cell)]
        nb = annotate_notebook(nb)
        cleaned = clean_outputs(nb)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                _myst_to_markdown(cell)
        nb.cells = [c for c in nb.cells if not (c.cell_type == "markdown" and not c.source.strip()
                                                and c.metadata.get("slideshow", {}).get("slide_type") == "skip")]
        nb.cells = [c for c in nb.cells if "remove-cell" not in c.metadata.get("tags", [])]
        continued = fit_slides(nb) if offline else 0
        for index, cell in enumerate(nb.cells):  # new cells (pieces, continuation titles) get an id
            if not cell.get("id"):
                cell["id"] = f"slide-cell-{index}"
        for trait, value in assets.items():
            setattr(exporter, trait, value if _is_url(value) else
                        os.path.relpath(out_dir / value, target.parent).replace(os.sep, "/"))
        resources = {"metadata": {"name": path.stem}, **resources_extra}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, body)
        written.append(target)
        if report is not None:
            report[target] = {"outputs": source, "continued": continued, "cleaned": cleaned}
    if without:
        logging.getLogger(__name__).warning(
            "%d of %d decks have no outputs (their notebooks are not in the jupyter-cache %s; run "
            "`make test`, or build with execute=True / --execute): %s", len(without), len(written),
            cache, ", ".join(without))
    links = "\n".join(f'<li><a href="{html.escape(p.relative_to(out_dir).as_posix())}">'
                      f"{html.escape(p.relative_to(out_dir).as_posix())}</a></li>" for p in written)
    write_text_atomic(out_dir / "index.html",
                      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<title>astrolab slides</title></head>\n<body><h1>astrolab slides</h1>\n"
                      f"<ul>\n{links}\n</ul>\n</body></html>\n")
    return written
