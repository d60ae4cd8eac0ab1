#!/usr/bin/env bash
# What the tests need from the system, installed when missing (the first step of `npm test`):
# Debian's Chromium for the browser test (playwright-core never downloads a browser) and
# Python's h5py for NIR's own reader (vendored in packages/nir/python), which must load the
# .nir files NeuroBridge writes, and Redis for the BullMQ sweep tests (which start their own
# server on a socket and stop it). Needs root or sudo only when something is missing.
set -euo pipefail

NEED=()
command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM_PATH:-/nonexistent}" ] || NEED+=(chromium fonts-dejavu-core)
/usr/bin/python3 -c "import h5py" >/dev/null 2>&1 || NEED+=(python3-h5py)
command -v redis-server >/dev/null 2>&1 || [ -x "${REDIS_SERVER:-/nonexistent}" ] || NEED+=(redis-server)
if [ "${#NEED[@]}" -eq 0 ]; then
  echo "setup: system packages present (chromium, python3-h5py, redis-server)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: the tests need ${NEED[*]}, and this machine has no apt-get; install them with your package manager (CHROMIUM_PATH points at another Chromium)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup: the tests need ${NEED[*]}; run as root or install sudo (apt-get install -y ${NEED[*]})" >&2
    exit 1
  fi
  SUDO="sudo"
fi
echo "setup: installing ${NEED[*]} from Debian"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${NEED[@]}"
