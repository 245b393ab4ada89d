"""Project-level checks: set-up files agree with each other, and the README matches the repository."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, make_n

# pip name -> conda-forge name, where they differ (matplotlib-base is matplotlib without the Qt GUI)
CONDA_NAME = {"torch": "pytorch", "matplotlib": "matplotlib-base"}
# The extras that make setup installs, and so environment.yml too. The dev extra (uv and nbdime, for
# make lock and make diff-driver) is for maintainers: neither make setup nor environment.yml has it.
ENV_EXTRAS = {"course", "test", "notes"}
NOT_IN_ENV_EXTRAS = {"dev"}
# Packages whose version can change the notebooks' stored outputs or the built notes (pip names).
# environment.yml pins each to constraints.txt's version. pydata-sphinx-theme is no requirement of
# pyproject.toml (sphinx-book-theme brings it) but draws the site, so it is pinned too.
OUTPUT_AFFECTING = {
    "numpy",
    "matplotlib",
    "torch",
    "jupyterlab",
    "nbval",
    "sphinx",
    "myst-nb",
    "sphinx-book-theme",
    "pydata-sphinx-theme",
}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(req: str) -> str:
    """A requirement's (or conda spec's) package name, normalised as PyPI does: lower case, '-'."""
    name = re.split(r"[=<>!~\[ ;]", req, maxsplit=1)[0].strip()
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(extras: set[str] | None = None) -> set[str]:
    """The names of the package's own dependencies and of its extras' (all extras by default)."""
    project = _pyproject()["project"]
    optional = project["optional-dependencies"]
    chosen = optional if extras is None else {k: v for k, v in optional.items() if k in extras}
    reqs = [*project["dependencies"], *(r for extra in chosen.values() for r in extra)]
    return {_name(r) for r in reqs}


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_name(name)] = version.strip()
    return pins


def _conda_env() -> tuple[dict[str, str | None], list]:
    """environment.yml's conda packages (name -> pinned version or None) and its pip part."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"]
    packages: dict[str, str | None] = {}
    for spec in env["dependencies"]:
        if isinstance(spec, str):
            name, _, version = spec.partition("=")
            packages[_name(name)] = version.split("=", 1)[0] or None
    return packages, [d for d in env["dependencies"] if isinstance(d, dict)]


def test_the_extras_are_those_of_make_setup_plus_dev():
    extras = set(_pyproject()["project"]["optional-dependencies"])
    assert extras == ENV_EXTRAS | NOT_IN_ENV_EXTRAS, "a new extra: decide whether environment.yml needs it"
    install = re.search(r"-e '\.\[([a-z,]+)\]'", (ROOT / "Makefile").read_text().split("$(STAMP): ", 1)[1])
    assert install is not None and set(install.group(1).split(",")) == ENV_EXTRAS


def test_environment_yml_lists_every_requirement_of_pyproject():
    wanted = {CONDA_NAME.get(name, name) for name in _requirements(ENV_EXTRAS)}
    conda, pip_part = _conda_env()
    assert conda.get("python") == "3.11"
    assert "graphviz" in set(conda)  # the dot program (grad.viz runs it; no Python bindings)
    assert "python-graphviz" not in set(conda)
    assert "matplotlib" not in conda, "use matplotlib-base (no Qt) for matplotlib"
    missing = wanted - set(conda)
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    pinned_extra = {CONDA_NAME.get(name, name) for name in OUTPUT_AFFECTING}
    extra = set(conda) - wanted - pinned_extra - {"python", "pip", "graphviz"}
    assert not extra, f"environment.yml has packages pyproject.toml does not: {sorted(extra)}"
    dev_only = _requirements(NOT_IN_ENV_EXTRAS) - _requirements(ENV_EXTRAS)
    assert not {CONDA_NAME.get(n, n) for n in dev_only} & set(conda), "the dev extra is for maintainers"
    assert pip_part == [{"pip": ["-e ."]}], "only the course package itself should come from pip"


def test_environment_yml_pins_what_changes_the_outputs_to_the_constraints():
    conda, _ = _conda_env()
    pins = _constraints()
    wrong = {}
    for name in sorted(OUTPUT_AFFECTING):
        conda_name = CONDA_NAME.get(name, name)
        if conda.get(conda_name) != pins[name]:
            wrong[conda_name] = (conda.get(conda_name), pins[name])
    assert not wrong, f"environment.yml (pinned, constraints.txt): {wrong}"
    # and nothing else is pinned there: the rest is left to conda's solver
    pinned = {name for name, version in conda.items() if version} - {"python"}
    assert pinned == {CONDA_NAME.get(name, name) for name in OUTPUT_AFFECTING}


