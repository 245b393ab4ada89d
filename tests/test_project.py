"""Project-level checks: set-up files agree with each other, and the README matches the repository."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

# pip name -> conda-forge name, where they differ
CONDA_NAME = {"torch": "pytorch", "graphviz": "python-graphviz"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(req: str) -> str:
    return re.split(r"[=<>!~\[ ;]", req, maxsplit=1)[0].strip().lower()


def _requirements() -> set[str]:
    """The names of every requirement: the package's own dependencies and every extra."""
    project = _pyproject()["project"]
    reqs = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
    ]
    return {_name(r) for r in reqs}


def test_environment_yml_lists_every_requirement_of_pyproject():
    wanted = {CONDA_NAME.get(name, name) for name in _requirements()}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"]
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    assert "python" in conda and "python=3.11" in env["dependencies"]
    assert {"graphviz", "python-graphviz"} <= conda  # the dot program and the bindings
    missing = wanted - conda
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    extra = conda - wanted - {"python", "pip", "graphviz"}
    assert not extra, f"environment.yml has packages pyproject.toml does not: {sorted(extra)}"
    pip_part = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_part == [{"pip": ["-e ."]}], "only the course package itself should come from pip"


def test_torch_is_pinned_to_the_local_cpu_build_everywhere():
    test_extra = _pyproject()["project"]["optional-dependencies"]["test"]
    assert "torch==2.13.0" in test_extra
    constraints = (ROOT / "constraints.txt").read_text().splitlines()
    assert "torch==2.13.0" in constraints
    assert "pytorch=2.13.0" in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]


def test_every_installed_requirement_is_pinned_in_constraints():
    pins = {_name(line) for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line}
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
    assert result.returncode == 0, "the venv stamp is older than pyproject.toml or constraints.txt"


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
