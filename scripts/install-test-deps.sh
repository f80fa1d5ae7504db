#!/usr/bin/env bash
# Installs what the test suites need on a fresh Debian/Ubuntu machine, only when it is missing:
#   redis-server  - the Redis tests start their own server on a free loopback port (never a mock).
#   chromium      - the HTML funnel report is rendered and screenshotted headless in a test.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "error: '$*' needs root; install it by hand" >&2; return 1; fi
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends "$@" >/dev/null; then
    as_root apt-get update -qq
    as_root apt-get install -y --no-install-recommends "$@" >/dev/null
  fi
}

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server (needed by the Redis integration tests)..."
  apt_install redis-server
  # The Debian package may start a system instance; the tests never use it (they start their own on a free port).
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (needed by the report screenshot test)..."
  apt_install chromium
fi
redis-server --version
