#!/usr/bin/env bash
# Makes sure nginx with the auth_request module is installed, for the forward-auth integration test
# (packages/server/test/nginx.test.ts). Installs Debian's package when nginx is missing; says nothing
# and does nothing when it is already there, so it is safe to run on every CI run.
set -euo pipefail

find_nginx() {
  command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true
}

has_auth_request() { # nginx binary
  "$1" -V 2>&1 | grep -q -- '--with-http_auth_request_module'
}

nginx_bin=$(find_nginx)
if [ -n "$nginx_bin" ]; then
  if has_auth_request "$nginx_bin"; then exit 0; fi
  echo "ensure-nginx: $nginx_bin lacks the auth_request module (see nginx -V); install Debian's nginx-light or nginx" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-nginx: nginx is not installed and there is no apt-get to install it; install nginx (with the auth_request module) by hand" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
  else
    echo "ensure-nginx: nginx is not installed; run this script as root (or install nginx-light) to install it" >&2
    exit 1
  fi
fi

echo "ensure-nginx: installing Debian's nginx"
# The package's postinst would start nginx as a system service on port 80; the test runs its own
# nginx, so keep services from starting while installing (unless a policy is already in place).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  "${sudo[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

# apt's chatter goes to a log that is shown only when something fails.
log=$(mktemp)
apt() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o Dpkg::Use-Pty=0 "$@" >>"$log" 2>&1; }
if ! { apt update && { apt install -y --no-install-recommends nginx-light || apt install -y --no-install-recommends nginx; }; }; then
  cat "$log" >&2
  rm -f "$log"
  echo "ensure-nginx: could not install nginx" >&2
  exit 1
fi
rm -f "$log"

nginx_bin=$(find_nginx)
if [ -z "$nginx_bin" ]; then
  echo "ensure-nginx: the nginx package installed, but no nginx binary was found" >&2
  exit 1
fi
if ! has_auth_request "$nginx_bin"; then
  echo "ensure-nginx: $nginx_bin lacks the auth_request module" >&2
  exit 1
fi
echo "ensure-nginx: $("$nginx_bin" -v 2>&1)"
