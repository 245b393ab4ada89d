#!/usr/bin/env bash
# Make sure the programs the course needs outside Python are installed:
#   dot (Graphviz)  draws computation graphs;
#   chromium        lets the test suite open the rendered notes in a real browser.
# As root on Debian/Ubuntu, missing ones are installed with apt-get; otherwise
# this stops with the command to run.
set -euo pipefail
want=()
command -v dot >/dev/null 2>&1 || want+=(graphviz)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || want+=(chromium)
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${want[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${want[@]}" >/dev/null
  exit 0
fi
echo "Missing system programs: ${want[*]}. Install them with one of:" >&2
echo "  sudo apt-get install -y ${want[*]}" >&2
echo "  brew install graphviz         (macOS; Chromium: brew install --cask chromium)" >&2
echo "  conda install -c conda-forge graphviz" >&2
exit 1
