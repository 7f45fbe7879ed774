"""Alt text for the figures of the course notebooks in the Jupyter Book.

MyST-NB renders a matplotlib output as ``<img>``; without help its ``alt`` attribute is the image's
file name, which tells a screen-reader user nothing. MyST-NB (1.x) reads image options from the
code cell's metadata::

    "metadata": {"mystnb": {"image": {"alt": "Explained variance: ten components reach the noise"}}}

:func:`annotate_alt_text` writes that metadata for every code cell that makes a figure, with text
taken from the figure's own titles (``set_title``, ``suptitle``, ``plt.title``, ``title=``), or,
when the cell sets none, from the section heading above the cell and the axis labels. It is
deterministic and idempotent, and it never replaces alt text that is already there: write a better
description by hand in the cell metadata and it is kept.

Run it on the notebooks with::

    python -m coursetools.alt_text notebooks
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

__all__ = ["annotate_alt_text", "figure_alt_text", "has_alt_text", "is_figure_cell"]

#: Cells with these tags never show their outputs in the book, so their figures need no alt text.
HIDDEN_OUTPUT_TAGS = frozenset({"remove-cell", "remove-output"})
MAX_ALT_LENGTH = 300
_FIGURE_HINTS = ("plt.", ".plot(", "imshow", "fig")
_TITLE_CALLS = ("suptitle", "set_title", "title")
_XLABEL_CALLS = ("set_xlabel", "xlabel")
_YLABEL_CALLS = ("set_ylabel", "ylabel")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def is_figure_cell(cell: dict) -> bool:
    """Whether a notebook cell draws a matplotlib figure that reaches the book.

    Parameters
    ----------
    cell : dict
        A notebook cell (a plain dict or an ``nbformat.NotebookNode``).

    Returns
    -------
    bool
        True for a code cell that calls ``plt.show()`` and uses ``plt.``, ``.plot(``, ``imshow`` or a
        figure, unless it is tagged ``remove-cell`` or ``remove-output``.

    Examples
    --------
    >>> is_figure_cell({"cell_type": "code", "metadata": {}, "source": "plt.plot(x)\\nplt.show()"})
    True
    >>> is_figure_cell({"cell_type": "code", "metadata": {}, "source": "print(x)"})
    False
    """
    if cell.get("cell_type") != "code":
        return False
    if HIDDEN_OUTPUT_TAGS & set(cell.get("metadata", {}).get("tags", [])):
        return False
    source = _source(cell)
    return "plt.show()" in source and any(hint in source for hint in _FIGURE_HINTS)


def has_alt_text(cell: dict) -> bool:
    """Whether a cell's metadata already gives its image outputs a non-empty alt text.

    Examples
    --------
    >>> has_alt_text({"metadata": {"mystnb": {"image": {"alt": "A light curve"}}}})
    True
    >>> has_alt_text({"metadata": {}})
    False
    """
    image = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
    alt = image.get("alt") if isinstance(image, dict) else None
    return isinstance(alt, str) and bool(alt.strip())


def _clean(text: str) -> str:
    """Plain words from a matplotlib label: no mathtext dollars, backslashes, braces or line breaks."""
    text = text.replace("$", "")
    text = re.sub(r"\\(?:mathrm|mathit|mathbf|mathcal|rm|it|bf|text)\b", "", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _literal_text(node: ast.AST) -> str | None:
    """The text of a string literal; an f-string keeps its literal parts and shows values as '…'."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append("…")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "a" "b" + "c"
        left, right = _literal_text(node.left), _literal_text(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _is_informative(text: str, min_words: int = 2) -> bool:
    """Enough words of literal text, not starting with a value (skips f"{name}: {b}")."""
    text = text.strip()
    if not text or text.startswith("…"):
        return False
    return len(re.findall(r"[^\W\d_]{2,}", text.replace("…", " "))) >= min_words


def _call_name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _parse(source: str) -> ast.Module | None:
    # IPython magics and shell escapes are not Python: blank them out, keeping line numbers.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _figure_texts(source: str) -> tuple[list[str], list[str], list[str]]:
    """Titles (suptitles first), x labels and y labels written as literals in a cell, in order."""
    tree = _parse(source)
    if tree is None:
        return [], [], []
    calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)),
                   key=lambda node: (node.lineno, node.col_offset))
    suptitles, titles, xlabels, ylabels = [], [], [], []
    for call in calls:
        name = _call_name(call.func)
        found = {"title": [], "xlabel": [], "ylabel": []}
        if name in _TITLE_CALLS and call.args:
            found["title"].append(call.args[0])
        if name in _XLABEL_CALLS and call.args:
            found["xlabel"].append(call.args[0])
        if name in _YLABEL_CALLS and call.args:
            found["ylabel"].append(call.args[0])
        if name == "label_axes" and len(call.args) >= 3:  # al.plotting.label_axes(ax, x, y, title)
            found["xlabel"].append(call.args[1])
            found["ylabel"].append(call.args[2])
            if len(call.args) >= 4:
                found["title"].append(call.args[3])
        for keyword in call.keywords:
            if keyword.arg in found and not (name == "legend" and keyword.arg == "title"):
                found[keyword.arg].append(keyword.value)
        for kind, nodes in found.items():
            for node in nodes:
                text = _literal_text(node)
                if text is None or not _is_informative(text, 2 if kind == "title" else 1):
                    continue
                text = _clean(text)
                target = {"xlabel": xlabels, "ylabel": ylabels}.get(kind)
                if target is None:
                    target = suptitles if name == "suptitle" else titles
                if text not in target:
                    target.append(text)
    return suptitles + [t for t in titles if t not in suptitles], xlabels, ylabels


