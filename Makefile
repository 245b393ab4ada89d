# Everything starts from nothing: the first target that needs the venv creates it.
# `make help` lists every target with the line after its `##`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_VENV := .venv-bench

.PHONY: help setup lab test lint unit nbval nbval-repeat nbval-portable notebooks notes serve-notes bench clean

# nbval re-runs every notebook and compares its text outputs with the stored ones.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
RUNS  ?= 3

help: ## list the targets
	@echo "Targets (the first one you run sets up .venv/ by itself):"
	@awk -F':.*## ' '/^[a-z][a-z-]*:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The venv, with grad installed editable and every extra, pinned by constraints.txt. The stamp is
# written only after everything installed and imports, so an interrupted install is redone next time.
# A stamp in a venv that no longer works (its Python was removed or upgraded, the repository was moved,
# or PYTHON names another version) is stale: it is dropped here, so the venv is checked and rebuilt.
ifneq ($(wildcard $(STAMP)),)
ifneq ($(shell scripts/setup-venv.sh --check "$(PYTHON)" $(VENV) && echo ok),ok)
$(shell rm -f $(STAMP))
endif
endif
$(STAMP): pyproject.toml constraints.txt scripts/setup-venv.sh
	@rm -f $(STAMP)
	@scripts/setup-venv.sh "$(PYTHON)" $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[course,test,notes]'
	@$(BIN)/python -c "import grad.viz, jupyterlab, nbval, torch, sphinx"
	@touch $(STAMP)

setup: $(STAMP) ## create .venv/ and install everything (make lab and make test do it for you)
	@scripts/ensure-system-tools.sh

# The server's root is the repository, so the notebooks' links to ../lecture_notes/*.md open too.
# JupyterLab takes its landing page from LabApp.default_url (ServerApp's is overridden by it).
# tests/test_lab.py starts the server with exactly these arguments.
LAB_ARGS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/01_derivatives.ipynb
lab: setup ## open the course in JupyterLab, on notebook 01
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

LINTED := grad tests bench scripts conftest.py lecture_notes/conf.py lecture_notes/_figures
lint: $(STAMP) ## ruff: lint and formatting
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

unit: setup ## the unit, property and parity tests only (tests/)
	$(BIN)/python -m pytest -q tests

test: setup lint ## every check: lint, tests, doctests, nbval on every notebook, the site build and browser test
	@scripts/ensure-system-tools.sh --browser
	$(BIN)/python -m pytest -q --doctest-modules grad lecture_notes/conf.py tests notebooks $(NBVAL)

nbval: setup ## re-run every notebook and compare its outputs with the stored ones
	$(BIN)/python -m pytest -q notebooks $(NBVAL)

nbval-repeat: setup ## nbval RUNS times in a row (default 3), to catch non-deterministic outputs
	@for i in $$(seq $(RUNS)); do echo "== nbval run $$i of $(RUNS)"; \
	  $(BIN)/python -m pytest -q notebooks $(NBVAL) || exit 1; done

# Outputs must not depend on the CPU, torch's kernels, the thread count, the hash seed or the C math
# library: this run uses torch's generic kernels, one thread, a random hash seed (HASHSEED=n repeats
# one) and a math module whose exp, log, tanh, ... are one ulp off (scripts/perturbed_libm).
nbval-portable: setup ## nbval as on another machine: generic kernels, 1 thread, random hash seed, other libm
	@cap=$${ATEN_CPU_CAPABILITY:-default}; \
	  seed=$${HASHSEED:-$$($(BIN)/python -c 'import random; print(random.randint(1, 2**32 - 1))')}; \
	  echo "== nbval, portable: ATEN_CPU_CAPABILITY=$$cap OMP_NUM_THREADS=1 PYTHONHASHSEED=$$seed, libm one ulp off"; \
	  ATEN_CPU_CAPABILITY=$$cap OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=$$seed \
	  PYTHONPATH=$(CURDIR)/scripts/perturbed_libm $(BIN)/python -m pytest -q notebooks $(NBVAL)

notebooks: setup ## re-execute every notebook in place after a code change (stores new outputs)
	$(BIN)/python scripts/run_notebooks.py notebooks

notes: setup ## build the lecture-notes site into lecture_notes/_build/html
	$(BIN)/sphinx-build -W --keep-going -b html lecture_notes lecture_notes/_build/html

serve-notes: notes ## build the site and serve it on http://localhost:8000
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory lecture_notes/_build/html

$(BENCH_VENV)/.installed: pyproject.toml constraints.txt scripts/setup-venv.sh
	@rm -f $@
	@scripts/setup-venv.sh "$(PYTHON)" $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e . micrograd==0.1.0
	@touch $@

bench: $(BENCH_VENV)/.installed ## speed benchmark against micrograd 0.1.0 (own venv, about two minutes)
	$(BENCH_VENV)/bin/python bench/bench.py

clean: ## remove the venvs and the built site
	rm -rf $(VENV) $(BENCH_VENV) lecture_notes/_build
