#!/usr/bin/env bash
# Installs the Debian 12 packages the build and the tests need. Idempotent; run as root
# (or with sudo available). Node.js and npm come from Debian when the machine has none
# (the interop harness itself is installed with `npm ci` in tests/interop).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libzstd-dev liblz4-dev zlib1g-dev libxxhash-dev
      libcmocka-dev libjemalloc-dev libcurl4-openssl-dev libssl-dev clang-14 libclang-rt-14-dev valgrind time python3)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
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
