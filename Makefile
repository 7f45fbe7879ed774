# astrolab: every target creates .venv on first use and reuses it afterwards.
#   make lab      start JupyterLab on the notebooks
#   make test     unit tests and every notebook (nbval), in parallel, then the book build and its
#                 browser tests (make test-browser: only those)
#   make book     build the Jupyter Book (zero warnings allowed)
#   make student  write the student edition (no solutions) to _build/student/
#   make bench    side-by-side speed comparisons, then every notebook's run time and peak memory
#   make slides   lecture mode: a reveal.js deck of every notebook in _build/slides/
#   make budget   only the notebooks' run time and peak memory (a report: <= 60 s each, <= 10 min in all)
#   make clean    remove build products (keeps .venv); make distclean removes .venv too

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
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

# Notebooks run in kernels whose IPython profile blocks every non-loopback connection.
OFFLINE_IPYTHONDIR := $(abspath $(VENV))/ipython-offline
OFFLINE_STARTUP    := $(OFFLINE_IPYTHONDIR)/profile_default/startup/00-block-network.py

.PHONY: lab test test-unit test-browser test-notebooks book student bench budget slides constraints clean distclean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e ".[dev]"
	@touch $(STAMP)

$(OFFLINE_STARTUP): tests/offline_guard.py
	@mkdir -p $(dir $@)
	cp tests/offline_guard.py $@

# JupyterLab refuses to run as root unless told (containers, cloud machines).
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_FLAGS)

test: test-unit test-notebooks test-browser

# The book and browser tests (marker "book": tests/test_book.py, tests/test_browser.py) share one
# build of the book (_build/test-book, with its jupyter-cache, so a rebuild re-executes only changed
# notebooks). They run on their own, after the rest: the build executes the notebooks one by one, and
# inside the -n auto pool it would hold one worker and the tests queued behind it for ten minutes.
# Their screenshots go to $(SCREENSHOTS).
SCREENSHOTS ?= _build/screenshots

test-unit: $(STAMP)
	$(PYTEST) -m "not book" tests astrolab --doctest-modules

test-browser: $(STAMP)
	ASTROLAB_SCREENSHOTS=$(abspath $(SCREENSHOTS)) MPLBACKEND=agg OMP_NUM_THREADS=1 \
	  $(BIN)/python -m pytest -p no:cacheprovider --durations=10 -m book tests/test_book.py tests/test_browser.py

test-notebooks: $(STAMP) $(OFFLINE_STARTUP)
	IPYTHONDIR=$(OFFLINE_IPYTHONDIR) $(PYTEST) --nbval-lax --dist loadfile notebooks

book: $(STAMP)
	$(BIN)/jupyter-book build . --config jupyter-book.yml --toc toc.yml -W --keep-going

student: $(STAMP)
	$(BIN)/python -m astrolab.course student --out _build/student

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	@mkdir -p _build
	$(BIN)/python benchmarks/notebook_budget.py --output _build/notebook-budget.md

budget: $(STAMP)
	@mkdir -p _build
	$(BIN)/python benchmarks/notebook_budget.py --output _build/notebook-budget.md

# Lecture mode: reveal.js decks of every notebook (python -m astrolab.course slides --execute for outputs)
slides: $(STAMP)
	$(BIN)/python -m astrolab.course slides --out _build/slides

# Re-pin constraints.txt after a change of dependencies in pyproject.toml.
constraints: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | $(BIN)/python -m astrolab.course constraints > constraints.txt.tmp
	mv constraints.txt.tmp constraints.txt

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
