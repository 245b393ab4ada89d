# Everything starts from nothing: the first target that needs the venv creates it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_VENV := .venv-bench

.PHONY: help setup lab test lint unit nbval nbval-repeat notebooks notes serve-notes bench clean

# nbval re-runs every notebook and compares its text outputs with the stored ones.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
RUNS  ?= 3

help:
	@echo "make lab          open the course notebooks in JupyterLab"
	@echo "make test         run every check (lint, unit tests, notebooks with nbval, site build)"
	@echo "make bench        speed benchmark against micrograd"
	@echo "make notebooks    re-execute every notebook in place after code changes"
	@echo "make notes        build the lecture-notes site into lecture_notes/_build/html"
	@echo "make serve-notes  serve the built site on http://localhost:8000"

# The venv, with grad installed editable and every extra, pinned by constraints.txt.
# The stamp makes a second run a no-op.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[course,test,notes]'
	@touch $(STAMP)

setup: $(STAMP)
	@scripts/ensure-system-tools.sh

# The server's root is the repository, so the notebooks' links to ../lecture_notes/*.md open too.
lab: setup
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) \
	  --ServerApp.root_dir=. --ServerApp.default_url=/lab/tree/notebooks/01_derivatives.ipynb

LINTED := grad tests bench scripts conftest.py lecture_notes/conf.py lecture_notes/_figures
lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

unit: setup
	$(BIN)/python -m pytest -q tests

# Everything: lint, unit/property/parity tests, nbval on every notebook, the site build and browser check.
test: setup lint
	@scripts/ensure-system-tools.sh --browser
	$(BIN)/python -m pytest -q --doctest-modules grad lecture_notes/conf.py tests notebooks $(NBVAL)

nbval: setup
	$(BIN)/python -m pytest -q notebooks $(NBVAL)

# nbval $(RUNS) times in a row, to catch flaky (non-deterministic) outputs.
nbval-repeat: setup
	@for i in $$(seq $(RUNS)); do echo "== nbval run $$i of $(RUNS)"; \
	  $(BIN)/python -m pytest -q notebooks $(NBVAL) || exit 1; done

notebooks: setup
	$(BIN)/python scripts/run_notebooks.py notebooks

notes: setup
	$(BIN)/sphinx-build -W --keep-going -b html lecture_notes lecture_notes/_build/html

serve-notes: notes
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory lecture_notes/_build/html

$(BENCH_VENV)/.installed: pyproject.toml
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e . numpy micrograd==0.1.0
	@touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/bench.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) lecture_notes/_build
