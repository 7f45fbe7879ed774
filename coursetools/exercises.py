"""The notebooks' side of :mod:`astrolab.exercises`: find exercise blocks, keep solutions in sync.

Command line::

    python -m coursetools exercises-sync notebooks/01-big-data/02-exponential-growth.ipynb
    python -m coursetools exercises-sync --check          # exit 1 if any notebook is out of sync

A notebook's solution cell (tagged ``solution``, inside ``{solution-start} label`` ...
``{solution-end}``) must hold exactly the exercise's ``solution`` text from the package: the book's
dropdown and ``ex.<label>.solution()`` then show the same code. ``exercises-sync`` writes the
package's text into the notebook (the package is the one source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ExerciseBlock", "exercise_blocks", "sync_solutions", "notebook_id_of"]

_FIRST = re.compile(r"^(`{3,}|:{3,})\{(exercise-start|solution-start)\}\s*(.*)$")
_LABEL = re.compile(r"^:label:\s*(\S+)\s*$", re.M)


def notebook_id_of(path) -> str:
    """``"CC-NN"`` of a course notebook ``notebooks/CC-chapter/NN-name.ipynb``."""
    path = Path(path)
    return f"{path.parent.name[:2]}-{path.name[:2]}"


@dataclass
class ExerciseBlock:
    """One exercise of a notebook: its label and title, and the indices of its cells."""

    label: str
    title: str
    cells: list = field(default_factory=list)            # between {exercise-start} and {exercise-end}
    solution_cells: list = field(default_factory=list)   # code cells of its {solution-start} block


def exercise_blocks(nb) -> dict[str, ExerciseBlock]:
    """The exercise blocks of notebook ``nb`` (an nbformat node), by label, in order."""
    blocks: dict[str, ExerciseBlock] = {}
    current, mode = None, None
    for i, cell in enumerate(nb.cells):
        first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "markdown" else ""
        m = _FIRST.match(first)
        if m and m.group(2) == "exercise-start":
            label = _LABEL.search(cell.source)
            if not label:
                raise ValueError(f"an {{exercise-start}} cell ({cell.get('id', i)}) has no :label:")
            current = ExerciseBlock(label.group(1), m.group(3).strip())
            blocks[current.label] = current
            mode = "exercise"
            continue
        if m and m.group(2) == "solution-start":
            label = m.group(3).strip()
            if label not in blocks:
                raise ValueError(f"a {{solution-start}} for {label!r} has no exercise before it")
            current, mode = blocks[label], "solution"
            continue
        if re.match(r"^(`{3,}|:{3,})\{(exercise-end|solution-end)\}", first):
            mode = None
            continue
        if mode == "exercise":
            current.cells.append(i)
        elif mode == "solution" and cell.cell_type == "code":
            current.solution_cells.append(i)
    return blocks


def sync_solutions(path, *, check: bool = False) -> list[str]:
    """Write each exercise's package solution into the notebook's solution cell; return what changed.

    With ``check=True`` nothing is written: the labels that are out of sync are returned.
    """
    import nbformat

    from astrolab._paths import write_text_atomic
    from astrolab.exercises import registry

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    defined = registry(notebook_id_of(path))
    changed = []
    for label, block in exercise_blocks(nb).items():
        if label not in defined:
            raise ValueError(f"{path.name}: exercise {label!r} is not defined in astrolab.exercises")
        if len(block.solution_cells) != 1:
            raise ValueError(f"{path.name}: exercise {label!r} needs exactly one solution code cell, "
                             f"found {len(block.solution_cells)}")
        cell = nb.cells[block.solution_cells[0]]
        if cell.source != defined[label].solution:
            changed.append(label)
            cell.source = defined[label].solution
    if changed and not check:
        write_text_atomic(path, nbformat.writes(nb) + "\n")
    return changed