def test_torch_is_pinned_to_the_local_cpu_build_everywhere():
    test_extra = _pyproject()["project"]["optional-dependencies"]["test"]
    assert "torch==2.13.0" in test_extra
    assert _constraints()["torch"] == "2.13.0"
    assert _conda_env()[0]["pytorch"] == "2.13.0"


def test_every_installed_requirement_is_pinned_in_constraints():
    pins = set(_constraints())
    names = _requirements()
    assert names <= pins, f"not pinned: {sorted(names - pins)}"


def test_distribution_name_is_not_the_unrelated_pypi_grad():
    assert _pyproject()["project"]["name"] == "grad-course"


def test_readme_quick_start_is_exactly_make_lab_and_make_test():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block is not None
    assert block.group(1).strip().splitlines() == ["make lab", "make test"]


def test_readme_lists_exactly_the_notebooks_in_notebooks_dir():
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"\(notebooks/(\d\d_[a-z0-9_]+\.ipynb)\)", readme))
    on_disk = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert on_disk, "no notebooks found"
    assert listed == on_disk


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_setup_is_up_to_date_after_make_test_started():
    # make test depends on the venv stamp; once it exists, make has nothing left to do for it.
    stamp = ROOT / ".venv" / ".installed"
    if not stamp.exists():
        pytest.skip("not running inside the Makefile's venv")
    result = subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, (
        "the venv stamp is older than pyproject.toml, constraints.txt or the Makefile"
    )


def test_readme_examples_run_in_order_and_print_what_they_say(capsys):
    readme = (ROOT / "README.md").read_text()
    api = readme.split("## The `grad` package", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", api, re.S)
    assert len(blocks) == 7, "one example per module: engine, nn, losses, optim, data, check, viz"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "MLP(2 -> [16 relu, 16 relu, 1 linear], 337 parameters)" in printed
    assert "gradcheck OK" in printed
    assert namespace["nll"].data == 0.0
    assert namespace["opt"].steps == 1


def test_every_test_runs_under_a_time_limit(request):
    assert request.config.pluginmanager.hasplugin("timeout"), "pytest-timeout is not installed"
    assert float(request.config.getini("timeout")) >= 60


def _run_line(line: str, cwd: Path) -> subprocess.CompletedProcess:
    """A command line of the Makefile's (as make -n prints it), run in ``cwd`` with the venv's python."""
    program, *args = shlex.split(line)
    assert program.endswith("/python"), line
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_make_test_leaves_the_learners_work_alone(tmp_path: Path) -> None:
    """With a learner's my_work/ holding a failing cell, a broken engine and a failing test file, make
    test's pytest collects nothing there (notebooks/steps/ neither), but every book and workbook, and
    make lab's copy, run again, changes no byte of it. Run on a copy of the repository's tracked files,
    as a fresh clone has them."""
    repo = tmp_path / "repo"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    copy = next(line for line in make_n("lab").splitlines() if "workbook.py copy" in line)
    assert _run_line(copy, repo).returncode == 0
    work = repo / shlex.split(copy)[-1]
    first = work / "01_derivatives.ipynb"
    nb = json.loads(first.read_text())
    nb["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "mine",
            "metadata": {},
            "outputs": [],
            "source": "raise RuntimeError('my own failing cell')",
        }
    )
    first.write_text(json.dumps(nb))
    (work / "my_micrograd" / "engine.py").write_text("class Value(:\n")  # does not parse
    (work / "test_scratch.py").write_text("def test_mine():\n    assert False\n")
    mine = _files(work)

    again = _run_line(copy, repo)
    assert again.returncode == 0 and _files(work) == mine, again.stdout

    test = next(line for line in make_n("test").splitlines() if " -m pytest " in line)
    collected = _run_line(test.replace(" -m pytest ", " -m pytest --collect-only ", 1), repo)
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    items = [line for line in collected.stdout.splitlines() if "::" in line]
    notebooks = {item.split("::")[0] for item in items if item.endswith(".ipynb::Cell 0")}
    books = {
        p.relative_to(repo).as_posix() for p in (repo / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb")
    }
    assert "notebooks/01_derivatives.ipynb" in notebooks and books <= notebooks, sorted(notebooks)
    assert not [item for item in items if item.startswith((work.name, "notebooks/steps"))]
    assert _files(work) == mine
