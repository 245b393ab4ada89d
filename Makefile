# Everything starts from nothing: the first target that needs the venv creates it.
# `make help` lists every target with the line after its `##`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_VENV := .venv-bench

# Every install is held to constraints.txt, the packages pip builds a wheel with too: pip's -c option does
# not reach the isolated environment in which it builds one (`pip install -e .` would build grad with the
# index's newest setuptools that day), the PIP_CONSTRAINT variable does.
PINNED      := PIP_CONSTRAINT=$(CURDIR)/constraints.txt
PIP_INSTALL  = $(PINNED) $(BIN)/python -m pip install -q --disable-pip-version-check

.PHONY: help setup lab test lint unit nbval nbval-repeat nbval-portable notebooks notes serve-notes bench clean

# nbval re-runs every notebook and compares its text outputs with the stored ones.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
RUNS  ?= 3

help: ## list the targets
	@echo "Targets (the first one you run sets up .venv/ by itself):"
	@awk -F':.*## ' '/^[a-z][a-z-]*:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The venv, with grad installed editable and every extra, pinned by constraints.txt, and uv, with which
# tests/test_lock.py runs make lock-check against an index on disk. The stamp is written only after
# everything installed and imports, so an interrupted install is redone next time; it is older than the
# Makefile when this recipe may have changed (a venv made before uv was added to it gets uv).
# A stamp in a venv that no longer works (its Python was removed or upgraded, the repository was moved,
# or PYTHON names another version) is stale: it is dropped here, so the venv is checked and rebuilt.
ifneq ($(wildcard $(STAMP)),)
ifneq ($(shell scripts/setup-venv.sh --check "$(PYTHON)" $(VENV) && echo ok),ok)
$(shell rm -f $(STAMP))
endif
endif
$(STAMP): pyproject.toml constraints.txt scripts/setup-venv.sh Makefile
	@rm -f $(STAMP)
	@scripts/setup-venv.sh "$(PYTHON)" $(VENV)
	$(PIP_INSTALL) -e '.[course,test,notes]' uv
	@$(BIN)/python -c "import grad.viz, jupyterlab, nbval, torch, sphinx, uv"
	@touch $(STAMP)

setup: $(STAMP) ## create .venv/ and install everything (make lab and make test do it for you)
	@scripts/ensure-system-tools.sh

# The notes' figures, drawn by grad.viz into lecture_notes/_generated/figures/ (git-ignored; the site
# build draws them too), so that the notes rendered in JupyterLab show them in a fresh clone as well.
# Redrawn when grad or the drawing script changes.
NOTE_FIGURES := lecture_notes/_generated/figures/.drawn
$(NOTE_FIGURES): lecture_notes/_figures/make_figures.py $(wildcard grad/*.py grad/*/*.py) | setup
	$(BIN)/python lecture_notes/_figures/make_figures.py $(@D) >/dev/null
	@touch $@

# The learner works in my_work/ (git-ignored): scripts/workbook.py copy gives it a copy of each workbook
# it does not have yet, and my_micrograd/, where the checks save the learner's engine piece by piece.
# It never overwrites a file there, so make lab, make test, make notebooks and git pull leave the
# learner's work alone; the shipped workbooks in notebooks/ stay as the course made them.
# The server's root is the repository, so the notebooks' links to ../lecture_notes/*.md open too.
# JupyterLab takes its landing page from LabApp.default_url (ServerApp's is overridden by it).
# jupyterlab-settings/overrides.json5 changes JupyterLab's defaults for this repository only: a note
# (*.md) opens rendered (jupyterlab-myst's Markdown Preview), not in the text editor.
# tests/test_lab.py starts the server with exactly these arguments.
MY_WORK  := my_work
LAB_ARGS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/$(MY_WORK)/01_derivatives.ipynb \
            --LabApp.app_settings_dir=jupyterlab-settings
lab: setup $(NOTE_FIGURES) ## copy the workbooks you lack into my_work/ and open it in JupyterLab, on notebook 01
	$(BIN)/python scripts/workbook.py copy $(MY_WORK)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

LINTED := grad tests bench scripts conftest.py lecture_notes/conf.py lecture_notes/_ext lecture_notes/_figures
lint: $(STAMP) ## ruff: lint and formatting
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

