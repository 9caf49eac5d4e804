#!/usr/bin/env bash
# Installs the Debian 12 packages the build and the tests need. Idempotent; run as root
# (or with sudo available). Node.js 20 + npm are expected on the machine (the interop
# harness is installed separately with `npm ci` in tests/interop).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libzstd-dev liblz4-dev zlib1g-dev libxxhash-dev
      libcmocka-dev libjemalloc-dev clang-14 libclang-rt-14-dev valgrind time)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
