#!/usr/bin/env bash
# All tests: installs the Debian packages and the interop harness (npm ci), then builds
# and runs the whole CTest suite twice: a release build, and an ASan+UBSan build; then
# builds the CLI without S3 support and checks it refuses s3:// outputs.
# The interop tests read our files with arrow-rs (parquet-wasm), DuckDB, polars and
# hyparquet and compare every value with what the C test put into the arrays.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The interop harness's locked packages need Node.js >= 20; Debian 12's own nodejs is 18.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "test.sh: Node.js $(node --version 2>/dev/null || echo missing) found; the interop harness needs Node.js >= 20" >&2
  echo "test.sh: (Debian 12 ships 18: use a machine image with Node.js 20+, as CI has)" >&2
  exit 1
fi
(cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)

status=0
for flavour in release asan; do
  dir=build; [ "$flavour" = asan ] && dir=build-asan
  echo "=== $flavour build ==="
  bash scripts/build.sh "$flavour"
  echo "=== $flavour tests ==="
  if ! ctest --test-dir "$dir" --output-on-failure -j2 --timeout 900; then status=1; fi
done
# The library without S3 (no libcurl/OpenSSL): it must still build, and say why it cannot
# write to s3:// (the full suite of that configuration: ctest in build-nos3, not run here).
echo "=== build without S3 (ARTEMIS_WITH_S3=OFF) ==="
cmake -S . -B build-nos3 -DCMAKE_BUILD_TYPE=Release -DARTEMIS_WITH_S3=OFF >/dev/null
cmake --build build-nos3 -j2 --target artemis-write >/dev/null
set +e
msg=$(build-nos3/artemis-write --sample 10 -o s3://archive/k.parquet 2>&1)
rc=$?
set -e
if [ $rc = 1 ] && grep -q "built without S3 support" <<<"$msg"; then
  echo "ok: the ARTEMIS_WITH_S3=OFF build refuses s3:// with exit 1: $msg"
else
  echo "FAIL: the ARTEMIS_WITH_S3=OFF build gave exit $rc: $msg"
  status=1
fi
exit $status