def _heading_before(cells: list[dict], index: int) -> str | None:
    """The last markdown heading above cell ``index`` (or None)."""
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") != "markdown":
            continue
        headings = [line for line in _source(cell).splitlines() if re.match(r"#{1,6}\s", line)]
        if headings:
            text = headings[-1].lstrip("#").strip()
            text = re.sub(r"[*`]|(?<!\w)_+|_+(?!\w)", "", text)  # emphasis and code marks
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](link) -> text
            return _clean(text)
    return None


def _shorten(text: str, limit: int = MAX_ALT_LENGTH) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def figure_alt_text(cells: list[dict], index: int) -> str:
    """Alt text for the figure made by ``cells[index]``.

    Parameters
    ----------
    cells : list of dict
        The cells of a notebook.
    index : int
        Position of the figure-making code cell.

    Returns
    -------
    str
        The figure's titles joined by "; " (suptitle first). Without a literal title: "Figure for
        the section '<heading>'", followed by "plotting <y label> against <x label>" when the cell
        labels its axes.

    Examples
    --------
    >>> cells = [{"cell_type": "markdown", "source": "## The data"},
    ...          {"cell_type": "code", "source": 'ax.set_title("Flux rises with time")\\nplt.show()'}]
    >>> figure_alt_text(cells, 1)
    'Flux rises with time'
    >>> cells[1]["source"] = 'ax.set(xlabel="time [d]", ylabel="flux [Jy]")\\nplt.show()'
    >>> figure_alt_text(cells, 1)
    "Figure for the section 'The data', plotting flux [Jy] against time [d]"
    """
    if not 0 <= index < len(cells):
        raise ValueError(f"index must be between 0 and {len(cells) - 1}, got {index}")
    titles, xlabels, ylabels = _figure_texts(_source(cells[index]))
    if titles:
        return _shorten("; ".join(titles))
    heading = _heading_before(cells, index)
    text = f"Figure for the section '{heading}'" if heading else "Figure"
    if xlabels and ylabels:
        text += f", plotting {ylabels[0]} against {xlabels[0]}"
    return _shorten(text)


def _with_key(mapping: dict, key: str, value) -> dict:
    """A copy of ``mapping`` with ``key`` set; a new key goes where sorted keys put it.

    nbformat and JupyterLab write metadata keys sorted, so a notebook saved later keeps its layout.
    """
    if key in mapping:
        return {k: (value if k == key else v) for k, v in mapping.items()}
    items = list(mapping.items())
    at = next((i for i, (k, _) in enumerate(items) if k > key), len(items))
    return dict(items[:at] + [(key, value)] + items[at:])


def annotate_alt_text(notebook_path: str | Path) -> list[str]:
    """Give every figure-making code cell of a notebook alt text for its images in the book.

    Sets ``cell.metadata["mystnb"]["image"]["alt"]`` (read by MyST-NB when it renders the cell's
    image outputs) to :func:`figure_alt_text` for each cell where :func:`is_figure_cell` holds and
    no alt text is set yet. Cells that already have alt text, written by hand or by an earlier run,
    are left alone, so running it twice changes nothing. The notebook is rewritten only when a cell
    changed, in the repository's JSON layout (indent 1, UTF-8 kept, key order kept, final newline).

    Parameters
    ----------
    notebook_path : str or Path
        An ``.ipynb`` file.

    Returns
    -------
    list of str
        The ids (or, for cells without one, the positions) of the cells that were annotated.
    """
    path = Path(notebook_path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"notebook_path must be an existing .ipynb file, got {str(notebook_path)!r}")
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    cells = nb.get("cells", [])
    changed = []
    for index, cell in enumerate(cells):
        if not is_figure_cell(cell) or has_alt_text(cell):
            continue
        alt = figure_alt_text(cells, index)
        metadata = cell.get("metadata", {})
        mystnb = metadata.get("mystnb", {})
        image = mystnb.get("image", {})
        image = _with_key(image, "alt", alt)
        mystnb = _with_key(mystnb, "image", image)
        cell["metadata"] = _with_key(metadata, "mystnb", mystnb)
        changed.append(str(cell.get("id", index)))
    if changed:
        new_text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        tmp = path.with_name(f".{path.name}.alt.tmp")
        tmp.write_text(new_text, encoding="utf-8")
        tmp.replace(path)
    return changed


def _notebooks(paths: Iterable[str | Path]) -> list[Path]:
    found = []
    for item in map(Path, paths):
        if item.is_dir():
            found += sorted(p for p in item.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(item)
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m coursetools.alt_text PATH...``: annotate the notebooks in files or folders."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m coursetools.alt_text NOTEBOOK_OR_FOLDER...", file=sys.stderr)
        return 2
    total = 0
    for path in _notebooks(args):
        changed = annotate_alt_text(path)
        total += len(changed)
        if changed:
            print(f"{path}: alt text for {len(changed)} figure cell(s)")
    print(f"{total} cell(s) annotated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
