# Sourced by the acceptance drivers. CTest sets (tests/integration/acceptance.cmake):
#   ACC_BIN      directory of the acceptance programs (acceptance_write, ...)
#   ACC_CLI      the artemis-write CLI
#   ACC_GEN      interop_gen_cases
#   ACC_NODE     node ("" if not found)      ACC_PYTHON3  python3 ("" if not found)
#   ACC_OUT      output directory (build tree)
set -euo pipefail
ACC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INTEROP_DIR=$(cd "$ACC_DIR/../interop" && pwd)

fail() { echo "FAIL: $*" >&2; exit 1; }
need_node() {
  [ -n "${ACC_NODE:-}" ] && [ -x "$ACC_NODE" ] || fail "node not found: the harness readers cannot run"
  [ -d "$INTEROP_DIR/node_modules" ] || fail "tests/interop/node_modules missing: run (cd tests/interop && npm ci)"
}
file_size() { stat -c %s "$1"; }
