"""Set-up that explains itself: the venv script, the system-tools check and ``make help``."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, make_n

BASH = shutil.which("bash")
SETUP_VENV = ROOT / "scripts" / "setup-venv.sh"
SYSTEM_TOOLS = ROOT / "scripts" / "ensure-system-tools.sh"


def _run(cmd: list[str], env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)
    return path


def _bin_dir(tmp_path: Path, *programs: str) -> Path:
    """A folder to use as the whole PATH, holding only ``programs`` (linked from the real ones)."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name in programs:
        (folder / name).symlink_to(shutil.which(name))
    return folder


# -- scripts/setup-venv.sh -----------------------------------------------------------------------------


def test_a_python_older_than_3_11_stops_with_the_fix(tmp_path: Path) -> None:
    old = _script(
        tmp_path / "python3.9", 'case "$*" in *"sys.exit(0 if"*) exit 1 ;; *version_info*) echo 3.9 ;; esac\n'
    )
    result = _run([BASH, str(SETUP_VENV), str(old), str(tmp_path / "venv")])
    assert result.returncode == 1
    assert "needs Python 3.11 or newer, and" in result.stderr and "is 3.9." in result.stderr
    assert "PYTHON=python3.12 make lab" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_a_missing_python_stops_with_the_fix(tmp_path: Path) -> None:
    result = _run([BASH, str(SETUP_VENV), "no-such-python3", str(tmp_path / "venv")])
    assert result.returncode == 1
    assert "cannot run 'no-such-python3'" in result.stderr and "PYTHON=python3.12 make lab" in result.stderr


def test_a_python_that_does_not_run_shows_its_own_error(tmp_path: Path) -> None:
    shim = _script(tmp_path / "python3", 'echo "pyenv: python3: command not found" >&2; exit 127\n')
    result = _run([BASH, str(SETUP_VENV), str(shim), str(tmp_path / "venv")])
    assert result.returncode == 1
    assert "does not run" in result.stderr and "pyenv: python3: command not found" in result.stderr


@pytest.mark.slow
def test_a_venv_without_pip_is_rebuilt_and_a_good_one_is_kept(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    assert _run([str(venv / "bin" / "python"), "-m", "pip", "--version"]).returncode != 0
    assert _run([BASH, str(SETUP_VENV), "--check", sys.executable, str(venv)]).returncode == 1
    result = _run([BASH, str(SETUP_VENV), sys.executable, str(venv)])
    assert result.returncode == 0, result.stderr
    assert "is not usable" in result.stdout and "rebuilding" in result.stdout
    assert _run([str(venv / "bin" / "pip"), "--version"]).returncode == 0
    assert _run([BASH, str(SETUP_VENV), "--check", sys.executable, str(venv)]).returncode == 0
    marker = venv / "kept"
    marker.touch()
    again = _run([BASH, str(SETUP_VENV), sys.executable, str(venv)])
    assert again.returncode == 0 and again.stdout == "" and marker.exists()


def _fake_venv(venv: Path, python_body: str) -> None:
    (venv / "bin").mkdir(parents=True)
    _script(venv / "bin" / "python", python_body)
    (venv / "bin" / "pip").write_text(f"#!{venv}/bin/python\n")


@pytest.mark.parametrize(
    "kind",
    ["dangling python", "python 3.10", "moved folder", "another Python version"],
)
def test_check_finds_every_kind_of_broken_venv(tmp_path: Path, kind: str) -> None:
    venv, python = tmp_path / "venv", sys.executable
    real = f'exec {sys.executable} "$@"\n'
    if kind == "dangling python":
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "python").symlink_to(tmp_path / "gone")
    elif kind == "python 3.10":
        _fake_venv(venv, 'case "$*" in *version_info*) echo 3.10 ;; *) exit 0 ;; esac\n')
    elif kind == "moved folder":  # pip's #! line still names the old place
        _fake_venv(venv, real)
        (venv / "bin" / "pip").write_text("#!/old/place/venv/bin/python\n")
    else:  # healthy, but PYTHON names another version
        _fake_venv(venv, real)
        python = str(
            _script(tmp_path / "python3.12", 'case "$*" in *version_info*) echo 3.12 ;; *) exec ' + real)
        )
    assert _run([BASH, str(SETUP_VENV), "--check", python, str(venv)]).returncode == 1
    if kind != "another Python version":  # a healthy twin of the fake passes, so the check is not vacuous
        return
    assert _run([BASH, str(SETUP_VENV), "--check", sys.executable, str(venv)]).returncode == 0


