#!/usr/bin/env bash
# Make sure the programs the course needs outside Python are installed.
#   dot (Graphviz)   draws computation graphs: the course needs it.
#   a Chromium-based browser (chromium, chromium-browser, google-chrome or google-chrome-stable):
#                    only the site's browser test needs it (make test passes --browser).
# As root on Debian/Ubuntu, missing ones are installed with apt-get; otherwise this stops
# with the commands to run.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
want=()
have dot || want+=(graphviz)
if [ "${1:-}" = "--browser" ]; then
  have chromium || have chromium-browser || have google-chrome || have google-chrome-stable || want+=(chromium)
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && have apt-get; then
  echo "Installing ${want[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${want[@]}" >/dev/null
  exit 0
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
  echo "  sudo apt-get install -y chromium      (macOS: brew install --cask chromium)" >&2
fi
exit 1
