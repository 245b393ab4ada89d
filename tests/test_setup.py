"""Set-up that explains itself: the venv script, the system-tools check and ``make help``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
    old = _script(tmp_path / "python3.9", 'case "$*" in *python_version*) echo 3.9.2 ;; *) exit 1 ;; esac\n')
    result = _run([BASH, str(SETUP_VENV), str(old), str(tmp_path / "venv")])
    assert result.returncode == 1
    assert "needs Python 3.11 or newer" in result.stderr and "3.9.2" in result.stderr
    assert "PYTHON=python3.12 make lab" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_a_missing_python_stops_with_the_fix(tmp_path: Path) -> None:
    result = _run([BASH, str(SETUP_VENV), "no-such-python3", str(tmp_path / "venv")])
    assert result.returncode == 1
    assert "cannot run 'no-such-python3'" in result.stderr and "PYTHON=python3.12 make lab" in result.stderr


@pytest.mark.slow
def test_a_venv_without_pip_is_rebuilt_and_a_good_one_is_kept(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    assert _run([str(venv / "bin" / "python"), "-m", "pip", "--version"]).returncode != 0
    result = _run([BASH, str(SETUP_VENV), sys.executable, str(venv)])
    assert result.returncode == 0, result.stderr
    assert "is broken" in result.stdout and "rebuilding" in result.stdout
    assert _run([str(venv / "bin" / "python"), "-m", "pip", "--version"]).returncode == 0
    marker = venv / "kept"
    marker.touch()
    again = _run([BASH, str(SETUP_VENV), sys.executable, str(venv)])
    assert again.returncode == 0 and again.stdout == "" and marker.exists()


@pytest.mark.slow
def test_a_python_whose_venv_gets_no_pip_names_the_debian_package(tmp_path: Path) -> None:
    # Debian without python3-venv: `python3 -m venv` makes the folder but cannot install pip.
    real = sys.executable
    body = f'if [ "$1 $2" = "-m venv" ]; then exec {real} -m venv --without-pip "$3"; fi\nexec {real} "$@"\n'
    path = _bin_dir(tmp_path, "id", "rm")  # no apt-get: the script must say what to run
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
    result = _run(["make", "--no-print-directory", "-n", "-B", ".venv/.installed"])
    commands = [line for line in result.stdout.splitlines() if line.strip()]
    assert commands[0] == "rm -f .venv/.installed"
    assert commands[-1] == "touch .venv/.installed"
    assert any("pip install" in c for c in commands[1:-1])


# -- scripts/ensure-system-tools.sh --------------------------------------------------------------------


@pytest.mark.parametrize("browser", ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"])
def test_any_chromium_based_browser_is_accepted(tmp_path: Path, browser: str) -> None:
    path = _bin_dir(tmp_path, "id")
    for program in ("dot", browser):
        _script(path / program, "exit 0\n")
    result = _run([BASH, str(SYSTEM_TOOLS), "--browser"], env={"PATH": str(path)})
    assert result.returncode == 0, result.stderr


def test_missing_programs_get_the_commands_and_the_browser_is_marked_optional(tmp_path: Path) -> None:
    path = _bin_dir(tmp_path, "id")  # no dot, no browser, no apt-get
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
