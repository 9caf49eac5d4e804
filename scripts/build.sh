#!/usr/bin/env bash
# Configures and builds one flavour. usage: scripts/build.sh [release|asan] 
# release -> build/        (RelWithDebInfo, -Werror)
# asan    -> build-asan/   (clang, AddressSanitizer + UndefinedBehaviorSanitizer: the second
#                           compiler catches what gcc misses, e.g. pointer-overflow)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DARTEMIS_SANITIZE=ON -DCMAKE_C_COMPILER=clang-14) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 1 ;;
esac
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
