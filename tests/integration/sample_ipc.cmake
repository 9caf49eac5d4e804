# artemis-sample-ipc (tools/bench-data), the IPC stream writer behind the benchmark data:
# - cli.sample_ipc_identical: the stream read back by artemis-write gives byte-identical
#   Parquet to `artemis-write --sample` on the same rows and batches (so it carries exactly
#   the generator's data), plus the tool's exit codes and error paths;
# - interop.sample_ipc_arrowjs: apache-arrow JS (an independent IPC reader) reads the
#   stream: canonical schema, row and batch counts, nulls, and every value equal to what
#   DuckDB reads from the Parquet artemis-write made of the same stream.
# NODE_EXECUTABLE may or may not have been found yet by interop.cmake (glob order): find it here.
find_program(NODE_EXECUTABLE node)
set(ARTEMIS_SAMPLE_IPC_WORK ${CMAKE_CURRENT_BINARY_DIR}/sample-ipc)
if(TARGET artemis-sample-ipc AND TARGET artemis-write)
  add_test(NAME cli.sample_ipc_identical
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cli/sample_ipc_test.sh $<TARGET_FILE:artemis-sample-ipc>
                   $<TARGET_FILE:artemis-write> ${ARTEMIS_SAMPLE_IPC_WORK}/cli)
  set_tests_properties(cli.sample_ipc_identical PROPERTIES LABELS "cli" TIMEOUT 600)
  if(NODE_EXECUTABLE)
    add_test(NAME interop.sample_ipc_arrowjs
             COMMAND ${NODE_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/interop/sample_ipc_check.mjs
                     --gen $<TARGET_FILE:artemis-sample-ipc> --cli $<TARGET_FILE:artemis-write>
                     --work ${ARTEMIS_SAMPLE_IPC_WORK}/interop)
    set_tests_properties(interop.sample_ipc_arrowjs PROPERTIES LABELS "interop" TIMEOUT 600)
  else()
    message(WARNING "node not found: interop.sample_ipc_arrowjs is registered as failing")
    add_test(NAME interop.sample_ipc_arrowjs COMMAND ${CMAKE_COMMAND} -E false)
    set_tests_properties(interop.sample_ipc_arrowjs PROPERTIES LABELS "interop")
  endif()
endif()