unit: setup ## the unit, property and parity tests only (tests/)
	$(BIN)/python -m pytest -q tests

test: setup lint ## every check: lint, tests, doctests, nbval on every notebook, the site build and browser test
	@scripts/ensure-system-tools.sh --browser
	$(BIN)/python -m pytest -q --doctest-modules grad lecture_notes/conf.py lecture_notes/_ext scripts/course_zip.py scripts/build_lite.py tests notebooks $(NBVAL)

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

notebooks: setup ## re-execute every book, make the workbooks from them, re-execute the workbooks (stores outputs)
	$(BIN)/python scripts/run_notebooks.py

# lite/ is the workbooks in JupyterLite, run in the browser (scripts/build_lite.py: pinned packages from
# PyPI and npm, fetched once into .venv-lite/).
notes: setup ## build the lecture-notes site into lecture_notes/_build/html, with the workbooks in lite/
	$(BIN)/sphinx-build -W --keep-going -b html lecture_notes lecture_notes/_build/html
	$(BIN)/python scripts/build_lite.py --out lecture_notes/_build/html/lite

serve-notes: notes ## build the site and serve it on http://localhost:8000
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory lecture_notes/_build/html

$(BENCH_VENV)/.installed: pyproject.toml constraints.txt scripts/setup-venv.sh
	@rm -f $@
	@scripts/setup-venv.sh "$(PYTHON)" $(BENCH_VENV)
	$(PINNED) $(BENCH_VENV)/bin/python -m pip install -q --disable-pip-version-check -e . micrograd==0.1.0
	@touch $@

bench: $(BENCH_VENV)/.installed ## speed benchmark against micrograd 0.1.0 (own venv, about two minutes)
	$(BENCH_VENV)/bin/python bench/bench.py

.PHONY: lock lock-check lock-tools diff-driver

# constraints.txt is generated: `make lock` resolves pyproject.toml's dependencies and all its extras
# with uv (pinned in constraints.txt itself), for CPython 3.11.0 and up on x86_64 Linux, as the index
# (LOCK_INDEX, PyPI) stood at LOCK_DATE: later uploads are invisible, so the same pyproject.toml gives
# the same file, byte for byte, on any machine and any day. Move LOCK_DATE forward to take newer
# releases. Each pin says where it comes from (# via ...). uv's own config files are ignored
# (--no-config), and existing pins are not preferred (--upgrade), so the file depends on pyproject.toml
# and LOCK_DATE alone.
# torch: the machines install the CPU wheel of torch 2.13.0, which needs no CUDA, but PyPI's Linux
# torch 2.13.0 also requires CUDA packages. They are excluded from the resolution (LOCK_EXCLUDE; with
# them go the nvidia-* packages they pull in), so constraints.txt lists only what make setup installs;
# kept, they would be about twenty pins of packages nothing here installs. A new torch may require
# others: make lock then shows them (tests/test_lock.py fails), and they belong in LOCK_EXCLUDE.
LOCK_DATE    := 2026-11-26T00:00:00Z
LOCK_INDEX   := https://pypi.org/simple
LOCK_EXCLUDE := cuda-bindings cuda-toolkit nvidia-cudnn-cu13 nvidia-cusparselt-cu13 nvidia-nccl-cu13 \
                nvidia-nvshmem-cu13 triton
# The one resolution that both targets run; $(1) is the file it writes.
LOCK_COMPILE = printf '%s\n' $(LOCK_EXCLUDE) | $(BIN)/uv pip compile --no-config --upgrade \
  --index-url $(LOCK_INDEX) --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
  --exclude-newer $(LOCK_DATE) --all-extras --excludes /dev/stdin --custom-compile-command 'make lock' \
  --output-file $(1) pyproject.toml

lock-tools: ## install uv into .venv/ (make lock and make lock-check do it for you)
	@scripts/setup-venv.sh "$(PYTHON)" $(VENV)
	$(PIP_INSTALL) uv

lock: lock-tools ## regenerate constraints.txt from pyproject.toml with uv (PyPI as of LOCK_DATE)
	$(call LOCK_COMPILE,constraints.txt) --quiet

