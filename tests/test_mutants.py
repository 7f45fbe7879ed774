"""The mutation registry (coursetools/mutants) is complete and every mutant applies.

Running the mutants takes half an hour (``make mutants``); these checks take a second and keep the
registry in step with the notebooks: a notebook edit that moves the text a mutant replaces fails here.
"""

import nbformat
import pytest

from coursetools import mutants as mut
from coursetools.course import toc_notebooks


def _id(path):
    return f"{path.parent.name[:2]}-{path.name[:2]}"


def test_every_notebook_has_its_mutants():
    counts = {}
    for m in mut.registry():
        counts[m.notebook] = counts.get(m.notebook, 0) + 1
    for path in toc_notebooks():
        needed = 2 if path.parent.name[:2] in {"03", "04", "05", "06"} else 1
        assert counts.get(_id(path), 0) >= needed, \
            f"{path.name}: {counts.get(_id(path), 0)} mutants, at least {needed} wanted"


@pytest.mark.parametrize("mutant", mut.registry(), ids=lambda m: m.id)
def test_mutant_applies(mutant):
    nb = nbformat.read(mut.notebook_path(mutant.notebook), as_version=4)
    planted = mut.plant(mutant, nb)
    assert planted != nb
    assert [c.source for c in planted.cells if mut.is_check_cell(c)] == \
        [c.source for c in nb.cells if mut.is_check_cell(c)], "a mutant edited a self-check"


def test_a_mutant_must_not_touch_a_self_check():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("assert x == 1", metadata={"tags": ["remove-cell"]})])
    with pytest.raises(ValueError, match="self-check cells only"):
        mut.plant(mut.Mutant("04-01", "weaken", "b", replace=[("assert x == 1", "pass")]), nb)
    with pytest.raises(ValueError, match="2 times"):
        mut.plant(mut.Mutant("04-01", "twice", "b", replace=[("x", "y")]),
                  nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = x")]))
    for bad in ({"notebook": "4-1"}, {"name": "Has Space"}, {"replace": ()}):
        with pytest.raises(ValueError):
            mut.Mutant(**{"notebook": "04-01", "name": "n", "bug": "b", "replace": [("a", "b")], **bad})


def test_assert_line_reads_the_failing_line():
    tb = ["AssertionError   Traceback", "Cell In[3], line 2\n      1 assert a\n----> 2 assert b < 1, b\n"]
    assert mut._assert_line(tb) == "assert b < 1, b"
