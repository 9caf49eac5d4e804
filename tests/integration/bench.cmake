# bench.smoke: bench/run.sh --smoke against this build's binaries (artemis-write and
# tools/bench-data/artemis-sample-ipc): 50,000 rows of each dataset, one round of every
# configuration (artemis-write, DuckDB and polars through the Node interop packages, the
# zstd floor), every output read back by DuckDB and compared with the input. Fails when any
# tool fails or any output does not read back. Its files go to <build>/bench-smoke.
find_program(NODE_EXECUTABLE node)
find_program(BENCH_BASH bash)
if(ARTEMIS_BUILD_TOOLS AND TARGET artemis-write AND NODE_EXECUTABLE AND BENCH_BASH)
  add_test(NAME bench.smoke
           COMMAND ${BENCH_BASH} ${PROJECT_SOURCE_DIR}/bench/run.sh --smoke --build-dir ${CMAKE_BINARY_DIR})
  set_tests_properties(bench.smoke PROPERTIES LABELS "bench" TIMEOUT 600)
else()
  message(WARNING "bench.smoke needs the tools (ARTEMIS_BUILD_TOOLS), node and bash: registered as failing")
  add_test(NAME bench.smoke COMMAND ${CMAKE_COMMAND} -E false)
  set_tests_properties(bench.smoke PROPERTIES LABELS "bench")
endif()
