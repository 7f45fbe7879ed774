# astrolab: every target creates .venv on first use, installs what it needs once, and reuses it.
#   make lab      start JupyterLab on your copy of the course, my-notebooks/ (the student edition,
#                 written once; installs only what the notebooks need, and RISE: View > Render as
#                 Reveal Slideshow, or alt+r, presents a notebook as live slides)
#   make lab-instructor  JupyterLab on the sources, notebooks/ (solutions and hidden checks)
#   make test     unit tests, doctests, the student edition and every notebook (nbval), in parallel;
#                 each notebook is executed once and its outputs are kept for the book, which is then
#                 built (without executing anything) and tested in a real browser. A second run
#                 re-executes only the notebooks whose code (or astrolab) changed.
#   make book     build the Jupyter Book (zero warnings allowed), reusing the executed notebooks
#   make student  write the student edition (no solutions) to _build/student/
#   make bench    side-by-side speed comparisons, then every notebook's run time and peak memory
#   make slides   lecture mode: a reveal.js deck of every notebook in _build/slides/ (offline, 1280x720)
#   make budget   only the notebooks' run time and peak memory (a report: <= 60 s each, <= 10 min in all)
#   make mutants  planted bugs: each runs a notebook whose self-check must fail (not in make test)
#   make clean    remove build products (keeps .venv); make distclean removes .venv too

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --progress-bar off -c constraints.txt
# pytest-xdist already runs one test (or notebook) per core: one BLAS/OpenMP thread each, or the
# threads of parallel kernels fight over the cores and everything runs several times slower.
PYTEST := MPLBACKEND=agg OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
          $(BIN)/python -m pytest -p no:cacheprovider -n auto --durations=15

# A local mirror of the real data sets, used when present (development and CI machines).
MIRROR := $(abspath $(wildcard ../shared/realdata))
ifneq ($(MIRROR),)
export ASTROLAB_MIRROR ?= $(MIRROR)
endif

