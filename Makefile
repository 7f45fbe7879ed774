# astrolab: every target creates .venv on first use and reuses it afterwards.
#   make lab      start JupyterLab on the notebooks
#   make test     unit tests + every notebook (nbval), in parallel
#   make book     build the Jupyter Book (zero warnings allowed)
#   make student  write the student edition (no solutions) to _build/student/
#   make bench    side-by-side speed comparisons, printed as a markdown table
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

.PHONY: lab test test-unit test-notebooks book student bench constraints clean distclean

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

test: test-unit test-notebooks

test-unit: $(STAMP)
	$(PYTEST) tests astrolab --doctest-modules

test-notebooks: $(STAMP) $(OFFLINE_STARTUP)
	IPYTHONDIR=$(OFFLINE_IPYTHONDIR) $(PYTEST) --nbval-lax --dist loadfile notebooks

book: $(STAMP)
	$(BIN)/jupyter-book build . --config jupyter-book.yml --toc toc.yml -W --keep-going

student: $(STAMP)
	$(BIN)/python -m astrolab.course student --out _build/student

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Re-pin constraints.txt after a change of dependencies in pyproject.toml.
constraints: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | $(BIN)/python -m astrolab.course constraints > constraints.txt.tmp
	mv constraints.txt.tmp constraints.txt

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
