#!/usr/bin/env bash
# Create the course's virtual environment, or repair a broken one.
#
#   scripts/setup-venv.sh PYTHON VENV            create or repair VENV with PYTHON
#   scripts/setup-venv.sh --check PYTHON VENV    exit 0 if VENV is healthy and made by PYTHON's version
#
# 1. PYTHON must run and be 3.11 or newer; otherwise stop and name the fix.
# 2. An existing VENV is kept only if it is healthy: its python runs, has the same X.Y version as
#    PYTHON, has pip, and its scripts still point at it (they do not after the repository was moved
#    or copied). Anything less (a venv half-made by a Debian without python3-venv, a venv of another
#    Python, a moved one) is removed and built again.
# 3. If `PYTHON -m venv` fails, its own error is shown. When the cause is Debian's missing ensurepip,
#    then as root with apt-get the pythonX.Y-venv package is installed and the venv built once more;
#    otherwise this stops with the one command that fixes it.
# Installing packages into the venv is the Makefile's job; this only guarantees a working venv.
set -euo pipefail
check_only=false
if [ "${1:-}" = "--check" ]; then
  check_only=true
  shift
fi
python=${1:-python3}
venv=${2:-.venv}
fix="Install Python 3.11 or newer and run make again, or name one that you have: PYTHON=python3.12 make lab"

version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
new_enough() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; }
# Healthy: python runs, is PYTHON's version, has pip, and pip's script runs this very python.
healthy() {
  local py="$venv/bin/python" first
  [ "$(version_of "$py")" = "$(version_of "$python")" ] || return 1
  "$py" -c 'import pip' >/dev/null 2>&1 || return 1
  [ -f "$venv/bin/pip" ] && IFS= read -r first < "$venv/bin/pip" || return 1
  first=${first#\#!}
  if [ "$first" = /bin/sh ]; then  # pip's form when the path is too long for #!: line 2 execs it
    first=$(sed -n '2s/^[^"]*"\([^"]*\)".*/\1/p' "$venv/bin/pip")
  fi
  [ -x "$first" ] && [ "$first" -ef "$py" ]
}

if ! "$python" -c '' >/dev/null 2>&1; then
  if $check_only; then exit 1; fi
  if command -v "$python" >/dev/null 2>&1; then
    echo "setup: '$python' does not run:" >&2
    "$python" -c '' 2>&1 | head -5 | sed 's/^/  /' >&2 || true
  else
    echo "setup: cannot run '$python': there is no such program (on PATH, or at that path)." >&2
  fi
  echo "  $fix" >&2
  exit 1
fi
if ! new_enough "$python"; then
  if $check_only; then exit 1; fi
  echo "setup: the course needs Python 3.11 or newer, and '$python' is $(version_of "$python")." >&2
  echo "  $fix" >&2
  exit 1
fi
if $check_only; then
  healthy
  exit
fi
# The real interpreter, so that removing a broken venv cannot remove the python we are about to use
# (when that venv is the one activated in this shell).
python=$("$python" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')

if [ -e "$venv" ] || [ -L "$venv" ]; then
  if healthy; then
    exit 0
  fi
  echo "setup: $venv is not usable (its python does not run, is not Python $(version_of "$python"), has no pip,"
  echo "  or was made in another folder); rebuilding it with $python."
  rm -rf "$venv"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if "$python" -m venv "$venv" >"$log" 2>&1 && healthy; then
  exit 0
fi
rm -rf "$venv"
if "$python" -c 'import ensurepip' >/dev/null 2>&1; then
  echo "setup: '$python -m venv $venv' failed:" >&2
  sed 's/^/  /' "$log" >&2
  exit 1
fi
# Debian and Ubuntu ship ensurepip, which venv needs to install pip, in a separate package.
pkg="python$(version_of "$python")-venv"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: $python has no ensurepip, which venv needs; installing $pkg with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "$pkg" >/dev/null || true
  if "$python" -m venv "$venv" >"$log" 2>&1 && healthy; then
    exit 0
  fi
  rm -rf "$venv"
fi
echo "setup: '$python -m venv' cannot install pip: this Python has no ensurepip. On Debian/Ubuntu it" >&2
echo "  is a separate package. Fix it with:  sudo apt-get install -y $pkg   and run make again." >&2
exit 1