# Installs, one stamp each: `make lab` installs the course alone (the notebooks' imports and
# JupyterLab); test, book, bench and dev add their extras (pyproject.toml) to the same .venv.
EXTRAS_lab   := [lecture]
EXTRAS_test  := [test,book]
EXTRAS_book  := [book]
EXTRAS_bench := [bench]
EXTRAS_dev   := [dev]
# RISE (lecture mode) gets the labextension astrolab-rise-widgets, without which widgets show as text
# on its slides (coursetools/labextensions/), and the reveal.js theme "white", whose fonts it bundles
# (its default theme loads Google Fonts).
LABEXT := $(VENV)/share/jupyter/labextensions
$(VENV)/.installed-%: pyproject.toml constraints.txt $(wildcard coursetools/labextensions/*/package.json coursetools/labextensions/*/static/*.js coursetools/labextensions/overrides.json)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e ".$(EXTRAS_$*)"
	@mkdir -p $(LABEXT) $(VENV)/share/jupyter/lab/settings
	rm -rf $(LABEXT)/astrolab-rise-widgets && cp -R coursetools/labextensions/astrolab-rise-widgets $(LABEXT)/
	cp coursetools/labextensions/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

# Notebooks run in kernels whose IPython profile blocks every non-loopback connection and draws
# figures inline (as JupyterLab and the book do), so that their outputs can serve the book.
OFFLINE_IPYTHONDIR := $(abspath $(VENV))/ipython-offline
OFFLINE_STARTUP    := $(OFFLINE_IPYTHONDIR)/profile_default/startup/00-block-network.py
FIGURES_STARTUP    := $(OFFLINE_IPYTHONDIR)/profile_default/startup/01-inline-figures.py
# The book's jupyter-cache (execute.cache in jupyter-book.yml): coursetools.nbcache stores every
# notebook that nbval executed and passed there, and skips notebooks that passed with the same sources.
NB_CACHE := _build/.jupyter_cache
NBVAL    := --nbval-lax -p coursetools.nbcache --nb-cache $(NB_CACHE) --nb-student --dist loadfile

.PHONY: lab lab-instructor test test-unit test-browser test-notebooks book student bench budget mutants slides constraints clean distclean

$(OFFLINE_STARTUP): tests/offline_guard.py
	@mkdir -p $(dir $@)
	cp tests/offline_guard.py $@

$(FIGURES_STARTUP): tests/kernel_figures.py
	@mkdir -p $(dir $@)
	cp tests/kernel_figures.py $@

# JupyterLab refuses to run as root unless told (containers, cloud machines).
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Learners work in my-notebooks/: the student edition (no solutions, no hidden checks), written once;
# a notebook already there is never overwritten. Instructors and lecturers open the sources.
STUDENT_DIR := my-notebooks
lab: $(VENV)/.installed-lab
	$(BIN)/python -m coursetools student --out $(STUDENT_DIR) --keep-existing
	$(BIN)/jupyter lab --ServerApp.root_dir=$(STUDENT_DIR) $(LAB_FLAGS)

lab-instructor: $(VENV)/.installed-lab
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_FLAGS)

# One pytest run: unit tests, doctests, the student edition (tests/test_offline.py) and every notebook
# (nbval; all cells of a notebook in one worker), then the book and its browser tests, which must
# find every notebook executed already (ASTROLAB_BOOK_EXPECT_CACHED).
test: $(VENV)/.installed-test $(OFFLINE_STARTUP) $(FIGURES_STARTUP)
	IPYTHONDIR=$(OFFLINE_IPYTHONDIR) $(PYTEST) -m "not book" --doctest-modules $(NBVAL) tests astrolab notebooks
	@$(MAKE) --no-print-directory test-browser ASTROLAB_BOOK_EXPECT_CACHED=1

# The book and browser tests (marker "book": tests/test_book.py, tests/test_browser.py) share one
# build of the book (_build/test-book, with the shared jupyter-cache). They run on their own, after
# the rest: inside the -n auto pool the build would hold one worker and the tests queued behind it.
# Their screenshots go to $(SCREENSHOTS).
SCREENSHOTS ?= _build/screenshots

test-unit: $(VENV)/.installed-test
	$(PYTEST) -m "not book" tests astrolab --doctest-modules

test-browser: $(VENV)/.installed-test
	ASTROLAB_SCREENSHOTS=$(abspath $(SCREENSHOTS)) ASTROLAB_BOOK_EXPECT_CACHED=$(ASTROLAB_BOOK_EXPECT_CACHED) \
	  MPLBACKEND=agg OMP_NUM_THREADS=1 \
	  $(BIN)/python -m pytest -p no:cacheprovider --durations=10 -m book tests/test_book.py tests/test_browser.py

test-notebooks: $(VENV)/.installed-test $(OFFLINE_STARTUP) $(FIGURES_STARTUP)
	IPYTHONDIR=$(OFFLINE_IPYTHONDIR) $(PYTEST) $(NBVAL) notebooks

book: $(VENV)/.installed-book
	$(BIN)/jupyter-book build . --config jupyter-book.yml --toc toc.yml -W --keep-going

student: $(VENV)/.installed-test
	$(BIN)/python -m coursetools student --out _build/student

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py
	@mkdir -p _build
	$(BIN)/python benchmarks/notebook_budget.py --output _build/notebook-budget.md

budget: $(VENV)/.installed-bench
	@mkdir -p _build
	$(BIN)/python benchmarks/notebook_budget.py --output _build/notebook-budget.md

# The mutation suite (coursetools/mutants): each planted bug runs its notebook, whose self-check must
# fail. Every mutant must be killed; the report is _build/mutants.md. Not part of `make test` (about
# 30 min on 2 cores). ONLY=04-01 runs one notebook's mutants.
mutants: $(VENV)/.installed-test
	MPLBACKEND=agg $(BIN)/python -m coursetools mutants --jobs $(or $(JOBS),2) $(foreach o,$(ONLY),--only $(o))

# Lecture mode: reveal.js decks of every notebook that work offline (reveal.js, MathJax and the widget
# manager in _build/slides/_static) and fit a 1280x720 screen, with the outputs that `make test` keeps
# in the jupyter-cache (add --execute to run the notebooks it lacks)
slides: $(VENV)/.installed-test
	$(BIN)/python -m coursetools slides --out _build/slides

# Re-pin constraints.txt after a change of dependencies in pyproject.toml.
constraints: $(VENV)/.installed-dev
	$(BIN)/python -m pip freeze --exclude-editable | $(BIN)/python -m coursetools constraints > constraints.txt.tmp
	mv constraints.txt.tmp constraints.txt

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