@pytest.mark.slow
def test_a_broken_venv_is_rebuilt_with_the_real_interpreter(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _fake_venv(venv, 'case "$*" in *version_info*) echo 3.10 ;; *) exit 0 ;; esac\n')
    result = _run([BASH, str(SETUP_VENV), sys.executable, str(venv)])
    assert result.returncode == 0, result.stderr
    assert _run([BASH, str(SETUP_VENV), "--check", sys.executable, str(venv)]).returncode == 0


@pytest.mark.slow
def test_a_python_whose_venv_gets_no_pip_names_the_debian_package(tmp_path: Path) -> None:
    # Debian without python3-venv: `python3 -m venv` makes the folder but cannot install pip.
    real = sys.executable
    body = (
        f'if [ "$1 $2" = "-m venv" ]; then exec {real} -m venv --without-pip "$3"; fi\n'
        'if [ "$2" = "import ensurepip" ]; then exit 1; fi\n'  # Debian keeps ensurepip in python3.X-venv
        'case "$2" in *_base_executable*) echo "$0"; exit ;; esac\n'
        f'exec {real} "$@"\n'
    )
    path = _bin_dir(tmp_path, "id", "rm", "mktemp", "sed")  # no apt-get: the script must say what to run
    _script(path / "python3", body)
    venv = tmp_path / "venv"
    result = _run([BASH, str(SETUP_VENV), "python3", str(venv)], env={"PATH": str(path)})
    assert result.returncode == 1
    version = "{}.{}".format(*sys.version_info[:2])
    assert f"sudo apt-get install -y python{version}-venv" in result.stderr
    assert not venv.exists(), "a half-made venv must not be left behind"


# -- Makefile ------------------------------------------------------------------------------------------


def _phony_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    return {t for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.M) for t in line.split()}


def test_make_help_lists_every_target() -> None:
    result = _run(["make", "--no-print-directory", "help"])
    assert result.returncode == 0
    listed = set(re.findall(r"^  make (\S+)", result.stdout, re.M))
    assert listed == _phony_targets()


