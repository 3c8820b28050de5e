# The course's two commands are `make lab` and `make test` (see README.md).
# Both create .venv on first use, repair it if it is half-built, and are safe to re-run.

SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.ctlib-installed
EXTRAS  := course,synth,test,book,lint
# Importing these proves the environment is complete (a half-finished install fails here).
CHECK   := import ctlib, pydicom, numpy, scipy, skimage, nilearn, PIL, pytest, nbval, hypothesis, yaml, jupyterlab, ipywidgets, matplotlib, pandas, tqdm, playwright, jupyter_book, mypy, ruff

# JupyterLab refuses to run as root unless told; with no display, opening a browser would
# at best fail and at worst start a text browser in this terminal, so only print the URL.
LAB_FLAGS := --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 --LabApp.news_url=None \
             --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate
ifeq ($(shell id -u),0)
LAB_FLAGS += --allow-root
endif
ifeq ($(DISPLAY)$(WAYLAND_DISPLAY),)
ifneq ($(shell uname -s),Darwin)
LAB_FLAGS += --no-browser
endif
endif

# The full synthetic data set: rebuilt when missing, or when its recipe or generator changed.
DATA     := data/synthetic/manifest.json
DATA_SRC := data/recipe.toml $(wildcard ctlib/synth/*.py)

# The reading site: Jupyter Book 1, source folder = the repository (so the notebooks are read where
# they are, and launch buttons point at their real paths), configuration in book/, output in
# book/_build/html. Built from the committed outputs (nothing is executed), with no network.
BOOK_FLAGS := --config book/_config.yml --toc book/_toc.yml --path-output book

.PHONY: help lab test lint book bench realism venv data notebooks clean

help:
	@echo "make lab    set up .venv if needed, then start JupyterLab on notebooks/"
	@echo "make test   set up .venv if needed, then run every test (unit, doctest, notebooks)"
	@echo "make data   (re)build the synthetic data set in data/synthetic (about a minute)"
	@echo "make bench  print speed ratios of ctlib against naive code (not a test): window, viewer, series, header table"
	@echo "make realism  measure the synthetic set as a radiologist would, beside literature and real-slice ranges"
	@echo "make notebooks  re-execute every notebook in place (after editing one)"
	@echo "make book  build the reading site (static HTML, committed outputs) in book/_build/html"
	@echo "make clean  remove .venv and caches"

venv:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python >= 3.11 is needed; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
	         "Run: make PYTHON=python3.11 ..." >&2; exit 1; }
	@if ! $(PY) -c 'import sys' 2>/dev/null; then \
	  echo "Creating $(VENV) ..."; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); \
	fi
	@if [ ! -f $(STAMP) ] || [ pyproject.toml -nt $(STAMP) ] || \
	    ! $(PY) -c '$(CHECK)' 2>/dev/null; then \
	  echo "Installing ctlib and the course's packages into $(VENV) ..."; \
	  rm -f $(STAMP); \
	  $(PY) -m pip install --disable-pip-version-check -q -e '.[$(EXTRAS)]' && touch $(STAMP); \
	fi

data: venv
	$(PY) -m ctlib.synth --out data/synthetic

$(DATA): $(DATA_SRC) | venv
	$(PY) -m ctlib.synth --out data/synthetic

lab: venv $(DATA)
	$(PY) -m jupyter lab $(LAB_FLAGS)

test: venv $(DATA) lint
	$(PY) -m pytest

# Part of `make test`: style and types, over the package, its tests and the tools.
lint: venv
	$(PY) -m ruff check ctlib tests tools benchmarks
	$(PY) -m mypy --strict ctlib

notebooks: venv $(DATA)
	$(PY) tools/run_notebooks.py

# Always a clean build (a few seconds): no stale page survives a change to the table of contents.
# -W: a warning (a broken link or reference) fails the build.
book: venv
	rm -rf book/_build
	$(VENV)/bin/jupyter-book build . $(BOOK_FLAGS) -W --keep-going

bench: venv $(DATA)
	$(PY) benchmarks/bench_import.py
	@echo
	$(PY) benchmarks/bench_window.py
	@echo
	$(PY) benchmarks/bench_viewer.py
	@echo
	$(PY) benchmarks/bench_series.py
	@echo
	$(PY) benchmarks/bench_metadata.py
	@echo
	$(PY) benchmarks/bench_prepare.py
	@echo
	$(PY) -m pytest -q -s -p no:cacheprovider tests/browser/test_viewer_latency.py

realism: venv $(DATA)
	$(PY) -m ctlib.synth.realism data/synthetic

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info data/synthetic book/_build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