# Not part of make test (it needs the index, and its answer changes with what the index serves): the
# maintainers' check that constraints.txt is still what make lock makes. An index can only be held to
# LOCK_DATE if it publishes upload times: PyPI does; a mirror's plain HTML pages and --find-links
# directories (UV_FIND_LINKS) do not, and their newer releases get through. This says so, rather than
# offering their versions as a lock to commit: uv's warning "missing an upload date", or a pin newer
# than constraints.txt's, fails the check with that reason.
lock-check: lock-tools ## re-resolve the lock (needs the index) and say how it differs from constraints.txt
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT; \
	$(call LOCK_COMPILE,"$$tmp/constraints.txt") >/dev/null 2>"$$tmp/uv.log"; status=$$?; \
	grep -v '^Resolved ' "$$tmp/uv.log" >&2; \
	if grep -q 'missing an upload date' "$$tmp/uv.log"; then \
	  echo "lock-check: the index cannot honour LOCK_DATE=$(LOCK_DATE): it serves files without an upload" \
	    "date (LOCK_INDEX=$(LOCK_INDEX), or UV_INDEX or UV_FIND_LINKS in the environment), so uv cannot" \
	    "tell which releases came after it. Run it where PyPI, which publishes upload times, is reachable." >&2; \
	  exit 1; fi; \
	if [ $$status -ne 0 ]; then echo "lock-check: uv could not resolve pyproject.toml (above)." >&2; exit 1; fi; \
	pins() { sed -n 's/^\([a-z0-9][a-z0-9.-]*\)==\(.*\)/\1 \2/p' "$$1" | LC_ALL=C sort; }; \
	pins constraints.txt > "$$tmp/kept"; pins "$$tmp/constraints.txt" > "$$tmp/made"; \
	newer=$$(LC_ALL=C join "$$tmp/kept" "$$tmp/made" | while read -r name old new; do \
	  [ "$$old" != "$$new" ] && [ "$$(printf '%s\n' "$$old" "$$new" | sort -V | tail -n 1)" = "$$new" ] \
	    && echo "  $$name $$old -> $$new"; done); \
	if [ -n "$$newer" ]; then \
	  printf 'lock-check: releases newer than constraints.txt pins:\n%s\n' "$$newer" >&2; \
	  echo "lock-check: the index cannot honour LOCK_DATE=$(LOCK_DATE) for them: it serves releases" \
	    "without their upload dates (a --find-links directory, UV_FIND_LINKS), which uv cannot hide." \
	    "Run it where PyPI is reachable; if pyproject.toml now needs them, move LOCK_DATE and run make lock." >&2; \
	  exit 1; fi; \
	if ! diff -u --label constraints.txt --label 'make lock' constraints.txt "$$tmp/constraints.txt" >&2; then \
	  echo "lock-check: constraints.txt is not what make lock makes from pyproject.toml: run make lock." >&2; \
	  exit 1; fi; \
	echo "lock-check: constraints.txt is what make lock makes (LOCK_DATE=$(LOCK_DATE), $(LOCK_INDEX))."

# nbdime shows a notebook's changes cell by cell (sources, outputs, metadata) instead of raw JSON. This
# makes it git's diff driver for *.ipynb in this clone only (.git/config and .git/info/attributes:
# nothing that is committed). It is what `nbdime config-git --enable` does for diffs, but git calls the
# venv's program by its full path (with the bare name that nbdime writes, git diff on a notebook dies
# unless the venv is activated), no .gitattributes is added to the working tree, and git's merges are
# left alone (no nbdime merge driver). nbdiff and nbdiff-web (in .venv/bin) compare notebooks by hand.
diff-driver: ## git diff shows notebooks with nbdime (this clone only; installs the dev extra)
	@scripts/setup-venv.sh "$(PYTHON)" $(VENV)
	$(PIP_INSTALL) -e '.[dev]'
	git config diff.jupyternotebook.command '$(CURDIR)/$(BIN)/git-nbdiffdriver diff'
	@attrs=$$(git rev-parse --git-path info/attributes) && mkdir -p "$${attrs%/*}" && \
	  { grep -qsxF '*.ipynb diff=jupyternotebook' "$$attrs" || echo '*.ipynb diff=jupyternotebook' >> "$$attrs"; }
	@echo "git diff now shows notebooks with nbdime (git diff --no-ext-diff shows the JSON)."

clean: ## remove the venvs and the built site
	rm -rf $(VENV) $(BENCH_VENV) lecture_notes/_build
