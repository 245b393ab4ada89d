#!/usr/bin/env bash
# Make sure the programs the course needs outside Python are installed.
#   dot (Graphviz)   draws computation graphs: the course needs it.
#   a Chromium-based browser (chromium, chromium-browser, google-chrome or google-chrome-stable):
#                    only the site's browser test needs it (make test passes --browser).
# As root on Debian/Ubuntu, missing ones are installed with apt-get; otherwise this stops
# with the commands to run.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
# A browser counts only if it runs: on Ubuntu, chromium-browser may be a stub that wants snapd.
runs() { have "$1" && "$1" --version >/dev/null 2>&1; }
want=()
have dot || want+=(graphviz)
if [ "${1:-}" = "--browser" ]; then
  runs chromium || runs chromium-browser || runs google-chrome || runs google-chrome-stable || want+=(chromium)
fi
[ ${#want[@]} -eq 0 ] && exit 0

apt=()  # what apt-get can install here
for pkg in "${want[@]}"; do
  if [ "$pkg" = chromium ] && grep -qs '^ID=ubuntu' /etc/os-release; then
    continue  # Ubuntu has no Chromium .deb: its chromium-browser package installs a snap
  fi
  apt+=("$pkg")
done
if [ ${#apt[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && have apt-get; then
  echo "Installing ${apt[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${apt[@]}" >/dev/null
  [ ${#apt[@]} -eq ${#want[@]} ] && exit 0
  want=(chromium)  # only the browser is left: Ubuntu
fi

echo "Missing system programs: ${want[*]}." >&2
if [[ " ${want[*]} " == *" graphviz "* ]]; then
  echo "Graphviz's dot draws the computation graphs. Install it with one of:" >&2
  echo "  sudo apt-get install -y graphviz" >&2
  echo "  brew install graphviz" >&2
  echo "  conda install -c conda-forge graphviz" >&2
fi
if [[ " ${want[*]} " == *" chromium "* ]]; then
  echo "A Chromium-based browser is needed only by the site's browser test (make test), not by the" >&2
  echo "course itself. Any of chromium, chromium-browser, google-chrome or google-chrome-stable works:" >&2
  echo "  Debian:  sudo apt-get install -y chromium" >&2
  echo "  Ubuntu:  install Google Chrome, or: sudo snap install chromium" >&2
  echo "  macOS:   brew install --cask chromium" >&2
fi
exit 1
