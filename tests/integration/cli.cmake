# CLI tests (zstd style): command, expected exit code, expected stderr pattern, and what
# is left on disk. They run the real binary, in both the release and the sanitizer build.
if(ARTEMIS_BUILD_TOOLS)
  add_test(NAME cli.tests
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cli/cli_test.sh $<TARGET_FILE:artemis-write>
                   ${PROJECT_SOURCE_DIR}/tests/data/ipc-corpus)
  set_tests_properties(cli.tests PROPERTIES LABELS "cli" TIMEOUT 600)
endif()

# Peak memory of the CLI on a long IPC stream through a pipe does not grow with the input.
find_program(ARTEMIS_CLI_NODE node)
if(ARTEMIS_BUILD_TOOLS AND ARTEMIS_CLI_NODE)
  set(ipc_memory_args $<TARGET_FILE:artemis-write> ${ARTEMIS_CLI_NODE} ${PROJECT_SOURCE_DIR}/tests/interop)
  if(ARTEMIS_SANITIZE)
    list(APPEND ipc_memory_args --sanitizer-build)
  endif()
  add_test(NAME cli.ipc_memory COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cli/ipc_memory_test.sh ${ipc_memory_args})
  set_tests_properties(cli.ipc_memory PROPERTIES LABELS "cli" TIMEOUT 600 SKIP_RETURN_CODE 77)
elseif(ARTEMIS_BUILD_TOOLS)
  message(WARNING "node not found: cli.ipc_memory is registered as failing")
  add_test(NAME cli.ipc_memory COMMAND ${CMAKE_COMMAND} -E false)
endif()
