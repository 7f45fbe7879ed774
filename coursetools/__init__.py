"""Course tooling: what builds and checks the course, not what students import.

Kept out of the ``astrolab`` package on purpose (students tab-complete ``astrolab``; none of this is
for them). The Makefile calls it from the repository root::

    python -m coursetools student --out _build/student   # the student edition (no solutions)
    python -m coursetools slides --out _build/slides     # lecture mode (reveal.js decks)

Modules: :mod:`coursetools.course` (table of contents, student edition, command line),
:mod:`coursetools.slides` (slide metadata and decks), :mod:`coursetools.alt_text` (alt text of
figures in the book), :mod:`coursetools.sphinx_fixes` (a Sphinx extension of the book) and
:mod:`coursetools.nbcache` (a pytest plugin: execute each notebook once, validate it with nbval and
keep its outputs in the book's jupyter-cache).
"""