def test_the_venv_stamp_is_written_last_and_removed_first() -> None:
    # `make -n` prints the recipe without running it, whatever the state of .venv/.
    commands = [line for line in make_n("-B", ".venv/.installed").splitlines() if line.strip()]
    assert commands[0] == "rm -f .venv/.installed"
    assert commands[-1] == "touch .venv/.installed"
    assert any("pip install" in c for c in commands[1:-1])
    # and no step may fail silently: make ignores the errors of a recipe line that starts with '-'
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("$(STAMP): ", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert recipe and all(line.startswith("\t") and not line.lstrip("\t@").startswith("-") for line in recipe)


def test_every_install_is_held_to_the_lock_the_build_environments_too() -> None:
    # pip's -c does not reach the isolated environment where it builds grad (it would take the index's
    # newest setuptools); PIP_CONSTRAINT does
    for target in (".venv/.installed", ".venv-bench/.installed", "lock-tools", "diff-driver"):
        installs = [line for line in make_n("-B", target).splitlines() if "pip install" in line]
        assert installs, target
        assert all(line.startswith(f"PIP_CONSTRAINT={ROOT}/constraints.txt ") for line in installs), installs


def test_a_stale_stamp_is_dropped_so_the_venv_is_rebuilt(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(tmp_path / "gone")  # its Python was removed
    (tmp_path / ".venv" / ".installed").touch()
    recipe = make_n("setup", cwd=tmp_path)
    assert not (tmp_path / ".venv" / ".installed").exists()
    assert "setup-venv.sh" in recipe and "pip install" in recipe


def test_nbval_portable_changes_kernels_threads_hash_seed_and_libm() -> None:
    recipe = make_n("nbval-portable")
    for setting in (
        "ATEN_CPU_CAPABILITY:-default",
        "OMP_NUM_THREADS=1",
        "PYTHONHASHSEED=$seed",
        "perturbed_libm",
    ):
        assert setting in recipe, setting


def test_the_perturbed_libm_moves_results_by_at_most_one_ulp_and_the_same_way_every_time() -> None:
    code = "import math; print([math.exp(x / 7).hex() for x in range(1, 40)], math.exp(0.0), math.tanh(0.0))"
    env = {"PYTHONPATH": str(ROOT / "scripts" / "perturbed_libm"), "PATH": os.environ["PATH"]}
    runs = [_run([sys.executable, "-c", code], env=dict(env, PYTHONHASHSEED=str(s))).stdout for s in (1, 2)]
    assert runs[0] == runs[1]
    exact = [
        float.fromhex(h) for h in eval(_run([sys.executable, "-c", code]).stdout.rsplit("]", 1)[0] + "]")
    ]
    moved = [float.fromhex(h) for h in eval(runs[0].rsplit("]", 1)[0] + "]")]
    diffs = [abs(a - b) / math.ulp(b) for a, b in zip(moved, exact)]
    assert max(diffs) == 1 and 0 < sum(d == 1 for d in diffs) < len(diffs)
    assert runs[0].rsplit("]", 1)[1].split() == ["1.0", "0.0"]


# -- scripts/ensure-system-tools.sh --------------------------------------------------------------------


@pytest.mark.parametrize("browser", ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"])
def test_any_chromium_based_browser_is_accepted(tmp_path: Path, browser: str) -> None:
    path = _bin_dir(tmp_path, "id")
    for program in ("dot", browser):
        _script(path / program, "exit 0\n")
    result = _run([BASH, str(SYSTEM_TOOLS), "--browser"], env={"PATH": str(path)})
    assert result.returncode == 0, result.stderr


def test_a_browser_that_does_not_run_does_not_count(tmp_path: Path) -> None:
    path = _bin_dir(tmp_path, "id", "grep")  # no apt-get: the script must say what to run
    _script(path / "dot", "exit 0\n")
    _script(
        path / "chromium-browser", 'echo "Command requires the chromium snap to be installed." >&2; exit 1\n'
    )
    result = _run([BASH, str(SYSTEM_TOOLS), "--browser"], env={"PATH": str(path)})
    assert result.returncode == 1 and "Missing system programs: chromium." in result.stderr


def test_missing_programs_get_the_commands_and_the_browser_is_marked_optional(tmp_path: Path) -> None:
    path = _bin_dir(tmp_path, "id", "grep")  # no dot, no browser, no apt-get
    result = _run([BASH, str(SYSTEM_TOOLS), "--browser"], env={"PATH": str(path)})
    assert result.returncode == 1
    assert "sudo apt-get install -y graphviz" in result.stderr
    assert "only by the site's browser test" in result.stderr
    assert "google-chrome" in result.stderr


def test_the_course_itself_does_not_need_a_browser(tmp_path: Path) -> None:
    path = _bin_dir(tmp_path, "id")
    _script(path / "dot", "exit 0\n")
    assert _run([BASH, str(SYSTEM_TOOLS)], env={"PATH": str(path)}).returncode == 0


def test_setup_scripts_are_executable() -> None:
    for script in (SETUP_VENV, SYSTEM_TOOLS):
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
