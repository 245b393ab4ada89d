#!/usr/bin/env bash
# Create the course's virtual environment, or repair a broken one.
#
#   scripts/setup-venv.sh PYTHON VENV        (the Makefile calls it as: scripts/setup-venv.sh python3 .venv)
#
# 1. PYTHON must run and be 3.11 or newer; otherwise stop and name the fix.
# 2. An existing VENV is kept only if its python runs, is 3.11 or newer and has a working pip.
#    Anything less (a venv half-made by a Debian without python3-venv, a venv of an older
#    Python) is removed and built again.
# 3. If `PYTHON -m venv` cannot install pip, then as root with apt-get the missing Debian package
#    (pythonX.Y-venv) is installed and the venv built once more; otherwise stop with the one
#    command that fixes it.
# Installing packages into the venv is the Makefile's job; this only guarantees a venv with pip.
set -euo pipefail
python=${1:-python3}
venv=${2:-.venv}
fix="Install Python 3.11 or newer and run make again, or name one that you have: PYTHON=python3.12 make lab"

new_enough() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; }
has_pip() { "$1" -m pip --version >/dev/null 2>&1; }

if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup: cannot run '$python': no such program on PATH." >&2
  echo "  $fix" >&2
  exit 1
fi
if ! new_enough "$python"; then
  have=$("$python" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo "not a working Python")
  echo "setup: the course needs Python 3.11 or newer, and '$python' is $have." >&2
  echo "  $fix" >&2
  exit 1
fi

if [ -e "$venv" ]; then
  if new_enough "$venv/bin/python" && has_pip "$venv/bin/python"; then
    exit 0
  fi
  echo "setup: $venv is broken (its python does not run, is older than 3.11, or has no pip); rebuilding it."
  rm -rf "$venv"
fi

make_venv() { "$python" -m venv "$venv" >/dev/null 2>&1 && has_pip "$venv/bin/python"; }

if make_venv; then
  exit 0
fi
rm -rf "$venv"
pkg="python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: '$python -m venv' could not install pip; installing $pkg with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "$pkg" >/dev/null || true
  if make_venv; then
    exit 0
  fi
  rm -rf "$venv"
fi
echo "setup: '$python -m venv $venv' made a venv without pip. On Debian/Ubuntu the venv module is" >&2
echo "  a separate package. Fix it with:  sudo apt-get install -y $pkg   and run make again." >&2
exit 1
