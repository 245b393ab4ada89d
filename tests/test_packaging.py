"""``grad`` installs as a real package: the wheel holds every module and works without ``-e``."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for p in (ROOT / "grad").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "grad").rglob("*.py")
)


def _run(cmd: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    # PIP_CONSTRAINT, not only -c: it also pins what pip puts in the isolated environment where it
    # builds grad (setuptools), which would otherwise be whatever the index serves newest that day.
    env = {**os.environ, "PIP_CONSTRAINT": str(ROOT / "constraints.txt")}
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert result.returncode == 0, f"{' '.join(map(str, cmd))}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the files a source distribution needs (the repository stays clean)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "grad", src / "grad", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src], cwd=src)
    (found,) = dist.glob("grad_course-*.whl")
    return found


@pytest.mark.slow
def test_the_wheel_holds_every_module_the_license_and_the_dependencies(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_string(z.read(meta_name).decode())
    # every module, and the data beside them (grad/selfcheck/solutions.json, the book's solutions)
    packaged = {p.relative_to(ROOT).as_posix() for p in SOURCES}
    assert packaged <= names, f"missing from the wheel: {sorted(packaged - names)}"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert meta["License-Expression"] == "MIT"
    # grad itself needs numpy alone (grad.data); the extras bring the course's tools
    requires = {r.split(";")[0].strip() for r in meta.get_all("Requires-Dist") if "extra ==" not in r}
    assert requires == {"numpy"}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_wheel_installs_into_a_fresh_venv_and_every_module_imports(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    # Not editable, and only what the wheel itself declares (pinned like the course's venv).
    _run([python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel], cwd=tmp_path)
    code = f"""
import importlib, pathlib
for name in {MODULES!r}:
    module = importlib.import_module(name)
    assert pathlib.Path(module.__file__).is_relative_to({str(venv)!r}), module.__file__
from grad import Value
from grad.data import make_moons
from grad.viz import draw_dot
from grad.selfcheck import core
x = Value(2.0, label="x"); y = x * x; y.backward()
print(x.grad, make_moons(10, seed=0)[0].shape, draw_dot(y).source.count("->"), core.SOLUTIONS.is_file())
"""
    result = _run([python, "-c", code], cwd=tmp_path)  # not the repository: nothing imports from there
    # a stuck learner's check(solution=True) reads the book's solutions from the installed package
    solutions = (ROOT / "grad" / "selfcheck" / "solutions.json").is_file()
    assert result.stdout.split() == ["4.0", "(10,", "2)", "3", str(solutions)]


def test_the_module_list_covers_the_subpackages() -> None:
    assert {"grad", "grad.engine", "grad.viz", "grad.viz.graph"} <= set(MODULES)
