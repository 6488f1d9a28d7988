# capcalc developer tasks. `make test` works as the first command on a fresh clone:
# it creates the virtualenv and installs capcalc (editable) with its test extras.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.capcalc-installed

CHART_SCENARIOS ?= cortex-phase1 cortex-full cortex-full-gb200 tenfold
CHART_DIR       ?= charts/

# pytest: every test, in parallel (pytest-xdist; the browser tests share one worker and
# one Streamlit server, see tests/conftest.py), then the ten slowest.
PYTEST_ARGS      ?= -n auto --dist loadgroup --durations=10
# make test-fast: what runs in well under a minute, for while you work.
PYTEST_FAST_ARGS ?= -n auto -q -m "not slow and not browser"

export MPLBACKEND := Agg

.PHONY: help venv test test-fast lint pytest docs site dashboard charts bench clean install-check

help:
	@echo "make test       ruff check + mypy + pytest (creates $(VENV) on first use)"
	@echo "make test-fast  the quick tests only (no slow, no browser): under a minute"
	@echo "make lint       ruff check + mypy"
	@echo "make docs       regenerate the JSON Schemas, docs/assumptions.md and README tables"
	@echo "make site       build the documentation site into site/ (MkDocs, warnings are errors)"
	@echo "make dashboard  serve the dashboard on http://localhost:8501 (capcalc dashboard)"
	@echo "make charts     render the article scenarios into $(CHART_DIR)"
	@echo "make bench      run every benchmarks/*.py (installs the bench extra)"
	@echo "make install-check  build the wheel, install it in a fresh venv, run it from elsewhere"
	@echo "make clean      remove caches, build output and charts (keeps $(VENV))"

# The venv is (re)installed whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The browser tests run on their own, one at a time, after the rest: a page driven in real
# Chromium waits on Streamlit reruns, which other tests on the same cores slow past timeouts.
# No browser test is run again and no change is sent twice: a test that fails once fails.
BROWSER_ARGS ?= --durations=10
pytest: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS) -m "not browser"
	$(BIN)/python -m pytest $(BROWSER_ARGS) -m browser tests/browser

test: lint pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_FAST_ARGS)

docs: $(STAMP)
	$(BIN)/python -m calc.presentation.docs

# The suite builds the same site once (tests/presentation/test_docs_site.py), so `make test` checks it.
site: $(STAMP)
	$(BIN)/python -m mkdocs build --strict

dashboard: $(STAMP)
	$(BIN)/capcalc dashboard

install-check: $(STAMP)
	$(BIN)/python tests/install_check.py

charts: $(STAMP)
	$(BIN)/capcalc run $(CHART_SCENARIOS) --out $(CHART_DIR) --force

$(VENV)/.capcalc-bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@

bench: $(VENV)/.capcalc-bench-installed
	@set -e; found=0; for script in benchmarks/*.py; do \
	    [ -e "$$script" ] || continue; found=1; \
	    echo "== $$script"; $(BIN)/python "$$script"; \
	done; \
	[ $$found -eq 1 ] || echo "no benchmarks/*.py found"

clean:
	rm -rf build dist out charts site .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
