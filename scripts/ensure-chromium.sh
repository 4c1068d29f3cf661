#!/usr/bin/env bash
# Makes sure Debian's chromium is installed at /usr/bin/chromium, for the dashboard's browser suite
# (packages/web/e2e/dashboard.test.ts, driven by playwright-core). Installs the package with apt-get when
# it is missing; says nothing and does nothing when it is already there, so it is safe to run on every CI run.
set -euo pipefail

chromium_bin=/usr/bin/chromium
if [ -x "$chromium_bin" ]; then exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $chromium_bin is missing and there is no apt-get to install it; install Debian's chromium by hand" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
  else
    echo "ensure-chromium: chromium is not installed; run this script as root (or install chromium) to install it" >&2
    exit 1
  fi
fi

echo "ensure-chromium: installing Debian's chromium"
# apt's chatter goes to a log that is shown only when something fails.
log=$(mktemp)
apt() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o Dpkg::Use-Pty=0 "$@" >>"$log" 2>&1; }
# Try the package lists already there first; refresh them only when that fails.
if ! apt install -y --no-install-recommends chromium; then
  if ! { apt update && apt install -y --no-install-recommends chromium; }; then
    cat "$log" >&2
    rm -f "$log"
    echo "ensure-chromium: could not install chromium" >&2
    exit 1
  fi
fi
rm -f "$log"

if [ ! -x "$chromium_bin" ]; then
  echo "ensure-chromium: the chromium package installed, but $chromium_bin is missing" >&2
  exit 1
fi
echo "ensure-chromium: $("$chromium_bin" --version 2>/dev/null || echo chromium)"
